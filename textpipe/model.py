"""Save a fitted pipeline to a folder and load it back.

A saved model is a folder::

    model/
      pipeline.pkl          the fitted sklearn Pipeline, without neural weights
      weights.safetensors   every torch tensor of the pipeline (only if it has any)
      config.json           the resolved configuration it was built from
      metadata.json         labels, library versions, data fingerprint, metrics,
                            creation time and the SHA-256 of every file above

Neural weights never go into the pickle: while pickling, every torch tensor
met anywhere in the pipeline is replaced by a reference and written to
``weights.safetensors``, so a stage needs no saving code of its own.

Loading checks the checksums and the textpipe version. **Loading unpickles
Python objects: only load models you trust**, exactly as with any pickled
scikit-learn model. The weights file, being safetensors, holds no code.

Examples
--------
>>> import tempfile, textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good", "bad", "fine", "awful"], ["pos", "neg", "pos", "neg"])
>>> folder = tempfile.mkdtemp()
>>> _ = save_model(pipe, folder)
>>> load_model(folder).pipeline.predict(["good"]).tolist()
['pos']

:func:`train_model` fits a configuration on a whole dataset and saves it in one
call (``textpipe train``); :mod:`textpipe.score` scores files with a saved model.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._version import __version__
from .environment import library_versions
from .errors import ModelError

PIPELINE_FILE = "pipeline.pkl"
WEIGHTS_FILE = "weights.safetensors"
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"


@dataclass
class SavedModel:
    """A loaded model: the fitted pipeline with its configuration and metadata.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        The fitted pipeline.
    config : dict or None
        The resolved configuration it was built from.
    metadata : dict
        What ``metadata.json`` holds: labels, versions, data, metrics, checksums.
    directory : Path or None
        The folder it was loaded from.
    """

    pipeline: Any
    config: dict | None
    metadata: dict
    directory: Path | None = None

    @property
    def labels(self) -> list[str]:
        """The class labels, in the order of ``predict_proba``'s columns."""
        return self.metadata.get("labels", [])

    @property
    def identity(self) -> str:
        """A SHA-256 that changes whenever any saved file or the textpipe version does.

        It is computed from the checksums in the metadata, so two copies of
        the same model folder have the same identity.
        """
        return model_identity(self.metadata)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _TensorsOut(pickle.Pickler):
    """Pickler that sends torch tensors to a dict instead of the pickle."""

    def __init__(self, fh):
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.tensors: dict[str, Any] = {}
        self._ids: dict[int, str] = {}
        torch = sys.modules.get("torch")  # no torch loaded: no tensor can be met
        self._tensor_type = torch.Tensor if torch is not None else None

    def persistent_id(self, obj):
        if self._tensor_type is None or not isinstance(obj, self._tensor_type):
            return None
        key = self._ids.get(id(obj))
        if key is None:
            key = self._ids[id(obj)] = f"t{len(self._ids)}"
            self.tensors[key] = obj.detach().cpu().contiguous().clone()
        import torch

        is_param = isinstance(obj, torch.nn.Parameter)
        return ("tensor", key, is_param, bool(obj.requires_grad))


class _TensorsIn(pickle.Unpickler):
    """Unpickler that takes tensors back from a safetensors file."""

    def __init__(self, fh, weights_path: Path):
        super().__init__(fh)
        self._weights_path = weights_path
        self._tensors = None
        self._made: dict[str, Any] = {}

    def persistent_load(self, pid):
        kind, key, is_param, requires_grad = pid
        if kind != "tensor":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        if key not in self._made:
            import torch

            if self._tensors is None:
                from safetensors.torch import load_file

                self._tensors = load_file(str(self._weights_path))
            tensor = self._tensors[key]
            self._made[key] = (torch.nn.Parameter(tensor, requires_grad=requires_grad)
                               if is_param else tensor.requires_grad_(requires_grad))
        return self._made[key]


def _dump_pipeline(pipeline, directory: Path) -> list[str]:
    """Pickle the pipeline, its tensors to safetensors; return the files written."""
    with open(directory / PIPELINE_FILE, "wb") as fh:
        pickler = _TensorsOut(fh)
        pickler.dump(pipeline)
    weights = directory / WEIGHTS_FILE
    if not pickler.tensors:
        weights.unlink(missing_ok=True)
        return [PIPELINE_FILE]
    from safetensors.torch import save_file

    save_file(pickler.tensors, str(weights))
    return [PIPELINE_FILE, WEIGHTS_FILE]


