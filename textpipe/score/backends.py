"""Map a function over chunks, results in input order: here, in joblib workers, or on Dask.

The model reaches each worker once, never once per chunk:

* in this process (``n_jobs=1``), the loaded pipeline is used as it is;
* with joblib (``n_jobs=2``, ``-1`` for every core), each worker process loads the
  model from its folder the first time it needs it (checksums verified) and keeps it
  for the following chunks; it refuses a model whose identity is not the one this
  process checked (the folder was replaced meanwhile), and it exits as soon as this
  process is gone, ``kill -9`` included. A pipeline that was never saved is saved
  once to a temporary folder for them;
* with Dask (``scheduler="tcp://host:8786"``), the pipeline is scattered to every
  worker once (``Client.scatter(..., broadcast=True)``) and tasks refer to it. A
  cluster with no worker is refused after :data:`DASK_WORKER_TIMEOUT` seconds
  instead of waiting for ever.

Only a bounded number of chunks is in flight (twice the number of workers), and
results come back in input order, so memory stays flat whatever the input's size.

Examples
--------
>>> from sklearn.dummy import DummyClassifier
>>> model = ModelHandle.resolve(DummyClassifier().fit([[0], [1]], ["a", "b"]))
>>> list(ordered_map(lambda pipe, x: str(pipe.predict([[x]])[0]), [1, 2], model))
['a', 'a']
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import Errors, ModelError, UsageError
from ..model import (ModelVersionWarning, SavedModel, check_model, load_model, model_identity,
                     save_model)
from ..parameters import check_option
from ..worker_warnings import (call_recording_warnings, carry_sklearn_config,
                               results_raising_warnings)

# In each worker process: the model last loaded, keyed by (folder, identity).
_LOADED: dict[tuple[str, str], Any] = {}
#: Seconds to wait for a Dask cluster to have at least one worker.
DASK_WORKER_TIMEOUT = 30


def _load_again(directory, identity: str, allow_version_mismatch: bool):
    """Load a model folder that :meth:`ModelHandle.resolve` checked already.

    The checksums are verified again, right before unpickling, and the model must
    still have the ``identity`` that was checked: a folder replaced meanwhile is
    refused rather than scored with. A library version warning is not repeated
    (the main process gave it once).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelVersionWarning)
        model = load_model(directory, allow_version_mismatch=allow_version_mismatch)
    if model.identity != identity:
        raise ModelError(Errors.E876.format(path=directory))
    return model.pipeline


class ModelHandle:
    """A fitted pipeline, and where workers can load it from.

    Make one with :meth:`resolve`. A model folder is checked at once (checksums,
    version) but unpickled only when this process needs the pipeline: with
    ``n_jobs > 1`` it never does, and only the workers load it.

    Attributes
    ----------
    directory : Path or None
        The saved model's folder, if there is one.
    identity : str
        Changes whenever the model does (see ``SavedModel.identity``); for a
        pipeline never saved, a hash of its content.
    allow_version_mismatch : bool
    """

    def __init__(self, pipeline=None, *, directory=None, identity: str,
                 metadata: dict | None = None, allow_version_mismatch: bool = False):
        self._pipeline = pipeline
        self.directory = None if directory is None else Path(directory)
        self.identity = identity
        self.metadata = metadata or {}
        self.allow_version_mismatch = allow_version_mismatch

    @classmethod
    def resolve(cls, model, *, allow_version_mismatch: bool = False) -> "ModelHandle":
        """Accept a model folder (str or Path), a ``SavedModel`` or a fitted pipeline.

        A folder is checked with :func:`textpipe.model.check_model`; loading it later
        unpickles it: only use models you trust.
        """
        if isinstance(model, (str, Path)):
            meta = check_model(model, allow_version_mismatch=allow_version_mismatch)
            return cls(directory=model, identity=model_identity(meta), metadata=meta,
                       allow_version_mismatch=allow_version_mismatch)
        if isinstance(model, SavedModel):
            return cls(model.pipeline, directory=model.directory, identity=model.identity,
                       metadata=model.metadata, allow_version_mismatch=allow_version_mismatch)
        import joblib

        return cls(model, identity=joblib.hash(model))

    @property
    def pipeline(self):
        """The fitted pipeline, loaded from the folder on first use."""
        if self._pipeline is None:
            self._pipeline = _load_again(self.directory, self.identity,
                                         self.allow_version_mismatch)
        return self._pipeline

    @property
    def classes(self) -> list[str]:
        """The classes, in the order of ``predict_proba``'s columns."""
        if self._pipeline is None and self.metadata.get("labels"):
            return list(self.metadata["labels"])
        return [str(c) for c in getattr(self.pipeline, "classes_", [])]

    @property
    def has_proba(self) -> bool:
        """Whether the pipeline has a working ``predict_proba``."""
        if self._pipeline is None and "predict_proba" in self.metadata:
            return bool(self.metadata["predict_proba"])
        return hasattr(self.pipeline, "predict_proba")

    @property
    def last_step(self) -> str:
        """The name of the pipeline's last step (the classifier), for messages."""
        pipeline = self.pipeline
        return pipeline.steps[-1][0] if hasattr(pipeline, "steps") else type(pipeline).__name__

    @contextmanager
    def on_disk(self):
        """Yield ``(folder, identity)`` that workers load from; a temporary save if needed."""
        if self.directory is not None:
            yield str(self.directory), self.identity
            return
        with tempfile.TemporaryDirectory(prefix="textpipe-model-") as tmp:
            save_model(self.pipeline, tmp)
            yield tmp, model_identity(check_model(tmp))  # what workers check: no unpickling


