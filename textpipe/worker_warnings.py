"""What work sent to worker processes carries: its warnings back, scikit-learn's settings there.

Warnings raised in worker processes are raised again in the process that started the work.

A joblib or Dask worker's warnings would otherwise go straight to the worker's
stderr (or log), in Python's two-line format, past whatever the main process
does with warnings (the command line shows each as one line, and none under
``--quiet``). Run the work with :func:`call_recording_warnings` in the worker,
and pass what comes back through :func:`results_raising_warnings` here.

Examples
--------
>>> import warnings
>>> result, caught = call_recording_warnings(lambda x: warnings.warn("odd") or x + 1, 1)
>>> result, [message for _, message, _, _ in caught]
(2, ['odd'])
>>> with warnings.catch_warnings(record=True) as shown:
...     warnings.simplefilter("default")
...     list(results_raising_warnings([(result, caught), (result, caught)]))
[2, 2]
>>> [str(w.message) for w in shown]
['odd']
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterable, Iterator


def call_recording_warnings(func: Callable, *args: Any) -> tuple[Any, list[tuple]]:
    """Call ``func(*args)``; return its result and the warnings it raised.

    The warnings are ``(category, message, filename, lineno)`` tuples: plain
    values that any worker can send back.
    """
    with warnings.catch_warnings(record=True) as caught:
        result = func(*args)
    return result, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]


def raise_again(caught: list[tuple], registry: dict) -> None:
    """Raise warnings that :func:`call_recording_warnings` recorded, in this process.

    ``registry`` is shared by every call of one job, so that Python's filters show a
    warning that many workers raised once, as they would have for one process.
    """
    for category, message, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno, registry=registry)


def results_raising_warnings(outcomes: Iterable[tuple[Any, list[tuple]]]) -> Iterator:
    """Yield the result of each ``(result, warnings)`` pair, its warnings raised here first."""
    registry: dict = {}
    for result, caught in outcomes:
        raise_again(caught, registry)
        yield result


def carry_sklearn_config(func):
    """``func`` made to run under this thread's scikit-learn configuration, wherever it runs.

    scikit-learn's settings (``set_config``, ``config_context``: the
    ``transform_output`` container, say) are per thread, and a joblib or Dask
    worker starts with the defaults. scikit-learn's own ``Parallel`` passes
    them on; textpipe's parallel code wraps what it sends to workers with this,
    so a fold or chunk runs with the settings of the code that started it.

    Examples
    --------
    >>> import sklearn
    >>> with sklearn.config_context(transform_output="pandas"):
    ...     job = carry_sklearn_config(lambda: sklearn.get_config()["transform_output"])
    >>> job()
    'pandas'
    """
    from sklearn import get_config

    return _WithConfig(func, get_config())


class _WithConfig:
    """``func`` called under a scikit-learn configuration; named like ``func`` (task names)."""

    def __init__(self, func, config: dict):
        self.func, self.config = func, config
        self.__name__ = getattr(func, "__name__", type(func).__name__)

    def __call__(self, *args, **kwargs):
        from sklearn import config_context

        with config_context(**self.config):
            return self.func(*args, **kwargs)

__all__ = ["call_recording_warnings", "carry_sklearn_config", "raise_again",
           "results_raising_warnings"]
