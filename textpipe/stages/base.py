"""What every textpipe stage shares: input checks, the fit/transform skeleton, type memos.

The data between stages follows one contract:

- ``text``: a sequence of ``str``, one per document;
- ``tokens``: a list of ``list[str]``, one list per document;
- ``features``: a sparse or dense matrix, one row per document.

:class:`TextStage` turns that contract into checks with clear messages, so a
``None`` in the data is reported as "document 3 is None" by the stage that met
it, not as an ``AttributeError`` deep inside.

Token-level operations (stopwords, stemming, lemmatization) run per vocabulary
*type*, not per token: :class:`TypeMemo` computes a function once per distinct
string and serves every later occurrence from a dict.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import sys
import threading
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from numbers import Integral
from typing import Any, Callable, ClassVar

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..errors import Errors, InputError
from ..parameters import check_parameters
from ..registry import FEATURES, TEXT, TOKENS, name_of
from ..sklearn_compat import output_container_adapter
from ..worker_warnings import carry_sklearn_config

_MISSING_FIX = "Fill or drop missing texts before the pipeline, e.g. df['text'].fillna('')."


def _describe(item: Any) -> tuple[str, str]:
    """Return (description, what to do) for a value that is not a document."""
    if item is None:
        return "None (a missing value)", _MISSING_FIX
    if isinstance(item, float) and math.isnan(item):
        return "NaN (a missing value, as pandas writes it)", _MISSING_FIX
    if isinstance(item, (bytes, bytearray)):
        return "bytes", "Decode documents to str first, e.g. raw.decode('utf-8')."
    text = repr(item)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"a {type(item).__name__} ({text})", "Convert documents to str first."


def _as_document_list(X: Any, stage: str) -> list:
    """Check that X is a collection of documents (not one document) and list it."""
    if isinstance(X, (str, bytes)):
        kind = "str" if isinstance(X, str) else "bytes"
        raise InputError(Errors.E101.format(stage=stage, kind=kind, example="text"))
    if hasattr(X, "columns"):  # a DataFrame iterates over its column names
        raise InputError(
            Errors.E104.format(
                stage=stage, kind="a DataFrame; pass one column, e.g. df['text']"
            )
        )
    if isinstance(X, Mapping) or not isinstance(X, Iterable):
        raise InputError(Errors.E104.format(stage=stage, kind=type(X).__name__))
    return X if isinstance(X, list) else list(X)


def check_texts(X: Any, stage: str) -> list[str]:
    """Return X as a list of str, or raise :class:`InputError` naming the bad document.

    Examples
    --------
    >>> check_texts(("a b", "c"), "normalize")
    ['a b', 'c']
    >>> check_texts(["ok", None], "normalize")
    Traceback (most recent call last):
    ...
    textpipe.errors.InputError: stage 'normalize' expects every document to be a str, but document 1 is None (a missing value). Fill or drop missing texts before the pipeline, e.g. df['text'].fillna(''). [E102]
    """
    docs = _as_document_list(X, stage)
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            desc, fix = _describe(doc)
            raise InputError(Errors.E102.format(stage=stage, index=i, desc=desc, fix=fix))
    return docs


def check_token_lists(X: Any, stage: str) -> list[list[str]]:
    """Return X as a list of token lists, or raise :class:`InputError`.

    Only the documents are checked, not every token: token lists normally come
    from a ``tokenize`` step, and a per-token check would cost as much as the
    stage itself.

    Examples
    --------
    >>> check_token_lists([["a", "b"], ()], "stem")
    [['a', 'b'], ()]
    >>> check_token_lists(["raw text"], "stem")
    Traceback (most recent call last):
    ...
    textpipe.errors.InputError: stage 'stem' expects token lists (one list of str per document), but document 0 is a str ('raw text'). Put a 'tokenize' step before 'stem'. [E103]
    """
    docs = _as_document_list(X, stage)
    for i, doc in enumerate(docs):
        if not isinstance(doc, (list, tuple)):
            if isinstance(doc, str):
                desc = f"a str ({doc[:30]!r})"
                fix = f"Put a 'tokenize' step before '{stage}'."
            else:
                desc, fix = _describe(doc)
                fix = "Each document must be a list of str tokens."
            raise InputError(Errors.E103.format(stage=stage, index=i, desc=desc, fix=fix))
    return docs


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many small lists.

    A stage turning a corpus into token lists allocates millions of objects,
    which triggers collection passes that scan everything alive and find no
    garbage: token lists of strings cannot form reference cycles. Reference
    counting still frees memory as usual. The previous state is restored.

    The collector would still scan the new lists once it is enabled again
    (several times: once per generation they pass through), about 0.04 s per
    stage on a corpus of a million tokens. So the young generations are
    collected first, while they are small, and at the end what the stage built
    is moved to the oldest generation directly (``gc.freeze`` then
    ``gc.unfreeze``), which costs nothing; it is scanned only by the next full
    collection. A process that keeps frozen objects of its own (its
    ``gc.get_freeze_count()`` is not 0) is left as it is.
    """
    enabled = gc.isenabled()
    promote = enabled and gc.get_freeze_count() == 0
    if promote:
        gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        if promote:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


