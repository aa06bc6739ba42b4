"""``textpipe runs``: the runs index that ``run`` and ``compare`` append to, listed and diffed.

Also the options ``run`` and ``compare`` share to record a run (``--runs-dir``,
``--no-record``, ``--mlflow``) and :class:`Recording`, which they start before any work
and finish once their results are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from time import perf_counter
from typing import List, Optional

import typer
from rich import box
from rich.table import Table

from ..errors import Errors, UsageError
from ..records import (INDEX, append_record, check_folder, check_mlflow, diff_records, find_run,
                       log_to_mlflow, read_records, run_record, runs_folder)
from . import app
from .console import console, err_console, styled


def runs_dir_option():
    """``--runs-dir``, as ``run`` and ``compare`` declare it."""
    return typer.Option(None, "--runs-dir", help="Folder of the runs index (index.jsonl). "
                        "Default: $TEXTPIPE_RUNS_DIR, else ./runs.")


def no_record_option():
    """``--no-record``, as ``run`` and ``compare`` declare it."""
    return typer.Option(False, "--no-record", help="Do not add this run to the runs index.")


def mlflow_option():
    """``--mlflow``, as ``run`` and ``compare`` declare it."""
    return typer.Option(False, "--mlflow", help="Also log the run to MLflow (if installed): "
                        "mlruns/ in the runs folder, or $MLFLOW_TRACKING_URI.")


class Recording:
    """One command's record: checked before any work starts, written when it ends.

    Parameters
    ----------
    command : {"run", "compare"}
    config : Path
        The YAML file the command runs.
    runs_dir : Path or None
        ``--runs-dir``; None: :func:`textpipe.records.runs_folder`'s default.
    record : bool
        False under ``--no-record``: no line in the index.
    mlflow : bool
        ``--mlflow``: MLflow must be installed, or this stops here.
    """

    def __init__(self, command: str, config: Path, runs_dir, record: bool, mlflow: bool):
        self.command, self.config, self.record, self.mlflow = command, config, record, mlflow
        self.folder = runs_folder(runs_dir)
        if mlflow:
            check_mlflow()
        if record or mlflow:
            check_folder(self.folder)
        self.start = perf_counter()

    def finish(self, document: dict, *, output=None, json_out=None, show: bool = True):
        """Append the record of ``document`` (and log it to MLflow); return the record."""
        record = run_record(self.command, self.config, document,
                            wall_seconds=perf_counter() - self.start,
                            output=output, json_output=json_out)
        if self.record:
            append_record(self.folder, record)
            if show:
                err_console.print(styled("[dim]Recorded as run {} in {}.[/]", record["id"],
                                         self.folder / INDEX), highlight=False, soft_wrap=True)
        if self.mlflow:
            artifacts = [p for p in (output, json_out) if p not in (None, "-")]
            uri = log_to_mlflow(record, self.folder, document, artifacts)
            if uri and show:
                err_console.print(styled("[dim]Logged to MLflow: {}[/]", uri), highlight=False,
                                  soft_wrap=True)
        return record


# -- textpipe runs ---------------------------------------------------------------


def _score(record: dict) -> str:
    results = record.get("results") or [{}]
    value = results[0].get("best_metrics", {}).get(record.get("primary_metric"))
    return "" if not isinstance(value, (int, float)) else f"{value:.3f}"


def runs_table(records: list, first: int = 1) -> Table:
    """The runs, oldest first, numbered from ``first``; fits in 80 columns."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for header in ("#", "id", "when (UTC)", "command", "config", "metric", "score", "wall s"):
        right = header in ("#", "score", "wall s")
        table.add_column(header, justify="right" if right else "left",
                         no_wrap=header != "config",
                         overflow="fold" if header == "config" else "ellipsis")
    for number, record in enumerate(records, first):
        when = record.get("timestamp", "").replace("T", " ").rstrip("Z")[:16]
        config = record.get("config", {}).get("path", "")
        wall = record.get("wall_seconds")
        table.add_row(str(number), record["id"], when, record["command"], Path(config).stem,
                      str(record.get("primary_metric") or ""), _score(record),
                      f"{wall:.1f}" if isinstance(wall, (int, float)) else "")
    return table


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "—" if value is None else (value if isinstance(value, str) else json.dumps(value))


