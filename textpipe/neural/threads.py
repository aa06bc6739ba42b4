"""Run torch code with a chosen number of threads and restore the previous setting.

Examples
--------
>>> import torch
>>> before = torch.get_num_threads()
>>> with torch_threads(1):
...     torch.get_num_threads()
1
>>> torch.get_num_threads() == before
True
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def torch_threads(n_threads: int | None):
    """Set torch's intra-op thread count to ``n_threads`` inside the block (None: unchanged)."""
    import torch

    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def deterministic():
    """Ask torch for deterministic algorithms inside the block, then restore the setting."""
    import torch

    before = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before, warn_only=warn_only)
