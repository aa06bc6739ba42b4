"""Fixtures for every test."""

import pytest


@pytest.fixture(autouse=True)
def _runs_index_in_a_temporary_folder(tmp_path_factory, monkeypatch):
    """``run`` and ``compare`` record each run in ``./runs`` by default: in tests, elsewhere."""
    monkeypatch.setenv("TEXTPIPE_RUNS_DIR", str(tmp_path_factory.mktemp("runs-index")))
