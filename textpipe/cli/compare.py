"""``textpipe compare``: many pipelines under one protocol, with statistics and a report."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.progress import TimeRemainingColumn
from rich.table import Table

from . import app
from .console import console, err_console
from .run import DATA_FORMAT_HELP

def leaderboard(data, width: int | None = None) -> Table:
    """The rich table of one dataset's results, best first.

    Columns: rank, pipeline, mean ± std of the ranking metric, its 95% interval,
    the gap to the best, whether that gap is significant, and fit seconds per
    fold; a terminal of 120 columns or more also gets the p-value, predict
    seconds and peak memory.
    """
    from rich import box

    wide = (width or console.width) >= 120
    protocol = data.protocol
    test = protocol["test"].split(" (")[0]
    table = Table(
        title=f"[bold]{escape(data.name)}[/]: {data.primary}, {protocol['description']}, "
              f"seed {protocol['seed']}",
        caption=f"signif.: worse than the best ({test}, p < {_alpha(data)}); "
                f"fit s: seconds per fold, each step as if run alone",
        title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
        collapse_padding=True,
    )
    columns = ["#", "pipeline", "mean ± std", "95% CI", "Δ best", "signif."]
    columns += ["p", "fit s", "predict s", "peak MB"] if wide else ["fit s"]
    longest = max(len(part) for p in data.pipelines for part in p.name.split(", "))
    for name in columns:
        if name == "pipeline":
            table.add_column(name, overflow="fold", min_width=min(longest, 23))
        else:
            table.add_column(name, justify="right", no_wrap=True)
    best = data.best.metrics[data.primary]["mean"]
    for p in data.pipelines:
        m = p.metrics[data.primary]
        std = "" if m["std"] is None else f" ± {m['std']:.3f}"
        ci = "—" if not m["ci"] else f"{m['ci'][0]:.3f}–{m['ci'][1]:.3f}"
        if p.vs_best is None:
            delta, verdict, pval = "", "best", ""
        else:
            delta = f"{m['mean'] - best:+.3f}"
            verdict = "yes" if p.vs_best["significant"] else "no"
            pval = f"{p.vs_best['p_value']:.2g}"
        name = escape(p.name) if wide else escape(p.name).replace(", ", "\n")  # a line each
        row = [str(p.rank), name, f"{m['mean']:.3f}{std}", ci, delta, verdict]
        row += ([pval, f"{p.fit_seconds:.2f}", f"{p.predict_seconds:.2f}",
                 f"{p.peak_memory_mb:.0f}"] if wide else [f"{p.fit_seconds:.2f}"])
        style = "bold" if p.vs_best is None else ("dim" if p.vs_best["significant"] else None)
        table.add_row(*row, style=style)
    return table


def _alpha(data) -> str:
    tested = [p.vs_best for p in data.pipelines if p.vs_best is not None]
    return f"{tested[0]['alpha']:g}" if tested else "0.05"


def _print_plan(experiment) -> None:
    from ..compare.tree import PrefixTree

    table = Table(title=f"[bold]{escape(experiment.title)}[/]: {len(experiment.candidates)} "
                        f"pipelines", title_justify="left")
    for name in ("#", "pipeline", "steps", "from"):
        table.add_column(name, overflow="fold")
    for k, candidate in enumerate(experiment.candidates, start=1):
        steps = " → ".join(s.name if s.name == s.stage else f"{s.name} ({s.stage})"
                           for s in candidate.config.steps)
        table.add_row(str(k), escape(candidate.name), escape(steps), escape(candidate.origin))
    console.print(table)
    tree = PrefixTree.build([c.config.steps for c in experiment.candidates])
    ev = experiment.evaluation
    protocol = {"cv": f"{ev.folds}-fold CV", "split": "the data's train/test split",
                "holdout": f"a {ev.test_size:g} holdout",
                "auto": f"the data's split if it has one, else {ev.folds}-fold CV"}[ev.method]
    data = ", ".join(d.dataset or d.path for d in experiment.data) or "none (pass --data)"
    console.print(f"Data: {escape(data)}. Protocol: {protocol}, seed {ev.seed}, metrics "
                  f"{', '.join(ev.metrics)}.", highlight=False)
    console.print(f"Per fold, {tree.n_nodes} distinct steps are fitted instead of "
                  f"{tree.n_unshared_steps} (shared prefixes).", highlight=False)
    for note in experiment.notes:
        console.print(f"[dim]note:[/] {escape(note)}", highlight=False)


@app.command()
def compare(
    config: Path = typer.Argument(..., help="Experiment YAML file.", exists=True, dir_okay=False),
    data: Optional[List[Path]] = typer.Option(
        None, "--data", help="Data file or folder instead of the experiment's; repeat for several."),
    data_format: Optional[str] = typer.Option(None, "--data-format", help=DATA_FORMAT_HELP),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Folder for the report: results.json/.csv, report.html/.md, plots."),
    json_out: Optional[str] = typer.Option(
        None, "--json", help="Write results.json here too ('-' for stdout)."),
    n_jobs: Optional[int] = typer.Option(
        None, "--n-jobs", help="Jobs (folds, or branches of the pipeline tree) in parallel; -1: all cores."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Run on this Dask cluster, e.g. tcp://10.0.0.5:8786."),
    cache: Optional[Path] = typer.Option(
        None, "--cache", help="Keep fitted steps' outputs in this folder for later runs."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and list the pipelines without running anything."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors (and --json -)."),
):
    """Compare pipelines under one protocol: shared steps fitted once, paired tests, a report.

    The experiment file lists pipelines and/or a grid over a base pipeline
    (see docs/experiments.md). Every pipeline sees the same folds and seed.
    """
    from ..compare import compare as run_compare
    from ..compare import load_experiment
    from ..compare.report import write_json, write_outputs

    experiment = load_experiment(config)
    if dry_run:
        _print_plan(experiment)
        return
    datasets = experiment.load_datasets(data, format=data_format)

    show = not quiet and json_out != "-"
    if show:
        names = ", ".join(f"{d.name or d.source} ({len(d)} documents)" for d in datasets)
        err_console.print(f"[bold]{escape(experiment.title)}[/]: {len(experiment.candidates)} "
                          f"pipelines on {escape(names)}", highlight=False)
    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=err_console, disable=not show, transient=True,
    )
    with progress:
        task = progress.add_task("pipeline-folds", total=None)
        results = run_compare(
            experiment, datasets=datasets, n_jobs=n_jobs, scheduler=scheduler, cache=cache,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total))

    if show:
        for data_results in results.datasets:
            console.print(leaderboard(data_results))
            s = data_results.sharing
            console.print(f"[dim]{s['steps_fitted']} step fits instead of "
                          f"{s['steps_without_sharing']}"
                          + (f", {s['cache_hits']} from the cache" if s["cache_hits"] else "")
                          + f"; {results.wall_seconds:.1f} s.[/]", highlight=False)
            if data_results.warnings:
                err_console.print(f"[yellow]warning:[/] {len(data_results.warnings)} kind(s) of "
                                  f"warning while fitting, e.g. "
                                  f"{escape(data_results.warnings[0])}", highlight=False)
        for note in results.notes:
            err_console.print(f"[dim]note:[/] {escape(note)}", highlight=False)
    if json_out == "-":
        import json

        typer.echo(json.dumps(results.to_dict(), indent=2))
    elif json_out:
        write_json(results, json_out)
    if out is not None:
        write_outputs(results, out)
        if show:
            console.print(f"Report: [bold]{escape(str(out / 'report.html'))}[/] "
                          f"(and report.md, results.json, results.csv)", highlight=False)
