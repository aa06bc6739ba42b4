"""``textpipe compare``: many pipelines under one protocol, with statistics and a report."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.progress import TimeRemainingColumn
from rich.table import Table

from ..compare import compare as run_compare, load_experiment
from ..compare.report import (check_destinations, leaderboard_headers, leaderboard_rows,
                              write_json, write_outputs)
from ..compare.ranks_report import friedman_text, table as across_table
from ..compare.runner import check_options
from ..compare.tree import PrefixTree
from . import app
from .console import console, err_console, hide_warnings, print_warning, styled
from .run import DATA_FORMAT_HELP, label_column_option, read_paths, text_column_option
from .runs import Recording, mlflow_option, no_record_option, runs_dir_option

#: Columns of the terminal leaderboard (keys of ``report.LEADERBOARD_COLUMNS``) → headers.
NARROW_COLUMNS = {"rank": "#", "pipeline": "pipeline", "mean": "mean ± std", "ci": "95% CI",
                  "delta": "Δ best", "verdict": "signif.", "fit": "fit s"}
WIDE_COLUMNS = {**{k: v for k, v in NARROW_COLUMNS.items() if k != "fit"}, "p": "p",
                "p_holm": "p Holm", "fit": "fit s", "predict": "predict s", "peak": "peak MB"}


#: The width a table is laid out in when it is not to be fitted to the terminal.
UNBOUNDED = 10_000


def leaderboard(data, width: int | None = None, wide: bool | None = None) -> Table:
    """The rich table of one dataset's results, best first.

    The cells are those of the report (:func:`textpipe.compare.report.leaderboard_rows`,
    scores to 3 decimals; narrower than 120 columns, written more tightly: ``m±s``, ``a–b``).
    Columns: rank, pipeline, mean ± std of the ranking metric, its 95% interval, the gap
    to the best, whether that gap is significant, and fit seconds per fold; ``wide``
    (default: a terminal of 120 columns or more) adds the p-value and its Holm-adjusted
    value, predict seconds and peak memory. Names too long for the room the numbers leave are not in the table
    (one row per pipeline all the same), but under it: :func:`pipeline_names`.
    """
    from rich import box

    width = width or console.width
    wide = width >= 120 if wide is None else wide
    columns = leaderboard_headers(data, WIDE_COLUMNS if wide else NARROW_COLUMNS)
    protocol = data.protocol
    per_fold = " per fold" if protocol["folds"] > 1 else ""
    test = protocol["test"].split(" (")[0]
    table = Table(
        title=styled("[bold]{}[/]: {}, {}, seed {}", data.name, data.primary,
                     protocol["description"], protocol["seed"]),
        caption=f"signif.: worse than the best ({test}, Holm-adjusted p < "
                f"{protocol['alpha']:g}); "
                f"fit s: seconds{per_fold}, each step as if run alone",
        title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
        collapse_padding=True,
    )
    rows = leaderboard_rows(data, digits=3)
    if not wide:  # "0.792±0.012", "0.770–0.815": five more characters for the names
        rows = [{**row, "mean": row["mean"].replace(" ± ", "±"),
                 "ci": row["ci"].strip("[]").replace(", ", "–")} for row in rows]
    others = sum(max(len(header), *(len(str(row[key])) for row in rows))
                 for key, header in columns.items() if key != "pipeline")
    room = width - others - 2 * len(columns)  # padding and the edges
    longest = max(len(p.name) for p in data.pipelines)
    if longest > room and not wide:
        columns = {k: v for k, v in columns.items() if k != "pipeline"}
        table.min_width = min(width, len(table.title.plain))  # the title on one line
    for key, header in columns.items():
        if key == "pipeline":
            table.add_column(header, overflow="fold", min_width=max(8, min(longest, room)))
        else:
            table.add_column(header, justify="right", no_wrap=True)
    for p, row in zip(data.pipelines, rows):
        cells = [p.name if key == "pipeline" else row[key] for key in columns]
        style = "bold" if p.vs_best is None else ("dim" if p.vs_best["significant"] else None)
        table.add_row(*cells, style=style)
    return table


def pipeline_names(data) -> Table:
    """Each pipeline's rank and whole name: the key to a leaderboard without names."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("pipeline", overflow="fold")
    for p, row in zip(data.pipelines, leaderboard_rows(data, digits=3)):
        table.add_row(str(row["rank"]), p.name)
    return table


