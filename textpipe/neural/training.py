"""One fit loop for every neural model: steps, evaluations, callbacks, seeding and resuming.

A :class:`Trainer` runs optimizer steps over the batches of each epoch and, at
each epoch's end (or every ``eval_every`` steps), records a row of
:attr:`TrainingState.history`: the mean training loss since the last row and
what the optional ``evaluate`` function measured. With a ``monitor`` (the key
of ``evaluate``'s result to watch) it keeps the best score and counts
evaluations without improvement. The rest is done by callbacks, run in list
order (:class:`EarlyStopping` last):

- :class:`EarlyStopping`: stop after ``patience`` evaluations without
  improvement; put the best weights back at the end (kept in memory);
- :class:`Checkpoint`: weights, optimizer, scheduler, random-number states and
  the :class:`TrainingState` in a folder, every N steps and/or each epoch;
  :func:`restore_checkpoint` puts them back so that the resumed fit ends with the
  same weights as an uninterrupted one;
- :class:`TimeLimit`: stop cleanly after the step that passes ``max_minutes``;
- :class:`ProgressBar` (rich, on stderr) and :class:`OnProgress` (a function
  called with a :class:`ProgressReport` after each step).

A ``scheduler`` is stepped after every optimizer step (:func:`warmup_linear_decay`
makes the usual warm-up then linear decay); ``clip_norm`` clips the gradients.

The batches of epoch ``e`` come from ``epoch_batches(seed, e)``, so a resumed fit
sees the same batches. A fit runs inside :func:`seeded`: torch's and numpy's
global random states are forked (the caller's are as they were afterwards) and,
unless it resumes, seeded with ``seed``; on CPU the same seed gives the same
weights.

Examples
--------
>>> import torch
>>> model = torch.nn.Linear(2, 1)
>>> x, y = torch.randn(32, 2), torch.randn(32, 1)
>>> trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.1),
...                   lambda batch: torch.nn.functional.mse_loss(model(x[batch]), y[batch]),
...                   lambda seed, epoch: [list(range(0, 16)), list(range(16, 32))],
...                   max_epochs=3, seed=0)
>>> state = trainer.fit()
>>> state.epoch, state.step, state.examples, state.stop_reason
(3, 6, 96, 'completed')
>>> sorted(state.history[0])
['epoch', 'seconds', 'step', 'train_loss']
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, Sequence

import numpy as np
import torch

from ..errors import Errors, ModelError

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "OnEpochStart", "OnProgress", "ProgressBar",
           "ProgressReport", "StepOutput", "TimeLimit", "Trainer", "TrainingState",
           "Saved", "length_batches", "restore_checkpoint", "seeded", "warmup_linear_decay"]

STOP_REASONS = ("completed", "early_stopping", "time_limit", "interrupted")


# -- state ---------------------------------------------------------------------------


@dataclass
class TrainingState:
    """Where a fit is: counters, the best score, the history; all a resume needs besides tensors.

    ``epoch`` counts completed epochs and ``step_in_epoch`` the steps done in the
    current one. ``seconds`` is training time over all sessions of a resumed fit.
    ``running_loss``/``running_examples`` sum the training loss since the last
    history row. ``history`` holds one dict per evaluation point (each epoch's end,
    or every ``eval_every`` steps): ``epoch`` (fractional mid-epoch), ``step``,
    ``train_loss``, the evaluation's metrics, and ``seconds`` since the last row.
    """

    epoch: int = 0
    step_in_epoch: int = 0
    step: int = 0
    tokens: int = 0
    examples: int = 0
    seconds: float = 0.0
    best_score: float | None = None
    best_epoch: float | None = None
    best_step: int | None = None
    bad_evals: int = 0
    running_loss: float = 0.0
    running_examples: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The state as plain JSON-able values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingState:
        """The state saved by :meth:`to_dict` (other keys ignored); check it with :meth:`problem`."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    @classmethod
    def problem(cls, data: dict[str, Any]) -> str | None:
        """What is wrong with saved state ``data`` (a field of the wrong type), or None."""
        kinds = {"seconds": (int, float), "best_score": (int, float, type(None)),
                 "best_epoch": (int, float, type(None)), "best_step": (int, type(None)),
                 "running_loss": (int, float), "history": list,
                 "stop_reason": (str, type(None))}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            kind = kinds.get(f.name, int)
            if isinstance(value, bool) or not isinstance(value, kind) or (
                    kind is int and value < 0):
                return f"has an invalid '{f.name}': {value!r}"
        if not all(isinstance(row, dict) for row in data.get("history", [])):
            return "has an invalid 'history'"
        return None


