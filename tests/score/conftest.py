import json

import pytest

import textpipe
from textpipe.model import save_model

TRAIN = (["good fun film", "great fun", "a fine good film", "fun and great"] * 3
         + ["bad dull film", "awful dull", "a dull bad film", "awful and bad"] * 3)
LABELS = ["pos"] * 12 + ["neg"] * 12


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A small saved model: tokenize → count → multinomial_nb, labels neg/pos."""
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    pipe.fit(TRAIN, LABELS)
    return save_model(pipe, tmp_path_factory.mktemp("model") / "toy")


@pytest.fixture(scope="session")
def pipeline(model_dir):
    from textpipe.model import load_model

    return load_model(model_dir).pipeline


def _read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture
def read_jsonl():
    """Read a JSON Lines file into a list of dicts."""
    return _read_jsonl
