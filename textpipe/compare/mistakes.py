"""Error analysis of a comparison: the best pipeline's worst errors, and where two pipelines differ.

For each dataset, over all test documents (every fold's; each document is
tested once), :func:`analyse_errors` finds

- the documents the best pipeline gets wrong, most confident first: sorted
  by its probability (or, for a classifier without probabilities, its
  decision score) for the label it predicted;
- for a pair of pipelines (the best and the runner-up unless the experiment's
  ``report: {errors: {pair: [A, B]}}`` names two), the documents exactly one
  of them gets right, both ways. These are McNemar's discordant counts ``b``
  (only A right) and ``c`` (only B right); with a single train/test split they
  are exactly those of the leaderboard's McNemar test, and with
  cross-validation they are counted over all test folds. The pair is tested by
  the test the leaderboard uses for the protocol (McNemar's test on a single
  split, the corrected resampled t-test on the ranking metric's fold scores
  with cross-validation).

Each listed document keeps its index, fold and text (up to
:data:`TEXT_LIMIT` characters) in ``results.json``, so that a later tool can
explain those very documents: a listed document given an ``explanation`` (a
short text, e.g. the tokens that weighed most) shows it in a column of its
table. The report shows the texts shortened to
:data:`SHOWN_CHARS` characters and HTML-escaped. The per-class precision,
recall and F1 of the best pipeline are the report's per-class table.

Examples
--------
>>> from textpipe.compare import compare
>>> from textpipe.data import Dataset
>>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull", "fun but dull", "dull"] * 3,
...                ["pos", "pos", "neg", "neg", "pos", "pos"] * 3)
>>> nb, svm = ["tokenize", "count", "multinomial_nb"], ["tokenize", "count", "linear_svm"]
>>> results = compare({"evaluation": {"method": "cv", "folds": 3},
...                    "pipelines": [{"name": "nb", "steps": nb}, {"name": "svm", "steps": svm}],
...                    "report": {"errors": {"examples": 2}}}, datasets=[data])
>>> analysis = results.datasets[0].error_analysis
>>> analysis["pipeline"], analysis["documents"], analysis["errors"], analysis["confidence"]
('svm', 18, 0, 'decision score')
>>> pair = analysis["pair"]
>>> pair["a"], pair["b"], pair["only_a_right"], pair["only_b_right"], pair["both_wrong"]
('svm', 'nb', 2, 0, 0)
>>> [(d["document"], d["text"], d["predicted"]) for d in pair["only_a_right_examples"]]
[(11, 'dull', 'neg'), (17, 'dull', 'neg')]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Optional

import numpy as np
from pydantic import Field

from ..config.reader import Strict
from ..errors import Errors, did_you_mean, quoted_list
from .explained import html_fragments, summary_text
from .stats import corrected_resampled_ttest, mcnemar_test

__all__ = ["ErrorsConfig", "SHOWN_CHARS", "TEXT_LIMIT", "analyse_errors", "check_pair",
           "html_section", "markdown_section", "predicted_confidence", "shown_text",
           "wants_confidence"]

#: The most characters of a listed document kept in results.json.
TEXT_LIMIT = 2000
#: The most characters of a document the report shows.
SHOWN_CHARS = 240


class ErrorsConfig(Strict):
    """``report: {errors: ...}``: what the error analysis shows."""

    pair: Optional[list[str]] = Field(
        None, min_length=2, max_length=2,
        description="two pipelines whose disagreements to show (default: best and runner-up)")
    examples: int = Field(
        10, ge=0, le=1000, description="documents listed per list (0: counts only)")
    explain: int = Field(
        3, ge=0, le=100, description="the best pipeline's first errors explained, by the "
        "tokens that pushed toward the predicted label (0: none; see "
        "textpipe.compare.explained)")


def check_pair(report, names, skipped=()) -> list[tuple[str, tuple]]:
    """Problems with ``report.errors.pair``: (message, where in the file), none if it is fine.

    ``names`` are the experiment's pipelines; ``skipped`` the optional ones
    left out (accepted: the report then falls back to the best and runner-up).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> report = SimpleNamespace(errors=ErrorsConfig(pair=["svm", "nbsvn"]))
    >>> message, where = check_pair(report, ["svm", "nbsvm", "logreg"])[0]
    >>> print(message)  # doctest: +NORMALIZE_WHITESPACE
    report.errors.pair names 'nbsvn', which is not a pipeline of this experiment. Did you mean
    'nbsvm'? Its pipelines are: 'svm', 'nbsvm', 'logreg'.
    >>> where
    ('report', 'errors', 'pair', 1)
    """
    pair = getattr(getattr(report, "errors", None), "pair", None)
    if pair is None:
        return []
    loc = ("report", "errors", "pair")
    if pair[0] == pair[1]:
        return [(Errors.E911.format(name=pair[0]), loc)]
    known = list(names) + list(skipped)
    return [(Errors.E910.format(name=name, hint=did_you_mean(name, known),
                                allowed=quoted_list(names)), loc + (k,))
            for k, name in enumerate(pair) if name not in known]


def wants_confidence(report) -> bool:
    """Whether the runner should keep each test document's score for its predicted label."""
    errors = getattr(report, "errors", None)
    return errors is not None and errors.examples > 0


