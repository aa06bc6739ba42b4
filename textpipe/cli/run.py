"""``textpipe run``: fit and evaluate one pipeline file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.progress import TimeRemainingColumn
from rich.table import Table

from ..config import load_config
from ..errors import Errors, UsageError
from ..evaluation import evaluate
from ..model import METADATA_FILE, MODEL_FILES, train_model
from ..parameters import check_option
from ..paths import Input, Output, check_paths, write_text
from . import app
from .console import console, err_console, hide_warnings, styled
from .runs import Recording, mlflow_option, no_record_option, runs_dir_option

DATA_FORMAT_HELP = "lines, csv, tsv, jsonl, parquet or folder (detected from the extension if omitted)"
TEXT_COLUMN_HELP = "CSV/TSV column, JSONL field or Parquet column holding the text."
LABEL_COLUMN_HELP = "CSV/TSV column, JSONL field or Parquet column holding the label."


def text_column_option():
    """``--text-column``, as every command that reads labelled data declares it."""
    return typer.Option(None, "--text-column",
                        help=TEXT_COLUMN_HELP + " Default: the config's text_column, else 'text'.")


def label_column_option():
    """``--label-column``, as every command that reads labelled data declares it."""
    return typer.Option(None, "--label-column",
                        help=LABEL_COLUMN_HELP
                        + " Default: the config's label_column, else 'label'.")


def write_json(data: dict, destination: str, option: str = "--json") -> None:
    """Write JSON to a file (atomically), or to stdout when ``destination`` is ``-``."""
    text = json.dumps(data, indent=2) + "\n"
    if destination == "-":
        typer.echo(text, nl=False)
    else:
        write_text(destination, text, option)


def read_paths(config: Path, blocks, base_dir: Path, data=(), test_data=None) -> list:
    """What a run reads: its YAML file, the data files given, and those its data blocks name.

    Outputs are checked against these (:func:`textpipe.paths.check_paths`), so that no
    run writes onto its own configuration or data.
    """
    inputs = [Input(config, "CONFIG")]
    inputs += [Input(path, "--data") for path in data if path is not None]
    if test_data is not None:
        inputs.append(Input(test_data, "--test-data"))
    for block in blocks:
        for key in ("path", "test_path"):
            relative = getattr(block, key, None)
            if relative:
                path = Path(relative).expanduser()
                inputs.append(Input(path if path.is_absolute() else base_dir / path,
                                    f"data.{key}"))
    return inputs


def model_output(path, option: str, overwrite: bool):
    """The declaration of a model folder written by ``train --out`` or ``run --save``."""
    return Output(path, option, what="a model", folder=True,
                  files=(*MODEL_FILES, METADATA_FILE), overwrite=overwrite, example="models/name")


def _scores_table(result) -> Table:
    """Mean ± std and each fold's score; on a single split, the score and its 95% interval."""
    scores = Table(title="Scores", title_justify="left")
    scores.add_column("metric")
    if len(result.folds) == 1:
        scores.add_column("score", justify="right")
        scores.add_column("95% interval", justify="right")
        for name, s in result.summary().items():
            scores.add_row(name, f"{s['mean']:.4f}", f"[{s['ci'][0]:.4f}, {s['ci'][1]:.4f}]")
        return scores
    scores.add_column("mean ± std", justify="right")
    scores.add_column("per fold", overflow="fold")
    for name, s in result.summary().items():
        folds = " ".join(f"{v:.3f}" for v in s["folds"])
        scores.add_row(name, f"{s['mean']:.4f} ± {s['std']:.4f}", folds)
    return scores


def _per_class_table(result) -> Table:
    """Precision, recall, F1 and support of each class, by its name where the data gives one."""
    table = Table(title="Per class (all test documents)", title_justify="left")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for row in result.per_class():
        label = row["label"] if row["name"] == row["label"] else f"{row['name']} ({row['label']})"
        table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                      f"{row['f1']:.3f}", str(row["support"]))
    return table


