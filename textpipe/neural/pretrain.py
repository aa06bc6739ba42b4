"""Pretrain a biLM with the shared fit loop (:mod:`textpipe.neural.training`), resumably.

The pretraining file and its checks are :mod:`textpipe.config.pretraining`
(:func:`load_pretrain_config`); every key has a default, so the resolved
configuration written to the biLM's ``config.json`` is a complete record of
what ran.

Training is seeded: the batches of epoch ``e`` depend only on the seed and
``e``, and a checkpoint stores the weights, the optimizer and the random-number
state, so a run resumed after an interruption continues exactly where it
stopped. Held-out perplexity is measured after each epoch (or every
``eval_every`` steps); the best weights are kept, and training stops early
after ``patience`` evaluations without improvement.

Examples
--------
>>> import tempfile
>>> config = PretrainConfig.model_validate({
...     "output_dir": tempfile.mkdtemp(),
...     "corpus": {"texts": ["a fine film", "a dull film", "a fine cast"] * 10, "min_count": 1},
...     "model": {"char_dim": 4, "filters": [[1, 8], [2, 8]], "projection_dim": 8,
...               "lstm_size": 8},
...     "training": {"epochs": 2, "batch_size": 8, "threads": 1}})
>>> result = pretrain(config)
>>> result.epochs, result.best_perplexity < 1000
(2, True)
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config.pretraining import (CorpusConfig, ModelConfig, PretrainConfig, PretrainFile,
                                  TrainingConfig, load_pretrain_config)
from ..data import load_dataset
from ..data.decoding import read_text, split_lines
from ..errors import ConfigError, Errors, InputError, ModelError
from ..paths import Input, Output, check_input_file, check_paths
from .threads import torch_threads
from .vocab import Vocabulary

__all__ = ["CorpusConfig", "ModelConfig", "PretrainConfig", "PretrainFile", "PretrainResult",
           "Progress", "TrainingConfig", "check_output_dir", "corpus_documents",
           "load_pretrain_config", "pretrain"]


# -- the corpus -----------------------------------------------------------------------


def corpus_documents(corpus: CorpusConfig) -> list[list[str]]:
    """Tokenized, non-empty documents of the corpus, long ones cut to ``max_length``."""
    from ..stages.tokenize import Tokenize  # scikit-learn: not for `textpipe --help`

    texts = list(corpus.texts)
    for name in corpus.datasets:
        data = load_dataset(name)
        texts += data.texts
        if corpus.include_test and data.test_texts:
            texts += data.test_texts
    for file in corpus.files:
        check_input_file(file)
        texts += [line for line in split_lines(read_text(file)) if line.strip()]
    docs = []
    for doc in Tokenize(**corpus.tokenize).fit_transform(texts):
        for start in range(0, len(doc), corpus.max_length):
            docs.append(doc[start:start + corpus.max_length])
    return docs


def check_output_dir(config: PretrainConfig, *, overwrite: bool = False) -> None:
    """Check, before any work, that ``config.output_dir`` can receive the biLM.

    It must be a folder, or one that can be created, and no corpus file. A finished
    biLM in it is replaced only with ``overwrite``; an unfinished run (a checkpoint)
    is the same run, to resume or start over.

    Raises
    ------
    ConfigError
        Naming ``output_dir``, the path and what to do.
    """
    from .io import CHECKPOINT_DIR, CONFIG_FILE, VOCAB_FILE, WEIGHTS_FILE

    out = Path(config.output_dir)
    unfinished = (out / CHECKPOINT_DIR).is_dir()
    check_paths([Output(out, "output_dir", what="a biLM", folder=True,
                        files=(WEIGHTS_FILE, CONFIG_FILE, VOCAB_FILE),
                        overwrite=overwrite or unfinished)],
                inputs=[Input(file, "corpus.files") for file in config.corpus.files])


# -- training -----------------------------------------------------------------------


@dataclass
class Progress:
    """What the loop reports after each step (for progress bars)."""

    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    tokens_per_second: float
    loss: float
    seconds: float
    eta_seconds: float | None
    heldout_perplexity: float | None = None

    @property
    def perplexity(self) -> float:
        return math.exp(min(self.loss, 50.0))


@dataclass
class PretrainResult:
    """What a pretraining run produced."""

    output_dir: Path
    epochs: int
    steps: int
    tokens: int
    seconds: float
    best_perplexity: float
    history: list[dict] = field(default_factory=list)
    stopped: str = "completed"  # completed | early_stopping | time_limit | interrupted
    resumed_from_step: int | None = None


# Settings that decide when training stops or how fast it runs, not what a step computes:
# a checkpoint resumes under new values of these (e.g. more epochs after a time limit).
_RESUMABLE_CHANGES = ("threads", "max_minutes", "checkpoint_every", "epochs", "patience")


def _fingerprint(config: PretrainConfig, n_docs: int) -> str:
    data = config.model_dump(exclude={"output_dir"})
    data["training"] = {k: v for k, v in data["training"].items()
                        if k not in _RESUMABLE_CHANGES}
    data["n_docs"] = n_docs
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _epoch_batches(n_docs: int, lengths: list[int], batch_size: int, seed: int,
                   epoch: int) -> list[list[int]]:
    """Batches of epoch ``epoch``: shuffled, sorted by length within pools, order shuffled."""
    import numpy as np

    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(n_docs)
    pool = batch_size * 50
    batches = []
    for start in range(0, n_docs, pool):
        chunk = sorted(order[start:start + pool].tolist(), key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def heldout_perplexity(model, vocab, docs, batch_size: int = 128) -> float:
    """Perplexity of both directions on ``docs`` (mean NLL per prediction, exponentiated)."""
    import torch

    from .elmo import length_sorted_batches

    model.eval()
    total, n = 0.0, 0
    with torch.inference_mode():
        for index in length_sorted_batches(docs, batch_size):
            loss = model.loss(model.batch([docs[i] for i in index], vocab))
            total += float(loss.forward + loss.backward)
            n += 2 * loss.n_predictions
    model.train()
    return math.exp(total / max(n, 1))


def pretrain(config: PretrainConfig, *, on_progress: Callable[[Progress], None] | None = None,
             resume: bool = True, on_message: Callable[[str], None] | None = None,
             overwrite: bool = False) -> PretrainResult:
    """Train a biLM as ``config`` says and write it to ``config.output_dir``.

    Parameters
    ----------
    config : PretrainConfig
        A validated configuration (:func:`load_pretrain_config`, or built in Python).
    on_progress : callable, optional
        Called with a :class:`Progress` after every step.
    resume : bool, default=True
        Continue from ``output_dir/checkpoint`` if it exists (it must come from
        the same configuration and corpus); False starts over.
    on_message : callable, optional
        Called with one-line notes (resuming, evaluations, stopping).
    overwrite : bool, default=False
        Replace a finished biLM already in ``output_dir``. Without it, such a folder
        is refused before any work; one holding an unfinished run's checkpoint is
        not (it is resumed, or started over with ``resume=False``).

    Returns
    -------
    PretrainResult
    """
    import torch

    from .io import (STATE_FILE, load_checkpoint, remove_checkpoint, restore_checkpoint,
                     save_bilm, save_checkpoint)

    say = on_message or (lambda message: None)
    out = Path(config.output_dir)
    check_output_dir(config, overwrite=overwrite)
    train_cfg = config.training
    docs = [d for d in corpus_documents(config.corpus) if d]
    if len(docs) < 2:
        raise InputError(Errors.E603.format(n=len(docs)))
    train, heldout = _split_heldout(docs, config.corpus.heldout_fraction, train_cfg.seed)
    fingerprint = _fingerprint(config, len(docs))

    with torch_threads(train_cfg.threads), torch.random.fork_rng():
        torch.manual_seed(train_cfg.seed)
        checkpoint = load_checkpoint(out) if resume else None
        if checkpoint is not None and checkpoint.get("fingerprint") != fingerprint:
            raise ConfigError(Errors.E604.format(path=out / "checkpoint"))
        vocab = (checkpoint["vocab"] if checkpoint is not None
                 else _build_vocabulary(config.corpus, train))
        model = _build_bilm(config.model, vocab)
        optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg.learning_rate)
        run = _Run(out=out, config=train_cfg, model=model, optimizer=optimizer, vocab=vocab,
                   train=train, heldout=heldout, fingerprint=fingerprint, say=say,
                   on_progress=on_progress, save_bilm=save_bilm,
                   save_checkpoint=save_checkpoint, remove_checkpoint=remove_checkpoint,
                   info={"name": out.name, "pretrain": _plain(config),
                         "corpus_documents": len(docs), "heldout_documents": len(heldout)})
        if checkpoint is not None:
            restore_checkpoint(checkpoint, model, optimizer)  # the random state too
            checkpoint["state_file"] = Path(checkpoint["directory"]) / STATE_FILE
        state, resumed = _fit(run, checkpoint)
    return PretrainResult(out, state.epoch, state.step, state.tokens, state.seconds,
                          state.best_score, [_result_row(row) for row in state.history],
                          state.stop_reason, resumed)


def _split_heldout(docs: list[list[str]], fraction: float,
                   seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """Split ``docs`` by a seeded shuffle into (train, held-out), neither of them empty."""
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(docs))
    n_held = min(max(1, round(len(docs) * fraction)), len(docs) - 1)
    return [docs[i] for i in order[n_held:]], [docs[i] for i in order[:n_held]]


def _build_vocabulary(corpus: CorpusConfig, train: list[list[str]]) -> Vocabulary:
    """The vocabulary of the training documents, within the corpus's limits."""
    return Vocabulary.build(train, min_count=corpus.min_count, max_words=corpus.max_words,
                            max_characters=corpus.max_characters)


