"""Fit and apply a ``Pipeline`` step by step, timing each step.

``Pipeline.fit`` gives one total; users comparing preprocessing choices want
to see where the time goes. These functions do what ``Pipeline.fit`` and
``Pipeline.predict`` do, step by step, and leave the pipeline fitted exactly
as ``Pipeline.fit`` would.

Examples
--------
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn.linear_model import LogisticRegression
>>> pipe = make_pipeline(StandardScaler(), LogisticRegression())
>>> seconds = fit_timed(pipe, [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
>>> list(seconds)
['standardscaler', 'logisticregression']
>>> predict_timed(pipe, [[0.0], [3.0]])[0].tolist()
[0, 1]
"""

from __future__ import annotations

from time import perf_counter


def fit_timed(pipeline, X, y) -> dict[str, float]:
    """Fit every step of ``pipeline`` on ``X, y``; return seconds per step."""
    seconds: dict[str, float] = {}
    Xt = X
    *transformers, (last_name, last) = pipeline.steps
    for name, step in transformers:
        if step is None or step == "passthrough":
            continue
        start = perf_counter()
        Xt = step.fit_transform(Xt, y)
        seconds[name] = perf_counter() - start
    start = perf_counter()
    last.fit(Xt, y)
    seconds[last_name] = perf_counter() - start
    return seconds


def predict_timed(pipeline, X):
    """Predict with a fitted ``pipeline``; return (predictions, seconds per step)."""
    seconds: dict[str, float] = {}
    Xt = X
    *transformers, (last_name, last) = pipeline.steps
    for name, step in transformers:
        if step is None or step == "passthrough":
            continue
        start = perf_counter()
        Xt = step.transform(Xt)
        seconds[name] = perf_counter() - start
    start = perf_counter()
    predictions = last.predict(Xt)
    seconds[last_name] = perf_counter() - start
    return predictions, seconds
