"""Datasets: the :class:`Dataset` container and :func:`load_dataset`.

Two research datasets are bundled, compressed, so that demos and tests run
offline: ``mr`` (sentence polarity, Pang & Lee 2005) and ``trec`` (question
classification, Li & Roth 2002). Any other data is read from a file or folder in
one of :data:`~textpipe.data.formats.TRAINING_FORMATS`, or taken from memory: a
pandas DataFrame, or (text, label) pairs.

Examples
--------
>>> from textpipe.data import load_dataset
>>> mr = load_dataset("mr")
>>> len(mr), mr.classes, mr.has_test_split
(10662, ['0', '1'], False)
>>> trec = load_dataset("trec")
>>> len(trec), len(trec.test_texts), len(trec.classes)
(5452, 500, 6)
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from numbers import Integral
from pathlib import Path

from ..errors import DataError, Errors, did_you_mean, quoted_list
from .decoding import AUTO, check_encoding, decode_bytes
from .formats import TRAINING_FORMATS, check_format, detect_format
from .readers import parse_lines, read_examples


@dataclass(repr=False)
class Dataset:
    """Labelled texts for training, and optionally a held-out test split.

    Parameters
    ----------
    texts : list of str
        The training documents.
    labels : list of str
        One label per training document. Labels are always str, also when the
        file wrote them as numbers.
    test_texts, test_labels : list of str, optional
        The test split, when the data comes with one; both or neither.
    name : str, default=""
        A short name: the bundled name (``"mr"``) or the file or folder name.
    source : str, default=""
        Where the data came from: ``"bundled:mr"`` or the resolved path(s).
    label_names : dict of str to str, optional
        What each stored label means (``{"0": "DESC", ...}`` for TREC), for display
        in reports and ``textpipe run``; the labels themselves stay as stored.

    Attributes
    ----------
    has_test_split : bool
    classes : list of str

    Examples
    --------
    >>> ds = Dataset(["a fine film", "dull", "fine"], ["pos", "neg", "pos"], name="toy")
    >>> len(ds), ds.classes, ds.has_test_split
    (3, ['neg', 'pos'], False)
    >>> ds
    Dataset(name='toy', n_train=3, n_test=None, classes=['neg', 'pos'])
    >>> ds.fingerprint()[:12]
    'fc990cca17fe'
    """

    texts: list[str]
    labels: list[str]
    test_texts: list[str] | None = None
    test_labels: list[str] | None = None
    name: str = ""
    source: str = ""
    label_names: dict[str, str] | None = None

    def __post_init__(self):
        if (self.test_texts is None) != (self.test_labels is None):
            raise DataError(Errors.E228)
        _check_split("the training split", self.texts, self.labels)
        if self.test_texts is not None:
            _check_split("the test split", self.test_texts, self.test_labels)

    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        n_test = None if self.test_texts is None else len(self.test_texts)
        return (
            f"Dataset(name={self.name!r}, n_train={len(self)}, n_test={n_test}, "
            f"classes={self.classes!r})"
        )

    @property
    def has_test_split(self) -> bool:
        """Whether the dataset brings its own test split."""
        return self.test_texts is not None

    @property
    def classes(self) -> list[str]:
        """The sorted set of labels over the training and the test split."""
        return sorted(set(self.labels).union(self.test_labels or ()))

    def label_name(self, label: str) -> str:
        """The name to show for ``label``: its entry in ``label_names``, else the label.

        Examples
        --------
        >>> Dataset(["q"], ["0"], label_names={"0": "DESC"}).label_name("0")
        'DESC'
        """
        return (self.label_names or {}).get(str(label), str(label))

    def check_classes(self) -> None:
        """Raise :class:`DataError`, naming the source, unless the training split has 2+ classes.

        A classifier learns nothing from one class, so training on it is a mistake in
        the data (a wrong label column, a filtered file), found before any fitting.

        Examples
        --------
        >>> Dataset(["fine", "good"], ["pos", "pos"], source="reviews.csv").check_classes()
        Traceback (most recent call last):
        ...
        textpipe.errors.DataError: reviews.csv: the training data has only one class ('pos'); a classifier needs at least two. Check the label column, or use a stratified split. [E107]
        """
        classes = set(self.labels)
        if len(classes) < 2:
            label = next(iter(classes)) if classes else None
            raise DataError(Errors.E107.format(label=label), file=self.source or self.name or None)

    def fingerprint(self) -> str:
        """Return a SHA-256 hex digest of the texts and labels of both splits.

        It is the same in every run, on every machine, and changes when any
        text, label or the order of examples changes. ``name`` and ``source`` do
        not enter it, so the same data read from different places has the same
        fingerprint.
        """
        digest = hashlib.sha256(b"textpipe.Dataset v1\0")
        for part in (self.texts, self.labels, self.test_texts, self.test_labels):
            if part is None:
                digest.update(b"N")
                continue
            digest.update(b"L%d\0" % len(part))
            for item in part:
                data = item.encode("utf-8", "surrogatepass")
                digest.update(b"%d:" % len(data))
                digest.update(data)
        return digest.hexdigest()


@dataclass(frozen=True)
class _Bundled:
    train: str
    test: str | None
    encoding: str
    description: str
    label_names: dict[str, str] | None = None


_BUNDLED = {
    "mr": _Bundled(
        train="mr.txt.gz",
        test=None,
        # The file is usually called Latin-1, but its bytes 0x80-0x9f are Windows-1252
        # punctuation (0x85 is an ellipsis, 0x91/0x92 quotes, 0x96/0x97 dashes).
        encoding="cp1252",
        description=(
            "MR, movie-review sentence polarity v1.0 (Pang & Lee, 2005): 10,662 snippets, "
            "5,331 negative (0) and 5,331 positive (1); no test split, use 10-fold CV."
        ),
    ),
    "trec": _Bundled(
        train="trec-train.txt.gz",
        test="trec-test.txt.gz",
        encoding="cp1252",
        description=(
            "TREC question classification (Li & Roth, 2002): 5,452 training and 500 test "
            "questions, 6 coarse question types (0-5: DESC, ENTY, ABBR, HUM, LOC, NUM)."
        ),
        # The files write the coarse classes as numbers; their counts in the files
        # (train 1162/1250/86/1223/835/896, test 138/94/9/65/81/113) tell which is which.
        label_names={"0": "DESC", "1": "ENTY", "2": "ABBR", "3": "HUM", "4": "LOC", "5": "NUM"},
    ),
}
_BARE_NAME = re.compile(r"[\w-]+")


def bundled_datasets() -> dict[str, str]:
    """Return the bundled datasets' names, each with a one-line description.

    Examples
    --------
    >>> sorted(bundled_datasets())
    ['mr', 'trec']
    >>> bundled_datasets()["mr"][:36]
    'MR, movie-review sentence polarity v'
    """
    return {name: spec.description for name, spec in _BUNDLED.items()}


def load_dataset(
    source: str | os.PathLike | Iterable,
    *,
    format: str | None = None,
    test_source: str | os.PathLike | None = None,
    encoding: str = AUTO,
    text_column: str = "text",
    label_column: str = "label",
    sample: int | None = None,
    seed: int = 0,
) -> Dataset:
    """Load a bundled dataset by name, labelled texts from a file or folder, or from memory.

    Parameters
    ----------
    source : str, PathLike, DataFrame or iterable of (text, label) pairs
        A bundled dataset name (``"mr"``, ``"trec"``, case-insensitive; see
        :func:`bundled_datasets`) or the path of a file or folder. A str that
        is a bundled name always means the bundled dataset; write ``"./mr"`` for
        a file called ``mr``. Data already in memory is a pandas DataFrame (its
        ``text_column`` and ``label_column``) or (text, label) pairs; integer
        labels become str.
    format : {"lines", "csv", "tsv", "jsonl", "parquet", "folder"}, optional
        How the data is written (see :mod:`textpipe.data.formats`). By default it
        is detected by :func:`~textpipe.data.formats.detect_format`: a directory is
        ``"folder"``, ``.csv`` is ``"csv"``, ``.tsv``/``.tab`` is ``"tsv"``,
        ``.jsonl``/``.ndjson`` is ``"jsonl"``, ``.parquet``/``.pq`` is
        ``"parquet"``, anything else ``"lines"``. A ``.gz`` file is decompressed,
        and detected by the suffix before ``.gz``.
    test_source : str, PathLike, DataFrame or iterable of pairs, optional
        A second file or folder, in the same format, read as the test split (or,
        with data in memory, a second DataFrame or pairs).
    encoding : str, default="auto"
        ``"auto"`` decides per file: UTF-8 (with or without a byte-order mark),
        else cp1252, else Latin-1. Or name a codec, which is then applied
        strictly. See :mod:`textpipe.data.decoding`.
    text_column, label_column : str, default="text", "label"
        The columns (csv, tsv, parquet, a DataFrame) or fields (jsonl) holding the
        text and the label.
    sample : int, optional
        Keep a stratified random subsample of this many training examples, in
        their original order; every class keeps at least one example when
        ``sample`` is at least the number of classes. All are kept if there are
        fewer. The test split is never sampled.
    seed : int, default=0
        The seed of the subsample; the same seed gives the same subsample.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        If the name or path is unknown, an argument is invalid, or the data is
        malformed (the message names the file and line).

    Examples
    --------
    >>> ds = load_dataset("trec", sample=600, seed=1)
    >>> len(ds), len(ds.test_texts), ds.classes
    (600, 500, ['0', '1', '2', '3', '4', '5'])
    >>> load_dataset([("a fine film", "pos"), ("dull", "neg")]).classes
    ['neg', 'pos']
    >>> load_dataset("mrr")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: unknown dataset 'mrr'. Did you mean 'mr'? Bundled datasets: 'mr', 'trec'. A path to a file or folder works too. [E201]
    """
    check_format(format, TRAINING_FORMATS)
    check_encoding(encoding)
    _check_sample(sample)
    if isinstance(source, str) and source.lower() in _BUNDLED:
        dataset = _load_bundled(
            source.lower(), format=format, test_source=test_source, encoding=encoding
        )
    elif not isinstance(source, (str, os.PathLike)):
        columns = {"text_column": text_column, "label_column": label_column}
        dataset = _from_memory(source, test_source, format, encoding, columns)
    else:
        path = _existing_path(source)
        format = format or detect_format(path)
        options = {"encoding": encoding, "text_column": text_column, "label_column": label_column}
        texts, labels = read_examples(path, format, **options)
        test_texts = test_labels = None
        sources = [str(path)]
        if test_source is not None:
            test_path = _existing_path(test_source, bundled_ok=False)
            test_texts, test_labels = read_examples(test_path, format, **options)
            sources.append(str(test_path))
        dataset = Dataset(
            texts, labels, test_texts, test_labels, name=path.name, source=" + ".join(sources)
        )
    if sample is not None and sample < len(dataset):
        dataset = _subsample(dataset, sample, seed)
    return dataset


def _load_bundled(name: str, *, format, test_source, encoding) -> Dataset:
    spec = _BUNDLED[name]
    for arg, given, why in (
        ("format", format not in (None, "lines"), "it is always read as 'lines'"),
        ("test_source", test_source is not None, "it brings its own split, or none"),
        ("encoding", encoding != AUTO, f"its encoding is known ({spec.encoding})"),
    ):
        if given:
            raise DataError(Errors.E223.format(arg=arg, name=name, why=why))
    folder = resources.files(__package__).joinpath("bundled")

    def read(file_name: str) -> tuple[list[str], list[str]]:
        data = gzip.decompress(folder.joinpath(file_name).read_bytes())
        text, _ = decode_bytes(data, spec.encoding, file=f"bundled:{file_name}")
        return parse_lines(text, file=f"bundled:{file_name}")

    texts, labels = read(spec.train)
    test_texts, test_labels = read(spec.test) if spec.test else (None, None)
    return Dataset(texts, labels, test_texts, test_labels, name=name, source=f"bundled:{name}",
                   label_names=spec.label_names)


def _brief(obj) -> str:
    """The type of ``obj`` and the start of its repr, never a whole object.

    Examples
    --------
    >>> _brief(3), _brief("a" * 50)
    ('int 3', "str 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...")
    """
    text = (repr(obj).splitlines() or [""])[0]
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(obj).__name__} {text}"


def _is_frame(data) -> bool:
    """Whether ``data`` is a DataFrame (pandas or alike): named columns to index by name."""
    return hasattr(data, "columns") and hasattr(data, "__getitem__")


def _from_memory(source, test_source, format, encoding, columns: dict) -> Dataset:
    """The dataset that a DataFrame or (text, label) pairs hold, test split included."""
    for arg, given in (("format", format is not None), ("encoding", encoding != AUTO)):
        if given:
            raise DataError(Errors.E732.format(arg=arg))

    def read(data, part):
        if _is_frame(data):
            return _frame_examples(data, **columns)
        return _pair_examples(data, part)

    texts, labels = read(source, "examples")
    test_texts, test_labels = (None, None)
    if test_source is not None:
        test_texts, test_labels = read(test_source, "test examples")
    name = "DataFrame" if _is_frame(source) else "pairs"
    return Dataset(texts, labels, test_texts, test_labels, name=name, source=name)


def _label(value):
    """A label as str: integers (``1``, ``numpy.int64(1)``) too; anything else stays."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        return str(value)
    return value


