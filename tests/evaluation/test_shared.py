"""Leading steps that learn nothing from training data run once; the scores do not change."""

import pytest
from sklearn.pipeline import Pipeline

from textpipe.config import load_config
from textpipe.data import Dataset
from textpipe.evaluation import evaluate
from textpipe.evaluation.shared import compute_shared, n_shared_steps, take
from textpipe.stages.normalize import Normalize
from textpipe.stages.tokenize import Tokenize

POS = ["Good FUN film", "great acting!", "lovely and fun", "a GREAT joy"]
NEG = ["bad dull film", "Awful acting", "boring and dull", "a total MESS"]


def data(repeat=5):
    return Dataset(texts=(POS + NEG) * repeat, labels=(["pos"] * 4 + ["neg"] * 4) * repeat)


def config(steps):
    return load_config({"steps": steps, "evaluation": {"method": "cv", "folds": 4}})


def test_only_leading_steps_that_learn_nothing_are_shared_and_never_the_last():
    steps = config(["normalize", "tokenize", "stem", "count", "multinomial_nb"]).build()
    assert n_shared_steps(steps) == 3  # count learns its vocabulary from the training fold
    trained = config(["normalize", {"tokenize": {"backend": "bpe", "vocab_size": 50}}, "stem",
                      "count", "multinomial_nb"]).build()
    assert n_shared_steps(trained) == 1  # a trained tokenizer learns; stem after it is not leading
    assert n_shared_steps(Pipeline([("n", Normalize())])) == 0
    assert n_shared_steps(Pipeline([("p", "passthrough"), ("n", Normalize()),
                                    ("t", Tokenize())])) == 2


def test_shared_output_is_the_steps_output_over_all_documents():
    pipe = config(["normalize", "tokenize", "count", "multinomial_nb"]).build()
    shared = compute_shared(pipe, POS)
    expected = Tokenize().fit_transform(Normalize().fit_transform(POS))
    assert shared.output == expected and shared.n_documents == 4
    assert take(shared.output, [1, 0]) == shared.output[1::-1]
    assert shared.share([0, 1]) == {name: pytest.approx(shared.seconds[name] / 2)
                                    for name in ("normalize", "tokenize")}
    shared.n_folds = 4  # each of 4 folds: a quarter of the pass, split by its documents
    assert shared.share([0]) == {name: pytest.approx(shared.seconds[name] / 16)
                                 for name in ("normalize", "tokenize")}
    trained = config([{"tokenize": {"backend": "bpe", "vocab_size": 50}}, "count",
                      "multinomial_nb"]).build()
    assert compute_shared(trained, POS) is None


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_scores_are_those_of_fitting_every_step_per_fold(n_jobs, monkeypatch):
    steps = ["normalize", "tokenize", "count", "multinomial_nb"]
    shared = evaluate(config(steps), data(), n_jobs=n_jobs)
    assert list(shared.timing()["computed_once_seconds"]) == ["normalize", "tokenize"]
    monkeypatch.setattr(Normalize, "learns_from_training_data", True)
    per_fold = evaluate(config(steps), data(), n_jobs=n_jobs)
    assert per_fold.timing()["computed_once_seconds"] == {}
    assert shared.summary() == per_fold.summary()
    assert list(shared.timing()["fit_seconds_per_fold"]) == ["normalize", "tokenize", "count",
                                                             "multinomial_nb"]
