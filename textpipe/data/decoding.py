"""Read text files whose encoding is not known in advance.

Research datasets are often not UTF-8: the bundled movie-review file is
Windows-1252 and contains the byte ``0x85`` (an ellipsis) inside lines. Decoded
as Latin-1 that byte becomes U+0085, which ``str.splitlines()`` treats as a line
break. Everything here therefore splits lines at ``"\\n"`` only, and never with
``splitlines()``.

``encoding="auto"`` decides per file, on the whole file's bytes:

1. a UTF-8 byte-order mark means UTF-8 (the mark is dropped), a UTF-16 mark
   means UTF-16;
2. otherwise the bytes are tried as strict UTF-8;
3. if that fails, as Windows-1252 (cp1252), a superset of Latin-1's printable
   characters that gives 0x80-0x9F their usual meaning (quotes, dashes, ...);
4. if that fails too (cp1252 leaves five bytes undefined), as Latin-1, which
   decodes any byte.

Examples
--------
>>> text, codec = decode_bytes(b"caf\\xe9 \\x85 ok\\r\\nnext")
>>> codec
'cp1252'
>>> split_lines(text)
['café … ok', 'next']
"""

from __future__ import annotations

import codecs
import gzip
import os
import zlib
from pathlib import Path

from ..errors import DataError, Errors

AUTO = "auto"
# Tried in order by ``encoding="auto"`` when the bytes carry no byte-order mark.
FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")


def check_encoding(encoding: str) -> str:
    """Return ``encoding`` if it is ``"auto"`` or a codec Python knows.

    Raises
    ------
    DataError
        If the codec is unknown.

    Examples
    --------
    >>> check_encoding("latin-1")
    'latin-1'
    >>> check_encoding("utf9")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: unknown text encoding 'utf9'. Use 'auto' or a Python codec name such as 'utf-8', 'cp1252' or 'latin-1'.
    """
    if encoding == AUTO:
        return encoding
    try:
        if not isinstance(encoding, str):
            raise LookupError(encoding)
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(Errors.E204.format(encoding=encoding)) from None
    return encoding


def decode_bytes(data: bytes, encoding: str = AUTO, *, file=None) -> tuple[str, str]:
    """Decode a whole file's bytes; return the text and the codec that was used.

    Parameters
    ----------
    data : bytes
        The file's content.
    encoding : str, default="auto"
        ``"auto"`` to detect (see the module docstring), or a codec name,
        which is applied strictly. A UTF-8 byte-order mark is dropped either way.
    file : str or PathLike, optional
        Named in the error message.

    Returns
    -------
    text : str
    codec : str
        The codec that decoded ``data``, e.g. ``"utf-8"`` or ``"cp1252"``.

    Raises
    ------
    DataError
        If an explicit codec cannot decode the bytes; the message names the
        line and the first byte that failed.

    Examples
    --------
    >>> decode_bytes(b"\\xef\\xbb\\xbflabel,text")
    ('label,text', 'utf-8-sig')
    >>> decode_bytes(b"ok\\ncaf\\xe9", "utf-8", file="x.txt")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: x.txt, line 2: cannot decode byte 0xe9 (column 4) as 'utf-8'. Use encoding 'auto', or name the file's encoding, e.g. 'cp1252' or 'latin-1'.
    """
    if encoding != AUTO:
        check_encoding(encoding)
        if codecs.lookup(encoding).name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise _decode_error(data, exc, encoding, file) from None
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = FALLBACK_ENCODINGS
    for codec in candidates:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            last = exc
    raise _decode_error(data, last, candidates[-1], file)


def _decode_error(data: bytes, exc: UnicodeDecodeError, encoding: str, file) -> DataError:
    before = data[: exc.start].decode(encoding, errors="replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return DataError(
        Errors.E205.format(byte=data[exc.start], column=column, encoding=encoding),
        file=file,
        line=line,
    )


def read_bytes(path: str | os.PathLike) -> bytes:
    """Return a file's bytes, decompressed if its name ends in ``.gz``."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(Errors.E206.format(reason=exc), file=path) from None
    return data


def read_text(path: str | os.PathLike, encoding: str = AUTO) -> str:
    """Read a (possibly gzip-compressed) text file with :func:`decode_bytes`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = path.write_bytes(b"0 na\\xefve\\n")
    >>> read_text(path)
    '0 naïve\\n'
    """
    return decode_bytes(read_bytes(path), encoding, file=path)[0]


def split_lines(text: str) -> list[str]:
    """Split at ``"\\n"`` only, dropping one trailing ``"\\r"`` per line.

    Unlike ``str.splitlines()``, this never breaks a line at U+0085, U+2028,
    form feeds or other characters that Unicode counts as line boundaries. A
    final newline does not produce an empty last line. Line ``i`` of the file is
    item ``i - 1`` of the result.

    Examples
    --------
    >>> split_lines("a\\x85b\\r\\nc\\u2028d\\n")
    ['a\\x85b', 'c\\u2028d']
    >>> "a\\x85b".splitlines()
    ['a', 'b']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


__all__ = ["AUTO", "FALLBACK_ENCODINGS", "check_encoding", "decode_bytes", "read_bytes",
           "read_text", "split_lines"]
