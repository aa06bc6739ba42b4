"""The data formats, and how one record of each is read: shared by training and scoring.

One vocabulary names how documents are written, for training data
(:func:`~textpipe.data.load_dataset`, ``--data-format``, ``format:`` in a YAML data
block) and for input to score (``textpipe score --input-format``):

==========  ===============================================  ========  =======
format      what it holds                                    training  scoring
==========  ===============================================  ========  =======
``text``    one document per line, no label                  no        yes
``lines``   one ``LABEL TEXT`` per line (space or tab)       yes       yes
``csv``     a header row, then one record per row            yes       yes
``tsv``     as csv, with tabs                                yes       yes
``jsonl``   one JSON object per line                         yes       yes
``parquet`` a Parquet file with named columns                yes       yes
``folder``  one sub-folder per label, one ``.txt`` per doc   yes       no
==========  ===============================================  ========  =======

:func:`detect_format` tells the format from a name; the functions below take
the text (and the label or id) out of one record, and raise :class:`BadRecord`
with the reason when they cannot. The training reader
(:mod:`textpipe.data.readers`) turns that into a :class:`~textpipe.errors.DataError`
naming the file and line; the scoring reader (:mod:`textpipe.score.readers`) writes
it to the errors file and goes on.

Examples
--------
>>> detect_format("reviews.csv.gz"), detect_format("docs.txt", labelled=False)
('csv', 'text')
>>> text_value(json_field(parse_json_object('{"body": "fine"}'), "body", "text", "--text-column"))
'fine'
>>> parse_json_object('[1, 2]')
Traceback (most recent call last):
...
textpipe.data.formats.BadRecord: expected a JSON object, but the line holds an array
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from ..errors import DataError, Errors, did_you_mean, quoted_list

FORMATS = ("text", "lines", "csv", "tsv", "jsonl", "parquet", "folder")
#: The formats that hold labels, and so can be training data.
TRAINING_FORMATS = ("lines", "csv", "tsv", "jsonl", "parquet", "folder")
#: The formats ``textpipe score`` reads: a folder of labelled files is training data only.
SCORING_FORMATS = ("text", "lines", "csv", "tsv", "jsonl", "parquet")
DELIMITERS = {"csv": ",", "tsv": "\t"}
STDIN = "-"
#: The longest CSV/TSV field read, in characters. Python's csv module stops at 128 Ki
#: by default, shorter than some documents.
MAX_FIELD_CHARS = 1 << 30

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_NOT_FOR = {"text": Errors.E282, "folder": Errors.E283}
_LABEL_SEPARATOR = re.compile(r"[ \t]")


class BadRecord(Exception):
    """One record cannot be read; ``reason`` says why, ``advice`` (may be "") what to do.

    The reason is one clause without a final period, as the errors file of a
    scoring run records it.
    """

    def __init__(self, reason: str, advice: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.advice = advice


def check_format(fmt, allowed=FORMATS):
    """Return ``fmt`` if it is None or one of ``allowed``, else raise ``DataError``.

    Parameters
    ----------
    fmt : str or None
    allowed : tuple of str, default=FORMATS
        :data:`TRAINING_FORMATS` or :data:`SCORING_FORMATS` for one use.

    Examples
    --------
    >>> check_format("csv", TRAINING_FORMATS)
    'csv'
    >>> check_format("xml", SCORING_FORMATS)
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: unknown data format 'xml'. Use one of: 'text', 'lines', 'csv', 'tsv', 'jsonl', 'parquet'. [E280]
    >>> check_format("text", TRAINING_FORMATS)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: format 'text' has one document per line and no labels, ... Use one of: 'lines', ...
    """
    if fmt is None or fmt in allowed:
        return fmt
    if fmt in FORMATS:
        raise DataError(Errors.E281.format(fmt=fmt, why=_NOT_FOR[fmt],
                                           allowed=quoted_list(allowed)))
    raise DataError(Errors.E280.format(fmt=fmt, allowed=quoted_list(allowed)))


def detect_format(path, *, labelled: bool = True) -> str:
    """Tell a file's format from its name (a folder is ``"folder"``).

    ``.csv`` is csv; ``.tsv`` and ``.tab`` tsv; ``.jsonl`` and ``.ndjson`` jsonl;
    ``.parquet`` and ``.pq`` parquet; a ``.gz`` suffix is looked through. Any other
    name, and ``-`` (standard input), is one document per line: ``"lines"``
    (``LABEL TEXT``) for training data, ``"text"`` for input to score
    (``labelled=False``).

    Examples
    --------
    >>> [detect_format(p) for p in ["a.tsv.gz", "a.ndjson", "a.pq", "rt-polarity.all"]]
    ['tsv', 'jsonl', 'parquet', 'lines']
    >>> detect_format("-", labelled=False)
    'text'
    """
    plain = "lines" if labelled else "text"
    if str(path) == STDIN:
        return plain
    path = Path(path)
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    return _SUFFIX_FORMATS.get(Path(name).suffix, plain)


# -- lines ------------------------------------------------------------------------


def split_labelled_line(line: str) -> tuple[str, str]:
    """Split a ``LABEL TEXT`` line (already stripped of spaces and tabs) into label and text.

    Examples
    --------
    >>> split_labelled_line("pos\\t a fine film")
    ('pos', 'a fine film')
    >>> split_labelled_line("awful")
    Traceback (most recent call last):
    ...
    textpipe.data.formats.BadRecord: expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a single field
    """
    separator = _LABEL_SEPARATOR.search(line)
    if separator is None:
        raise BadRecord(Errors.E207)
    return line[: separator.start()], line[separator.end() :].strip(" \t")


# -- csv and tsv --------------------------------------------------------------------


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


def csv_problem(fmt: str, exc: csv.Error) -> BadRecord:
    """The reason a CSV/TSV record does not parse, from the csv module's error."""
    return BadRecord(Errors.E287.format(fmt=fmt, reason=exc), Errors.E288)


