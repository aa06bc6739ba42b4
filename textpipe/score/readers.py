"""Read documents to score, chunk by chunk, in one of :data:`INPUT_FORMATS`.

The formats, and how one record of each is read, are those of
:mod:`textpipe.data.formats`, which training data uses too; what this module adds is
the streaming.

Reading is split in two halves so that only the cheap half is serial:

* :meth:`ScoreInput.chunks` runs in the main process. It cuts the input into
  :class:`RawChunk` s of ``chunk_size`` records *without decoding them*: lines are
  split at ``b"\\n"`` only (never at U+0085 or U+2028, see
  :mod:`textpipe.data.decoding`), and a CSV record goes on to the next line while a
  quoted field is open (:func:`ends_in_quotes`). Each chunk knows its first row, its
  lines and its byte range, so a job can commit it and later resume after it.
* :func:`parse_chunk` runs wherever the chunk is scored. It decodes each record on
  its own, so one bad byte loses one row, and takes out the text, the id and the
  kept columns. A record that cannot be read, or whose id or kept values no output
  could hold (see :func:`id_problem`; a lone surrogate anywhere), becomes an error
  row (row, line, reason, excerpt); it never stops the others.

Rows are numbered from 0 in input order, every record counted (bad ones too, a CSV
header not): row ``i`` is line ``i + 1`` of a text or JSONL file. Memory holds one
block of input (1 MiB) and the chunks in flight, whatever the input's size.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "docs.jsonl"
>>> _ = path.write_bytes(b'{"text": "a fine film"}\\n{"txt": "oops"}\\n{"text": "caf\\xe9"}\\n')
>>> source = ScoreInput(path)
>>> source.format, source.spec.codec
('jsonl', 'cp1252')
>>> [chunk] = source.chunks(chunk_size=10)
>>> parsed = parse_chunk(chunk, source.spec)
>>> parsed.texts, parsed.rows
(['a fine film', 'café'], [0, 2])
>>> parsed.errors[0]["line"], parsed.errors[0]["reason"]
(2, "no field 'text' for the text (did you mean 'txt'?); the fields are: 'txt'")
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..data.decoding import (AUTO, EncodingChoice, check_encoding, choose_encoding,
                             decode_problem, is_ascii_compatible)
from ..data.formats import (DELIMITERS, SCORING_FORMATS, STDIN, BadRecord, allow_long_fields,
                            check_format, column_positions, detect_format, empty_header_error,
                            header_names, json_field, json_kind, parse_json_object,
                            split_labelled_line, split_record, text_value)
from ..errors import DataError, Errors, quoted_list
from ..paths import check_input_file

#: The formats ``textpipe score`` reads (see :mod:`textpipe.data.formats`).
INPUT_FORMATS = SCORING_FORMATS
BLOCK_BYTES = 1 << 20
#: A CSV field in quotes may span at most this many lines; past that, the quote is
#: taken to be a stray one and the record's first line is reported as bad.
MAX_RECORD_LINES = 1000
EXCERPT_CHARS = 80
#: Formats with one record per line (the others: CSV/TSV records may span lines).
_ONE_PER_LINE = ("text", "lines", "jsonl")
#: Formats without named columns: no id column, nothing to keep.
_UNNAMED = ("text", "lines")
_EMPTY = Errors.E295.format(role="text")


@dataclass(frozen=True)
class InputSpec:
    """How to read the records of one input: decided once, sent with every chunk.

    Attributes
    ----------
    format : str
        One of :data:`INPUT_FORMATS`.
    codec : str
        The codec each record is decoded with (text formats).
    text_column : str
        The CSV/TSV column, JSONL field or Parquet column holding the text.
    id_column : str or None
        Where ids come from; ``None`` numbers rows from 0.
    keep : tuple of str
        Columns or fields copied to the output.
    header : tuple of str
        A CSV/TSV file's column names.
    """

    format: str
    codec: str = "utf-8"
    text_column: str = "text"
    id_column: str | None = None
    keep: tuple[str, ...] = ()
    header: tuple[str, ...] = ()


@dataclass
class RawChunk:
    """Records cut from the input but not decoded yet.

    ``records`` is a list of bytes (one per record, without its newline) or, for
    Parquet, a ``pyarrow.Table``. ``lines`` gives each record's first line where
    records may span lines (CSV/TSV); otherwise record ``i`` is on line
    ``first_line + i``. ``position`` is how far into the input the chunk ends, in
    the units of :attr:`ScoreInput.total` (bytes, or rows for Parquet).
    """

    index: int
    first_row: int
    n_rows: int
    records: Any
    first_line: int | None = None
    lines: list[int] | None = None
    byte_end: int = 0
    line_end: int = 0
    position: int = 0

    def line_of(self, row: int) -> int | None:
        """The line on which input row ``row`` (of this chunk) starts; None for Parquet."""
        if self.lines is not None:
            return self.lines[row - self.first_row]
        if self.first_line is None:
            return None
        return self.first_line + row - self.first_row

    def end(self) -> dict:
        """Where the next chunk starts: what a journal records to resume after this one."""
        return {"chunk": self.index + 1, "row": self.first_row + self.n_rows,
                "line": self.line_end, "byte": self.byte_end}


@dataclass
class ParsedChunk:
    """The readable rows of a chunk, and the others as error rows."""

    texts: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    ids: Any = None
    kept: dict[str, Any] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def keep_only(self, good: list[int]) -> None:
        """Keep the readable rows at positions ``good`` (of :attr:`rows`), drop the others."""
        def take(values):
            if values is None:
                return None
            if hasattr(values, "take"):  # a pyarrow array
                return values.take(good)
            return [values[i] for i in good]

        self.texts = [self.texts[i] for i in good]
        self.rows = [self.rows[i] for i in good]
        self.ids = take(self.ids)
        self.kept = {name: take(values) for name, values in self.kept.items()}


class ScoreInput:
    """One input to score: a file or ``-`` (stdin), its format and how to read it.

    Opening it reads the start of the input: the encoding is settled there
    (``"auto"`` judges the first MiB line by line with
    :func:`~textpipe.data.decoding.choose_encoding`, and the choice holds for the
    whole file; a row that the choice cannot decode is an error row; why a choice
    other than plain UTF-8 was made is in :attr:`encoding_note`), and so is a
    CSV/TSV header or a Parquet schema, so a missing column is reported before
    anything runs. A Parquet input holds its file open until
    :meth:`close` (or the end of a ``with`` block); text inputs open theirs per
    :meth:`chunks` call.

    Parameters
    ----------
    path : str or Path
        The input, or ``"-"`` for standard input. A ``.gz`` file is decompressed
        on the fly (text formats).
    format : str, optional
        One of :data:`INPUT_FORMATS`; detected from the name if omitted
        (:func:`~textpipe.data.formats.detect_format`: ``text`` unless the name says
        otherwise).
    encoding : str, default="auto"
    text_column, id_column, keep
        See :class:`InputSpec`.
    """

    def __init__(self, path, format: str | None = None, *, encoding: str = AUTO,
                 text_column: str = "text", id_column: str | None = None, keep=()):
        self.path = str(path)
        self.is_stdin = self.path == STDIN
        self.format = check_format(format or detect_format(self.path, labelled=False),
                                   INPUT_FORMATS)
        if not self.is_stdin:
            check_input_file(self.path, stdin_ok=True)  # not a pipe: it may never end
        keep = tuple(keep)
        if self.format in _UNNAMED and (id_column or keep):
            raise DataError(Errors.E810.format(fmt=self.format,
                                               option="--id-column" if id_column else "--keep"),
                            file=self.path)
        if self.format == "parquet" and self.is_stdin:
            raise DataError(Errors.E803.format(what="Parquet"))
        twice = [name for name in dict.fromkeys(keep) if keep.count(name) > 1]
        if twice:
            raise DataError(Errors.E882.format(names=quoted_list(twice)))
        #: Why ``encoding="auto"`` chose its codec, when the input was not plain UTF-8.
        self.encoding_note: str | None = None
        self._head = b""
        self._data_start = 0
        self._data_line = 1
        if self.format == "parquet":
            self.spec = self._open_parquet(text_column, id_column, keep)
        else:
            self.spec = self._open_text(encoding, text_column, id_column, keep)

    # -- facts -----------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """The input's size in progress units (bytes; rows for Parquet), if known."""
        if self.is_stdin:
            return None
        if self.format == "parquet":
            return self._parquet.metadata.num_rows
        return os.path.getsize(self.path)

    def fingerprint(self) -> dict:
        """The input's path, size and SHA-256 (of the file as stored), for resuming.

        Standard input has none: it cannot be read twice.
        """
        if self.is_stdin:
            return {"path": STDIN}
        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(BLOCK_BYTES * 4), b""):
                digest.update(block)
        return {"path": str(Path(self.path).resolve()), "size": os.path.getsize(self.path),
                "sha256": digest.hexdigest()}

    # -- opening ----------------------------------------------------------------

    def _open_stream(self):
        if self.is_stdin:
            return sys.stdin.buffer
        if self.path.lower().endswith(".gz"):
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")

    def _open_text(self, encoding, text_column, id_column, keep) -> InputSpec:
        if self.is_stdin:
            self._stdin = sys.stdin.buffer
            head = self._stdin.read(BLOCK_BYTES)
            self._head = head
        else:
            with self._open_stream() as fh:
                head = fh.read(BLOCK_BYTES)
        choice, start = _settle_codec(head, encoding, self.path,
                                      complete=len(head) < BLOCK_BYTES)
        codec, self.encoding_note = choice.codec, choice.note
        self._data_start = start
        header: tuple[str, ...] = ()
        if self.format in DELIMITERS:
            header, length, n_lines = _read_header(head, start, codec, self.format, self.path)
            self._data_start = start + length
            self._data_line = 1 + n_lines
            column_positions(header, _wanted(text_column, id_column, keep), file=self.path, line=1)
        return InputSpec(self.format, codec, text_column, id_column, keep, header)

    def _open_parquet(self, text_column, id_column, keep) -> InputSpec:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self._parquet = pq.ParquetFile(self.path)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(Errors.E001.format(reason=exc), file=self.path) from None
        try:
            schema = self._parquet.schema_arrow
            names = schema.names
            column_positions(names, _wanted(text_column, id_column, keep), file=self.path)
            kind = schema.field(text_column).type
            if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                strings = [f.name for f in schema if pa.types.is_string(f.type)
                           or pa.types.is_large_string(f.type)]
                raise DataError(Errors.E814.format(column=text_column, kind=kind,
                                                   available=quoted_list(strings) or "none"),
                                file=self.path)
        except BaseException:
            self.close()
            raise
        return InputSpec("parquet", "utf-8", text_column, id_column, keep, tuple(names))

    def close(self) -> None:
        """Release the input: a Parquet file is held open from opening to here."""
        parquet = getattr(self, "_parquet", None)
        if parquet is not None:
            parquet.close()
            self._parquet = None

    def __enter__(self) -> "ScoreInput":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def arrow_type(self, column: str):
        """The Arrow type of a Parquet input's column (None for other formats)."""
        if self.format != "parquet":
            return None
        return self._parquet.schema_arrow.field(column).type

    # -- chunks -----------------------------------------------------------------

    def chunks(self, chunk_size: int, start: dict | None = None) -> Iterator[RawChunk]:
        """Yield the input's chunks in order, from the start or from ``start``.

        Parameters
        ----------
        chunk_size : int
            Records per chunk (the last chunk may hold fewer).
        start : dict, optional
            Where to begin, as :meth:`RawChunk.end` describes it: ``chunk``,
            ``row``, ``line`` and ``byte``. Files only.
        """
        if start is not None and self.is_stdin:
            raise stdin_cannot_resume()
        if self.format == "parquet":
            yield from self._parquet_chunks(chunk_size, start)
            return
        where = start or {"chunk": 0, "row": 0, "line": self._data_line,
                          "byte": self._data_start}
        if self.is_stdin:
            head = self._head[self._data_start:]
            stream = self._stdin
        else:
            stream = self._open_stream()
            stream.seek(where["byte"])
            head = b""
        try:
            blocks = _lines_of(stream, head)
            if self.format in DELIMITERS:
                yield from _cut_records(blocks, chunk_size, where, self._position(stream),
                                        DELIMITERS[self.format], len(self.spec.header))
            else:
                yield from _cut_lines(blocks, chunk_size, where, self._position(stream))
        finally:
            if not self.is_stdin:
                stream.close()

    def _position(self, stream):
        """Progress in file bytes: the compressed position for .gz files."""
        raw = getattr(stream, "fileobj", None)
        if raw is not None:
            return lambda byte: raw.tell()
        return lambda byte: byte

    def _parquet_chunks(self, chunk_size, start) -> Iterator[RawChunk]:
        import pyarrow as pa

        spec = self.spec
        columns = list(dict.fromkeys([spec.text_column, *filter(None, [spec.id_column]),
                                      *spec.keep]))
        index, row = (0, 0) if start is None else (start["chunk"], start["row"])
        meta = self._parquet.metadata
        first, seen = 0, 0  # start at the row group that holds `row`
        while first < meta.num_row_groups and seen + meta.row_group(first).num_rows <= row:
            seen += meta.row_group(first).num_rows
            first += 1
        groups = list(range(first, meta.num_row_groups))
        skip = row - seen
        pending: list = []
        n_pending = 0

        def emit(table):
            nonlocal index, row
            chunk = RawChunk(index, row, table.num_rows, table, position=row + table.num_rows)
            chunk.line_end = 0
            index, row = index + 1, row + table.num_rows
            return chunk

        if not groups:
            return
        for batch in self._parquet.iter_batches(batch_size=chunk_size, row_groups=groups,
                                                columns=columns):
            if skip:
                cut = min(skip, batch.num_rows)
                batch, skip = batch.slice(cut), skip - cut
                if batch.num_rows == 0:
                    continue
            pending.append(batch)
            n_pending += batch.num_rows
            while n_pending >= chunk_size:
                table = pa.Table.from_batches(pending)
                yield emit(table.slice(0, chunk_size).combine_chunks())
                rest = table.slice(chunk_size)
                pending, n_pending = rest.to_batches(), rest.num_rows
        if n_pending:
            yield emit(pa.Table.from_batches(pending).combine_chunks())