def predicted_confidence(scores, classes, predictions):
    """Each document's score (probability or decision score) for the label predicted for it.

    Parameters
    ----------
    scores : ndarray of shape (n_documents, n_classes) or None
        One column per class of ``classes``.
    classes : list of str
    predictions : sequence

    Returns
    -------
    ndarray of float, or None where there are no scores

    Examples
    --------
    >>> predicted_confidence(np.array([[.9, .1], [.3, .7]]), ["a", "b"], ["a", "a"]).tolist()
    [0.9, 0.3]
    """
    if scores is None:
        return None
    column = {str(c): k for k, c in enumerate(classes)}
    where = np.array([column.get(str(p), -1) for p in predictions], dtype=int)
    out = np.full(len(where), np.nan)
    known = where >= 0
    out[known] = np.asarray(scores, dtype=float)[np.flatnonzero(known), where[known]]
    return out


# -- the analysis ------------------------------------------------------------------------


@dataclass
class _Outcome:
    """One pipeline over all test documents, in fold order."""

    name: str
    predictions: np.ndarray
    correct: np.ndarray
    confidence: np.ndarray | None
    kind: str | None


@dataclass
class _Documents:
    """Every test document in fold order: its index in the plan, fold, label and text."""

    index: np.ndarray
    fold: np.ndarray
    truth: np.ndarray
    texts: list
    split_at: int | None  # for the data's own split: where its test part begins

    def describe(self, k: int) -> dict:
        i = int(self.index[k])
        text = str(self.texts[i])
        where = ({"part": "test", "document": i - self.split_at} if self.split_at is not None
                 else {"part": "data", "document": i})
        return {**where, "fold": int(self.fold[k]), "true": str(self.truth[k]),
                "text": text[:TEXT_LIMIT], "truncated": len(text) > TEXT_LIMIT}


def _documents(plan) -> _Documents:
    folds = plan.folds
    index = np.concatenate([np.asarray(f.test, dtype=int) for f in folds])
    return _Documents(
        index=index,
        fold=np.concatenate([np.full(len(f.test), f.index, dtype=int) for f in folds]),
        truth=plan.labels[index], texts=plan.texts,
        split_at=len(folds[0].train) if plan.method == "split" else None)


def _outcome(summary, records, docs: _Documents) -> _Outcome:
    predictions = np.concatenate([np.asarray(p, dtype=object) for p in summary.predictions])
    scores = [getattr(r, "confidence", None) for r in records]
    confidence = None if any(s is None for s in scores) else np.concatenate(scores)
    return _Outcome(summary.name, predictions, predictions == docs.truth, confidence,
                    getattr(records[0], "confidence_kind", None))


