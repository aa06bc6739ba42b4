"""The same run on a Dask cluster (a local one, on the loopback interface only)."""

import pytest

from textpipe.compare import load_experiment, run_experiment
from textpipe.data import Dataset
from textpipe.errors import TextpipeError

distributed = pytest.importorskip("distributed")

POS = ["good fun film", "great acting", "lovely and fun", "a great joy", "fine and good"]
NEG = ["bad dull film", "awful acting", "boring and dull", "a total mess", "dull and bad"]

EXPERIMENT = {
    "evaluation": {"method": "cv", "folds": 3, "seed": 1, "metrics": ["accuracy"]},
    "grid": {"base": ["tokenize", "count", "linear_svm"],
             "params": {"count.ngram_range": [[1, 1], [1, 2]],
                        "linear_svm": ["linear_svm", "multinomial_nb"]}},
}


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as local:
        yield local


def scores(run):
    return {key: record.scores for key, record in sorted(run.records.items())}


def test_a_run_on_a_local_dask_cluster_gives_the_same_numbers(cluster):
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    data = Dataset((POS + NEG) * 3, (["pos"] * 5 + ["neg"] * 5) * 3)
    exp = load_experiment(EXPERIMENT)
    here = run_experiment(exp, [data])[0]
    progress = []
    there = run_experiment(exp, [data], scheduler=cluster.scheduler_address,
                           on_progress=lambda done, total: progress.append(done))[0]
    assert scores(here) == scores(there)
    assert set(there.fit_counts.values()) == {1}
    assert progress[-1] == 12


def test_an_unreachable_scheduler_says_how_to_start_one(monkeypatch):
    monkeypatch.setattr("textpipe.compare.runner.CONNECT_TIMEOUT", "1s")
    with pytest.raises(TextpipeError, match="cannot connect to the Dask scheduler"):
        run_experiment(load_experiment(EXPERIMENT), [Dataset(POS + NEG, ["p"] * 5 + ["n"] * 5)],
                       scheduler="tcp://127.0.0.1:1")