# -- splitting bytes into records (main process) -------------------------------------


def _lines_of(stream, head: bytes) -> Iterator[tuple[list[bytes], bool]]:
    """Yield ``(lines, last_has_newline)`` blocks: whole lines, split at ``b"\\n"`` only.

    Every line of a block but possibly the last ended with ``b"\\n"``;
    ``last_has_newline`` is False only for a final line with no newline at the end
    of the input.
    """
    pending = b""
    first = True
    while True:
        block = head if first and head else stream.read(BLOCK_BYTES)
        first = False
        if not block:
            break
        lines = (pending + block).split(b"\n")
        pending = lines.pop()
        if lines:
            yield lines, True
    if pending:
        yield [pending], False


def _cut_lines(blocks, chunk_size, where, position) -> Iterator[RawChunk]:
    """Chunks of ``chunk_size`` lines: text and JSONL, one record per line."""
    index, row, line, byte = where["chunk"], where["row"], where["line"], where["byte"]
    records: list[bytes] = []
    n_bytes = 0
    for lines, newline in blocks:
        at = 0
        while at < len(lines):
            piece = lines[at:at + chunk_size - len(records)]
            at += len(piece)
            records.extend(piece)
            n_bytes += sum(map(len, piece)) + len(piece) - (0 if newline or at < len(lines)
                                                            else 1)
            if len(records) == chunk_size:
                chunk = _raw(index, row, line, records, byte + n_bytes, position)
                yield chunk
                index, row, line, byte = index + 1, chunk.first_row + chunk.n_rows, \
                    chunk.line_end, chunk.byte_end
                records, n_bytes = [], 0
    if records:
        yield _raw(index, row, line, records, byte + n_bytes, position)


