"""``textpipe stages``, ``textpipe validate`` and ``textpipe datasets``: look before you run."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table
from rich.text import Text

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


#: RST inline markup in docstrings: ``code``, `name`, :role:`target` (``~a.b.C`` shows C).
_RST = re.compile(r"(?::[\w:]+:)?(``?)(~?)([^`]+?)\1")


def rst_text(text: str) -> Text:
    """Docstring text for the terminal: RST code and roles shown as code, without backticks.

    Examples
    --------
    >>> rst_text("Lower-case (``str.lower``); see :class:`~sklearn.svm.LinearSVC`.").plain
    'Lower-case (str.lower); see LinearSVC.'
    """
    out, end = Text(), 0
    for m in _RST.finditer(text):
        out.append(text[end:m.start()])
        code = m.group(3).rsplit(".", 1)[-1] if m.group(2) else m.group(3)
        out.append(code, style="cyan")
        end = m.end()
    out.append(text[end:])
    return out


def _description(spec) -> str:
    """The paragraphs of a stage's docstring between its summary line and its sections."""
    lines = (inspect.getdoc(spec.load()) or "").splitlines()[1:]
    for i, line in enumerate(lines[:-1]):
        if line.strip() and set(lines[i + 1].strip()) == {"-"}:  # a numpydoc section title
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def _kinds(spec) -> str:
    return f"{' or '.join(spec.consumes)} → {spec.produces}"


def _show_stage(spec) -> None:
    """One stage: what it takes and gives, its docs and every parameter."""
    console.print(Text.assemble((spec.name, "bold"), "  ", _kinds(spec)))
    console.print(rst_text(spec.summary))
    if _description(spec):
        console.print()
        console.print(rst_text(_description(spec)))
    console.print()
    console.print(Text(f"Class: {spec.target.replace(':', '.')}", style="dim"))
    table = Table(box=None, pad_edge=False, title_justify="left")
    table.add_column("parameter", style="cyan", no_wrap=True)
    table.add_column("default", no_wrap=True)
    table.add_column("description")
    for p in spec.parameters:
        table.add_row(p.name, Text(format_default(p.default)), rst_text(p.doc))
    console.print()
    console.print(table)


def _list_stages() -> None:
    """Every stage on one line: name, what it takes → gives, and its summary."""
    table = Table(box=None, pad_edge=False, show_header=True)
    table.add_column("stage", style="bold", no_wrap=True)
    table.add_column("takes → gives", no_wrap=True)
    table.add_column("summary")
    for spec in all_stages():
        try:
            kinds, summary = _kinds(spec), rst_text(spec.summary)
        except ConfigError as exc:  # one broken plugin must not hide the other stages
            err_console.print(styled("[bold red]✗[/] {}", exc), highlight=False, soft_wrap=True)
            continue
        if spec.origin not in ("textpipe", "user"):
            summary.append(f"  (from {spec.origin})", style="dim")
        table.add_row(Text(spec.name), kinds, summary)
    console.print(table)
    console.print(Text("`textpipe stages NAME` shows one stage's parameters and docs.",
                       style="dim"))


@app.command()
def stages(
    name: Optional[str] = typer.Argument(None, help="Show this stage: its parameters and docs."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown reference (docs/stages.md)."),
):
    """List the stages (name, takes → gives, summary), or show one in detail."""
    if markdown:
        typer.echo(stages_markdown())
    elif name:
        _show_stage(get_stage(name))
    else:
        _list_stages()


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
