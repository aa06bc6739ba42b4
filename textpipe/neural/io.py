"""A pretrained biLM on disk: a folder of plain files, no pickles.

::

    bilm/
      weights.safetensors   the model's tensors
      config.json           sizes (BiLMConfig) and what it was trained on
      vocab.json            word and character vocabularies

While training, ``checkpoint/`` inside it holds what resuming needs: the
latest weights, the optimizer's state and the random-number state
(safetensors), and the position in training (JSON).

Examples
--------
>>> import tempfile, torch
>>> from textpipe.neural.vocab import Vocabulary
>>> from textpipe.neural.bilm import BiLM, BiLMConfig
>>> vocab = Vocabulary.build([["a", "b"]], min_count=1)
>>> model = BiLM(BiLMConfig.small(vocab))
>>> folder = save_bilm(tempfile.mkdtemp(), model, vocab, info={"note": "doctest"})
>>> loaded, loaded_vocab, info = load_bilm(folder)
>>> info["note"], loaded_vocab == vocab
('doctest', True)
>>> all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
...                                       loaded.state_dict().values()))
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from ..errors import Errors, ModelError
from .bilm import BiLM, BiLMConfig
from .folder import CONFIG_FILE, VOCAB_FILE, WEIGHTS_FILE, bilm_folder_problem
from .vocab import Vocabulary

CHECKPOINT_DIR = "checkpoint"
STATE_FILE = "state.json"  # in CHECKPOINT_DIR, with VOCAB_FILE
TENSORS_FILE = "state.safetensors"
CHECKPOINT_FILES = (STATE_FILE, TENSORS_FILE, VOCAB_FILE)
FORMAT = "textpipe-bilm"


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _save_tensors(tensors: dict, path: Path) -> None:
    from safetensors.torch import save_file

    tmp = path.with_suffix(".tmp")
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
    os.replace(tmp, path)


def save_bilm(folder, model: BiLM, vocab: Vocabulary, info: dict | None = None) -> Path:
    """Write ``model`` and ``vocab`` to ``folder`` (created if needed); return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _save_tensors(model.state_dict(), folder / WEIGHTS_FILE)
    vocab.save(folder / VOCAB_FILE)
    _write_json(folder / CONFIG_FILE, {"format": FORMAT, "version": 1,
                                       "model": model.config.to_dict(), **(info or {})})
    return folder


def load_bilm(folder) -> tuple[BiLM, Vocabulary, dict]:
    """Read a biLM folder; return the model (in eval mode), its vocabulary and the config info.

    Raises
    ------
    ModelError
        If the folder or one of its files is missing (saying how to pretrain one),
        or a file cannot be read.
    """
    folder = Path(folder).expanduser()
    missing = bilm_folder_problem(folder)
    if missing:
        raise ModelError(Errors.E601.format(path=folder, missing=missing))
    try:
        info = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        if info.get("format") != FORMAT:
            raise ModelError(Errors.E610.format(file=CONFIG_FILE, got=info.get("format"),
                                                expected=FORMAT))
        config = BiLMConfig.from_dict(info["model"])
        vocab = Vocabulary.load(folder / VOCAB_FILE)
        from safetensors.torch import load_file

        state = load_file(str(folder / WEIGHTS_FILE))
        model = BiLM(config)
        model.load_state_dict(state)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise ModelError(Errors.E602.format(path=folder, reason=exc)) from None
    return model.eval(), vocab, info


# -- checkpoints ------------------------------------------------------------------


def save_checkpoint(folder, model: BiLM, optimizer, vocab: Vocabulary, state: dict) -> Path:
    """Write everything needed to resume training to ``folder/checkpoint``."""
    ckpt = Path(folder) / CHECKPOINT_DIR
    ckpt.mkdir(parents=True, exist_ok=True)
    opt = optimizer.state_dict()
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    scalars = {}
    for index, param_state in opt["state"].items():
        for key, value in param_state.items():
            if torch.is_tensor(value):
                tensors[f"optim.{index}.{key}"] = value
            else:
                scalars[f"{index}.{key}"] = value
    tensors["rng.torch"] = torch.get_rng_state()
    _save_tensors(tensors, ckpt / TENSORS_FILE)
    vocab.save(ckpt / VOCAB_FILE)
    _write_json(ckpt / STATE_FILE, {**state, "param_groups": opt["param_groups"],
                                    "optimizer_scalars": scalars})
    return ckpt