def _raw(index, row, line, records, byte_end, position) -> RawChunk:
    return RawChunk(index, row, len(records), records, first_line=line,
                    byte_end=byte_end, line_end=line + len(records), position=position(byte_end))


def ends_in_quotes(line, delimiter, quote, inside: bool = False) -> bool:
    """Whether a CSV/TSV record is inside a quoted field at the end of ``line``.

    The rules are those of Python's :mod:`csv` module: a quote opens a quoted field
    only where a field starts (at the start of the record or right after a
    delimiter); anywhere else in an unquoted field it is a literal character. In a
    quoted field a doubled quote is one literal quote, and a single one closes it.

    Parameters
    ----------
    line : bytes or str
        One line of the record, without its newline.
    delimiter, quote : bytes or str
        One character each, of the same type as ``line``.
    inside : bool, default=False
        Whether the record was inside quotes where ``line`` starts (it went on from
        the line before).

    Examples
    --------
    >>> ends_in_quotes('1,a 5" screen', ",", '"'), ends_in_quotes('1,"two', ",", '"')
    (False, True)
    >>> ends_in_quotes('lines",2', ",", '"', inside=True), ends_in_quotes('a ""b', ",", '"', True)
    (False, True)
    """
    find, at = line.find, 0
    while True:
        q = find(quote, at)
        if q < 0:
            return inside
        if not inside:  # a quote opens a field only where a field starts
            inside = q == 0 or line[q - 1:q] == delimiter
            at = q + 1
        elif line[q + 1:q + 2] == quote:  # "" inside quotes: one literal quote
            at = q + 2
        else:
            inside, at = False, q + 1


