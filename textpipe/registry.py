"""The stage registry: every stage a YAML file can name, found by name.

A YAML file never names Python to import. It names a *stage*, and this registry
says which class that is: textpipe's own stages are listed in ``_BUILTIN``
(name → ``"module:Class"``), installed packages add theirs through the
``textpipe.stages`` entry-point group, and Python code can call
:func:`register_stage`.

Everything else about a stage is declared once, on its class: the data it
consumes and produces (``text`` → ``tokens`` → ``features`` → ``labels``), the
constraints on its parameters (``_parameter_constraints``) and its docs. A
plain scikit-learn estimator needs no declaration: a classifier consumes
``features`` and produces ``labels``; a transformer produces ``features``.

Classes are imported only when a stage is used, and entry points are read only
when a name is not a built-in one, so ``import textpipe`` stays fast, stages that
need spaCy, gensim or torch cost nothing until then, and a broken plugin
affects only the pipelines that name it.

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

from .errors import ConfigError, Errors, did_you_mean, quoted_list

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

    What a stage consumes and produces, and the constraints on its parameters, are
    declared once, on its class (see :class:`textpipe.stages.TextStage`); a spec
    only knows where the class is and reads the rest from it when first asked.

    Parameters
    ----------
    name : str
        The name used in YAML files and as the step name in a ``Pipeline``.
    target : str
        ``"module:Class"`` of the estimator.
    defaults : mapping
        textpipe's defaults where they differ from the class's own, e.g.
        ``max_iter=1000`` for logistic regression.
    origin : str
        ``"textpipe"``, ``"user"`` (:func:`register_stage`) or the distribution
        that declared the entry point.
    kinds : tuple, optional
        ``(consumes, produces)`` given at registration, for classes that do not
        declare them.
    entry_point : importlib.metadata.EntryPoint, optional
        The entry point a plugin stage comes from.
    given_class : type, optional
        The class itself, when registered as a class rather than by its path.
    """

    name: str
    target: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "textpipe"
    kinds: tuple[tuple[str, ...], str] | None = None
    entry_point: Any = field(default=None, compare=False, repr=False)
    given_class: type | None = field(default=None, compare=False, repr=False)

    @cached_property
    def cls(self) -> type:
        """The estimator class, imported on first use."""
        if self.given_class is not None:
            return self.given_class
        if self.entry_point is not None:
            try:
                obj = self.entry_point.load()
            except Exception as exc:  # the plugin's own error, whatever it is, is the news
                raise ConfigError(Errors.E040.format(
                    stage=self.name, dist=self.origin, group=ENTRY_POINT_GROUP,
                    value=self.target, error=f"{type(exc).__name__}: {exc}",
                )) from exc
        else:
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
        if not (isinstance(obj, type) and hasattr(obj, "get_params") and hasattr(obj, "fit")):
            raise ConfigError(Errors.E043.format(stage=self.name, target=self.target,
                                                 origin=self.origin, got=repr(obj)[:60]))
        return obj

    def load(self) -> type:
        """Import and return the estimator class."""
        return self.cls

    def create(self, **params: Any):
        """Build an unfitted estimator with textpipe defaults under ``params``.

        The estimator remembers the name it was created under, so its messages
        name the step as the YAML file wrote it.
        """
        estimator = self.cls(**{**self.defaults, **params})
        if hasattr(estimator, "stage_name"):
            estimator._stage_name = self.name
        return estimator

    @cached_property
    def _data_kinds(self) -> tuple[tuple[str, ...], str]:
        if self.kinds is not None:
            return self.kinds
        cls = self.cls
        consumes, produces = getattr(cls, "consumes", None), getattr(cls, "produces", None)
        if consumes is None or produces is None:
            default_consumes, default_produces = _sklearn_kinds(self)
            consumes = consumes or default_consumes
            produces = produces or default_produces
        return _checked_kinds(self.name, consumes, produces)

    @property
    def consumes(self) -> tuple[str, ...]:
        """Data kinds the stage accepts as input."""
        return self._data_kinds[0]

    @property
    def produces(self) -> str:
        """Data kind the stage outputs (``"labels"`` for classifiers)."""
        return self._data_kinds[1]

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


