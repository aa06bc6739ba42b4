"""``textpipe train`` and ``textpipe score``: fit a model once, then score files with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import (BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text

from ..config import load_config
from ..model import METADATA_FILE, train_model
from ..parameters import check_option
from ..paths import check_paths
from ..score import score_file
from ..score.journal import parts_folder
from . import app
from .console import console, err_console, hide_warnings, styled
from .run import (DATA_FORMAT_HELP, TEXT_COLUMN_HELP, label_column_option, model_output,
                  read_paths, text_column_option)


@app.command()
def train(
    config: Path = typer.Argument(..., help="Pipeline YAML file.", exists=True, dir_okay=False),
    out: Path = typer.Option(..., "--out", "--output", "-o", help="Folder to save the model to."),
    data: Optional[Path] = typer.Option(None, "--data", help="Data file or folder, instead of the config's."),
    data_format: Optional[str] = typer.Option(None, "--data-format", help=DATA_FORMAT_HELP),
    text_column: Optional[str] = text_column_option(),
    label_column: Optional[str] = label_column_option(),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a model already saved in --out."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
        help="Print nothing but errors.", callback=hide_warnings),
):
    """Fit a pipeline on all its training data and save it, without evaluating.

    The shorthand for `run --save` when the scores are not needed.
    A dataset's own test split is not used.
    """
    cfg = load_config(config)
    check_paths(outputs=[model_output(out, "--out", overwrite)],
                inputs=read_paths(config, [cfg.data] if cfg.data else [], cfg.base_dir, [data]))
    dataset = cfg.load_data(data, None, data_format,
                            columns={"text_column": text_column, "label_column": label_column})
    dataset.check_classes()
    if not quiet:
        err_console.print(styled(
            "[bold]{}[/]: {} on [cyan]{}[/] ({} documents)", cfg.name or config.stem,
            " → ".join(s.name for s in cfg.steps), dataset.name or dataset.source, len(dataset)))
    model = train_model(cfg, dataset, out, option="--out")
    if not quiet:
        seconds = sum(model.metadata["fit_seconds"].values())
        console.print(styled("Fitted in {} s on all {} training documents; saved to [bold]{}[/] "
                             "(labels: {}).", f"{seconds:.1f}", len(dataset), out,
                             ", ".join(_named(label, dataset.label_names)
                                       for label in model.labels)), soft_wrap=True)


def _named(label: str, names: dict | None) -> str:
    """``"4 (LOC)"`` where the data names its labels, else ``"4"``."""
    name = (names or {}).get(label)
    return label if name is None or name == label else f"{label} ({name})"


def _label_names_line(model: Path) -> str | None:
    """``"labels: 0 = DESC, ..."`` from a saved model's metadata, where its data named them."""
    try:
        meta = json.loads((model / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = (meta.get("data") or {}).get("label_names") or {}
    if not isinstance(names, dict) or not names:
        return None
    return "labels: " + ", ".join(f"{label} = {names.get(label, label)}"
                                  for label in meta.get("labels", []))


class _DocsPerSecond(ProgressColumn):
    """Documents read per second, from the ``docs`` field of the task."""

    def render(self, task) -> Text:
        docs = task.fields.get("docs", 0)
        elapsed = task.elapsed or 0
        rate = f"{docs / elapsed:,.0f}" if elapsed > 0 else "?"
        return Text(f"{docs:,} docs · {rate} docs/s", style="progress.data.speed")


def _split_names(values: list[str]) -> tuple[str, ...]:
    """``--keep a --keep b,c`` → ('a', 'b', 'c')."""
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


@app.command()
def score(
    model: Path = typer.Argument(..., help="Model folder (from `textpipe train` or `run --save`).", exists=True, file_okay=False),
    input: str = typer.Argument(..., help="Documents to score: a text (one per line), CSV, TSV, JSONL or Parquet file; '-' for stdin."),
    output: str = typer.Option("-", "--output", "-o", help="Where predictions go (.jsonl, .csv, .parquet); '-' for stdout (JSONL)."),
    input_format: Optional[str] = typer.Option(None, "--input-format", help="text, lines, csv, tsv, jsonl or parquet (detected from the name if omitted)."),
    output_format: Optional[str] = typer.Option(None, "--output-format", help="jsonl, csv or parquet (detected from the name if omitted)."),
    text_column: str = typer.Option("text", "--text-column", help=TEXT_COLUMN_HELP),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="Take each row's id from this column (default: the row number, from 0)."),
    keep: List[str] = typer.Option([], "--keep", "-k", help="Input column to copy to the output (repeat, or separate with commas)."),
    top_k: Optional[int] = typer.Option(None, "--top-k", help="Write only the K most probable classes and their probabilities."),
    proba: bool = typer.Option(True, "--proba/--no-proba", help="Write class probabilities, or labels only."),
    encoding: str = typer.Option("auto", "--encoding", help="'auto' (UTF-8 unless most non-ASCII lines of the first MiB are not; then cp1252, else Latin-1; a choice other than plain UTF-8 is noted) or a codec name."),
    chunk_size: int = typer.Option(10_000, "--chunk-size", help="Documents per chunk: the unit of parallel work and of commit."),
    n_jobs: int = typer.Option(1, "--n-jobs", "-j", help="Worker processes (-1: every core)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Score on a Dask cluster at this address, e.g. tcp://10.0.0.5:8786."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run writing to the same output."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output (or an interrupted run's chunks)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad row instead of writing it to the errors file."),
    errors: Optional[Path] = typer.Option(None, "--errors", help="Errors file (JSONL); default: OUTPUT.errors.jsonl, e.g. scores.csv.errors.jsonl."),
    allow_version_mismatch: bool = typer.Option(False, "--allow-version-mismatch", help="Load a model saved by another textpipe version."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
        help="No progress bar, summary or warnings.", callback=hide_warnings),
):
    """Score a file of documents with a saved model: labels and probabilities per row.

    Streams in chunks, in parallel (--n-jobs) or on Dask (--scheduler); output in input order.
    Bad rows never stop the job: each goes to the errors file with its line and reason.
    After Ctrl-C or a crash, run the same command with --resume: no row lost, none doubled.
    """
    check_option(n_jobs, "--n-jobs", nonzero=True)
    check_option(chunk_size, "--chunk-size")
    check_option(top_k, "--top-k")

    progress = Progress(
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        TextColumn("[progress.percentage]{task.percentage:>3.0f}%"), _DocsPerSecond(),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=err_console, disable=quiet or not err_console.is_terminal, transient=True,
    )
    task = progress.add_task("scoring", total=None, docs=0)

    def on_progress(done, total, documents):
        progress.update(task, completed=done, total=total, docs=documents)

    try:
        with progress:
            summary = score_file(
                str(model), input, output, input_format=input_format,
                output_format=output_format, text_column=text_column, id_column=id_column,
                keep=_split_names(keep), proba=proba, top_k=top_k, encoding=encoding,
                chunk_size=chunk_size, n_jobs=n_jobs, scheduler=scheduler, resume=resume,
                overwrite=overwrite, strict=strict, errors=errors,
                allow_version_mismatch=allow_version_mismatch, on_progress=on_progress)
    except KeyboardInterrupt:
        if output != "-":
            err_console.print(styled(
                "[yellow]interrupted:[/] the chunks committed so far are in {}; run the same "
                "command with --resume to continue.", parts_folder(output)), soft_wrap=True)
        raise
    if quiet:
        return
    for note in summary.notes:
        err_console.print(styled("[yellow]note:[/] {}", note), soft_wrap=True)
    if summary.errors and output == "-" and errors is None:
        for bad in summary.examples:
            where = f"line {bad['line']}" if bad.get("line") else f"row {bad['row']}"
            err_console.print(styled("[yellow]bad row[/] {}: {}", where, bad["reason"]),
                              soft_wrap=True, highlight=False)
        err_console.print("Pass --errors FILE to keep every bad row.", highlight=False)
    err_console.print(str(summary), highlight=False, soft_wrap=True)
    names = _label_names_line(Path(model))
    if names:
        err_console.print(names, highlight=False, soft_wrap=True)
