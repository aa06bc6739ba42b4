"""The runs index: ``run`` and ``compare`` append a record each; ``textpipe runs`` lists and diffs."""

import importlib.machinery
import json
import os
import subprocess
import sys
import types
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest

from textpipe.cli import main
from textpipe.environment import library_versions
from textpipe.records import (DamagedRecordWarning, append_record, config_hash, read_records,
                              run_record)

ROOT = Path(__file__).resolve().parents[1]

PIPELINE = """\
# a tiny pipeline
name: toy_run
data:
  path: toy.txt
evaluation: {method: cv, folds: 3, seed: 0, metrics: [accuracy, macro_f1]}
steps:
  - tokenize
  - count
  - logreg: {C: 1.0}
"""

EXPERIMENT = """\
name: toy
data:
  path: toy.txt
evaluation: {method: cv, folds: 3, seed: 0, metrics: [accuracy, macro_f1]}
grid:
  base: [tokenize, count, linear_svm]
  params:
    count.binary: [false, true]
    linear_svm: [linear_svm, multinomial_nb]
"""


@pytest.fixture
def folder(tmp_path):
    """A folder with toy data, ``pipeline.yaml`` and ``exp.yaml``."""
    lines = [f"pos good fun film {i}" for i in range(6)] + [
        f"neg bad dull film {i}" for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(PIPELINE, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text(EXPERIMENT, encoding="utf-8")
    return tmp_path


def _run(folder, *extra, config="pipeline.yaml"):
    runs = folder / "runs"
    assert main(["run", str(folder / config), "--runs-dir", str(runs), "-q", *extra]) == 0
    return runs


def _lines(runs: Path) -> list:
    return (runs / "index.jsonl").read_text(encoding="utf-8").splitlines()


# -- what run and compare record -------------------------------------------------------


def test_a_run_appends_exactly_one_line_with_every_field(folder):
    runs = _run(folder, "--json", str(folder / "r.json"), "--save", str(folder / "model"))
    (line,) = _lines(runs)
    record, result = json.loads(line), json.loads((folder / "r.json").read_text())
    assert len(record["id"]) == 8 and int(record["id"], 16) >= 0
    when = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
    assert when.utcoffset().total_seconds() == 0
    assert abs((datetime.now(timezone.utc) - when).total_seconds()) < 120
    assert record["command"] == "run"
    assert record["config"] == {"path": str((folder / "pipeline.yaml").resolve()),
                                "name": "toy_run", "hash": config_hash(result["config"])}
    assert record["data"][0]["fingerprint"] == result["data"]["fingerprint"]
    assert record["primary_metric"] == "accuracy" and record["seed"] == 0
    (summary,) = record["results"]
    assert summary["best_metrics"] == {m: s["mean"] for m, s in result["metrics"].items()}
    assert summary["n_pipelines"] == 1 and summary["protocol"]["folds"] == 3
    assert record["output"] == str((folder / "model").resolve())
    assert record["json_output"] == str((folder / "r.json").resolve())
    assert record["wall_seconds"] > 0
    assert record["versions"] == library_versions()
    assert record["resolved_config"] == result["config"]


def test_a_compare_appends_exactly_one_line_with_each_pipelines_means(folder):
    runs = folder / "runs"
    assert main(["compare", str(folder / "exp.yaml"), "-o", str(folder / "report"),
                 "--runs-dir", str(runs), "-q"]) == 0
    (line,) = _lines(runs)
    record = json.loads(line)
    results = json.loads((folder / "report" / "results.json").read_text())
    dataset = results["datasets"][0]
    assert record["command"] == "compare" and record["config"]["name"] == "toy"
    assert record["config"]["hash"] == config_hash(results["config"])
    assert record["data"][0]["fingerprint"] == dataset["data"]["fingerprint"]
    (summary,) = record["results"]
    assert summary["n_pipelines"] == 4 and summary["best"] == dataset["best"]
    assert summary["pipelines"] == {p["name"]: {m: s["mean"] for m, s in p["metrics"].items()}
                                    for p in dataset["pipelines"]}
    assert summary["best_metrics"] == summary["pipelines"][dataset["best"]]
    assert summary["protocol"]["seed"] == 0 and summary["protocol"]["method"] == "cv"
    assert record["output"] == str((folder / "report").resolve())
    assert record["versions"] == results["environment"]["versions"]


def test_a_dry_run_and_no_record_leave_the_index_alone(folder):
    runs = folder / "runs"
    assert main(["compare", str(folder / "exp.yaml"), "--dry-run", "--runs-dir",
                 str(runs)]) == 0
    _run(folder, "--no-record")
    assert main(["compare", str(folder / "exp.yaml"), "--runs-dir", str(runs), "-q",
                 "--no-record"]) == 0
    assert not (runs / "index.jsonl").exists()


def test_the_runs_folder_defaults_to_the_environment_then_to_runs_here(folder, monkeypatch):
    elsewhere = folder / "elsewhere"
    monkeypatch.setenv("TEXTPIPE_RUNS_DIR", str(elsewhere))
    assert main(["run", str(folder / "pipeline.yaml"), "-q"]) == 0
    assert len(_lines(elsewhere)) == 1
    monkeypatch.delenv("TEXTPIPE_RUNS_DIR")
    monkeypatch.chdir(folder)
    assert main(["run", "pipeline.yaml", "-q"]) == 0
    assert len(_lines(folder / "runs")) == 1


def test_an_unwritable_runs_folder_stops_the_command_before_any_work(folder, capsys):
    (folder / "file").write_text("x")
    code = main(["run", str(folder / "pipeline.yaml"), "--runs-dir", str(folder / "file" / "r"),
                 "--json", str(folder / "r.json")])
    assert code == 2 and "[E941]" in capsys.readouterr().err
    assert not (folder / "r.json").exists()


# -- the configuration hash ----------------------------------------------------------------


def test_the_config_hash_ignores_comments_whitespace_and_order_but_not_a_parameter(folder):
    reformatted = ("# the same pipeline, written differently\n\n"
                   + PIPELINE.replace("name: toy_run\n", "").replace(
                       "steps:", "steps:   # three steps") + "name:    'toy_run'  \n")
    changed = PIPELINE.replace("C: 1.0", "C: 2.0")
    (folder / "reformatted.yaml").write_text(reformatted, encoding="utf-8")
    (folder / "changed.yaml").write_text(changed, encoding="utf-8")
    for config in ("pipeline.yaml", "reformatted.yaml", "changed.yaml"):
        runs = _run(folder, config=config)
    hashes = [r["config"]["hash"] for r in read_records(runs)]
    assert hashes[0] == hashes[1] != hashes[2]
    assert (folder / "pipeline.yaml").read_bytes() != (folder / "reformatted.yaml").read_bytes()


def test_the_config_hash_is_the_sha256_of_canonical_json():
    import hashlib

    config = {"steps": [{"count": {"binary": True}}], "name": "x"}
    canonical = '{"name":"x","steps":[{"count":{"binary":true}}]}'
    assert config_hash(config) == hashlib.sha256(canonical.encode()).hexdigest()
    assert config_hash({**config, "source": "/some/where.yaml"}) == config_hash(config)


# -- appending and reading ------------------------------------------------------------------

WRITER = """
import sys, time
from pathlib import Path
from textpipe.records import append_record
folder, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
for i in range(200):
    append_record(folder, {"id": f"{tag}{i:05d}", "timestamp": "t", "command": "run",
                           "payload": tag * 20000})
"""


def test_two_processes_appending_at_once_each_add_whole_lines(tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), tag, str(go)],
                                env=env) for tag in ("a", "b")]
    go.touch()  # both start appending together; each line is ~20 kB, far above PIPE_BUF
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records = read_records(tmp_path)
    assert len(records) == 400 == len({r["id"] for r in records})
    assert all(r["payload"] == r["id"][0] * 20000 for r in records)