def _build_bilm(m: ModelConfig, vocab: Vocabulary):
    """A new biLM in training mode, shaped by the model settings and the vocabulary."""
    from .bilm import BiLM, BiLMConfig

    bilm_config = BiLMConfig(
        n_words=len(vocab), n_chars=vocab.n_chars, char_dim=m.char_dim,
        filters=[list(f) for f in m.filters], highway_layers=m.highway_layers,
        projection_dim=m.projection_dim, lstm_size=m.lstm_size, lstm_layers=m.lstm_layers,
        dropout=m.dropout, max_characters=vocab.max_characters, activation=m.activation,
        softmax=m.softmax, cutoffs=m.cutoffs, div_value=m.div_value)
    return BiLM(bilm_config).train()


@dataclass
class _Run:
    """What one pretraining run works with, fixed from its first step to its last."""

    out: Path
    config: TrainingConfig
    model: Any
    optimizer: Any
    vocab: Vocabulary
    train: list[list[str]]
    heldout: list[list[str]]
    fingerprint: str
    info: dict[str, Any]
    say: Callable[[str], None]
    on_progress: Callable[[Progress], None] | None
    save_bilm: Callable[..., Any]
    save_checkpoint: Callable[..., Any]
    remove_checkpoint: Callable[[Path], None]


