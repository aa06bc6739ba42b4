"""One reader for every kind of textpipe YAML file.

Pipeline, experiment and pretraining files are read the same way: the strict,
bounded loader of :mod:`textpipe.config.yamlio` (which keeps each value's
line), then :func:`read_document`, which checks the top level is a mapping of
the expected kind of file, then a pydantic model of that kind (each built on
:class:`Strict`), whose errors :func:`pydantic_problems` turns into messages
naming the file, line and key. Steps, wherever they are written (a pipeline's
``steps:``, an experiment's inline pipelines and grids), are split by
:func:`split_step`.

Examples
--------
>>> split_step({"stem": {"algorithm": "porter"}})
('stem', {'algorithm': 'porter'})
>>> split_step("tokenize"), split_step({"tokenize": None})
(('tokenize', {}), ('tokenize', {}))
>>> split_step({"stem": "porter"})
Traceback (most recent call last):
...
textpipe.errors.ConfigError: parameters of step 'stem' must be a mapping (name: value); got 'porter'. [E012]
"""

from __future__ import annotations

import types
import typing
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, ValidationError

from ..data import bundled_datasets
from ..errors import ConfigError, Errors, Message, did_you_mean, quoted_list
from .kinds import FILE_KINDS, file_kind, wrong_kind_message
from .yamlio import LineMap, Source, read_source

__all__ = ["Strict", "bundled_dataset", "pydantic_problems", "read_document",
           "split_step", "validate_model"]


class Strict(BaseModel):
    """Base of every section of every textpipe file: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def bundled_dataset(name: str, *, own: str) -> str:
    """``name`` if it is a bundled dataset, else a ValueError for pydantic to report.

    ``own`` says where the user's own data goes instead (e.g. ``"'path:'"``).

    Examples
    --------
    >>> bundled_dataset("mr", own="'path:'")
    'mr'
    """
    names = list(bundled_datasets())
    if name.lower() not in names:
        raise ConfigError(Errors.E060.format(name=name, hint=did_you_mean(name.lower(), names),
                                            allowed=quoted_list(names), own=own))
    return name


def split_step(item: Any) -> tuple[str, dict]:
    """``(stage, params)`` of a step written ``stage`` or ``{stage: {param: value}}``.

    Raises
    ------
    ConfigError
        Without a location (the caller knows it) when the step is malformed.
    """
    if isinstance(item, str):
        return item, {}
    if isinstance(item, Mapping) and len(item) == 1:
        ((stage, params),) = item.items()
        if isinstance(stage, str):
            if params is None:
                return stage, {}
            if isinstance(params, Mapping):
                return stage, dict(params)
            raise ConfigError(Errors.E012.format(stage=stage, got=repr(params)[:60]))
    raise ConfigError(Errors.E006.format(got=repr(item)[:60]))


def read_document(source, kind: str) -> Source:
    """Read a YAML file (or take a mapping) that must be a ``kind`` file.

    Parameters
    ----------
    source : str, Path or mapping
    kind : {"pipeline", "experiment", "pretrain"}

    Raises
    ------
    ConfigError
        The file cannot be read, its top level is not a mapping, or it is
        another kind of file (the message names the command that runs it).

    Examples
    --------
    >>> read_document({"pretrain": {}}, "pipeline")
    Traceback (most recent call last):
    ...
    textpipe.errors.ConfigError: this is a pretraining file, not a pipeline file (it has 'pretrain:' at the top level). Run it with `textpipe pretrain`. [E014]
    """
    found = read_source(source)
    raw = found.data
    if not isinstance(raw, Mapping):
        got = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise ConfigError(Errors.E061.format(kind=FILE_KINDS[kind][2], keys=FILE_KINDS[kind][3],
                                             got=got), file=found.file)
    other = file_kind(raw)
    markers = [key for key in FILE_KINDS[other][0] if key in raw]
    if other != kind and markers:
        raise ConfigError(wrong_kind_message(other, expected=kind, file=found.file),
                          file=found.file, line=found.lines.line_of((markers[0],)))
    return found


def _section_model(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The pydantic model that holds the keys at ``path`` inside ``model``."""
    current: Any = model
    for part in path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            current = field.annotation
        elif isinstance(part, int):
            args = [a for a in typing.get_args(current) if a is not type(None)]
            current = args[0] if args else None
        current = _unwrap_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_optional(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap_optional(args[0])
    return annotation


def pydantic_problems(exc: ValidationError, model: type[BaseModel], *, at: tuple = (),
                      lines: LineMap | None = None, file=None) -> list[ConfigError]:
    """Every error of a pydantic validation as a ConfigError naming the file, line and key.

    Parameters
    ----------
    exc : pydantic.ValidationError
        What ``model.model_validate`` raised.
    model : pydantic model class
        The model validated, to list the keys allowed where an unknown one is found.
    at : tuple
        Where in the file the validated value sits (e.g. ``("data", 1)``).
    lines : LineMap, optional
        The file's line map.
    file : str, optional

    Examples
    --------
    >>> from textpipe.config.schema import EvaluationConfig
    >>> try:
    ...     EvaluationConfig.model_validate({"fold": 5})
    ... except ValidationError as exc:
    ...     print(pydantic_problems(exc, EvaluationConfig, at=("evaluation",))[0])
    unknown key 'fold'. Did you mean 'folds'? Allowed keys here: 'method', 'folds', 'test_size', 'seed', 'metrics', 'n_jobs'. [E011]
    """
    lines = lines or LineMap()
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = at + loc
        if err["type"] == "extra_forbidden":
            section = _section_model(model, loc[:-1])
            allowed = list(section.model_fields) if section is not None else []
            message = Errors.E011.format(key=loc[-1], hint=did_you_mean(loc[-1], allowed),
                                         allowed=quoted_list(allowed))
        else:
            raised = err.get("ctx", {}).get("error")  # our validators raise ConfigErrors
            if isinstance(raised, ConfigError):
                message, code = str(raised.message), raised.code
            else:  # pydantic's own wording
                message, code = err["msg"].removeprefix("Value error, "), "E007"
            if err["type"] == "literal_error":
                message += f" (got {err['input']!r})"
            name = ".".join(str(p) for p in where)
            if name:
                message = f"'{name}': {message}"
            message = Message(message, code)
        problems.append(ConfigError(message, file=file, line=lines.line_of(where)))
    return problems


def validate_model(model: type[BaseModel], value: Any, problems: list, *, at: tuple = (),
                   lines: LineMap | None = None, file=None):
    """``model`` validated from ``value`` (None: its defaults), or None with ``problems`` added."""
    try:
        return model.model_validate({} if value is None else value)
    except ValidationError as exc:
        problems += pydantic_problems(exc, model, at=at, lines=lines, file=file)
        return None
