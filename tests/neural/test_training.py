"""The shared fit loop: early stopping, exact resume, time limit, seeding, clipping, progress."""

import numpy as np
import pytest
import torch

from textpipe.errors import ModelError
from textpipe.neural.training import (Callback, Checkpoint, EarlyStopping, OnEpochStart,
                                      OnProgress, ProgressBar, StepOutput, TimeLimit, Trainer,
                                      TrainingState, restore_checkpoint, seeded)

X = torch.linspace(-1, 1, 48).reshape(24, 2)
Y = (X.sum(1) > 0).long()


def _model(seed=0, dropout=0.3):
    with seeded(seed):
        return torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Dropout(dropout),
                                   torch.nn.Tanh(), torch.nn.Linear(8, 2))


def _batches(seed, epoch):
    order = np.random.default_rng([seed, epoch]).permutation(len(X))
    return [order[i:i + 6] for i in range(0, len(order), 6)]


def _trainer(model, *, seed=0, max_epochs=3, scheduler=False, **kw):
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = (torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 / (1 + step))
             if scheduler else None)

    def step(batch):
        return torch.nn.functional.cross_entropy(model(X[batch]), Y[batch])

    return Trainer(model, optimizer, step, _batches, max_epochs=max_epochs, seed=seed,
                   scheduler=sched, **kw)


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class _Scores:
    """An evaluation giving scripted scores, remembering the weights at each one."""

    def __init__(self, model, scores):
        self.model, self.scores, self.weights = model, list(scores), []

    def __call__(self):
        self.weights.append(_weights(self.model))
        return {"score": self.scores[len(self.weights) - 1]}


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model = _model()
    scores = _Scores(model, [3.0, 1.0, 2.0, 2.5, 0.5, 0.1])
    state = _trainer(model, max_epochs=6, evaluate=scores, monitor="score",
                     callbacks=[EarlyStopping(patience=2)]).fit()
    assert state.stop_reason == "early_stopping" and state.epoch == 4
    assert state.best_score == 1.0 and state.best_epoch == 2 and state.bad_evals == 2
    assert [r["score"] for r in state.history] == [3.0, 1.0, 2.0, 2.5]
    assert _same(_weights(model), scores.weights[1])
    assert not _same(_weights(model), scores.weights[3])


def test_maximised_scores_are_tracked_with_mode_max():
    model = _model()
    state = _trainer(model, max_epochs=3, evaluate=_Scores(model, [0.5, 0.9, 0.7]),
                     monitor="score", mode="max").fit()
    assert state.best_score == 0.9 and state.best_step == 8 and state.bad_evals == 1


class _InterruptAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_step_end(self, trainer):
        if trainer.state.step == self.step:
            raise KeyboardInterrupt


@pytest.mark.parametrize("every_steps, interrupt_at", [(1, 5), (None, 9), (3, 6)])
def test_a_resumed_fit_ends_with_the_weights_of_an_uninterrupted_one(tmp_path, every_steps,
                                                                     interrupt_at):
    straight = _model()
    expected = _trainer(straight, scheduler=True, eval_every=5, clip_norm=1.0).fit()
    model = _model()
    with pytest.raises(KeyboardInterrupt):
        _trainer(model, scheduler=True, eval_every=5, clip_norm=1.0,
                 callbacks=[Checkpoint(tmp_path, every_steps=every_steps),
                            _InterruptAt(interrupt_at)]).fit()
    assert (tmp_path / "checkpoint.pt").is_file()
    torch.manual_seed(99)  # whatever the caller's random state, the checkpoint's is used
    fresh = _model(seed=5)  # weights, optimizer and scheduler all come from the checkpoint
    resumed = _trainer(fresh, scheduler=True, eval_every=5, clip_norm=1.0,
                       callbacks=[Checkpoint(tmp_path)]).resume(tmp_path)
    assert _same(_weights(fresh), _weights(straight))
    assert resumed.step == expected.step == 12 and resumed.tokens == expected.tokens
    strip = [[{k: v for k, v in r.items() if k != "seconds"} for r in s.history]
             for s in (resumed, expected)]
    assert strip[0] == strip[1]
    assert not (tmp_path / "checkpoint.pt").exists()  # finished: the checkpoint is removed


def test_a_resumed_fit_with_early_stopping_ends_with_the_best_weights_seen_before_it(tmp_path):
    def fit(model, callbacks):
        trainer = _trainer(model, max_epochs=4, evaluate=_Scores(model, [2.0, 1.0, 3.0, 4.0]),
                           monitor="score", callbacks=[EarlyStopping(patience=5), *callbacks])
        return trainer, trainer.resume(tmp_path)

    straight = _model()
    fit(straight, [])
    with pytest.raises(KeyboardInterrupt):
        fit(_model(), [Checkpoint(tmp_path), _InterruptAt(13)])
    resumed = _model(seed=3)
    _, state = fit(resumed, [Checkpoint(tmp_path)])
    assert state.best_epoch == 2 and _same(_weights(resumed), _weights(straight))


def test_time_limit_stops_after_the_current_step_says_why_and_leaves_a_checkpoint(tmp_path):
    model = _model()
    state = _trainer(model, callbacks=[TimeLimit(1e-9), Checkpoint(tmp_path)]).fit()
    assert state.stop_reason == "time_limit" and state.step == 1 and state.epoch == 0
    longer = _trainer(model, max_epochs=2).resume(tmp_path)
    assert longer.stop_reason == "completed" and longer.step == 8


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    runs = []
    for seed in (0, 0, 1):
        model = _model()
        _trainer(model, seed=seed).fit()
        runs.append(_weights(model))
    assert _same(runs[0], runs[1]) and not _same(runs[0], runs[2])


