"""Remove stop words, punctuation, numbers and short tokens from token lists.

Examples
--------
>>> from textpipe.stages.stopwords import Stopwords
>>> Stopwords(keep=["not"]).fit_transform([["this", "is", "not", "a", "good", "film"]])
[['not', 'good', 'film']]
"""

from __future__ import annotations

import re
import string
import unicodedata
from numbers import Integral
from pathlib import Path
from typing import ClassVar


from ..errors import ConfigError, Errors
from ..registry import TOKENS
from ..sklearn_compat import Interval, StrOptions
from .base import N_JOBS_CONSTRAINT, TextStage, TypeMemo
from .tokenize import spacy_language_class

__all__ = ["Stopwords"]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,:/]\d+)*|[.,]\d+)%?")
_ASCII_SYMBOLS = frozenset(string.punctuation)


def is_punctuation(token: str) -> bool:
    """True if every character is Unicode punctuation (P*) or an ASCII symbol (``$``, ``|``).

    Emoji and other symbols (€, ©) are not punctuation.

    Examples
    --------
    >>> [is_punctuation(t) for t in [",", "...", "«", "$", ":-)", "€", "a."]]
    [True, True, True, True, True, False, False]
    """
    return bool(token) and all(
        c in _ASCII_SYMBOLS or unicodedata.category(c).startswith("P") for c in token
    )


def is_number(token: str) -> bool:
    """True for numbers such as ``42``, ``-3.5``, ``1,000``, ``10:30``, ``1/2``, ``50%``, ``½``.

    Examples
    --------
    >>> [is_number(t) for t in ["42", "-3.5", "1,000", "50%", "½", "mp3", "3rd"]]
    [True, True, True, True, True, False, False]
    """
    return token.isnumeric() or _NUMBER.fullmatch(token) is not None


class _KeepToken:
    """The per-type decision of :class:`Stopwords`: True if the token stays."""

    def __init__(self, stop_words, keep, case_sensitive, drop_punctuation, drop_numbers,
                 min_length):
        self.stop_words = stop_words
        self.keep = keep
        self.case_sensitive = case_sensitive
        self.drop_punctuation = drop_punctuation
        self.drop_numbers = drop_numbers
        self.min_length = min_length

    def __call__(self, token: str) -> bool:
        key = token if self.case_sensitive else token.lower()
        if key in self.keep:
            return True
        if key in self.stop_words or len(token) < self.min_length:
            return False
        if self.drop_punctuation and is_punctuation(token):
            return False
        return not (self.drop_numbers and is_number(token))


