"""An on-disk cache of fitted steps' outputs that survives between runs.

An entry holds what one node of the prefix tree produced on one fold: the
transformed training and test documents of a transformer step, or the
predictions of a classifier, with the seconds it took. Its key covers
everything the result depends on: the data (its fingerprint), the fold (the
training and test indices), the prefix key of the step (every stage and
parameter up to it), and the versions of Python and of every library a step's
output can depend on (textpipe, NumPy, SciPy, scikit-learn, spaCy and its
lookup data, NLTK, gensim, PyTorch: those :func:`textpipe.environment.library_versions`
reports), so upgrading a tokenizer's library does not reuse its old tokens.
Rerunning an experiment, or adding a pipeline to it, reuses every entry whose
key is unchanged.

Entries are pickles (written with joblib, atomically): only point ``--cache``
at a folder you trust, as with saved models. Each file also records the
format and the key it was written for; one that is cut short, unreadable or
holds anything else is recomputed and written again, with a
:class:`DamagedCacheWarning`.

Examples
--------
>>> import tempfile
>>> cache = StepCache(tempfile.mkdtemp())
>>> key = cache.key(fold_context("data-hash", [0, 1], [2]), "prefix-key")
>>> cache.get(key) is None
True
>>> cache.put(key, {"train": [[1]], "test": [[2]]})
>>> cache.get(key)["test"]
[[2]]
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..environment import library_versions
from ..errors import Errors, UsageError

# v2: feature names kept whatever top_features is; v3: each file records its format and key
FORMAT = "textpipe.compare.cache v3"


class DamagedCacheWarning(UserWarning):
    """A cache entry could not be used (cut short, or not written for its key); it is recomputed."""


@lru_cache(maxsize=1)
def _versions() -> str:
    return "; ".join(f"{name} {v}" for name, v in sorted(library_versions().items()))


def fold_context(fingerprint: str, train, test) -> str:
    """A digest of the data and of one fold's training and test indices."""
    digest = hashlib.sha256(f"{FORMAT}\0{_versions()}\0{fingerprint}\0".encode())
    for part in (train, test):
        array = np.ascontiguousarray(np.asarray(part, dtype=np.int64))
        digest.update(b"%d:" % array.size)
        digest.update(array.tobytes())
    return digest.hexdigest()


class StepCache:
    """Entries in ``directory``, one file each, keyed by :meth:`key`.

    Parameters
    ----------
    directory : str or Path
        Created if missing. On a Dask cluster it must be a folder every worker
        can reach (a shared file system).
    """

    def __init__(self, directory):
        self.directory = Path(directory).expanduser()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=self.directory, prefix=".probe-")
            probe.close()
        except OSError as exc:
            raise UsageError(Errors.E718.format(path=directory, reason=exc),
                             option="--cache") from None

    def __repr__(self) -> str:
        return f"StepCache({str(self.directory)!r})"

    @staticmethod
    def key(context: str, node_key: str, detail: str = "") -> str:
        """The entry key of a node (its prefix key) in a fold context."""
        return hashlib.sha256(f"{context}\0{node_key}\0{detail}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.pkl"

    def get(self, key: str):
        """The entry stored under ``key``, or None.

        An entry that cannot be used (cut short, unreadable, or not what :meth:`put`
        wrote for this key) is None too, so that it is recomputed and written
        again; a :class:`DamagedCacheWarning` says so.
        """
        import joblib

        path = self._path(key)
        if not path.is_file():
            return None
        try:
            stored = joblib.load(path)
        except Exception:  # cut short, or not a pickle at all
            stored = None
        if (isinstance(stored, dict) and stored.get("format") == FORMAT
                and stored.get("key") == key and "value" in stored):
            return stored["value"]
        warnings.warn(DamagedCacheWarning(Errors.E903.format(path=self.directory)),
                      stacklevel=2)
        return None

    def put(self, key: str, value) -> None:
        """Store ``value`` under ``key``; concurrent writers of one key are harmless."""
        import joblib

        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                joblib.dump({"format": FORMAT, "key": key, "value": value}, handle)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
