"""Exact explanations of linear models over count or tf-idf features.

For a pipeline ``[text steps] → tokenize → [token steps] → count|tfidf → linear``, the
decision score of a class is, exactly, ``intercept + Σ_j x_j · w_j`` over the
features ``j`` of the text (``x_j`` its count or tf-idf value, ``w_j`` the weight).
Each feature's part ``x_j · w_j`` is shared equally by its occurrences in the text,
and each occurrence's share equally by the tokens of its n-gram; the tokens' parts
thus add up to the score less the intercept.

For ``nbsvm`` the weights already hold the naive-Bayes ratios and the interpolation
(``coef_ = w' ∘ r``) and its features are binarized, as in its own decision function.
The split is checked against the pipeline's ``decision_function``; where they differ
(a classifier that is not plainly linear), :func:`explain_linear` says so and the
caller falls back to occlusion.

Examples
--------
>>> import textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", {"count": {"ngram_range": [1, 2]}},
...                                          "logreg"]})
>>> _ = pipe.fit(["good film", "good fun", "bad film", "bad plot"], ["pos", "pos", "neg", "neg"])
>>> parts = linear_parts(pipe)
>>> e = explain_linear(pipe, parts, "good film", "pos")
>>> total = e.base + sum(t.contribution for t in e.tokens)
>>> bool(abs(total - pipe.decision_function(["good film"])[0]) < 1e-9)
True
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..registry import FEATURES, TOKENS
from .align import character_ngram_words, kind, token_prefix, trace
from .result import Explanation, NgramContribution, TokenContribution

#: Relative tolerance of the check that the split adds up to the decision function.
TOLERANCE = 1e-9


def _is_vocabulary_vectorizer(step) -> bool:
    return (hasattr(step, "vocabulary_") and hasattr(step, "ngram_range")
            and TOKENS in kind(step, "consumes") and kind(step, "produces") == (FEATURES,))


def linear_parts(pipeline):
    """``(text_steps, tokenizer, token_steps, vectorizer, classifier)``, or a reason why not.

    Returns a tuple of the parts when the pipeline can be explained exactly, else a
    str saying what stands in the way.
    """
    steps = [step for _, step in getattr(pipeline, "steps", [])]
    prefix = token_prefix(steps) if len(steps) >= 3 else None
    if prefix is None:
        return ("its classifier does not read count or tf-idf features of the pipeline's own "
                "tokenize step")
    text_steps, tokenizer, token_steps, end = prefix
    if end != len(steps) - 2 or not _is_vocabulary_vectorizer(steps[end]):
        return "its classifier does not come right after a count or tfidf step"
    classifier = steps[-1]
    if not (hasattr(classifier, "coef_") and hasattr(classifier, "intercept_")
            and hasattr(classifier, "decision_function")):
        return f"its classifier ({type(classifier).__name__}) is not a plain linear model"
    return text_steps, tokenizer, token_steps, steps[end], classifier


def _feature_values(vectorizer, classifier, tokens: list):
    """The row of features the classifier computes its score from."""
    x = vectorizer.transform([tokens]).tocsr()
    if hasattr(classifier, "ratios_") and getattr(classifier, "binarize", False):
        x.data = (x.data > 0).astype(np.float64)  # nbsvm binarizes its input
    return x


def _class_weights(classifier, label_index: int, n_classes: int):
    """``(weights, intercept, row)`` of the explained class's decision score."""
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    intercept = np.atleast_1d(np.asarray(classifier.intercept_, dtype=np.float64))
    if coef.shape[0] == 1 and n_classes == 2:
        sign = 1.0 if label_index == 1 else -1.0
        return sign * coef[0], sign * intercept[0], 0
    return coef[label_index], intercept[label_index], label_index


def _ngram_occurrences(tokens: list, vocabulary: dict, ngram_range) -> dict:
    """Feature id → list of token-index lists, one per occurrence of its term."""
    low, high = int(ngram_range[0]), int(ngram_range[1])
    found = defaultdict(list)
    for n in range(low, high + 1):
        for i in range(len(tokens) - n + 1):
            j = vocabulary.get(" ".join(tokens[i:i + n]))
            if j is not None:
                found[j].append(list(range(i, i + n)))
    return found


