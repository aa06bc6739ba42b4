"""``textpipe pretrain``: train an ELMo-style biLM on unlabeled text (see the command below)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..neural.pretrain import load_pretrain_config, pretrain as run_pretraining
from ..parameters import check_option
from . import app
from .console import console, err_console, hide_warnings, styled


def _rate(progress) -> str:
    held = (f" held-out ppl {progress.heldout_perplexity:.1f}"
            if progress.heldout_perplexity is not None else "")
    return (f"{progress.tokens_per_second:,.0f} tok/s  loss {progress.loss:.3f}  "
            f"ppl {progress.perplexity:.1f}{held}")


@app.command()
def pretrain(
    config: Path = typer.Argument(..., help="Pretraining YAML file (with a 'pretrain:' section).",
                                  exists=True, dir_okay=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="biLM folder to write, instead of the file's output_dir."),
    restart: bool = typer.Option(False, "--restart",
                                 help="Ignore an existing checkpoint and start over."),
    overwrite: bool = typer.Option(False, "--overwrite",
                                   help="Replace a finished biLM already in the output folder."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Override training.epochs."),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes",
                                                help="Override training.max_minutes."),
    threads: Optional[int] = typer.Option(None, "--threads", help="Override training.threads."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
        help="Print nothing but errors.", callback=hide_warnings),
):
    """Pretrain a biLM (ELMo) on text files or bundled datasets; resumable, seeded.

    Shows tokens/s, loss, perplexity and the time left; measures held-out
    perplexity after each epoch, keeps the best weights and stops early when
    they stop improving. Interrupted (Ctrl-C) or stopped by --max-minutes, it
    leaves a checkpoint: the same command resumes from it.
    """
    check_option(epochs, "--epochs")
    check_option(threads, "--threads")
    check_option(max_minutes, "--max-minutes", minimum=0, exclusive=True)
    cfg = load_pretrain_config(config)
    if output is not None:
        cfg.output_dir = str(output.resolve())
    for key, value in (("epochs", epochs), ("max_minutes", max_minutes), ("threads", threads)):
        if value is not None:
            setattr(cfg.training, key, value)
    show = not quiet
    if show:
        m = cfg.model
        err_console.print(styled(
            "[bold]pretraining[/] a biLM ({} × {} LSTM layers per direction, {}-d projections) "
            "→ [cyan]{}[/]", m.lstm_layers, m.lstm_size, m.projection_dim, cfg.output_dir))
    bar = Progress(TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"), BarColumn(),
                   TextColumn("{task.fields[rate]}", markup=False), TimeElapsedColumn(),
                   TextColumn("ETA"),
                   TimeRemainingColumn(), console=err_console, disable=not show, transient=True)
    task = None
    plain = show and not err_console.is_terminal  # e.g. a log file: a line every 30 s instead
    last_line = [0.0]

    def on_progress(p):
        nonlocal task
        total = p.steps_per_epoch * p.epochs
        if task is None:
            task = bar.add_task("pretrain", total=total, epoch=p.epoch, epochs=p.epochs, rate="")
        bar.update(task, completed=p.step, total=total, epoch=p.epoch, rate=_rate(p))
        if plain and p.seconds - last_line[0] >= 30:
            last_line[0] = p.seconds
            eta = "" if p.eta_seconds is None else f"  ETA {p.eta_seconds / 60:.1f} min"
            err_console.print(f"epoch {p.epoch}/{p.epochs} step {p.step}/{total}  "
                              f"{_rate(p)}{eta}", highlight=False)

    def on_message(text):
        if show:
            bar.console.print(text)

    with bar:
        result = run_pretraining(cfg, on_progress=on_progress, resume=not restart,
                                 on_message=on_message, overwrite=overwrite)
    if show:
        console.print(styled(
            "{} after {} steps ({} tokens, {} min); best held-out perplexity {}. biLM saved to "
            "[bold]{}[/].", result.stopped.replace("_", " "), result.steps, f"{result.tokens:,}",
            f"{result.seconds / 60:.1f}", f"{result.best_perplexity:.1f}", result.output_dir), soft_wrap=True)
