"""Reduce tokens to their stems with NLTK's Snowball, Porter or Lancaster stemmer.

Examples
--------
>>> from textpipe.stages.stem import Stem
>>> Stem().fit_transform([["running", "runs", "easily"]])
[['run', 'run', 'easili']]
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import types
from typing import Any, ClassVar

from ..errors import ConfigError, Errors, did_you_mean
from ..registry import TOKENS
from ..sklearn_compat import StrOptions
from .base import N_JOBS_CONSTRAINT, TextStage, TypeMemo

__all__ = ["Stem"]

# Stemming is a pure function of (algorithm, language, token), so one memo per
# stemmer is shared by every Stem stage of the process: refits (cross-validation
# folds, grid search) and later transforms never stem a word twice. A memo is
# started afresh once it holds this many types, to bound memory.
_SHARED_MEMOS: dict[tuple[str, str], TypeMemo] = {}
_MAX_TYPES = 2_000_000


_LEAN_LOCK = threading.Lock()
#: The NLTK modules loaded by :func:`_lean_nltk_import`, by their NLTK name.
_LEAN_MODULES: dict[str, types.ModuleType] = {}


def _bare_package(name: str, path: str) -> types.ModuleType:
    """A package module that finds its submodules in ``path`` without running ``__init__``."""
    module = types.ModuleType(name)
    module.__path__ = [path]
    module.__package__ = name
    return module


def _lean_nltk_import(name: str) -> Any:
    """Load ``nltk.stem.<name>`` without importing the ``nltk`` package's ``__init__``.

    ``import nltk.stem.snowball`` first runs ``nltk/__init__.py``, which
    imports most of NLTK (and through it scipy.stats): about 0.3 s, ten times
    what the stemmer itself needs. Here the module and what it imports (the
    stemmer API, Porter, small helpers) are loaded from NLTK's own files as
    private copies: the ``nltk`` entries this adds to ``sys.modules`` are
    removed again, so a later ``import nltk`` anywhere loads NLTK as usual.
    ``nltk.corpus`` is replaced by a placeholder: it serves only the
    ``ignore_stopwords`` option, which textpipe does not use. Once NLTK is
    imported, or if this fails in any way (another NLTK version), the module
    is imported the ordinary way. For the few milliseconds of the load, the
    ``nltk`` package in ``sys.modules`` is a bare placeholder: a thread that
    imports NLTK at that very moment would see it, a risk only for programs
    that import NLTK from several threads at once while a ``Stem`` is fitted.
    """
    full = f"nltk.stem.{name}"
    with _LEAN_LOCK:
        if full in _LEAN_MODULES:
            return _LEAN_MODULES[full]
        if "nltk" not in sys.modules:
            before = set(sys.modules)
            try:
                root = os.path.dirname(importlib.util.find_spec("nltk").origin)
                sys.modules["nltk"] = _bare_package("nltk", root)
                sys.modules["nltk.stem"] = _bare_package("nltk.stem", os.path.join(root, "stem"))
                sys.modules["nltk.corpus"] = types.ModuleType("nltk.corpus")
                sys.modules["nltk.corpus"].stopwords = None
                module = _LEAN_MODULES[full] = importlib.import_module(full)
                return module
            except Exception:  # noqa: BLE001 - any surprise: import NLTK the ordinary way
                pass
            finally:
                for key in set(sys.modules) - before:
                    if key == "nltk" or key.startswith("nltk."):
                        del sys.modules[key]
    return importlib.import_module(full)


def snowball_languages() -> tuple[str, ...]:
    """The languages of NLTK's ``SnowballStemmer``.

    Examples
    --------
    >>> "english" in snowball_languages() and "russian" in snowball_languages()
    True
    """
    return tuple(_lean_nltk_import("snowball").SnowballStemmer.languages)


#: ISO 639-1 code → the name NLTK's SnowballStemmer knows the language by.
SNOWBALL_LANGUAGES: dict[str, str] = {
    "ar": "arabic", "da": "danish", "de": "german", "en": "english", "es": "spanish",
    "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
}
#: The full names the stage took before ISO codes; still accepted.
_FULL_NAMES = {name: name for name in SNOWBALL_LANGUAGES.values()}


class Stem(TextStage):
    """Replace each token by its stem (NLTK stemmers, no downloaded data needed).

    Each distinct token is stemmed once and the stem remembered (in a memo
    shared by all ``Stem`` stages with the same stemmer in the process), so
    the cost per token is one dict lookup. Every stemmer lower-cases its output.

    Parameters
    ----------
    algorithm : {"snowball", "porter", "lancaster"}, default="snowball"
        ``"snowball"`` is Porter's improved English stemmer ("Porter2") and
        its versions for other languages; ``"porter"`` the original Porter
        stemmer (NLTK's extended version); ``"lancaster"`` the Lancaster
        (Paice/Husk) stemmer, the most aggressive.
    language : str, default="en"
        ISO 639-1 code of the language: for the Snowball stemmer one of ar, da,
        de, en, es, fi, fr, hu, it, nl, no, pt, ro, ru, sv (the full English
        names NLTK uses, such as "german", are accepted too). The Porter and
        Lancaster stemmers are English only: with them, language must be "en".
    n_jobs : int or None, default=None
        Processes that transform the documents, in chunks; None means 1 and -1
        all cores. The output is the same and in the same order; inputs of fewer
        than 5,000 documents are always transformed in-process.

    Attributes
    ----------
    fitted_ : bool
        True once fitted; the stage learns nothing from the data.

    Examples
    --------
    >>> from textpipe.stages.stem import Stem
    >>> docs = [["Generously", "generous", "cats"]]
    >>> Stem(algorithm="porter").fit_transform(docs)
    [['gener', 'gener', 'cat']]
    >>> Stem(algorithm="lancaster").fit_transform(docs)
    [['gen', 'gen', 'cat']]
    >>> Stem(language="de").fit_transform([["Katzen", "häuser"]])
    [['katz', 'haus']]
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = TOKENS
    #: A document's output depends on the parameters only: computed once for all folds.
    learns_from_training_data: ClassVar[bool] = False
    #: Stems come from the memo: one object per distinct stem.
    _shares_tokens: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict] = {
        "algorithm": [StrOptions({"snowball", "porter", "lancaster"})],
        "language": [str],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, *, algorithm="snowball", language="en", n_jobs=None):
        self.n_jobs = n_jobs
        self.algorithm = algorithm
        self.language = language

    def _stemmer(self):
        if self.algorithm == "porter":
            return _lean_nltk_import("porter").PorterStemmer()
        if self.algorithm == "lancaster":
            return _lean_nltk_import("lancaster").LancasterStemmer()

        problems = self._parameter_rules()
        if problems:
            raise problems[0]
        return _lean_nltk_import("snowball").SnowballStemmer(self._snowball_name())

    def _snowball_name(self) -> str | None:
        """NLTK's name of ``language`` (an ISO code or a full name), or None if unknown."""
        return SNOWBALL_LANGUAGES.get(self.language) or _FULL_NAMES.get(self.language)

    def _parameter_rules(self) -> list:
        """The language must be one the chosen stemmer serves."""
        if self.algorithm != "snowball":
            if self.language in ("en", "english"):
                return []
            return [ConfigError(Errors.E765.format(algorithm=self.algorithm,
                                                   language=self.language),
                                step=f"'{self.stage_name}'", param="language")]
        if self._snowball_name() is not None:
            return []
        codes = sorted(SNOWBALL_LANGUAGES)
        return [ConfigError(Errors.E308.format(language=self.language,
                                               hint=did_you_mean(self.language,
                                                                 [*codes, *_FULL_NAMES]),
                                               allowed=", ".join(codes)),
                            step=f"'{self.stage_name}'", param="language")]

    def _memo(self) -> TypeMemo:
        key = (self.algorithm, self._snowball_name() if self.algorithm == "snowball" else "")
        memo = _SHARED_MEMOS.get(key)
        if memo is None or len(memo) > _MAX_TYPES:
            memo = _SHARED_MEMOS[key] = TypeMemo(self._stemmer().stem)
        return memo

    # -- TextStage hooks -----------------------------------------------------
    def _fit(self, docs, y=None) -> None:
        self._stem = self._memo()

    def _transform(self, docs: list[list[str]]) -> list[list[str]]:
        stem = self.__dict__.get("_stem")
        if stem is None:  # unpickled: the memo is not saved with the model
            stem = self._stem = self._memo()
        return stem.map_docs(docs)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_stem", None)
        return state
