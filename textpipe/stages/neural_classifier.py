"""What the neural classifier stages (``bilstm``, ``cnn``, ``transformer_classifier``) share.

:class:`NeuralClassifierMixin` holds the estimator side that does not depend on
the network: ``check_params`` and ``fit`` (parameter checks, the checks of the
training data, ``classes_``, the seed taken from ``random_state`` and the seeded,
deterministic context the network is trained in), the stratified validation
split for early stopping, the run of the shared training loop
(:class:`textpipe.neural.training.Trainer`) and what is kept of it, and
``predict_proba``/``predict_log_proba``/``predict`` and the sklearn tags.

A class using it subclasses it before ``NamedStage``, ``ClassifierMixin`` and
``BaseEstimator``, has the parameters ``random_state``, ``n_threads``,
``early_stopping``, ``validation_fraction``, ``patience``, ``batch_size``,
``max_epochs``, ``clip_norm`` and ``verbose``, and defines:

- ``_fit_network(docs, target, seed)``: build the network and train it (usually
  with :meth:`_train`);
- ``_network_inputs(docs)``: what the network reads per document (word ids, ...);
- ``_proba(net, inputs, index)``: class probabilities of the documents ``index``.

Whether documents are texts or token lists follows the class's ``consumes``.

torch and :mod:`textpipe.neural.training` are imported inside the methods that
need them, so a stage can be listed, built and validated without torch.

Examples
--------
>>> import numpy as np
>>> class Stage(NeuralClassifierMixin):
...     early_stopping, validation_fraction, random_state = True, 0.25, None
>>> train, valid = Stage()._split(np.array([0, 0, 1, 1, 0, 1, 0, 1]), seed=0)
>>> len(train), len(valid), Stage()._seed()
(6, 2, 0)
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..errors import Errors, InputError, raise_config_errors
from ..neural.threads import deterministic, torch_threads
from ..parameters import check_parameters
from ..registry import TEXT
from ..sklearn_compat import Interval
from .base import check_texts, check_token_lists
from .class_weight import CLASS_WEIGHT_CONSTRAINT, class_weights

__all__ = ["NeuralClassifierMixin", "TRAINING_CONSTRAINTS"]

# The constraints of the training parameters every neural classifier takes.
TRAINING_CONSTRAINTS: dict = {
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "clip_norm": [Interval(Real, 0, None, closed="neither")],
    "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "class_weight": CLASS_WEIGHT_CONSTRAINT,
}


class NeuralClassifierMixin:
    """Seeding, training-data checks, validation split, training run and prediction of a
    neural classifier stage (see the module notes for what a subclass provides).

    Examples
    --------
    >>> from textpipe.stages.cnn import CNNClassifier
    >>> clf = CNNClassifier(embedding_dim=4, feature_maps=2, widths=[1], max_epochs=1)
    >>> docs, target = clf._training_data([["good"], ["bad"]], ["p", "n"])
    >>> clf.classes_.tolist(), target.tolist()
    (['n', 'p'], [1, 0])
    """

    def check_params(self) -> None:
        """Check the current parameters without fitting; raise ConfigError naming each bad one."""
        check_parameters(self)

    def fit(self, X, y):
        """Train the network on documents ``X`` and labels ``y``.

        Parameters
        ----------
        X : list of list of str, or sequence of str
            The documents as the stage consumes them: token lists (e.g. from a
            ``tokenize`` step) or, for ``transformer_classifier``, raw texts.
        y : array-like of shape (n_documents,)
            Class labels.

        Returns
        -------
        self
        """
        self._check_fit_params()
        docs, target = self._training_data(X, y)
        with self._seeded_fit() as seed:
            self._fit_network(docs, target, seed)
        return self

    def _check_fit_params(self) -> None:
        """sklearn's check of each parameter, then the rules between them (ConfigError)."""
        self._validate_params()
        raise_config_errors(self._parameter_rules())

    def _seed(self) -> int:
        """The seed ``random_state`` gives (None: 0; a RandomState: one draw from it)."""
        if self.random_state is None:
            return 0
        if isinstance(self.random_state, Integral):
            return int(self.random_state)
        return int(self.random_state.randint(2**31 - 1))  # a RandomState instance

    def _documents(self, X) -> list:
        """``X`` checked as the stage's documents: texts or token lists (``consumes``)."""
        if self.consumes == TEXT:
            return check_texts(X, self.stage_name)
        return check_token_lists(X, self.stage_name)

    def _training_data(self, X, y) -> tuple[list, np.ndarray]:
        """Checked documents and each one's class index; sets ``classes_``."""
        docs = self._documents(X)
        if y is None:
            raise InputError(Errors.E109.format(stage=self.stage_name))
        y = np.asarray(y)
        if len(docs) != len(y):
            raise InputError(Errors.E108.format(n_x=len(docs), n_y=len(y)))
        if not docs:
            raise InputError(Errors.E105.format(stage=self.stage_name))
        check_classification_targets(y)
        self.classes_, target = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InputError(Errors.E107.format(label=self.classes_[0]))
        if self.consumes != TEXT and not any(docs):
            raise InputError(Errors.E106.format(stage=self.stage_name,
                                                detail=f" ({len(docs)} documents, no tokens)"))
        return docs, target

    @contextmanager
    def _seeded_fit(self):
        """Run a fit with ``n_threads``, deterministic kernels and torch's seeded, forked
        random state (the caller's is as it was afterwards); yields the seed."""
        import torch

        seed = self._seed()
        with torch_threads(self.n_threads), deterministic(), torch.random.fork_rng():
            torch.manual_seed(seed)
            yield seed

    def _split(self, target: np.ndarray, seed: int):
        """Training and validation rows: a stratified split when early stopping can use one."""
        n = len(target)
        index = np.arange(n)
        n_valid = int(round(n * self.validation_fraction))
        if not self.early_stopping or n_valid < 1 or n - n_valid < 2:
            return index, index[:0]
        from sklearn.model_selection import train_test_split

        counts = Counter(target.tolist())
        stratify = target if min(counts.values()) >= 2 and n_valid >= len(counts) else None
        train, valid = train_test_split(index, test_size=n_valid, random_state=seed,
                                        stratify=stratify)
        return np.sort(train), np.sort(valid)

    def _loss_weight(self, target: np.ndarray):
        """The cross-entropy's class weights as a float tensor (``class_weight``), or None."""
        import torch

        weights = class_weights(self.class_weight, self.classes_, target,
                                self.stage_name)
        return None if weights is None else torch.as_tensor(weights, dtype=torch.float32)

    def _validation_scores(self, net, inputs, valid_idx, target) -> dict[str, float]:
        """Loss and accuracy on the validation documents ``valid_idx``."""
        proba = self._proba(net, inputs, valid_idx)
        p_true = proba[np.arange(len(valid_idx)), target[valid_idx]]
        return {"valid_loss": float(-np.log(np.maximum(p_true, 1e-12)).mean()),
                "valid_accuracy": float((proba.argmax(1) == target[valid_idx]).mean())}

    def _train(self, net, optimizer, step_loss, *, split, inputs, target, lengths, seed,
               callbacks=(), scheduler=None):
        """Fit ``net`` with the shared loop; keep it as ``module_``; return the final state.

        Batches of similar length (``lengths``) from the training rows of ``split``;
        with validation rows, early stopping on their loss (``callbacks`` run first).
        """
        from ..neural import training

        train_idx, valid_idx = split
        callbacks = list(callbacks)
        if len(valid_idx):
            callbacks.append(training.EarlyStopping(self.patience))
        if self.verbose:
            callbacks.append(training.ProgressBar(self.stage_name))
        trainer = training.Trainer(
            net, optimizer, step_loss,
            lambda s, epoch: training.length_batches(train_idx, lengths, self.batch_size,
                                                     np.random.default_rng([s, epoch])),
            max_epochs=self.max_epochs, scheduler=scheduler, clip_norm=self.clip_norm,
            evaluate=((lambda: self._validation_scores(net, inputs, valid_idx, target))
                      if len(valid_idx) else None),
            monitor="valid_loss", callbacks=callbacks, seed=seed)
        state = trainer.fit()
        for p in net.parameters():
            p.requires_grad_(False)
        self.module_ = net.eval()
        self.history_ = state.history
        self.n_epochs_ = state.epoch
        self.best_epoch_ = int(state.best_epoch) if state.best_epoch is not None else state.epoch
        return state

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one row per document, columns in ``classes_`` order."""
        check_is_fitted(self)
        docs = self._documents(X)
        if not docs:
            return np.zeros((0, len(self.classes_)))
        import torch

        with torch_threads(self.n_threads), torch.inference_mode():
            inputs = self._network_inputs(docs)
            return self._proba(self.module_, inputs, np.arange(len(docs)))

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        return np.log(np.maximum(self.predict_proba(X), 1e-300))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each document."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags
