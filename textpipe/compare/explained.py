"""Why the best pipeline got its most confident errors wrong: explanations in the report.

The error analysis (:mod:`textpipe.compare.mistakes`) lists the best pipeline's
most confident errors. For the first ``report: {errors: {explain: N}}`` of them
(default 3; 0: none), :func:`explain_errors` explains the label the pipeline
predicted with :func:`textpipe.explain`: exactly for a linear model over count or
tf-idf features, by occlusion for everything else (a neural classifier,
embeddings, a union).

The comparison keeps no fitted pipeline, so the explanation needs the model that
made the listed prediction: the best pipeline is fitted again on the training part
of the fold where the document was a test document, once per distinct fold, with
the same parameters and seeds. Before explaining, the refitted pipeline's
prediction and its score for the document are checked against those the error
analysis recorded (to a relative 1e-5); where they differ (a model that does not
fit the same way twice), the document is not explained and a note says why, so
that no explanation is shown of a model other than the one that erred.

Each explained document gets, in ``results.json``, an ``explained`` object (the
method, the class explained, its score, and the top tokens toward and against it
with their contributions, a token's occurrences added up) and an ``explanation``
(the same in one line: the Markdown report's column). The error analysis gets an
``explanations`` object: how many were asked for and explained, the folds refitted,
the extra seconds, and notes. The HTML report shows each explanation's
:func:`textpipe.explanation_html` fragment under the table of errors.

Examples
--------
>>> from textpipe.compare import compare
>>> from textpipe.data import Dataset
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull", "fun but dull", "dull"] * 3,
...                ["pos", "pos", "neg", "neg", "neg", "neg"] * 2
...                + ["pos", "pos", "neg", "pos", "neg", "neg"])  # one 'awful dull' marked pos
>>> results = compare({"evaluation": {"method": "cv", "folds": 3},
...                    "pipelines": [{"name": "svm", "steps": ["tokenize", "count", "linear_svm"]}],
...                    "report": {"errors": {"examples": 4, "explain": 1}}}, datasets=[data])
>>> analysis = results.datasets[0].error_analysis
>>> first = analysis["most_confident_errors"][0]
>>> first["text"], first["true"], first["predicted"], first["explained"]["method"]
('awful dull', 'pos', 'neg', 'exact')
>>> first["explanation"]
"exact · toward 'neg': dull +0.908, awful +0.069"
>>> summary = analysis["explanations"]
>>> summary["requested"], summary["explained"], summary["refits"]
(1, 1, 1)
"""

from __future__ import annotations

import html
import warnings
from dataclasses import replace
from time import perf_counter

import numpy as np

from ..errors import TextpipeError
from ..evaluation.metrics import class_scores
from ..explanations import explain, explanation_html

__all__ = ["RTOL", "TOP", "compact", "explain_errors", "html_fragments", "one_line",
           "shown_label", "summary_text"]

#: Relative tolerance of the check that a refitted pipeline scores a document as recorded.
RTOL = 1e-5
#: Contributions smaller than this share of the largest are rounding noise, not listed.
_NOISE = 1e-9
#: Tokens listed each way (results.json, the Markdown line, the HTML fragment).
TOP = 5


def _signed(value: float) -> str:
    return f"{value:+.3f}"


def compact(explanation, top: int = TOP) -> dict:
    """The compact form of an :class:`~textpipe.explanations.Explanation` kept in results.json.

    Examples
    --------
    >>> from textpipe.explanations import Explanation, TokenContribution
    >>> e = Explanation("good film", "pos", "pos", "exact", 1.5, -0.25, "decision score",
    ...                 tokens=[TokenContribution("good", "good", 0, 4, 2.0),
    ...                         TokenContribution("film", "film", 5, 9, -0.25)])
    >>> c = compact(e)
    >>> c["method"], c["toward"], c["against"]
    ('exact', [{'token': 'good', 'contribution': 2.0, 'count': 1}], [{'token': 'film', \
'contribution': -0.25, 'count': 1}])
    """
    toward, against = explanation.top_words(top)
    noise = _NOISE * explanation.largest  # sums of shares that cancel out, e.g. 1e-16
    toward = [w for w in toward if abs(w[1]) > noise]
    against = [w for w in against if abs(w[1]) > noise]
    probabilities = explanation.probabilities or {}
    return {
        "label": explanation.label, "method": explanation.method,
        "score": explanation.score, "score_name": explanation.score_name,
        "base": explanation.base, "probability": probabilities.get(explanation.label),
        "toward": [{"token": shown, "contribution": total, "count": count}
                   for shown, total, count in toward],
        "against": [{"token": shown, "contribution": total, "count": count}
                    for shown, total, count in against],
        "notes": list(explanation.notes),
    }