def _ranked(positions, outcome: _Outcome) -> np.ndarray:
    """``positions`` most confident first by ``outcome`` (document order without scores)."""
    positions = np.asarray(positions, dtype=int)
    if outcome.confidence is None:
        return positions
    conf = np.nan_to_num(outcome.confidence[positions], nan=-np.inf)
    return positions[np.lexsort((positions, -conf))]


def _listed(positions, wrong: _Outcome, docs: _Documents, n: int) -> list[dict]:
    out = []
    for k in _ranked(positions, wrong)[:n]:
        conf = None if wrong.confidence is None else float(wrong.confidence[k])
        out.append({**docs.describe(k), "predicted": str(wrong.predictions[k]),
                    "confidence": None if conf is None or np.isnan(conf) else conf})
    return out


def _pair_test(a, b, summaries, primary, protocol) -> dict:
    """The leaderboard's test for this protocol, applied to the pair."""
    if protocol["folds"] > 1:
        folds = {s.name: s.metrics[primary]["folds"] for s in summaries}
        test = corrected_resampled_ttest(folds[a.name], folds[b.name],
                                         n_train=protocol["train_per_fold"],
                                         n_test=protocol["test_per_fold"])
        return {**test.to_dict(), "on": primary}
    return {**mcnemar_test(a.correct, b.correct).to_dict(),
            "on": "right/wrong per test document"}


def _choose_pair(outcomes: dict, summaries, config) -> tuple[list[str], str, list[str]]:
    """The pair's names, where the choice comes from, and notes."""
    default = [summaries[0].name, summaries[1].name]
    if config.pair is None:
        return default, "best and runner-up", []
    missing = [name for name in config.pair if name not in outcomes]
    if missing:
        return default, "best and runner-up", [
            f"report.errors.pair names {quoted_list(missing)}, skipped in this run; showing "
            f"the best and the runner-up instead."]
    return list(config.pair), "report.errors.pair", []


def _pair(outcomes, docs, summaries, config, primary, protocol) -> tuple[dict | None, list]:
    if len(summaries) < 2:
        return None, []
    (name_a, name_b), chosen, notes = _choose_pair(outcomes, summaries, config)
    a, b = outcomes[name_a], outcomes[name_b]
    only_a = np.flatnonzero(a.correct & ~b.correct)
    only_b = np.flatnonzero(~a.correct & b.correct)
    return {
        "a": a.name, "b": b.name, "chosen": chosen, "documents": len(docs.index),
        "both_right": int(np.sum(a.correct & b.correct)), "only_a_right": len(only_a),
        "only_b_right": len(only_b), "both_wrong": int(np.sum(~a.correct & ~b.correct)),
        "test": _pair_test(a, b, summaries, primary, protocol),
        "a_confidence": a.kind if a.confidence is not None else None,
        "b_confidence": b.kind if b.confidence is not None else None,
        "only_a_right_examples": _listed(only_a, b, docs, config.examples),
        "only_b_right_examples": _listed(only_b, a, docs, config.examples),
    }, notes


def analyse_errors(experiment, run, summaries, *, primary, protocol) -> dict:
    """The error analysis of one dataset, as written to results.json (``error_analysis``).

    Parameters
    ----------
    experiment : Experiment
    run : DatasetRun
    summaries : list of PipelineSummary
        Ranked, best first.
    primary : str
        The ranking metric.
    protocol : dict
        The dataset's protocol (``folds``, ``train_per_fold``, ``test_per_fold``).

    Returns
    -------
    dict
        ``pair`` is None with a single pipeline; with ``examples: 0`` the lists are empty.
    """
    config = experiment.report.errors
    docs = _documents(run.plan)
    index = {c.name: p for p, c in enumerate(experiment.candidates)}
    outcomes = {s.name: _outcome(s, [run.records[(index[s.name], f.index)]
                                     for f in run.plan.folds], docs)
                for s in summaries}
    best = outcomes[summaries[0].name]
    pair, notes = _pair(outcomes, docs, summaries, config, primary, protocol)
    return {
        "pipeline": best.name, "documents": len(docs.index),
        "errors": int(np.sum(~best.correct)),
        "confidence": best.kind if best.confidence is not None else None,
        "examples": config.examples,
        "most_confident_errors": _listed(np.flatnonzero(~best.correct), best, docs,
                                         config.examples),
        "pair": pair, "notes": notes,
    }


