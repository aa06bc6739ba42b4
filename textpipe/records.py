"""The runs index: one line of JSON for every ``textpipe run`` and ``textpipe compare``.

The index is the file ``index.jsonl`` in the runs folder: ``--runs-dir`` if given, else the
``TEXTPIPE_RUNS_DIR`` environment variable, else ``runs`` in the current folder. Each line
is one record (:func:`run_record`): when and what ran, the configuration file, a hash of
its resolved configuration (and that configuration, to diff two runs key by key), the data
fingerprint, the protocol and seed, each metric's mean, the outputs, the wall time and the
library versions.

The configuration hash (:func:`config_hash`) is the SHA-256 of the resolved configuration
written as canonical JSON (keys sorted, no spaces), defaults filled in, so that comments,
blank lines, key order or quoting in the YAML file do not change it; any parameter does.

A record is appended with one ``write`` to a file opened with ``O_APPEND``, under an
exclusive lock where the system has one, so that runs finishing at once never mix their
lines. Reading skips a line that is not a record with a :class:`DamagedRecordWarning` that
names the file and the line.

MLflow is optional: :func:`log_to_mlflow` logs a record's parameters, metrics and result
files to a local file store (``mlruns`` in the runs folder) unless ``MLFLOW_TRACKING_URI``
says otherwise.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> record = {"id": "0a1b2c3d", "timestamp": "2026-01-01T00:00:00Z", "command": "run"}
>>> append_record(folder, record).name
'index.jsonl'
>>> [r["id"] for r in read_records(folder)]
['0a1b2c3d']
>>> config_hash({"steps": [{"tfidf": {}}]}) == config_hash({"steps": [{"tfidf": {}}]})
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import re
import secrets
import sys
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .environment import library_versions
from .errors import Errors, UsageError

__all__ = ["DamagedRecordWarning", "MlflowWarning", "append_record", "check_folder",
           "check_mlflow", "config_hash", "diff_records", "find_run", "flatten",
           "log_to_mlflow", "read_records", "run_record", "runs_folder"]

#: What each record's ``format`` says; a later layout gets a new one.
FORMAT = "textpipe.runs v1"
INDEX = "index.jsonl"
#: The environment variable naming the runs folder when ``--runs-dir`` is not given.
ENVIRONMENT = "TEXTPIPE_RUNS_DIR"
DEFAULT_FOLDER = "runs"
#: Keys every record has; a line without them is not a record.
REQUIRED = ("id", "timestamp", "command")


class DamagedRecordWarning(UserWarning):
    """A line of the runs index is not a record; it is skipped."""


class MlflowWarning(UserWarning):
    """A run was recorded in the index, but logging it to MLflow failed."""


def runs_folder(option=None) -> Path:
    """The runs folder: ``option``, else ``$TEXTPIPE_RUNS_DIR``, else ``./runs``.

    Examples
    --------
    >>> runs_folder("elsewhere").name
    'elsewhere'
    """
    return Path(option or os.environ.get(ENVIRONMENT) or DEFAULT_FOLDER).expanduser()


def check_folder(folder, option: str = "--runs-dir") -> Path:
    """Create the runs folder if missing, before any work, or say why it cannot be used."""
    folder, reason = Path(folder), None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    index = folder / INDEX
    if reason is None and (not os.access(folder, os.W_OK)
                           or (index.exists() and not os.access(index, os.W_OK))):
        reason = "it is not writable"
    if reason is not None:
        raise UsageError(Errors.E941.format(path=folder, reason=reason), option=option)
    return folder


def config_hash(config: dict) -> str:
    """SHA-256 of a resolved configuration as canonical JSON (its ``source`` path left out).

    Examples
    --------
    >>> a = config_hash({"name": "x", "steps": [{"tfidf": {"min_df": 1}}]})
    >>> a == config_hash({"steps": [{"tfidf": {"min_df": 1}}], "name": "x"})
    True
    >>> a == config_hash({"name": "x", "steps": [{"tfidf": {"min_df": 2}}]})
    False
    """
    kept = {k: v for k, v in config.items() if k != "source"}
    text = json.dumps(_finite(kept), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _finite(value):
    """``value`` with NaN and infinities as None, so that every line is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _means(metrics: dict) -> dict:
    return {name: m.get("mean") if isinstance(m, dict) else m for name, m in metrics.items()}


def _data_entry(data: dict) -> dict:
    return {key: data.get(key) for key in ("name", "source", "fingerprint", "n_train", "n_test")}


