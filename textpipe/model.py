"""Save a fitted pipeline to a folder and load it back.

A saved model is a folder::

    model/
      pipeline.pkl          the fitted sklearn Pipeline, without neural weights
      weights.safetensors   every torch tensor of the pipeline (only if it has any)
      config.json           the resolved configuration it was built from
      metadata.json         labels, library versions, data fingerprint, metrics,
                            creation time, the SHA-256 of every file above, and
                            the SHA-256 of its own content (``metadata_sha256``)

Neural weights never go into the pickle: while pickling, every torch tensor
met anywhere in the pipeline is replaced by a reference and written to
``weights.safetensors``, so a stage needs no saving code of its own.

Saving writes every file under a temporary name first and ``metadata.json``
last, so an interrupted save leaves the previous model whole, or (during the
final renames) a folder without metadata, which is refused: never a mix of two.
Loading checks the metadata's shape and its own checksum, that every file has its
checksum and matches it (and lies inside the folder), and the textpipe version; it
warns when the scikit-learn, numpy or torch version differs from the one the model
was saved with. It unpickles the very bytes it verified, and checks that the
pipeline's ``classes_`` are the metadata's labels, in order. **Loading unpickles
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
import re
import sys
import warnings
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ._version import __version__
from .data.formats import json_kind
from .environment import library_versions
from .errors import Errors, ModelError, quoted_list
from .evaluation.timing import fit_timed
from .paths import Output, check_paths, fsync_dir, write_errors

PIPELINE_FILE = "pipeline.pkl"
WEIGHTS_FILE = "weights.safetensors"
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
#: The files a model folder may hold besides its metadata; each needs its checksum.
MODEL_FILES = (PIPELINE_FILE, WEIGHTS_FILE, CONFIG_FILE)
#: Libraries whose version at saving is compared with the installed one on loading.
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "torch")
#: The metadata field that holds the SHA-256 of the rest of the metadata (see model_identity).
METADATA_CHECKSUM = "metadata_sha256"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ModelVersionWarning(UserWarning):
    """A model was saved with another version of scikit-learn, numpy or torch."""


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
        """A SHA-256 that changes whenever the metadata, any saved file or the textpipe
        version does (see :func:`model_identity`).

        Two copies of the same model folder have the same identity.
        """
        return model_identity(self.metadata)


def _sha256_of(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return _sha256_of(fh)


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
    """Unpickler that takes tensors back from an open safetensors file (None: there is none)."""

    def __init__(self, fh: BinaryIO, weights: BinaryIO | None):
        super().__init__(fh)
        self._weights = weights
        self._tensors = None
        self._made: dict[str, Any] = {}

    def persistent_load(self, pid):
        kind, key, is_param, requires_grad = pid
        if kind != "tensor":
            raise ModelError(Errors.E879.format(
                what=f"it refers to an unknown kind of object {kind!r}"))
        if key not in self._made:
            import torch

            if self._tensors is None:
                if self._weights is None:
                    raise ModelError(Errors.E879.format(
                        what=f"it refers to tensors, but the model has no {WEIGHTS_FILE}"))
                from safetensors.torch import load

                self._tensors = load(self._weights.read())
            tensor = self._tensors[key]
            self._made[key] = (torch.nn.Parameter(tensor, requires_grad=requires_grad)
                               if is_param else tensor.requires_grad_(requires_grad))
        return self._made[key]


def _temporary(directory: Path, name: str) -> Path:
    return directory / f".{name}.tmp"


def _dump_pipeline(pipeline, directory: Path, staged: dict[str, Path]) -> None:
    """Pickle the pipeline, its tensors to safetensors, under temporary names in ``staged``."""
    staged[PIPELINE_FILE] = _temporary(directory, PIPELINE_FILE)
    with open(staged[PIPELINE_FILE], "wb") as fh:
        pickler = _TensorsOut(fh)
        pickler.dump(pipeline)
    if pickler.tensors:
        from safetensors.torch import save_file

        staged[WEIGHTS_FILE] = _temporary(directory, WEIGHTS_FILE)
        save_file(pickler.tensors, str(staged[WEIGHTS_FILE]))


def _load_pipeline(files: dict[str, BinaryIO]):
    """Unpickle the pipeline from verified open files (see :func:`_open_verified`)."""
    return _TensorsIn(files[PIPELINE_FILE], files.get(WEIGHTS_FILE)).load()


def _stage_json(directory: Path, name: str, data: dict, staged: dict[str, Path]) -> None:
    text = json.dumps(data, indent=2, sort_keys=False) + "\n"  # fails before any file is written
    staged[name] = _temporary(directory, name)
    staged[name].write_text(text, encoding="utf-8")


def _flush_to_disk(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def save_model(pipeline, directory, *, config: dict | None = None,
               metadata: dict | None = None, option: str | None = None) -> Path:
    """Save a fitted pipeline, its resolved config and metadata to ``directory``.

    Every file is written under a temporary name and flushed to disk first; only
    then are they renamed into place, ``metadata.json`` last. A save that fails
    (a pipeline that cannot be pickled, a full disk) leaves the folder's previous
    model as it was; one killed during the renames leaves no ``metadata.json``,
    which loading refuses. Model files a previous save left and this one does
    not write (``config.json`` when ``config`` is None, ``weights.safetensors``
    for a pipeline without tensors) are removed; other files are left alone.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline.
    directory : str or Path
        Created if needed; a model already in it is replaced.
    config : dict, optional
        The resolved configuration (``PipelineConfig.to_dict()``).
    metadata : dict, optional
        Extra facts to record, e.g. ``{"metrics": ..., "data_fingerprint": ...}``.
    option : str, optional
        How the user named the folder (e.g. ``"--out"``), for messages.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ConfigError
        If a file cannot be written (a full disk, a read-only folder); the
        folder's previous model is then kept.
    """
    directory = Path(directory)
    with write_errors(directory, option, kept=Errors.E861):
        _save(pipeline, directory, config, metadata)
    return directory


def _save(pipeline, directory: Path, config: dict | None, metadata: dict | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        _dump_pipeline(pipeline, directory, staged)
        if config is not None:
            _stage_json(directory, CONFIG_FILE, config, staged)
        for path in staged.values():
            _flush_to_disk(path)
        classes = getattr(pipeline, "classes_", None)
        meta = {
            "textpipe_version": __version__,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "labels": [] if classes is None else [str(c) for c in classes],
            "predict_proba": hasattr(pipeline, "predict_proba"),
            "versions": library_versions(),
            **(metadata or {}),
            "checksums": {name: _sha256(path) for name, path in staged.items()},
        }
        meta = json.loads(json.dumps(meta))  # exactly what loading will read back
        meta[METADATA_CHECKSUM] = model_identity(meta)
        _stage_json(directory, METADATA_FILE, meta, staged)
        _flush_to_disk(staged[METADATA_FILE])
    except BaseException:
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise
    # Until metadata.json is back, the folder is no model at all, never a mix of two.
    (directory / METADATA_FILE).unlink(missing_ok=True)
    for name in MODEL_FILES:
        if name in staged:
            os.replace(staged[name], directory / name)
        else:
            (directory / name).unlink(missing_ok=True)
    os.replace(staged[METADATA_FILE], directory / METADATA_FILE)
    fsync_dir(directory)


def _compatible(saved: str, current: str) -> bool:
    return saved.split(".")[:2] == current.split(".")[:2]


def _installed(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _warn_library_versions(meta: dict, directory: Path) -> None:
    """Warn if scikit-learn, numpy or torch (for a model with weights) is not as saved."""
    saved = meta.get("versions") or {}
    differ = []
    for name in CHECKED_LIBRARIES:
        if saved.get(name) is None or (name == "torch" and WEIGHTS_FILE not in meta["checksums"]):
            continue
        now = _installed(name)
        if now != saved[name]:
            differ.append((name, saved[name], now))
    if differ:
        warnings.warn(ModelVersionWarning(Errors.E846.format(
            path=directory, saved=_and([f"{name} {was}" for name, was, _ in differ]),
            current=_and([f"{name} {now}" if now else f"no {name}" for name, _, now in differ]))),
            stacklevel=4)


_MISSING = object()


def _check_metadata_shape(meta: dict, meta_path: Path) -> None:
    """Refuse metadata whose fields that loading relies on have the wrong type.

    Other fields (data, metrics, ...) are only recorded, and may hold anything.
    ``checksums`` may be missing here: :func:`_open_verified` then names the file
    that has none.
    """
    def refuse(field, expected, value=_MISSING):
        got = "missing" if value is _MISSING else json_kind(value)
        raise ModelError(Errors.E870.format(path=meta_path, field=field, expected=expected,
                                            got=got))

    def check_map(field, values_ok, expected):
        value = meta.get(field, {})
        if not isinstance(value, dict):
            refuse(field, "an object", value)
        for key, item in value.items():
            if not values_ok(item):
                refuse(f"{field}[{key!r}]", expected, item)

    def is_sha256(value):
        return isinstance(value, str) and _SHA256.fullmatch(value) is not None

    version = meta.get("textpipe_version", _MISSING)
    if not isinstance(version, str):
        refuse("textpipe_version", 'a version string such as "0.1.0"', version)
    labels = meta.get("labels", _MISSING)
    if not isinstance(labels, list):
        refuse("labels", "a list of strings (the class labels)", labels)
    for i, label in enumerate(labels):
        if not isinstance(label, str):
            refuse(f"labels[{i}]", "a string", label)
    proba = meta.get("predict_proba", _MISSING)
    if not isinstance(proba, bool):
        refuse("predict_proba", "true or false", proba)
    check_map("checksums", is_sha256, "a SHA-256 digest (64 hexadecimal digits)")
    check_map("versions", lambda v: v is None or isinstance(v, str), "a version string or null")
    if METADATA_CHECKSUM in meta and not is_sha256(meta[METADATA_CHECKSUM]):
        refuse(METADATA_CHECKSUM, "a SHA-256 digest (64 hexadecimal digits)",
               meta[METADATA_CHECKSUM])


def _read_metadata(directory: Path) -> dict:
    """Read ``metadata.json``, check its shape and, if it records one, its own checksum."""
    meta_path = directory / METADATA_FILE
    if not meta_path.is_file():
        raise ModelError(Errors.E840.format(path=directory, file=METADATA_FILE))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(Errors.E841.format(path=meta_path, reason=exc)) from None
    if not isinstance(meta, dict):
        raise ModelError(Errors.E841.format(path=meta_path, reason="it is not a JSON object"))
    _check_metadata_shape(meta, meta_path)
    # Models saved before metadata.json had its own checksum have none: their labels are
    # still checked against the pipeline on loading, and the rest is only informative.
    if METADATA_CHECKSUM in meta and meta[METADATA_CHECKSUM] != model_identity(meta):
        raise ModelError(Errors.E871.format(path=meta_path))
    return meta


def _listed_path(directory: Path, name: str, meta_path: Path) -> Path:
    """The file a checksum entry names, refused unless it lies inside ``directory``."""
    parts = name.split("/")
    if (not name or "\\" in name or "\0" in name or PurePosixPath(name).is_absolute()
            or any(part in ("", ".", "..") for part in parts)):
        raise ModelError(Errors.E872.format(
            path=meta_path, name=name,
            why="is not a plain file name or path inside the model folder"))
    real = directory.joinpath(*parts).resolve()
    root = directory.resolve()
    if root not in real.parents:
        raise ModelError(Errors.E872.format(
            path=meta_path, name=name, why=f"leads outside the model folder, to {real}"))
    return real


def _open_verified(directory: Path, allow_version_mismatch: bool,
                   stack: ExitStack) -> tuple[dict, dict[str, BinaryIO]]:
    """Check a model folder; return its metadata and each listed file, open and verified.

    Each file is opened once, hashed, and rewound: whoever reads it next reads the
    bytes that matched their checksum, even if the folder is changed meanwhile. The
    files are closed with ``stack``.
    """
    meta = _read_metadata(directory)
    meta_path = directory / METADATA_FILE
    checksums = meta.get("checksums", {})
    paths = {name: _listed_path(directory, name, meta_path) for name in checksums}
    for name in MODEL_FILES:
        if name not in checksums and (name == PIPELINE_FILE or (directory / name).exists()):
            raise ModelError(Errors.E842.format(path=meta_path, name=name))
    saved = meta["textpipe_version"]
    if not _compatible(saved, __version__) and not allow_version_mismatch:
        raise ModelError(Errors.E845.format(path=directory, saved=saved, current=__version__))
    files = {}
    for name, expected in checksums.items():
        try:
            fh = stack.enter_context(open(paths[name], "rb"))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ModelError(Errors.E843.format(path=directory / name)) from None
        except OSError as exc:
            raise ModelError(Errors.E874.format(path=directory / name,
                                                reason=exc.strerror or exc)) from None
        if _sha256_of(fh) != expected:
            raise ModelError(Errors.E844.format(path=directory / name))
        fh.seek(0)
        files[name] = fh
    _warn_library_versions(meta, directory)
    return meta, files


def check_model(directory, *, allow_version_mismatch: bool = False) -> dict:
    """Check a model folder without unpickling anything; return its metadata.

    The checks :func:`load_model` makes before it unpickles: the metadata can be
    read, its fields have the right types, and it matches its own checksum
    (``metadata_sha256``; models saved before there was one are accepted without);
    ``pipeline.pkl``, and every other model file in the folder, has a checksum
    there; every file listed is a file inside the folder (not through a symbolic
    link that leads out of it), is there and matches its checksum; and the
    textpipe version is compatible (the same major.minor), unless
    ``allow_version_mismatch``. A scikit-learn, numpy or torch version other than
    the one the model was saved with is not refused, but warned about
    (:class:`ModelVersionWarning`); torch only counts for a model with weights.

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
        If the metadata is missing, unreadable, of the wrong shape or changed
        since saving, a file has no checksum, lies outside the folder, is missing
        or does not match its checksum, or the textpipe version differs.
    """
    with ExitStack() as stack:
        return _open_verified(Path(directory), allow_version_mismatch, stack)[0]


def model_identity(metadata: dict) -> str:
    """The SHA-256 of a model's metadata, in canonical form and without ``metadata_sha256``.

    The metadata lists the checksum of every saved file and the textpipe version,
    so the identity changes whenever any of them, or the metadata itself, does. A
    save records it in the metadata as ``metadata_sha256``, which loading checks;
    the canonical form (sorted keys, no spaces) lets ``metadata.json`` be
    reformatted, not changed.

    Examples
    --------
    >>> model_identity({"labels": ["a", "b"]}) == model_identity({"labels": ["a", "b"]})
    True
    >>> model_identity({"labels": ["a", "b"]}) == model_identity({"labels": ["b", "a"]})
    False
    """
    facts = {key: value for key, value in metadata.items() if key != METADATA_CHECKSUM}
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _described(value) -> str:
    """``'a dict'``, ``'an int'``, ``'None'``, ``'a mymodule.Thing'``: what a pickle holds."""
    if value is None:
        return "None"
    kind = type(value)
    name = kind.__qualname__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__qualname__}"
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _check_pipeline(pipeline, meta: dict, directory: Path) -> None:
    """Refuse an unpickled object that is no pipeline, or that its metadata misdescribes."""
    if not (callable(getattr(pipeline, "fit", None))
            and any(callable(getattr(pipeline, name, None)) for name in ("predict", "transform"))):
        raise ModelError(Errors.E873.format(path=directory / PIPELINE_FILE,
                                            what=_described(pipeline)))
    classes = getattr(pipeline, "classes_", None)
    actual = [] if classes is None else [str(c) for c in classes]
    meta_path = directory / METADATA_FILE
    if actual != meta["labels"]:
        recorded = (f"the labels {quoted_list(meta['labels'])} (in the order of "
                    f"predict_proba's columns)" if meta["labels"] else "no labels")
        raise ModelError(Errors.E875.format(
            path=meta_path, recorded=recorded,
            actual=f"the classes {quoted_list(actual)}" if actual else "no classes_"))
    has_proba = hasattr(pipeline, "predict_proba")
    if meta["predict_proba"] != has_proba:
        raise ModelError(Errors.E875.format(
            path=meta_path, recorded=f"predict_proba: {str(meta['predict_proba']).lower()}",
            actual="a predict_proba" if has_proba else "no predict_proba"))


def load_model(directory, *, allow_version_mismatch: bool = False) -> SavedModel:
    """Load a model saved by :func:`save_model` (or ``textpipe run --save``).

    **Only load models you trust**: the pipeline is unpickled, and unpickling can run
    arbitrary code. The checksums catch damage, not malice (whoever can change the
    files can change the checksums too). Neural weights are read from safetensors,
    which holds no code.

    After the checks of :func:`check_model`, the files are read from the very bytes
    that were verified, and the unpickled object must be a pipeline (have ``fit``,
    and ``predict`` or ``transform``) whose ``classes_`` are the metadata's labels,
    in order, and which has ``predict_proba`` exactly when the metadata says so.

    Parameters
    ----------
    directory : str or Path
        The model folder.
    allow_version_mismatch : bool, default=False
        Load a model saved by a different textpipe minor version anyway.

    Raises
    ------
    ModelError
        If :func:`check_model` refuses the folder, ``pipeline.pkl`` cannot be
        unpickled or holds no pipeline, ``config.json`` is not a JSON object, or
        the pipeline's classes are not the metadata's labels.

    Warns
    -----
    ModelVersionWarning
        If it was saved with another scikit-learn, numpy or torch version.
    """
    directory = Path(directory)
    with ExitStack() as stack:
        meta, files = _open_verified(directory, allow_version_mismatch, stack)
        try:
            pipeline = _load_pipeline(files)
        except Exception as exc:  # a pickle can fail in any way: name it, whatever it is
            raise ModelError(Errors.E874.format(path=directory / PIPELINE_FILE,
                                                reason=f"{type(exc).__name__}: {exc}")) from exc
        config = None
        if CONFIG_FILE in files:
            try:
                config = json.loads(files[CONFIG_FILE].read().decode("utf-8"))
            except ValueError as exc:
                raise ModelError(Errors.E874.format(path=directory / CONFIG_FILE,
                                                    reason=f"not JSON: {exc}")) from None
            if not isinstance(config, dict):
                raise ModelError(Errors.E874.format(path=directory / CONFIG_FILE,
                                                    reason="it is not a JSON object"))
    _check_pipeline(pipeline, meta, directory)
    return SavedModel(pipeline, config, meta, directory)


def train_model(config, dataset, directory, *, evaluation=None,
                option: str | None = None) -> SavedModel:
    """Fit a configuration's pipeline on a whole dataset and save it.

    This is what ``textpipe train CONFIG --out DIR`` does, and ``textpipe run
    --save DIR`` after evaluating. All training documents are used; a dataset's
    own test split is left untouched, so that it can still evaluate the model.
    The metadata records the data (name, source, fingerprint, sizes, classes) and
    the seconds each step took to fit; with ``evaluation``, also its scores and
    protocol (otherwise ``metrics`` and ``protocol`` are None: nothing was
    evaluated).

    Parameters
    ----------
    config : PipelineConfig
        A resolved configuration (:func:`textpipe.load_config`).
    dataset : Dataset
        The training data, e.g. ``config.load_data()``.
    directory : str or Path
        Where to save the model (see :func:`save_model`).
    evaluation : EvaluationResult, optional
        What :func:`textpipe.evaluate` returned for this configuration and data:
        its metrics, protocol, data description and resolved config are saved.
    option : str, optional
        How the user named the folder (e.g. ``"--out"``), for messages.

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
    # Before the fit, which may take long: a folder that cannot hold the model fails now.
    check_paths([Output(directory, option or "directory", what="the model", folder=True,
                        overwrite=True)])
    pipeline = config.build()
    texts, labels = list(dataset.texts), list(dataset.labels)
    seconds = fit_timed(pipeline, texts, labels)
    if evaluation is None:
        data = {
            "name": dataset.name,
            "source": dataset.source,
            "fingerprint": dataset.fingerprint(),
            "n_train": len(texts),
            "n_test": 0,
            "classes": dataset.classes,
            "label_names": dataset.label_names,
        }
        resolved, metrics, protocol = config.to_dict(), None, None
    else:
        data, resolved = evaluation.data, evaluation.config
        metrics, protocol = evaluation.summary(), evaluation.method
    metadata = {"data": data, "metrics": metrics, "protocol": protocol,
                "fit_seconds": {name: round(s, 4) for name, s in seconds.items()}}
    directory = save_model(pipeline, directory, config=resolved, metadata=metadata,
                           option=option)
    meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return SavedModel(pipeline, resolved, meta, directory)