# -- the report ----------------------------------------------------------------------------


def _label(label: str, names) -> str:
    name = (names or {}).get(label, label)
    return label if name == label else f"{name} ({label})"


def shown_text(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters.

    Examples
    --------
    >>> shown_text("a\\n  b " + "c" * 10, limit=8)
    'a b cccc…'
    """
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


def _where(doc: dict) -> str:
    return f"test {doc['document']}" if doc["part"] == "test" else str(doc["document"])


def _table(docs: list[dict], kind, names, with_fold: bool, who: str = "") -> tuple:
    """Header and rows of listed documents; an ``explanation`` column where any has one."""
    score = {"probability": "probability", "decision score": "decision score"}.get(kind, "score")
    explained = any(doc.get("explanation") for doc in docs)
    header = (["#", "document"] + (["fold"] if with_fold else [])
              + ["true", f"predicted by {who}" if who else "predicted",
                 f"{who}'s {score}" if who else score, "text"]
              + (["explanation"] if explained else []))
    rows = []
    for k, doc in enumerate(docs, start=1):
        conf = "—" if doc["confidence"] is None else f"{doc['confidence']:.3f}"
        rows.append([str(k), _where(doc)] + ([str(doc["fold"] + 1)] if with_fold else [])
                    + [_label(doc["true"], names), _label(doc["predicted"], names), conf,
                       shown_text(doc["text"])]
                    + ([str(doc.get("explanation") or "")] if explained else []))
    return header, rows


def _blocks(data, with_html: bool = False) -> list[tuple]:
    """The section as (kind, content) blocks, for HTML or Markdown.

    Kinds: ``"h"`` a heading, ``"p"`` a paragraph, ``"table"`` (header, rows), ``"html"``
    the explanations of the first errors, for HTML (``with_html``; Markdown shows them
    in the table's ``explanation`` column).
    """
    analysis = getattr(data, "error_analysis", None)
    if not analysis:
        return []
    names = data.data.get("label_names")
    cv = data.protocol["folds"] > 1
    over = f"the {analysis['documents']} test documents" + (
        f" of all {data.protocol['folds']} folds" if cv else "")
    kind = analysis["confidence"] or "score"
    share = analysis["errors"] / max(analysis["documents"], 1)
    blocks = [("h", f"Error analysis of the best pipeline ({analysis['pipeline']})"),
              ("p", f"It gets {analysis['errors']} of {over} wrong ({share:.1%}). "
                    + _confident_text(analysis, kind))]
    listed = analysis["most_confident_errors"]
    if listed:
        if with_html:  # those explained here are shown in full below the table
            listed = [{**d, "explanation": None} if "explained" in d else d for d in listed]
        blocks.append(("table", _table(listed, analysis["confidence"], names, cv)))
    explained = analysis.get("explanations")
    if explained:
        blocks += ([("html", data)] if with_html else
                   [("p", summary_text(analysis, html_report=False))]
                   + [("p", note) for note in explained["notes"]])
    blocks += [("p", note) for note in analysis["notes"]]
    if analysis["pair"]:
        blocks += _pair_blocks(analysis["pair"], names, cv, over)
    return blocks


def _confident_text(analysis, kind) -> str:
    n = len(analysis["most_confident_errors"])
    if not n:
        return ""
    if analysis["confidence"] is None:
        return f"It gives no class scores; its first {n} errors in document order:"
    return (f"Its {n} most confident errors, by its {kind} for the label it predicted"
            f"{_SCORE_NOTE if kind == 'decision score' else ''} (document: its position in "
            f"the {_part(analysis)}, counting from 0):")


#: Said where documents are sorted by decision scores, which readers may take for probabilities.
_SCORE_NOTE = " (not a probability: higher is surer, and it may be below 0)"


def _part(analysis) -> str:
    docs = analysis["most_confident_errors"] or [{"part": "data"}]
    return "test data" if docs[0]["part"] == "test" else "data"


def _pair_blocks(pair, names, cv: bool, over: str) -> list[tuple]:
    """The pair as A and B (pipeline names can be long), its 2×2 table, test and lists."""
    test = pair["test"]
    if cv:
        tested = (f"The leaderboard's test for cross-validation, the corrected resampled "
                  f"t-test on {test['on']} fold scores, gives p = {test['p_value']:.3g} for "
                  f"this pair; the counts are over {over}.")
    else:
        tested = (f"McNemar's test on the {pair['only_a_right'] + pair['only_b_right']} "
                  f"documents exactly one of them gets right ({test['test']}): "
                  f"p = {test['p_value']:.3g}.")
    chosen = ("the best and the runner-up" if pair["chosen"] == "best and runner-up"
              else "named in report.errors.pair")
    blocks = [
        ("h", f"Disagreements of two pipelines ({chosen})"),
        ("p", f"A is '{pair['a']}'; B is '{pair['b']}'."),
        ("table", (["", "B right", "B wrong"],
                   [["A right", str(pair["both_right"]), str(pair["only_a_right"])],
                    ["A wrong", str(pair["only_b_right"]), str(pair["both_wrong"])]])),
        ("p", f"A alone is right on {pair['only_a_right']} documents and B alone on "
              f"{pair['only_b_right']} (McNemar's b and c). {tested}"),
    ]
    for right, wrong, key, kind in (("A", "B", "only_a_right", pair["b_confidence"]),
                                    ("B", "A", "only_b_right", pair["a_confidence"])):
        listed = pair[key + "_examples"]
        if listed:
            shown = (f"the {len(listed)} where {wrong} is most confident"
                     if len(listed) < pair[key] else "all of them")
            note = f", by {wrong}'s decision score{_SCORE_NOTE}" if kind == "decision score" \
                else ""
            blocks += [("p", f"Right by {right}, wrong by {wrong}: {pair[key]} documents; "
                             f"{shown}{note}:"),
                       ("table", _table(listed, kind, names, cv, wrong))]
    return blocks


def html_section(data) -> str:
    """The error analysis of one dataset as HTML (every text escaped), or ``""``."""
    out = []
    for kind, content in _blocks(data, with_html=True):
        if kind == "h":
            out.append(f"<h3>{html.escape(content)}</h3>")
        elif kind == "p":
            out.append(f"<p>{html.escape(content)}</p>")
        elif kind == "html":
            out.append(html_fragments(content))
        else:
            out.append(_html_table(*content))
    return "\n".join(out)


def _html_table(header, rows) -> str:
    """Numbers right-aligned; row names, labels and texts left-aligned; the text column wide."""
    styles = [("text-align:left" + (";min-width:26em" if h == "text" else ""))
              if not h or h in ("true", "text", "explanation") or h.startswith("predicted")
              else ""
              for h in header]
    styles = [f" style='{style}'" if style else "" for style in styles]
    out = ["<table><tr>" + "".join(f"<th{st}>{html.escape(h)}</th>"
                                   for h, st in zip(header, styles)) + "</tr>"]
    out += ["<tr>" + "".join(f"<td{st}>{html.escape(c)}</td>" for c, st in zip(row, styles))
            + "</tr>" for row in rows]
    return "\n".join(out + ["</table>"])


def _md_cell(text: str) -> str:
    """A Markdown table cell: HTML escaped, and no character that starts formatting."""
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", html.escape(str(text), quote=False))


def markdown_section(data) -> list[str]:
    """The error analysis of one dataset as Markdown lines (texts escaped), or ``[]``."""
    out = []
    for kind, content in _blocks(data):
        if kind == "h":
            out += [f"### {content}", ""]
        elif kind == "p":
            out += [_md_cell(content), ""]
        else:
            header, rows = content
            out += ["| " + " | ".join(_md_cell(h) for h in header) + " |",
                    "|" + "|".join(" --- " for _ in header) + "|"]
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("")
    return out
