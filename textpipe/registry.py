"""The stage registry: every stage a YAML file can name, found by name.

A YAML file never names Python to import. It names a *stage*, and this registry
says which class that is. textpipe's own stages are listed in ``_BUILTIN``;
third-party packages add theirs through the ``textpipe.stages`` entry-point
group, and Python code can call :func:`register_stage`.

Each stage declares the data it consumes and produces, so that a pipeline can be
checked before it runs: ``text`` (one str per document) → ``tokens`` (one list
of str per document) → ``features`` (a sparse or dense matrix) → ``labels``
(a classifier, always the last step).

Classes are imported only when a stage is used, so ``import textpipe`` stays
fast and stages that need spaCy, gensim or torch cost nothing until then.

Examples
--------
>>> from textpipe.registry import get_stage
>>> spec = get_stage("stem")
>>> spec.consumes, spec.produces
(('tokens',), 'tokens')
>>> est = spec.create(algorithm="porter")
>>> est.get_params()["algorithm"]
'porter'
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import entry_points
from typing import Any, Mapping

from .errors import ConfigError, Errors, did_you_mean

TEXT = "text"
TOKENS = "tokens"
FEATURES = "features"
LABELS = "labels"
DATA_KINDS = (TEXT, TOKENS, FEATURES, LABELS)
#: What a stage gives instead of features when it keeps one vector per token.
TOKEN_VECTORS = "token vectors"

ENTRY_POINT_GROUP = "textpipe.stages"


@dataclass(frozen=True)
class ParamInfo:
    """One parameter of a stage: its name, default and one-line description."""

    name: str
    default: Any
    doc: str = ""


@dataclass(frozen=True)
class StageSpec:
    """How to find, describe and build one stage.

    Parameters
    ----------
    name : str
        The name used in YAML files and as the step name in a ``Pipeline``.
    target : str
        ``"module:Class"`` of the estimator.
    consumes : tuple of str
        Data kinds the stage accepts as input.
    produces : str
        Data kind the stage outputs (``"labels"`` for classifiers).
    defaults : mapping
        textpipe's defaults where they differ from the class's own, e.g.
        ``max_iter=1000`` for logistic regression.
    origin : str
        ``"textpipe"`` or the distribution that registered it.
    """

    name: str
    target: str
    consumes: tuple[str, ...]
    produces: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "textpipe"

    def load(self) -> type:
        """Import and return the estimator class."""
        module_name, _, attr = self.target.partition(":")
        try:
            obj = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                Errors.E013.format(reason=f"cannot import {self.target} ({exc})"),
                step=f"'{self.name}'",
            ) from exc
        return obj

    @property
    def cls(self) -> type:
        return self.load()

    def create(self, **params: Any):
        """Build an unfitted estimator with textpipe defaults under ``params``."""
        return self.load()(**{**self.defaults, **params})

    @property
    def is_classifier(self) -> bool:
        return self.produces == LABELS

    @cached_property
    def parameters(self) -> tuple[ParamInfo, ...]:
        """Every constructor parameter with its effective default and description."""
        cls = self.load()
        docs = _numpydoc_params(inspect.getdoc(cls) or "")
        out = []
        for pname, p in inspect.signature(cls.__init__).parameters.items():
            if pname == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            default = self.defaults.get(pname, p.default)
            if default is inspect.Parameter.empty:
                default = None
            out.append(ParamInfo(pname, default, docs.get(pname, "")))
        return tuple(out)

    @property
    def summary(self) -> str:
        """The first line of the class docstring."""
        doc = inspect.getdoc(self.load()) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""


_HEADER = re.compile(r"^(\w[\w, ]*?)\s*:\s*(.*)$")


def _numpydoc_params(doc: str) -> dict[str, str]:
    """Map parameter name → first sentence of its description in a numpydoc docstring."""
    lines = doc.splitlines()
    try:
        start = next(
            i for i, line in enumerate(lines[:-1])
            if line.strip() == "Parameters" and set(lines[i + 1].strip()) == {"-"}
        )
    except StopIteration:
        return {}
    out: dict[str, str] = {}
    names: list[str] = []
    body: list[str] = []

    def flush():
        text = " ".join(body).strip()
        first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0] if text else ""
        for n in names:
            out[n] = first

    for line in lines[start + 2:]:
        if line.strip() and set(line.strip()) == {"-"}:
            body = body[:-1]  # the previous line was the next section's title
            break
        if line and not line.startswith(" "):
            m = _HEADER.match(line)
            if m:
                flush()
                names = [n.strip() for n in m.group(1).split(",")]
                body = []
                continue
        if names:
            body.append(line.strip())
    flush()
    return out


def _spec(name, target, consumes, produces, **defaults) -> StageSpec:
    if isinstance(consumes, str):
        consumes = (consumes,)
    return StageSpec(name, target, tuple(consumes), produces, defaults)


_BUILTIN: tuple[StageSpec, ...] = (
    # text → text
    _spec("normalize", "textpipe.stages.normalize:Normalize", TEXT, TEXT),
    # text → tokens
    _spec("tokenize", "textpipe.stages.tokenize:Tokenize", TEXT, TOKENS),
    # tokens → tokens
    _spec("stopwords", "textpipe.stages.stopwords:Stopwords", TOKENS, TOKENS),
    _spec("stem", "textpipe.stages.stem:Stem", TOKENS, TOKENS),
    _spec("lemmatize", "textpipe.stages.lemmatize:Lemmatize", TOKENS, TOKENS),
    _spec("phrases", "textpipe.stages.phrases:Phrases", TOKENS, TOKENS),
    # tokens → features
    _spec("count", "textpipe.stages.vectorize:CountVectors", TOKENS, FEATURES),
    _spec("tfidf", "textpipe.stages.vectorize:TfidfVectors", TOKENS, FEATURES),
    _spec("hashing", "textpipe.stages.vectorize:HashingVectors", TOKENS, FEATURES),
    _spec("word2vec", "textpipe.stages.embed:Word2Vec", TOKENS, FEATURES),
    _spec("fasttext", "textpipe.stages.embed:FastText", TOKENS, FEATURES),
    _spec("glove", "textpipe.stages.embed:GloVe", TOKENS, FEATURES),
    _spec("pretrained_vectors", "textpipe.stages.embed:PretrainedVectors", TOKENS, FEATURES),
    _spec("elmo", "textpipe.stages.elmo:Elmo", TOKENS, FEATURES),
    # features → labels
    _spec("logreg", "sklearn.linear_model:LogisticRegression", FEATURES, LABELS, max_iter=1000),
    _spec("linear_svm", "sklearn.svm:LinearSVC", FEATURES, LABELS),
    _spec("multinomial_nb", "sklearn.naive_bayes:MultinomialNB", FEATURES, LABELS),
    _spec("complement_nb", "sklearn.naive_bayes:ComplementNB", FEATURES, LABELS),
    _spec("nbsvm", "textpipe.stages.nbsvm:NBSVM", FEATURES, LABELS),
    _spec("sgd", "sklearn.linear_model:SGDClassifier", FEATURES, LABELS),
    _spec("random_forest", "sklearn.ensemble:RandomForestClassifier", FEATURES, LABELS),
    _spec("mlp", "sklearn.neural_network:MLPClassifier", FEATURES, LABELS,
          early_stopping=True),
    # tokens → labels
    _spec("bilstm", "textpipe.stages.bilstm:BiLSTMClassifier", TOKENS, LABELS),
)

_registry: dict[str, StageSpec] = {s.name: s for s in _BUILTIN}
_plugins_loaded = False


def _load_plugins() -> None:
    """Add stages from the ``textpipe.stages`` entry-point group (once)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _registry:
            continue  # built-in names cannot be shadowed by a plugin
        try:
            cls = ep.load()
        except Exception:  # a broken plugin must not break textpipe
            continue
        origin = ep.dist.name if ep.dist is not None else "plugin"
        _registry[ep.name] = StageSpec(
            ep.name,
            ep.value,
            _as_tuple(getattr(cls, "consumes", TOKENS)),
            getattr(cls, "produces", TOKENS),
            origin=origin,
        )