# What state.json must hold, and the types its values must have.
_COUNTS = ("epoch", "step_in_epoch", "step", "tokens", "bad_evals")
_STATE_TYPES = {"fingerprint": str, "seconds": (int, float), "history": list,
                "param_groups": list, "optimizer_scalars": dict,
                **{name: int for name in _COUNTS}}


def _damaged(ckpt: Path, file: str, reason: str) -> ModelError:
    return ModelError(Errors.E904.format(file=ckpt / file, reason=reason))


def _state_problem(state) -> str | None:
    """What is wrong with the content of a checkpoint's state.json, or None."""
    if not isinstance(state, dict):
        return f"holds {type(state).__name__}, not an object"
    for name, kind in _STATE_TYPES.items():
        if name not in state:
            return f"has no '{name}'"
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, kind) or (
                name in _COUNTS and value < 0):
            return f"has an invalid '{name}': {value!r}"
    best = state.get("best_perplexity")
    if best is not None and (isinstance(best, bool) or not isinstance(best, (int, float))):
        return f"has an invalid 'best_perplexity': {best!r}"
    if not all(isinstance(entry, dict) and isinstance(entry.get("step"), int)
               for entry in state["history"]):
        return "has an invalid 'history'"
    if not all(isinstance(group, dict) for group in state["param_groups"]):
        return "has an invalid 'param_groups'"
    return None


def load_checkpoint(folder) -> dict | None:
    """The checkpoint in ``folder/checkpoint`` as a dict, or None if there is none.

    Raises
    ------
    ModelError
        If the checkpoint is damaged: one of its files missing, cut short or
        edited. The message names the file and says how to start over.
    """
    ckpt = Path(folder) / CHECKPOINT_DIR
    missing = [name for name in CHECKPOINT_FILES if not (ckpt / name).is_file()]
    if len(missing) == len(CHECKPOINT_FILES):
        return None
    if missing:
        raise _damaged(ckpt, missing[0], "is missing")
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        state = json.loads((ckpt / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
        raise _damaged(ckpt, STATE_FILE, f"cannot be read ({exc})") from None
    problem = _state_problem(state)
    if problem:
        raise _damaged(ckpt, STATE_FILE, problem)
    try:
        state["tensors"] = load_file(str(ckpt / TENSORS_FILE))
    except (OSError, SafetensorError) as exc:
        raise _damaged(ckpt, TENSORS_FILE, f"cannot be read ({exc})") from None
    try:
        state["vocab"] = Vocabulary.load(ckpt / VOCAB_FILE)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(ckpt, VOCAB_FILE, f"cannot be read ({exc!r})") from None
    state["directory"] = ckpt
    return state


def restore_checkpoint(state: dict, model: BiLM, optimizer) -> None:
    """Put a loaded checkpoint's weights, optimizer state and RNG state back in place.

    Raises
    ------
    ModelError
        If the weights or the optimizer's state do not fit the model (an edited
        checkpoint).
    """
    tensors = state["tensors"]
    try:
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        opt_state: dict = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, index, name = key.split(".", 2)
                opt_state.setdefault(int(index), {})[name] = value
        for key, value in state["optimizer_scalars"].items():
            index, name = key.split(".", 1)
            opt_state.setdefault(int(index), {})[name] = value
        optimizer.load_state_dict({"state": opt_state, "param_groups": state["param_groups"]})
        torch.set_rng_state(tensors["rng.torch"])
    except (KeyError, ValueError, TypeError, RuntimeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        raise _damaged(state.get("directory", Path(CHECKPOINT_DIR)), TENSORS_FILE,
                       f"does not fit the model that {STATE_FILE} and {VOCAB_FILE} describe "
                       f"({reason})") from None


def remove_checkpoint(folder) -> None:
    """Delete ``folder/checkpoint`` (after training has finished)."""
    ckpt = Path(folder) / CHECKPOINT_DIR
    if ckpt.is_dir():
        for path in ckpt.iterdir():
            path.unlink()
        ckpt.rmdir()