class Stopwords(TextStage):
    """Remove stop words, and optionally punctuation, numbers and short tokens.

    Each distinct token is judged once and the verdict remembered, so the
    cost per token is one set lookup.

    Parameters
    ----------
    source : {"sklearn", "spacy", "none"} or list of str, default="sklearn"
        Where the stop words come from: scikit-learn's English list (318
        words), spaCy's list for ``language``, no list, or the words given.
    language : str, default="en"
        ISO 639-1 code of the language: for ``source="spacy"`` any language
        spaCy has ("en", "de", "fr", "ru", "zh", ...); ``source="sklearn"``
        is English only, so it must be "en" there. Ignored for a list of words.
    words_file : str or path, default=None
        A UTF-8 text file with one stop word per line, added to ``source``.
        Blank lines and lines starting with ``#`` are skipped. It is read at
        ``fit``; the fitted stage keeps the words, not the path.
    keep : list of str, default=()
        Words never removed, whatever the other settings, e.g.
        ``["not", "no", "nor"]`` for sentiment.
    drop_punctuation : bool, default=False
        Remove tokens made only of punctuation or ASCII symbols (",", "...",
        "«", "$", ":-)"); emoji and other symbols stay.
    drop_numbers : bool, default=False
        Remove numbers ("42", "-3.5", "1,000", "10:30", "50%", "½").
    min_length : int, default=1
        Remove tokens with fewer characters than this.
    case_sensitive : bool, default=False
        Match stop words and ``keep`` exactly; by default "The" is removed
        like "the". Tokens are never changed, only kept or removed.
    n_jobs : int or None, default=None
        Processes that transform the documents, in chunks; None means 1 and -1
        all cores. The output is the same and in the same order; inputs of fewer
        than 5,000 documents are always transformed in-process.

    Attributes
    ----------
    stop_words_ : frozenset of str
        The stop words in use (lower-cased unless ``case_sensitive``), without
        the ``keep`` words.

    Examples
    --------
    >>> from textpipe.stages.stopwords import Stopwords
    >>> docs = [["The", "film", "is", "not", "bad", "!", "10", "/", "10"], ["the", "a"]]
    >>> stop = Stopwords(keep=["not"], drop_punctuation=True, drop_numbers=True)
    >>> stop.fit_transform(docs)
    [['film', 'not', 'bad'], []]
    >>> "the" in stop.stop_words_, "not" in stop.stop_words_
    (True, False)
    >>> Stopwords(source="spacy", language="de").fit_transform([["Das", "ist", "Kino"]])
    [['Kino']]
    >>> Stopwords(source=["film"], min_length=3).fit_transform([["a", "fine", "film"]])
    [['fine']]
    """

    _path_params: ClassVar[tuple[str, ...]] = ("words_file",)
    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = TOKENS
    #: A document's output depends on the parameters only: computed once for all folds.
    learns_from_training_data: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict] = {
        "source": [StrOptions({"sklearn", "spacy", "none"}), list, tuple, set, frozenset],
        "language": [str],
        "words_file": [str, Path, None],
        "keep": [list, tuple, set, frozenset],
        "drop_punctuation": ["boolean"],
        "drop_numbers": ["boolean"],
        "min_length": [Interval(Integral, 0, None, closed="left")],
        "case_sensitive": ["boolean"],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        source="sklearn",
        language="en",
        words_file=None,
        keep=(),
        drop_punctuation=False,
        drop_numbers=False,
        min_length=1,
        case_sensitive=False,
        n_jobs=None,
    ):
        self.n_jobs = n_jobs
        self.source = source
        self.language = language
        self.words_file = words_file
        self.keep = keep
        self.drop_punctuation = drop_punctuation
        self.drop_numbers = drop_numbers
        self.min_length = min_length
        self.case_sensitive = case_sensitive

    def _parameter_rules(self) -> list:
        """The language must be one the stop-word source serves."""
        if self.source == "sklearn" and self.language != "en":
            return [self._error("language", Errors.E766.format(language=self.language))]
        if self.source == "spacy":
            try:
                spacy_language_class(self.language, self.stage_name)
            except ConfigError as exc:
                return [exc]
            except ImportError:  # spaCy is not installed: fitting says so
                pass
        return []

    def _error(self, param: str, message: str) -> ConfigError:
        return ConfigError(message, step=f"'{self.stage_name}'", param=param)

    def _checked_words(self, words, param: str) -> list[str]:
        words = list(words)
        for i, word in enumerate(words):
            if not isinstance(word, str):
                kind = f"a {type(word).__name__} ({word!r})"
                raise self._error(param, Errors.E307.format(index=i, kind=kind))
        return words

    def _source_words(self) -> list[str]:
        source = self.source
        if isinstance(source, str):
            if source == "sklearn":
                from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

                return list(ENGLISH_STOP_WORDS)
            if source == "spacy":
                return list(spacy_language_class(self.language, self.stage_name).Defaults.stop_words)
            return []
        return self._checked_words(source, "source")

    def _file_words(self) -> list[str]:
        if self.words_file is None:
            return []
        path = Path(self.words_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise self._error("words_file", Errors.E306.format(path=path, reason=reason)) from None
        words = (line.strip() for line in lines)
        return [w for w in words if w and not w.startswith("#")]

    def _fold(self, words) -> frozenset[str]:
        return frozenset(words if self.case_sensitive else (w.lower() for w in words))

    # -- TextStage hooks -----------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        keep = self._fold(self._checked_words(self.keep, "keep"))
        self.stop_words_ = self._fold(self._source_words() + self._file_words()) - keep
        self._keep_token = TypeMemo(
            _KeepToken(
                self.stop_words_, keep, self.case_sensitive, self.drop_punctuation,
                self.drop_numbers, self.min_length,
            )
        )

    def _transform(self, docs: list[list[str]]) -> list[list[str]]:
        # Each distinct token is judged once (memo); every token is then one dict lookup.
        keep_token = self._keep_token
        return [[t for t in doc if keep_token[t]] for doc in docs]