def _ngrams(x, weights, occurrences, names, ratios) -> list:
    ngrams = []
    for j, value in zip(x.indices.tolist(), x.data.tolist()):
        if value == 0:
            continue
        ngrams.append(NgramContribution(
            ngram=str(names[j]), positions=occurrences.get(j, []), value=float(value),
            weight=float(weights[j]), contribution=float(value * weights[j]),
            ratio=None if ratios is None else float(ratios[j])))
    return ngrams


def _token_parts(n_tokens: int, ngrams: list) -> np.ndarray:
    parts = np.zeros(n_tokens)
    for gram in ngrams:
        if not gram.positions:
            continue
        share = gram.contribution / len(gram.positions)
        for position in gram.positions:
            for i in position:
                parts[i] += share / len(position)
    return parts


def explain_linear(pipeline, parts, text: str, label) -> Explanation | str:
    """Explain the decision score of class ``label`` for ``text``, exactly.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted; ``parts`` is what :func:`linear_parts` returned for it.
    parts : tuple
    text : str
    label : object
        One of ``pipeline.classes_``.

    Returns
    -------
    Explanation or str
        ``method="exact"``; where the split does not add up to the pipeline's
        decision function, a str saying by how much (the caller then uses occlusion).
    """
    text_steps, tokenizer, token_steps, vectorizer, classifier = parts
    classes = list(pipeline.classes_)
    index = classes.index(label)
    traced = trace(text, text_steps, tokenizer, token_steps)
    x = _feature_values(vectorizer, classifier, traced.tokens)
    weights, intercept, row = _class_weights(classifier, index, len(classes))
    ratios = getattr(classifier, "ratios_", None)
    occurrences = _ngram_occurrences(traced.tokens, vectorizer.vocabulary_, vectorizer.ngram_range)
    ngrams = _ngrams(x, weights, occurrences, vectorizer.get_feature_names_out(),
                     None if ratios is None else np.asarray(ratios)[row] * (
                         1 if ratios.shape[0] > 1 or index == 1 else -1))
    score = float(intercept + sum(g.contribution for g in ngrams))
    expected = _decision(pipeline, text, index, len(classes))
    if abs(score - expected) > TOLERANCE * max(1.0, abs(expected)):
        return f"the split gives {score:.12g}, the decision function {expected:.12g}"
    token_parts = _token_parts(len(traced.tokens), ngrams)
    words = character_ngram_words(text, text_steps, tokenizer, token_steps, traced.tokens)
    notes = []
    if words is not None:
        tokens = _by_word(text, *words, token_parts, ngrams)
        notes.append("the character n-grams' parts are added up per word")
    else:
        tokens = [TokenContribution(token, traced.word(text, i),
                                    *(traced.spans[i] or (None, None)), float(token_parts[i]))
                  for i, token in enumerate(traced.tokens)]
    ngrams.sort(key=lambda g: -abs(g.contribution))
    return Explanation(text=text, label=str(label), predicted=str(pipeline.predict([text])[0]),
                       method="exact", score=expected, base=float(intercept),
                       score_name="decision score", tokens=tokens, ngrams=ngrams, notes=notes)


def _by_word(text: str, shares: list, spans: list, token_parts, ngrams: list) -> list:
    """Character n-grams' parts added up per word; the n-grams' positions become words'."""
    parts = np.zeros(len(spans))
    for token, share in enumerate(shares):
        for word, fraction in share:
            parts[word] += token_parts[token] * fraction
    for gram in ngrams:
        gram.positions = [sorted({word for token in position for word, _ in shares[token]})
                          for position in gram.positions]
    return [TokenContribution(text[start:end], text[start:end], start, end, float(parts[w]))
            for w, (start, end) in enumerate(spans)]


def _decision(pipeline, text: str, index: int, n_classes: int) -> float:
    """The pipeline's own decision score of class ``index`` for ``text``."""
    scores = np.asarray(pipeline.decision_function([text]), dtype=np.float64)
    if scores.ndim == 1:  # two classes: the score of classes_[1]
        return float(scores[0] if index == 1 or n_classes != 2 else -scores[0])
    return float(scores[0, index])


__all__ = ["TOLERANCE", "explain_linear", "linear_parts"]