def _well_formed(parts: list[bytes], delimiter: str, n_fields: int) -> bool:
    """Whether a record that spans lines parses (strictly) into ``n_fields`` fields.

    Latin-1 decodes any byte and keeps the ASCII quotes, delimiters and newlines
    where they are, so the check needs no codec.
    """
    text = b"\n".join(parts).decode("latin-1")
    allow_long_fields()
    try:
        fields = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return len(fields) == 1 and len(fields[0]) == n_fields


def _cut_records(blocks, chunk_size, where, position, delimiter: str,
                 n_fields: int) -> Iterator[RawChunk]:
    """Chunks of ``chunk_size`` CSV/TSV records; a record spans lines while a quoted field is open.

    A record that spans lines is kept only if it is well formed: it parses into
    as many fields as the header has. One that is not, or whose quote is still
    open after :data:`MAX_RECORD_LINES` lines or at the end of the input, is taken
    to start with a stray quote: its first line alone becomes a record (which
    :func:`parse_chunk` reports as bad), and the lines after it are read again as
    records of their own. So a stray quote costs one row, never the rows after it.
    """
    index, row, byte = where["chunk"], where["row"], where["byte"]
    line = where["line"]
    records: list[bytes] = []
    starts: list[int] = []
    for parts in _csv_records(_lines_in_order(blocks), delimiter, n_fields):
        records.append(b"\n".join(p for p, _ in parts))
        starts.append(line)
        line += len(parts)
        byte += sum(n for _, n in parts)
        if len(records) == chunk_size:
            yield _raw_chunk(index, row, records, starts, line, byte, position)
            index, row = index + 1, row + len(records)
            records, starts = [], []
    if records:
        yield _raw_chunk(index, row, records, starts, line, byte, position)


