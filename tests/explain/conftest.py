"""Tiny training data for the explanation tests: positive and negative film snippets."""

import pytest

POS = ["a great film with wonderful acting", "great fun and a lovely story",
       "wonderful and moving, a great cast", "lovely photography and great music",
       "a moving story told with great care", "fun, lovely and wonderful throughout"]
NEG = ["a dull film with terrible acting", "dull and slow with a boring plot",
       "terrible script, boring and slow", "a boring mess with dull dialogue",
       "slow, terrible and dull throughout", "the plot is boring and the acting terrible"]
MID = ["an average film, neither good nor bad", "average acting and an ordinary plot",
       "ordinary story, average music", "neither moving nor dull, just average",
       "an ordinary cast in an average film", "average, ordinary, forgettable"]


@pytest.fixture(scope="session")
def binary_data():
    return POS + NEG, ["pos"] * len(POS) + ["neg"] * len(NEG)


@pytest.fixture(scope="session")
def three_class_data():
    return POS + NEG + MID, ["pos"] * len(POS) + ["neg"] * len(NEG) + ["mid"] * len(MID)