def check_field_count(fields: list[str], n_fields: int, record: str) -> list[str]:
    """Return ``fields`` if there are as many as the header has.

    Examples
    --------
    >>> check_field_count(["1", "fine"], 2, "1,fine")
    ['1', 'fine']
    >>> check_field_count(["1", "fine", "!"], 2, "1,fine,!")
    Traceback (most recent call last):
    ...
    textpipe.data.formats.BadRecord: expected 2 fields, as in the header, but the record has 3
    """
    if len(fields) == n_fields:
        return fields
    if not record.strip():
        raise BadRecord(Errors.E295.format(role="text"))
    raise BadRecord(Errors.E286.format(expected=n_fields, got=len(fields)), Errors.E288)


def split_record(record: str, fmt: str, n_fields: int | None = None) -> list[str]:
    """Parse one CSV/TSV record (it may span lines inside quotes) into its fields.

    Examples
    --------
    >>> split_record('7,"fine, really"', "csv", 2)
    ['7', 'fine, really']
    """
    allow_long_fields()
    try:
        fields = next(csv.reader([record], delimiter=DELIMITERS[fmt], strict=True), [])
    except csv.Error as exc:
        raise csv_problem(fmt, exc) from None
    return fields if n_fields is None else check_field_count(fields, n_fields, record)


def header_names(fields) -> tuple[str, ...]:
    """The column names of a header row, without surrounding whitespace."""
    return tuple(name.strip() for name in fields)


def empty_header_error(fmt: str, *, labelled: bool, file=None, line=None) -> DataError:
    """The error for a CSV/TSV file with no header row."""
    example = DELIMITERS[fmt].join(["label" if labelled else "id", "text"])
    return DataError(Errors.E208.format(fmt=fmt, example=repr(example.replace("\t", "<TAB>"))),
                     file=file, line=line)


def column_positions(names, wanted, **where) -> list[int | None]:
    """Where each wanted column is among ``names``; raise ``DataError`` if one is not.

    Parameters
    ----------
    names : sequence of str
        A header's (or a Parquet schema's) column names.
    wanted : iterable of (column, role, param)
        ``column`` may be None (not wanted: its position is None); ``role`` names
        it in the message ("text", "label", "id"), and ``param`` the option that set it.
    **where
        ``file`` and ``line``, for the message.

    Examples
    --------
    >>> column_positions(("id", "body"),
    ...                  [("body", "text", "--text-column"), (None, "id", "--id-column")])
    [1, None]
    """
    names = list(names)
    positions = []
    for column, role, param in wanted:
        if column is not None and column not in names:
            raise DataError(Errors.E211.format(
                column=column, role=role, hint=did_you_mean(column, names),
                available=quoted_list(names), param=param, how=where_to_set(param)),
                **where)
        positions.append(None if column is None else names.index(column))
    return positions


