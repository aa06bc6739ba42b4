"""Readers for the data formats a user can give: lines, csv, tsv, jsonl, folder.

Each reader returns ``(texts, labels)``, two lists of str of the same length.
Every malformed record raises :class:`~textpipe.errors.DataError` naming the
file and the 1-based line, with a short excerpt of what was found. Nothing is
silently dropped except blank lines, which carry no data.

Examples
--------
>>> parse_lines("pos a fine film\\nneg  dull\\n")
(['a fine film', 'dull'], ['pos', 'neg'])
>>> parse_delimited('label,text\\npos,"fine, really"\\n')
(['fine, really'], ['pos'])
>>> parse_jsonl('{"text": "a fine film", "label": 1}\\n')
(['a fine film'], ['1'])
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

from ..errors import DataError, Errors, did_you_mean, quoted_list
from ..paths import check_input_file
from .decoding import AUTO, read_text, split_lines

DATA_FORMATS = ("lines", "csv", "tsv", "jsonl", "folder")

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_DELIMITERS = {"csv": ",", "tsv": "\t"}
_LABEL_SEPARATOR = re.compile(r"[ \t]")
_EXCERPT_CHARS = 60
#: The longest CSV/TSV field read, in characters. Python's csv module stops at 128 Ki
#: by default, shorter than some documents.
MAX_FIELD_CHARS = 1 << 30


def check_format(format: str | None) -> str | None:
    """Return ``format`` if it is None or one of :data:`DATA_FORMATS`.

    Examples
    --------
    >>> check_format("csv")
    'csv'
    >>> check_format("xml")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: unknown data format 'xml'. Use one of: 'lines', 'csv', 'tsv', 'jsonl', 'folder'.
    """
    if format is not None and format not in DATA_FORMATS:
        raise DataError(Errors.E203.format(fmt=format, allowed=quoted_list(DATA_FORMATS)))
    return format


def detect_format(path: str | os.PathLike) -> str:
    """Guess the format of ``path`` from what it is and its suffix.

    A directory is ``"folder"``; ``.csv`` is ``"csv"``; ``.tsv`` and ``.tab``
    are ``"tsv"``; ``.jsonl`` and ``.ndjson`` are ``"jsonl"``; anything else is
    ``"lines"``. A ``.gz`` suffix is looked through.

    Examples
    --------
    >>> detect_format("reviews.csv.gz")
    'csv'
    >>> detect_format("rt-polarity.all")
    'lines'
    """
    path = Path(path)
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    return _SUFFIX_FORMATS.get(Path(name).suffix, "lines")


def read_examples(
    path: str | os.PathLike,
    format: str,
    *,
    encoding: str = AUTO,
    text_column: str = "text",
    label_column: str = "label",
) -> tuple[list[str], list[str]]:
    """Read the examples of one file or folder in the given format.

    Parameters
    ----------
    path : str or PathLike
        An existing file, or a folder for ``format="folder"``.
    format : {"lines", "csv", "tsv", "jsonl", "folder"}
    encoding : str, default="auto"
        See :mod:`textpipe.data.decoding`.
    text_column, label_column : str
        The column (csv, tsv) or field (jsonl) names; unused by other formats.

    Returns
    -------
    texts, labels : list of str

    Raises
    ------
    DataError
        If the data is malformed or holds no examples.
    """
    path = Path(path)
    check_format(format)
    if format == "folder":
        if not path.is_dir():
            raise DataError(Errors.E222, file=path)
        texts, labels = read_folder(path, encoding=encoding)
    else:
        if path.is_dir():
            raise DataError(Errors.E221.format(fmt=format), file=path)
        check_input_file(path)  # a pipe or a device (/dev/zero) would be read without end
        text = read_text(path, encoding)
        if format == "lines":
            texts, labels = parse_lines(text, file=path)
        elif format == "jsonl":
            texts, labels = parse_jsonl(
                text, text_column=text_column, label_column=label_column, file=path
            )
        else:
            texts, labels = parse_delimited(
                text,
                delimiter=_DELIMITERS[format],
                text_column=text_column,
                label_column=label_column,
                file=path,
            )
    if not texts:
        raise DataError(Errors.E220, file=path)
    return texts, labels


def parse_lines(text: str, *, file=None) -> tuple[list[str], list[str]]:
    """Parse ``LABEL TEXT`` lines: the label, a space (or tab), then the text.

    Spaces and tabs around the label and the text are removed; blank lines are
    skipped. Lines are split at ``"\\n"`` only (see
    :func:`~textpipe.data.decoding.split_lines`).

    Examples
    --------
    >>> parse_lines("1 great\\n\\n0 not good \\r\\n")
    (['great', 'not good'], ['1', '0'])
    >>> parse_lines("1 great\\nawful\\n", file="x.txt")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: x.txt, line 2: expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a single field: 'awful'.
    """
    texts, labels = [], []
    for number, line in enumerate(split_lines(text), start=1):
        line = line.strip(" \t")
        if not line:
            continue
        separator = _LABEL_SEPARATOR.search(line)
        if separator is None:
            raise DataError(Errors.E207.format(excerpt=_excerpt(line)), file=file, line=number)
        labels.append(line[: separator.start()])
        texts.append(line[separator.end() :].strip(" \t"))
    return texts, labels


def parse_delimited(
    text: str,
    *,
    delimiter: str = ",",
    text_column: str = "text",
    label_column: str = "label",
    file=None,
) -> tuple[list[str], list[str]]:
    """Parse CSV (``delimiter=","``) or TSV (``delimiter="\\t"``) with a header row.

    Fields follow the csv module's dialect: a field in double quotes may hold
    the delimiter, newlines and doubled quotes (``""``). Every record must have
    as many fields as the header. Blank lines are skipped; surrounding
    whitespace is removed from labels, not from texts.

    Examples
    --------
    >>> parse_delimited('id,review,stars\\n1,"Two lines:\\nfine",5\\n',
    ...                 text_column="review", label_column="stars")
    (['Two lines:\\nfine'], ['5'])
    >>> parse_delimited("label,txt\\npos,fine\\n", file="r.csv")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: r.csv, line 1: the header has no column 'text' for the text. Did you mean 'txt'? Its columns are: 'label', 'txt'. Set text_column to one of them.
    """
    fmt = "tsv" if delimiter == "\t" else "csv"
    allow_long_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    texts, labels = [], []
    start = 1  # the line on which the next record starts
    try:
        for row in reader:
            number, start = start, reader.line_num + 1
            if not row:
                continue
            if header is None:
                header = row
                where = {"file": file, "line": number}
                text_at = _column_index(header, text_column, "text", "text_column", **where)
                label_at = _column_index(header, label_column, "label", "label_column", **where)
                continue
            if len(row) != len(header):
                raise DataError(
                    Errors.E209.format(
                        expected=len(header),
                        got=len(row),
                        excerpt=_excerpt(delimiter.join(row)),
                    ),
                    file=file,
                    line=number,
                )
            texts.append(_checked_text(row[text_at], file=file, line=number))
            labels.append(_checked_label(row[label_at], file=file, line=number))
    except csv.Error as exc:
        raise DataError(Errors.E210.format(fmt=fmt, reason=exc), file=file, line=start) from None
    if header is None:
        example = delimiter.join(["label", "text"]).replace("\t", "<TAB>")
        raise DataError(Errors.E208.format(fmt=fmt, example=repr(example)), file=file)
    return texts, labels


def allow_long_fields() -> None:
    """Let the csv module read fields up to :data:`MAX_FIELD_CHARS` characters.

    The csv module's limit is global to the process; it is raised, never lowered, so
    that whether a long document is read does not depend on what ran before.

    Examples
    --------
    >>> allow_long_fields()
    >>> csv.field_size_limit() >= MAX_FIELD_CHARS
    True
    """
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)


def parse_jsonl(
    text: str, *, text_column: str = "text", label_column: str = "label", file=None
) -> tuple[list[str], list[str]]:
    """Parse JSON Lines: one JSON object per line.

    The text field must be a string. The label field may be a string or an
    integer (``1`` is read as ``"1"``); a float is accepted only if it is a whole
    number (``1.0`` is read as ``"1"``). Other fields are ignored; blank lines
    are skipped.

    Examples
    --------
    >>> parse_jsonl('{"body": "fine", "y": 1.0}\\n', text_column="body", label_column="y")
    (['fine'], ['1'])
    >>> parse_jsonl('{"text": "fine", "label": "pos"}\\n["bad"]\\n', file="d.jsonl")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: d.jsonl, line 2: expected a JSON object, but the line holds an array: '["bad"]'.
    """
    texts, labels = [], []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        where = {"file": file, "line": number}
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"{exc.msg} at column {exc.colno}"
            raise DataError(
                Errors.E212.format(reason=reason, excerpt=_excerpt(line)), **where
            ) from None
        if not isinstance(record, dict):
            raise DataError(
                Errors.E213.format(kind=_json_kind(record), excerpt=_excerpt(line)), **where
            )
        for field, role, param in (
            (text_column, "text", "text_column"),
            (label_column, "label", "label_column"),
        ):
            if field not in record:
                raise DataError(
                    Errors.E214.format(
                        field=field,
                        role=role,
                        hint=did_you_mean(field, record),
                        available=quoted_list(record) or "none",
                        param=param,
                    ),
                    **where,
                )
        value = record[text_column]
        if not isinstance(value, str):
            raise DataError(
                Errors.E215.format(kind=_json_kind(value), excerpt=_excerpt(line)), **where
            )
        texts.append(_checked_text(value, **where))
        labels.append(_checked_label(_json_label(record[label_column], line, **where), **where))
    return texts, labels


def read_folder(path: str | os.PathLike, *, encoding: str = AUTO) -> tuple[list[str], list[str]]:
    """Read a folder that holds one sub-folder per label, one ``.txt`` file per document.

    The sub-folder's name is the label. Each ``.txt`` file (or ``.txt.gz``) is
    one document, decoded on its own and stripped of surrounding whitespace.
    Folders and files whose names start with ``"."`` are ignored, and so are
    files that do not end in ``.txt`` and files directly inside ``path``.
    Labels and files are read in sorted name order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label, name, text in [("neg", "1.txt", "dull"), ("pos", "1.txt", "fine\\n")]:
    ...     (root / label).mkdir(exist_ok=True)
    ...     _ = (root / label / name).write_text(text)
    >>> read_folder(root)
    (['dull', 'fine'], ['neg', 'pos'])
    """
    root = Path(path)
    label_dirs = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    if not label_dirs:
        raise DataError(Errors.E218, file=root)
    texts, labels = [], []
    for folder in label_dirs:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and not p.name.startswith(".")
            and p.name.lower().endswith((".txt", ".txt.gz"))
        )
        if not files:
            raise DataError(Errors.E219.format(label=folder.name), file=folder)
        label = _checked_label(folder.name, file=folder)
        for file in files:
            texts.append(_checked_text(read_text(file, encoding).strip(), file=file))
            labels.append(label)
    return texts, labels


def _column_index(header, column, role, param, *, file, line) -> int:
    if column in header:
        return header.index(column)
    raise DataError(
        Errors.E211.format(
            column=column,
            role=role,
            hint=did_you_mean(column, header),
            available=quoted_list(header),
            param=param,
        ),
        file=file,
        line=line,
    )


def _checked_text(text: str, *, file=None, line=None) -> str:
    if not text.strip():
        raise DataError(Errors.E217.format(role="text"), file=file, line=line)
    return text


def _checked_label(label: str, *, file=None, line=None) -> str:
    label = label.strip()
    if not label:
        raise DataError(Errors.E217.format(role="label"), file=file, line=line)
    return label


def _json_label(value, record_line: str, *, file=None, line=None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise DataError(
        Errors.E216.format(kind=_json_kind(value), excerpt=_excerpt(record_line)),
        file=file,
        line=line,
    )


def _json_kind(value) -> str:
    """Name a decoded JSON value the way JSON does: 'an array', 'null', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _excerpt(line: str) -> str:
    """Quote the start of a line for an error message."""
    if len(line) > _EXCERPT_CHARS:
        line = line[: _EXCERPT_CHARS - 3] + "..."
    return repr(line)


__all__ = [
    "DATA_FORMATS",
    "MAX_FIELD_CHARS",
    "allow_long_fields",
    "check_format",
    "detect_format",
    "parse_delimited",
    "parse_jsonl",
    "parse_lines",
    "read_examples",
    "read_folder",
]
