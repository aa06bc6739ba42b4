"""A BiLSTM text classifier (PyTorch) as a scikit-learn estimator.

The classifier reads token lists and learns, end to end: token vectors →
dropout → a bidirectional LSTM → pooling over time (``last`` states, ``mean``,
``max`` or ``attention``) → dropout → a linear softmax layer. Training uses Adam,
gradient clipping, length-sorted mini-batches, and early stopping on an internal
validation split (the best epoch's weights are kept). It is seeded and, on CPU,
deterministic: the same data, parameters and ``random_state`` give the same
predictions.

Where the token vectors come from (``embeddings``):

- ``random``: its own embedding table over the training words seen at least
  ``min_count`` times, learned with the task;
- ``word2vec``, ``fasttext``, ``glove``: that textpipe stage is trained on the
  training documents (with ``embedding_params``) and its ``vectors_`` initialise
  the table (``freeze_embeddings`` keeps them fixed);
- ``elmo``: a biLM pretrained with ``textpipe pretrain`` (``bilm``). Frozen by
  default: its layers are computed once per document and a scalar mix
  ``γ · Σ s_j h_j`` is learned with the classifier, each layer first
  standardised with its mean and standard deviation over the training tokens. With ``finetune=True`` the
  biLM is trained too, ULMFiT-style (Howard & Ruder, 2018): discriminative
  learning rates (each layer group below the classifier gets the rate of the
  group above divided by ``lr_decay``) and, with ``gradual_unfreezing``, one more
  group unfrozen per epoch, from the top. With ``concat_words=True`` each
  token's ELMo vector is concatenated with a word vector learned with the task
  (as ``random`` makes them), the ``[x_k; ELMo_k]`` input of Peters et al. (2018):
  the mix brings context, the table word identity, which a small biLM's
  character encoder does not keep well.

From the outside it behaves like skorch's ``NeuralNetClassifier``: ``fit``,
``predict``, ``predict_proba``, ``classes_``, nested parameters in a
``Pipeline`` (``bilstm__hidden_size``), ``clone`` and ``GridSearchCV``; fitted,
it pickles, and ``textpipe.model.save_model`` writes its tensors to safetensors.

Examples
--------
>>> docs = [["a", "great", "film"], ["great", "fun"], ["dull", "film"], ["so", "dull"]] * 10
>>> labels = ["pos", "pos", "neg", "neg"] * 10
>>> clf = BiLSTMClassifier(embedding_dim=8, hidden_size=8, max_epochs=10, min_count=1,
...                        dropout=0.0, learning_rate=0.02, random_state=0)
>>> clf.fit(docs, labels).predict([["great", "fun"], ["so", "dull"]]).tolist()
['pos', 'neg']
>>> clf.predict_proba([["film"]]).shape
(1, 2)
"""

from __future__ import annotations

from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..errors import ConfigError, Errors
from ..neural.folder import bilm_parameter_problems
from ..neural.lookup import embedding, random_table, training_words, vocabulary_of, word_ids
from ..registry import LABELS, TOKENS, get_stage
from ..sklearn_compat import Interval, StrOptions
from .base import NamedStage
from .neural_classifier import TRAINING_CONSTRAINTS, NeuralClassifierMixin

# textpipe.neural's networks (classifier, elmo, io) import torch at module level, so they
# are imported inside the methods that need them: the stage can be listed, built and
# validated without torch.

__all__ = ["BiLSTMClassifier"]

STATIC = ("word2vec", "fasttext", "glove")


