"""Pretrain a biLM: the training loop, checkpoints and resuming.

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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config.pretraining import (CorpusConfig, ModelConfig, PretrainConfig, PretrainFile,
                                  TrainingConfig, load_pretrain_config)
from ..data import load_dataset
from ..data.decoding import read_text, split_lines
from ..errors import ConfigError, Errors, InputError
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

    from .io import (load_checkpoint, remove_checkpoint, restore_checkpoint, save_bilm,
                     save_checkpoint)

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
        state = _initial_state(fingerprint, checkpoint)
        resumed = None
        if checkpoint is not None:
            restore_checkpoint(checkpoint, model, optimizer)
            resumed = state["step"]
            say(f"resuming from the checkpoint at step {resumed} (epoch {state['epoch'] + 1}, "
                f"batch {state['step_in_epoch']})")
        run = _Run(out=out, config=train_cfg, model=model, optimizer=optimizer, vocab=vocab,
                   train=train, heldout=heldout, resumed=resumed, say=say,
                   on_progress=on_progress, save_bilm=save_bilm,
                   save_checkpoint=save_checkpoint, remove_checkpoint=remove_checkpoint,
                   info={"name": out.name, "pretrain": _plain(config),
                         "corpus_documents": len(docs), "heldout_documents": len(heldout)})
        state, stopped = _train(run, state)
        state = _finish(run, state, stopped)
    return PretrainResult(out, state["epoch"], state["step"], state["tokens"], state["seconds"],
                          state["best_perplexity"], state["history"], stopped, resumed)


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


def _initial_state(fingerprint: str, checkpoint: dict | None) -> dict[str, Any]:
    """The loop's counters: fresh, or as the checkpoint left them."""
    state = {"fingerprint": fingerprint, "epoch": 0, "step_in_epoch": 0, "step": 0,
             "tokens": 0, "seconds": 0.0, "best_perplexity": None, "bad_evals": 0,
             "history": []}
    if checkpoint is not None:
        state.update({k: checkpoint[k] for k in state if k in checkpoint})
    return state


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
    info: dict[str, Any]
    resumed: int | None
    say: Callable[[str], None]
    on_progress: Callable[[Progress], None] | None
    save_bilm: Callable[..., None]
    save_checkpoint: Callable[..., None]
    remove_checkpoint: Callable[[Path], None]

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.train) // self.config.batch_size)