# -- jsonl --------------------------------------------------------------------------


def parse_json_object(line: str) -> dict:
    """Parse one JSON Lines record, which must be an object."""
    try:
        record = json.loads(line)
    except RecursionError:
        raise BadRecord(Errors.E289.format(reason="nested too deeply"), Errors.E290) from None
    except ValueError as exc:
        reason = getattr(exc, "msg", str(exc))
        column = getattr(exc, "colno", None)
        where = f"{reason} at column {column}" if column else reason
        raise BadRecord(Errors.E289.format(reason=where), Errors.E290) from None
    if not isinstance(record, dict):
        raise BadRecord(Errors.E291.format(kind=json_kind(record)))
    return record


def json_field(record: dict, name: str, role: str, param: str):
    """The value of field ``name`` of a JSON object; ``param`` is the option that named it."""
    try:
        return record[name]
    except KeyError:
        hint = did_you_mean(name, record).strip()
        hint = f" ({hint[0].lower()}{hint[1:]})" if hint else ""
        raise BadRecord(Errors.E292.format(field=name, role=role, hint=hint,
                                           available=quoted_list(record) or "none"),
                        Errors.E293.format(param=param, how=where_to_set(param))) from None


def where_to_set(param: str) -> str:
    """How a user names the column that ``param`` chose, for the end of a message.

    The readers are called from the command line and from a pipeline's
    ``data:`` section alike, so a message names both ways.

    Examples
    --------
    >>> where_to_set("text_column")
    ': use --text-column NAME on the command line, or text_column: NAME in the data: section'
    >>> where_to_set("--id-column")
    ''
    """
    if param in ("text_column", "label_column"):
        return (f": use --{param.replace('_', '-')} NAME on the command line, "
                f"or {param}: NAME in the data: section")
    return ""


def json_kind(value) -> str:
    """Name a decoded JSON value the way JSON does: 'an array', 'null', ...

    Examples
    --------
    >>> json_kind([1]), json_kind(None), json_kind(True), json_kind(2.5)
    ('an array', 'null', 'a boolean', 'a number')
    """
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


# -- values -------------------------------------------------------------------------


def text_value(value) -> str:
    """Return ``value`` if it is a document: a string that is not blank.

    Examples
    --------
    >>> text_value("fine")
    'fine'
    >>> text_value(None)
    Traceback (most recent call last):
    ...
    textpipe.data.formats.BadRecord: the text is missing (null)
    """
    if value is None:
        raise BadRecord(Errors.E296.format(role="text"))
    if not isinstance(value, str):
        raise BadRecord(Errors.E294.format(kind=json_kind(value)))
    if not value.strip():
        raise BadRecord(Errors.E295.format(role="text"))
    return value


def label_value(value) -> str:
    """Return a label as a stripped, non-empty str.

    A string is kept, an integer is written out (``1`` is ``"1"``), and a float
    only if it is a whole number (``1.0`` is ``"1"``).

    Examples
    --------
    >>> label_value(" pos "), label_value(1), label_value(1.0)
    ('pos', '1', '1')
    >>> label_value(0.5)
    Traceback (most recent call last):
    ...
    textpipe.data.formats.BadRecord: the label must be a string or an integer, but it is a number
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (
            isinstance(value, float) and not value.is_integer()):
        raise BadRecord(Errors.E216.format(kind=json_kind(value)), Errors.E284)
    label = str(int(value)) if isinstance(value, float) else str(value).strip()
    if not label:
        raise BadRecord(Errors.E295.format(role="label"))
    return label


__all__ = ["DELIMITERS", "FORMATS", "MAX_FIELD_CHARS", "SCORING_FORMATS", "STDIN",
           "TRAINING_FORMATS", "BadRecord", "allow_long_fields", "check_field_count",
           "check_format", "column_positions", "csv_problem", "detect_format",
           "empty_header_error", "header_names", "json_field", "json_kind", "label_value",
           "parse_json_object", "split_labelled_line", "split_record", "text_value"]
