"""Save a fitted pipeline to a folder and load it back.

A saved model is a folder::

    model/
      pipeline.joblib    the fitted sklearn Pipeline
      config.json        the resolved configuration it was built from
      metadata.json      labels, library versions, data fingerprint, metrics,
                         creation time and the SHA-256 of every file above

Loading checks the checksums and the textpipe version. **Loading unpickles
Python objects (through joblib): only load models you trust**, exactly as with
any pickled scikit-learn model.

Examples
--------
>>> import tempfile, textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good", "bad", "fine", "awful"], ["pos", "neg", "pos", "neg"])
>>> folder = tempfile.mkdtemp()
>>> _ = save_model(pipe, folder)
>>> load_model(folder).pipeline.predict(["good"]).tolist()
['pos']
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._version import __version__
from .environment import library_versions
from .errors import ModelError

PIPELINE_FILE = "pipeline.joblib"
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"


@dataclass
class SavedModel:
    """A loaded model: the fitted pipeline with its configuration and metadata."""

    pipeline: Any
    config: dict | None
    metadata: dict

    @property
    def labels(self) -> list[str]:
        return self.metadata.get("labels", [])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    import joblib

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, directory / PIPELINE_FILE)
    files = [PIPELINE_FILE]
    if config is not None:
        _write_json(directory / CONFIG_FILE, config)
        files.append(CONFIG_FILE)
    classes = getattr(pipeline, "classes_", None)
    meta = {
        "textpipe_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labels": [] if classes is None else [str(c) for c in classes],
        "versions": library_versions(),
        **(metadata or {}),
        "checksums": {name: _sha256(directory / name) for name in files},
    }
    _write_json(directory / METADATA_FILE, meta)
    return directory


def _compatible(saved: str, current: str) -> bool:
    return saved.split(".")[:2] == current.split(".")[:2]


def load_model(directory, *, allow_version_mismatch: bool = False) -> SavedModel:
    """Load a model saved by :func:`save_model` (or ``textpipe run --save``).

    Only load models you trust: the pipeline is unpickled.

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
    import joblib

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
    pipeline = joblib.load(directory / PIPELINE_FILE)
    config_path = directory / CONFIG_FILE
    config = json.loads(config_path.read_text("utf-8")) if config_path.is_file() else None
    return SavedModel(pipeline, config, meta)