def _run_results(document: dict, name: str) -> tuple[list, list]:
    """The data and results entries of a ``textpipe run`` (one pipeline, one dataset)."""
    means = _means(document["metrics"])
    protocol = dict(document.get("protocol", {}))
    protocol["seed"] = document["config"].get("evaluation", {}).get("seed")
    data = _data_entry(document["data"])
    return [data], [{"dataset": data["name"] or data["source"], "primary_metric": next(iter(means)),
                     "best": name, "best_metrics": means, "n_pipelines": 1,
                     "pipelines": {name: means}, "protocol": protocol}]


def _compare_results(document: dict) -> tuple[list, list]:
    """The data and results entries of a ``textpipe compare``: per dataset, every pipeline."""
    data, results = [], []
    for dataset in document["datasets"]:
        data.append(_data_entry(dataset["data"]))
        pipelines = {p["name"]: _means(p["metrics"]) for p in dataset["pipelines"]}
        protocol = {k: dataset["protocol"].get(k) for k in ("method", "description", "folds",
                                                             "seed")}
        results.append({"dataset": data[-1]["name"] or data[-1]["source"],
                        "primary_metric": dataset["primary_metric"], "best": dataset["best"],
                        "best_metrics": pipelines[dataset["best"]],
                        "n_pipelines": len(pipelines), "pipelines": pipelines,
                        "protocol": protocol})
    return data, results


def run_record(command: str, config_path, document: dict, *, wall_seconds: float,
               output=None, json_output=None, run_id: str | None = None) -> dict:
    """The record of one run, from the JSON document the command writes.

    Parameters
    ----------
    command : {"run", "compare"}
    config_path : str or Path
        The YAML file the command ran.
    document : dict
        ``EvaluationResult.to_dict()`` for ``run``, ``ExperimentResults.to_dict()``
        (``results.json``) for ``compare``.
    wall_seconds : float
        Seconds the command took.
    output, json_output : str or Path, optional
        The folder it wrote (``compare --out``, ``run --save``) and its ``--json`` file.
    run_id : str, optional
        Default: 8 random hexadecimal digits.

    Returns
    -------
    dict
        Plain JSON data; ``config.hash`` is :func:`config_hash` of ``document["config"]``.
    """
    config = document["config"]
    path = Path(config_path)
    if command == "compare":
        data, results = _compare_results(document)
        versions = document.get("environment", {}).get("versions") or library_versions()
        name = document.get("experiment") or path.stem
    else:
        name = config.get("name") or path.stem
        data, results = _run_results(document, name)
        versions = document.get("versions") or library_versions()
    return _finite({
        "format": FORMAT, "id": run_id or secrets.token_hex(4),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds")
                             .replace("+00:00", "Z"),
        "command": command,
        "config": {"path": str(path.resolve()), "name": name, "hash": config_hash(config)},
        "data": data, "seed": config.get("evaluation", {}).get("seed"),
        "primary_metric": results[0]["primary_metric"] if results else None,
        "results": results,
        "output": None if output is None else str(Path(output).resolve()),
        "json_output": None if json_output in (None, "-") else str(Path(json_output).resolve()),
        "wall_seconds": round(float(wall_seconds), 3), "versions": versions,
        "resolved_config": {k: v for k, v in config.items() if k != "source"},
    })


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: O_APPEND alone
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def append_record(folder, record: dict) -> Path:
    """Append ``record`` to the index in ``folder`` as one line, written at once.

    The file is opened with ``O_APPEND`` and locked while the line is written, so that two
    processes appending at once each add a whole line. A last line left without its newline
    (a run killed while writing) is ended first, so that it damages no other record.

    Returns
    -------
    Path
        The index file.
    """
    path = Path(folder) / INDEX
    line = (json.dumps(_finite(record), ensure_ascii=False, separators=(",", ":")) + "\n")
    payload = line.encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size and hasattr(os, "pread") and os.pread(fd, 1, size - 1) != b"\n":
            payload = b"\n" + payload
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return path


