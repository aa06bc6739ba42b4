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

Scoring (``textpipe score``) cannot hold a whole file, and loses a row rather than a
job to a bad byte, so it decides on the first MiB with :func:`choose_encoding`, line by
line: one stray byte does not turn a UTF-8 file into cp1252.

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
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, Errors

AUTO = "auto"
# Tried in order by ``encoding="auto"`` when the bytes carry no byte-order mark.
FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")


def check_encoding(encoding: str, *, option: str = "encoding") -> str:
    """Return ``encoding`` if it is ``"auto"`` or a codec that decodes bytes to text.

    Parameters
    ----------
    encoding : str
    option : str, default="encoding"
        The option or parameter that gave it, named in the error message.

    Raises
    ------
    DataError
        If Python knows no such codec, or it is not a text encoding (``rot13``,
        ``hex``, ``zlib``, ...).

    Examples
    --------
    >>> check_encoding("latin-1")
    'latin-1'
    >>> check_encoding("utf9")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: encoding: unknown text encoding 'utf9'. Use 'auto' or a Python codec name such as 'utf-8', 'cp1252' or 'latin-1'. [E880]
    >>> check_encoding("rot13", option="--encoding")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: --encoding: 'rot13' is not a text encoding (Python's 'rot-13' codec does not turn bytes into text). Use 'auto' or a codec such as 'utf-8', 'cp1252' or 'latin-1'. [E881]
    """
    if encoding == AUTO:
        return encoding
    try:
        if not isinstance(encoding, str):
            raise LookupError(encoding)
        info = codecs.lookup(encoding)
    except LookupError:
        raise DataError(Errors.E880.format(option=option, encoding=encoding)) from None
    if not getattr(info, "_is_text_encoding", True):
        raise DataError(Errors.E881.format(option=option, encoding=encoding, name=info.name))
    return encoding


_ASCII_PROBE = "\n\r\t ,;\"'{}[]:\\azAZ09"


def is_ascii_compatible(encoding: str) -> bool:
    """Whether a codec writes newlines, quotes, delimiters, letters and digits as ASCII does.

    Only such a codec can be read by splitting raw bytes at ``b"\\n"``, ``b","`` and
    ``b'"'``; UTF-16, UTF-32, UTF-7 and EBCDIC code pages cannot.

    Examples
    --------
    >>> is_ascii_compatible("cp1252"), is_ascii_compatible("utf-16"), is_ascii_compatible("cp037")
    (True, False, False)
    """
    try:
        return (_ASCII_PROBE.encode(encoding) == _ASCII_PROBE.encode("ascii")
                and _ASCII_PROBE.encode("ascii").decode(encoding) == _ASCII_PROBE)
    except (UnicodeError, LookupError):
        return False


@dataclass(frozen=True)
class EncodingChoice:
    """The codec :func:`choose_encoding` settled on, and why when it was not plain UTF-8.

    Attributes
    ----------
    codec : str
        ``"utf-8"``, ``"cp1252"`` or ``"latin-1"``.
    note : str or None
        One line for the user, e.g. ``"encoding: cp1252 (byte 0xe9 at line 12 is not
        UTF-8, ...)"``; None when every line of the sample is UTF-8.
    """

    codec: str
    note: str | None = None