def _exit_with_parent(parent: int) -> None:
    """Start a worker (loky's initializer): exit as soon as process ``parent`` is gone.

    A scoring job killed with ``kill -9`` cannot stop its workers, and a worker left
    waiting for work may never time out (loky's idle timeout needs a lock that the
    killed process may hold), so each worker watches its parent from its start.
    ``parent`` is the pid of the process that started it: if that one died before
    this worker got here, the worker has a new parent already and exits at once.
    """
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="textpipe-parent-watch", daemon=True).start()


def _in_worker(func, where: tuple[str, str, bool], item, args):
    """Run ``func(pipeline, item, *args)`` in a worker, loading the model once.

    Returns the result and the warnings raised (see :mod:`textpipe.worker_warnings`).
    """
    directory, identity, allow = where
    key = (directory, identity)
    pipeline = _LOADED.get(key)
    if pipeline is None:
        _LOADED.clear()  # one model per worker at a time
        pipeline = _LOADED[key] = _load_again(directory, identity, allow)
    return call_recording_warnings(func, pipeline, item, *args)


def check_n_jobs(n_jobs) -> int:
    """Return ``n_jobs`` if it is a nonzero int (``-1``: every core), else raise UsageError."""
    return int(check_option(n_jobs, "n_jobs", nonzero=True))


def ordered_map(func: Callable, items: Iterable, model: ModelHandle, *, args: tuple = (),
                n_jobs: int = 1, scheduler: str | None = None) -> Iterator:
    """Yield ``func(pipeline, item, *args)`` for each item, in order.

    Parameters
    ----------
    func : callable
        A module-level function (workers import it by name).
    items : iterable
        Consumed lazily: at most twice as many items as workers are in flight.
    model : ModelHandle
    args : tuple
        More arguments for ``func``, the same for every item.
    n_jobs : int, default=1
        Worker processes (joblib); 1 runs in this process, -1 uses every core.
    scheduler : str, optional
        A Dask scheduler's address; ``n_jobs`` is then ignored.
    """
    if scheduler is not None:
        yield from _dask_map(func, items, model, args, scheduler)
        return
    from joblib import Parallel, delayed, effective_n_jobs, parallel_config

    n_jobs = check_n_jobs(n_jobs)
    if n_jobs == 1 or effective_n_jobs(n_jobs) == 1:
        for item in items:
            yield func(model.pipeline, item, *args)
        return
    with model.on_disk() as (directory, identity):
        where = (directory, identity, model.allow_version_mismatch)
        # The backend is chosen when Parallel is made: the setting does not outlive it.
        with parallel_config(backend="loky", initializer=_exit_with_parent,
                             initargs=(os.getpid(),)):
            parallel = Parallel(n_jobs=n_jobs, return_as="generator",
                                pre_dispatch="2*n_jobs", batch_size=1)
        yield from results_raising_warnings(
            parallel(delayed(carry_sklearn_config(_in_worker))(func, where, item, args)
                     for item in items))


def _dask_map(func, items, model: ModelHandle, args, address: str) -> Iterator:
    from distributed import Client

    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(Errors.E813.format(address=address, reason=exc),
                         option="--scheduler") from None
    pending: deque = deque()
    try:
        try:
            client.wait_for_workers(1, timeout=DASK_WORKER_TIMEOUT)
        except TimeoutError:
            raise UsageError(Errors.E834.format(address=address, seconds=DASK_WORKER_TIMEOUT),
                             option="--scheduler") from None
        remote = client.scatter(model.pipeline, broadcast=True, hash=False)
        window = max(2, 2 * sum(client.nthreads().values()))

        in_worker = carry_sklearn_config(call_recording_warnings)

        def outcomes():
            for item in items:
                pending.append(client.submit(in_worker, func, remote, item, *args, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

        yield from results_raising_warnings(outcomes())
    finally:
        for future in pending:
            future.cancel()
        client.close()


__all__ = ["DASK_WORKER_TIMEOUT", "ModelHandle", "check_n_jobs", "ordered_map"]
