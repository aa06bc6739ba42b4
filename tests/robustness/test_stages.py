"""A plugin stage that cannot be used fails the command cleanly, naming its package and why."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from textpipe import registry


class FakeDistribution:
    name = "textpipe-fake"
    metadata = {"Name": "textpipe-fake"}


def not_a_class():
    """An entry point must name an estimator class, not a function."""


class OddKind:
    """Declares a data kind that does not exist."""

    consumes = "vectors"
    produces = "features"

    def get_params(self, deep=True):
        return {}

    def fit(self, X, y=None):
        return self


ENTRY_POINTS = {
    "broken": "textpipe_no_such_module_xyz:Stage",
    "function": f"{__name__}:not_a_class",
    "odd_kind": f"{__name__}:OddKind",
}


@pytest.fixture(autouse=True)
def plugins(monkeypatch):
    points = [EntryPoint(name, value, registry.ENTRY_POINT_GROUP)._for(FakeDistribution())
              for name, value in ENTRY_POINTS.items()]
    monkeypatch.setattr(registry, "entry_points", lambda group: points)
    registry._forget_plugins()
    yield
    registry._forget_plugins()


def pipeline(tmp_path, stage):
    (tmp_path / "toy.txt").write_text("pos good\nneg bad\n" * 4, encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(f"data:\n  path: toy.txt\nsteps:\n  - tokenize\n  - tfidf\n  - {stage}\n",
                    encoding="utf-8")
    return path


def test_a_plugin_that_fails_to_import(fails_cleanly, tmp_path):
    fails_cleanly(["run", pipeline(tmp_path, "broken")],
                  mentions=("p.yaml", "line 6", "textpipe-fake",
                            "broken = textpipe_no_such_module_xyz:Stage",
                            "No module named 'textpipe_no_such_module_xyz'"))


def test_a_plugin_entry_point_that_names_a_function(fails_cleanly, tmp_path):
    fails_cleanly(["run", pipeline(tmp_path, "function")],
                  mentions=("p.yaml", "line 6", "'function'", "textpipe-fake",
                            "not a scikit-learn estimator class"))


def test_a_plugin_that_declares_an_unknown_data_kind(fails_cleanly, tmp_path):
    fails_cleanly(["run", pipeline(tmp_path, "odd_kind")],
                  mentions=("p.yaml", "line 6", "'odd_kind'", "'vectors'", "not a data kind"))


def test_describing_a_broken_plugin_stage(fails_cleanly):
    fails_cleanly(["stages", "broken"], mentions=("textpipe-fake", "failed to import"))
