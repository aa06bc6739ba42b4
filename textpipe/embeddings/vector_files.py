"""Load pretrained word vectors from the user's files, once, then memory-map them.

Formats read (nothing is ever downloaded; the path is the user's):

- ``"word2vec"`` text: a header line ``COUNT DIM``, then ``word v1 ... vDIM`` per line;
- ``"word2vec"`` binary (``binary=True``): the same header, then per word the word,
  a space and ``DIM`` little-endian float32 values;
- ``"fasttext"``: fastText's ``.vec`` files, which are word2vec text;
- ``"glove"``: GloVe's text files, word2vec text without the header line;
- ``"gensim"``: a file written by gensim's ``KeyedVectors.save``.

``format="auto"`` tells them apart by content (see :func:`detect_format`). Files
compressed with gzip (``.gz``) are read too.

Parsing a large text file takes minutes, so the first :func:`load_vectors` of a
file converts it to gensim's native format in a cache folder (by default
``<file>.textpipe-kv/`` next to it) and later loads memory-map that copy
(``KeyedVectors.load(..., mmap="r")``): they take a fraction of a second, and
processes that load the same file share one copy of the vectors in memory. The
cache is keyed on the file's size, modification time and the SHA-256 of its
first MiB, so a changed file is parsed again.

Text files are parsed by :func:`_parse_text`, which gives the same vectors as
gensim's ``load_word2vec_format`` about four times faster and names the line of
any problem. Like gensim, it keeps the first of duplicated words. Unlike gensim,
it reads words that contain spaces, as in GloVe's ``glove.840B.300d.txt``: a line
with more fields than ``DIM + 1`` is taken as a word with spaces when the extra
fields are not numbers. Binary files are parsed by gensim.

Examples
--------
>>> import tempfile, pathlib
>>> from textpipe.embeddings.vector_files import load_vectors
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "tiny.txt").write_text("good 0.5 1.0\\nbad -0.5 -1.0\\n")
>>> kv = load_vectors(folder / "tiny.txt")  # GloVe text: no header line
>>> kv.index_to_key, kv["bad"].tolist()
(['good', 'bad'], [-0.5, -1.0])
>>> type(kv.vectors).__name__  # memory-mapped from the cache
'memmap'
>>> sorted(p.suffix for p in (folder / "tiny.txt.textpipe-kv").iterdir())
['.kv', '.npy']
"""

from __future__ import annotations

import codecs
import glob
import gzip
import hashlib
import logging
import os
import re
import shutil
import tempfile
import warnings
import zlib
from itertools import islice
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, Errors, quoted_list

__all__ = ["FORMATS", "detect_format", "load_vectors"]

logger = logging.getLogger(__name__)

FORMATS = ("auto", "word2vec", "fasttext", "glove", "gensim")

_CACHE_VERSION = 1
_SNIFF_BYTES = 1024
_LINES_PER_BLOCK = 20_000
_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s*")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.IGNORECASE)


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _excerpt(text, width: int = 60) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.rstrip("\r\n")
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _read_head(path: Path) -> bytes:
    try:
        with _open(path) as f:
            return f.read(_SNIFF_BYTES)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(Errors.E001.format(reason=exc), file=path) from exc


def _looks_binary(data: bytes) -> bool:
    """True if bytes hold control characters or are not UTF-8 (a cut-off character
    at the end is allowed)."""
    if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data):
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return True
    return False


def detect_format(path) -> tuple[str, bool]:
    """Tell a word-vector file's format from its first KiB.

    The file has a header if its first line is two integers ``COUNT DIM`` (and the
    second line, if it is text, has ``DIM + 1`` fields). With a header, it is binary
    if its name ends in ``.bin`` (or ``.bin.gz``) or if the bytes after the header
    hold control characters or are not UTF-8; otherwise it is word2vec text.
    Without a header, it is GloVe text.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (format, binary) : tuple of str and bool
        ``("word2vec", True)``, ``("word2vec", False)`` or ``("glove", False)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = path.write_text("2 2\\ngood 0.5 1.0\\nbad -0.5 -1.0\\n")
    >>> detect_format(path)
    ('word2vec', False)
    >>> _ = path.write_text("good 0.5 1.0\\nbad -0.5 -1.0\\n")
    >>> detect_format(path)
    ('glove', False)
    """
    path = Path(path)
    head = _read_head(path)
    if not head.strip():
        raise DataError(Errors.E501, file=path)
    first, _, rest = head.partition(b"\n")
    header = _HEADER.fullmatch(first)
    binary_name = path.name.endswith((".bin", ".bin.gz"))
    if header is None:
        if binary_name:
            raise DataError(Errors.E503.format(excerpt=_excerpt(first)), file=path, line=1)
        return "glove", False
    if binary_name or _looks_binary(rest):
        return "word2vec", True
    second = rest.split(b"\n", 1)[0]
    if b"\n" in rest and len(second.split()) != int(header.group(2)) + 1:
        if len(second.split()) == len(first.split()):  # e.g. GloVe vectors of one dimension
            return "glove", False
    return "word2vec", False


