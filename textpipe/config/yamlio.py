"""Read YAML safely and remember where each value came from.

``yaml.safe_load`` gives plain data but forgets line numbers; errors should
name the line. :func:`read_yaml` composes the node tree once with the safe
loader and records the line of every mapping key and sequence item, then
constructs the data from that same tree.

Examples
--------
>>> data, lines = parse_yaml("steps:\\n  - stem:\\n      algorithm: porter\\n")
>>> data
{'steps': [{'stem': {'algorithm': 'porter'}}]}
>>> lines.line_of(("steps", 0, "stem", "algorithm"))
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, NamedTuple

import yaml

from ..errors import ConfigError, Errors

Loc = tuple


class LineMap:
    """Map a location path (keys and list indices) to a 1-based line number."""

    def __init__(self, lines: dict[Loc, int] | None = None):
        self._lines = lines or {}

    def line_of(self, loc: Loc) -> int | None:
        """Line of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self._lines:
                return self._lines[loc]
            loc = loc[:-1]
        return self._lines.get((), None)


def _walk(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[loc + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, loc + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[loc + (i,)] = item.start_mark.line + 1
            _walk(item, loc + (i,), out)


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, LineMap]:
    """Parse YAML text with the safe loader; return the data and its line map."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return None, LineMap()
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = " ".join(str(exc).split())
        raise ConfigError(
            Errors.E002.format(reason=reason),
            file=file,
            line=None if mark is None else mark.line + 1,
        ) from None
    lines: dict[Loc, int] = {}
    _walk(node, (), lines)
    return data, LineMap(lines)


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Errors.E001.format(reason=exc), file=path) from None
    return parse_yaml(text, file=str(path))


class Source(NamedTuple):
    """A configuration as read: its data, their lines, its file and the folder paths resolve against."""

    data: Any
    lines: LineMap
    file: str | None
    base_dir: Path


def read_source(source) -> Source:
    """Read a YAML file, or take an already-parsed mapping as it is.

    A mapping has no lines and no file; its relative paths resolve against the
    current folder. A file's resolve against the file's own folder.

    Examples
    --------
    >>> read_source({"steps": ["tokenize"]}).file is None
    True
    """
    if isinstance(source, Mapping):
        return Source(dict(source), LineMap(), None, Path.cwd())
    path = Path(source)
    data, lines = read_yaml(path)
    return Source(data, lines, str(path), path.resolve().parent)
