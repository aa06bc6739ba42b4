"""Rich consoles: results go to stdout, progress and messages to stderr.

Text that comes from users (file names, labels, data lines, pipeline and step
names) is shown as it is, never read as markup or emoji codes: ``root:x:0:0``
stays ``root:x:0:0`` and ``[bold]`` stays ``[bold]``. The consoles interpret
neither markup nor emoji codes in what they print (table cells and titles
included); a line that needs styling is built with :func:`styled`, whose
template is ours and whose values are escaped.

Python warnings raised while a command runs are shown by :func:`tidy_warnings`:
each as one ``warning:`` line, once per kind and message, and none at all under
a command's ``--quiet``; so are the messages textpipe logs (as ``note:`` lines).
"""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)


def styled(template: str, *values: object) -> Text:
    """Our markup in ``template``; each ``{}`` in it filled with a value shown as it is.

    Parameters
    ----------
    template : str
        Rich markup written in textpipe's code, e.g. ``"[bold]{}[/]: {} documents"``.
    *values
        What fills the ``{}`` in turn; their text is never read as markup or emoji codes.

    Returns
    -------
    rich.text.Text

    Examples
    --------
    >>> line = styled("[bold]{}[/]: {} documents", "[bold]x root:x:0:0", 3)
    >>> line.plain
    '[bold]x root:x:0:0: 3 documents'
    """
    filled = template.format(*(escape(str(value)) for value in values))
    return Text.from_markup(filled, emoji=False)


def print_warning(message: str) -> None:
    """Print ``warning: MESSAGE`` on stderr as one line (soft-wrapped by the terminal only)."""
    err_console.print(styled("[yellow]warning:[/] {}", message), soft_wrap=True, highlight=False)


_warnings_hidden = False


def hide_warnings(quiet: bool) -> bool:
    """The callback of every command's ``--quiet`` option: under it, no warning is shown.

    Examples
    --------
    >>> import typer
    >>> option = typer.Option(False, "--quiet", "-q", callback=hide_warnings)
    """
    global _warnings_hidden
    _warnings_hidden = bool(quiet)
    return quiet


_PACKAGE = os.path.join(str(Path(__file__).resolve().parents[1]), "")


def warning_text(message, category, filename: str = "") -> str:
    """One line for a warning: other libraries' keep their kind, textpipe's need none.

    Examples
    --------
    >>> warning_text("lbfgs failed to converge\\nIncrease max_iter.", RuntimeWarning)
    'RuntimeWarning: lbfgs failed to converge'
    """
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):  # "failed to converge:\nSTOP: ..."
        lines[0] = f"{lines[0]} {lines[1]}"
    text = lines[0] if lines else category.__name__
    if category.__module__.split(".")[0] == "textpipe" or filename.startswith(_PACKAGE):
        return text
    return f"{category.__name__}: {text}"


@contextmanager
def tidy_warnings():
    """Show warnings as ``warning:`` lines while the block runs; none for a ``--quiet`` command.

    Each distinct kind and message is shown once, as its first line, without the
    file and source line that Python adds; a command's ``--quiet`` option (with
    :func:`hide_warnings` as its callback) hides them all. Which warnings are
    raised at all is still up to Python's filters (``-W``, ``PYTHONWARNINGS``).

    Examples
    --------
    >>> import warnings
    >>> with tidy_warnings():
    ...     warnings.warn("shown once")
    ...     warnings.warn("shown once")
    """
    seen: set[tuple[type, str]] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = warning_text(message, category, str(filename))
        if (category, text) in seen or _warnings_hidden:
            return
        seen.add((category, text))
        print_warning(text)

    with warnings.catch_warnings(), _log_records_as_notes():
        warnings.showwarning = show
        try:
            yield
        finally:
            hide_warnings(False)


class _NoteHandler(logging.Handler):
    """Print textpipe's log records as ``note:`` lines; nothing under ``--quiet``."""

    def emit(self, record: logging.LogRecord) -> None:
        if not _warnings_hidden:
            err_console.print(styled("[yellow]note:[/] {}", record.getMessage()),
                              soft_wrap=True, highlight=False)


@contextmanager
def _log_records_as_notes():
    """Show what textpipe logs (e.g. the encoding a scoring job chose) as tidy lines."""
    logger = logging.getLogger("textpipe")
    handler, propagate = _NoteHandler(logging.INFO), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # not again through Python's last-resort handler
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