@dataclass
class StepOutput:
    """What a step function may return instead of a bare loss: the loss and what it covered.

    ``examples`` defaults to ``len(batch)``, ``tokens`` to ``examples``.
    """

    loss: torch.Tensor
    examples: int | None = None
    tokens: int | None = None


@dataclass
class ProgressReport:
    """How a fit is going, after a step (for progress bars and logs)."""

    epoch: int  # the epoch the step belongs to, from 1
    max_epochs: int
    step: int
    steps_per_epoch: int
    loss: float
    tokens_per_second: float
    examples_per_second: float
    seconds: float
    eta_seconds: float | None
    last_record: dict[str, Any] | None


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Fork torch's and numpy's global random states inside the block; seed them if ``seed``.

    Whatever the block draws, the caller's random states are as they were afterwards.

    Examples
    --------
    >>> _ = torch.manual_seed(1); expected = torch.rand(1); _ = torch.manual_seed(1)
    >>> with seeded(0):
    ...     _ = torch.rand(5)
    >>> torch.equal(torch.rand(1), expected)
    True
    """
    numpy_state = np.random.get_state()
    with torch.random.fork_rng(devices=_cuda_devices()):
        if seed is not None:
            torch.manual_seed(seed)
            np.random.seed(seed % 2**32)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)


def _cuda_devices() -> list[int]:
    return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []


# -- the loop ------------------------------------------------------------------------


class Callback:
    """Hooks called by :class:`Trainer`; override those you need. ``order``: later runs later.

    Any object with some of these methods (and optionally ``order``) serves as well.
    """

    order: ClassVar[int] = 0

    def on_fit_start(self, trainer: Trainer) -> None:
        """Before the first step of this session (resumed or not)."""

    def on_epoch_start(self, trainer: Trainer) -> None:
        """Before an epoch's first step of this session (also when resuming mid-epoch)."""

    def on_step_end(self, trainer: Trainer) -> None:
        """After each step, its evaluation included; ``trainer.end_of_epoch`` says if last."""

    def on_record(self, trainer: Trainer, record: dict[str, Any], improved: bool) -> None:
        """After a history row is added (``improved``: a better monitored score)."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """After the last step; ``trainer.state.stop_reason`` says why it stopped."""

    def on_interrupt(self, trainer: Trainer) -> None:
        """On KeyboardInterrupt, before it propagates."""


class Trainer:
    """Fit ``model`` with ``optimizer`` over seeded epochs of batches; see the module notes.

    Parameters
    ----------
    model : torch.nn.Module
        Put in training mode before each epoch and after each evaluation.
    optimizer : torch.optim.Optimizer
    step_loss : callable
        ``step_loss(batch)``: the batch's loss (a scalar tensor), or a :class:`StepOutput`.
    epoch_batches : callable
        ``epoch_batches(seed, epoch)``: the batches of epoch ``epoch`` (from 0), a sequence.
    max_epochs : int
    scheduler : torch.optim.lr_scheduler.LRScheduler, optional
        Stepped after every optimizer step.
    evaluate : callable, optional
        ``evaluate()``: a dict of metrics, measured at each evaluation point.
    monitor : str, optional
        The metric whose best value is tracked (needs ``evaluate``).
    mode : {"min", "max"}, default="min"
    eval_every : int, optional
        Steps between evaluation points; None: at each epoch's end.
    clip_norm : float, optional
        Clip the gradients' total norm to this before each step.
    callbacks : sequence of Callback
    seed : int, default=0
        Seeds the global random states at the start of a fresh fit, and the batches.
    """

    def __init__(self, model, optimizer, step_loss: Callable, epoch_batches: Callable, *,
                 max_epochs: int, scheduler=None, evaluate: Callable | None = None,
                 monitor: str | None = None, mode: str = "min", eval_every: int | None = None,
                 clip_norm: float | None = None, callbacks: Sequence[Callback] = (),
                 seed: int = 0):
        self.model = model
        self.optimizer = optimizer
        self.step_loss = step_loss
        self.epoch_batches = epoch_batches
        self.max_epochs = max_epochs
        self.scheduler = scheduler
        self.evaluate_fn = evaluate
        self.monitor = monitor
        self.mode = mode
        self.eval_every = eval_every
        self.clip_norm = clip_norm
        self.callbacks = sorted(callbacks, key=lambda c: getattr(c, "order", 0))
        self.seed = seed
        self.state = TrainingState()
        self.steps_per_epoch = 0
        self.end_of_epoch = False
        self.last_loss: torch.Tensor | None = None

    # -- running ------------------------------------------------------------------

    def fit(self, state: TrainingState | None = None, *,
            rng_states: dict[str, Any] | None = None) -> TrainingState:
        """Train until ``max_epochs`` or a callback stops it; the final state.

        Given a ``state`` (e.g. from :func:`restore_checkpoint`), continue from it with
        the global random states ``rng_states`` (None: as they are now) instead of
        seeding them. :meth:`resume` does both from a :class:`Checkpoint` folder.
        """
        self.state = state if state is not None else TrainingState()
        self.state.stop_reason = None
        self._stop: str | None = None
        self._pending: torch.Tensor | None = None  # the summed loss, on the loss's device
        self._session_start = time.perf_counter()
        self._seconds_before = self.state.seconds
        self._session = {"steps": 0, "tokens": 0, "examples": 0}
        self._row_start = self.state.seconds
        self._params = [p for p in self.model.parameters()]
        with seeded(self.seed if state is None and rng_states is None else None):
            if rng_states is not None:
                set_rng_states(rng_states)
            self._call("on_fit_start")
            try:
                while self.state.epoch < self.max_epochs and self._stop is None:
                    self._run_epoch()
            except KeyboardInterrupt:
                self.sync()
                self.state.stop_reason = "interrupted"
                self._call("on_interrupt")
                raise
            self.state.stop_reason = self._stop or "completed"
            self._call("on_fit_end")
        return self.state

    def resume(self, folder) -> TrainingState:
        """Continue the fit saved by a :class:`Checkpoint` in ``folder``, or start one."""
        saved = restore_checkpoint(folder, self.model, self.optimizer, self.scheduler)
        if saved is None:
            return self.fit()
        for callback in self.callbacks:
            if isinstance(callback, EarlyStopping):
                callback.best_weights = saved.best_weights
        return self.fit(saved.state, rng_states=saved.rng_states)

    def stop(self, reason: str) -> None:
        """Ask the loop to stop after the current step (the first reason given is kept)."""
        if self._stop is None:
            self._stop = reason

    @property
    def session_seconds(self) -> float:
        """Seconds since this session's fit started."""
        return time.perf_counter() - self._session_start

    def _call(self, hook: str, *args) -> None:
        for callback in self.callbacks:
            method = getattr(callback, hook, None)  # a callback may define only some hooks
            if method is not None:
                method(self, *args)

    def _run_epoch(self) -> None:
        batches = self.epoch_batches(self.seed, self.state.epoch)
        self.steps_per_epoch = len(batches)
        self.model.train()
        self.end_of_epoch = False
        self._call("on_epoch_start")
        for index in range(self.state.step_in_epoch, len(batches)):
            self._step(batches[index])
            self.end_of_epoch = self.state.step_in_epoch == len(batches)
            if self.end_of_epoch:
                self.state.epoch += 1
                self.state.step_in_epoch = 0
            if (self.end_of_epoch if self.eval_every is None
                    else self.state.step % self.eval_every == 0):
                self.evaluate()
            self._call("on_step_end")
            if self._stop is not None:
                return
        if not batches:  # nothing to train on: count the epoch, record it
            self.state.epoch += 1
            self.end_of_epoch = True
            self.evaluate()

    def _step(self, batch) -> None:
        out = self.step_loss(batch)
        if not isinstance(out, StepOutput):
            out = StepOutput(out)
        examples = out.examples if out.examples is not None else _size(batch)
        self.optimizer.zero_grad(set_to_none=True)
        out.loss.backward()
        if self.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(self._params, self.clip_norm)
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        loss = out.loss.detach()
        self.last_loss = loss
        if self._pending is None:
            self._pending = torch.zeros((), device=loss.device, dtype=(
                torch.float32 if loss.device.type == "mps" else torch.float64))
        self._pending += loss.to(self._pending.dtype) * examples
        tokens = out.tokens if out.tokens is not None else examples
        s = self.state
        s.step += 1
        s.step_in_epoch += 1
        s.tokens += int(tokens)
        s.examples += int(examples)
        s.running_examples += int(examples)
        s.seconds = self._seconds_before + self.session_seconds
        self._session["steps"] += 1
        self._session["tokens"] += int(tokens)
        self._session["examples"] += int(examples)

    def sync(self) -> None:
        """Fold the training loss summed on the device into the state (one sync)."""
        pending = float(self._pending) if self._pending is not None else 0.0
        if pending:
            self.state.running_loss += pending
            self._pending.zero_()

    # -- evaluating ---------------------------------------------------------------

    def evaluate(self) -> dict[str, Any]:
        """Add a history row now: the training loss since the last row and the metrics."""
        self.sync()
        s = self.state
        done = s.epoch if s.step_in_epoch == 0 else round(
            s.epoch + s.step_in_epoch / max(self.steps_per_epoch, 1), 2)
        record: dict[str, Any] = {"epoch": done, "step": s.step}
        if s.running_examples:
            record["train_loss"] = s.running_loss / s.running_examples
        s.running_loss, s.running_examples = 0.0, 0
        if self.evaluate_fn is not None:
            record.update(self.evaluate_fn())
            self.model.train()
        s.seconds = self._seconds_before + self.session_seconds
        record["seconds"] = s.seconds - self._row_start
        self._row_start = s.seconds
        s.history.append(record)
        improved = self._track_best(record)
        self._call("on_record", record, improved)
        return record

    def _track_best(self, record: dict[str, Any]) -> bool:
        if self.monitor is None or self.monitor not in record:
            return False
        score = float(record[self.monitor])
        s = self.state
        better = s.best_score is None or (score < s.best_score if self.mode == "min"
                                          else score > s.best_score)
        if better:
            s.best_score, s.best_epoch, s.best_step, s.bad_evals = (score, record["epoch"],
                                                                    record["step"], 0)
        else:
            s.bad_evals += 1
        return better

    def report(self) -> ProgressReport:
        """A :class:`ProgressReport` of the state now (syncs the last loss)."""
        s, session = self.state, self._session
        elapsed = max(self.session_seconds, 1e-9)
        total = self.steps_per_epoch * self.max_epochs
        per_step = elapsed / max(session["steps"], 1)
        return ProgressReport(
            epoch=s.epoch + (0 if self.end_of_epoch else 1), max_epochs=self.max_epochs,
            step=s.step, steps_per_epoch=self.steps_per_epoch,
            loss=float(self.last_loss) if self.last_loss is not None else math.nan,
            tokens_per_second=session["tokens"] / elapsed,
            examples_per_second=session["examples"] / elapsed, seconds=s.seconds,
            eta_seconds=per_step * max(total - s.step, 0),
            last_record=s.history[-1] if s.history else None)