def _raw_chunk(index: int, row: int, records: list[bytes], starts: list[int], line: int,
               byte: int, position) -> RawChunk:
    """The chunk of ``records`` (starting on lines ``starts``) that ends at ``line``/``byte``."""
    return RawChunk(index, row, len(records), records, first_line=starts[0], lines=starts,
                    byte_end=byte, line_end=line, position=position(byte))


def _lines_in_order(blocks) -> Iterator[tuple[bytes, int]]:
    """Every line of ``blocks`` with the bytes it took (its newline included)."""
    for lines, newline in blocks:
        last = len(lines) - 1
        for i, text in enumerate(lines):
            yield text, len(text) + (1 if newline or i < last else 0)


def _csv_records(lines: Iterator[tuple[bytes, int]], delimiter: str,
                 n_fields: int) -> Iterator[list[tuple[bytes, int]]]:
    """Group ``lines`` into records, each the list of its (line, bytes it took).

    A record spans lines while a quoted field is open; a stray quote makes its
    first line a record alone, and the lines after it are read again (see
    :func:`_cut_records`).
    """
    quote, separator = b'"', delimiter.encode("ascii")
    pushback: list[tuple[bytes, int]] = []
    open_lines: list[tuple[bytes, int]] = []  # (line, bytes it took) of the open record
    inside = False
    while True:
        item = pushback.pop() if pushback else next(lines, None)
        if item is None:
            if not open_lines:
                return
            stray = True  # the input ended inside quotes
        else:
            open_lines.append(item)
            if inside or quote in item[0]:
                inside = ends_in_quotes(item[0], separator, quote, inside)
            if not inside:
                if len(open_lines) == 1 or _well_formed([p for p, _ in open_lines],
                                                        delimiter, n_fields):
                    record, open_lines = open_lines, []
                    yield record
                    continue
                stray = True
            else:
                stray = len(open_lines) > MAX_RECORD_LINES
        if stray:  # close the open record's first line alone; read the others again
            first, *rest = open_lines
            open_lines, inside = [], False
            pushback.extend(reversed(rest))
            yield [first]


