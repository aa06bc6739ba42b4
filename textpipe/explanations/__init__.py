"""Explain predictions: which tokens pushed a text toward or against a class.

:func:`explain` takes a fitted pipeline, a loaded model or a model folder, and texts.

* A linear classifier (``logreg``, ``linear_svm``, ``nbsvm``, ``sgd``) right after a
  ``count`` or ``tfidf`` step over tokens is explained **exactly**: its decision score
  is the intercept plus each feature's value times its weight, n-grams included, and
  each n-gram's part is shared equally by its tokens (:mod:`.linear`).
* Every other pipeline (embeddings, unions, ``calibrate``, neural classifiers) is
  explained by **occlusion**: the drop in the class's probability when each token is
  removed (:mod:`.occlusion`).

:func:`explanation_html` renders one explanation as an HTML fragment with inline
styles, to put in any page (a report, a notebook); :func:`explanations_page` makes a
whole page of several. :mod:`.terminal` prints them in colour for ``textpipe explain``.

Examples
--------
>>> import textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "tfidf", "logreg"]})
>>> _ = pipe.fit(["a great film", "great fun", "a dull film", "dull and slow"],
...              ["pos", "pos", "neg", "neg"])
>>> e = textpipe.explain(pipe, "a great film")
>>> e.label, e.method, e.top(1)[0][0].token
('pos', 'exact', 'great')
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Errors, InputError, UsageError, did_you_mean, quoted_list
from ..model import SavedModel, load_model
from ..parameters import check_option
from .html import explanation_html, explanations_page
from .linear import explain_linear, linear_parts
from .occlusion import MAX_TOKENS, explain_occlusion
from .result import Explanation, NgramContribution, TokenContribution

METHODS = ("auto", "exact", "occlusion")


def _pipeline_of(model, allow_version_mismatch: bool):
    """The fitted pipeline of a model folder, a SavedModel or a pipeline."""
    if isinstance(model, (str, Path)):
        model = load_model(model, allow_version_mismatch=allow_version_mismatch)
    if isinstance(model, SavedModel):
        return model.pipeline
    if not (hasattr(model, "predict") and hasattr(model, "classes_")):
        raise InputError(Errors.E937.format(got=type(model).__name__))
    return model


def check_texts(texts) -> list[str]:
    """The texts as a list of non-empty strings, or an error naming the first bad one.

    Examples
    --------
    >>> check_texts(["a film", "fun"])
    ['a film', 'fun']
    """
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts:
        raise UsageError(Errors.E930)
    for number, text in enumerate(texts, 1):
        if not isinstance(text, str):
            raise InputError(Errors.E933.format(number=number, kind=type(text).__name__))
        if not text.strip():
            raise InputError(Errors.E931.format(number=number))
    return texts


def _check_label(label, classes: list):
    if label is None:
        return None
    for c in classes:
        if c == label or str(c) == str(label):
            return c
    names = [str(c) for c in classes]
    raise UsageError(Errors.E932.format(label=str(label), allowed=quoted_list(names),
                                        hint=did_you_mean(str(label), names)), option="label")


def explain(model, texts, *, label=None, method: str = "auto", max_tokens: int = MAX_TOKENS,
            allow_version_mismatch: bool = False):
    """Explain a model's predictions for texts: each token's push toward a class.

    Parameters
    ----------
    model : Pipeline, SavedModel, str or Path
        A fitted pipeline, a model from :func:`textpipe.load_model`, or a model folder
        (loading it unpickles it: only explain models you trust).
    texts : str or iterable of str
        One text, or several.
    label : optional
        The class to explain; by default each text's predicted class.
    method : {"auto", "exact", "occlusion"}, default="auto"
        ``auto``: exact where the pipeline allows it (a linear classifier right after
        count or tfidf features), occlusion otherwise; ``exact`` refuses a pipeline
        that does not allow it.
    max_tokens : int, default=200
        Occlusion removes at most this many tokens of a text (the first ones).
    allow_version_mismatch : bool, default=False
        Load a model folder saved by another textpipe version.

    Returns
    -------
    Explanation or list of Explanation
        One for a str, else a list in the order of ``texts``.
    """
    if method not in METHODS:
        raise UsageError(Errors.E938.format(got=method, allowed=quoted_list(METHODS),
                                            hint=did_you_mean(method, METHODS)),
                         option="method")
    check_option(max_tokens, "max_tokens", integer=True)
    single = isinstance(texts, str)
    texts = check_texts(texts)
    pipeline = _pipeline_of(model, allow_version_mismatch)
    label = _check_label(label, list(pipeline.classes_))
    parts = linear_parts(pipeline) if method != "occlusion" else None
    if method == "exact" and isinstance(parts, str):
        steps = " → ".join(name for name, _ in getattr(pipeline, "steps", []))
        raise UsageError(Errors.E934.format(steps=steps or type(pipeline).__name__,
                                            why=f": {parts}"), option="method")
    results = [_explain_one(pipeline, parts, text, label, max_tokens) for text in texts]
    return results[0] if single else results


def _explain_one(pipeline, parts, text: str, label, max_tokens: int) -> Explanation:
    if label is None:
        label = pipeline.predict([text])[0]
    note = None
    if isinstance(parts, tuple):
        result = explain_linear(pipeline, parts, text, label)
        if isinstance(result, Explanation):
            return _with_probabilities(pipeline, result)
        note = f"explained by occlusion: the exact split did not add up ({result})"
    elif isinstance(parts, str):
        note = f"explained by occlusion, since the exact method does not apply: {parts}"
    return explain_occlusion(pipeline, text, label, max_tokens=max_tokens, note=note)


def _with_probabilities(pipeline, explanation: Explanation) -> Explanation:
    if hasattr(pipeline, "predict_proba"):
        row = pipeline.predict_proba([explanation.text])[0]
        explanation.probabilities = {str(c): float(p) for c, p in zip(pipeline.classes_, row)}
    return explanation


__all__ = ["Explanation", "METHODS", "NgramContribution", "TokenContribution", "check_texts",
           "explain", "explanation_html", "explanations_page"]
