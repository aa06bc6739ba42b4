"""ELMo: contextual word representations from a pretrained biLM, as a pipeline stage.

The stage loads a biLM written by ``textpipe pretrain`` and turns each token
list into vectors: for every token the ELMo combination ``γ · Σ_j s_j · h_j``
of the biLM's layers (the character-CNN token layer and each LSTM layer,
forward and backward side by side), then pooled into one vector per document
(``mean``, ``max``, ``meanmax``), or kept per token (``pooling="none"``).

The layer weights ``s_j`` are fixed (``weights``, default: equal), or learned
with the task's labels (``learn_weights=True``): during ``fit`` a linear
softmax classifier on the pooled vectors is trained jointly with ``s`` and
``γ`` (on up to 2,000 training documents), and only the mix is kept. The biLM
itself is never changed here; to fine-tune it, use the ``bilstm`` classifier
with ``embeddings: elmo, finetune: true``.

Inference sorts documents by length into batches and runs without autograd;
``quantize=True`` runs the LSTMs and linear layers with int8 dynamic
quantization on CPU (see :meth:`Elmo.quantization_report` for its speed and
agreement with float32).

The fitted stage holds the biLM's weights, so a saved pipeline does not need
the biLM folder any more (the weights go to ``weights.safetensors``).

Examples
--------
>>> import tempfile
>>> from textpipe.neural.pretrain import PretrainConfig, pretrain
>>> folder = tempfile.mkdtemp()
>>> _ = pretrain(PretrainConfig.model_validate({
...     "output_dir": folder, "corpus": {"texts": ["a fine film", "a dull film"] * 5,
...                                      "min_count": 1},
...     "model": {"char_dim": 4, "filters": [[1, 4], [2, 4]], "projection_dim": 4,
...               "lstm_size": 4}, "training": {"epochs": 1, "threads": 1}}))
>>> stage = Elmo(bilm=folder, pooling="meanmax")
>>> stage.fit_transform([["a", "fine", "film"], ["dull"]]).shape  # 2 × (2 × 4) per pooling
(2, 16)
>>> [v.shape for v in Elmo(bilm=folder, pooling="none").fit_transform([["a", "film"], []])]
[(2, 8), (0, 8)]
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..errors import Errors, InputError
from ..neural.folder import bilm_parameter_problems
from ..neural.threads import torch_threads
from ..registry import FEATURES, TOKEN_VECTORS, TOKENS
from ..sklearn_compat import Interval, StrOptions
from .base import TextStage
from .embed import EmptyDocumentWarning

# textpipe.neural's networks (classifier, elmo, io) import torch at module level, so they
# are imported inside the methods that need them: the stage can be listed, built and
# validated without torch.

__all__ = ["Elmo"]

_PROBE_DOCS = 2000
_PROBE_EPOCHS = 30


class Elmo(TextStage):
    """ELMo vectors from a biLM pretrained with ``textpipe pretrain``, pooled per document.

    Parameters
    ----------
    bilm : str
        The biLM folder written by ``textpipe pretrain``. In a YAML file, relative
        to the file's folder.
    pooling : {"mean", "max", "meanmax", "none"}, default="mean"
        How token vectors become a document vector; "none" returns one
        (n_tokens, dim) array per document instead of a matrix.
    weights : list of float or None, default=None
        Layer weights ``s_j`` (token layer first, then each LSTM layer),
        normalised to sum to 1; None weighs the layers equally. With
        ``learn_weights`` they are the starting point.
    gamma : float, default=1.0
        Scale ``γ`` of the mixed vectors.
    normalize : bool, default=True
        Standardise each layer (per dimension, with the mean and standard deviation
        over the training documents' tokens) before mixing, so that the character
        CNN's unbounded token layer does not drown the LSTM layers.
    learn_weights : bool, default=False
        Learn ``s`` and ``γ`` from the labels at ``fit`` with a linear probe (``fit(X, y)``
        then needs ``y``; otherwise ``y`` is ignored).
    batch_size : int, default=64
        Documents per inference batch.
    quantize : bool, default=False
        Run the biLM with int8 dynamic quantization (CPU): faster, slightly different.
    n_threads : int or None, default=None
        torch threads while fitting and transforming (None: torch's setting).
    random_state : int or None, default=None
        Seed of the probe that learns the weights.

    Attributes
    ----------
    bilm_ : torch.nn.Module
        The loaded biLM (eval mode, never trained here).
    vocab_ : textpipe.neural.vocab.Vocabulary
        Its vocabulary.
    mix_ : textpipe.neural.elmo.ScalarMix
        The layer weights and scale in use.
    layer_weights_ : ndarray of shape (n_layers,)
        ``s_j`` as numbers.
    n_features_out_ : int
        Width of the output (per token for pooling="none").

    Examples
    --------
    See the module docstring: a biLM must be pretrained first.
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = FEATURES
    _path_params: ClassVar[tuple[str, ...]] = ("bilm",)

    _parameter_constraints: ClassVar[dict] = {
        "bilm": [str, Path],
        "pooling": [StrOptions({"mean", "max", "meanmax", "none"})],
        "weights": [list, tuple, None],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "normalize": ["boolean"],
        "learn_weights": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "quantize": ["boolean"],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, bilm=None, pooling="mean", weights=None, gamma=1.0, normalize=True,
                 learn_weights=False, batch_size=64, quantize=False, n_threads=None,
                 random_state=None):
        self.bilm = bilm
        self.pooling = pooling
        self.weights = weights
        self.gamma = gamma
        self.normalize = normalize
        self.learn_weights = learn_weights
        self.batch_size = batch_size
        self.quantize = quantize
        self.n_threads = n_threads
        self.random_state = random_state

    def _parameter_rules(self) -> list:
        return bilm_parameter_problems(self.bilm)

    def _output_kind(self) -> str:
        """What the stage gives: features, or one vector per token with pooling "none"."""
        return TOKEN_VECTORS if self.pooling == "none" else FEATURES

    # -- fitting ----------------------------------------------------------------------

    def _fit(self, docs, y=None):
        from ..neural.elmo import ScalarMix, layer_statistics
        from ..neural.io import load_bilm

        if not docs:
            raise InputError(Errors.E105.format(stage=self.stage_name))
        if not any(docs):
            raise InputError(Errors.E106.format(stage=self.stage_name,
                                                detail=f" ({len(docs)} documents, no tokens)"))
        if self.learn_weights and y is None:
            raise InputError(Errors.E606.format(stage=self.stage_name))
        if y is not None and len(y) != len(docs):
            raise InputError(Errors.E108.format(n_x=len(docs), n_y=len(y)))
        model, vocab, info = load_bilm(self.bilm)
        n_layers = model.n_layers
        weights = self.weights
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            if w.shape != (n_layers,) or (w < 0).any() or w.sum() <= 0:
                raise InputError(Errors.E605.format(stage=self.stage_name, n=n_layers,
                                                    lstm=n_layers - 1, got=weights))
        for p in model.parameters():
            p.requires_grad_(False)
        self.bilm_ = model
        self.vocab_ = vocab
        self.bilm_source_ = {"path": str(Path(self.bilm).resolve()),
                             "name": info.get("name"), "model": info.get("model")}
        dim = model.config.output_dim
        self.n_features_out_ = dim * (2 if self.pooling == "meanmax" else 1)
        with torch_threads(self.n_threads):
            self.layer_stats_ = (layer_statistics(model, vocab, docs, self.batch_size)
                                 if self.normalize else (None, None))
            self.mix_ = ScalarMix(n_layers, weights, self.gamma, False, *self.layer_stats_)
            if self.learn_weights:
                self._learn_mix(docs, np.asarray(y))
        self.layer_weights_ = self.mix_.weights.detach().numpy().copy()

    def _learn_mix(self, docs, y):
        """Train ``s``, ``γ`` and a linear softmax probe on pooled mixed vectors (shared loop)."""
        import torch

        from ..neural.elmo import ScalarMix, layer_batches, pool_tokens
        from ..neural.training import StepOutput, Trainer, seeded

        classes, target = np.unique(y, return_inverse=True)
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        chosen = np.sort(rng.permutation(len(docs))[:_PROBE_DOCS])
        sub = [docs[i] for i in chosen]
        stored = []  # (layers as float16, lengths, targets) per batch
        for index, layers, lengths in layer_batches(self.bilm_, self.vocab_, sub,
                                                    self.batch_size):
            stored.append((layers.to(torch.float16), lengths,
                           torch.as_tensor(target[chosen[index]], dtype=torch.long)))
        seed = 0 if self.random_state is None else int(self.random_state)
        with seeded(seed):
            mix = ScalarMix(self.bilm_.n_layers, self.weights, self.gamma, True,
                            *self.layer_stats_)
            head = torch.nn.Linear(self.n_features_out_, max(len(classes), 2))
            pooling = self.pooling if self.pooling != "none" else "mean"

            def step_loss(batch):
                layers, lengths, t = batch
                x = pool_tokens(mix(layers.float(), dim=1), lengths, pooling)
                return StepOutput(torch.nn.functional.cross_entropy(head(x), t),
                                  examples=len(t), tokens=int(lengths.sum()))

            probe = torch.nn.ModuleList([mix, head])
            Trainer(probe, torch.optim.Adam(probe.parameters(), lr=0.01), step_loss,
                    lambda seed, epoch: stored, max_epochs=_PROBE_EPOCHS, seed=seed).fit()
        fixed = ScalarMix(self.bilm_.n_layers, mix.weights.detach().tolist(),
                          float(mix.gamma.detach()), False, *self.layer_stats_)
        self.mix_ = fixed

    # -- transforming -------------------------------------------------------------------

    def _model(self):
        if not self.quantize:
            return self.bilm_
        quantized = self.__dict__.get("_quantized")
        if quantized is None:
            quantized = self.__dict__["_quantized"] = quantize_bilm(self.bilm_)
        return quantized

    def _transform(self, docs):
        import torch

        from ..neural.elmo import layer_batches, pool_tokens

        dim = self.bilm_.config.output_dim
        per_token = self.pooling == "none"
        out: list = [None] * len(docs) if per_token else None
        X = None if per_token else np.zeros((len(docs), self.n_features_out_), np.float32)
        with torch_threads(self.n_threads), torch.inference_mode():
            for index, layers, lengths in layer_batches(self._model(), self.vocab_, docs,
                                                        self.batch_size):
                mixed = self.mix_(layers, dim=1)
                if per_token:
                    for row, i in enumerate(index):
                        out[i] = mixed[row, :int(lengths[row])].numpy().astype(np.float32)
                else:
                    X[index] = pool_tokens(mixed, lengths, self.pooling).numpy()
        if per_token:
            return [o if o is not None else np.zeros((0, dim), np.float32) for o in out]
        n_empty = sum(1 for d in docs if not d)
        if n_empty:
            warnings.warn(f"{self.stage_name}: {n_empty} of {len(docs)} documents are empty; "
                          f"their document vectors are zeros.", EmptyDocumentWarning,
                          stacklevel=3)
        return X

    def get_feature_names_out(self, input_features=None):
        """Names ``"elmo_0"``, ``"elmo_1"``, ... of the output columns."""
        check_is_fitted(self)
        return np.asarray([f"{self.stage_name}_{i}" for i in range(self.n_features_out_)],
                          dtype=object)

    def quantization_report(self, X) -> dict:
        """Embed ``X`` in float32 and int8; return tokens/s of each and their agreement.

        Agreement is the mean cosine similarity between the float32 and int8
        vectors of the documents (pooled as the stage pools; per token for "none").
        """
        check_is_fitted(self)
        docs = self._check_input(X)
        n_tokens = sum(len(d) for d in docs)
        results = {}
        for flag in (False, True):
            stage = _copy_with(self, quantize=flag)
            stage._model()  # build the quantized model outside the timing
            start = time.perf_counter()
            out = stage._transform(docs)
            seconds = time.perf_counter() - start
            results[flag] = (np.vstack(out) if isinstance(out, list) else out, seconds)
        a, b = results[False][0], results[True][0]
        cos = (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1),
                                          1e-12)
        nonzero = np.linalg.norm(a, axis=1) > 0
        return {"tokens": n_tokens,
                "fp32_tokens_per_second": n_tokens / results[False][1],
                "int8_tokens_per_second": n_tokens / results[True][1],
                "speedup": results[False][1] / results[True][1],
                "mean_cosine": float(cos[nonzero].mean()) if nonzero.any() else 1.0,
                "min_cosine": float(cos[nonzero].min()) if nonzero.any() else 1.0}

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_quantized", None)  # rebuilt on first use; packed int8 weights don't pickle
        return state


def _copy_with(stage: Elmo, **params) -> Elmo:
    new = Elmo(**{**stage.get_params(), **params})
    for key, value in stage.__dict__.items():
        if key.endswith("_") and not key.startswith("_"):
            setattr(new, key, value)
    return new


def quantize_bilm(model):
    """An int8 dynamically quantized copy of a biLM (LSTMs without projection, linear layers)."""
    import torch

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as exc:  # removed from a future PyTorch
        raise InputError(Errors.E609.format(version=torch.__version__, reason=exc)) from None
    modules = {torch.nn.Linear}
    if model.config.lstm_size == model.config.projection_dim:  # int8 LSTMs lack proj_size
        modules.add(torch.nn.LSTM)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
        return quantize_dynamic(model, modules, dtype=torch.qint8)