def test_a_fit_leaves_the_global_random_states_as_they_were():
    model = _model()
    torch.manual_seed(123)
    np.random.seed(7)
    expected = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(7)
    _trainer(model, callbacks=[OnEpochStart(lambda epoch: np.random.rand(5))]).fit()
    assert torch.equal(torch.rand(3), expected[0]) and np.array_equal(np.random.rand(3),
                                                                      expected[1])


def test_gradients_are_clipped_to_clip_norm_before_each_step():
    model = torch.nn.Linear(2, 1)
    before = _weights(model)
    x = torch.full((4, 2), 100.0)
    trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=1.0),
                      lambda batch: (model(x[batch]) ** 2).mean(), lambda s, e: [[0, 1, 2, 3]],
                      max_epochs=1, clip_norm=0.01)
    trainer.fit()
    moved = torch.cat([(model.state_dict()[k] - before[k]).flatten() for k in before])
    assert moved.norm().item() == pytest.approx(0.01, rel=1e-4)


def test_the_scheduler_is_stepped_after_every_optimizer_step():
    model = _model()
    seen = []
    trainer = _trainer(model, scheduler=True)
    trainer.callbacks.append(OnProgress(lambda r: seen.append(
        trainer.optimizer.param_groups[0]["lr"])))
    trainer.fit()
    assert trainer.scheduler.last_epoch == 12
    assert seen == pytest.approx([0.05 / (1 + step) for step in range(1, 13)])


def test_progress_reports_tokens_per_second_after_every_step():
    model = torch.nn.Linear(2, 2)
    reports = []
    trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.1),
                      lambda batch: StepOutput(model(X[batch]).pow(2).mean(), tokens=10 * len(batch)),
                      _batches, max_epochs=2, callbacks=[OnProgress(reports.append)])
    state = trainer.fit()
    assert [r.step for r in reports] == list(range(1, 9))
    assert all(r.tokens_per_second > 0 and r.tokens_per_second == pytest.approx(
        10 * r.examples_per_second) for r in reports)
    assert [r.epoch for r in reports] == [1] * 4 + [2] * 4 and reports[-1].eta_seconds == 0
    assert state.tokens == 10 * state.examples == 480
    assert all(np.isfinite(r.loss) for r in reports)


def test_the_progress_bar_prints_a_line_per_epoch_when_stderr_is_no_terminal(capsys):
    _trainer(_model(), max_epochs=2, callbacks=[ProgressBar("toy")]).fit()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("toy epoch 1") and "examples/s" in lines[0]


def test_the_progress_bar_on_a_terminal_shows_the_rate_and_the_epoch_lines():
    import io

    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    _trainer(_model(), max_epochs=2, callbacks=[ProgressBar("toy", unit="tokens",
                                                            console=console)]).fit()
    text = out.getvalue()
    assert "tokens/s" in text and "toy epoch 2" in text


def test_history_rows_hold_the_mean_training_loss_and_the_metrics():
    model = _model(dropout=0.0)
    state = _trainer(model, evaluate=lambda: {"valid": 1.5}).fit()
    assert [r["epoch"] for r in state.history] == [1, 2, 3]
    assert all(r["valid"] == 1.5 and r["train_loss"] > 0 and r["seconds"] >= 0
               for r in state.history)
    assert state.history[-1]["train_loss"] < state.history[0]["train_loss"]


def test_a_damaged_checkpoint_is_refused_naming_the_file(tmp_path):
    model = _model()
    _trainer(model, callbacks=[TimeLimit(1e-9), Checkpoint(tmp_path)]).fit()
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelError, match="checkpoint.pt' cannot be resumed") as info:
        restore_checkpoint(tmp_path, model, torch.optim.Adam(model.parameters()))
    assert "E620" in str(info.value)
    assert restore_checkpoint(tmp_path / "none", model, None) is None


def test_a_training_state_round_trips_and_its_problems_are_named():
    state = TrainingState(epoch=2, step=7, best_score=0.5, history=[{"step": 7}])
    assert TrainingState.from_dict({**state.to_dict(), "other": 1}) == state
    assert TrainingState.problem(state.to_dict()) is None
    assert TrainingState.problem({"step": "three"}) == "has an invalid 'step': 'three'"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_fit_on_a_gpu_resumes_exactly_and_keeps_its_loss_on_the_device(tmp_path):
    def fit(callbacks, seed=0):
        model = _model(seed).cuda()
        trainer = _trainer(model, scheduler=True, clip_norm=1.0, callbacks=callbacks)
        trainer.step_loss = lambda batch: torch.nn.functional.cross_entropy(
            model(X[batch].cuda()), Y[batch].cuda())
        return model, trainer.resume(tmp_path)

    straight, expected = fit([])
    with pytest.raises(KeyboardInterrupt):
        fit([Checkpoint(tmp_path, every_steps=1), _InterruptAt(7)])
    resumed, state = fit([Checkpoint(tmp_path)], seed=4)
    assert _same(_weights(resumed), _weights(straight)) and state.step == expected.step