def _settle_codec(head: bytes, encoding: str, path, complete: bool) -> tuple[EncodingChoice, int]:
    """Return the codec for every record (and why, for ``auto``), and where the data starts.

    ``complete`` says whether ``head`` is the whole input. A UTF-8 byte-order mark is
    skipped; ``auto`` decides with :func:`~textpipe.data.decoding.choose_encoding`.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(Errors.E812.format(encoding="UTF-16 (it starts with a byte-order mark)"),
                        file=path)
    start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    if encoding != AUTO:
        check_encoding(encoding, option="--encoding")
        if not is_ascii_compatible(encoding):
            raise DataError(Errors.E894.format(option="--encoding", encoding=encoding),
                            file=path)
        name = codecs.lookup(encoding).name
        return EncodingChoice("utf-8" if name == "utf-8-sig" else encoding), start
    if start:
        return EncodingChoice("utf-8"), start
    sample = head
    if not complete and b"\n" in head:  # judge whole lines only
        sample = head[: head.rindex(b"\n")]
        complete = True
    return choose_encoding(sample, complete=complete), 0


def _read_header(head: bytes, start: int, codec: str, fmt: str, path):
    """Parse a CSV/TSV header from the input's first bytes: names, byte length, lines."""
    data = head[start:]
    separator = DELIMITERS[fmt].encode("ascii")
    end, inside, n_lines = 0, False, 0
    while True:
        newline = data.find(b"\n", end)
        stop = len(data) if newline < 0 else newline
        inside = ends_in_quotes(data[end:stop], separator, b'"', inside)
        n_lines += 1
        end = stop + 1
        if not inside or newline < 0 or n_lines > MAX_RECORD_LINES:
            break
    raw = data[: min(end, len(data))]
    text = raw.decode(codec, errors="replace").rstrip("\n").rstrip("\r")
    if not text.strip():
        raise empty_header_error(fmt, labelled=False, file=path, line=1)
    try:
        header = split_record(text, fmt)
    except BadRecord as problem:
        raise DataError(Errors.E297.format(reason=problem.reason, excerpt="",
                                           advice=problem.advice), file=path, line=1) from None
    return header_names(header), len(raw), n_lines


# -- parsing a chunk (in the worker) -----------------------------------------------


def parse_chunk(chunk: RawChunk, spec: InputSpec) -> ParsedChunk:
    """Decode and parse one chunk's records; bad records become error rows.

    Returns
    -------
    ParsedChunk
        ``texts`` and ``rows`` of the readable records, in order; ``ids`` (a list,
        or None when rows are the ids) and ``kept`` (column name to values)
        aligned with them; ``errors``: one dict per bad record with ``row``,
        ``line``, ``reason`` and ``excerpt``.
    """
    if spec.format == "parquet":
        return _parse_parquet(chunk, spec)
    out = ParsedChunk()
    if spec.format == "text":
        texts = _decode_all(chunk.records, spec.codec)
        if texts is not None and all(map(str.strip, texts)):  # the usual case: all good
            out.texts = texts
            out.rows = list(range(chunk.first_row, chunk.first_row + len(texts)))
            return out
    out.ids = None if spec.id_column is None else []
    out.kept = {name: [] for name in spec.keep}
    if spec.format in _UNNAMED:
        extract = _line_reader(spec.format == "lines")
    elif spec.format == "jsonl":
        extract = _jsonl_reader(spec)
    else:
        extract = _delimited_reader(spec)
    texts, rows, ids = out.texts, out.rows, out.ids
    for row, line, text in _decoded(chunk, spec, out):
        try:
            value, row_id, kept = extract(text)
        except BadRecord as problem:
            out.errors.append(error_row(row, line, problem.reason, text))
            continue
        problem = None if ids is None else id_problem(row_id)
        for name, item in zip(spec.keep, kept):
            problem = problem or _surrogate_problem(item, f"kept field '{name}'")
        if problem:
            out.errors.append(error_row(row, line, problem, text))
            continue
        texts.append(value)
        rows.append(row)
        if ids is not None:
            ids.append(row_id)
        for name, item in zip(spec.keep, kept):
            out.kept[name].append(item)
    return out