def print_leaderboard(data, wide: bool) -> None:
    """Print one dataset's leaderboard: fitted to the terminal, or ``wide``, whole.

    Wide, every column is shown and each name on one line, however wide that makes
    the table (for a file or a pipe, or ``--wide``).
    """
    if not wide:
        table = leaderboard(data)
        console.print(table)
        if "pipeline" not in [column.header for column in table.columns]:
            console.print(pipeline_names(data))
            console.print()
        return
    _print_whole(leaderboard(data, width=UNBOUNDED, wide=True))


def _print_whole(table) -> None:
    """Print ``table`` at its natural width, however wide (a file or a pipe, or ``--wide``)."""
    from rich.measure import Measurement
    from rich.segment import Segments

    natural = Measurement.get(console, console.options.update_width(UNBOUNDED), table).maximum
    lines = console.render(table, console.options.update_width(natural))
    console.print(Segments(lines), crop=False, soft_wrap=True)


def print_across(across, wide: bool = False) -> None:
    """Print the average ranks across datasets, the Friedman test and the notes on them.

    Nothing for ``None`` (a single dataset). The table fits the terminal (headers
    wrap before names do), or with ``wide`` is printed whole, however wide.
    """
    from rich import box

    if across is None:
        return
    header, rows = across_table(across)
    header = header[:2] + list(across.datasets) + ["avg rank", "Holm p", "worse?"]
    table = Table(title=styled("[bold]Across {} datasets[/]: rank on each and average rank, "
                               "on {} (1 = best)", across.n_datasets, across.metric),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    names_width = min(max(len(row[1]) for row in rows), 32)
    for k, name in enumerate(header):
        table.add_column(name, overflow="fold", min_width=names_width if k == 1 else None,
                         no_wrap=wide, justify="left" if k == 1 else "right")
    for k, row in enumerate(rows):
        table.add_row(*row, style="bold" if k == 0 else None)
    console.print()
    if wide:
        _print_whole(table)
    else:
        console.print(table)
    console.print(f"{friedman_text(across)} Holm p: against the best-ranked, adjusted; "
                  f"CD (Nemenyi) = {across.cd:.2f}.", highlight=False, soft_wrap=wide)
    for note in across.notes:
        console.print(styled("[yellow]note:[/] {}", note), highlight=False, soft_wrap=True)


def _print_plan(experiment) -> None:
    table = Table(title=styled("[bold]{}[/]: {} pipelines", experiment.title,
                               len(experiment.candidates)), title_justify="left")
    for name in ("#", "pipeline", "steps", "from"):
        table.add_column(name, overflow="fold")
    for k, candidate in enumerate(experiment.candidates, start=1):
        steps = " → ".join(s.name if s.name == s.stage else f"{s.name} ({s.stage})"
                           for s in candidate.config.steps)
        table.add_row(str(k), candidate.name, steps, candidate.origin)
    console.print(table)
    tree = PrefixTree.build([c.config.steps for c in experiment.candidates])
    ev = experiment.evaluation
    protocol = experiment.describe_protocol()
    if ev.method == "holdout":
        protocol += f" (test_size {ev.test_size:g})"
    data = ", ".join(d.dataset or d.path for d in experiment.data) or "none (pass --data)"
    console.print(f"Data: {data}. Protocol: {protocol}, seed {ev.seed}, metrics "
                  f"{', '.join(ev.metrics)}.", highlight=False)
    if experiment.train_sizes:
        console.print("Learning curves: each fold also trained on training sizes "
                      f"{', '.join(map(str, experiment.train_sizes.sizes))}.", highlight=False)
    console.print(f"Per fold, {tree.n_nodes} distinct steps are fitted instead of "
                  f"{tree.n_unshared_steps} (shared prefixes).", highlight=False)
    for note in experiment.notes:
        console.print(styled("[dim]note:[/] {}", note), highlight=False)
    print_skipped(experiment, console)


def print_skipped(experiment, to) -> None:
    """Say which optional pipelines are left out, and why (a resource they name is missing)."""
    for skipped in experiment.skipped:
        to.print(styled("[yellow]note:[/] {}", skipped.describe()), highlight=False,
                 soft_wrap=True)


def _print_results(results, wide: bool) -> None:
    """Each dataset's leaderboard, what sharing saved, warnings once, ranks across datasets."""
    warned = set()
    for data_results in results.datasets:
        print_leaderboard(data_results, wide or not console.is_terminal)
        s = data_results.sharing
        console.print(f"{s['steps_fitted']} step fits instead of "
                      f"{s['steps_without_sharing']}"
                      + (f", {s['cache_hits']} from the cache" if s["cache_hits"] else "")
                      + f"; {results.wall_seconds:.1f} s.", style="dim", highlight=False)
        for warning in sorted(set(data_results.warnings) - warned):
            print_warning(warning)
        warned.update(data_results.warnings)
    print_across(results.across, wide or not console.is_terminal)
    for note in results.notes:
        err_console.print(styled("[dim]note:[/] {}", note), highlight=False)


@app.command()
def compare(
    config: Path = typer.Argument(..., help="Experiment YAML file.", exists=True, dir_okay=False),
    data: Optional[List[Path]] = typer.Option(
        None, "--data", help="Data file or folder instead of the experiment's; repeat for several."),
    data_format: Optional[str] = typer.Option(None, "--data-format", help=DATA_FORMAT_HELP),
    text_column: Optional[str] = text_column_option(),
    label_column: Optional[str] = label_column_option(),
    out: Optional[Path] = typer.Option(
        None, "--out", "--output", "-o", help="Folder for the report: results.json/.csv, report.html/.md, plots."),
    json_out: Optional[str] = typer.Option(
        None, "--json", help="Write results.json here too ('-' for stdout)."),
    n_jobs: Optional[int] = typer.Option(
        None, "--n-jobs", "-j", help="Jobs (folds, or branches of the pipeline tree) in parallel; -1: all cores."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Run on this Dask cluster, e.g. tcp://10.0.0.5:8786."),
    cache: Optional[Path] = typer.Option(
        None, "--cache", help="Keep fitted steps' outputs in this folder for later runs."),
    wide: bool = typer.Option(
        False, "--wide", help="Every column of the leaderboard and whole names, however wide "
                              "(the default when the output is not a terminal)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and list the pipelines without running anything."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an existing --json file, or the report in --out."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
        help="Print nothing but errors (and --json -).", callback=hide_warnings),
    runs_dir: Optional[Path] = runs_dir_option(), no_record: bool = no_record_option(),
    mlflow: bool = mlflow_option(),
):
    """Compare pipelines under one protocol: shared steps fitted once, paired tests, a report.

    The experiment file lists pipelines and/or a grid over a base pipeline
    (see docs/experiments.md). Every pipeline sees the same folds and seed.
    """
    experiment = load_experiment(config, check_data=not data)
    # Bad options fail here, not after the whole run.
    check_destinations(out, json_out, name=experiment.title, cache=cache, overwrite=overwrite,
                       inputs=read_paths(config, experiment.data, experiment.base_dir, data or ()))
    check_options(experiment.evaluation.n_jobs if n_jobs is None else n_jobs, scheduler,
                  n_jobs_name="--n-jobs" if n_jobs is not None else "evaluation.n_jobs")
    recording = Recording("compare", config, runs_dir, not no_record, mlflow)
    if dry_run:
        _print_plan(experiment)
        return
    datasets = experiment.load_datasets(
        data, format=data_format,
        columns={"text_column": text_column, "label_column": label_column})
    for dataset in datasets:
        dataset.check_classes()

    show = not quiet and json_out != "-"
    if show:
        names = ", ".join(f"{d.name or d.source} ({len(d)} documents)" for d in datasets)
        err_console.print(styled("[bold]{}[/]: {} pipelines on {}", experiment.title,
                                 len(experiment.candidates), names), highlight=False)
        print_skipped(experiment, err_console)
    progress = Progress(
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console, disable=not show, transient=True,
    )
    with progress:
        task = progress.add_task("pipeline-folds", total=None)
        results = run_compare(
            experiment, datasets=datasets, n_jobs=n_jobs, scheduler=scheduler, cache=cache,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total))

    if show:
        _print_results(results, wide)
    if json_out == "-":
        import json
        typer.echo(json.dumps(results.to_dict(), indent=2))
    elif json_out:
        write_json(results, json_out, "--json")
    if out is not None:
        write_outputs(results, out, "--out")
        if show:
            console.print(styled("Report: [bold]{}[/] (and report.md, results.json, "
                                 "results.csv)", out / "report.html"), highlight=False,
                          soft_wrap=True)
    recording.finish(results.to_dict(), output=out, json_out=json_out, show=show)