#: Below this many documents a stage with ``n_jobs`` runs in-process: starting
#: workers and sending them the documents costs more than it saves.
MIN_PARALLEL_DOCS = 5000

#: The ``n_jobs`` parameter of stages that can split their documents across processes.
N_JOBS_CONSTRAINT: list = [Integral, None]


def _transform_chunk(stage: "TextStage", docs: list) -> Any:
    return stage._transform(docs)


#: What forked workers transform: (stage, chunks), set just before the fork.
_FORKED_WORK: tuple | None = None


def _forked_chunk(index: int) -> Any:
    """Transform one chunk in a forked worker; token lists come back with shared strings.

    Pickle writes an object it has already written as a back-reference, so
    once equal tokens are one object (a corpus has far fewer types than
    tokens), the result is sent about half the size and read back several
    times faster by the waiting parent.
    """
    stage, chunks = _FORKED_WORK
    out = stage._transform(chunks[index])
    if stage.produces == TOKENS and not stage._shares_tokens:
        shared = {}.setdefault
        out = [[shared(t, t) for t in doc] for doc in out]
    return out


def fork_is_safe() -> bool:
    """Whether workers can be forked from this process rather than started afresh.

    A forked worker starts at once with every module and the documents
    already in memory, where a fresh interpreter (loky) re-imports
    scikit-learn and textpipe and is sent the documents. Forking is safe
    only where the platform offers it (Linux), while this process runs one
    thread (a lock held by another thread would stay locked in the child)
    and has not imported torch, whose thread pools do not survive a fork.
    """
    return (sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1
            and "torch" not in sys.modules)


#: The share of this process's chunk against a forked worker's: a worker also
#: has to send its output back, which this process then reads.
PARENT_SHARE = 1.5


def _fork_chunks(docs: list, workers: int) -> list[list]:
    """Contiguous chunks, the first (this process's) ``PARENT_SHARE`` times the others.

    Examples
    --------
    >>> [len(c) for c in _fork_chunks(list(range(100)), 2)]
    [60, 40]
    >>> [len(c) for c in _fork_chunks(list(range(100)), 3)]
    [43, 29, 28]
    """
    share = PARENT_SHARE / (PARENT_SHARE + workers - 1)
    first = max(1, min(len(docs) - workers + 1, round(len(docs) * share)))
    rest = docs[first:]
    size = math.ceil(len(rest) / (workers - 1))
    return [docs[:first]] + [rest[i:i + size] for i in range(0, len(rest), size)]


def _transform_forked(stage: "TextStage", chunks: list[list]) -> list:
    """Each chunk but the first in a forked worker; the first here, meanwhile."""
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED_WORK
    _FORKED_WORK = (stage, chunks)
    try:
        context = multiprocessing.get_context("fork")
        # All workers are forked at the first submit, before the pool starts its thread.
        with ProcessPoolExecutor(len(chunks) - 1, mp_context=context) as pool:
            futures = [pool.submit(_forked_chunk, i) for i in range(1, len(chunks))]
            parts = [stage._transform(chunks[0])]
            parts.extend(future.result() for future in futures)
    finally:
        _FORKED_WORK = None
    return parts


def transform_in_chunks(stage: "TextStage", docs: list) -> Any:
    """``stage._transform(docs)``, split over ``stage.n_jobs`` processes when worth it.

    A stage opts in by having an ``n_jobs`` parameter and returning one list
    item per document. The documents are cut into one contiguous chunk per
    process and the chunks' outputs are joined in order. On Linux, when
    :func:`fork_is_safe`, the workers are forked from this process, which
    transforms the first chunk itself meanwhile; elsewhere the fitted stage is
    sent with each chunk to joblib's loky processes.

    Examples
    --------
    >>> from textpipe.stages.tokenize import Tokenize
    >>> transform_in_chunks(Tokenize(n_jobs=2).fit([]), ["a b", "c"])
    [['a', 'b'], ['c']]
    """
    n_jobs = getattr(stage, "n_jobs", None)
    if n_jobs is None or n_jobs == 1 or len(docs) < MIN_PARALLEL_DOCS:
        return stage._transform(docs)
    workers = min(effective_n_jobs(n_jobs), len(docs))
    if workers <= 1:
        return stage._transform(docs)
    if fork_is_safe():  # a forked worker keeps this thread's settings (set_output's container)
        parts = _transform_forked(stage, _fork_chunks(docs, workers))
    else:
        size = math.ceil(len(docs) / workers)
        chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
        in_worker = carry_sklearn_config(_transform_chunk)  # e.g. set_output's container
        parts = Parallel(n_jobs=workers, backend="loky")(
            delayed(in_worker)(stage, chunk) for chunk in chunks)
    out: list = []
    for part in parts:
        out.extend(part)
    return out


