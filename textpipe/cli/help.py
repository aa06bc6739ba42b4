"""Help pages that show what to type: ``--n-jobs N``, ``CONFIG``, ``FILES...``.

Typer's own help shows each parameter's Python type instead (``<bool>``, ``<list[Path]>``,
``{config}``), which reads as if a flag took a value. Every ``textpipe`` command is made
with :class:`Typer`, whose commands and groups rename their parameters' placeholders
before a help page or a usage line is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

#: An option's type → the placeholder shown after it when it takes a value.
PLACEHOLDERS = {int: "N", float: "NUMBER", Path: "PATH", str: "TEXT"}


class _Argument(TyperArgument):
    """An argument shown by its name alone (``CONFIG``), with no type beside it."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:
        return None


def readable(param):
    """Give ``param`` the placeholder a help page shows: none for a flag, NAME for an argument.

    Examples
    --------
    >>> from typer.main import get_command
    >>> demo = Typer()
    >>> @demo.command()
    ... def go(files: list[Path], n_jobs: int = 1, dry_run: bool = False):
    ...     pass
    >>> @demo.command()
    ... def other():
    ...     pass
    >>> go = get_command(demo).commands["go"]
    >>> [(p.name, p.metavar) for p in go.get_params(typer.Context(go))]
    [('files', 'FILES...'), ('n_jobs', 'N'), ('dry_run', ''), ('help', '')]
    """
    if isinstance(param, TyperArgument):
        if param.metavar is None:
            param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
        if type(param) is TyperArgument:
            param.__class__ = _Argument  # same state; only the help column differs
    elif isinstance(param, TyperOption) and param.metavar is None:
        if param.is_flag or param.count:
            param.metavar = ""
        else:
            param.metavar = _placeholder(param.type_descriptor.annotation)
    return param


def _placeholder(annotation) -> str | None:
    if get_origin(annotation) is list:  # a repeatable option: --data PATH --data PATH
        (annotation,) = get_args(annotation)
    if annotation in PLACEHOLDERS:
        return PLACEHOLDERS[annotation]
    return getattr(annotation, "__name__", "VALUE").upper()


class Command(TyperCommand):
    """A command whose help and usage line show readable placeholders (:func:`readable`)."""

    def get_params(self, ctx: typer.Context) -> list:
        return [readable(param) for param in super().get_params(ctx)]

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar if param.required else f"[{param.metavar}]")
        return pieces


class Group(TyperGroup):
    """A group of commands whose own options show readable placeholders."""

    def get_params(self, ctx: typer.Context) -> list:
        return [readable(param) for param in super().get_params(ctx)]


class Typer(typer.Typer):
    """``typer.Typer`` whose commands are :class:`Command` and groups :class:`Group`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cls=Group, **kwargs)

    def command(self, name: str | None = None, *, cls=None, **kwargs):
        return super().command(name, cls=cls or Command, **kwargs)