def _frame_examples(frame, text_column: str, label_column: str) -> tuple[list, list]:
    names = list(frame.columns)
    for arg, column, what in (("text_column", text_column, "texts"),
                              ("label_column", label_column, "labels")):
        if column not in names:
            shown = quoted_list(names[:10]) + (f", ... ({len(names)} in all)"
                                               if len(names) > 10 else "")
            raise DataError(Errors.E730.format(column=column, arg=arg, columns=shown or "none",
                                               what=what))
    return list(frame[text_column]), [_label(v) for v in frame[label_column]]


def _pair_examples(data, part: str) -> tuple[list, list]:
    if isinstance(data, (Mapping, bytes)) or not isinstance(data, Iterable):
        raise DataError(Errors.E225.format(got=_brief(data)))
    texts, labels = [], []
    for index, item in enumerate(data):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise DataError(Errors.E731.format(index=index, part=part, got=_brief(item)))
        texts.append(item[0])
        labels.append(_label(item[1]))
    return texts, labels


def _existing_path(source, *, bundled_ok: bool = True) -> Path:
    """Return ``source`` as a resolved, existing path, or raise E201/E202."""
    if not isinstance(source, (str, os.PathLike)):
        raise DataError(Errors.E225.format(got=_brief(source)))
    path = Path(source).expanduser()
    if path.exists():
        return path.resolve()
    if bundled_ok and isinstance(source, str) and _BARE_NAME.fullmatch(source):
        raise DataError(
            Errors.E201.format(
                name=source,
                hint=did_you_mean(source.lower(), _BUNDLED),
                allowed=quoted_list(_BUNDLED),
            )
        )
    raise DataError(Errors.E202, file=path.absolute())


