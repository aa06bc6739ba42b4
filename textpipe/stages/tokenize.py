"""Split raw text into tokens: regex, spaCy, NLTK, whitespace, character n-grams or subwords.

Examples
--------
>>> from textpipe.stages.tokenize import Tokenize
>>> Tokenize().fit_transform(["It's a GREAT film, isn't it?"])
[["it's", 'a', 'great', 'film', ',', "isn't", 'it', '?']]
"""

from __future__ import annotations

import hashlib
import os
import re
from itertools import chain
from numbers import Integral
from typing import ClassVar


from ..errors import ConfigError, Errors, did_you_mean
from ..registry import TEXT, TOKENS
from ..sklearn_compat import Interval, StrOptions
from .base import N_JOBS_CONSTRAINT, TextStage, TypeMemo
from .subword import (NORMALIZATIONS, PRE_TOKENIZERS, PRETRAINED, SUBWORD_DEFAULTS, TRAINED,
                      Subwords, load_tokenizer_file, tokenizer_file, train_tokenizer)

__all__ = ["Tokenize", "DEFAULT_PATTERN"]

#: Words, with the parts after an apostrophe kept on ("it's", "don’t",
#: "rock'n'roll"), and every other non-space character as a token of its own.
DEFAULT_PATTERN = r"\w+(?:['’]\w+)*|[^\w\s]"
_DEFAULT_REGEX = re.compile(DEFAULT_PATTERN)

BACKENDS = ("regex", "spacy", "nltk", "whitespace", "char_ngrams", "char_wb") + TRAINED + (
    PRETRAINED,)

#: The parameters of the subword backends, and the backends each applies to.
_SUBWORD_PARAMS = {
    "tokenizer": (PRETRAINED,),
    "vocab_size": TRAINED,
    "min_frequency": ("bpe", "wordpiece"),
    "unicode_normalization": TRAINED,
    "pre_tokenizer": TRAINED,
}


def _default_pattern_tokens(text: str, cache: dict[str, list[str]]) -> list[str]:
    """``re.findall(DEFAULT_PATTERN, text)``, about 1.5 times faster.

    The default pattern never matches whitespace and looks at no context, so
    each whitespace-separated chunk can be tokenized on its own; a chunk of
    word characters only (``str.isalnum`` is the regex's ``\\w`` less the
    underscore, and ``str.split`` splits where ``\\s`` matches) is one token
    as it stands, and only the other chunks go through the regex, once per
    distinct chunk: ``cache`` keeps their tokens (a corpus repeats "," and
    "it's" far more often than it has distinct such chunks).

    Examples
    --------
    >>> _default_pattern_tokens("it's 2 a.m., ok", {})
    ["it's", '2', 'a', '.', 'm', '.', ',', 'ok']
    """
    findall = _DEFAULT_REGEX.findall
    get = cache.get
    tokens: list[str] = []
    append, extend = tokens.append, tokens.extend
    for chunk in text.split():
        if chunk.isalnum():
            append(chunk)
        else:
            found = get(chunk)
            if found is None:
                found = cache[chunk] = findall(chunk)
            extend(found)
    return tokens


def spacy_languages() -> list[str]:
    """The language codes of ``spacy.lang`` (what ``spacy.blank`` accepts).

    Examples
    --------
    >>> "en" in spacy_languages() and "de" in spacy_languages()
    True
    """
    import pkgutil

    import spacy.lang

    return sorted(m.name for m in pkgutil.iter_modules(spacy.lang.__path__) if m.ispkg)


def spacy_language_class(language: str, stage: str, param: str = "language") -> type:
    """Return spaCy's ``Language`` subclass for a code, or a ``ConfigError`` listing the codes."""
    import spacy
    import spacy.util

    try:
        return spacy.util.get_lang_class(language)
    except ImportError:
        codes = spacy_languages()
        raise ConfigError(
            Errors.E301.format(
                language=language,
                hint=did_you_mean(language, codes),
                version=spacy.__version__,
                allowed=", ".join(codes),
            ),
            step=f"'{stage}'",
            param=param,
        ) from None


def spacy_blank(language: str, stage: str, param: str = "language"):
    """``spacy.blank(language)``, with clear messages for unknown codes and missing packages."""
    lang_class = spacy_language_class(language, stage, param)
    try:
        return lang_class()
    except ImportError as exc:  # e.g. 'ja' needs SudachiPy, 'th' PyThaiNLP
        raise ConfigError(
            Errors.E302.format(language=language, reason=str(exc).split("\n")[0]),
            step=f"'{stage}'",
            param=param,
        ) from None


class Tokenize(TextStage):
    """Split each document into a list of tokens.

    Parameters
    ----------
    backend : {"regex", "spacy", "nltk", "whitespace", "char_ngrams", "char_wb", \
"bpe", "wordpiece", "unigram", "pretrained"}, default="regex"
        How to split: ``"regex"`` finds every match of ``pattern``;
        ``"spacy"`` runs spaCy's rule-based tokenizer for ``language`` (no
        model is needed, whitespace tokens are dropped); ``"nltk"`` runs NLTK's
        ``nltk_tokenizer``; ``"whitespace"`` splits on whitespace;
        ``"char_ngrams"`` gives the character n-grams of the text and
        ``"char_wb"`` those of each word padded with one space on each side
        (scikit-learn's ``analyzer="char"`` and ``"char_wb"``);
        ``"bpe"``, ``"wordpiece"`` and ``"unigram"`` split words into subwords
        with a vocabulary of ``vocab_size`` pieces learnt at ``fit`` from the
        training documents, and ``"pretrained"`` with the subword tokenizer of
        a ``tokenizer.json`` file (both with Hugging Face ``tokenizers``). A subword is
        written as it is at the start of a word and with ``##`` before it
        inside a word ("unbelievable" → ``un``, ``##believ``, ``##able``);
        special tokens such as ``[CLS]`` are never emitted. See
        docs/subword.md.
    pattern : str, default=DEFAULT_PATTERN
        Regular expression for ``backend="regex"``; every match is a token.
        The default, ``\\w+(?:['’]\\w+)*|[^\\w\\s]``, keeps words whole with
        their apostrophe parts ("it's", "don’t") and makes every other
        non-space character (punctuation, symbols, emoji) a token of its own.
        Use non-capturing groups ``(?:...)`` only.
    lowercase : bool, default=True
        Lower-case the tokens. The regex, whitespace, treebank and n-gram
        backends lower-case the whole document first; spaCy takes each token's
        lower-case form; the tweet tokenizer keeps emoticons such as ":D"; the
        trained subword backends lower-case in their normaliser. Ignored by
        ``"pretrained"``, whose file says how it normalises text.
    language : str, default="en"
        spaCy language code for ``backend="spacy"`` (any code ``spacy.blank``
        accepts: "en", "de", "fr", "zh", ...).
    nltk_tokenizer : {"treebank", "tweet"}, default="treebank"
        NLTK tokenizer for ``backend="nltk"``: ``TreebankWordTokenizer``
        (Penn Treebank conventions: "don't" → "do", "n't"; it expects one
        sentence per document) or ``TweetTokenizer`` (keeps emoticons,
        hashtags and @-mentions whole). Neither needs downloaded data.
    ngram_range : tuple (min_n, max_n), default=(2, 4)
        Character n-gram lengths for ``"char_ngrams"`` and ``"char_wb"``.
    tokenizer : str or path, default=None
        For ``backend="pretrained"`` (required): a ``tokenizer.json`` file, or
        a model folder that holds one (as a Hugging Face model folder does).
        In a YAML file, a relative path is relative to that file.
    vocab_size : int, default=None
        Subword vocabulary size for ``"bpe"``, ``"wordpiece"`` and
        ``"unigram"``; None means 8000. The vocabulary always holds every
        character of the training documents, so a very small size can be
        exceeded.
    min_frequency : int, default=None
        For ``"bpe"`` and ``"wordpiece"``: how often a pair must occur in the
        training documents to be merged; None means 2.
    unicode_normalization : {"nfkc", "nfc", "nfd", "nfkd", "none"}, default=None
        Unicode normalisation before the trained subword backends learn and
        split; None means ``"nfkc"`` (compatibility characters such as "ﬁ"
        become "fi").
    pre_tokenizer : {"bert", "whitespace", "whitespace_split"}, default=None
        How the trained subword backends cut text into words before splitting
        words into subwords; None means ``"bert"``: at whitespace and around
        every punctuation character. ``"whitespace"`` keeps runs of
        punctuation together (``\\w+|[^\\w\\s]+``), ``"whitespace_split"``
        cuts at whitespace only.
    n_jobs : int or None, default=None
        Processes that transform the documents, in chunks; None means 1 and -1
        all cores. The output is the same and in the same order; inputs of fewer
        than 5,000 documents are always transformed in-process.

    Attributes
    ----------
    fitted_ : bool
        True once fitted.
    tokenizer_json_ : str
        The subword backends' tokenizer, as the JSON text Hugging Face
        ``tokenizers`` writes (trained at ``fit``, or read from ``tokenizer``).

    Notes
    -----
    Only ``"bpe"``, ``"wordpiece"`` and ``"unigram"`` learn from the
    documents (``learns_from_training_data``): in cross-validation their
    vocabulary comes from the training folds alone. Their training is
    deterministic: the same documents give the same tokenizer.

    The parameters of the rule-based backends that do not apply to the chosen
    backend are ignored (and not checked beyond their type), so a grid search
    can switch backends freely; a subword parameter (``tokenizer``,
    ``vocab_size``, ``min_frequency``, ``unicode_normalization``,
    ``pre_tokenizer``) given to a backend it does not apply to is an error.

    Speed. The regex backend with the default pattern splits on whitespace
    first and runs the regex only on chunks that are not plain words; the
    result is exactly that of ``re.findall``. The spaCy backend tokenizes
    each distinct whitespace-separated chunk once (spaCy's rules work chunk
    by chunk) instead of building a ``Doc`` per document, which makes it
    several times faster than ``nlp.tokenizer.pipe``. The tokens are spaCy's,
    with one exception: spaCy also matches special cases across a space,
    and such a match, though never applied, can block one inside the next
    chunk, so that spaCy splits ``"' ''x"`` into ``'``, ``'``, ``'``, ``x``
    while ``"''x"`` alone gives ``''``, ``x``; here a chunk is always
    tokenized the same way. Languages with special cases that contain a
    space (Spanish "EE. UU.") and non-rule-based tokenizers (Chinese) are
    tokenized document by document, exactly as spaCy does.

    Examples
    --------
    >>> from textpipe.stages.tokenize import Tokenize
    >>> docs = ["Don't panic :-) #42"]
    >>> Tokenize().fit_transform(docs)
    [["don't", 'panic', ':', '-', ')', '#', '42']]
    >>> Tokenize(backend="nltk", nltk_tokenizer="tweet").fit_transform(docs)
    [["don't", 'panic', ':-)', '#42']]
    >>> Tokenize(backend="nltk").fit_transform(docs)
    [['do', "n't", 'panic', ':', '-', ')', '#', '42']]
    >>> Tokenize(backend="spacy", language="en").fit_transform(docs)
    [['do', "n't", 'panic', ':-)', '#', '42']]
    >>> Tokenize(backend="char_wb", ngram_range=(3, 3)).fit_transform(["Big cat"])
    [[' bi', 'big', 'ig ', ' ca', 'cat', 'at ']]
    >>> bpe = Tokenize(backend="bpe", vocab_size=40)
    >>> bpe.fit(["a low, lower, lowest; new, newer, newest; wide, wider"] * 3).transform(
    ...     ["Widest, newest!"])
    [['wide', '##st', ',', 'ne', '##west', '!']]
    """

    consumes: ClassVar[str] = TEXT
    produces: ClassVar[str] = TOKENS
    _parameter_constraints: ClassVar[dict] = {
        "backend": [StrOptions(set(BACKENDS))],
        "pattern": [str],
        "lowercase": ["boolean"],
        "language": [str],
        "nltk_tokenizer": [StrOptions({"treebank", "tweet"})],
        "ngram_range": [tuple, list],
        "tokenizer": [str, os.PathLike, None],
        "vocab_size": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [Interval(Integral, 1, None, closed="left"), None],
        "unicode_normalization": [StrOptions(set(NORMALIZATIONS)), None],
        "pre_tokenizer": [StrOptions(set(PRE_TOKENIZERS)), None],
        "n_jobs": N_JOBS_CONSTRAINT,
    }
    _path_params: ClassVar[tuple[str, ...]] = ("tokenizer",)

    def __init__(
        self,
        *,
        backend="regex",
        pattern=DEFAULT_PATTERN,
        lowercase=True,
        language="en",
        nltk_tokenizer="treebank",
        ngram_range=(2, 4),
        tokenizer=None,
        vocab_size=None,
        min_frequency=None,
        unicode_normalization=None,
        pre_tokenizer=None,
        n_jobs=None,
    ):
        self.n_jobs = n_jobs
        self.backend = backend
        self.pattern = pattern
        self.lowercase = lowercase
        self.language = language
        self.nltk_tokenizer = nltk_tokenizer
        self.ngram_range = ngram_range
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.min_frequency = min_frequency
        self.unicode_normalization = unicode_normalization
        self.pre_tokenizer = pre_tokenizer

    @property
    def learns_from_training_data(self) -> bool:
        """Whether ``fit`` learns from the documents: only the trained subword backends do."""
        return self.backend in TRAINED

    def resource_fingerprint(self) -> str:
        """A hash of the pretrained tokenizer file: the output depends on it, not only on the path.

        Empty for the other backends, and for a file that is missing (reported at ``fit``).
        """
        if self.backend != PRETRAINED or self.tokenizer is None:
            return ""
        file, why = tokenizer_file(self.tokenizer)
        return "" if why else hashlib.sha256(file.read_bytes()).hexdigest()

    # -- checks ---------------------------------------------------------------
    def _error(self, param: str, message: str) -> ConfigError:
        return ConfigError(message, step=f"'{self.stage_name}'", param=param)

    def _regex(self) -> re.Pattern:
        try:
            regex = re.compile(self.pattern)
        except re.error as exc:
            raise self._error("pattern", Errors.E303.format(reason=exc)) from None
        if regex.groups:
            raise self._error("pattern", Errors.E304.format(n=regex.groups))
        return regex

    def _ngram_range(self) -> tuple[int, int]:
        rng = self.ngram_range
        ok = (
            len(rng) == 2
            and all(isinstance(n, Integral) and not isinstance(n, bool) for n in rng)
            and 1 <= rng[0] <= rng[1]
        )
        if not ok:
            raise self._error("ngram_range", Errors.E305.format(got=rng))
        return int(rng[0]), int(rng[1])

    def _parameter_rules(self) -> list:
        checks = {"regex": self._regex, "char_ngrams": self._ngram_range,
                  "char_wb": self._ngram_range}
        if self.backend == "spacy":
            checks["spacy"] = lambda: spacy_language_class(self.language, self.stage_name)
        try:
            checks.get(self.backend, lambda: None)()
        except ConfigError as exc:
            return [exc]
        except ImportError:  # spaCy is not installed: fitting says so, with what to install
            pass
        return self._subword_rules()

    def _subword_rules(self) -> list:
        """Subword parameters given to a backend they do not apply to; pretrained's file."""
        problems = []
        for param, applies in _SUBWORD_PARAMS.items():
            if getattr(self, param) is not None and self.backend not in applies:
                names = " or ".join(f"'{b}'" for b in applies)
                problems.append(self._error(param, Errors.E641.format(
                    applies=names, backend=self.backend)))
        if self.backend == PRETRAINED:
            if self.tokenizer is None:
                problems.append(self._error("tokenizer", Errors.E642))
            else:
                file, why = tokenizer_file(self.tokenizer)
                if why:
                    problems.append(self._error("tokenizer", Errors.E643.format(path=file,
                                                                                why=why)))
        return problems

    def _subword_setting(self, param: str):
        value = getattr(self, param)
        return SUBWORD_DEFAULTS[param] if value is None else value

    def _spacy(self) -> "_SpacyTokens":
        """spaCy's tokenizer for ``language``, built once and kept (not pickled)."""
        cached = self.__dict__.get("_spacy_cache")
        if cached is None or cached.language != self.language:
            cached = self._spacy_cache = _SpacyTokens(self.language, self.stage_name)
        return cached

    def _subwords(self) -> Subwords:
        """The fitted subword tokenizer, built from ``tokenizer_json_`` once, kept, not pickled."""
        cached = self.__dict__.get("_subword_cache")
        if cached is None or cached.spec is not self.tokenizer_json_:
            cached = self._subword_cache = Subwords(self.tokenizer_json_, self.stage_name,
                                                    self.backend)
        return cached

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_spacy_cache", None)
        state.pop("_subword_cache", None)
        return state

    # -- TextStage hooks ---------------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        backend = self.backend
        self.__dict__.pop("tokenizer_json_", None)
        if backend in TRAINED:
            self.tokenizer_json_ = train_tokenizer(
                docs, backend=backend, lowercase=self.lowercase, stage=self.stage_name,
                **{p: self._subword_setting(p) for p in SUBWORD_DEFAULTS})
        elif backend == PRETRAINED:
            self.tokenizer_json_ = load_tokenizer_file(self.tokenizer, self.stage_name)
        elif backend == "regex":
            self._regex()
        elif backend == "spacy":
            self._spacy()
        elif backend in ("char_ngrams", "char_wb"):
            self._ngram_range()

    def _transform(self, docs: list[str]) -> list[list[str]]:
        backend = self.backend
        if backend in TRAINED or backend == PRETRAINED:
            return self._subwords()(docs)
        if self.lowercase and backend != "spacy" and not (
            backend == "nltk" and self.nltk_tokenizer == "tweet"
        ):
            docs = [doc.lower() for doc in docs]
        if backend == "regex":
            if self.pattern == DEFAULT_PATTERN:
                cache: dict[str, list[str]] = {}
                return [_default_pattern_tokens(doc, cache) for doc in docs]
            findall = self._regex().findall
            return [findall(doc) for doc in docs]
        if backend == "whitespace":
            return [doc.split() for doc in docs]
        if backend == "spacy":
            return self._spacy()(docs, self.lowercase)
        if backend == "nltk":
            return self._nltk_tokens(docs)
        min_n, max_n = self._ngram_range()
        if backend == "char_ngrams":
            return [_char_ngrams(doc, min_n, max_n) for doc in docs]
        return [_char_wb_ngrams(doc, min_n, max_n) for doc in docs]

    def _nltk_tokens(self, docs: list[str]) -> list[list[str]]:
        if self.nltk_tokenizer == "tweet":
            from nltk.tokenize import TweetTokenizer

            tokenize = TweetTokenizer(preserve_case=not self.lowercase).tokenize
        else:
            from nltk.tokenize import TreebankWordTokenizer

            tokenize = TreebankWordTokenizer().tokenize
        return [tokenize(doc) for doc in docs]


class _SpacyTokens:
    """spaCy's tokenizer for one language, returning token texts without whitespace tokens.

    spaCy tokenizes each whitespace-free chunk of a text on its own (its
    prefix, suffix, infix and special-case rules never look past a space),
    unless a special case itself holds a space ("EE. UU." in Spanish). When
    none does, the tokens of each distinct chunk are computed once, in large
    batches, and every document is assembled from them, without building a
    ``Doc`` per document: the result is that of ``nlp.tokenizer(doc)`` without
    its whitespace tokens (but see the Notes of :class:`Tokenize`). Otherwise,
    and for tokenizers that are not spaCy's rule-based one (Chinese), each
    document goes through spaCy.
    """

    _BATCH = 10_000  # chunks tokenized in one call

    def __init__(self, language: str, stage: str):
        from spacy.tokenizer import Tokenizer

        self.language = language
        self.nlp = spacy_blank(language, stage)
        tokenizer = self.nlp.tokenizer
        self.by_chunk = isinstance(tokenizer, Tokenizer) and not any(
            not key.isspace() and any(c.isspace() for c in key) for key in tokenizer.rules
        )
        self.text = TypeMemo(_SpacyString(self.nlp.vocab.strings))  # string id → text
        self.chunk_tokens: dict[bool, dict[str, list[str]]] = {True: {}, False: {}}

    def __call__(self, docs: list[str], lowercase: bool) -> list[list[str]]:
        from spacy.attrs import LOWER, ORTH

        attr = LOWER if lowercase else ORTH
        if not self.by_chunk:
            return [self._doc_tokens(doc, attr) for doc in self.nlp.tokenizer.pipe(docs)]
        memo = self.chunk_tokens[lowercase]
        chunked = [doc.split() for doc in docs]
        new = set(chain.from_iterable(chunked)).difference(memo)
        if new:
            self._learn(sorted(new), attr, memo)
        return [[t for chunk in chunks for t in memo[chunk]] for chunks in chunked]

    def _doc_tokens(self, doc, attr) -> list[str]:
        text = self.text
        tokens = [text[key] for key in doc.to_array(attr).tolist()]
        return [t for t in tokens if t] if "" in tokens else tokens

    def _learn(self, chunks: list[str], attr, memo: dict) -> None:
        """Tokenize chunks in batches, one per line: the line breaks become tokens of their own.

        A line break, unlike a space, is a token, so no special case can
        match across two chunks; the tokens between two line breaks are
        those of one chunk.
        """
        text = self.text
        tokenizer = self.nlp.tokenizer
        newline = self.nlp.vocab.strings.add("\n")
        for start in range(0, len(chunks), self._BATCH):
            batch = chunks[start:start + self._BATCH]
            found: list[list[str]] = []
            tokens: list[str] = []
            for key in tokenizer("\n".join(batch)).to_array(attr).tolist():
                if key == newline:
                    found.append(tokens)
                    tokens = []
                else:
                    tokens.append(text[key])
            found.append(tokens)
            if len(found) == len(batch):
                memo.update(zip(batch, found))
            else:  # pragma: no cover - never seen; be safe: one chunk at a time
                for chunk in batch:
                    memo[chunk] = self._doc_tokens(tokenizer(chunk), attr)


class _SpacyString:
    """spaCy string id → its text, or "" for whitespace (dropped from the tokens)."""

    def __init__(self, strings):
        self.strings = strings

    def __call__(self, key: int) -> str:
        text = self.strings[key]
        return text if text.strip() else ""


def _char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """Character n-grams of ``text`` with whitespace runs made one space, ends stripped."""
    text = " ".join(text.split())
    n_chars = len(text)
    grams: list[str] = []
    for n in range(min_n, min(max_n, n_chars) + 1):
        grams += [text[i:i + n] for i in range(n_chars - n + 1)]
    return grams


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """Character n-grams inside words padded with a space; a word shorter than n is kept once."""
    grams: list[str] = []
    for word in text.split():
        word = f" {word} "
        n_chars = len(word)
        for n in range(min_n, max_n + 1):
            if n >= n_chars:  # as scikit-learn: the padded word once, then stop
                grams.append(word)
                break
            grams += [word[i:i + n] for i in range(n_chars - n + 1)]
    return grams
