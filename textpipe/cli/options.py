"""Checks of numeric command-line options, made before any work starts.

A bad value is the user's mistake: it is reported as one error that names the
option (``--n-jobs must be ...``), never as a traceback from deep inside a run.
"""

from __future__ import annotations

from numbers import Real

from ..errors import Errors, UsageError


def check_option(value, option: str, *, minimum: float = 1, exclusive: bool = False,
                 nonzero: bool = False):
    """Return ``value`` if it is None or a number in the option's range, else raise.

    Parameters
    ----------
    value : int, float or None
        What the user gave; None (the option left out) always passes.
    option : str
        The option's name as typed, e.g. ``"--chunk-size"``.
    minimum : float, default=1
        The smallest value allowed (or, with ``exclusive``, the bound it must exceed).
    exclusive : bool, default=False
        The value must be greater than ``minimum``, not equal to it.
    nonzero : bool, default=False
        Any integer but 0 is allowed (``--n-jobs``: -1 means every core); ``minimum``
        is then not used.

    Raises
    ------
    UsageError
        Naming the option, what it must be, and what it got.

    Examples
    --------
    >>> check_option(3, "-n")
    3
    >>> check_option(-1, "--n-jobs", nonzero=True)
    -1
    >>> check_option(0, "--max-minutes", minimum=0, exclusive=True)
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: --max-minutes must be a number greater than 0; got 0. [E816]
    """
    if value is None:
        return value
    if nonzero:
        ok, what = value != 0, "a nonzero integer (-1: every core)"
    elif exclusive:
        ok, what = value > minimum, f"a number greater than {minimum:g}"
    else:
        ok, what = value >= minimum, f"at least {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, Real) or not ok:
        raise UsageError(Errors.E816.format(name=option, what=what, got=value), option=option)
    return value