def length_batches(index: np.ndarray, lengths: np.ndarray, batch_size: int,
                   rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of documents of similar length, for a :class:`Trainer`'s epochs.

    The rows ``index`` are shuffled, cut into pools of 50 batches, each pool is
    sorted by ``lengths`` (stably) and cut into batches, and the batches are
    shuffled: little padding, yet a different mix every epoch. ``rng`` is drawn
    from twice (rows, then batches), e.g. ``np.random.default_rng([seed, epoch])``.

    Examples
    --------
    >>> batches = length_batches(np.arange(6), np.array([1, 9, 2, 8, 3, 7]), 2,
    ...                          np.random.default_rng(0))
    >>> sorted(sorted(b.tolist()) for b in batches)
    [[0, 2], [1, 3], [4, 5]]
    """
    order = index[rng.permutation(len(index))]
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start:start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def warmup_linear_decay(optimizer, warmup_steps: int, total_steps: int):
    """A per-step scheduler: learning rates rise linearly from 0 over ``warmup_steps``,
    then fall linearly to 0 at ``total_steps`` (each parameter group from its own rate).

    Examples
    --------
    >>> opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    >>> scheduler = warmup_linear_decay(opt, warmup_steps=2, total_steps=6)
    >>> rates = []
    >>> for _ in range(6):
    ...     rates.append(round(opt.param_groups[0]["lr"], 2)); opt.step(); scheduler.step()
    >>> rates
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25]
    """
    def factor(step: int) -> float:
        if step < warmup_steps:
            return step / max(warmup_steps, 1)
        return max(0.0, (total_steps - step) / max(total_steps - warmup_steps, 1))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _size(batch) -> int:
    try:
        return len(batch)
    except TypeError:
        return 1


# -- callbacks -----------------------------------------------------------------------


class EarlyStopping(Callback):
    """Stop after ``patience`` evaluations without a better monitored score.

    With ``restore_best``, a copy of the weights is kept in memory at each
    improvement and put back when the fit ends (however it ends); a :class:`Checkpoint`
    saves that copy too, so a resumed fit ends with the same weights.
    """

    order = 100  # after the others: a checkpoint saved at the end holds the last weights

    def __init__(self, patience: int, *, restore_best: bool = True):
        self.patience = patience
        self.restore_best = restore_best
        self.best_weights: dict[str, torch.Tensor] | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        if trainer.state.step == 0:
            self.best_weights = None  # a resumed fit gets them from its checkpoint

    def on_record(self, trainer: Trainer, record: dict[str, Any], improved: bool) -> None:
        if improved and self.restore_best:
            self.best_weights = {k: v.detach().clone()
                                 for k, v in trainer.model.state_dict().items()}
        if trainer.state.bad_evals >= self.patience:
            trainer.stop("early_stopping")

    def on_fit_end(self, trainer: Trainer) -> None:
        if self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)


class TimeLimit(Callback):
    """Stop after the step during which this session's fit passes ``minutes``."""

    def __init__(self, minutes: float | None):
        self.minutes = minutes

    def on_step_end(self, trainer: Trainer) -> None:
        if self.minutes is not None and trainer.session_seconds > 60 * self.minutes:
            trainer.stop("time_limit")