def _fit(run: _Run, checkpoint: dict[str, Any] | None):
    """Train with the shared loop, from ``checkpoint`` if given; (final state, step resumed).

    An interruption (Ctrl-C) saves a checkpoint of the state reached, then propagates.

    Raises
    ------
    ModelError
        If the checkpoint's state.json holds a value of the wrong type (E904).
    """
    from .training import (Checkpoint, EarlyStopping, OnProgress, StepOutput, TimeLimit, Trainer,
                           TrainingState)

    state = None
    if checkpoint is not None:
        problem = TrainingState.problem(checkpoint)
        if problem:
            raise ModelError(Errors.E904.format(file=checkpoint["state_file"], reason=problem))
        state = TrainingState.from_dict(checkpoint)
        run.say(f"resuming from the checkpoint at step {state.step} (epoch {state.epoch + 1}, "
                f"batch {state.step_in_epoch})")
    resumed = state.step if state is not None else None
    cfg = run.config
    lengths = [len(d) for d in run.train]

    def step_loss(index):
        batch = run.model.batch([run.train[i] for i in index], run.vocab)
        return StepOutput(run.model.loss(batch).total, examples=len(index),
                          tokens=batch.n_tokens)

    def save(trainer):
        run.save_checkpoint(run.out, run.model, run.optimizer, run.vocab,
                        {"fingerprint": run.fingerprint, **trainer.state.to_dict()})

    callbacks = [_Reports(run),
                 Checkpoint(run.out, every_steps=cfg.checkpoint_every, save=save,
                            remove=lambda: run.remove_checkpoint(run.out)),
                 EarlyStopping(cfg.patience, restore_best=False), TimeLimit(cfg.max_minutes)]
    if run.on_progress is not None:
        callbacks.append(OnProgress(lambda report: run.on_progress(_progress(report))))
    trainer = Trainer(
        run.model, run.optimizer, step_loss,
        lambda seed, epoch: _epoch_batches(len(run.train), lengths, cfg.batch_size, seed, epoch),
        max_epochs=cfg.epochs, clip_norm=cfg.clip_norm, seed=cfg.seed,
        evaluate=lambda: {"heldout_perplexity": heldout_perplexity(
            run.model, run.vocab, run.heldout, cfg.batch_size)},
        monitor="heldout_perplexity", eval_every=cfg.eval_every, callbacks=callbacks)
    try:
        return trainer.fit(state), resumed
    except KeyboardInterrupt:  # the Checkpoint callback has saved the state reached
        run.say(f"interrupted at step {trainer.state.step}: checkpoint saved in "
                f"{run.out / 'checkpoint'}; run the same command again to resume")
        raise


