"""Replace tokens by their lemmas: spaCy's lookup tables or NLTK's WordNet lemmatizer.

Both work offline: the spaCy tables come with the spacy-lookups-data package,
and WordNet is read from a folder on disk (it is never downloaded at run time).

Examples
--------
>>> from textpipe.stages.lemmatize import Lemmatize
>>> Lemmatize().fit_transform([["the", "mice", "were", "running"]])
[['the', 'mouse', 'be', 'run']]
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from typing import ClassVar


from ..errors import ConfigError, Errors, MissingResourceError, did_you_mean
from ..registry import TOKENS
from ..sklearn_compat import StrOptions
from .base import N_JOBS_CONSTRAINT, TextStage, TypeMemo

__all__ = ["Lemmatize", "lookup_languages", "DEBIAN_WORDNET"]

#: Where Debian/Ubuntu's ``wordnet-base`` package puts the WordNet database;
#: searched after NLTK's data path when ``wordnet_path`` is not given.
DEBIAN_WORDNET = "/usr/share/wordnet"


def lookup_languages() -> list[str]:
    """Language codes for which spacy-lookups-data has a ``lemma_lookup`` table.

    Examples
    --------
    >>> {"en", "de", "fr"} <= set(lookup_languages())
    True
    """
    from spacy.util import registry

    return sorted(
        lang for lang, tables in registry.lookups.get_all().items() if "lemma_lookup" in tables
    )


@lru_cache(maxsize=8)
def _lookup_table(language: str):
    """spaCy's lemma lookup table for ``language`` (read once per process; read-only)."""
    from spacy.lookups import load_lookups

    return load_lookups(language, ["lemma_lookup"]).get_table("lemma_lookup")


class _LookupLemma:
    """token → its lemma in a spaCy lookup table, or the token itself (as spaCy does)."""

    def __init__(self, table):
        self.table = table

    def __call__(self, token: str) -> str:
        lemma = self.table.get(token, token)
        if isinstance(lemma, str):
            return lemma
        return lemma[0] if lemma else token  # some tables (fr) hold lists: spaCy takes the first


def _wordnet_reader_class():
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class _WordNetReader(WordNetCorpusReader):
        """NLTK's reader without the mapping to the Open Multilingual Wordnet.

        NLTK's ``map_wn`` reloads "the" NLTK WordNet to map versions, which
        fails for a database outside nltk_data (e.g. /usr/share/wordnet);
        lemmatizing never needs it.
        """

        def map_wn(self, version="wordnet"):
            return None

    return _WordNetReader


def _find_wordnet(wordnet_path) -> tuple[tuple[str, str | None] | None, list[str]]:
    """Locate a WordNet database; return (where it is or None, the folders searched).

    ``wordnet_path`` may be the database folder itself (holding ``lexnames``,
    ``index.noun``, ... as Debian installs it), an nltk_data folder holding
    ``corpora/wordnet`` or ``corpora/wordnet.zip``, or its ``corpora`` folder.
    Without it, NLTK's data path (``NLTK_DATA`` included) and
    :data:`DEBIAN_WORDNET` are searched. The location is ``(folder, None)`` or,
    for a zip file, ``(zip file, folder inside it)``.
    """
    import nltk.data

    if wordnet_path is not None:
        folders = [os.path.abspath(os.path.expanduser(os.fspath(wordnet_path)))]
    else:
        folders = [str(getattr(p, "path", p)) for p in nltk.data.path] + [DEBIAN_WORDNET]
    for folder in folders:
        if os.path.isfile(os.path.join(folder, "lexnames")):
            return (folder, None), folders
        for name in ("corpora/wordnet", "wordnet"):
            try:
                found = nltk.data.find(name, paths=[folder])
            except (LookupError, ValueError, OSError):
                continue
            return (str(found.path), getattr(found, "entry", None)), folders
    return None, folders


@lru_cache(maxsize=4)
def _wordnet(location: tuple[str, str | None]):
    """Load the WordNet index (a few seconds, once per process and location)."""
    import nltk.data

    path, entry = location
    # NLTK reads files only inside its data path ("Security Violation ...
    # Unauthorized path" otherwise): authorize the folder the user pointed to.
    folder = os.path.dirname(path) if entry is not None else path
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    root = nltk.data.ZipFilePathPointer(path, entry) if entry is not None else path
    with warnings.catch_warnings():  # "multilingual functions are not available"
        warnings.simplefilter("ignore")
        return _wordnet_reader_class()(root, None)


class _WordNetLemma:
    """token → shortest WordNet lemma for ``pos``, else the token (``WordNetLemmatizer.lemmatize``)."""

    def __init__(self, reader, pos):
        self.reader = reader
        self.pos = pos

    def __call__(self, token: str) -> str:
        lemmas = self.reader._morphy(token, self.pos)
        return min(lemmas, key=len) if lemmas else token