def _count_lines(path: Path, limit: int | None) -> int:
    """Upper bound of the number of vectors in a headerless text file."""
    n = 0
    with _open(path) as f:
        while block := f.read(1 << 24):
            n += block.count(b"\n")
            if limit is not None and n > limit:
                return limit
    return n + 1 if limit is None else min(n + 1, limit)


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def _split_line(text: str, dim: int, path: Path, line_no: int) -> tuple[str, str]:
    """Return (word, numbers) of a line whose field count is not ``dim + 1`` at a
    glance: the slow path, which allows words with spaces and names bad lines."""
    parts = text.split()
    n_numbers = len(parts) - 1
    if n_numbers > dim and not any(_is_number(p) for p in parts[1 : len(parts) - dim]):
        return " ".join(parts[: len(parts) - dim]), " ".join(parts[len(parts) - dim :])
    if n_numbers != dim:
        raise DataError(
            Errors.E502.format(expected=dim, got=max(n_numbers, 0), excerpt=_excerpt(text)),
            file=path,
            line=line_no,
        )
    return parts[0], " ".join(parts[1:])


def _parse_numbers(numbers: list[str], dim: int, path: Path, first_line: list[int]) -> np.ndarray:
    """Parse the numbers of a block of lines into a ``len(numbers) x dim`` array."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values = np.fromstring(" ".join(numbers), dtype=np.float32, sep=" ")
        except ValueError:
            values = np.empty(0, dtype=np.float32)
    if values.size == len(numbers) * dim:
        values = values.reshape(len(numbers), dim)
        finite = np.isfinite(values).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            value = next(f for f in numbers[row].split() if not np.isfinite(float(f)))
            raise DataError(Errors.E922.format(value=repr(value), excerpt=_excerpt(numbers[row])),
                            file=path, line=first_line[row])
        return values
    for text, line_no in zip(numbers, first_line):  # find the culprit
        bad = [field for field in text.split() if not _is_number(field)]
        if bad:
            raise DataError(
                Errors.E504.format(field=_excerpt(bad[0], 30), excerpt=_excerpt(text)),
                file=path,
                line=line_no,
            )
    raise DataError(Errors.E504.format(field="?", excerpt="?"), file=path)  # pragma: no cover


def _parse_text(path: Path, has_header: bool, limit: int | None, encoding: str = "utf-8"):
    """Parse a word2vec or GloVe text file into (words, vectors) of float32."""
    with _open(path) as f:
        line_no = 0
        if has_header:
            n_max, dim = _read_header(f.readline(), path, limit)
            line_no = 1
        else:
            n_max, dim = _count_lines(path, limit), None
        vectors = None
        words: list[str] = []
        while len(words) < n_max:
            lines = list(islice(f, min(_LINES_PER_BLOCK, n_max - len(words))))
            if not lines:
                break
            block_words, numbers, numbers_line, dim = _split_block(lines, line_no, dim, path,
                                                                   encoding)
            line_no += len(lines)
            if vectors is None and dim is not None:
                vectors = np.empty((n_max, dim), dtype=np.float32)
            if block_words:
                vectors[len(words) : len(words) + len(block_words)] = _parse_numbers(
                    numbers, dim, path, numbers_line
                )
                words.extend(block_words)
    if has_header and len(words) < n_max:
        raise DataError(Errors.E507.format(count=n_max, got=len(words)), file=path)
    if not words:
        raise DataError(Errors.E501, file=path)
    return words, vectors[: len(words)]


def _read_header(first: bytes, path: Path, limit: int | None) -> tuple[int, int]:
    """The word2vec header line's (vectors to read, dimension), checked."""
    header = _HEADER.fullmatch(first.rstrip(b"\r\n"))
    if header is None:
        raise DataError(Errors.E505.format(excerpt=_excerpt(first)), file=path, line=1)
    count, dim = int(header.group(1)), int(header.group(2))
    if dim < 1:
        raise DataError(Errors.E921.format(count=count, dim=dim, excerpt=_excerpt(first)),
                        file=path, line=1)
    return (count if limit is None else min(count, limit)), dim