def _train(run: _Run, state: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Run epochs from ``state`` until done, out of patience or time; (state, why stopped).

    An interruption (Ctrl-C) saves a checkpoint of the state reached, then propagates.
    """
    cfg = run.config
    lengths = [len(d) for d in run.train]
    start = time.perf_counter()
    seconds_before = state["seconds"]
    tokens_run = 0
    stopped = "completed"
    last_ppl = None
    try:
        while state["epoch"] < cfg.epochs and stopped == "completed":
            batches = _epoch_batches(len(run.train), lengths, cfg.batch_size, cfg.seed,
                                     state["epoch"])
            while state["step_in_epoch"] < len(batches):
                loss, n_tokens = _train_step(run, batches[state["step_in_epoch"]])
                tokens_run += n_tokens
                elapsed = time.perf_counter() - start
                state, end_of_epoch = _advance(state, n_tokens, len(batches),
                                               seconds_before + elapsed)
                evaluate_now = end_of_epoch if cfg.eval_every is None else (
                    state["step"] % cfg.eval_every == 0)
                if evaluate_now:
                    state, out_of_patience = _evaluate(run, state)
                    if out_of_patience:
                        stopped = "early_stopping"
                    last_ppl = state["history"][-1]["heldout_perplexity"]
                if state["step"] % cfg.checkpoint_every == 0 or end_of_epoch:
                    _save_checkpoint(run, state)
                if run.on_progress is not None:
                    run.on_progress(_progress(run, state, end_of_epoch, elapsed, tokens_run,
                                              float(loss.total.detach()), last_ppl))
                if (stopped == "completed" and cfg.max_minutes is not None
                        and elapsed > 60 * cfg.max_minutes):
                    stopped = "time_limit"
                if stopped != "completed" or end_of_epoch:
                    break
    except KeyboardInterrupt:
        _save_checkpoint(run, state)
        run.say(f"interrupted at step {state['step']}: checkpoint saved in "
                f"{run.out / 'checkpoint'}; run the same command again to resume")
        raise
    return state, stopped


def _train_step(run: _Run, index: list[int]):
    """One optimizer step on the training documents ``index``; (loss, tokens in the batch)."""
    import torch

    batch = run.model.batch([run.train[i] for i in index], run.vocab)
    loss = run.model.loss(batch)
    run.optimizer.zero_grad(set_to_none=True)
    loss.total.backward()
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), run.config.clip_norm)
    run.optimizer.step()
    return loss, batch.n_tokens


def _advance(state: dict[str, Any], n_tokens: int, n_batches: int,
             seconds: float) -> tuple[dict[str, Any], bool]:
    """The counters after one more step of ``n_batches``; (state, True at an epoch's end)."""
    state = {**state, "step": state["step"] + 1, "step_in_epoch": state["step_in_epoch"] + 1,
             "tokens": state["tokens"] + n_tokens, "seconds": seconds}
    end_of_epoch = state["step_in_epoch"] == n_batches
    if end_of_epoch:
        state.update(epoch=state["epoch"] + 1, step_in_epoch=0)
    return state, end_of_epoch


def _evaluate(run: _Run, state: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Measure held-out perplexity and save the best model; (state, True when patience is out)."""
    ppl = heldout_perplexity(run.model, run.vocab, run.heldout, run.config.batch_size)
    entry = {"step": state["step"], "epoch": round(state["step"] / run.steps_per_epoch, 2),
             "heldout_perplexity": ppl}
    state = {**state, "history": [*state["history"], entry]}
    best = state["best_perplexity"]
    if best is None or ppl < best:
        state.update(best_perplexity=ppl, bad_evals=0)
        run.save_bilm(run.out, run.model, run.vocab, info={**run.info, "training_result": {
            k: state[k] for k in ("step", "tokens", "seconds", "best_perplexity")}})
        run.say(f"step {state['step']}: held-out perplexity {ppl:.1f} (best so far, saved)")
    else:
        state["bad_evals"] += 1
        run.say(f"step {state['step']}: held-out perplexity {ppl:.1f} (best {best:.1f}; "
                f"{state['bad_evals']}/{run.config.patience} without improvement)")
    return state, state["bad_evals"] >= run.config.patience


def _save_checkpoint(run: _Run, state: dict[str, Any]) -> None:
    """Save the weights, optimizer and counters, to resume from ``state``."""
    run.save_checkpoint(run.out, run.model, run.optimizer, run.vocab, state)


def _progress(run: _Run, state: dict[str, Any], end_of_epoch: bool, elapsed: float,
              tokens_run: int, loss: float, last_ppl: float | None) -> Progress:
    """The progress report after a step, ``elapsed`` seconds into this session."""
    done = state["step"]
    total = run.steps_per_epoch * run.config.epochs
    rate = elapsed / max(done - (run.resumed or 0), 1)
    return Progress(epoch=state["epoch"] + (0 if end_of_epoch else 1),
                    epochs=run.config.epochs, step=done, steps_per_epoch=run.steps_per_epoch,
                    tokens_per_second=tokens_run / max(elapsed, 1e-9), loss=loss,
                    seconds=state["seconds"], eta_seconds=rate * max(total - done, 0),
                    heldout_perplexity=last_ppl)


def _finish(run: _Run, state: dict[str, Any], stopped: str) -> dict[str, Any]:
    """Evaluate the last steps if needed; keep the checkpoint only when time ran out."""
    if stopped == "time_limit":
        if not state["history"] or state["history"][-1]["step"] != state["step"]:
            state, _ = _evaluate(run, state)
        _save_checkpoint(run, state)
        run.say(f"time limit of {run.config.max_minutes:g} minutes reached at step "
                f"{state['step']}; the best model is saved, and running again resumes training")
    else:
        if not state["history"]:
            state, _ = _evaluate(run, state)
        run.remove_checkpoint(run.out)
    return state


def _plain(config: PretrainConfig) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    if len(data["corpus"]["texts"]) > 20:
        data["corpus"]["texts"] = f"<{len(data['corpus']['texts'])} texts given inline>"
    return data