def _load_pipeline(directory: Path):
    with open(directory / PIPELINE_FILE, "rb") as fh:
        return _TensorsIn(fh, directory / WEIGHTS_FILE).load()


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def save_model(pipeline, directory, *, config: dict | None = None,
               metadata: dict | None = None) -> Path:
    """Save a fitted pipeline, its resolved config and metadata to ``directory``.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline.
    directory : str or Path
        Created if needed; files in it are replaced.
    config : dict, optional
        The resolved configuration (``PipelineConfig.to_dict()``).
    metadata : dict, optional
        Extra facts to record, e.g. ``{"metrics": ..., "data_fingerprint": ...}``.

    Returns
    -------
    Path
        The folder.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = _dump_pipeline(pipeline, directory)
    if config is not None:
        _write_json(directory / CONFIG_FILE, config)
        files.append(CONFIG_FILE)
    classes = getattr(pipeline, "classes_", None)
    meta = {
        "textpipe_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labels": [] if classes is None else [str(c) for c in classes],
        "predict_proba": hasattr(pipeline, "predict_proba"),
        "versions": library_versions(),
        **(metadata or {}),
        "checksums": {name: _sha256(directory / name) for name in files},
    }
    _write_json(directory / METADATA_FILE, meta)
    return directory


def _compatible(saved: str, current: str) -> bool:
    return saved.split(".")[:2] == current.split(".")[:2]


def check_model(directory, *, allow_version_mismatch: bool = False) -> dict:
    """Check a model folder without unpickling anything; return its metadata.

    The checks :func:`load_model` makes before it unpickles: the metadata can be
    read, every file is there with its checksum, and the textpipe version is
    compatible (the same major.minor), unless ``allow_version_mismatch``.

    Parameters
    ----------
    directory : str or Path
        The model folder.
    allow_version_mismatch : bool, default=False
        Accept a model saved by a different textpipe minor version.

    Returns
    -------
    dict
        The metadata.

    Examples
    --------
    >>> import tempfile, textpipe
    >>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    >>> folder = save_model(pipe.fit(["good", "bad"], ["pos", "neg"]), tempfile.mkdtemp())
    >>> meta = check_model(folder)
    >>> meta["labels"], meta["predict_proba"], sorted(meta["checksums"])
    (['neg', 'pos'], True, ['pipeline.pkl'])

    Raises
    ------
    ModelError
        If a file is missing, a checksum does not match, or the version differs.
    """
    directory = Path(directory)
    meta_path = directory / METADATA_FILE
    if not meta_path.is_file():
        raise ModelError(f"{directory}: not a textpipe model folder (no {METADATA_FILE}).")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path}: cannot read the metadata ({exc}).") from None
    for name, expected in meta.get("checksums", {}).items():
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{path}: missing; the model folder is incomplete.")
        if _sha256(path) != expected:
            raise ModelError(
                f"{path}: checksum mismatch; the file was changed or damaged after saving."
            )
    saved = meta.get("textpipe_version", "unknown")
    if not _compatible(saved, __version__) and not allow_version_mismatch:
        raise ModelError(
            f"{directory}: saved by textpipe {saved}, but this is textpipe {__version__}. "
            f"Re-train it, or load anyway with allow_version_mismatch=True "
            f"(--allow-version-mismatch on the command line)."
        )
    return meta


def model_identity(metadata: dict) -> str:
    """A SHA-256 of a model's checksums and textpipe version (see ``SavedModel.identity``)."""
    facts = {"version": metadata.get("textpipe_version"),
             "checksums": metadata.get("checksums", {})}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def load_model(directory, *, allow_version_mismatch: bool = False) -> SavedModel:
    """Load a model saved by :func:`save_model` (or ``textpipe run --save``).

    **Only load models you trust**: the pipeline is unpickled, and unpickling can run
    arbitrary code. The checksums catch damage, not malice (whoever can change the
    files can change the checksums too). Neural weights are read from safetensors,
    which holds no code.

    Parameters
    ----------
    directory : str or Path
        The model folder.
    allow_version_mismatch : bool, default=False
        Load a model saved by a different textpipe minor version anyway.

    Raises
    ------
    ModelError
        If a file is missing, a checksum does not match, or the version differs.
    """
    directory = Path(directory)
    meta = check_model(directory, allow_version_mismatch=allow_version_mismatch)
    pipeline = _load_pipeline(directory)
    config_path = directory / CONFIG_FILE
    config = json.loads(config_path.read_text("utf-8")) if config_path.is_file() else None
    return SavedModel(pipeline, config, meta, directory)


def train_model(config, dataset, directory) -> SavedModel:
    """Fit a configuration's pipeline on a whole dataset and save it, without evaluating.

    This is what ``textpipe train CONFIG --out DIR`` does. All training
    documents are used; a dataset's own test split is left untouched, so that it
    can still evaluate the model. The metadata records the data (name, source,
    fingerprint, sizes, classes) and the seconds each step took to fit; there
    are no metrics, since nothing was evaluated (``textpipe run --save`` records
    them).

    Parameters
    ----------
    config : PipelineConfig
        A resolved configuration (:func:`textpipe.load_config`).
    dataset : Dataset
        The training data, e.g. ``config.load_data()``.
    directory : str or Path
        Where to save the model (see :func:`save_model`).

    Returns
    -------
    SavedModel
        The model as saved, with ``directory`` set.

    Examples
    --------
    >>> import tempfile
    >>> from textpipe import Dataset, load_config
    >>> cfg = load_config({"steps": ["tokenize", "count", "multinomial_nb"]})
    >>> data = Dataset(["good fun", "great fun", "bad dull", "awful dull"],
    ...                ["pos", "pos", "neg", "neg"], name="toy")
    >>> model = train_model(cfg, data, tempfile.mkdtemp())
    >>> model.labels, model.metadata["data"]["n_train"], model.metadata["metrics"]
    (['neg', 'pos'], 4, None)
    >>> model.pipeline.predict(["good fun"]).tolist()
    ['pos']
    """
    from .evaluation.timing import fit_timed

    pipeline = config.build()
    texts, labels = list(dataset.texts), list(dataset.labels)
    seconds = fit_timed(pipeline, texts, labels)
    data = {
        "name": dataset.name,
        "source": dataset.source,
        "fingerprint": dataset.fingerprint(),
        "n_train": len(texts),
        "n_test": 0,
        "classes": dataset.classes,
    }
    resolved = config.to_dict()
    metadata = {"data": data, "metrics": None, "protocol": None,
                "fit_seconds": {name: round(s, 4) for name, s in seconds.items()}}
    directory = save_model(pipeline, directory, config=resolved, metadata=metadata)
    meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return SavedModel(pipeline, resolved, meta, directory)