class Lemmatize(TextStage):
    """Replace each token by its lemma ("mice" → "mouse", "running" → "run").

    Each distinct token is lemmatized once and the lemma remembered, so the
    cost per token is one dict lookup. Lemmas are looked up out of context
    (no part-of-speech tagging), which is what makes this fast.

    Parameters
    ----------
    backend : {"spacy_lookup", "wordnet"}, default="spacy_lookup"
        ``"spacy_lookup"``: the ``lemma_lookup`` table of spacy-lookups-data
        for ``language`` (the table spaCy's lemmatizer uses in "lookup" mode;
        the same lemmas). ``"wordnet"``: NLTK's ``WordNetLemmatizer`` (English),
        which needs the WordNet database on disk (see ``wordnet_path``).
    language : str, default="en"
        ISO 639-1 code of the language. For ``"spacy_lookup"`` one with a
        lookup table: ca, cs, da, de, en, es, fr, grc, hr, hu, id, it, lb, lt,
        mk, nb, nl, pt, ro, ru, sr, sv, tl, tr, ur; ``"wordnet"`` is English
        only, so it must be "en" there.
    pos : {"n", "v", "a", "r", "s"}, default="n"
        Part of speech WordNet lemmatizes as (noun, verb, adjective, adverb,
        satellite adjective), as in ``WordNetLemmatizer.lemmatize``.
    wordnet_path : str or path, default=None
        Where the WordNet database is: its own folder (Debian's
        ``apt-get install wordnet-base`` puts it in ``/usr/share/wordnet``), or
        an nltk_data folder holding ``corpora/wordnet``. By default NLTK's data
        path (including ``$NLTK_DATA``) and ``/usr/share/wordnet`` are searched.
        A folder outside NLTK's data path is added to ``nltk.data.path``, as
        NLTK requires before it reads from it.
    n_jobs : int or None, default=None
        Processes that transform the documents, in chunks; None means 1 and -1
        all cores. The output is the same and in the same order; inputs of fewer
        than 5,000 documents are always transformed in-process.

    Attributes
    ----------
    fitted_ : bool
        True once fitted; the stage learns nothing from the data.

    Raises
    ------
    MissingResourceError
        At ``fit``, if ``backend="wordnet"`` and no WordNet database is found;
        the message says how to install one offline.

    Notes
    -----
    Lookups are case-sensitive, as in spaCy: lower-case the tokens first (the
    ``tokenize`` stage does by default). ``language`` applies to
    ``"spacy_lookup"`` only, ``pos`` and ``wordnet_path`` to ``"wordnet"`` only.

    Examples
    --------
    >>> from textpipe.stages.lemmatize import Lemmatize
    >>> Lemmatize(language="de").fit_transform([["Häuser", "waren"]])
    [['Haus', 'sein']]
    >>> Lemmatize(backend="wordnet", wordnet_path="/nonexistent").fit([["x"]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    textpipe.errors.MissingResourceError: the 'wordnet' backend needs the WordNet database, ...
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = TOKENS
    #: A document's output depends on the parameters only: computed once for all folds.
    learns_from_training_data: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict] = {
        "backend": [StrOptions({"spacy_lookup", "wordnet"})],
        "language": [str],
        "pos": [StrOptions({"n", "v", "a", "r", "s"})],
        "wordnet_path": [str, os.PathLike, None],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, *, backend="spacy_lookup", language="en", pos="n", wordnet_path=None,
                 n_jobs=None):
        self.n_jobs = n_jobs
        self.backend = backend
        self.language = language
        self.pos = pos
        self.wordnet_path = wordnet_path

    def _parameter_rules(self) -> list:
        """The language must be one the lemmatizer backend serves."""
        if self.backend == "wordnet":
            if self.language == "en":
                return []
            try:
                allowed = ", ".join(lookup_languages())
            except ImportError:  # spaCy missing: name the backend only
                allowed = "spaCy's lookup languages"
            return [self._error("language", Errors.E767.format(language=self.language,
                                                               allowed=allowed))]
        try:
            languages = lookup_languages()
        except ImportError:  # spaCy missing: fitting says so
            return []
        if self.language in languages:
            return []
        return [self._error("language", Errors.E309.format(
            language=self.language, hint=did_you_mean(self.language, languages),
            allowed=", ".join(languages)))]

    def _error(self, param: str, message: str) -> ConfigError:
        return ConfigError(message, step=f"'{self.stage_name}'", param=param)

    def _lemma_function(self):
        if self.backend == "wordnet":
            return _WordNetLemma(self._wordnet_reader(), self.pos)
        try:
            import spacy_lookups_data  # noqa: F401  (only to give a clear message)
        except ImportError:
            raise MissingResourceError(Errors.E310) from None
        languages = lookup_languages()
        if self.language not in languages:
            raise self._error(
                "language",
                Errors.E309.format(
                    language=self.language,
                    hint=did_you_mean(self.language, languages),
                    allowed=", ".join(languages),
                ),
            )
        return _LookupLemma(_lookup_table(self.language))

    def _wordnet_reader(self):
        location, searched = _find_wordnet(self.wordnet_path)
        if location is None:
            raise MissingResourceError(Errors.E311.format(searched=", ".join(searched)))
        try:
            return _wordnet(location)
        except (OSError, LookupError, ValueError, AssertionError) as exc:
            raise MissingResourceError(
                Errors.E312.format(path=location[0], reason=exc)
            ) from None

    # -- TextStage hooks -----------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        self._lemma = TypeMemo(self._lemma_function())

    def _transform(self, docs: list[list[str]]) -> list[list[str]]:
        lemma = self.__dict__.get("_lemma")
        if lemma is None:  # unpickled: tables are not saved with the model
            lemma = self._lemma = TypeMemo(self._lemma_function())
        return [[lemma[t] for t in doc] for doc in docs]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_lemma", None)
        return state