class OnEpochStart(Callback):
    """Call ``function`` with the epoch's number (from 0) before each epoch's steps."""

    def __init__(self, function: Callable[[int], None]):
        self.function = function

    def on_epoch_start(self, trainer: Trainer) -> None:
        self.function(trainer.state.epoch)


class OnProgress(Callback):
    """Call ``function`` with a :class:`ProgressReport` after every ``every`` steps."""

    def __init__(self, function: Callable[[ProgressReport], None], every: int = 1):
        self.function = function
        self.every = every

    def on_step_end(self, trainer: Trainer) -> None:
        if trainer.state.step % self.every == 0 or trainer.end_of_epoch:
            self.function(trainer.report())


class ProgressBar(Callback):
    """A rich progress bar on stderr with examples (or tokens) per second and the loss.

    When stderr is no terminal (a log file), one plain line per history row instead.
    """

    def __init__(self, description: str = "training", unit: str = "examples", console=None):
        self.description = description
        self.unit = unit
        self.console = console
        self._bar = None
        self._task = None

    def on_fit_start(self, trainer: Trainer) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = self.console or Console(stderr=True)
        if self.console.is_terminal:
            self._bar = Progress(TextColumn(self.description), BarColumn(),
                                 TextColumn("{task.fields[info]}", markup=False),
                                 TimeRemainingColumn(), console=self.console, transient=True)
            self._bar.start()

    def on_step_end(self, trainer: Trainer) -> None:
        if self._bar is None:
            return
        report = trainer.report()
        total = report.steps_per_epoch * report.max_epochs
        if self._task is None:
            self._task = self._bar.add_task(self.description, total=total, info="")
        rate = report.tokens_per_second if self.unit == "tokens" else report.examples_per_second
        self._bar.update(self._task, completed=report.step, total=total,
                         info=f"epoch {report.epoch}/{report.max_epochs}  "
                              f"{rate:,.0f} {self.unit}/s  loss {report.loss:.4f}")

    def on_record(self, trainer: Trainer, record: dict[str, Any], improved: bool) -> None:
        line = "  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in record.items())
        report = trainer.report()
        rate = report.tokens_per_second if self.unit == "tokens" else report.examples_per_second
        text = f"{self.description} {line}  {rate:,.0f} {self.unit}/s"
        if self._bar is not None:
            self._bar.console.print(text, highlight=False, markup=False)
        else:
            print(text, file=sys.stderr)

    def on_fit_end(self, trainer: Trainer) -> None:
        self._close()

    def on_interrupt(self, trainer: Trainer) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar, self._task = None, None


