"""What a biLM folder must hold; checked without loading torch.

Examples
--------
>>> import tempfile
>>> bilm_folder_problem(tempfile.mkdtemp() + "/none")
'the folder'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, Errors

__all__ = ["BILM_FILES", "CONFIG_FILE", "VOCAB_FILE", "WEIGHTS_FILE", "bilm_folder_problem",
           "bilm_parameter_problems"]

WEIGHTS_FILE = "weights.safetensors"
CONFIG_FILE = "config.json"
VOCAB_FILE = "vocab.json"
BILM_FILES = (WEIGHTS_FILE, CONFIG_FILE, VOCAB_FILE)


def bilm_folder_problem(folder) -> str | None:
    """What ``folder`` lacks to be a biLM: ``"the folder"``, the missing files, or None."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return "the folder"
    missing = [name for name in BILM_FILES if not (folder / name).is_file()]
    return ", ".join(missing) if missing else None


def bilm_parameter_problems(bilm) -> list[ConfigError]:
    """The problem with a stage's ``bilm`` parameter, as a list of at most one ConfigError.

    A folder that does not exist at all is left to the configuration's check of
    the paths it names (and to :func:`textpipe.neural.io.load_bilm` at ``fit``),
    so that it is reported once.
    """
    missing = None if bilm is None else bilm_folder_problem(bilm)
    if missing is None or missing == "the folder":
        return []
    return [ConfigError(Errors.E601.format(path=bilm, missing=missing), param="bilm",
                        missing_resource=True)]