def shown_label(label: str, names=None) -> str:
    """A label as the report shows it: ``"DESC (0)"`` where the data names it, else itself."""
    name = (names or {}).get(label, label)
    return label if name == label else f"{name} ({label})"


def one_line(explained: dict, names=None) -> str:
    """The compact form in one line: the method, then the top tokens with signed contributions.

    Examples
    --------
    >>> one_line({"method": "occlusion", "label": "neg", "toward": [
    ...     {"token": "dull", "contribution": 0.5, "count": 2}], "against": []})
    "occlusion · toward 'neg': dull ×2 +0.500"
    >>> one_line({"method": "exact", "label": "0", "toward": [], "against": [
    ...     {"token": "twin", "contribution": -0.25, "count": 1}]}, {"0": "DESC"})
    "exact · against 'DESC (0)': twin -0.250"
    """
    def words(side):
        return ", ".join(f"{w['token']}{' ×%d' % w['count'] if w['count'] > 1 else ''} "
                         f"{_signed(w['contribution'])}" for w in side)

    label = shown_label(explained["label"], names)
    parts = [explained["method"]]
    if explained["toward"]:
        parts.append(f"toward {label!r}: {words(explained['toward'])}")
    if explained["against"]:
        parts.append(f"against{'' if explained['toward'] else f' {label!r}'}: "
                     f"{words(explained['against'])}")
    if len(parts) == 1:
        parts.append("no token pushed either way")
    return " · ".join(parts)


# -- refitting and explaining ---------------------------------------------------------------


def _position(doc: dict, plan) -> int:
    """The document's index among the plan's texts."""
    if doc["part"] == "test":  # the data's own split: its test part follows the training part
        return int(doc["document"]) + len(plan.folds[0].train)
    return int(doc["document"])


def _refit(candidate, plan, fold_index: int):
    """The candidate's pipeline fitted on the fold's training documents, as the runner did."""
    fold = plan.folds[fold_index]
    pipeline = candidate.config.build()
    with warnings.catch_warnings():  # already reported by the run itself
        warnings.simplefilter("ignore")
        pipeline.fit([plan.texts[i] for i in fold.train], plan.labels[fold.train])
    return pipeline


def _differs(pipeline, text: str, doc: dict) -> str | None:
    """Why the refitted pipeline's prediction for ``text`` is not the recorded one, or None."""
    predicted = pipeline.predict([text])[0]
    if str(predicted) != doc["predicted"]:
        return f"fitted again, it predicts {str(predicted)!r} instead of {doc['predicted']!r}"
    if doc["confidence"] is None:
        return None
    scores, classes = class_scores(pipeline, [text])
    if scores is None or str(predicted) not in classes:
        return "fitted again, it gives no score for the predicted label"
    value = float(scores[0, classes.index(str(predicted))])
    if not np.isclose(value, doc["confidence"], rtol=RTOL, atol=RTOL * 1e-3):
        return (f"fitted again, its score for {doc['predicted']!r} is {value:.6g} instead of "
                f"{doc['confidence']:.6g}")
    return None


def _explain_document(pipeline, plan, doc: dict):
    """``(Explanation, None)``, or ``(None, why not)``."""
    text = str(plan.texts[_position(doc, plan)])
    if not text.startswith(doc["text"]):
        return None, "its text could not be found among the data's documents"
    why = _differs(pipeline, text, doc)
    if why is not None:
        return None, f"{why}: the model does not fit the same way twice, so it is not explained"
    try:
        return explain(pipeline, text, label=pipeline.predict([text])[0]), None
    except TextpipeError as exc:
        return None, f"it could not be explained: {exc}"


