"""Evaluation: protocols (CV, given split, holdout), metrics, per-step timing.

Examples
--------
>>> from textpipe.evaluation import METRICS
>>> "macro_f1" in METRICS
True
"""

from .metrics import METRICS, score
from .protocol import Fold, Plan, plan_evaluation
from .run import EvaluationResult, FoldResult, evaluate
from .timing import fit_timed, predict_timed

__all__ = [
    "METRICS",
    "EvaluationResult",
    "Fold",
    "FoldResult",
    "Plan",
    "evaluate",
    "fit_timed",
    "plan_evaluation",
    "predict_timed",
    "score",
]