def _decode_all(records: list[bytes], codec: str) -> list[str] | None:
    """Decode one-line records at once, without their ``"\\r"``; None if a byte fails."""
    try:
        texts = b"\n".join(records).decode(codec).split("\n")
    except UnicodeDecodeError:
        return None
    if any(text.endswith("\r") for text in texts):
        texts = [text[:-1] if text.endswith("\r") else text for text in texts]
    return texts


def _decoded(chunk: RawChunk, spec: InputSpec, out: ParsedChunk):
    """Yield ``(row, line, text)`` per record that decodes; the others become errors."""
    records = chunk.records
    texts = None
    if spec.format in _ONE_PER_LINE:  # decode the chunk at once
        texts = _decode_all(records, spec.codec)
    for i, record in enumerate(records):
        row = chunk.first_row + i
        line = chunk.line_of(row)
        if texts is not None:
            text = texts[i]
        else:
            try:
                text = record.decode(spec.codec)
            except UnicodeDecodeError as exc:
                reason = decode_problem(record, exc.start, spec.codec)[0]
                out.errors.append(error_row(row, line, reason,
                                         record.decode(spec.codec, errors="backslashreplace")))
                continue
            if text.endswith("\r") and spec.format not in DELIMITERS:
                text = text[:-1]
        yield row, line, text


# Each reader below takes one decoded record to (text, id, kept values), or raises BadRecord.


def _line_reader(labelled: bool):
    """One document per line; for ``lines``, the text after the label."""
    def extract(text):
        stripped = text.strip(" \t")
        if labelled and stripped:
            text = split_labelled_line(stripped)[1]
        return text_value(text), None, ()
    return extract


def _jsonl_reader(spec: InputSpec):
    text_field, id_field, keep = spec.text_column, spec.id_column, spec.keep

    def extract(text):
        try:
            record = parse_json_object(text)
        except BadRecord:
            if not text.strip():
                raise BadRecord(_EMPTY) from None
            raise
        value = json_field(record, text_field, "text", "--text-column")
        row_id = None if id_field is None else json_field(record, id_field, "id", "--id-column")
        return text_value(value), row_id, [record.get(name) for name in keep] if keep else ()
    return extract


def _delimited_reader(spec: InputSpec):
    header = spec.header
    text_at, id_at, *keep_at = column_positions(
        header, _wanted(spec.text_column, spec.id_column, spec.keep))
    delimiter = DELIMITERS[spec.format]

    def extract(text):
        if '"' in text and ends_in_quotes(text, delimiter, '"'):  # see _cut_records
            raise BadRecord(Errors.E829.format(n=MAX_RECORD_LINES))
        fields = split_record(text, spec.format, len(header))
        return (text_value(fields[text_at]), None if id_at is None else fields[id_at],
                [fields[at] for at in keep_at])
    return extract


def _parse_parquet(chunk, spec) -> ParsedChunk:
    import pyarrow as pa

    table = chunk.records
    out = ParsedChunk()
    bad = _invalid_utf8(table, [spec.text_column, spec.id_column, *spec.keep])
    values = _values(table.column(spec.text_column), bad)
    ids = None if spec.id_column is None else _values(table.column(spec.id_column), bad)
    mask = []
    for i, value in enumerate(values):
        row = chunk.first_row + i
        if i in bad:
            problem, value = bad[i]
        else:
            try:
                text_value(value)
                problem = None if ids is None else id_problem(ids[i])
            except BadRecord as exc:
                problem, value = exc.reason, value or ""
        mask.append(problem is None)
        if problem is None:
            out.texts.append(value)
            out.rows.append(row)
        else:
            out.errors.append(error_row(row, None, problem, value))
    keep_mask = pa.array(mask, type=pa.bool_())
    if spec.id_column is not None:
        out.ids = table.column(spec.id_column).filter(keep_mask).combine_chunks()
    out.kept = {name: table.column(name).filter(keep_mask).combine_chunks()
                for name in spec.keep}
    return out


