"""``textpipe explain``: which words pushed a saved model's prediction, and which way."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.color import Color
from rich.style import Style
from rich.text import Text

from ..errors import DataError, Errors, UsageError
from ..explanations import METHODS, MAX_TOKENS, check_texts, explain as explain_texts
from ..explanations import explanations_page
from ..parameters import check_option
from ..paths import Input, Output, check_paths, write_text
from . import app
from .console import console, err_console, hide_warnings, styled
from .run import write_json
from .score import _label_names_line


def _read_lines(source: str) -> list[str]:
    """The non-blank lines of a UTF-8 file, or of standard input for ``-``."""
    try:
        if source == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        where = "standard input" if source == "-" else f"'{source}'"
        raise DataError(Errors.E936.format(path=where, reason=exc)) from None
    return [line for line in lines if line.strip()]


def _gather(texts: list[str], input_file: Optional[str]) -> list[str]:
    gathered = []
    for text in texts:
        gathered += _read_lines("-") if text == "-" else [text]
    if input_file is not None:
        gathered += _read_lines(input_file)
    return check_texts(gathered)


def _background(value: float, largest: float) -> Style:
    share = min(1.0, abs(value) / largest)
    level = int(60 + 150 * share)
    rgb = (20, level, 40) if value > 0 else (level, 25, 25)
    return Style(color="white", bgcolor=Color.from_rgb(*rgb), bold=share > 0.6)


def _inline(e, colour: bool) -> Text:
    """The text, each token coloured (or followed by its signed value, without colour)."""
    pieces, unplaced = e.segments()
    line = Text()
    for piece, token in pieces + [(" ", None)] * bool(unplaced) + [
            (t.token, t) for t in unplaced]:
        value = None if token is None else token.contribution
        if token is not None and value is None:  # beyond --max-tokens
            line.append(piece, style="dim" if colour else None)
        elif not value:
            line.append(piece)
        elif colour and e.largest:
            line.append(piece, style=_background(value, e.largest))
        else:
            line.append(f"{piece}[{value:+.3f}]")
    return line


def _header(e, number: int, total: int) -> Text:
    lead = f"[{number}/{total}] " if total > 1 else ""
    line = styled("[bold]{}why {}[/]", lead, repr(e.label))
    line.append(" (predicted)" if e.label == e.predicted else f" (predicted: {e.predicted!r})")
    if e.probabilities and e.label in e.probabilities:
        line.append(f", probability {e.probabilities[e.label]:.3f}")
    if e.method == "exact":
        line.append(f"; exact: decision score {e.score:+.3f} = intercept {e.base:+.3f} "
                    f"+ tokens {e.score - e.base:+.3f}")
    else:
        line.append(f"; occlusion: drop in {e.score_name} ({e.score:.3f}) without each token")
    return line


def _top_lines(e, top: int) -> list[Text]:
    lines = []
    for side, tokens in zip(("toward", "against"), e.top_words(top)):
        if tokens:
            words = "  ·  ".join(f"{shown}{f' ×{count}' if count > 1 else ''} {total:+.3f}"
                                 for shown, total, count in tokens)
            lines.append(Text(f"  {side} {e.label!r}: {words}"))
    return lines


def print_explanations(explanations: list, top: int) -> None:
    """Print each explanation: a heading, the coloured text, the top tokens, the notes."""
    colour = console.is_terminal and not console.no_color
    for number, e in enumerate(explanations, 1):
        if number > 1:
            console.print()
        console.print(_header(e, number, len(explanations)), soft_wrap=True, highlight=False)
        console.print(_inline(e, colour), soft_wrap=True, highlight=False)
        for line in _top_lines(e, top):
            console.print(line, soft_wrap=True, highlight=False)
        for note in e.notes:
            console.print(styled("  [yellow]note:[/] {}", note), soft_wrap=True, highlight=False)
    if colour and explanations:
        console.print(styled("[dim]green: toward the class, red: against it; the brighter, the "
                             "stronger[/]"), highlight=False)


@app.command()
def explain(
    model: Path = typer.Argument(..., help="Model folder (from `textpipe train` or `run --save`).", exists=True, file_okay=False),
    texts: Optional[List[str]] = typer.Argument(None, help="Texts to explain; '-' reads them from stdin, one per line."),
    input_file: Optional[str] = typer.Option(None, "--input", "-i", help="A file of texts to explain, one per line; '-' for stdin."),
    label: Optional[str] = typer.Option(None, "--label", "-l", help="The class to explain (default: each text's predicted class)."),
    top: int = typer.Option(5, "--top", help="How many tokens to list each way (0: none)."),
    method: str = typer.Option("auto", "--method", help="auto (exact for a linear model over count/tfidf features, else occlusion), exact or occlusion."),
    max_tokens: int = typer.Option(MAX_TOKENS, "--max-tokens", help="Occlusion removes at most this many tokens of a text (the first ones)."),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write the explanations as JSON to this file ('-' for stdout)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write an HTML page with the texts highlighted to this file."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --json or --html file."),
    allow_version_mismatch: bool = typer.Option(False, "--allow-version-mismatch", help="Load a model saved by another textpipe version."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors (and --json -).", callback=hide_warnings),
):
    """Show which words pushed a saved model's prediction toward or against a class.

    A linear classifier over count or tf-idf features is explained exactly (its score
    split over the words and n-grams); any other pipeline by removing one word at a
    time. Colours in a terminal; signed numbers under NO_COLOR or in a pipe.
    """
    check_option(top, "--top", minimum=0)
    check_option(max_tokens, "--max-tokens")
    if method not in METHODS:
        raise UsageError(Errors.E938.format(got=method, allowed=", ".join(METHODS), hint=""),
                         option="--method")
    check_paths(outputs=[Output(json_out, "--json", what="the explanations", overwrite=overwrite,
                                stdout=True, example="explanations.json"),
                         Output(html, "--html", what="the explanation page",
                                overwrite=overwrite, example="explanations.html")],
                inputs=[Input(model, "MODEL"), Input(input_file, "--input")])
    gathered = _gather(texts or [], input_file)
    try:
        results = explain_texts(model, gathered, label=label, method=method,
                                max_tokens=max_tokens,
                                allow_version_mismatch=allow_version_mismatch)
    except UsageError as exc:
        if exc.option in ("label", "method"):
            raise UsageError(exc.message, option=f"--{exc.option}") from None
        raise
    if json_out:
        write_json({"model": str(model), "explanations": [e.to_dict() for e in results]},
                   json_out)
    if html is not None:
        write_text(html, explanations_page(
            results, title=f"Explanations: {model.resolve().name}", top=top), "--html")
    if not quiet and json_out != "-":
        print_explanations(results, top)
        names = _label_names_line(model)
        if names:
            err_console.print(names, highlight=False, soft_wrap=True)
        if html is not None:
            err_console.print(styled("Wrote the explanations to [bold]{}[/].", html),
                              soft_wrap=True)


__all__ = ["explain", "print_explanations"]
