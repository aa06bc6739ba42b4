"""Read training data: labelled texts in one of :data:`DATA_FORMATS`.

The formats, and how one record of each is read, are those of
:mod:`textpipe.data.formats`, which scoring uses too. Each reader returns
``(texts, labels)``, two lists of str of the same length. Every malformed record
raises :class:`~textpipe.errors.DataError` naming the file and the 1-based line,
with a short excerpt of what was found. Nothing is silently dropped except blank
lines, which carry no data.

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
import os
from pathlib import Path

from ..errors import DataError, Errors
from ..paths import check_input_file
from .decoding import AUTO, read_text, split_lines
from .formats import (DELIMITERS, TRAINING_FORMATS, BadRecord, allow_long_fields,
                      check_field_count, check_format, column_positions, csv_problem,
                      empty_header_error, header_names, json_field, label_value,
                      parse_json_object, split_labelled_line, text_value)

#: The formats that training data can be written in (see :mod:`textpipe.data.formats`).
DATA_FORMATS = TRAINING_FORMATS
_EXCERPT_CHARS = 60


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
    format : {"lines", "csv", "tsv", "jsonl", "parquet", "folder"}
    encoding : str, default="auto"
        See :mod:`textpipe.data.decoding`; unused by parquet.
    text_column, label_column : str
        The column (csv, tsv, parquet) or field (jsonl) names; unused by other formats.

    Returns
    -------
    texts, labels : list of str

    Raises
    ------
    DataError
        If the data is malformed or holds no examples.
    """
    path = Path(path)
    check_format(format, TRAINING_FORMATS)
    columns = {"text_column": text_column, "label_column": label_column}
    if format == "folder":
        if not path.is_dir():
            raise DataError(Errors.E222, file=path)
        texts, labels = read_folder(path, encoding=encoding)
    elif path.is_dir():
        raise DataError(Errors.E221.format(fmt=format), file=path)
    elif format == "parquet":
        check_input_file(path)
        texts, labels = read_parquet(path, **columns)
    else:
        check_input_file(path)  # a pipe or a device (/dev/zero) would be read without end
        text = read_text(path, encoding)
        if format == "lines":
            texts, labels = parse_lines(text, file=path)
        elif format == "jsonl":
            texts, labels = parse_jsonl(text, **columns, file=path)
        else:
            texts, labels = parse_delimited(text, delimiter=DELIMITERS[format], **columns,
                                            file=path)
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
    textpipe.errors.DataError: x.txt, line 2: expected 'LABEL TEXT' (the label, a space, then the text), but the line holds a single field: 'awful'. [E207]
    """
    def example(line: str) -> tuple[str, str]:
        label, text = split_labelled_line(line)
        return text_value(text), label_value(label)

    return _each_line(text, example, file)


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
    whitespace is removed from column names and labels, not from texts.

    Examples
    --------
    >>> parse_delimited('id,review,stars\\n1,"Two lines:\\nfine",5\\n',
    ...                 text_column="review", label_column="stars")
    (['Two lines:\\nfine'], ['5'])
    >>> parse_delimited("label,txt\\npos,fine\\n", file="r.csv")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: r.csv, line 1: the header has no column 'text' for the text. Did you mean 'txt'? Its columns are: 'label', 'txt'. Set text_column to one of them: use --text-column NAME on the command line, or text_column: NAME in the data: section. [E211]
    """
    fmt = "tsv" if delimiter == "\t" else "csv"
    allow_long_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    texts, labels = [], []
    start = 1  # the line on which the next record starts
    try:
        for row in reader:
            number, start = start, reader.line_num + 1
            if not row:
                continue
            if header is None:
                header = header_names(row)
                text_at, label_at = column_positions(
                    header, [(text_column, "text", "text_column"),
                             (label_column, "label", "label_column")], file=file, line=number)
                continue
            try:
                check_field_count(row, len(header), delimiter.join(row))
                texts.append(text_value(row[text_at]))
                labels.append(label_value(row[label_at]))
            except BadRecord as problem:
                raise _bad_line(problem, delimiter.join(row), file, number) from None
    except csv.Error as exc:
        raise _bad_line(csv_problem(fmt, exc), None, file, start) from None
    if header is None:
        raise empty_header_error(fmt, labelled=True, file=file)
    return texts, labels


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
    textpipe.errors.DataError: d.jsonl, line 2: expected a JSON object, but the line holds an array: '["bad"]'. [E291]
    """
    def example(line: str) -> tuple[str, str]:
        record = parse_json_object(line)
        text = json_field(record, text_column, "text", "text_column")
        label = json_field(record, label_column, "label", "label_column")
        return text_value(text), label_value(label)

    return _each_line(text, example, file)


def read_parquet(
    path: str | os.PathLike, *, text_column: str = "text", label_column: str = "label"
) -> tuple[list[str], list[str]]:
    """Read the text and label columns of a Parquet file.

    Texts must be strings; labels strings or integers (a whole float such as
    ``1.0`` is read as ``"1"``). A bad value raises an error naming its row,
    counted from 0.

    Examples
    --------
    >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.parquet"
    >>> pq.write_table(pa.table({"text": ["fine", "dull"], "stars": [5, 1]}), path)
    >>> read_parquet(path, label_column="stars")
    (['fine', 'dull'], ['5', '1'])
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as exc:
        raise DataError(Errors.E001.format(reason=exc), file=path) from None
    column_positions(names, [(text_column, "text", "text_column"),
                             (label_column, "label", "label_column")], file=path)
    try:
        table = pq.read_table(path, columns=list(dict.fromkeys([text_column, label_column])))
        text_values = table.column(text_column).to_pylist()
        label_values = table.column(label_column).to_pylist()
    except (OSError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise DataError(Errors.E001.format(reason=exc), file=path) from None
    read = {"text": ([], text_value), "label": ([], label_value)}
    for row, values in enumerate(zip(text_values, label_values)):
        for (kept, check), value in zip(read.values(), values):
            try:
                kept.append(check(value))
            except BadRecord as problem:
                raise DataError(Errors.E299.format(row=row, reason=problem.reason,
                                                   excerpt=_excerpt(value if isinstance(value, str)
                                                                    else repr(value)),
                                                   advice=problem.advice), file=path) from None
    return read["text"][0], read["label"][0]


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
        try:
            label = label_value(folder.name)
        except BadRecord as problem:
            raise _bad_line(problem, None, folder) from None
        for file in files:
            try:
                texts.append(text_value(read_text(file, encoding).strip()))
            except BadRecord as problem:
                raise _bad_line(problem, None, file) from None
            labels.append(label)
    return texts, labels


def _each_line(text: str, example, file) -> tuple[list[str], list[str]]:
    """Apply ``example`` (a line to ``(text, label)``) to every line that is not blank.

    The line is given, and quoted in an error, without spaces and tabs at either end.
    """
    texts, labels = [], []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        line = line.strip(" \t")
        try:
            text, label = example(line)
        except BadRecord as problem:
            raise _bad_line(problem, line, file, number) from None
        texts.append(text)
        labels.append(label)
    return texts, labels


def _bad_line(problem: BadRecord, line: str | None, file, number: int | None = None) -> DataError:
    """The error for a bad record of training data: the reason, and an excerpt of the line."""
    excerpt = "" if line is None else ": " + _excerpt(line)
    return DataError(Errors.E297.format(reason=problem.reason, excerpt=excerpt,
                                        advice=problem.advice), file=file, line=number)


def _excerpt(line: str) -> str:
    """Quote the start of a line for an error message."""
    if len(line) > _EXCERPT_CHARS:
        line = line[: _EXCERPT_CHARS - 3] + "..."
    return repr(line)


__all__ = [
    "DATA_FORMATS",
    "parse_delimited",
    "parse_jsonl",
    "parse_lines",
    "read_examples",
    "read_folder",
    "read_parquet",
]