def _checked_kinds(stage: str, consumes, produces) -> tuple[tuple[str, ...], str]:
    consumes = (consumes,) if isinstance(consumes, str) else tuple(consumes)
    for what, value in (("consumes", consumes), ("produces", (produces,))):
        for kind in value:
            if kind not in DATA_KINDS:
                raise ConfigError(Errors.E042.format(stage=stage, what=what, kind=kind,
                                                     kinds=quoted_list(DATA_KINDS)))
    return consumes, produces


def _sklearn_kinds(spec: StageSpec) -> tuple[tuple[str, ...], str]:
    """What a scikit-learn estimator that declares no kinds consumes and produces.

    A classifier takes ``features`` and gives ``labels``. A transformer gives
    ``features``, from ``text`` if its tags say it takes strings (as
    ``TfidfVectorizer`` does), from ``features`` otherwise.
    """
    from sklearn.base import ClassifierMixin
    from sklearn.utils import get_tags

    try:
        tags = get_tags(spec.cls(**spec.defaults))
    except Exception:  # a constructor that needs arguments: judge by the class alone
        tags = None
    if issubclass(spec.cls, ClassifierMixin) or (tags and tags.estimator_type == "classifier"):
        return (FEATURES,), LABELS
    if hasattr(spec.cls, "transform"):
        takes_text = tags and tags.input_tags.string and not tags.input_tags.two_d_array
        return ((TEXT,) if takes_text else (FEATURES,)), FEATURES
    raise ConfigError(Errors.E041.format(stage=spec.name, target=spec.target,
                                         kinds=quoted_list(DATA_KINDS)))


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


# Where each built-in stage's class is, and textpipe's defaults where they differ
# from the class's own. Everything else about a stage is declared on its class.
_BUILTIN: dict[str, str | tuple[str, dict[str, Any]]] = {
    "normalize": "textpipe.stages.normalize:Normalize",
    "tokenize": "textpipe.stages.tokenize:Tokenize",
    "stopwords": "textpipe.stages.stopwords:Stopwords",
    "stem": "textpipe.stages.stem:Stem",
    "lemmatize": "textpipe.stages.lemmatize:Lemmatize",
    "phrases": "textpipe.stages.phrases:Phrases",
    "count": "textpipe.stages.vectorize:CountVectors",
    "tfidf": "textpipe.stages.vectorize:TfidfVectors",
    "hashing": "textpipe.stages.vectorize:HashingVectors",
    "word2vec": "textpipe.stages.embed:Word2Vec",
    "fasttext": "textpipe.stages.embed:FastText",
    "glove": "textpipe.stages.embed:GloVe",
    "pretrained_vectors": "textpipe.stages.embed:PretrainedVectors",
    "elmo": "textpipe.stages.elmo:Elmo",
    "transformer": "textpipe.stages.transformer:TransformerFeatures",
    "logreg": ("sklearn.linear_model:LogisticRegression", {"max_iter": 1000}),
    "linear_svm": "sklearn.svm:LinearSVC",
    "multinomial_nb": "textpipe.stages.weighted:WeightedMultinomialNB",
    "complement_nb": "textpipe.stages.weighted:WeightedComplementNB",
    "nbsvm": "textpipe.stages.nbsvm:NBSVM",
    "sgd": "sklearn.linear_model:SGDClassifier",
    "random_forest": "sklearn.ensemble:RandomForestClassifier",
    "calibrate": "textpipe.stages.calibrate:Calibrate",
    "mlp": ("textpipe.stages.weighted:WeightedMLPClassifier", {"early_stopping": True}),
    "bilstm": "textpipe.stages.bilstm:BiLSTMClassifier",
    "cnn": "textpipe.stages.cnn:CNNClassifier",
    "transformer_classifier": "textpipe.stages.transformer_classifier:TransformerClassifier",
}


def _builtin_spec(name: str, where: str | tuple[str, dict[str, Any]]) -> StageSpec:
    target, defaults = (where, {}) if isinstance(where, str) else where
    return StageSpec(name, target, defaults)


_registry: dict[str, StageSpec] = {n: _builtin_spec(n, w) for n, w in _BUILTIN.items()}
_plugins: dict[str, StageSpec] | None = None  # entry points found, none imported yet


