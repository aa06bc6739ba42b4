"""Check an estimator's parameters without fitting it: every problem, each naming its parameter.

Stages declare what each parameter may be in ``_parameter_constraints`` (the
sklearn convention) and rules between parameters in ``_parameter_rules()``.
:func:`parameter_problems` checks both on the current parameters. The
configuration validator calls it (through a stage's ``check_params``) before
anything runs, and ``fit`` calls the same ``check_params``, so each rule is
written once and a configuration that validates cannot fail on it later.

Examples
--------
>>> from sklearn.linear_model import LogisticRegression
>>> [(p.param, p.reason) for p in parameter_problems(LogisticRegression(C=-1, max_iter=-1))]
[('C', 'must be a float in the range (0.0, inf]. Got -1 instead.'), ('max_iter', 'must be an int in the range [0, inf). Got -1 instead.')]
"""

from __future__ import annotations

import functools
import re
from numbers import Integral, Real

from .errors import ConfigError, Errors, UsageError, did_you_mean, raise_config_errors

__all__ = ["InvalidParameter", "check_option", "check_parameters", "parameter_problems"]


# scikit-learn is imported when a parameter is first checked, not with this module: the
# configuration layer imports it, and `textpipe --help` should not pay for scikit-learn.
@functools.cache
def _invalid_parameter_class() -> type:
    from .sklearn_compat import InvalidParameterError

    class InvalidParameter(ConfigError, InvalidParameterError):
        """A value a parameter's constraints refuse.

        It is also sklearn's ``InvalidParameterError``, as sklearn's own checks expect
        from ``fit``. ``reason`` is the message without the parameter's name, for
        messages that name it in their location.
        """

        def __init__(self, message: str, *, param: str, reason: str):
            super().__init__(message)
            self.param, self.reason = param, reason

    InvalidParameter.__module__, InvalidParameter.__qualname__ = __name__, "InvalidParameter"
    return InvalidParameter


def __getattr__(name: str):
    if name == "InvalidParameter":  # built on first use, with scikit-learn (see above)
        return _invalid_parameter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parameter_problems(estimator) -> list[ConfigError]:
    """Every parameter of ``estimator`` that breaks its constraints, then its rules' problems.

    Rules between parameters (``estimator._parameter_rules()``, returning a list
    of ConfigError) are checked too; a rule's problem with
    a parameter whose value is already refused is left out.
    """
    from .sklearn_compat import InvalidParameterError, validate_parameter_constraints

    invalid_parameter = _invalid_parameter_class()
    constraints = getattr(estimator, "_parameter_constraints", None) or {}
    params = estimator.get_params(deep=False)
    problems = []
    for name, allowed in constraints.items():
        if name not in params or allowed == "no_validation":
            continue
        try:
            validate_parameter_constraints({name: allowed}, {name: params[name]},
                                           caller_name=type(estimator).__name__)
        except InvalidParameterError as exc:
            hint = _value_hint(allowed, params[name])
            reason = re.sub(r"^The '\w+' parameter of \w+ ", "", str(exc))
            problems.append(invalid_parameter(Errors.E076.format(reason=str(exc) + hint),
                                                param=name,
                                                reason=Errors.E076.format(reason=reason + hint)))
    parameter_rules = getattr(estimator, "_parameter_rules", None)
    if parameter_rules is not None:
        refused = {problem.param for problem in problems}
        try:
            found = parameter_rules()
        except Exception:  # a rule met a value its constraint refused, reported above
            if not refused:
                raise
            found = []
        problems += [problem for problem in found if problem.param not in refused]
    return problems


def check_parameters(estimator) -> None:
    """Raise every problem :func:`parameter_problems` finds (ConfigError), or nothing.

    Problems that do not say which step they belong to are given the estimator's
    stage name (its class name outside the registry).
    """
    name = getattr(estimator, "stage_name", None) or type(estimator).__name__
    raise_config_errors([
        problem if problem.step or isinstance(problem, _invalid_parameter_class())
        else ConfigError(problem.message, step=f"'{name}'", param=problem.param)
        for problem in parameter_problems(estimator)])


def _value_hint(constraints, value) -> str:
    if not isinstance(value, str):
        return ""
    options = [o for c in constraints for o in getattr(c, "options", ()) if isinstance(o, str)]
    return did_you_mean(value, options)


def check_option(value, option: str, *, minimum: float = 1, exclusive: bool = False,
                 nonzero: bool = False, integer: bool = False):
    """Return ``value`` if it is None or a number in the option's range, else raise.

    For command-line options and the keyword arguments behind them: a bad value is the
    user's mistake, reported as one error naming the option, before any work starts.

    Parameters
    ----------
    value : int, float or None
        What the user gave; None (the option left out) always passes.
    option : str
        The option's name as typed, e.g. ``"--chunk-size"`` (or the keyword argument's,
        ``"chunk_size"``).
    minimum : float, default=1
        The smallest value allowed (or, with ``exclusive``, the bound it must exceed).
    exclusive : bool, default=False
        The value must be greater than ``minimum``, not equal to it.
    nonzero : bool, default=False
        Any integer but 0 is allowed (``--n-jobs``: -1 means every core); ``minimum``
        is then not used.
    integer : bool, default=False
        Only integers are allowed (for keyword arguments; the command line has
        converted its options already).

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
    elif integer and minimum == 1:
        ok, what = value >= 1, "a positive integer"
    else:
        ok, what = value >= minimum, f"at least {minimum:g}"
    kind = Integral if integer or nonzero else Real
    if isinstance(value, bool) or not isinstance(value, kind) or not ok:
        raise UsageError(Errors.E816.format(name=option, what=what, got=value), option=option)
    return value
