"""Write scored chunks as JSONL, CSV or Parquet.

Every format has the same columns, in this order:

* ``id``: the row number (from 0, in input order), or the value of ``--id-column``;
* ``label``: the predicted class (the most probable one);
* the probabilities: ``proba_<class>`` for every class, or with ``top_k``
  ``top1_label, top1_proba, top2_label, ...`` from the most probable down;
  none with ``proba=False``;
* the kept input columns, under their own names; one whose name an output column
  already has is renamed ``input_<name>``.

A chunk is formatted where it was scored (:func:`format_chunk` returns bytes), so the
main process only moves bytes. JSONL and CSV chunks are pieces of the final file and
are concatenated; a Parquet chunk is a small Parquet file, and becomes one row group of
the final file (:func:`assemble`).

Values read from CSV/TSV are strings. In CSV and Parquet output, a kept JSONL value
that is not a string, number or boolean (an object, an array) is written as its JSON
text, and in Parquet every value kept from JSONL or CSV is a string, so that all
chunks share one schema. Parquet input keeps its columns' types.

Every output is valid for its format: JSON has no NaN or infinities, so a kept NaN,
``Infinity`` or ``-Infinity`` (JSONL input may spell them) is written as null (an empty
field in CSV), as JavaScript and pandas write them; a Parquet float column keeps them.
(An id cannot be one: see :func:`~textpipe.score.readers.id_problem`.) In JSONL
output, U+0085, U+2028 and U+2029 are escaped, so every row is one line for any
line reader.

Examples
--------
>>> import numpy as np
>>> spec = output_spec("jsonl", ["neg", "pos"])
>>> spec.columns
('id', 'label', 'proba_neg', 'proba_pos')
>>> proba = np.array([[0.25, 0.75]])
>>> print(format_chunk(spec, [7], None, proba, {}).decode(), end="")
{"id": 7, "label": "pos", "proba_neg": 0.25, "proba_pos": 0.75}
>>> spec = output_spec("csv", ["a", "b", "c"], top_k=2, keep=["label"])
>>> spec.columns
('id', 'label', 'top1_label', 'top1_proba', 'top2_label', 'top2_proba', 'input_label')
>>> print(header(spec).decode() + format_chunk(spec, [0], None, np.array([[.2, .5, .3]]),
...                                           {"label": ["b"]}).decode(), end="")
id,label,top1_label,top1_proba,top2_label,top2_proba,input_label
0,b,b,0.5,c,0.3,b
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Errors, UsageError, quoted_list

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
             ".parquet": "parquet", ".pq": "parquet"}


def detect_output_format(path: str) -> str | None:
    """The output format its name says, JSONL for ``-`` (stdout), None if it says none.

    Examples
    --------
    >>> detect_output_format("scores.parquet"), detect_output_format("-"), detect_output_format("x")
    ('parquet', 'jsonl', None)
    """
    if path == "-":
        return "jsonl"
    return _SUFFIXES.get(Path(path).suffix.lower())


def check_output_format(fmt: str) -> str:
    """Return ``fmt`` if it is one of :data:`OUTPUT_FORMATS`, else raise ``UsageError``."""
    if fmt not in OUTPUT_FORMATS:
        raise UsageError(Errors.E802.format(fmt=fmt, allowed=quoted_list(OUTPUT_FORMATS)),
                         option="--output-format")
    return fmt


@dataclass(frozen=True)
class OutputSpec:
    """What the output holds; decided once, sent with every chunk.

    Attributes
    ----------
    format : str
        One of :data:`OUTPUT_FORMATS`.
    labels : tuple of str
        The model's classes, in ``predict_proba`` order.
    proba : bool
        Whether probabilities are written.
    top_k : int or None
        Write only the ``top_k`` most probable classes.
    keep : tuple of (str, str)
        Kept columns: (input name, output name).
    columns : tuple of str
        Every output column, in order.
    kinds : tuple of str
        What each column holds: ``"id"``, ``"label"`` (a class name), ``"proba"``
        (a probability) or ``"kept"`` (an input column). Parquet types follow from
        them, never from the column names (a class may be called ``x_label``).
    schema : pyarrow.Schema or None
        The Parquet schema (Parquet output only).
    """

    format: str
    labels: tuple[str, ...]
    proba: bool = True
    top_k: int | None = None
    keep: tuple[tuple[str, str], ...] = ()
    columns: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    schema: Any = None


def output_spec(format: str, labels, *, proba: bool = True, top_k: int | None = None,
                keep=(), id_type=None, keep_types: dict | None = None) -> OutputSpec:
    """Build the :class:`OutputSpec` for a model's labels and the chosen columns.

    Parameters
    ----------
    format : str
    labels : sequence of str
    proba : bool, default=True
    top_k : int, optional
        Between 1 and the number of labels.
    keep : sequence of str
        Input columns to copy.
    id_type, keep_types : pyarrow types, optional
        For Parquet output: the id's type (default int64, the row number; pass
        ``pyarrow.string()`` for ids read from CSV/JSONL) and the kept columns'
        types (default string).
    """
    check_output_format(format)
    labels = tuple(str(label) for label in labels)
    if top_k is not None and not (isinstance(top_k, int) and 1 <= top_k <= len(labels)):
        raise UsageError(Errors.E808.format(n=len(labels), got=top_k), option="--top-k")
    columns, kinds = ["id", "label"], ["id", "label"]
    if proba and top_k is None:
        columns += [f"proba_{label}" for label in labels]
        kinds += ["proba"] * len(labels)
    elif proba:
        for rank in range(1, top_k + 1):
            columns += [f"top{rank}_label", f"top{rank}_proba"]
            kinds += ["label", "proba"]
    renamed = []
    keep = list(dict.fromkeys(keep))
    for name in keep:
        out = name
        while out in columns or (out != name and out in keep):
            out = f"input_{out}"
        columns.append(out)
        kinds.append("kept")
        renamed.append((name, out))
    schema = None
    if format == "parquet":
        import pyarrow as pa

        by_kind = {"id": id_type or pa.int64(), "label": pa.string(), "proba": pa.float64()}
        kept = {out: (keep_types or {}).get(name) or pa.string() for name, out in renamed}
        schema = pa.schema([pa.field(name, kept[name] if kind == "kept" else by_kind[kind])
                            for name, kind in zip(columns, kinds)])
    return OutputSpec(format, labels, bool(proba), top_k if proba else None,
                      tuple(renamed), tuple(columns), tuple(kinds), schema)


def header(spec: OutputSpec) -> bytes:
    """What the output starts with: the CSV header row; nothing for JSONL and Parquet."""
    if spec.format != "csv":
        return b""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(spec.columns)
    return buffer.getvalue().encode("utf-8")


def format_chunk(spec: OutputSpec, rows, ids, proba, kept: dict, predicted=None) -> bytes:
    """Format one chunk's predictions in the output format.

    Rows are built column by column with Arrow's compute kernels (numbers to text,
    then one join per row in C++), so no Python code runs per row unless a column
    holds ids or kept values, which are converted one by one. Probabilities are
    written in their shortest form that reads back exactly (``0.1``, ``1``, ``1e-7``).

    Parameters
    ----------
    spec : OutputSpec
    rows : list of int
        The input rows scored (the ids when ``ids`` is None).
    ids : list, pyarrow.Array or None
        Ids from the id column.
    proba : ndarray of shape (n, n_labels) or None
        Class probabilities; None when the model has none.
    kept : dict
        Input column name to its values (list or pyarrow.Array), one per row.
    predicted : ndarray of int, optional
        Index of each row's predicted label; by default the most probable one.

    Returns
    -------
    bytes
    """
    if predicted is None:
        predicted = np.argmax(proba, axis=1) if len(rows) else np.zeros(0, dtype=int)
    columns = _columns(spec, rows, ids, proba, predicted, kept)
    if spec.format == "parquet":
        return _parquet(spec, columns)
    if not len(rows):
        return b""
    if spec.format == "jsonl":
        return _jsonl(spec, columns)
    return _csv(spec, columns)


def _columns(spec, rows, ids, proba, predicted, kept) -> list[tuple[str, Any, str]]:
    """Each output column as (name, values, kind).

    Kinds: 'row' (row numbers), 'label' (indices into ``spec.labels``), 'proba'
    (floats) and 'kept' (a list or a pyarrow array of any values, ids included).
    """
    out: list[tuple[str, Any, str]] = [
        ("id", rows if ids is None else ids, "row" if ids is None else "kept"),
        ("label", predicted, "label"),
    ]
    if spec.proba and spec.top_k is None:
        for j, label in enumerate(spec.labels):
            out.append((f"proba_{label}", proba[:, j], "proba"))
    elif spec.proba:
        order = np.argsort(-proba, axis=1, kind="stable")[:, : spec.top_k]
        top = np.take_along_axis(proba, order, axis=1)
        for rank in range(spec.top_k):
            out.append((f"top{rank + 1}_label", order[:, rank], "label"))
            out.append((f"top{rank + 1}_proba", top[:, rank], "proba"))
    for name, out_name in spec.keep:
        out.append((out_name, kept[name], "kept"))
    return out


def _pylist(values) -> list:
    return values.to_pylist() if hasattr(values, "to_pylist") else list(values)


#: Characters that some line readers (Python's ``str.splitlines``, JavaScript) take as
#: line breaks; escaped in JSON text so that one JSONL row is always one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json_value(value) -> str:
    """``value`` as strict JSON text: NaN and the infinities, which JSON lacks, are null."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, default=str)
    return text if text.isascii() else text.translate(_LINE_BREAKS)