class TypeMemo(dict):
    """A dict that computes ``func(key)`` on a miss and remembers it.

    Used to run token-level functions once per vocabulary type. It pickles
    without its contents, so a saved model does not carry the cache.

    Examples
    --------
    >>> memo = TypeMemo(str.upper)
    >>> [[memo[t] for t in doc] for doc in [["a", "b"], ["a"]]]
    [['A', 'B'], ['A']]
    >>> len(memo)
    2
    """

    def __init__(self, func: Callable[[str], Any]):
        super().__init__()
        self.func = func

    def __missing__(self, key):
        value = self[key] = self.func(key)
        return value

    def __reduce__(self):
        return (type(self), (self.func,))

    def map_docs(self, docs: list[list[str]]) -> list[list[Any]]:
        """Replace every token by ``func(token)``."""
        # map() over the bound lookup runs the per-token loop in C: a quarter faster
        lookup = self.__getitem__
        return [list(map(lookup, doc)) for doc in docs]


class NamedStage:
    """Gives a stage the name it is used under, for its messages.

    A stage created from the registry (by a YAML file, or
    ``get_stage(name).create()``) is named as it was looked up, so the same class
    registered under two names speaks of each by its own name. A stage built
    directly from its class takes the first name its class is registered under.
    The name survives ``clone`` (and so grid search) and pickling.
    """

    @property
    def learns_from_training_data(self) -> bool:
        """Whether fitting learns from the documents (and labels) it is given.

        True by default. A stage whose output for a document depends only on its
        parameters and that document (a fixed normalisation, a frozen pretrained
        encoder) says False, and evaluations then compute it once over all
        documents instead of once per fold: the result is the same.
        """
        return True

    def resource_fingerprint(self) -> str:
        """A digest of what the output depends on beyond the parameters, e.g. a model's files.

        Empty by default; caches keyed by a step's parameters add it to their key.
        """
        return ""

    @property
    def stage_name(self) -> str:
        """The registry name of this stage, as used in messages."""
        return self.__dict__.get("_stage_name") or name_of(type(self))

    def __sklearn_clone__(self):
        copy = super().__sklearn_clone__()
        if "_stage_name" in self.__dict__:
            copy._stage_name = self._stage_name
        return copy