# -- checkpoints ---------------------------------------------------------------------

CHECKPOINT_FILE = "checkpoint.pt"


class Checkpoint(Callback):
    """Save what resuming needs to ``folder``: every ``every_steps`` steps and/or each epoch.

    Also on KeyboardInterrupt and when a time limit stops the fit; a fit that ends
    otherwise deletes the checkpoint (``keep=True`` keeps it). ``save`` replaces the
    writer (``save(trainer)``) for models with a format of their own.
    """

    def __init__(self, folder, *, every_steps: int | None = None, every_epoch: bool = True,
                 keep: bool = False, save: Callable[[Trainer], None] | None = None,
                 remove: Callable[[], None] | None = None):
        self.folder = Path(folder)
        self.every_steps = every_steps
        self.every_epoch = every_epoch
        self.keep = keep
        self._save = save
        self._remove = remove

    def save(self, trainer: Trainer) -> None:
        trainer.sync()
        if self._save is not None:
            self._save(trainer)
        else:
            save_checkpoint(self.folder, trainer)

    def on_step_end(self, trainer: Trainer) -> None:
        if ((self.every_steps and trainer.state.step % self.every_steps == 0)
                or (self.every_epoch and trainer.end_of_epoch)):
            self.save(trainer)

    def on_interrupt(self, trainer: Trainer) -> None:
        self.save(trainer)

    def on_fit_end(self, trainer: Trainer) -> None:
        if trainer.state.stop_reason == "time_limit" or self.keep:
            self.save(trainer)
        elif self._remove is not None:
            self._remove()
        else:
            (self.folder / CHECKPOINT_FILE).unlink(missing_ok=True)
            if self.folder.is_dir() and not any(self.folder.iterdir()):
                self.folder.rmdir()