def _as_tuple(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def register_stage(name: str, cls: type | str, *, consumes=None, produces=None, **defaults):
    """Register a stage under ``name`` so YAML files can use it.

    Parameters
    ----------
    name : str
        Stage name for YAML files.
    cls : type or str
        The estimator class, or ``"module:Class"``.
    consumes, produces : str, optional
        Data kinds; read from the class's ``consumes``/``produces`` attributes
        when not given.
    **defaults
        Defaults that differ from the class's own.

    Examples
    --------
    >>> from sklearn.linear_model import RidgeClassifier
    >>> spec = register_stage("ridge", RidgeClassifier, consumes="features", produces="labels")
    >>> get_stage("ridge").create().__class__.__name__
    'RidgeClassifier'
    >>> unregister_stage("ridge")
    """
    if isinstance(cls, str):
        target = cls
        loaded = None
    else:
        target = f"{cls.__module__}:{cls.__qualname__}"
        loaded = cls
    consumes = consumes or getattr(loaded, "consumes", TOKENS)
    produces = produces or getattr(loaded, "produces", TOKENS)
    spec = StageSpec(name, target, _as_tuple(consumes), produces, defaults, origin="user")
    _registry[name] = spec
    return spec


def unregister_stage(name: str) -> None:
    """Remove a stage added by :func:`register_stage`."""
    _registry.pop(name, None)


def get_stage(name: str) -> StageSpec:
    """Return the spec of stage ``name``; a ``ConfigError`` with a suggestion if unknown."""
    _load_plugins()
    try:
        return _registry[name]
    except (KeyError, TypeError):
        raise ConfigError(
            Errors.E004.format(stage=name, hint=did_you_mean(name, _registry), n=len(_registry))
        ) from None


def stage_names() -> list[str]:
    """Names of all registered stages, built-in first, in pipeline order."""
    _load_plugins()
    return list(_registry)


def all_stages() -> list[StageSpec]:
    """Specs of all registered stages."""
    _load_plugins()
    return list(_registry.values())
