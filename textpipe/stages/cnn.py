"""A convolutional sentence classifier (Kim, 2014) as a scikit-learn estimator.

The classifier reads token lists (from any tokenizer, subword ones included) and
learns, end to end: word vectors → convolutions of several widths (default 3, 4
and 5 tokens, 100 filters each) → ReLU → max over time → dropout → a softmax
layer whose weight rows are kept to an l2 norm of at most ``max_norm`` (rescaled
after every step). Training uses Adam on mini-batches of 50 documents and early
stopping on a stratified validation split (the best epoch's weights are kept).
It is seeded and, on CPU, deterministic.

Where the word vectors come from (``embeddings``):

- ``random``: a table over the training words seen at least ``min_count`` times,
  drawn uniformly from [-0.25, 0.25] and learned with the task (Kim's CNN-rand);
- ``word2vec``, ``fasttext``, ``glove``: that textpipe stage is trained on the
  training documents (with ``embedding_params``) and its vectors initialise the
  rows of the words it knows;
- ``vectors``: the rows of the words found in a word-vector file (``vectors``:
  word2vec, GloVe or fastText ``.vec``), read as the ``pretrained_vectors`` stage
  reads it. Training words the source lacks start random, with the variance of
  the known vectors.

and what training does with them (``mode``, as in the paper): ``non-static``
fine-tunes them, ``static`` keeps them fixed, ``multichannel`` reads two copies,
one fixed and one fine-tuned, each filter summing over both.

From the outside it behaves like the ``bilstm`` classifier: ``fit``, ``predict``,
``predict_proba``, ``classes_``, nested parameters in a ``Pipeline``, ``clone``
and ``GridSearchCV``; fitted, it pickles, and ``textpipe.model.save_model``
writes its tensors to safetensors.

Examples
--------
>>> docs = [["a", "great", "film"], ["great", "fun"], ["dull", "film"], ["so", "dull"]] * 10
>>> labels = ["pos", "pos", "neg", "neg"] * 10
>>> clf = CNNClassifier(embedding_dim=8, feature_maps=4, max_epochs=5, learning_rate=0.05,
...                     dropout=0.0, early_stopping=False, random_state=0)
>>> clf.fit(docs, labels).predict([["great", "fun"], ["so", "dull"]]).tolist()
['pos', 'neg']
>>> clf.predict_proba([[]]).shape
(1, 2)
"""

from __future__ import annotations

from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..embeddings.vector_files import FORMATS, load_vectors
from ..errors import ConfigError, Errors
from ..neural.lookup import (embedding, pretrained_table, random_table, training_words,
                             vocabulary_of, word_ids)
from ..registry import LABELS, TOKENS, get_stage
from ..sklearn_compat import Interval, StrOptions
from .base import NamedStage
from .neural_classifier import TRAINING_CONSTRAINTS, NeuralClassifierMixin

# textpipe.neural.cnn (the network) imports torch at module level, so it is imported
# inside the methods that need it: the stage can be listed, built and validated
# without torch.

__all__ = ["CNNClassifier"]

STAGES = ("word2vec", "fasttext", "glove")
PRETRAINED = (*STAGES, "vectors")


