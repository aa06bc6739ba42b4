"""Facts about where a result was produced: library versions and the machine.

Examples
--------
>>> "textpipe" in library_versions()
True
"""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from ._version import __version__

_LIBRARIES = (
    "textpipe", "numpy", "scipy", "scikit-learn", "joblib", "spacy", "spacy-lookups-data",
    "nltk", "gensim", "torch", "pydantic", "pyyaml",
)


def library_versions() -> dict[str, str]:
    """Installed versions of Python and the libraries results depend on."""
    out = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            if name == "textpipe":
                out[name] = __version__
    return out


def machine_facts() -> dict[str, object]:
    """Platform, processor and CPU count, for reports and benchmarks."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