def choose_encoding(sample: bytes, *, complete: bool = True) -> EncodingChoice:
    """Choose how to read a file from its first bytes, one line at a time.

    Lines that are pure ASCII read the same in every candidate and do not count.
    Of the others, those that decode as UTF-8 vote for UTF-8 and those that do not
    vote against it:

    * no line against: UTF-8;
    * at least as many lines for as against: UTF-8 (the lines against are bytes
      UTF-8 cannot read: their rows become error rows, they are not guessed at);
    * otherwise cp1252, or Latin-1 if the sample holds one of the five bytes cp1252
      leaves undefined (the lines for UTF-8, if any, will read as mojibake, and the
      note says how many).

    Parameters
    ----------
    sample : bytes
        The start of the file, after any byte-order mark.
    complete : bool, default=True
        False if the file goes on after ``sample``, which may then end inside a
        UTF-8 character.

    Returns
    -------
    EncodingChoice

    Examples
    --------
    >>> choose_encoding("café\\n".encode() * 3 + b"stray \\xff\\n").note
    'encoding: utf-8 (UTF-8 beyond ASCII on 3 lines of the first MiB, bytes that are not UTF-8 on 1 (the first: byte 0xff at line 4); rows that are not UTF-8 go to the errors file. Pass --encoding cp1252 if the file is Windows-1252)'
    >>> choose_encoding(b"ok\\ncaf\\xe9\\n")
    EncodingChoice(codec='cp1252', note='encoding: cp1252 (byte 0xe9 at line 2 is not UTF-8, and no line of the first MiB holds UTF-8 beyond ASCII)')
    """
    utf8 = codecs.getincrementaldecoder("utf-8")
    try:
        utf8().decode(sample, final=complete)
        return EncodingChoice("utf-8")
    except UnicodeDecodeError:
        pass
    good, bad, first_bad = 0, 0, None
    lines = sample.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            utf8().decode(line, final=complete or number < len(lines))
            good += 1
        except UnicodeDecodeError as exc:
            bad += 1
            first_bad = first_bad or (line[exc.start], number)
    byte, line = first_bad
    if good >= bad:
        why = Errors.E892.format(good=good, bad=bad, byte=byte, line=line)
        return EncodingChoice("utf-8", Errors.E889.format(codec="utf-8", why=why))
    if good:
        why = Errors.E891.format(good=good, bad=bad, byte=byte, line=line)
    else:
        why = Errors.E890.format(byte=byte, line=line)
    try:
        sample.decode("cp1252")
        codec = "cp1252"
    except UnicodeDecodeError as exc:
        codec = "latin-1"
        line_of = sample.count(b"\n", 0, exc.start) + 1
        why = Errors.E893.format(why=why, byte=sample[exc.start], line=line_of)
    return EncodingChoice(codec, Errors.E889.format(codec=codec, why=why))


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
    textpipe.errors.DataError: x.txt, line 2: cannot decode byte 0xe9 (column 4) as 'utf-8'. Use encoding 'auto', or name the file's encoding, e.g. 'cp1252' or 'latin-1'. [E285]
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
    reason, line = decode_problem(data, exc.start, encoding)
    return DataError(Errors.E298.format(reason=reason), file=file, line=line)


def decode_problem(data: bytes, at: int, encoding: str) -> tuple[str, int]:
    """Why ``data`` does not decode as ``encoding``: the byte at ``at``, its line and column.

    Returns
    -------
    reason : str
        E.g. ``"cannot decode byte 0xe9 (column 4) as 'utf-8'"``.
    line : int
        The 1-based line of ``data`` that holds the byte.

    Examples
    --------
    >>> decode_problem(b"ok\\ncaf\\xe9", 6, "utf-8")
    ("cannot decode byte 0xe9 (column 4) as 'utf-8'", 2)
    """
    before = data[:at].decode(encoding, errors="replace")
    column = len(before) - (before.rfind("\n") + 1) + 1
    reason = Errors.E285.format(byte=data[at], column=column, encoding=encoding)
    return reason, before.count("\n") + 1


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

    A NUL character, which no text file holds, is an error that names its line:

    >>> _ = path.write_bytes(b"0 fine\\n1 bi\\x00nary\\n")
    >>> read_text(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: ...a.txt, line 2: the text holds a NUL byte at column 5: '1 bi\\x00nary'. ...
    """
    text = decode_bytes(read_bytes(path), encoding, file=path)[0]
    _check_no_nul(text, path)
    return text


def _check_no_nul(text: str, file) -> None:
    """Raise E920 at the first NUL character: a sign of a binary file, or of UTF-16 read as 8-bit."""
    at = text.find("\x00")
    if at < 0:
        return
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)].rstrip("\r")
    excerpt = repr(line if len(line) <= 60 else line[:57] + "...")
    raise DataError(Errors.E920.format(column=at - start + 1, excerpt=excerpt),
                    file=file, line=text.count("\n", 0, at) + 1)


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


__all__ = ["AUTO", "FALLBACK_ENCODINGS", "EncodingChoice", "check_encoding", "choose_encoding",
           "decode_bytes", "decode_problem", "is_ascii_compatible", "read_bytes", "read_text",
           "split_lines"]
