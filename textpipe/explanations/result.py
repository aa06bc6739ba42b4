"""What an explanation holds: each token's push toward or against a class.

Examples
--------
>>> e = Explanation(text="good film", label="pos", predicted="pos", method="exact",
...                 score=1.5, base=-0.25, score_name="decision score",
...                 tokens=[TokenContribution("good", "good", 0, 4, 2.0),
...                         TokenContribution("film", "film", 5, 9, -0.25)])
>>> [t.token for t in e.top(1)[0]], [t.token for t in e.top(1)[1]]
(['good'], ['film'])
>>> e.to_dict()["tokens"][0]
{'token': 'good', 'text': 'good', 'start': 0, 'end': 4, 'contribution': 2.0}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: The most tokens without a place in the text that a view shows (the strongest ones).
UNPLACED_SHOWN = 20


@dataclass
class TokenContribution:
    """One token and how much it pushed the score of the explained class.

    Attributes
    ----------
    token : str
        The token as the model saw it (after normalising, stemming, ...).
    text : str
        The original text it came from where known (``"terrible"`` for ``terribl``),
        else the token.
    start, end : int or None
        Its character span in the original text, None where unknown.
    contribution : float or None
        Positive: toward the class; negative: against it. None for a token that was
        not measured (beyond ``max_tokens`` under occlusion).
    """

    token: str
    text: str
    start: int | None
    end: int | None
    contribution: float | None

    @property
    def shown(self) -> str:
        """The original word, followed by the token where they differ beyond case.

        Examples
        --------
        >>> TokenContribution("terribl", "Terrible", 0, 8, -1.0).shown
        'Terrible (terribl)'
        """
        same = self.text.lower() == self.token.lower()
        text = self.text if any(ch.isalnum() for ch in self.text) else f'"{self.text}"'
        return text if same else f"{text} ({self.token})"


@dataclass
class NgramContribution:
    """One feature (a word or an n-gram) of a linear model and its exact part of the score.

    Attributes
    ----------
    ngram : str
        The feature's term: tokens joined by one space.
    positions : list of list of int
        For each occurrence in the text, the indices of its tokens.
    value : float
        The feature's value for this text (a count, a tf-idf weight, or 1 when binarized).
    weight : float
        The classifier's weight for it, toward the explained class.
    contribution : float
        ``value * weight``, shared equally by the tokens of its occurrences.
    ratio : float or None
        For nbsvm, the naive-Bayes log-count ratio that ``weight`` already includes.
    """

    ngram: str
    positions: list
    value: float
    weight: float
    contribution: float
    ratio: float | None = None


@dataclass
class Explanation:
    """Which tokens pushed one text's prediction toward or against a class.

    Attributes
    ----------
    text : str
        The text explained.
    label : str
        The class explained (by default the predicted one).
    predicted : str
        The class the model predicts for the text.
    method : {"exact", "occlusion"}
        ``exact``: the linear model's score split over its features, exactly;
        ``occlusion``: the drop in the class's probability when each token is removed.
    score : float
        The explained class's decision score (exact) or probability (occlusion).
    base : float or None
        Exact: the intercept, so that ``score == base + sum of contributions``.
        Occlusion: None.
    score_name : str
        What ``score`` is: ``"decision score"``, ``"probability"``.
    tokens : list of TokenContribution
    ngrams : list of NgramContribution
        Exact only: every feature of the text with a nonzero value.
    probabilities : dict or None
        Each class's probability, where the model gives them.
    notes : list of str
        Anything a reader should know (a fallback, a cap on tokens).
    """

    text: str
    label: str
    predicted: str
    method: str
    score: float
    base: float | None
    score_name: str
    tokens: list = field(default_factory=list)
    ngrams: list = field(default_factory=list)
    probabilities: dict | None = None
    notes: list = field(default_factory=list)

    def top(self, n: int = 10) -> tuple[list, list]:
        """The ``n`` tokens pushing most toward the class, and the ``n`` most against it."""
        measured = [t for t in self.tokens if t.contribution]
        toward = sorted((t for t in measured if t.contribution > 0),
                        key=lambda t: -t.contribution)
        against = sorted((t for t in measured if t.contribution < 0),
                         key=lambda t: t.contribution)
        return toward[:n], against[:n]

    def top_words(self, n: int = 10) -> tuple[list, list]:
        """Like :meth:`top`, with the occurrences of a token added up: ``(shown, total, count)``.

        ``shown`` is how the token's first occurrence is shown (see
        :attr:`TokenContribution.shown`).

        Examples
        --------
        >>> e = Explanation("good good bad", "pos", "pos", "exact", 1.0, 0.0, "decision score",
        ...                 tokens=[TokenContribution("good", "good", 0, 4, 0.5),
        ...                         TokenContribution("good", "good", 5, 9, 0.5),
        ...                         TokenContribution("bad", "bad", 10, 13, -0.25)])
        >>> e.top_words(2)
        ([('good', 1.0, 2)], [('bad', -0.25, 1)])
        """
        totals: dict[str, list] = {}
        for t in self.tokens:
            if t.contribution:
                entry = totals.setdefault(t.token, [t.shown, 0.0, 0])
                entry[1] += t.contribution
                entry[2] += 1
        words = [tuple(entry) for entry in totals.values()]
        toward = sorted((w for w in words if w[1] > 0), key=lambda w: -w[1])
        against = sorted((w for w in words if w[1] < 0), key=lambda w: w[1])
        return toward[:n], against[:n]

    @property
    def largest(self) -> float:
        """The largest absolute contribution of any token (0 if there is none)."""
        return max((abs(t.contribution) for t in self.tokens if t.contribution), default=0.0)

    def segments(self) -> tuple[list, list]:
        """The text cut into pieces to show, and the tokens that have no place in it.

        Returns ``(pieces, unplaced)``: each piece is ``(text, token)``, ``token`` None
        for the text between tokens; ``unplaced`` lists the tokens with a contribution
        but no span (a placeholder such as ``<url>``), the :data:`UNPLACED_SHOWN`
        strongest where there are more (character n-grams). Where no token has a span, the
        pieces are the tokens themselves, one space apart.
        """
        placed = sorted((t for t in self.tokens if t.start is not None),
                        key=lambda t: (t.start, t.end))
        if not placed:
            pieces = []
            for i, token in enumerate(self.tokens):
                pieces += [(" ", None)] if i else []
                pieces.append((token.text, token))
            return pieces, []
        pieces, cursor = [], 0
        for token in placed:
            if token.start < cursor:  # overlaps the previous one: left out of the text
                continue
            if token.start > cursor:
                pieces.append((self.text[cursor:token.start], None))
            pieces.append((self.text[token.start:token.end], token))
            cursor = token.end
        if cursor < len(self.text):
            pieces.append((self.text[cursor:], None))
        unplaced = [t for t in self.tokens if t.start is None and t.contribution]
        if len(unplaced) > UNPLACED_SHOWN:  # character n-grams: the strongest only
            unplaced = sorted(unplaced, key=lambda t: -abs(t.contribution))[:UNPLACED_SHOWN]
        return pieces, unplaced

    def to_dict(self) -> dict:
        """A JSON-ready dict of everything above."""
        return asdict(self)


__all__ = ["Explanation", "NgramContribution", "TokenContribution"]
