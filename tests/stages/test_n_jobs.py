"""Token stages give the same output, in order, whether run in one process or in chunks."""

import pickle

import pytest
from sklearn.base import clone

from textpipe.stages import base
from textpipe.stages.lemmatize import Lemmatize
from textpipe.stages.normalize import Normalize
from textpipe.stages.stem import Stem
from textpipe.stages.stopwords import Stopwords
from textpipe.stages.tokenize import Tokenize

TEXTS = [f"The {i} Cats were RUNNING to http://x.org/{i} ; café n°{i % 7}!" for i in range(41)]
TEXTS += ["", "   ", "naïve fiancées' résumés", "Über Größe"]
TOKENS = Tokenize().fit_transform(TEXTS)

CASES = [
    (Tokenize, {}, TEXTS),
    (Normalize, {}, TEXTS),
    (Stopwords, {}, TOKENS),
    (Stem, {}, TOKENS),
    (Stem, {"algorithm": "porter"}, TOKENS),
]


@pytest.fixture(params=["fork", "loky"])
def small_threshold(request, monkeypatch):
    """Let the tiny corpus be split across worker processes, forked or started by loky."""
    monkeypatch.setattr(base, "MIN_PARALLEL_DOCS", 2)
    if request.param == "loky":
        monkeypatch.setattr(base, "fork_is_safe", lambda: False)
    elif not base.fork_is_safe():
        pytest.skip("this process cannot fork safely (not Linux, threads running or torch loaded)")
    yield request.param
    if request.param == "loky":  # stop loky's threads, which would rule out forking afterwards
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)


@pytest.mark.parametrize(("cls", "params", "docs"), CASES,
                         ids=[f"{c.__name__}{p}" for c, p, _ in CASES])
def test_two_jobs_give_the_same_output_in_order(small_threshold, cls, params, docs):
    one = cls(**params).fit_transform(docs)
    two_stage = cls(**params, n_jobs=2).fit(docs)
    assert two_stage.transform(docs) == one
    assert cls(**params, n_jobs=2).fit_transform(docs) == one
    assert len(one) == len(docs)


def test_parallel_path_really_splits(small_threshold, monkeypatch):
    calls = []
    original = Stem._transform

    def spy(self, docs):
        calls.append(len(docs))
        return original(self, docs)

    monkeypatch.setattr(Stem, "_transform", spy)
    stage = Stem(n_jobs=2).fit(TOKENS)
    assert stage.transform(TOKENS) == Stem().fit_transform(TOKENS)
    if small_threshold == "fork":
        # This process transforms the first half itself; a forked worker the rest.
        first = len(base._fork_chunks(TOKENS, 2)[0])
        assert 0 < first < len(TOKENS) and calls == [first, len(TOKENS)]
    else:
        # loky runs every chunk in other processes, so the spy here sees no call.
        assert calls == [len(TOKENS)]


class _FailsOnSecondHalf(Stem):
    def _transform(self, docs):
        if docs and docs[0] == ["last"]:
            raise ValueError("bad chunk")
        return super()._transform(docs)


def test_an_error_in_a_worker_reaches_the_caller(small_threshold):
    stage = _FailsOnSecondHalf(n_jobs=2).fit([["a"]])
    with pytest.raises(ValueError, match="bad chunk"):
        stage.transform([["a"], ["b"], ["last"], ["c"]])


def test_fork_is_not_used_while_other_threads_run():
    import threading

    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not base.fork_is_safe()
    finally:
        release.set()
        thread.join()


def test_small_inputs_stay_in_process(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("workers started for a small input")

    monkeypatch.setattr(base, "Parallel", refuse)
    monkeypatch.setattr(base, "_transform_forked", refuse)
    assert Tokenize(n_jobs=2).fit_transform(["a b", "c"]) == [["a", "b"], ["c"]]


@pytest.mark.parametrize("cls", [Tokenize, Normalize, Stopwords, Stem, Lemmatize])
def test_n_jobs_is_a_parameter(cls):
    stage = cls(n_jobs=2)
    assert stage.get_params()["n_jobs"] == 2
    assert cls().get_params()["n_jobs"] is None
    assert clone(stage).n_jobs == 2
    assert stage.set_params(n_jobs=-1).n_jobs == -1
    assert pickle.loads(pickle.dumps(stage)).n_jobs == -1


def test_n_jobs_must_be_an_integer():
    from textpipe.errors import ConfigError

    with pytest.raises(ConfigError, match="n_jobs"):
        Stem(n_jobs="two").fit([["a"]])


# Last: spaCy loads torch, after which this process no longer forks its workers.
def test_two_jobs_lemmatize_the_same_in_order(small_threshold):
    pytest.importorskip("spacy_lookups_data")
    one = Lemmatize().fit_transform(TOKENS)
    assert Lemmatize(n_jobs=2).fit(TOKENS).transform(TOKENS) == one
    assert Lemmatize(n_jobs=2).fit_transform(TOKENS) == one