def test_a_damaged_line_is_skipped_with_a_warning_naming_file_and_line(tmp_path, capsys):
    append_record(tmp_path, {"id": "aaaa1111", "timestamp": "t", "command": "run"})
    with open(tmp_path / "index.jsonl", "ab") as handle:
        handle.write(b'{"id": "cut short\n[1, 2]\n\xff\xfe not text\n{"timestamp": "t"}\n')
    append_record(tmp_path, {"id": "bbbb2222", "timestamp": "t", "command": "compare"})
    with pytest.warns(DamagedRecordWarning) as caught:
        records = read_records(tmp_path)
    assert [r["id"] for r in records] == ["aaaa1111", "bbbb2222"]
    messages = [str(w.message) for w in caught]
    assert [m.split(": not a run record")[0] for m in messages] == [
        f"{tmp_path / 'index.jsonl'}, line {n}" for n in (2, 3, 4, 5)]
    assert "not JSON" in messages[0] and "not a JSON object" in messages[1]
    assert "not UTF-8" in messages[2] and "no 'id'" in messages[3]
    assert main(["runs", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "aaaa1111" in out and "bbbb2222" in out
    assert "index.jsonl, line 2: not a run record" in err and "Traceback" not in err


def test_a_line_cut_short_at_the_end_does_not_damage_the_next_record(tmp_path):
    (tmp_path / "index.jsonl").write_bytes(b'{"id": "aaaa1111", "timest')  # no newline
    append_record(tmp_path, {"id": "bbbb2222", "timestamp": "t", "command": "run"})
    with pytest.warns(DamagedRecordWarning, match="line 1"):
        assert [r["id"] for r in read_records(tmp_path)] == ["bbbb2222"]


def test_records_are_strict_json_even_with_a_nan_metric(tmp_path):
    document = {"config": {"evaluation": {"seed": 0}}, "metrics": {"accuracy": {"mean": 0.5},
                "macro_f1": {"mean": float("nan")}}, "data": {"name": "d", "fingerprint": "f"},
                "protocol": {"method": "cv", "description": "2-fold", "folds": 2}}
    append_record(tmp_path, run_record("run", tmp_path / "p.yaml", document, wall_seconds=1))
    line = (tmp_path / "index.jsonl").read_text()
    json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in the index"))
    assert '"macro_f1":null' in line


# -- textpipe runs ----------------------------------------------------------------------


def _three_runs(folder):
    _run(folder)
    (folder / "pipeline.yaml").write_text(PIPELINE.replace("C: 1.0", "C: 0.01"), "utf-8")
    _run(folder)
    return _run(folder)


def test_runs_lists_the_runs_oldest_first_in_80_columns(folder, capsys):
    runs = _three_runs(folder)
    capsys.readouterr()
    assert main(["runs", str(runs)]) == 0
    out = capsys.readouterr().out
    ids = [r["id"] for r in read_records(runs)]
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.index(ids[0]) < out.index(ids[1]) < out.index(ids[2])
    assert "pipeline " in out and "accuracy" in out  # the config file's name
    assert main(["runs", str(runs), "--last", "2"]) == 0
    out = capsys.readouterr().out
    assert ids[0] not in out and ids[1] in out and ids[2] in out


def test_runs_json_prints_the_records(folder, capsys):
    runs = _three_runs(folder)
    capsys.readouterr()
    assert main(["runs", str(runs), "--json", "--last", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == read_records(runs)[1:]


def test_runs_of_an_empty_folder_says_so(tmp_path, capsys):
    assert main(["runs", str(tmp_path)]) == 0
    assert "No runs recorded" in capsys.readouterr().err
    assert main(["runs", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_runs_diff_shows_the_changed_key_and_metrics_side_by_side(folder, capsys):
    runs = _three_runs(folder)
    a, b, c = read_records(runs)
    capsys.readouterr()
    assert main(["runs", "diff", "1", "-2", str(runs), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["a"] == a["id"] and diff["b"] == b["id"] and not diff["same_config"]
    assert diff["config"] == [["steps[2].logreg.C", 1.0, 0.01]]
    assert diff["data"] == [] and diff["versions"] == []
    rows = {(row[1], row[2]): row[3:] for row in diff["metrics"]}
    for metric, mean in a["results"][0]["best_metrics"].items():
        other = b["results"][0]["best_metrics"][metric]
        assert rows[("toy_run", metric)] == pytest.approx([mean, other, other - mean])
    assert main(["runs", "diff", a["id"], b["id"][:5], str(runs)]) == 0
    out = capsys.readouterr().out
    assert "steps[2].logreg.C" in out and "Data fingerprint: the same." in out
    assert "toy_run · accuracy" in out and "B − A" in out
    assert main(["runs", "diff", "-2", "-1", str(runs)]) == 0
    assert "Config: the same" in capsys.readouterr().out  # b and c ran one config


def test_runs_diff_of_an_unknown_or_the_same_run_is_an_error(folder, capsys):
    runs = _run(folder)
    assert main(["runs", "diff", "-1", "-5", str(runs)]) == 2
    assert "[E942]" in capsys.readouterr().err
    assert main(["runs", "diff", "-1", "1", str(runs)]) == 2
    assert "[E945]" in capsys.readouterr().err
    assert main(["runs", "diff", "-1"]) == 2
    assert "[E946]" in capsys.readouterr().err


# -- MLflow -----------------------------------------------------------------------------


def test_mlflow_not_installed_is_a_catalogue_error_before_any_work(folder, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if not installed
    code = main(["compare", str(folder / "exp.yaml"), "-o", str(folder / "report"),
                 "--runs-dir", str(folder / "runs"), "--mlflow"])
    err = capsys.readouterr().err
    assert code == 2 and "[E943]" in err and "pip install mlflow" in err
    assert not (folder / "report").exists() and not (folder / "runs").exists()


class FakeMlflow(types.ModuleType):
    """Records what textpipe logs, as ``(function, arguments)``."""

    def __init__(self):
        super().__init__("mlflow")
        self.__spec__ = importlib.machinery.ModuleSpec("mlflow", None)
        self.calls = []
        for name in ("set_tracking_uri", "set_experiment", "set_tags", "log_params",
                     "log_metrics", "log_dict", "log_artifacts", "log_artifact"):
            setattr(self, name, lambda *a, _name=name, **k: self.calls.append((_name, a, k)))

    def start_run(self, **kwargs):
        import contextlib

        self.calls.append(("start_run", (), kwargs))
        return contextlib.nullcontext()

    def called(self, name):
        return [(a, k) for n, a, k in self.calls if n == name]


def test_mlflow_logs_params_metrics_and_the_report_to_a_local_store(folder, monkeypatch):
    fake = FakeMlflow()
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    runs = folder / "runs"
    assert main(["compare", str(folder / "exp.yaml"), "-o", str(folder / "report"),
                 "--runs-dir", str(runs), "--mlflow", "-q"]) == 0
    (record,) = read_records(runs)
    assert fake.called("set_tracking_uri") == [(((runs / "mlruns").resolve().as_uri(),), {})]
    assert fake.called("set_experiment") == [(("toy",), {})]
    assert fake.called("start_run") == [((), {"run_name": f"compare-{record['id']}"})]
    params = {k: v for (batch,), _ in fake.called("log_params") for k, v in batch.items()}
    assert params["textpipe.config_hash"] == record["config"]["hash"]
    assert params["data_fingerprint"] == record["data"][0]["fingerprint"]
    assert params["config.evaluation.folds"] == "3"
    assert all(len(batch) <= 100 for (batch,), _ in fake.called("log_params"))
    ((metrics,), _), = fake.called("log_metrics")
    summary = record["results"][0]
    assert metrics["accuracy"] == summary["best_metrics"]["accuracy"]
    for name, means in summary["pipelines"].items():
        key = "pipeline/" + name.replace("=", "_").replace(",", "_") + "/macro_f1"
        assert metrics[key] == means["macro_f1"]
    logged = [a[1] for a, _ in fake.called("log_dict")]
    assert logged == ["textpipe_run.json", "results.json"]
    assert fake.called("log_artifacts") == [((str(folder / "report"),),
                                             {"artifact_path": "report"})]


def test_mlflow_uses_the_tracking_uri_of_the_environment(folder, monkeypatch):
    fake = FakeMlflow()
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    uri = (folder / "elsewhere").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    _run(folder, "--mlflow", "--no-record")
    assert fake.called("set_tracking_uri") == [((uri,), {})]
    ((metrics,), _), = fake.called("log_metrics")
    assert set(metrics) == {"accuracy", "macro_f1", "wall_seconds"}


def test_a_failure_to_log_to_mlflow_warns_but_keeps_the_record(folder, monkeypatch, capsys):
    fake = FakeMlflow()

    def refuse(*args, **kwargs):
        raise RuntimeError("store is read-only")

    fake.log_metrics = refuse
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    runs = folder / "runs"
    assert main(["run", str(folder / "pipeline.yaml"), "--runs-dir", str(runs), "--mlflow"]) == 0
    err = capsys.readouterr().err
    assert "the run was recorded, but logging it to MLflow" in err and "read-only" in err
    assert len(read_records(runs)) == 1


def test_real_mlflow_stores_the_run(folder, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    runs = _run(folder, "--mlflow")
    (record,) = read_records(runs)
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ  # allowed only while textpipe logged
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 asks it of a file store
    mlflow.set_tracking_uri((runs / "mlruns").resolve().as_uri())
    (found,) = mlflow.search_runs(experiment_names=["toy_run"], output_format="list")
    assert found.data.tags["textpipe.run_id"] == record["id"]
    assert found.data.metrics["accuracy"] == pytest.approx(
        record["results"][0]["best_metrics"]["accuracy"])
    assert found.data.params["textpipe.config_hash"] == record["config"]["hash"]
    client = mlflow.MlflowClient()
    names = {a.path for a in client.list_artifacts(found.info.run_id)}
    assert {"results.json", "textpipe_run.json"} <= names


def test_real_mlflow_logs_to_a_sqlite_store_named_by_the_environment(folder, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.chdir(folder)  # MLflow puts the artifacts of a database store in ./mlartifacts
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    runs = _run(folder, "--mlflow")
    (record,) = read_records(runs)
    mlflow.set_tracking_uri(uri)
    (found,) = mlflow.search_runs(experiment_names=["toy_run"], output_format="list")
    assert found.data.tags["textpipe.run_id"] == record["id"]
    assert not (runs / "mlruns").exists()


def test_a_run_is_found_by_position_id_or_the_start_of_its_id():
    from textpipe.records import find_run

    records = [{"id": "12345678"}, {"id": "abcdef12"}, {"id": "abc99999"}]
    assert find_run(records, "1", "i")["id"] == "12345678"  # a position first
    assert find_run(records, "-1", "i")["id"] == "abc99999"
    assert find_run(records, "1234", "i")["id"] == "12345678"  # no run 1234: an id's start
    assert find_run(records, "abcd", "i")["id"] == "abcdef12"
    with pytest.raises(ValueError, match="E942"):
        find_run(records, "abc", "i")  # two ids start with it
