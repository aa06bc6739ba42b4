"""Which kind of textpipe YAML file a document is.

Three kinds of file sit side by side in ``pipelines/``: pipeline files
(``steps:``, for ``textpipe run``), experiment files (``grid:`` and/or
``pipelines:``, for ``textpipe compare``) and pretraining files
(``pretrain:``, for ``textpipe pretrain``). Each command checks the kind first,
so a file given to the wrong command gets one sentence naming the right one
instead of a list of unknown keys.

Examples
--------
>>> file_kind({"steps": ["tokenize", "tfidf", "logreg"]})
'pipeline'
>>> file_kind({"grid": {"base": "tfidf_logreg.yaml"}})
'experiment'
>>> file_kind({"pretrain": {"data": {"dataset": "mr"}}})
'pretrain'
"""

from __future__ import annotations

from typing import Any, Mapping

from ..errors import Errors

__all__ = ["FILE_KINDS", "file_kind", "wrong_kind_message"]

#: kind -> (the top-level keys that mark it, the command that runs it, its article,
#: the keys its top level holds).
FILE_KINDS = {
    "pretrain": (("pretrain",), "textpipe pretrain", "a pretraining", "'name', 'pretrain'"),
    "experiment": (("grid", "pipelines"), "textpipe compare", "an experiment",
                   "'data', 'evaluation', 'pipelines', 'grid'"),
    "pipeline": (("steps",), "textpipe run", "a pipeline", "'data', 'evaluation', 'steps'"),
}


def file_kind(raw: Any) -> str:
    """The kind of a parsed YAML document: 'pipeline', 'experiment' or 'pretrain'.

    Anything that is not recognisably an experiment or pretraining file counts
    as a pipeline file, whose validation then says what is missing.
    """
    if isinstance(raw, Mapping):
        for kind, (markers, *_) in FILE_KINDS.items():
            if any(key in raw for key in markers):
                return kind
    return "pipeline"


def wrong_kind_message(kind: str, expected: str = "pipeline", file=None) -> str:
    """The sentence for a file of ``kind`` given where one of ``expected`` was wanted.

    A pipeline file given as an experiment also gets how to list it in one.

    Examples
    --------
    >>> wrong_kind_message("experiment")
    "this is an experiment file, not a pipeline file (it has 'grid:' or 'pipelines:' at the top level). Run it with `textpipe compare`."
    """

    markers, command, article, _ = FILE_KINDS[kind]
    keys = " or ".join(f"'{key}:'" for key in markers)
    message = Errors.E014.format(kind=article, expected=FILE_KINDS[expected][2],
                                 why=f"it has {keys} at the top level", command=command)
    if (kind, expected) == ("pipeline", "experiment"):
        message += Errors.E062.format(file=file or "pipeline.yaml")
    return message
