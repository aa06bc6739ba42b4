import time

import pytest

import textpipe
from textpipe.errors import UsageError
from textpipe.score.backends import ModelHandle, ordered_map


def _cost(pipeline, item):
    """A chunk whose cost is its own: chunk ``(i, seconds)`` sleeps, then says who it is."""
    index, seconds = item
    time.sleep(seconds)
    return index


@pytest.fixture
def fitted():
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    return pipe.fit(["good fun", "bad dull"], ["pos", "neg"])


def test_a_pipeline_saved_for_workers_is_not_unpickled_for_its_identity(fitted, monkeypatch):
    from textpipe import model
    from textpipe.model import check_model, model_identity

    handle = ModelHandle.resolve(fitted)

    def refuse(directory):
        raise AssertionError("unpickled in the main process")

    monkeypatch.setattr(model, "_load_pipeline", refuse)
    with handle.on_disk() as (folder, identity):
        assert identity == model_identity(check_model(folder))


def test_dask_results_come_in_order_when_later_chunks_finish_first(fitted):
    distributed = pytest.importorskip("distributed")
    # chunk 0 is the slowest, so with two workers chunks 1-3 finish before it
    items = [(0, 0.6), (1, 0.0), (2, 0.2), (3, 0.0), (4, 0.3), (5, 0.0)]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        done = list(ordered_map(_cost, items, ModelHandle.resolve(fitted),
                                scheduler=cluster.scheduler_address))
    assert done == [0, 1, 2, 3, 4, 5]


def test_a_dask_cluster_without_workers_fails_fast_with_advice(fitted, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from textpipe.score import backends

    monkeypatch.setattr(backends, "DASK_WORKER_TIMEOUT", 1)
    with distributed.LocalCluster(n_workers=0, processes=False,
                                  dashboard_address=None) as cluster:
        start = time.monotonic()
        with pytest.raises(UsageError, match=r"has no workers \(waited 1 s\).*dask worker"):
            list(ordered_map(_cost, [(0, 0)], ModelHandle.resolve(fitted),
                             scheduler=cluster.scheduler_address))
        assert time.monotonic() - start < 30


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_model_folder_replaced_after_the_check_is_not_scored_with(fitted, tmp_path, n_jobs):
    from textpipe.errors import ModelError
    from textpipe.model import save_model

    save_model(fitted, tmp_path / "m")
    other = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    save_model(other.fit(["fun", "dull"], ["neg", "pos"]), tmp_path / "other")
    handle = ModelHandle.resolve(tmp_path / "m")
    (tmp_path / "m").rename(tmp_path / "old")  # `mv other m` while the job starts
    (tmp_path / "other").rename(tmp_path / "m")
    with pytest.raises(ModelError, match=r"m: the model changed after this job checked it"):
        list(ordered_map(getattr, ["classes_"], handle, n_jobs=n_jobs))
