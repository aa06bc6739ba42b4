"""Join frequent collocations into single tokens ("new york" → "new_york") with gensim.

Examples
--------
>>> from textpipe.stages.phrases import Phrases
>>> docs = [["i", "love", "new", "york"], ["new", "york", "is", "big"],
...         ["i", "love", "paris"], ["paris", "is", "old"]] * 5
>>> Phrases(min_count=2, threshold=0.5, scoring="npmi").fit(docs).transform(
...     [["new", "york", "and", "paris"]])
[['new_york', 'and', 'paris']]
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar


from ..errors import ConfigError, Errors
from ..registry import TOKENS
from ..sklearn_compat import Interval, StrOptions
from .base import TextStage

__all__ = ["Phrases"]

_DEFAULT_THRESHOLD = {"default": 10.0, "npmi": 0.5}


class Phrases(TextStage):
    """Learn frequent phrases (collocations) and join their tokens with ``delimiter``.

    Wraps gensim's ``Phrases``: a pair of adjacent tokens becomes one token
    when its score is above ``threshold``. After fitting, the model is frozen
    (gensim's ``FrozenPhrases``): it keeps only the phrases, not the counts.

    Parameters
    ----------
    min_count : int, default=5
        Ignore tokens and pairs seen fewer times than this in the training documents.
    threshold : float, default=None
        Score a pair needs to become a phrase: higher means fewer phrases. None
        means gensim's defaults: 10.0 for ``scoring="default"``, 0.5 for
        ``"npmi"`` (whose scores lie in [-1, 1]).
    scoring : {"default", "npmi"}, default="default"
        ``"default"``: Mikolov et al. (2013), ``(count(ab) - min_count) /
        (count(a) * count(b)) * vocabulary size``; ``"npmi"``: normalized
        pointwise mutual information (Bouma, 2009), which does not depend on
        corpus size.
    delimiter : str, default="_"
        Joins the tokens of a phrase.
    passes : int, default=1
        1 learns two-token phrases; each further pass learns phrases over the
        output of the previous one, so 2 gives phrases of up to 4 tokens
        ("new_york" + "times" → "new_york_times").
    connector_words : "english" or list of str, default=()
        Words that may sit inside a phrase without being scored themselves
        ("bank_of_america"); ``"english"`` uses gensim's English list
        (``of``, ``the``, ``and``, ...).

    Attributes
    ----------
    phrases_ : dict of str to float
        Every learned phrase (tokens joined by ``delimiter``) and its score.
    phrasers_ : list of gensim.models.phrases.FrozenPhrases
        One frozen model per pass, applied in order.

    Examples
    --------
    >>> from textpipe.stages.phrases import Phrases
    >>> docs = ([[f"a{i}", "new", "york", "times", f"b{i}"] for i in range(6)]
    ...         + [[f"c{i}", "new", "york", f"d{i}"] for i in range(3)]
    ...         + [[f"e{i}", "times", f"f{i}"] for i in range(3)]
    ...         + [[f"g{i}", "new", f"h{i}"] for i in range(3)])  # a0, b0, ...: seen once
    >>> ph = Phrases(min_count=3, threshold=0.7, scoring="npmi", passes=2).fit(docs)
    >>> list(ph.phrases_)
    ['new_york', 'new_york_times']
    >>> ph.transform([["the", "new", "york", "times", "said"], ["new", "times"]])
    [['the', 'new_york_times', 'said'], ['new', 'times']]
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = TOKENS
    _parameter_constraints: ClassVar[dict] = {
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "scoring": [StrOptions({"default", "npmi"})],
        "delimiter": [str],
        "passes": [Interval(Integral, 1, None, closed="left")],
        "connector_words": [StrOptions({"english"}), list, tuple, set, frozenset],
    }

    def __init__(
        self,
        *,
        min_count=5,
        threshold=None,
        scoring="default",
        delimiter="_",
        passes=1,
        connector_words=(),
    ):
        self.min_count = min_count
        self.threshold = threshold
        self.scoring = scoring
        self.delimiter = delimiter
        self.passes = passes
        self.connector_words = connector_words

    def _threshold(self) -> float:
        threshold = self.threshold
        if threshold is None:
            return _DEFAULT_THRESHOLD[self.scoring]
        if self.scoring == "npmi" and not -1.0 <= threshold <= 1.0:
            raise ConfigError(
                Errors.E313.format(threshold=threshold), step=f"'{self.stage_name}'", param="threshold"
            )
        return float(threshold)

    def _connector_words(self) -> frozenset[str]:
        if isinstance(self.connector_words, str):  # "english"
            from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

            return ENGLISH_CONNECTOR_WORDS
        return frozenset(self.connector_words)

    # -- TextStage hooks -----------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        from gensim.models.phrases import Phrases as GensimPhrases

        threshold = self._threshold()
        connectors = self._connector_words()
        self.phrasers_ = []
        self.phrases_ = {}
        for _ in range(self.passes):
            model = GensimPhrases(
                docs,
                min_count=self.min_count,
                threshold=threshold,
                scoring=self.scoring,
                delimiter=self.delimiter,
                connector_words=connectors,
            )
            frozen = model.freeze()
            # gensim cannot tell the token "new_york" from the pair ("new",
            # "york"), so a later pass may "learn" a phrase it already has
            if not set(frozen.phrasegrams).difference(self.phrases_):
                break  # nothing new to learn
            self.phrasers_.append(frozen)
            self.phrases_.update(frozen.phrasegrams)
            if len(self.phrasers_) < self.passes:
                docs = self._apply(frozen, docs)

    @staticmethod
    def _apply(phraser, docs: list[list[str]]) -> list[list[str]]:
        analyze = phraser.analyze_sentence
        return [[token for token, _ in analyze(doc)] if doc else [] for doc in docs]

    def _transform(self, docs: list[list[str]]) -> list[list[str]]:
        docs = [list(doc) for doc in docs] if not self.phrasers_ else docs
        for phraser in self.phrasers_:
            docs = self._apply(phraser, docs)
        return docs