class _Reports:
    """Callback: save the best biLM at each improvement, evaluate at the end, say what happens."""

    order = -10  # before the checkpoint: its last save follows the final evaluation

    def __init__(self, run: _Run):
        self.run = run

    def on_record(self, trainer, record: dict[str, Any], improved: bool) -> None:
        run, state = self.run, trainer.state
        ppl = record["heldout_perplexity"]
        if improved:
            run.save_bilm(run.out, run.model, run.vocab, info={**run.info, "training_result": {
                "step": state.step, "tokens": state.tokens, "seconds": state.seconds,
                "best_perplexity": state.best_score}})
            run.say(f"step {state.step}: held-out perplexity {ppl:.1f} (best so far, saved)")
        else:
            run.say(f"step {state.step}: held-out perplexity {ppl:.1f} (best "
                    f"{state.best_score:.1f}; {state.bad_evals}/{run.config.patience} "
                    f"without improvement)")

    def on_fit_end(self, trainer) -> None:
        """Evaluate the last steps if needed (all when time ran out, else at least once)."""
        state = trainer.state
        if state.stop_reason == "time_limit":
            if not state.history or state.history[-1]["step"] != state.step:
                trainer.evaluate()
            self.run.say(f"time limit of {self.run.config.max_minutes:g} minutes reached at "
                         f"step {state.step}; the best model is saved, and running again "
                         f"resumes training")
        elif not state.history:
            trainer.evaluate()


def _progress(report) -> Progress:
    """The loop's progress report as the pretraining :class:`Progress`."""
    last = report.last_record
    return Progress(epoch=report.epoch, epochs=report.max_epochs, step=report.step,
                    steps_per_epoch=report.steps_per_epoch,
                    tokens_per_second=report.tokens_per_second, loss=report.loss,
                    seconds=report.seconds, eta_seconds=report.eta_seconds,
                    heldout_perplexity=last["heldout_perplexity"] if last else None)


def _result_row(row: dict[str, Any]) -> dict[str, Any]:
    """A history row without its timing (the same for a resumed run as a straight one)."""
    return {k: v for k, v in row.items() if k != "seconds"}


def _plain(config: PretrainConfig) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    if len(data["corpus"]["texts"]) > 20:
        data["corpus"]["texts"] = f"<{len(data['corpus']['texts'])} texts given inline>"
    return data