def _summary_tables(result) -> tuple[Table, Table, Table]:
    scores = _scores_table(result)

    timing = result.timing()
    times = Table(title="Seconds per fold" if len(result.folds) > 1 else "Seconds",
                  title_justify="left")
    times.add_column("step")
    times.add_column("fit", justify="right")
    times.add_column("predict", justify="right")
    for step, fit in timing["fit_seconds_per_fold"].items():
        times.add_row(step, f"{fit:.2f}", f"{timing['predict_seconds_per_fold'][step]:.2f}")
    times.add_row(styled("[bold]total[/]"), f"{timing['fit_total_per_fold']:.2f}",
                  f"{timing['predict_total_per_fold']:.2f}")
    return scores, _per_class_table(result), times


@app.command()
def run(
    config: Path = typer.Argument(..., help="Pipeline YAML file.", exists=True, dir_okay=False),
    data: Optional[Path] = typer.Option(None, "--data", help="Data file or folder, instead of the config's."),
    test_data: Optional[Path] = typer.Option(None, "--test-data", help="Separate test file: train on --data, test on this."),
    data_format: Optional[str] = typer.Option(None, "--data-format", help=DATA_FORMAT_HELP),
    text_column: Optional[str] = text_column_option(),
    label_column: Optional[str] = label_column_option(),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write results as JSON to this file ('-' for stdout)."),
    save: Optional[Path] = typer.Option(None, "--save", help="Refit on all training data and save the model to this folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --json file or --save model."),
    n_jobs: Optional[int] = typer.Option(None, "--n-jobs", "-j", help="Folds fitted in parallel (-1: all cores)."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
        help="Print nothing but errors (and --json -).", callback=hide_warnings),
    runs_dir: Optional[Path] = runs_dir_option(), no_record: bool = no_record_option(),
    mlflow: bool = mlflow_option(),
):
    """Fit and evaluate a pipeline; print each metric's mean ± std (on one split: the score
    and its 95% interval) and time per step."""
    check_option(n_jobs, "--n-jobs", nonzero=True)
    cfg = load_config(config, check_data=data is None)
    if test_data is not None and data is None and (cfg.data is None or cfg.data.path is None):
        raise UsageError(Errors.E864, option="--test-data")
    check_paths(outputs=[Output(json_out, "--json", what="the results", overwrite=overwrite,
                                stdout=True, example="results.json"),
                         model_output(save, "--save", overwrite)],
                inputs=read_paths(config, [cfg.data] if cfg.data else [], cfg.base_dir,
                                  [data], test_data))
    recording = Recording("run", config, runs_dir, not no_record, mlflow)
    dataset = cfg.load_data(data, test_data, data_format,
                            columns={"text_column": text_column, "label_column": label_column})
    dataset.check_classes()
    if test_data is not None:
        cfg.evaluation.method = "split"
    elif data is not None and cfg.evaluation.method == "split" and not dataset.has_test_split:
        cfg.evaluation.method = "cv"  # a lone --data file means the config's CV protocol

    show = not quiet and json_out != "-"
    title = cfg.name or config.stem
    if show:
        err_console.print(styled(
            "[bold]{}[/]: {} on [cyan]{}[/] ({} training documents)", title,
            " → ".join(s.name for s in cfg.steps), dataset.name or dataset.source, len(dataset)))
    progress = Progress(
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err_console, disable=not show, transient=True,
    )
    with progress:
        task = progress.add_task("folds", total=None)
        result = evaluate(cfg, dataset, n_jobs=n_jobs,
                          on_progress=lambda done, total: progress.update(
                              task, completed=done, total=total))

    if show:
        console.print(f"Evaluated with {result.description} in {result.wall_seconds:.1f} s.")
        for table in _summary_tables(result):
            console.print(table)
    if json_out:
        write_json(result.to_dict(), json_out)

    if save is not None:
        _refit_and_save(cfg, dataset, result, save, show)
    recording.finish(result.to_dict(), output=save, json_out=json_out, show=show)


def _refit_and_save(cfg, dataset, result, directory: Path, show: bool) -> None:
    train_model(cfg, dataset, directory, evaluation=result, option="--save")
    if show:
        console.print(styled("Saved the model, refitted on all {} training documents, to "
                             "[bold]{}[/].", len(dataset), directory), soft_wrap=True)
