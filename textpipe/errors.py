"""Exceptions and the catalogue of error messages.

Every message a user can meet is written here, in one place, the way spaCy keeps
its ``Errors`` class: what went wrong, where, and what to do about it. Code raises
``SomeError(Errors.E0xx.format(...))`` so that wording stays consistent and can be
reviewed as a whole.

Examples
--------
>>> from textpipe.errors import ConfigError
>>> err = ConfigError("must be one of 'porter', 'snowball'", file="p.yaml", line=7,
...                   step="stem", param="algorithm")
>>> print(err)
p.yaml, line 7, step 'stem', parameter 'algorithm': must be one of 'porter', 'snowball'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TextpipeError(Exception):
    """Base class of every error textpipe raises on purpose."""


class ConfigError(TextpipeError, ValueError):
    """A pipeline or experiment configuration is invalid.

    The message is prefixed with where the problem is: the file, its line, the
    step and the parameter, whichever are known.
    """

    def __init__(self, message, *, file=None, line=None, step=None, param=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.step = step
        self.param = param
        super().__init__(self._render())

    @property
    def where(self) -> str:
        """The location as text, e.g. ``"p.yaml, line 7, step 'stem'"``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.step:
            parts.append(f"step {self.step}")
        if self.param:
            parts.append(f"parameter '{self.param}'")
        return ", ".join(parts)

    def _render(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DataError(TextpipeError, ValueError):
    """Input data cannot be read: a malformed row, an unknown format, a bad encoding.

    The message names the file and, where there is one, the line.
    """

    def __init__(self, message, *, file=None, line=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        where = ", ".join(
            p for p in (self.file, None if line is None else f"line {line}") if p
        )
        super().__init__(f"{where}: {message}" if where else message)


class InputError(TextpipeError, TypeError, ValueError):
    """A stage was given documents it cannot handle (None, bytes, numbers, wrong shape).

    It is both a ``TypeError`` and a ``ValueError`` so that callers written for
    either sklearn convention catch it.
    """


class MissingResourceError(TextpipeError, LookupError):
    """Data that a stage needs (e.g. WordNet) is not installed; says how to get it."""


class ModelError(TextpipeError, ValueError):
    """A saved model cannot be loaded: missing files, bad checksums, incompatible version."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""``.

    Examples
    --------
    >>> did_you_mean("stemm", ["stem", "tokenize"])
    " Did you mean 'stem'?"
    >>> did_you_mean("zzz", ["stem"])
    ''
    """
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""


def quoted_list(items: Iterable[object]) -> str:
    """Return items as ``'a', 'b', 'c'`` for messages.

    Examples
    --------
    >>> quoted_list(["a", "b"])
    "'a', 'b'"
    """
    return ", ".join(repr(i) if not isinstance(i, str) else f"'{i}'" for i in items)


class Errors:
    """Catalogue of message templates. Fill them with ``str.format``."""

    # Configuration files
    E001 = "cannot read the file: {reason}"
    E002 = "is not valid YAML: {reason}"
    E003 = "the top level must be a mapping of keys such as 'data', 'evaluation', 'steps'; got {kind}."
    E004 = "unknown stage '{stage}'.{hint} Run `textpipe stages` to list the {n} available stages."
    E005 = "'{stage}' has no parameter '{param}'.{hint} Its parameters are: {allowed}."
    E006 = "each step must be written '- stage_name: {{params}}' or '- stage_name'; got {got}."
    E007 = "{message}"
    E008 = (
        "step {pos} '{stage}' takes {wants} as input, but the step before it produces {gets}.{fix}"
    )
    E009 = "the last step '{stage}' must be a classifier (it produces {gets}).{fix}"
    E010 = "a pipeline needs at least one step."
    E011 = "unknown key '{key}'.{hint} Allowed keys here: {allowed}."
    E012 = "parameters of step '{stage}' must be a mapping (name: value); got {got}."
    E013 = "cannot create the stage: {reason}"

    # Documents given to stages
    E101 = (
        "stage '{stage}' expects a list of documents, but got a single {kind}. "
        "Wrap it in a list: [{example}]."
    )
    E102 = (
        "stage '{stage}' expects every document to be a str, but document {index} is {desc}. "
        "{fix}"
    )
    E103 = (
        "stage '{stage}' expects token lists (one list of str per document), but document "
        "{index} is {desc}. {fix}"
    )
    E104 = "stage '{stage}' expects an iterable of documents, but got {kind}."
    E105 = (
        "stage '{stage}' was fitted on no documents. Give it at least one document."
    )
    E106 = (
        "stage '{stage}' found no features in the training documents: every document is "
        "empty after the earlier steps{detail}. Loosen the filtering (stopwords, min_df, "
        "min_length) or check the data."
    )
    E107 = (
        "the training data has a single class ({label!r}); a classifier needs at least two. "
        "Check the label column, or use a stratified split."
    )
    E108 = "X has {n_x} documents but y has {n_y} labels; they must match."

    # Data
    E201 = "unknown dataset '{name}'.{hint} Bundled datasets: {allowed}. A path to a file or folder works too."
    E202 = "file or folder not found."
    E203 = "unknown data format '{fmt}'. Use one of: {allowed}."


__all__ = [
    "ConfigError",
    "DataError",
    "Errors",
    "InputError",
    "MissingResourceError",
    "ModelError",
    "TextpipeError",
    "did_you_mean",
    "quoted_list",
]