def _split_block(lines: list[bytes], line_no: int, dim: int | None, path: Path,
                 encoding: str) -> tuple[list[str], list[str], list[int], int | None]:
    """Decode ``lines`` (after line ``line_no``) into words and their unparsed numbers.

    Returns the words, the numbers' text, their line numbers, and the dimension
    (taken from the first line when ``dim`` is None, as in GloVe files).
    """
    block_words, numbers, numbers_line = [], [], []
    for raw in lines:
        line_no += 1
        try:
            text = raw.decode(encoding).rstrip()
        except UnicodeDecodeError as exc:
            raise DataError(
                Errors.E506.format(encoding=encoding, reason=exc.reason,
                                   excerpt=_excerpt(raw)),
                file=path,
                line=line_no,
            ) from exc
        if not text:
            continue
        if dim is None:  # GloVe: the first line gives the dimension
            dim = len(text.split()) - 1
            if dim < 1:
                raise DataError(
                    Errors.E502.format(expected="at least 1", got=0, excerpt=_excerpt(text)),
                    file=path,
                    line=line_no,
                )
        word, _, rest = text.partition(" ")
        if rest.count(" ") + 1 != dim or not rest or rest[0] == " ":
            word, rest = _split_line(text, dim, path, line_no)
        block_words.append(word)
        numbers.append(rest)
        numbers_line.append(line_no)
    return block_words, numbers, numbers_line, dim


