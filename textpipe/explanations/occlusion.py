"""Explanations by occlusion: remove one token at a time and see what the model says.

Works for any pipeline. A token's contribution is the explained class's probability
for the whole text less its probability with that token removed: positive when the
token pushed toward the class. Where the pipeline has a ``tokenize`` step at its top
level, the tokens are those after its token steps (stop words already dropped, stems
already made) and the rest of the pipeline is run on each shortened token list;
otherwise (a union, a transformer over raw text, character n-grams) they are the text's
whitespace-separated words, each removed from the text. All shortened versions go to
the model in one ``predict_proba`` call (``decision_function`` where there are no
probabilities).

Examples
--------
>>> import textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good film", "good fun", "bad film", "bad plot"], ["pos", "pos", "neg", "neg"])
>>> e = explain_occlusion(pipe, "good film", "pos")
>>> [(t.token, t.contribution > 0) for t in e.tokens]
[('good', True), ('film', False)]
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import Errors, ModelError
from .align import is_character_tokenizer, token_prefix, trace
from .result import Explanation, TokenContribution

#: The default most tokens removed one at a time (longer texts: the first ones only).
MAX_TOKENS = 200
_WORD = re.compile(r"\S+")


def _scorer(model):
    """``(function of a batch → scores matrix, what the scores are)``."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba, "probability"
    if hasattr(model, "decision_function"):
        def scores(batch):
            values = np.asarray(model.decision_function(batch), dtype=np.float64)
            return np.column_stack([-values, values]) if values.ndim == 1 else values
        return scores, "decision score"
    step = model.steps[-1][0] if hasattr(model, "steps") else type(model).__name__
    raise ModelError(Errors.E935.format(step=step))


def _units(pipeline, text: str):
    """``(units, spans, words, rest_of_pipeline, variants_of)`` for this pipeline."""
    steps = getattr(pipeline, "steps", None)
    prefix = token_prefix([s for _, s in steps]) if steps else None
    if prefix is not None and not is_character_tokenizer(prefix[1]):
        text_steps, tokenizer, token_steps, end = prefix
        traced = trace(text, text_steps, tokenizer, token_steps)
        words = [traced.word(text, i) for i in range(len(traced.tokens))]

        def without(i):
            return traced.tokens[:i] + traced.tokens[i + 1:]

        return traced.tokens, traced.spans, words, pipeline[end:], traced.tokens, without
    matches = list(_WORD.finditer(text))

    def cut(i):
        return text[:matches[i].start()] + text[matches[i].end():]

    words = [m.group() for m in matches]
    return words, [m.span() for m in matches], words, pipeline, text, cut


def explain_occlusion(pipeline, text: str, label, *, max_tokens: int = MAX_TOKENS,
                      note: str | None = None) -> Explanation:
    """Explain class ``label``'s probability for ``text`` by removing one token at a time.

    Parameters
    ----------
    pipeline : fitted pipeline
    text : str
    label : object
        One of ``pipeline.classes_``.
    max_tokens : int, default=200
        Remove at most this many tokens (the first ones); the others are not measured
        (their contribution is None) and a note says so.
    note : str, optional
        A note to put first (e.g. why the exact method was not used).

    Returns
    -------
    Explanation
        ``method="occlusion"``.
    """
    index = list(pipeline.classes_).index(label)
    units, spans, words, model, whole, without = _units(pipeline, text)
    score, score_name = _scorer(model)
    measured = min(len(units), max_tokens)
    batch = [whole] + [without(i) for i in range(measured)]
    matrix = np.asarray(score(batch), dtype=np.float64)
    values = matrix[:, index]
    notes = [note] if note else []
    if measured < len(units):
        notes.append(f"only the first {measured} of {len(units)} tokens were removed one at a "
                     f"time (max_tokens={max_tokens}); the others are not measured")
    tokens = [TokenContribution(unit, words[i], *(spans[i] or (None, None)),
                                float(values[0] - values[i + 1]) if i < measured else None)
              for i, unit in enumerate(units)]
    probabilities = None
    if score_name == "probability":
        probabilities = {str(c): float(p) for c, p in zip(pipeline.classes_, matrix[0])}
    return Explanation(text=text, label=str(label), predicted=str(pipeline.predict([text])[0]),
                       method="occlusion", score=float(values[0]), base=None,
                       score_name=score_name, tokens=tokens, probabilities=probabilities,
                       notes=notes)


__all__ = ["MAX_TOKENS", "explain_occlusion"]
