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
from .vocab import Vocabulary

WEIGHTS_FILE = "weights.safetensors"
CONFIG_FILE = "config.json"
VOCAB_FILE = "vocab.json"
CHECKPOINT_DIR = "checkpoint"
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
    missing = [name for name in (WEIGHTS_FILE, CONFIG_FILE, VOCAB_FILE)
               if not (folder / name).is_file()]
    if missing:
        what = "the folder" if not folder.is_dir() else ", ".join(missing)
        raise ModelError(Errors.E601.format(path=folder, missing=what))
    try:
        info = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        if info.get("format") != FORMAT:
            raise ValueError(f"{CONFIG_FILE} has format {info.get('format')!r}, not {FORMAT!r}")
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
    _save_tensors(tensors, ckpt / "state.safetensors")
    vocab.save(ckpt / VOCAB_FILE)
    _write_json(ckpt / "state.json", {**state, "param_groups": opt["param_groups"],
                                      "optimizer_scalars": scalars})
    return ckpt


def load_checkpoint(folder) -> dict | None:
    """The checkpoint in ``folder/checkpoint`` as a dict, or None if there is none."""
    ckpt = Path(folder) / CHECKPOINT_DIR
    if not (ckpt / "state.json").is_file():
        return None
    from safetensors.torch import load_file

    state = json.loads((ckpt / "state.json").read_text(encoding="utf-8"))
    state["tensors"] = load_file(str(ckpt / "state.safetensors"))
    state["vocab"] = Vocabulary.load(ckpt / VOCAB_FILE)
    return state


def restore_checkpoint(state: dict, model: BiLM, optimizer) -> None:
    """Put a loaded checkpoint's weights, optimizer state and RNG state back in place."""
    tensors = state["tensors"]
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    opt_state: dict = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            opt_state.setdefault(int(index), {})[name] = value
    for key, value in state.get("optimizer_scalars", {}).items():
        index, name = key.split(".", 1)
        opt_state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": opt_state, "param_groups": state["param_groups"]})
    torch.set_rng_state(tensors["rng.torch"])


def remove_checkpoint(folder) -> None:
    """Delete ``folder/checkpoint`` (after training has finished)."""
    ckpt = Path(folder) / CHECKPOINT_DIR
    if ckpt.is_dir():
        for path in ckpt.iterdir():
            path.unlink()
        ckpt.rmdir()