def _invalid_utf8(table, names) -> dict[int, tuple[str, str]]:
    """Rows of a Parquet chunk with a string that is not UTF-8: index to (reason, excerpt).

    Arrow checks strings when a file is written, but a file written by other tools
    (or with validation off) may hold any bytes.
    """
    import pyarrow as pa

    bad: dict[int, tuple[str, str]] = {}
    for name in dict.fromkeys(n for n in names if n is not None):
        column = table.column(name)
        try:
            column.validate(full=True)
            continue
        except pa.ArrowInvalid:
            pass
        for i in range(len(column)):
            try:
                column[i].as_py()
            except UnicodeDecodeError as exc:
                reason = Errors.E886.format(column=name, byte=exc.object[exc.start],
                                            at=exc.start + 1)
                bad.setdefault(i, (reason, exc.object.decode("utf-8", "backslashreplace")))
    return bad


def _values(column, bad: dict) -> list:
    """A Parquet column's values as Python objects; None at the rows in ``bad``."""
    if not bad:
        return column.to_pylist()
    return [None if i in bad else column[i].as_py() for i in range(len(column))]


def id_problem(value) -> str | None:
    """Why ``value`` cannot be a row's id, or None if it can.

    An id must be a string or a finite number: null, booleans, objects, arrays,
    NaN and the infinities identify nothing (NaN is not even equal to itself), and
    no output format holds them all. A string must be writable as UTF-8.

    Examples
    --------
    >>> id_problem("doc-1"), id_problem(7), id_problem(2.5)
    (None, None, None)
    >>> id_problem(float("nan"))
    'the id is NaN, which identifies nothing; ids must be strings or finite numbers'
    >>> id_problem(None)
    'the id must be a string or a number, but it is null'
    """
    if isinstance(value, str):
        return _surrogate_problem(value, "id")
    if isinstance(value, float) and not math.isfinite(value):
        shown = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
        return Errors.E884.format(value=shown)
    if value is None or isinstance(value, (bool, dict, list, tuple)):
        return Errors.E883.format(kind=json_kind(value))
    return None


def _surrogate_problem(value, role: str) -> str | None:
    """A reason if a string in ``value`` (a JSON value) holds a lone surrogate; else None.

    JSON can spell one (``"\\ud83d"``), Python reads it into a ``str``, but it is not
    a character and UTF-8 cannot encode it.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.isascii():
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                char = f"\\u{ord(item[exc.start]):04x}"
                return Errors.E885.format(role=role, char=char)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def error_row(row: int, line: int | None, reason: str, text: str) -> dict:
    """A bad row as the errors file records it; the excerpt is cut to 80 characters.

    Lone surrogates (which a JSON ``\\u`` escape can produce) are written as such
    escapes, so that the errors file is always UTF-8.
    """
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 3] + "..."
    return {"row": row, "line": line, "reason": _writable(reason), "excerpt": _writable(text)}


def _writable(text: str) -> str:
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _wanted(text_column, id_column, keep) -> list[tuple]:
    """The columns an input must have, as :func:`~textpipe.data.formats.column_positions`
    takes them."""
    return [(text_column, "text", "--text-column"), (id_column, "id", "--id-column"),
            *((name, "kept column", "--keep") for name in keep)]


def stdin_cannot_resume() -> DataError:
    """The error for resuming a run that read standard input."""
    return DataError(Errors.E811.format(
        what="a run that reads standard input",
        why="the input cannot be read again to check and skip what was done; start again "
            "with --overwrite"))


__all__ = ["INPUT_FORMATS", "InputSpec", "ParsedChunk", "RawChunk", "ScoreInput",
           "ends_in_quotes", "error_row", "id_problem", "parse_chunk", "stdin_cannot_resume"]
