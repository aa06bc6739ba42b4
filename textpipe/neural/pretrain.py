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

    from .bilm import BiLM, BiLMConfig
    from .io import (load_checkpoint, remove_checkpoint, restore_checkpoint, save_bilm,
                     save_checkpoint)

    say = on_message or (lambda message: None)
    out = Path(config.output_dir)
    check_output_dir(config, overwrite=overwrite)
    train_cfg = config.training
    docs = [d for d in corpus_documents(config.corpus) if d]
    if len(docs) < 2:
        raise InputError(Errors.E603.format(n=len(docs)))
    import numpy as np

    order = np.random.default_rng(train_cfg.seed).permutation(len(docs))
    n_held = min(max(1, round(len(docs) * config.corpus.heldout_fraction)), len(docs) - 1)
    heldout = [docs[i] for i in order[:n_held]]
    train = [docs[i] for i in order[n_held:]]
    fingerprint = _fingerprint(config, len(docs))

    with torch_threads(train_cfg.threads), torch.random.fork_rng():
        torch.manual_seed(train_cfg.seed)
        checkpoint = load_checkpoint(out) if resume else None
        if checkpoint is not None and checkpoint.get("fingerprint") != fingerprint:
            raise ConfigError(Errors.E604.format(path=out / "checkpoint"))
        if checkpoint is not None:
            vocab = checkpoint["vocab"]
        else:
            c = config.corpus
            vocab = Vocabulary.build(train, min_count=c.min_count, max_words=c.max_words,
                                     max_characters=c.max_characters)
        m = config.model
        bilm_config = BiLMConfig(
            n_words=len(vocab), n_chars=vocab.n_chars, char_dim=m.char_dim,
            filters=[list(f) for f in m.filters], highway_layers=m.highway_layers,
            projection_dim=m.projection_dim, lstm_size=m.lstm_size, lstm_layers=m.lstm_layers,
            dropout=m.dropout, max_characters=vocab.max_characters, activation=m.activation,
            softmax=m.softmax, cutoffs=m.cutoffs, div_value=m.div_value)
        model = BiLM(bilm_config).train()
        optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg.learning_rate)
        state = {"fingerprint": fingerprint, "epoch": 0, "step_in_epoch": 0, "step": 0,
                 "tokens": 0, "seconds": 0.0, "best_perplexity": None, "bad_evals": 0,
                 "history": []}
        resumed = None
        if checkpoint is not None:
            restore_checkpoint(checkpoint, model, optimizer)
            state.update({k: checkpoint[k] for k in state if k in checkpoint})
            resumed = state["step"]
            say(f"resuming from the checkpoint at step {resumed} (epoch {state['epoch'] + 1}, "
                f"batch {state['step_in_epoch']})")
        lengths = [len(d) for d in train]
        steps_per_epoch = -(-len(train) // train_cfg.batch_size)
        info = {"name": out.name, "pretrain": _plain(config), "corpus_documents": len(docs),
                "heldout_documents": len(heldout)}

        def save_best():
            save_bilm(out, model, vocab, info={**info, "training_result": {
                k: state[k] for k in ("step", "tokens", "seconds", "best_perplexity")}})

        def checkpoint_now():
            save_checkpoint(out, model, optimizer, vocab, state)

        def evaluate() -> bool:
            """Measure held-out perplexity; keep the best; True when patience is out."""
            ppl = heldout_perplexity(model, vocab, heldout, train_cfg.batch_size)
            state["history"].append({"step": state["step"],
                                     "epoch": round(state["step"] / steps_per_epoch, 2),
                                     "heldout_perplexity": ppl})
            best = state["best_perplexity"]
            if best is None or ppl < best:
                state["best_perplexity"], state["bad_evals"] = ppl, 0
                save_best()
                say(f"step {state['step']}: held-out perplexity {ppl:.1f} (best so far, saved)")
            else:
                state["bad_evals"] += 1
                say(f"step {state['step']}: held-out perplexity {ppl:.1f} "
                    f"(best {best:.1f}; {state['bad_evals']}/{train_cfg.patience} without improvement)")
            return state["bad_evals"] >= train_cfg.patience

        start = time.perf_counter()
        seconds_before = state["seconds"]
        tokens_run = 0
        stopped = "completed"
        last_ppl = None
        try:
            while state["epoch"] < train_cfg.epochs and stopped == "completed":
                batches = _epoch_batches(len(train), lengths, train_cfg.batch_size,
                                         train_cfg.seed, state["epoch"])
                while state["step_in_epoch"] < len(batches):
                    index = batches[state["step_in_epoch"]]
                    batch = model.batch([train[i] for i in index], vocab)
                    loss = model.loss(batch)
                    optimizer.zero_grad(set_to_none=True)
                    loss.total.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), train_cfg.clip_norm)
                    optimizer.step()
                    state["step"] += 1
                    state["step_in_epoch"] += 1
                    state["tokens"] += batch.n_tokens
                    tokens_run += batch.n_tokens
                    elapsed = time.perf_counter() - start
                    state["seconds"] = seconds_before + elapsed
                    end_of_epoch = state["step_in_epoch"] == len(batches)
                    if end_of_epoch:
                        state["epoch"] += 1
                        state["step_in_epoch"] = 0
                    evaluate_now = end_of_epoch if train_cfg.eval_every is None else (
                        state["step"] % train_cfg.eval_every == 0)
                    if evaluate_now:
                        if evaluate():
                            stopped = "early_stopping"
                        last_ppl = state["history"][-1]["heldout_perplexity"]
                    if state["step"] % train_cfg.checkpoint_every == 0 or end_of_epoch:
                        checkpoint_now()
                    if on_progress is not None:
                        done = state["step"]
                        total = steps_per_epoch * train_cfg.epochs
                        rate = elapsed / max(state["step"] - (resumed or 0), 1)
                        on_progress(Progress(
                            epoch=state["epoch"] + (0 if end_of_epoch else 1),
                            epochs=train_cfg.epochs, step=done,
                            steps_per_epoch=steps_per_epoch,
                            tokens_per_second=tokens_run / max(elapsed, 1e-9),
                            loss=float(loss.total.detach()), seconds=state["seconds"],
                            eta_seconds=rate * max(total - done, 0), heldout_perplexity=last_ppl))
                    if (stopped == "completed" and train_cfg.max_minutes is not None
                            and elapsed > 60 * train_cfg.max_minutes):
                        stopped = "time_limit"
                    if stopped != "completed" or end_of_epoch:
                        break
        except KeyboardInterrupt:
            checkpoint_now()
            say(f"interrupted at step {state['step']}: checkpoint saved in {out / 'checkpoint'}; "
                f"run the same command again to resume")
            raise
        if stopped == "time_limit":
            if not state["history"] or state["history"][-1]["step"] != state["step"]:
                evaluate()
            checkpoint_now()
            say(f"time limit of {train_cfg.max_minutes:g} minutes reached at step "
                f"{state['step']}; the best model is saved, and running again resumes training")
        else:
            if not state["history"]:
                evaluate()
            remove_checkpoint(out)
    return PretrainResult(out, state["epoch"], state["step"], state["tokens"], state["seconds"],
                          state["best_perplexity"], state["history"], stopped, resumed)


def _plain(config: PretrainConfig) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    if len(data["corpus"]["texts"]) > 20:
        data["corpus"]["texts"] = f"<{len(data['corpus']['texts'])} texts given inline>"
    return data
