"""The one place textpipe imports private scikit-learn modules.

scikit-learn has no public API for declaring parameter constraints (the
``_parameter_constraints`` that its own estimators use, checked with
``validate_parameter_constraints``), nor for following its ``sparse_interface``
setting, nor for the container (pandas, polars) that ``set_output`` chose.
textpipe's stages declare their parameters the same way scikit-learn's do, so they share these helpers; importing them here, and only here, means a
scikit-learn release that moves them breaks one small module instead of every
stage. Everything else in textpipe imports public scikit-learn modules only
(tests/test_errors.py checks it).
"""

from __future__ import annotations

from sklearn.utils._param_validation import (  # no public equivalent
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
    make_constraint,
    validate_parameter_constraints,
)

from sklearn.utils._set_output import (  # no public equivalent
    _get_container_adapter as output_container_adapter,
)

try:  # follow sklearn's "sparse_interface" setting (spmatrix or sparray)
    from sklearn.utils._sparse import _align_api_if_sparse as align_sparse_output
except ImportError:  # pragma: no cover - sklearn < 1.8 always returns spmatrix

    def align_sparse_output(X):
        """Return ``X`` unchanged: this scikit-learn always returns spmatrix."""
        return X


__all__ = [
    "Interval",
    "InvalidParameterError",
    "RealNotInt",
    "StrOptions",
    "align_sparse_output",
    "make_constraint",
    "output_container_adapter",
    "validate_parameter_constraints",
]