def _pairs_table(rows: list, a: str, b: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    table.add_column("key", overflow="fold", ratio=5)
    table.add_column(a, overflow="fold", ratio=3)
    table.add_column(b, overflow="fold", ratio=3)
    for key, x, y in rows:
        table.add_row(key, _cell(x), _cell(y))
    return table


def _metrics_table(rows: list, a: str, b: str) -> Table:
    datasets = {row[0] for row in rows}
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("pipeline · metric", overflow="fold")
    for header in (a, b, "B − A"):
        table.add_column(header, justify="right", no_wrap=True)
    for dataset, pipeline, metric, x, y, delta in rows:
        label = f"{pipeline} · {metric}" if len(datasets) == 1 else \
            f"{dataset}: {pipeline} · {metric}"
        table.add_row(label, _cell(x), _cell(y), "" if delta is None else f"{delta:+.4f}")
    return table


def _print_diff(a: dict, b: dict, diff: dict) -> None:
    for tag, record in (("A", a), ("B", b)):
        console.print(styled("[bold]{}[/] {}  {}  {} {}", tag, record["id"],
                             record.get("timestamp", ""), record["command"],
                             record.get("config", {}).get("path", "")),
                      highlight=False, soft_wrap=True)
    ha, hb = (r.get("config", {}).get("hash", "")[:12] for r in (a, b))
    if diff["same_config"]:
        console.print(f"Config: the same (hash {ha}).", highlight=False)
    else:
        console.print(f"Config: hash {ha} → {hb}; {len(diff['config'])} key(s) differ:",
                      highlight=False)
        console.print(_pairs_table(diff["config"], "A", "B"))
    for section, what in (("data", "Data fingerprint"), ("versions", "Versions")):
        if diff[section]:
            console.print(f"{what}: differ:", highlight=False)
            console.print(_pairs_table(diff[section], "A", "B"))
        else:
            console.print(f"{what}: the same.", highlight=False)
    console.print("Metrics (means):", highlight=False)
    console.print(_metrics_table(diff["metrics"], "A", "B"))


def _list(folder: Path, records: list, last: Optional[int], as_json: bool) -> None:
    first = 1
    if last is not None:
        first = max(1, len(records) - last + 1)
        records = records[first - 1:]
    if as_json:
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
    elif not records:
        err_console.print(styled("No runs recorded in {} yet.", folder / INDEX),
                          highlight=False, soft_wrap=True)
    else:
        console.print(runs_table(records, first))


@app.command(context_settings={"ignore_unknown_options": True})
def runs(
    args: Optional[List[str]] = typer.Argument(
        None, metavar="DIR | diff A B [DIR]",
        help="The runs folder to list (default: $TEXTPIPE_RUNS_DIR, else ./runs); or `diff A B`: "
             "two runs, each an id (or its start) or a position (1 the oldest, -1 the newest)."),
    as_json: bool = typer.Option(False, "--json", help="Print the records (or the diff) as JSON."),
    last: Optional[int] = typer.Option(None, "--last", "-n", min=1, help="Only the N newest runs."),
):
    """List the recorded runs of `run` and `compare`, oldest first, or diff two of them.

    `textpipe runs diff -2 -1`: what changed from the run before last to the last.
    """
    args = list(args or [])
    if args[:1] == ["diff"]:
        if len(args) not in (3, 4):
            raise UsageError(Errors.E946.format(got=" ".join(args)))
        folder = runs_folder(args[3] if len(args) == 4 else None)
        records = read_records(folder)
        a, b = (find_run(records, ref, folder / INDEX) for ref in args[1:3])
        if a["id"] == b["id"]:
            raise UsageError(Errors.E945.format(ref=f"{args[1]} {args[2]}", id=a["id"]))
        diff = diff_records(a, b)
        if as_json:
            typer.echo(json.dumps(diff, indent=2, ensure_ascii=False))
        else:
            _print_diff(a, b, diff)
        return
    if len(args) > 1:
        raise UsageError(Errors.E946.format(got=" ".join(args)))
    folder = runs_folder(args[0] if args else None)
    _list(folder, read_records(folder), last, as_json)
