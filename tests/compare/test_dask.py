"""The same run on a Dask cluster (a local one, on the loopback interface only)."""

import os

import pytest

from textpipe.compare import load_experiment, run_experiment
from textpipe.compare.runner import _threads_share_process
from textpipe.data import Dataset
from textpipe.errors import DataError, TextpipeError

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
    """Two worker processes of one thread each, listening on 127.0.0.1 only."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp://",
                      host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      worker_dashboard_address="127.0.0.1:0") as local:
        yield local


@pytest.fixture
def client(cluster):
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as watching:
        yield watching


def scores(run):
    return {key: record.scores for key, record in sorted(run.records.items())}


def data():
    return Dataset((POS + NEG) * 3, (["pos"] * 5 + ["neg"] * 5) * 3)


def test_a_run_on_a_local_dask_cluster_gives_the_same_numbers(cluster):
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    exp = load_experiment(EXPERIMENT)
    here = run_experiment(exp, [data()])[0]
    progress = []
    there = run_experiment(exp, [data()], scheduler=cluster.scheduler_address,
                           on_progress=lambda done, total: progress.append(done))[0]
    assert scores(here) == scores(there)
    assert set(there.fit_counts.values()) == {1}
    assert progress[-1] == 12


def test_the_jobs_run_in_the_workers_processes(cluster, client):
    from distributed import get_task_stream

    workers = client.run(os.getpid)                       # worker address → its process id
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    with get_task_stream(client) as stream:
        run_experiment(load_experiment(EXPERIMENT), [data()],
                       scheduler=cluster.scheduler_address)
    jobs = [task for task in stream.data if str(task["key"]).startswith("run_job")]
    assert len(jobs) == 3                                  # one per fold
    assert {task["worker"] for task in jobs} <= set(workers)


def test_a_run_that_fails_before_its_jobs_leaves_no_client_connected(cluster):
    connected = set(cluster.scheduler.clients)
    too_small = Dataset(POS[:2] + NEG[:2], ["pos", "pos", "neg", "neg"])   # 2 < 3 folds
    with pytest.raises(DataError, match="3-fold cross-validation needs at least 3"):
        run_experiment(load_experiment(EXPERIMENT), [too_small],
                       scheduler=cluster.scheduler_address)
    assert set(cluster.scheduler.clients) == connected


def test_peak_memory_is_sampled_on_a_worker_with_several_threads():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address="127.0.0.1:0") as threaded, \
            Client(threaded, set_as_default=False) as client:
        assert client.submit(_threads_share_process, pure=False).result() is True


def test_a_single_threaded_worker_is_not_taken_for_a_shared_process(client):
    assert client.submit(_threads_share_process, pure=False).result() is False


def test_an_unreachable_scheduler_says_how_to_start_one(monkeypatch):
    monkeypatch.setattr("textpipe.compare.runner.CONNECT_TIMEOUT", "1s")
    with pytest.raises(TextpipeError, match="cannot connect to the Dask scheduler"):
        run_experiment(load_experiment(EXPERIMENT), [Dataset(POS + NEG, ["p"] * 5 + ["n"] * 5)],
                       scheduler="tcp://127.0.0.1:1")