def _parse_binary(path: Path, limit: int | None):
    """Parse a word2vec binary file with gensim."""
    from gensim.models import KeyedVectors

    head = _read_head(path).partition(b"\n")[0]
    if _HEADER.fullmatch(head) is None:
        raise DataError(Errors.E505.format(excerpt=_excerpt(head)), file=path, line=1)
    try:
        kv = KeyedVectors.load_word2vec_format(str(path), binary=True, limit=limit)
    except (ValueError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(Errors.E508.format(reason=exc), file=path) from exc
    finite = np.isfinite(kv.vectors).all(axis=1)
    if not finite.all():
        index = int(np.argmin(finite))
        raise DataError(Errors.E923.format(word=kv.index_to_key[index], index=index + 1),
                        file=path)
    return kv


def _keyed_vectors(words: list[str], vectors: np.ndarray):
    """Wrap words and vectors in gensim KeyedVectors, keeping the first of duplicates."""
    from gensim.models import KeyedVectors

    index: dict[str, int] = {}
    for i, word in enumerate(words):
        index.setdefault(word, i)
    if len(index) < len(words):
        logger.warning(
            "%d duplicated words in the vector file; keeping the first vector of each",
            len(words) - len(index),
        )
        keep = np.fromiter(index.values(), dtype=np.int64, count=len(index))
        words, vectors = list(index), vectors[keep]
    kv = KeyedVectors(vectors.shape[1], count=0, dtype=np.float32)
    kv.index_to_key = list(words)
    kv.key_to_index = {w: i for i, w in enumerate(words)}
    kv.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    kv.next_index = len(words)
    return kv


def _parse_vectors(path: Path, fmt: str, binary: bool, limit: int | None):
    """Read a vector file in a known format into in-memory KeyedVectors."""
    logger.info("parsing %s vectors from %s", "binary" if binary else fmt, path)
    if binary:
        return _parse_binary(path, limit)
    try:
        words, vectors = _parse_text(path, has_header=fmt != "glove", limit=limit)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # a .gz file cut short or damaged
        raise DataError(Errors.E206.format(reason=exc), file=path) from None
    except OSError as exc:
        raise DataError(Errors.E001.format(reason=exc), file=path) from None
    return _keyed_vectors(words, vectors)


def _resolve_format(path: Path, fmt: str, binary: bool | None) -> tuple[str, bool]:
    if fmt not in FORMATS:
        raise ConfigError(Errors.E509.format(fmt=fmt, allowed=quoted_list(FORMATS)),
                          param="format")
    if fmt == "auto":
        detected, sniffed_binary = detect_format(path)
        if binary is None:
            return detected, sniffed_binary
        return ("word2vec", True) if binary else (detected, False)
    if fmt == "word2vec":
        return fmt, detect_format(path)[1] if binary is None else bool(binary)
    if binary:
        raise ConfigError(Errors.E510.format(fmt=fmt), param="binary")
    return fmt, False


def _cache_key(path: Path, fmt: str, binary: bool, limit: int | None) -> str:
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(1 << 20))
    text = "|".join(
        map(str, (_CACHE_VERSION, stat.st_size, stat.st_mtime_ns, digest.hexdigest(), fmt,
                  binary, limit))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _write_cache(kv, target: Path, prefix: str) -> None:
    """Save kv as ``target`` (plus ``target.vectors.npy``) atomically; drop stale entries."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
    try:
        kv.save(str(tmp / target.name), separately=["vectors"])
        for written in sorted(tmp.iterdir(), key=lambda p: p.name == target.name):
            os.replace(written, folder / written.name)  # the .kv file last: it marks completion
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for stale in folder.glob(f"{glob.escape(prefix)}*"):
        if not stale.name.startswith(target.name):
            stale.unlink(missing_ok=True)


def _load_gensim(path: Path, mmap: bool):
    """Load a file written by ``KeyedVectors.save``; anything else is a DataError."""
    from gensim.models import KeyedVectors

    try:
        kv = KeyedVectors.load(str(path), mmap="r" if mmap else None)
    except Exception as exc:  # unpickling a file of another kind fails in many ways
        raise DataError(Errors.E927.format(reason=f"{type(exc).__name__}: {exc}"),
                        file=path) from None
    if not isinstance(kv, KeyedVectors):
        raise DataError(Errors.E927.format(reason=f"it holds a {type(kv).__name__}"), file=path)
    return kv


def load_vectors(path, format="auto", binary=None, mmap=True, cache_dir=None, limit=None):
    """Load word vectors from a file, converting it once to a memory-mapped cache.

    Parameters
    ----------
    path : str or path-like
        The vector file (``.gz`` compressed or not).
    format : {"auto", "word2vec", "fasttext", "glove", "gensim"}, default="auto"
        The file's format; "auto" detects it with :func:`detect_format`.
    binary : bool or None, default=None
        For word2vec files, whether the file is binary; None detects it. Only
        False is allowed for "fasttext" and "glove", which are text formats.
    mmap : bool, default=True
        Memory-map the vectors of the cache read-only; if False, read them into
        memory (still from the cache, without parsing the file again).
    cache_dir : str, path-like, None or False, default=None
        Folder of the cache; None puts it next to the file as
        ``<file name>.textpipe-kv/``; False disables the cache, so the file is
        parsed on every load. If the folder cannot be written, the vectors are
        parsed into memory and a warning is logged.
    limit : int or None, default=None
        Read only the first ``limit`` vectors (files list frequent words first).

    Returns
    -------
    gensim.models.KeyedVectors
        Words in ``index_to_key``, vectors (float32) in ``vectors``.

    Raises
    ------
    DataError
        If the file is missing or empty, or a line cannot be read; the message
        names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.vec"
    >>> _ = path.write_text("2 3\\nfilm 0.1 0.2 0.3\\nmovie 0.1 0.2 0.4\\n")  # fastText .vec
    >>> kv = load_vectors(path, limit=1)
    >>> kv.index_to_key, kv.vector_size
    (['film'], 3)
    >>> load_vectors(path, cache_dir=False).index_to_key
    ['film', 'movie']
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(Errors.E926, file=path)
    if not path.is_file():
        raise DataError(Errors.E202, file=path)
    if limit is not None and int(limit) < 1:
        raise ConfigError(Errors.E068.format(got=limit), param="limit")
    limit = None if limit is None else int(limit)
    from gensim.models import KeyedVectors

    if format == "gensim":
        if binary:
            raise ConfigError(Errors.E510.format(fmt=format), param="binary")
        return _load_gensim(path, mmap)
    fmt, binary = _resolve_format(path, format, binary)
    if cache_dir is False:
        return _parse_vectors(path, fmt, binary, limit)

    if cache_dir is None:
        folder = path.with_name(path.name + ".textpipe-kv")
    else:
        folder = Path(cache_dir)
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    prefix = f"{path.name}-{where}-"
    target = folder / f"{prefix}{_cache_key(path, fmt, binary, limit)}.kv"
    if target.is_file():
        try:
            kv = KeyedVectors.load(str(target), mmap="r" if mmap else None)
            logger.info("loaded cached vectors of %s from %s", path, target)
            return kv
        except Exception as exc:  # a damaged cache is rebuilt, never trusted
            logger.warning("cannot read the vector cache %s (%s); parsing %s again",
                           target, exc, path)
    kv = _parse_vectors(path, fmt, binary, limit)
    try:
        _write_cache(kv, target, prefix)
    except OSError as exc:
        logger.warning("cannot write the vector cache in %s (%s); the vectors stay in memory",
                       folder, exc)
        return kv
    logger.info("cached the vectors of %s in %s", path, target)
    return KeyedVectors.load(str(target), mmap="r" if mmap else None)