def _finite(value):
    """``value`` with every NaN or infinite float in it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _csv_field(value) -> str:
    """One CSV field, quoted as the csv module quotes (only when needed)."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, (bool, int, float)):
        return str(value)
    text = value if isinstance(value, str) else _json_value(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _as_text(values, kind: str, labels, convert):
    """A column as an Arrow large_string array, each value as ``convert`` writes it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == "row":
        return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())
    if kind == "proba":
        return pc.cast(pa.array(np.asarray(values, dtype=float)), pa.large_string())
    if kind == "label":
        as_text = pa.array([convert(label) for label in labels], type=pa.large_string())
        return as_text.take(pa.array(np.asarray(values, dtype=np.int64)))
    return pa.array([convert(v) for v in _pylist(values)], type=pa.large_string())


def _joined(parts) -> bytes:
    """Join string arrays (and str pieces) row by row; return all rows as one bytes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    array = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)
    start, end = offsets[array.offset], offsets[array.offset + len(array)]
    return array.buffers()[2][start:end].to_pybytes()


def _jsonl(spec, columns) -> bytes:
    parts: list = []
    for i, (name, values, kind) in enumerate(columns):
        parts.append(("{" if i == 0 else ", ") + _json_value(name) + ": ")
        parts.append(_as_text(values, kind, spec.labels, _json_value))
    parts.append("}\n")
    return _joined(parts)