class CNNClassifier(NeuralClassifierMixin, NamedStage, ClassifierMixin, BaseEstimator):
    """Kim's (2014) convolutional classifier over token lists.

    Parameters
    ----------
    embeddings : {"random", "word2vec", "fasttext", "glove", "vectors"}, default="random"
        Initial word vectors: random, that embedding stage trained on the training
        documents, or a word-vector file (``vectors``). See the module notes.
    mode : {"non-static", "static", "multichannel"}, default="non-static"
        Fine-tune the vectors, keep them fixed, or both side by side (two channels).
        ``static`` and ``multichannel`` need pretrained vectors.
    embedding_dim : int, default=300
        Size of the vectors with ``embeddings="random"`` (the others take the source's size).
    min_count : int, default=2
        Training words rarer than this share the unknown-word vector, which they train
        for the words that only test documents have (1: that vector stays random).
    embedding_params : dict or None, default=None
        Parameters of the ``word2vec``/``fasttext``/``glove`` stage, e.g. ``{dim: 300}``.
    vectors : str or None, default=None
        With ``embeddings="vectors"``: the word-vector file (in YAML, relative to the
        file's folder). Only the training words' vectors are kept in the model.
    vectors_format : {"auto", "word2vec", "fasttext", "glove", "gensim"}, default="auto"
        Format of ``vectors`` ("auto" detects it).
    widths : list of int, default=(3, 4, 5)
        Filter widths, in tokens.
    feature_maps : int, default=100
        Filters per width.
    dropout : float, default=0.5
        Dropout on the pooled features, before the output layer.
    max_norm : float or None, default=3.0
        Largest l2 norm of each output-layer weight row, restored after every step
        (None: no constraint).
    learning_rate : float, default=0.001
        Adam's learning rate.
    weight_decay : float, default=0.0
        Adam's L2 penalty.
    batch_size : int, default=50
        Documents per mini-batch.
    max_epochs : int, default=20
        The most passes over the training documents: with ``early_stopping`` training
        stops sooner once the held-out loss stops improving (without it, exactly this
        many). Not ``epochs``, which word vectors use for a fixed number of passes.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training documents and keep the
        epoch with the lowest validation loss; stop after ``patience`` worse epochs.
    validation_fraction : float, default=0.1
        Share of the training documents held out for early stopping (stratified).
    patience : int, default=3
        Epochs without a better validation loss before stopping.
    clip_norm : float or None, default=None
        Gradient norm clipping (None: none, as in the paper).
    n_threads : int or None, default=None
        torch threads while fitting and predicting (None: torch's setting).
    random_state : int or None, default=None
        Seed of initialisation, shuffling, dropout and the validation split (None behaves as 0).
    verbose : int, default=0
        1 prints one line per epoch to stderr.
    class_weight : None, 'balanced' or dict, default=None
        Weight of each class in the cross-entropy: None (every class weighs 1),
        'balanced' (inversely to the class's frequency) or a mapping label → weight
        (labels left out weigh 1).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    module_ : torch.nn.Module
        The trained network (:class:`textpipe.neural.cnn.KimCNN`).
    vocabulary_ : dict of str to int
        Row of each word in the embedding table (0: padding, 1: unknown words).
    n_pretrained_ : int
        Words whose vectors came from the pretrained source (0 with ``random``).
    history_ : list of dict
        Per epoch: train_loss, valid_loss, valid_accuracy (when early stopping), seconds.
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    n_epochs_ : int
        Epochs run.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from textpipe.stages.tokenize import Tokenize
    >>> pipe = make_pipeline(Tokenize(), CNNClassifier(embedding_dim=8, feature_maps=2,
    ...                      max_epochs=2, random_state=0))
    >>> pipe.set_params(cnnclassifier__widths=[1, 2]).fit(["good", "bad"] * 5,
    ...                                                   ["p", "n"] * 5).classes_.tolist()
    ['n', 'p']
    """

    consumes: ClassVar[str] = TOKENS
    produces: ClassVar[str] = LABELS
    _path_params: ClassVar[tuple[str, ...]] = ("vectors",)

    _parameter_constraints: ClassVar[dict] = {
        "embeddings": [StrOptions({"random", *PRETRAINED})],
        "mode": [StrOptions({"non-static", "static", "multichannel"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "embedding_params": [dict, None],
        "vectors": [str, Path, None],
        "vectors_format": [StrOptions(set(FORMATS))],
        "widths": [list, tuple],
        "feature_maps": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_norm": [Interval(Real, 0, None, closed="neither"), None],
        **TRAINING_CONSTRAINTS,
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, embeddings="random", mode="non-static", embedding_dim=300,
                 min_count=2, embedding_params=None, vectors=None, vectors_format="auto",
                 widths=(3, 4, 5), feature_maps=100, dropout=0.5, max_norm=3.0,
                 learning_rate=1e-3, weight_decay=0.0, batch_size=50, max_epochs=20,
                 early_stopping=True, validation_fraction=0.1, patience=3, clip_norm=None,
                 n_threads=None, random_state=None, verbose=0,
                 class_weight=None):
        self.embeddings = embeddings
        self.mode = mode
        self.embedding_dim = embedding_dim
        self.min_count = min_count
        self.embedding_params = embedding_params
        self.vectors = vectors
        self.vectors_format = vectors_format
        self.widths = widths
        self.feature_maps = feature_maps
        self.dropout = dropout
        self.max_norm = max_norm
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
        widths = self.widths
        if (not isinstance(widths, (list, tuple)) or not widths
                or not all(isinstance(w, Integral) and not isinstance(w, bool) and w >= 1
                           for w in widths)):
            problems.append(ConfigError(Errors.E633.format(got=widths),
                                        step=f"'{self.stage_name}'", param="widths"))
        if self.embeddings == "random" and self.mode != "non-static":
            problems.append(ConfigError(Errors.E630.format(mode=self.mode), param="mode"))
        if self.embeddings == "vectors" and self.vectors is None:
            problems.append(ConfigError(Errors.E631, param="vectors"))
        if self.vectors is not None and self.embeddings != "vectors":
            problems.append(ConfigError(Errors.E632.format(
                param="vectors", applies="'vectors'", embeddings=self.embeddings),
                param="vectors"))
        if self.embedding_params and self.embeddings not in STAGES:
            problems.append(ConfigError(Errors.E632.format(
                param="embedding_params", applies="'word2vec', 'fasttext', 'glove'",
                embeddings=self.embeddings), param="embedding_params"))
        return problems

    # -- fitting ---------------------------------------------------------------------------

    def _build_network(self, docs, seed):
        """The untrained network; sets ``vocabulary_`` and ``n_pretrained_``."""
        from ..neural.cnn import KimCNN

        words = training_words(docs, self.min_count)
        self.vocabulary_ = vocabulary_of(words)
        table = self._initial_table(docs, seed)
        if self.mode == "multichannel":
            channels = [embedding(table.clone(), freeze=True), embedding(table, freeze=False)]
        else:
            channels = [embedding(table, freeze=self.mode == "static")]
        return KimCNN(channels, self.widths, self.feature_maps, self.dropout,
                      len(self.classes_))

    def _initial_table(self, docs, seed):
        """The embedding table before training: random, or a pretrained source's rows."""
        self.n_pretrained_ = 0
        if self.embeddings == "random":
            return random_table(len(self.vocabulary_), self.embedding_dim)
        if self.embeddings in STAGES:
            params = {"random_state": seed, **(self.embedding_params or {})}
            stage = get_stage(self.embeddings).create(**params).fit(docs)
            index, vectors = stage.vocabulary_, stage.vectors_
        else:
            kv = load_vectors(self.vectors, format=self.vectors_format)
            index, vectors = kv.key_to_index, kv.vectors
        table, self.n_pretrained_ = pretrained_table(self.vocabulary_, index, vectors)
        if self.embeddings == "vectors" and not self.n_pretrained_:
            raise ConfigError(Errors.E634.format(n=len(self.vocabulary_), path=self.vectors),
                              param="vectors")
        return table

    def _fit_network(self, docs, target, seed) -> None:
        """Build the network and fit it with the shared loop; sets ``module_`` and the history."""
        import torch

        from ..neural.training import StepOutput

        net = self._build_network(docs, seed)
        ids = self._network_inputs(docs)
        y_all = torch.as_tensor(target, dtype=torch.long)
        loss_weight = self._loss_weight(target)
        lengths = np.asarray([len(d) for d in ids])
        optimizer = net.constrain(torch.optim.Adam(
            [p for p in net.parameters() if p.requires_grad], lr=self.learning_rate,
            weight_decay=self.weight_decay), self.max_norm)

        def step_loss(batch):
            inputs, lens = _collate(ids, batch)
            loss = torch.nn.functional.cross_entropy(net(inputs, lens), y_all[batch],
                                                   weight=loss_weight)
            return StepOutput(loss, examples=len(batch), tokens=int(lengths[batch].sum()))

        self._train(net, optimizer, step_loss, split=self._split(target, seed), inputs=ids,
                    target=target, lengths=lengths, seed=seed)

    def _network_inputs(self, docs) -> list:
        """Each document's word ids (1: words not in ``vocabulary_``)."""
        return word_ids(docs, self.vocabulary_)

    # -- predicting ---------------------------------------------------------------------------

    def _proba(self, net, ids, index) -> np.ndarray:
        """Class probabilities of the documents ``index`` of ``ids``, batched by similar length."""
        import torch

        net.eval()
        out = np.zeros((len(index), len(self.classes_)), dtype=np.float64)
        sub = [ids[i] for i in index]
        order = np.argsort([-len(d) for d in sub], kind="stable")
        size = max(self.batch_size, 256)
        with torch.inference_mode():
            for start in range(0, len(order), size):
                rows = order[start:start + size]
                logits = net(*_collate(sub, rows))
                out[rows] = torch.softmax(logits.double(), dim=-1).numpy()
        return out

def _collate(ids: list, batch):
    """The word ids of ``batch`` padded with 0 into one tensor, and their lengths."""
    import torch

    rows = [ids[i] for i in batch]
    lengths = torch.as_tensor([len(r) for r in rows], dtype=torch.long)
    padded = torch.zeros(len(rows), max(int(lengths.max()), 1), dtype=torch.long)
    for row, item in enumerate(rows):
        padded[row, :len(item)] = item
    return padded, lengths