class BiLSTMClassifier(NeuralClassifierMixin, NamedStage, ClassifierMixin, BaseEstimator):
    """A bidirectional LSTM classifier over token lists (random, static or ELMo embeddings).

    Parameters
    ----------
    embeddings : {"random", "word2vec", "fasttext", "glove", "elmo"}, default="random"
        Token vectors: learned from scratch, initialised by that embedding stage trained on
        the training documents, or a pretrained biLM's ELMo layers (see the module notes).
    embedding_dim : int, default=128
        Size of the learned vectors with ``embeddings="random"`` (or ``concat_words``).
    min_count : int, default=2
        With ``random`` (or ``concat_words``): training words rarer than this share
        the unknown-word vector.
    embedding_params : dict or None, default=None
        Parameters of the ``word2vec``/``fasttext``/``glove`` stage trained on the
        training documents, e.g. ``{dim: 100, epochs: 10}``.
    freeze_embeddings : bool, default=False
        Keep word2vec/fasttext/glove vectors fixed instead of fine-tuning them.
    bilm : str or None, default=None
        With ``elmo``: the biLM folder written by ``textpipe pretrain`` (in YAML,
        relative to the file's folder).
    concat_words : bool, default=False
        With ``elmo``: concatenate each token's ELMo vector with a learned word
        vector of ``embedding_dim`` (words rarer than ``min_count`` share one).
    finetune : bool, default=False
        With ``elmo``: train the biLM too (discriminative rates, gradual unfreezing).
    lr_decay : float, default=2.6
        With ``finetune``: each layer group's learning rate is the one above it divided by this.
    gradual_unfreezing : bool, default=True
        With ``finetune``: start with the biLM frozen and unfreeze one group per epoch, top first.
    hidden_size : int, default=128
        LSTM units per direction.
    num_layers : int, default=1
        Stacked BiLSTM layers.
    pooling : {"last", "mean", "max", "attention"}, default="max"
        How the BiLSTM's outputs become one vector: final states of both
        directions, mean or max over time, or learned attention weights.
    dropout : float, default=0.5
        Dropout on the token vectors, between LSTM layers and before the output layer.
    learning_rate : float, default=0.001
        Adam's learning rate (of the classifier; lower groups get less with ``finetune``).
    weight_decay : float, default=0.0
        Adam's L2 penalty.
    batch_size : int, default=32
        Documents per mini-batch.
    max_epochs : int, default=10
        The most passes over the training documents: with ``early_stopping`` training
        stops sooner once the held-out loss stops improving (without it, exactly this
        many). Not ``epochs``, which word vectors use for a fixed number of passes.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training documents and keep the
        epoch with the lowest validation loss; stop after ``patience`` worse epochs.
    validation_fraction : float, default=0.1
        Share of the training documents held out for early stopping (stratified).
    patience : int, default=2
        Epochs without a better validation loss before stopping.
    clip_norm : float, default=5.0
        Gradient norm clipping.
    n_threads : int or None, default=None
        torch threads while fitting and predicting (None: torch's setting).
    random_state : int or None, default=None
        Seed of initialisation, shuffling, dropout and the validation split (None behaves as 0).
    verbose : int, default=0
        1 shows a progress bar on stderr and prints one line per epoch.
    class_weight : None, 'balanced' or dict, default=None
        Weight of each class in the cross-entropy: None (every class weighs 1),
        'balanced' (inversely to the class's frequency) or a mapping label → weight
        (labels left out weigh 1).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    module_ : torch.nn.Module
        The trained network.
    vocabulary_ : dict of str to int or None
        Row of each word in the embedding table (None with ``elmo``).
    history_ : list of dict
        Per epoch: epoch, step, train_loss, valid_loss and valid_accuracy (with early
        stopping), seconds (see ``docs/training.md``).
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    n_epochs_ : int
        Epochs run.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from textpipe.stages.tokenize import Tokenize
    >>> pipe = make_pipeline(Tokenize(), BiLSTMClassifier(embedding_dim=8, hidden_size=8,
    ...                      max_epochs=2, min_count=1, random_state=0))
    >>> pipe.set_params(bilstmclassifier__hidden_size=4).fit(["good", "bad"] * 5,
    ...                                                       ["p", "n"] * 5).classes_.tolist()
    ['n', 'p']
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = LABELS
    _path_params: ClassVar[tuple[str, ...]] = ("bilm",)

    _parameter_constraints: ClassVar[dict] = {
        "embeddings": [StrOptions({"random", *STATIC, "elmo"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "embedding_params": [dict, None],
        "freeze_embeddings": ["boolean"],
        "bilm": [str, Path, None],
        "concat_words": ["boolean"],
        "finetune": ["boolean"],
        "lr_decay": [Interval(Real, 1, None, closed="left")],
        "gradual_unfreezing": ["boolean"],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "pooling": [StrOptions({"last", "mean", "max", "attention"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, *, embeddings="random", embedding_dim=128, min_count=2,
                 embedding_params=None, freeze_embeddings=False, bilm=None, concat_words=False,
                 finetune=False,
                 lr_decay=2.6, gradual_unfreezing=True, hidden_size=128, num_layers=1,
                 pooling="max", dropout=0.5, learning_rate=1e-3, weight_decay=0.0,
                 batch_size=32, max_epochs=10, early_stopping=True, validation_fraction=0.1,
                 patience=2, clip_norm=5.0, n_threads=None, random_state=None, verbose=0,
                 class_weight=None):
        self.embeddings = embeddings
        self.embedding_dim = embedding_dim
        self.min_count = min_count
        self.embedding_params = embedding_params
        self.freeze_embeddings = freeze_embeddings
        self.bilm = bilm
        self.concat_words = concat_words
        self.finetune = finetune
        self.lr_decay = lr_decay
        self.gradual_unfreezing = gradual_unfreezing
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.pooling = pooling
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.clip_norm = clip_norm
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.class_weight = class_weight

    # -- checks --------------------------------------------------------------------------

    def _parameter_rules(self) -> list:
        """Problems between allowed parameter values, as ConfigErrors naming the parameter."""
        problems = []
        if self.embeddings == "elmo" and self.bilm is None:
            problems.append(ConfigError(Errors.E607.format(embeddings=self.embeddings),
                                        param="bilm"))
        for param in ("finetune", "concat_words"):
            if getattr(self, param) and self.embeddings != "elmo":
                problems.append(ConfigError(Errors.E608.format(
                    param=param, applies="'elmo'", embeddings=self.embeddings), param=param))
        if self.embedding_params and self.embeddings not in STATIC:
            problems.append(ConfigError(Errors.E608.format(
                param="embedding_params", applies="'word2vec', 'fasttext', 'glove'",
                embeddings=self.embeddings), param="embedding_params"))
        if self.embeddings == "elmo":
            problems += bilm_parameter_problems(self.bilm)
        return problems

    # -- fitting ---------------------------------------------------------------------------

    def _fit_network(self, docs, target, seed):
        import torch

        from ..neural.training import OnEpochStart, StepOutput

        self.vocabulary_ = None
        self.bilm_ = None
        self.vocab_ = None
        from ..neural.classifier import Net

        source, input_dim = self._make_source(docs, seed)
        items = self._network_inputs(docs)
        net = Net(source, input_dim, self.hidden_size, self.num_layers, self.pooling,
                   self.dropout, len(self.classes_))
        groups = self._param_groups(net)
        optimizer = torch.optim.Adam([{"params": g, "lr": lr} for g, lr in groups],
                                     lr=self.learning_rate, weight_decay=self.weight_decay)
        y_all = torch.as_tensor(target, dtype=torch.long)
        loss_weight = self._loss_weight(target)
        lengths = np.asarray([len(d) for d in docs])

        def step_loss(batch):
            inputs, lens = self._collate(items, batch)
            loss = torch.nn.functional.cross_entropy(net(inputs, lens), y_all[batch],
                                                   weight=loss_weight)
            return StepOutput(loss, examples=len(batch), tokens=int(lengths[batch].sum()))

        self._train(net, optimizer, step_loss, split=self._split(target, seed), inputs=items,
                    target=target, lengths=lengths, seed=seed,
                    callbacks=[OnEpochStart(lambda epoch: self._unfreeze(groups, epoch))])

    # -- embeddings ------------------------------------------------------------------------

    def _make_source(self, docs, seed):
        """The network's input module and the width of the token vectors it gives."""
        import torch

        from ..neural.classifier import Concat, FinetunedElmo, FrozenElmo

        if self.embeddings == "random":
            return self._word_lookup(docs, *self._random_table(docs))
        if self.embeddings in STATIC:
            params = {"random_state": seed, **(self.embedding_params or {})}
            stage = get_stage(self.embeddings).create(**params).fit(docs)
            vectors = torch.as_tensor(np.asarray(stage.vectors_, dtype=np.float32))
            table = torch.cat([torch.zeros(2, vectors.shape[1]), vectors])
            return self._word_lookup(docs, list(stage.vocabulary_), table,
                                     freeze=self.freeze_embeddings)
        from ..neural.elmo import ScalarMix, layer_statistics
        from ..neural.io import load_bilm

        bilm, vocab, _ = load_bilm(self.bilm)
        self.vocab_ = vocab
        # Each layer standardised with the training tokens' statistics before the mix.
        mean, std = layer_statistics(bilm, vocab, docs, seed=seed)
        mix = ScalarMix(bilm.n_layers, None, 1.0, True, mean, std)
        if self.finetune:
            source = FinetunedElmo(bilm, vocab, mix)
        else:
            for p in bilm.parameters():
                p.requires_grad_(False)
            self.bilm_ = bilm
            source = FrozenElmo(mix)
        if not self.concat_words:
            return source, bilm.config.output_dim
        words, width = self._word_lookup(docs, *self._random_table(docs))
        return Concat(words, source), width + bilm.config.output_dim

    def _random_table(self, docs):
        """Training words seen ``min_count`` times, and a uniformly initialised table for them."""
        words = training_words(docs, self.min_count)
        return words, random_table(len(words), self.embedding_dim)

    def _word_lookup(self, docs, words, table, freeze=False):
        """A :class:`Lookup` over ``table`` (rows 0 and 1: padding and unknown words)."""
        from ..neural.classifier import Lookup

        self.vocabulary_ = vocabulary_of(words)
        return Lookup(embedding(table, freeze)), table.shape[1]

    def _network_inputs(self, docs) -> list:
        """What the network reads per document: word ids, ELMo layers, the tokens, or a pair."""
        parts = []
        if self.vocabulary_ is not None:
            parts.append(self._word_ids(docs))
        if self.bilm_ is not None:
            parts.append(self._elmo_layers(docs))
        elif self.embeddings == "elmo":  # fine-tuned ELMo reads the tokens
            parts.append(list(docs))
        return parts[0] if len(parts) == 1 else list(zip(*parts))

    def _word_ids(self, docs) -> list:
        return word_ids(docs, self.vocabulary_)

    def _elmo_layers(self, docs) -> list:
        import torch

        from ..neural.elmo import layer_batches

        items: list = [None] * len(docs)
        for index, layers, lengths in layer_batches(self.bilm_, self.vocab_, docs, 64):
            half = layers.to(torch.float16)  # half the memory; the mix runs in float32
            for row, i in enumerate(index):
                items[i] = half[row, :, :int(lengths[row])].clone()
        return items

    def _collate(self, items, batch):
        """Pad the items of ``batch`` into the network's input; also return their lengths."""
        import torch

        lengths = torch.as_tensor([_length(items[i]) for i in batch], dtype=torch.long)
        width = max(int(lengths.max()), 1)
        return _pad([items[i] for i in batch], width), lengths

    def _param_groups(self, net):
        """(parameters, learning rate) per group, lowest group first."""
        from ..neural.classifier import FinetunedElmo

        if not self.finetune:
            return [(list(net.parameters()), self.learning_rate)]
        bilm = next(m.bilm for m in net.modules() if isinstance(m, FinetunedElmo))
        in_bilm = {id(p) for p in bilm.parameters()}
        head = [p for p in net.parameters() if id(p) not in in_bilm]
        layers = [list(bilm.encoder.parameters())]
        for f, b in zip(bilm.forward_lstms, bilm.backward_lstms):
            layers.append([*f.parameters(), *b.parameters()])
        groups = layers + [head]
        top = len(groups) - 1
        return [(g, self.learning_rate / self.lr_decay ** (top - k)) for k, g in enumerate(groups)]

    def _unfreeze(self, groups, epoch: int) -> None:
        if not self.finetune:
            return
        top = len(groups) - 1
        for k, (params, _) in enumerate(groups):
            trainable = not self.gradual_unfreezing or k >= top - epoch
            for p in params:
                p.requires_grad_(trainable)

    # -- predicting ---------------------------------------------------------------------------

    def _proba(self, net, items, index) -> np.ndarray:
        """Class probabilities of the documents ``index`` of ``items``, longest first in batches."""
        import torch

        net.eval()
        out = np.zeros((len(index), len(self.classes_)), dtype=np.float64)
        with torch.inference_mode():
            sub = [items[i] for i in index]
            order = sorted(range(len(sub)), key=lambda i: -_length(sub[i]))
            size = max(self.batch_size, 64)
            for start in range(0, len(order), size):
                rows = order[start:start + size]
                inputs, lens = self._collate(sub, rows)
                out[rows] = torch.softmax(net(inputs, lens), dim=-1).double().numpy()
        return out


def _length(item) -> int:
    """Tokens in one item: word ids (1-d), ELMo layers (layers × time × dim), tokens, or a pair."""
    if isinstance(item, tuple):
        return _length(item[0])
    return len(item) if isinstance(item, list) or item.dim() == 1 else int(item.shape[1])


def _pad(items: list, width: int):
    """Items of one kind padded to ``width`` tokens: ids, layers, token lists, or pairs of them."""
    import torch

    first = items[0]
    if isinstance(first, tuple):
        return tuple(_pad(list(part), width) for part in zip(*items))
    if isinstance(first, list):
        return items
    if first.dim() == 1:
        ids = torch.zeros(len(items), width, dtype=torch.long)
        for row, item in enumerate(items):
            ids[row, :len(item)] = item
        return ids
    n_layers, _, dim = first.shape
    layers = torch.zeros(len(items), n_layers, width, dim)
    for row, item in enumerate(items):
        layers[row, :, :item.shape[1]] = item
    return layers