def _csv(spec, columns) -> bytes:
    parts: list = []
    for i, (_, values, kind) in enumerate(columns):
        if i:
            parts.append(",")
        parts.append(_as_text(values, kind, spec.labels, _csv_field))
    parts.append("\n")
    return _joined(parts)


def _text(value):
    """A kept value for a Parquet string column: JSON text, except strings and nulls."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _json_value(value)


def _parquet(spec, columns) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for (name, column, kind), field in zip(columns, spec.schema):
        if kind == "label":
            labels = pa.array(list(spec.labels), type=field.type)
            arrays.append(labels.take(pa.array(np.asarray(column, dtype=np.int64))))
        elif isinstance(column, (pa.Array, pa.ChunkedArray)):
            arrays.append(column.cast(field.type))
        elif kind == "kept" and pa.types.is_string(field.type):
            arrays.append(pa.array([_text(v) for v in column], type=field.type))
        else:
            arrays.append(pa.array(np.asarray(column) if kind != "kept" else column,
                                   type=field.type))
    table = pa.Table.from_arrays(arrays, schema=spec.schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def assemble(spec: OutputSpec, parts, fh) -> int:
    """Write the whole output into the open binary file ``fh``, from chunk files in order.

    JSONL and CSV parts are concatenated (after the CSV header); each non-empty
    Parquet part becomes one row group. Returns the number of rows written for
    Parquet, and -1 for the text formats (not counted).
    """
    if spec.format != "parquet":
        fh.write(header(spec))
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
        return -1
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(fh, spec.schema) as writer:
        for part in parts:
            table = pq.read_table(part)
            if table.num_rows:
                writer.write_table(table.cast(spec.schema), row_group_size=table.num_rows)
                rows += table.num_rows
    return rows


__all__ = ["OUTPUT_FORMATS", "OutputSpec", "assemble", "check_output_format",
           "detect_output_format", "format_chunk", "header", "output_spec"]