def rng_states() -> dict[str, Any]:
    """torch's (CPU and CUDA) and numpy's global random states, as tensors and numbers."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    states = {"torch": torch.get_rng_state(),
              "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                        "has_gauss": int(has_gauss), "gauss": float(gauss)}}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def set_rng_states(states: dict[str, Any]) -> None:
    """Put back what :func:`rng_states` returned."""
    torch.set_rng_state(states["torch"])
    n = states["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["gauss"]))
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_checkpoint(folder, trainer: Trainer) -> Path:
    """Write the trainer's weights, optimizer, scheduler, RNG states and state to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"model": trainer.model.state_dict(), "optimizer": trainer.optimizer.state_dict(),
            "scheduler": (trainer.scheduler.state_dict() if trainer.scheduler is not None
                          else None),
            "rng": rng_states(), "state": trainer.state.to_dict(),
            "best": next((c.best_weights for c in trainer.callbacks
                          if isinstance(c, EarlyStopping) and c.best_weights is not None), None)}
    tmp = folder / (CHECKPOINT_FILE + ".tmp")
    torch.save(data, tmp)
    os.replace(tmp, folder / CHECKPOINT_FILE)
    return folder / CHECKPOINT_FILE


@dataclass
class Saved:
    """What :func:`restore_checkpoint` returns besides the tensors it puts in place."""

    state: TrainingState
    rng_states: dict[str, Any]
    best_weights: dict[str, torch.Tensor] | None


def restore_checkpoint(folder, model, optimizer, scheduler=None) -> Saved | None:
    """Load a :class:`Checkpoint` into the model, optimizer and scheduler.

    Returns its training state, random states (for :meth:`Trainer.fit`) and the
    best weights kept by :class:`EarlyStopping`; None when ``folder`` holds no
    checkpoint.

    Raises
    ------
    ModelError
        If the checkpoint cannot be read or does not fit the model (E620).
    """
    path = Path(folder) / CHECKPOINT_FILE
    if not path.is_file():
        return None
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
        problem = (TrainingState.problem(data["state"]) or
                   (None if torch.is_tensor(data["rng"]["torch"]) else "holds no random state"))
        if problem is None:
            model.load_state_dict(data["model"])
            optimizer.load_state_dict(data["optimizer"])
            if scheduler is not None and data["scheduler"] is not None:
                scheduler.load_state_dict(data["scheduler"])
    except Exception as exc:  # noqa: BLE001 - any failure means the file cannot be resumed
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    if problem is not None:
        raise ModelError(Errors.E620.format(file=path, reason=problem))
    return Saved(TrainingState.from_dict(data["state"]), data["rng"], data.get("best"))