def explain_errors(experiment, run, analysis) -> list:
    """Explain the first ``report.errors.explain`` of the best pipeline's listed errors.

    Parameters
    ----------
    experiment : Experiment
    run : DatasetRun
        The run whose folds the error analysis is of.
    analysis : dict
        From :func:`~textpipe.compare.mistakes.analyse_errors`; its documents gain
        ``explained`` and ``explanation`` entries, and it gains ``explanations``.

    Returns
    -------
    list
        One :class:`~textpipe.explanations.Explanation` (or None, where a document
        could not be explained) per document explained, in the list's order.
    """
    wanted = experiment.report.errors.explain
    docs = analysis["most_confident_errors"][:wanted]
    analysis["explanations"] = None
    if not wanted or not docs:
        return []
    started = perf_counter()
    candidate = next(c for c in experiment.candidates if c.name == analysis["pipeline"])
    fitted = {fold: _refit(candidate, run.plan, fold)
              for fold in sorted({doc["fold"] for doc in docs})}
    out, notes = [], []
    for k, doc in enumerate(docs, start=1):
        explanation, why = _explain_document(fitted[doc["fold"]], run.plan, doc)
        out.append(explanation)
        if explanation is None:
            notes.append(f"Error #{k} is not explained: {why}.")
            continue
        doc["explained"] = compact(explanation)
        doc["explanation"] = one_line(doc["explained"], run.dataset.label_names)
    methods = sorted({e.method for e in out if e is not None})
    analysis["explanations"] = {
        "requested": wanted, "explained": sum(e is not None for e in out),
        "method": methods[0] if len(methods) == 1 else ("mixed" if methods else None),
        "refits": len(fitted), "seconds": perf_counter() - started, "notes": notes,
    }
    return out


# -- the report -------------------------------------------------------------------------------


def summary_text(analysis, *, html_report: bool = True) -> str:
    """What was explained, how, and what it cost (``""`` if nothing was asked for).

    ``html_report``: the explanations follow as fragments; else they are the table's
    ``explanation`` column.
    """
    info = analysis.get("explanations")
    if not info:
        return ""
    n, refits = info["explained"], info["refits"]
    if not n:
        return f"None of its first {info['requested']} errors could be explained."
    how = {"exact": "exactly (its decision score for the predicted label split over the "
                    "words)",
           "occlusion": "by occlusion (the drop in its probability for the predicted label "
                        "when a word is removed)"}.get(info["method"], "exactly or by occlusion")
    errors = f"its first {n} error{'s' if n > 1 else ''}"
    lead = (f"Why it predicted what it did, for {errors}, explained {how}." if html_report else
            f"The explanation column explains {errors} {how}: the words that pushed most "
            f"toward the predicted label (+) and against it (−).")
    fitted = (f"Each is the explanation of the model that made the prediction: the pipeline "
              f"fitted again on the training part of the fold where the document was tested, "
              f"with the same seeds, giving the recorded prediction"
              f"{' and score' if analysis.get('confidence') else ''} ({refits} "
              f"fit{'s' if refits > 1 else ''}, {info['seconds']:.2f} s more).")
    colours = " Green words pushed toward the predicted label, red ones against it." \
        if html_report else ""
    return f"{lead} {fitted}{colours}"


def _named(explanation, names):
    """The explanation with its classes shown by their names, as the report's tables show them."""
    if not names:
        return explanation
    return replace(explanation, label=shown_label(explanation.label, names),
                   predicted=shown_label(explanation.predicted, names),
                   probabilities=None if explanation.probabilities is None else {
                       shown_label(c, names): p for c, p in explanation.probabilities.items()})


#: Keeps the report's table borders and shading out of the fragments' own small tables.
_FRAGMENT_CSS = ("<style>.textpipe-explanation table{margin:.4em 0 0 0}"
                 ".textpipe-explanation th,.textpipe-explanation td{border:none;text-align:left;"
                 "background:none;vertical-align:baseline}</style>")


def html_fragments(data) -> str:
    """The explanations of the first errors as HTML: one heading and fragment each, or ``""``."""
    analysis = getattr(data, "error_analysis", None) or {}
    explanations = getattr(data, "explained_errors", None) or []
    if not analysis.get("explanations"):
        return ""
    names = data.data.get("label_names") or {}
    out = [_FRAGMENT_CSS, f"<p>{html.escape(summary_text(analysis))}</p>"]
    for k, (doc, e) in enumerate(zip(analysis["most_confident_errors"], explanations), start=1):
        if e is None:
            continue
        true, predicted = (shown_label(x, names) for x in (doc["true"], doc["predicted"]))
        where = f"test {doc['document']}" if doc["part"] == "test" else f"{doc['document']}"
        fold = f", fold {doc['fold'] + 1}" if data.protocol["folds"] > 1 else ""
        out.append(f"<h4 style='margin:1.2em 0 0 0'>#{k} (document {html.escape(where)}{fold})"
                   f": true {html.escape(true)}, predicted {html.escape(predicted)}</h4>"
                   + explanation_html(_named(e, names), top=TOP))
    out += [f"<p class='note'>{html.escape(n)}</p>" for n in analysis["explanations"]["notes"]]
    return "\n".join(out)
