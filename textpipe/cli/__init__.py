"""The ``textpipe`` command line.

Each command lives in its own module and registers itself on :data:`app`.
Errors that textpipe raises on purpose are printed as one readable message
(exit code 2 for configuration and data errors); anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import sys

import typer

from .._version import __version__
from ..errors import TextpipeError
from .console import err_console, styled, tidy_warnings
from .help import Typer

app = Typer(
    name="textpipe",
    help="Build, evaluate and compare text-classification pipelines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"textpipe {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the version and exit."),
) -> None:
    """Build, evaluate and compare text-classification pipelines."""


from . import run as _run  # noqa: E402,F401  (registers the command)
from . import stages as _stages  # noqa: E402,F401
from . import vectors as _vectors  # noqa: E402,F401
from . import compare as _compare  # noqa: E402,F401
from . import score as _score  # noqa: E402,F401
from . import pretrain as _pretrain  # noqa: E402,F401
from . import explain as _explain  # noqa: E402,F401
from . import runs as _runs  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``textpipe`` script."""
    try:
        with tidy_warnings():
            code = app(args=argv, standalone_mode=False)
    except TextpipeError as exc:
        _print_error(exc)
        return 2
    except KeyboardInterrupt:
        err_console.print(styled("[yellow]interrupted[/]"))
        return 130
    except SystemExit as exc:  # typer's own exits (--help, usage errors)
        return exc.code if isinstance(exc.code, int) else 1
    except typer.Abort as exc:
        if isinstance(exc.__cause__, EOFError):  # click's name for an EOFError; no prompt
            raise exc.__cause__  # of ours reads input, so it is a bug: show it, not exit 130
        return 130
    except typer.TyperException as exc:  # usage errors: click's message and exit code
        if hasattr(exc, "show"):
            exc.show()
        else:
            _print_error(exc)
        return getattr(exc, "exit_code", 2)
    return code if isinstance(code, int) else 0


def _print_error(exc: Exception) -> None:
    err_console.print(styled("[bold red]error:[/] {}", exc), highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