def _check_split(part: str, texts, labels) -> None:
    if len(texts) != len(labels):
        raise DataError(Errors.E226.format(part=part, n_texts=len(texts), n_labels=len(labels)))
    for field, items in (("texts", texts), ("labels", labels)):
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise DataError(
                    Errors.E227.format(
                        part=f"{field} of {part}", index=index, kind=type(item).__name__
                    )
                )


def _check_sample(sample) -> None:
    if sample is None:
        return
    if isinstance(sample, bool) or not isinstance(sample, Integral) or sample < 1:
        raise DataError(Errors.E224.format(got=repr(sample)))


def _subsample(dataset: Dataset, n: int, seed) -> Dataset:
    keep = stratified_indices(dataset.labels, n, seed=seed)
    return Dataset(
        [dataset.texts[i] for i in keep],
        [dataset.labels[i] for i in keep],
        dataset.test_texts,
        dataset.test_labels,
        name=dataset.name,
        source=dataset.source,
        label_names=dataset.label_names,
    )


def stratified_indices(labels: list[str], n: int, *, seed=0) -> list[int]:
    """Choose ``n`` positions of ``labels`` at random, keeping class proportions.

    Each class gets ``n`` times its share, rounded by largest remainder; when
    ``n`` is at least the number of classes, every class gets at least one.
    Positions are drawn with ``numpy.random.RandomState(seed)`` and returned
    sorted, so the subsample keeps the original order.

    Examples
    --------
    >>> labels = ["a"] * 6 + ["b"] * 3 + ["c"]
    >>> picked = stratified_indices(labels, 4, seed=0)
    >>> sorted(labels[i] for i in picked)
    ['a', 'a', 'b', 'c']
    >>> picked == stratified_indices(labels, 4, seed=0)
    True
    """
    import numpy as np

    positions: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        positions.setdefault(label, []).append(index)
    if n >= len(labels):
        return list(range(len(labels)))
    classes = sorted(positions)
    quotas = _allocate([len(positions[c]) for c in classes], n)
    rng = np.random.RandomState(seed)
    chosen: list[int] = []
    for label, quota in zip(classes, quotas):
        members = positions[label]
        chosen.extend(members[i] for i in rng.choice(len(members), quota, replace=False))
    return sorted(chosen)


def _allocate(sizes: list[int], n: int) -> list[int]:
    """Split ``n`` (< sum(sizes)) in proportion to ``sizes``, by largest remainder."""
    total = sum(sizes)
    quotas = [n * size // total for size in sizes]
    remainders = [n * size % total for size in sizes]
    by_remainder = sorted(range(len(sizes)), key=lambda k: -remainders[k])
    for k in by_remainder[: n - sum(quotas)]:
        quotas[k] += 1
    if n >= len(sizes):
        for k, quota in enumerate(quotas):
            if quota == 0:
                quotas[max(range(len(sizes)), key=lambda j: quotas[j])] -= 1
                quotas[k] = 1
    return quotas


__all__ = ["Dataset", "bundled_datasets", "load_dataset", "stratified_indices"]