def _plugin_specs() -> dict[str, StageSpec]:
    """Stages declared in the ``textpipe.stages`` entry-point group, read once.

    Only the installed packages' metadata is read here; a plugin's module is
    imported when its stage is first used.
    """
    global _plugins
    if _plugins is None:
        _plugins = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in _BUILTIN or ep.name in _plugins:
                continue  # built-in names cannot be shadowed; the first plugin wins
            origin = ep.dist.name if ep.dist is not None else "an installed package"
            _plugins[ep.name] = StageSpec(ep.name, ep.value, origin=origin, entry_point=ep)
    return _plugins


def _forget_plugins() -> None:
    """Read the entry points again on next use (after installing a plugin at run time)."""
    global _plugins
    _plugins = None


def register_stage(name: str, cls: type | str, *, consumes=None, produces=None,
                   **defaults) -> StageSpec:
    """Register a stage under ``name`` so YAML files can use it.

    Parameters
    ----------
    name : str
        Stage name for YAML files.
    cls : type or str
        The estimator class, or ``"module:Class"`` (imported when first used).
    consumes : str or tuple of str, optional
        Data kinds the stage takes. Defaults to the class's ``consumes``
        attribute; for a scikit-learn estimator that has none, ``"features"``
        (or ``"text"`` for a transformer tagged as taking strings).
    produces : str, optional
        Data kind the stage gives. Defaults to the class's ``produces``
        attribute; for a scikit-learn estimator that has none, ``"labels"`` for
        a classifier and ``"features"`` for a transformer.
    **defaults
        Defaults that differ from the class's own.

    Returns
    -------
    StageSpec

    Examples
    --------
    >>> from sklearn.linear_model import RidgeClassifier
    >>> spec = register_stage("ridge", RidgeClassifier)
    >>> spec.consumes, spec.produces
    (('features',), 'labels')
    >>> get_stage("ridge").create().__class__.__name__
    'RidgeClassifier'
    >>> unregister_stage("ridge")
    """
    if isinstance(cls, str):
        target, given = cls, None
    else:
        target, given = f"{cls.__module__}:{cls.__qualname__}", cls
    kinds = None
    if consumes is not None or produces is not None:
        if consumes is None or produces is None:
            loaded = StageSpec(name, target, given_class=given).cls
            consumes = consumes or getattr(loaded, "consumes", None)
            produces = produces or getattr(loaded, "produces", None)
        kinds = _checked_kinds(name, consumes, produces)
    spec = StageSpec(name, target, defaults, origin="user", kinds=kinds, given_class=given)
    _registry[name] = spec
    return spec


def unregister_stage(name: str) -> None:
    """Remove a stage added by :func:`register_stage` (a built-in one it replaced comes back)."""
    if name in _BUILTIN:
        _registry[name] = _builtin_spec(name, _BUILTIN[name])
    else:
        _registry.pop(name, None)


def get_stage(name: str) -> StageSpec:
    """Return the spec of stage ``name``; a ``ConfigError`` with a suggestion if unknown.

    Built-in and registered stages are found without reading any package
    metadata; entry points are read only for other names. A stage that is not
    textpipe's own is imported here, when it is first named, so that a plugin
    that cannot be imported or declares something impossible is reported where
    a file names it.
    """
    try:
        spec = _registry[name]
    except (KeyError, TypeError):
        try:
            spec = _plugin_specs()[name]
        except (KeyError, TypeError):
            names = stage_names()
            raise ConfigError(
                Errors.E004.format(stage=name, hint=did_you_mean(name, names), n=len(names))
            ) from None
    if spec.origin != "textpipe":
        spec.consumes  # noqa: B018 (imports the class and reads its declaration)
    return spec


def stage_names() -> list[str]:
    """Names of all stages: built-in first, in pipeline order, then registered, then plugins."""
    return [s.name for s in all_stages()]


def all_stages() -> list[StageSpec]:
    """Specs of all stages (plugins are listed, not imported)."""
    plugins = [s for n, s in _plugin_specs().items() if n not in _registry]
    return [*_registry.values(), *plugins]


def name_of(cls: type) -> str:
    """The name a stage class is registered under, for messages about it.

    The first registered name whose class is ``cls``; the class name in lower
    case for a class that is not registered.

    Examples
    --------
    >>> from textpipe.stages import Tokenize
    >>> name_of(Tokenize)
    'tokenize'
    """
    target = f"{cls.__module__}:{cls.__qualname__}"
    for spec in [*_registry.values(), *(_plugins or {}).values()]:
        if spec.given_class is cls or spec.target == target:
            return spec.name
    return cls.__name__.lower()