class TextStage(NamedStage, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Base class of textpipe transformers over ``text`` or ``tokens``.

    A stage is declared once, on its class:

    - ``consumes`` and ``produces``: the data kinds it takes and gives
      (``"text"``, ``"tokens"`` or ``"features"``);
    - ``_parameter_constraints``: what each ``__init__`` parameter allows, in
      scikit-learn's notation, checked by ``textpipe validate`` and at ``fit``;
    - its docstring: the first line and the numpydoc Parameters section are the
      stage's entry in ``textpipe stages`` and the stage reference.

    Its name is where it is registered (the built-in table, an entry point or
    :func:`textpipe.register_stage`). Subclasses implement ``_fit(docs, y)`` (set
    fitted attributes ending in ``_``) and ``_transform(docs)``; documents reach
    them checked against ``consumes``. Its scikit-learn tags say it takes strings,
    not numeric arrays, like scikit-learn's own text vectorizers.

    ``set_output(transform="pandas")`` (or scikit-learn's ``transform_output``
    setting) turns dense features into a DataFrame whose columns are
    ``get_feature_names_out()``; texts, token lists and sparse matrices are not
    tables and stay as they are, so such a stage fits in a pipeline set to pandas
    output the way scikit-learn's own text vectorizers do.

    Examples
    --------
    >>> from textpipe.stages import TextStage
    >>> class Shout(TextStage):
    ...     consumes = "text"
    ...     produces = "text"
    ...     def _transform(self, docs):
    ...         return [doc.upper() for doc in docs]
    >>> Shout().fit_transform(["hello", "world"])
    ['HELLO', 'WORLD']
    """

    consumes: ClassVar[str] = TEXT
    produces: ClassVar[str] = TEXT
    _parameter_constraints: ClassVar[dict] = {}
    #: Whether equal output tokens are already one object (e.g. served from a memo).
    _shares_tokens: ClassVar[bool] = False

    def __init_subclass__(cls, auto_wrap_output_keys=None, **kwargs):
        # The output container is chosen in transform (see _as_output), not by
        # scikit-learn wrapping the methods: token lists and sparse matrices stay.
        super().__init_subclass__(auto_wrap_output_keys=auto_wrap_output_keys, **kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _check_input(self, X) -> list:
        if self.consumes == TOKENS:
            return check_token_lists(X, self.stage_name)
        return check_texts(X, self.stage_name)

    def _fit(self, docs: list, y=None) -> None:
        """Learn from the checked documents; set attributes ending in ``_``."""

    def _transform(self, docs: list) -> Any:
        raise NotImplementedError

    def check_params(self) -> None:
        """Check the current parameters without fitting; raise ConfigError naming each bad one.

        ``textpipe validate`` calls it before anything runs, and ``fit`` calls it
        first, so a parameter rule is written once: in ``_parameter_constraints``
        (each parameter alone) or in ``_parameter_rules`` (between parameters).
        """
        check_parameters(self)

    def _parameter_rules(self) -> list:
        """Problems between allowed parameter values, as ConfigErrors naming the parameter."""
        return []

    def fit(self, X, y=None):
        """Validate parameters and learn what the stage needs from ``X``.

        Parameters
        ----------
        X : sequence
            Documents: ``str`` for text stages, lists of ``str`` for token stages.
        y : ignored
            Present for sklearn compatibility.

        Returns
        -------
        self
        """
        self.check_params()
        self._fit(self._check_input(X), y)
        self.fitted_ = True
        return self

    def transform(self, X):
        """Apply the stage to ``X``; see the class docstring for what it outputs."""
        check_is_fitted(self)
        docs = self._check_input(X)
        with gc_paused():
            return self._as_output(transform_in_chunks(self, docs), X)

    def fit_transform(self, X, y=None, **fit_params):
        """Fit on ``X`` and transform it, checking the input once."""
        self.check_params()
        docs = self._check_input(X)
        self._fit(docs, y)
        self.fitted_ = True
        with gc_paused():
            return self._as_output(transform_in_chunks(self, docs), X)

    def get_feature_names_out(self, input_features=None):
        """Names of the output: the input's one column name, or the data kind.

        A stage over texts or tokens passes one column through, so its name is
        the name of the column it was given (``input_features``, as a
        ColumnTransformer passes it) or, without one, what the stage produces
        (``"text"`` or ``"tokens"``). Stages that produce features name their
        columns instead; one that does not, but records its width in
        ``n_features_out_``, gets ``stage_0``, ``stage_1``, ...

        Examples
        --------
        >>> from textpipe.stages.tokenize import Tokenize
        >>> Tokenize().fit(["a b"]).get_feature_names_out().tolist()
        ['tokens']
        >>> Tokenize().fit(["a b"]).get_feature_names_out(["review"]).tolist()
        ['review']
        """
        check_is_fitted(self)
        width = getattr(self, "n_features_out_", None)
        if self.produces == FEATURES and isinstance(width, int):
            return np.asarray([f"{self.stage_name}_{i}" for i in range(width)], dtype=object)
        if input_features is None:
            return np.asarray([self.produces], dtype=object)
        if isinstance(input_features, str):
            input_features = [input_features]
        return np.asarray(list(input_features), dtype=object)

    def set_output(self, *, transform=None):
        """Choose the container of dense features: "default", "pandas" or "polars".

        Texts, token lists and sparse matrices stay as they are whatever is chosen.

        Returns
        -------
        self
        """
        if transform is not None:
            self._sklearn_output_config = {
                **getattr(self, "_sklearn_output_config", {}), "transform": transform,
            }
        return self

    def _as_output(self, out, X):
        """Dense features in the container that set_output chose; anything else as it is.

        A stage that produces features without naming each column (its
        ``get_feature_names_out`` is the one above) gets ``stage_0``, ``stage_1``, ...

        Examples
        --------
        >>> import numpy as np, sklearn
        >>> class Lengths(TextStage):
        ...     produces = "features"
        ...     def _transform(self, docs):
        ...         return np.array([[len(d), len(d.split())] for d in docs], dtype=float)
        >>> with sklearn.config_context(transform_output="pandas"):
        ...     list(Lengths().fit_transform(["a b", "c"]).columns)
        ['lengths_0', 'lengths_1']
        """
        if not isinstance(out, np.ndarray) or out.ndim != 2:
            return out
        adapter = output_container_adapter("transform", self)
        if adapter is None:
            return out
        names = self.get_feature_names_out()
        if len(names) != out.shape[1]:
            names = [f"{self.stage_name}_{i}" for i in range(out.shape[1])]
        return adapter.create_container(out, X, columns=names)
