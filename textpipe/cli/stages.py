"""``textpipe stages``, ``textpipe validate`` and ``textpipe datasets``: look before you run."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..compare import load_experiment
from ..config import load_config, read_yaml
from ..config.kinds import file_kind
from ..data import bundled_datasets
from ..errors import ConfigError
from ..neural.pretrain import load_pretrain_config
from ..reference import format_default, stages_markdown
from ..registry import all_stages, get_stage
from . import app
from .console import console, err_console, styled


@app.command()
def stages(
    name: Optional[str] = typer.Argument(None, help="Show one stage in detail."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown reference (docs/stages.md)."),
):
    """List every stage with its parameters, defaults and one-line docs."""
    if markdown:
        typer.echo(stages_markdown())
        return
    specs = [get_stage(name)] if name else all_stages()
    for spec in specs:
        try:
            title = styled("[bold]{}[/]  {} → {}  [dim]{}[/]", spec.name,
                           " or ".join(spec.consumes), spec.produces, spec.summary)
        except ConfigError as exc:
            if name:
                raise
            # One broken plugin must not hide the other stages.
            err_console.print(styled("[bold red]✗[/] {}", exc), highlight=False, soft_wrap=True)
            continue
        if spec.origin not in ("textpipe", "user"):
            title += styled("  [dim](from {})[/]", spec.origin)
        table = Table(title=title, title_justify="left", show_header=bool(name), box=None,
                      pad_edge=False)
        table.add_column("parameter", style="cyan", no_wrap=True)
        table.add_column("default", no_wrap=True)
        table.add_column("description")
        for p in spec.parameters:
            table.add_row(f"  {p.name}", format_default(p.default), p.doc)
        console.print(table)
        console.print()


def _check(path: Path) -> tuple[str, list]:
    """Validate one YAML file of any kind; return a one-line summary of it and notes."""
    kind = file_kind(read_yaml(path)[0])
    if kind == "experiment":
        experiment = load_experiment(path)
        summary = f"experiment, {len(experiment.candidates)} pipelines"
        if experiment.skipped:
            summary += (f" ({len(experiment.skipped)} optional skipped: "
                        f"{', '.join(s.name for s in experiment.skipped)})")
        return summary, [s.describe() for s in experiment.skipped]
    if kind == "pretrain":
        cfg = load_pretrain_config(path)
        return f"biLM pretraining → {cfg.output_dir}", []
    return " → ".join(s.name for s in load_config(path).steps), []


@app.command()
def validate(
    files: List[Path] = typer.Argument(
        ..., help="YAML files to check: pipelines, experiments or pretraining files."),
):
    """Check YAML files without running anything; exit 1 if any is invalid.

    Each file is checked as what it is: a pipeline (`steps:`), an experiment
    (`grid:` or `pipelines:`) or a pretraining file (`pretrain:`).
    """
    bad = 0
    for path in files:
        try:
            summary, notes = _check(path)
        except ConfigError as exc:
            bad += 1
            err_console.print(styled("[bold red]✗[/] {}", exc), highlight=False, soft_wrap=True)
            continue
        console.print(styled("[bold green]✓[/] {}: {}", path, summary), highlight=False,
                      soft_wrap=True)
        for note in notes:
            console.print(styled("  [dim]note:[/] {}", note), highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(1)


@app.command()
def datasets():
    """List the bundled datasets."""
    for name, description in bundled_datasets().items():
        console.print(styled("[bold]{}[/]: {}", name, description), highlight=False)