def _problem(raw: bytes):
    """The record a line holds, or why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8").strip())
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {re.sub(' at$', '', exc.msg)}, column {exc.colno}"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    missing = [key for key in REQUIRED if not isinstance(record.get(key), str)]
    if missing:
        return None, f"no {missing[0]!r}"
    return record, None


def read_records(folder) -> list[dict]:
    """Every record of the index in ``folder``, oldest first (none if there is no index).

    A line that is not a record is skipped with a :class:`DamagedRecordWarning` naming the
    file and the line.
    """
    path = Path(folder) / INDEX
    if not path.is_file():
        return []
    records = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            record, problem = _problem(raw)
            if problem:
                warnings.warn(DamagedRecordWarning(Errors.E940.format(
                    path=path, line=number, reason=problem)), stacklevel=2)
                continue
            records.append(record)
    return records


def find_run(records: list, ref: str, where) -> dict:
    """The record ``ref`` names: a position (1 the oldest, -1 the newest) or an id or its prefix.

    Examples
    --------
    >>> runs = [{"id": "aa11"}, {"id": "bb22"}, {"id": "bb33"}]
    >>> find_run(runs, "-1", "index")["id"], find_run(runs, "1", "index")["id"]
    ('bb33', 'aa11')
    >>> find_run(runs, "bb2", "index")["id"]
    'bb22'
    """
    ref = str(ref).strip()
    exact = [r for r in records if r["id"] == ref]
    if re.fullmatch(r"[+-]?\d+", ref) and not exact:
        position = int(ref)
        if 1 <= position <= len(records):
            return records[position - 1]
        if -len(records) <= position <= -1:
            return records[position]
    matches = [r for r in records if r["id"].startswith(ref)] if ref else []
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    raise UsageError(Errors.E942.format(ref=ref, path=where, count=len(records)))


def flatten(value, prefix: str = "") -> dict:
    """A nested configuration as ``{dotted.key: value}``; lists of named items keyed by name.

    Examples
    --------
    >>> flatten({"steps": [{"tfidf": {"min_df": 2}}], "evaluation": {"folds": 5}})
    {'steps[0].tfidf.min_df': 2, 'evaluation.folds': 5}
    >>> flatten({"pipelines": [{"name": "a", "steps": ["x"]}]})
    {'pipelines[a].steps': ['x']}
    """
    if isinstance(value, dict) and value:
        out = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        names = [v.get("name") if isinstance(v, dict) else None for v in value]
        named = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        out = {}
        for i, item in enumerate(value):
            if named:
                out.update(flatten({k: v for k, v in item.items() if k != "name"},
                                   f"{prefix}[{names[i]}]"))
            else:
                out.update(flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _changed(a: dict, b: dict) -> list:
    """``[key, in a, in b]`` for every key whose value differs (None where absent)."""
    keys = list(a) + [k for k in b if k not in a]
    return [[k, a.get(k), b.get(k)] for k in keys if a.get(k) != b.get(k)]


def _metric_rows(a: dict, b: dict) -> list:
    """``[dataset, pipeline, metric, mean in a, mean in b, b - a]`` for each mean in either."""
    rows = []
    b_results = {r["dataset"]: r for r in b.get("results", [])}
    a_results = {r["dataset"]: r for r in a.get("results", [])}
    for dataset in list(a_results) + [d for d in b_results if d not in a_results]:
        pa = a_results.get(dataset, {}).get("pipelines", {})
        pb = b_results.get(dataset, {}).get("pipelines", {})
        for pipeline in list(pa) + [p for p in pb if p not in pa]:
            ma, mb = pa.get(pipeline, {}), pb.get(pipeline, {})
            for metric in list(ma) + [m for m in mb if m not in ma]:
                x, y = ma.get(metric), mb.get(metric)
                delta = y - x if isinstance(x, (int, float)) and isinstance(y, (int, float)) \
                    else None
                rows.append([dataset, pipeline, metric, x, y, delta])
    return rows


def diff_records(a: dict, b: dict) -> dict:
    """What differs from run ``a`` to run ``b``: configuration, data, versions, metrics.

    Returns
    -------
    dict
        ``config``, ``data``, ``versions``: ``[key, a, b]`` for each difference;
        ``metrics``: ``[dataset, pipeline, metric, a, b, b - a]`` for every mean;
        ``same_config``: whether the configuration hashes are equal.

    Examples
    --------
    >>> a = {"id": "a", "resolved_config": {"evaluation": {"seed": 0}}, "versions": {"x": "1"}}
    >>> b = {"id": "b", "resolved_config": {"evaluation": {"seed": 1}}, "versions": {"x": "1"}}
    >>> diff_records(a, b)["config"]
    [['evaluation.seed', 0, 1]]
    """
    def fingerprints(record):
        return {d.get("name") or d.get("source") or str(i): d.get("fingerprint")
                for i, d in enumerate(record.get("data", []))}

    return {
        "a": a["id"], "b": b["id"],
        "same_config": a.get("config", {}).get("hash") == b.get("config", {}).get("hash"),
        "config": _changed(flatten(a.get("resolved_config", {})),
                           flatten(b.get("resolved_config", {}))),
        "data": _changed(fingerprints(a), fingerprints(b)),
        "versions": _changed(a.get("versions", {}), b.get("versions", {})),
        "metrics": _metric_rows(a, b),
    }


# -- MLflow ------------------------------------------------------------------


def check_mlflow() -> None:
    """Stop before any work if ``--mlflow`` is asked for and MLflow is not installed."""
    if sys.modules.get("mlflow") is None and importlib.util.find_spec("mlflow") is None:
        raise UsageError(Errors.E943, option="--mlflow")


def _key(text: str) -> str:
    """A parameter or metric name MLflow accepts (letters, digits, ``_-. :/``)."""
    return re.sub(r"[^\w\-. :/]", "_", text)[:250]


def mlflow_params(record: dict) -> dict:
    """The parameters logged to MLflow: what ran, on which data, and the resolved config.

    Examples
    --------
    >>> record = {"command": "run", "config": {"path": "p.yaml", "hash": "ab"}, "seed": 0,
    ...           "data": [{"fingerprint": "f0"}], "resolved_config": {"steps": [{"tfidf": {}}]}}
    >>> mlflow_params(record)["config.steps_0_.tfidf"]
    '{}'
    """
    params = {"textpipe.command": record["command"],
              "textpipe.config_path": record["config"]["path"],
              "textpipe.config_hash": record["config"]["hash"], "seed": record.get("seed"),
              "data_fingerprint": " ".join(str(d.get("fingerprint")) for d in record["data"])}
    for key, value in flatten(record.get("resolved_config", {}), "config").items():
        params[_key(key)] = value if isinstance(value, str) else json.dumps(value)
    return {k: str(v)[:500] for k, v in params.items()}


def mlflow_metrics(record: dict) -> dict:
    """The metrics logged to MLflow: the best pipeline's means, then each pipeline's.

    With several datasets, each name starts with the dataset's.

    Examples
    --------
    >>> record = {"wall_seconds": 2.0, "results": [{"dataset": "d", "best": "p",
    ...     "best_metrics": {"accuracy": 0.9}, "pipelines": {"p": {"accuracy": 0.9}}}]}
    >>> mlflow_metrics(record)
    {'accuracy': 0.9, 'wall_seconds': 2.0}
    """
    metrics = {}
    results = record.get("results", [])
    for result in results:
        prefix = f"{result['dataset']}/" if len(results) > 1 else ""
        for name, value in result["best_metrics"].items():
            metrics[_key(prefix + name)] = value
        if len(result["pipelines"]) > 1:
            for pipeline, means in result["pipelines"].items():
                for name, value in means.items():
                    metrics[_key(f"{prefix}pipeline/{pipeline}/{name}")] = value
    metrics["wall_seconds"] = record.get("wall_seconds")
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}


def log_to_mlflow(record: dict, folder, document: dict, artifacts=()) -> str | None:
    """Log one run to MLflow; return its tracking URI, or None (with a warning) on failure.

    The store is ``$MLFLOW_TRACKING_URI`` if set, else ``mlruns`` in the runs ``folder``
    (a local file store). The experiment is the config's name; the run is named after the
    record's id and logs :func:`mlflow_params`, :func:`mlflow_metrics`, the record, the
    result document as ``results.json``, and each path of ``artifacts`` (a file, or a
    folder logged under its name).
    """
    import mlflow

    uri = os.environ.get("MLFLOW_TRACKING_URI") or (Path(folder).resolve() / "mlruns").as_uri()
    try:
        with _file_store_allowed(not os.environ.get("MLFLOW_TRACKING_URI")):
            _log_run(mlflow, uri, record, document, artifacts)
    except Exception as exc:  # the run is done and recorded: a logging problem only warns
        warnings.warn(MlflowWarning(Errors.E944.format(uri=uri, reason=exc)), stacklevel=2)
        return None
    return uri


@contextmanager
def _file_store_allowed(default: bool):
    """MLflow 3 refuses a file store unless ``MLFLOW_ALLOW_FILE_STORE`` is set: for the default
    store (``mlruns``), allow it while logging, unless the variable says otherwise."""
    name = "MLFLOW_ALLOW_FILE_STORE"
    before = os.environ.get(name)
    if default and before is None:
        os.environ[name] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)


def _log_run(mlflow, uri: str, record: dict, document: dict, artifacts) -> None:
    """Log one run inside an open MLflow tracking store (see :func:`log_to_mlflow`)."""
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(record["config"]["name"])
    with mlflow.start_run(run_name=f"{record['command']}-{record['id']}"):
        mlflow.set_tags({"textpipe.run_id": record["id"],
                         "textpipe.command": record["command"]})
        params = list(mlflow_params(record).items())
        for start in range(0, len(params), 100):  # MLflow takes 100 at a time
            mlflow.log_params(dict(params[start:start + 100]))
        mlflow.log_metrics(mlflow_metrics(record))
        mlflow.log_dict(record, "textpipe_run.json")
        mlflow.log_dict(_finite(document), "results.json")
        for path in map(Path, artifacts):
            if path.is_dir():
                mlflow.log_artifacts(str(path), artifact_path=path.name)
            elif path.is_file():
                mlflow.log_artifact(str(path))
