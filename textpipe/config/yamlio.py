"""Read YAML safely, within bounds, and remember where each value came from.

``yaml.safe_load`` gives plain data but forgets line numbers; errors should
name the line. :func:`read_yaml` composes the node tree once with the safe
loader and records the line of every mapping key and sequence item, then
constructs the data from that same tree.

Reading is strict and bounded, so that no file can make textpipe use
unbounded time or memory or accept a mistake silently:

- **Anchors, aliases and merge keys are refused** (``&name``, ``*name``,
  ``<<``), with the line where one is found. An alias makes a few hundred
  bytes stand for billions of values (the "billion laughs" attack), and one
  value would then sit at many places of the file, so no line could be named
  for a problem in it. Refusing them outright, rather than capping what they
  expand to, keeps every value at exactly one line and costs users little:
  textpipe files are short, and an experiment's grid is the way to try
  variations of a pipeline without repeating it.
- **Nesting is at most** :data:`MAX_DEPTH` **levels deep.** The check runs as
  nodes are composed, before the nesting could exhaust Python's stack.
- **A key may appear only once in a mapping**; a duplicate is refused naming
  both lines (plain YAML keeps the last silently).
- **A file holds at most** :data:`MAX_BYTES` **bytes.**

Examples
--------
>>> data, lines = parse_yaml("steps:\\n  - stem:\\n      algorithm: porter\\n")
>>> data
{'steps': [{'stem': {'algorithm': 'porter'}}]}
>>> lines.line_of(("steps", 0, "stem", "algorithm"))
3
>>> parse_yaml("a: &x [1, 2]\\nb: *x\\n")
Traceback (most recent call last):
...
textpipe.errors.ConfigError: line 1: found the anchor '&x': YAML anchors, aliases and merge keys ('<<') are not allowed in textpipe files. ...
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


#: Deepest nesting of mappings and sequences a file may have (textpipe files need about 8).
MAX_DEPTH = 32
#: Largest file textpipe reads as YAML: 1 MiB, far more than any configuration needs.
MAX_BYTES = 1 << 20

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(Exception):
    """A rule of strict reading broken at a line; becomes a ConfigError naming the file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


class _StrictReading:
    """Loader behaviour on top of the safe loader: the rules in this module's docstring."""

    _depth = 0

    # The composer recurses once per level of nesting, so depth is checked here, before each
    # level is entered; aliases are refused before one is looked up, so none is ever expanded.
    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(Errors.E020.format(found=f"the alias '*{event.anchor}'"), line)
        if getattr(event, "anchor", None) is not None:
            raise _Refused(Errors.E020.format(found=f"the anchor '&{event.anchor}'"), line)
        if self._depth >= MAX_DEPTH and isinstance(
                event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            raise _Refused(Errors.E021.format(limit=MAX_DEPTH), line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: dict = {}  # key -> the line it was first given on
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                raise _Refused(Errors.E020.format(found="the merge key '<<'"), line)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:  # the safe loader refuses it, with its line
                break
            if key in seen:
                raise _Refused(Errors.E022.format(key=key_node.value, first=seen[key]), line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, _Refused):
            raise
        except Exception as exc:  # PyYAML's own: '!!int ""', '!!bool maybe', a date 2024-13-45
            kind = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, Errors.E075.format(kind=kind, value=str(node.value)[:60], reason=exc),
                node.start_mark) from None


if yaml.__with_libyaml__:  # libyaml scans and parses (fast); composing stays in Python
    class _Loader(_StrictReading, yaml.composer.Composer, yaml.constructor.SafeConstructor,
                  yaml.resolver.Resolver, yaml.cyaml.CParser):
        def __init__(self, text: str):
            yaml.cyaml.CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover (a PyYAML built without libyaml)
    class _Loader(_StrictReading, yaml.SafeLoader):
        pass


def _record_lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[loc + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, loc + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[loc + (i,)] = item.start_mark.line + 1
            _record_lines(item, loc + (i,), out)


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, LineMap]:
    """Parse YAML text strictly (see the module's docstring); return the data and its line map.

    Raises
    ------
    ConfigError
        Invalid YAML, or a rule of strict reading broken; it names the file
        (``file``) and the line.

    Examples
    --------
    >>> parse_yaml("{C: 1, C: 100}", file="p.yaml")
    Traceback (most recent call last):
    ...
    textpipe.errors.ConfigError: p.yaml, line 1: duplicate key 'C': it is also given on line 1. ...
    """
    if len(text) > MAX_BYTES:
        raise ConfigError(Errors.E023.format(limit=f"{MAX_BYTES:,}"), file=file)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, LineMap()
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _Refused as exc:
        raise ConfigError(exc.message, file=file, line=exc.line) from None
    except (yaml.YAMLError, UnicodeEncodeError) as exc:  # (lone surrogates in a str)
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        if "maximum nesting depth" in str(exc):  # libyaml's own limit, met while looking ahead
            raise ConfigError(Errors.E021.format(limit=MAX_DEPTH), file=file, line=line) from None
        reason = " ".join(str(exc).split())
        raise ConfigError(Errors.E002.format(reason=reason), file=file, line=line) from None
    lines: dict[Loc, int] = {}
    _record_lines(node, (), lines)
    return data, LineMap(lines)


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file strictly; errors name the file and line.

    At most :data:`MAX_BYTES` bytes are read, so a huge file (or a device that
    never ends) is refused without being loaded.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ConfigError(Errors.E023.format(limit=f"{MAX_BYTES:,}"), file=path)
        text = raw.decode("utf-8")
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
