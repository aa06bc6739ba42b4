"""A stage packaged on its own, installed with pip, and named in a YAML file.

The package is tests/plugin_package (docs/plugins.md walks through the same
one). It is installed offline into a temporary folder, and textpipe runs in a
fresh process with that folder on its path, as it would after ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import textpipe

PACKAGE = Path(__file__).parent / "plugin_package"
TEXTPIPE_ROOT = Path(textpipe.__file__).resolve().parents[1]

DATA = [f"pos a good and fun film number {i}" for i in range(6)] + [
    f"neg bad {i}" for i in range(6)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder where the plugin package is installed (pip, no network, no build isolation)."""
    source = tmp_path_factory.mktemp("source") / "textpipe-doclength"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("conftest.py", "__pycache__"))
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "--quiet", "--target", str(target),
         str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(target.glob("textpipe_doclength-*.dist-info/entry_points.txt"))
    return target


def textpipe_cli(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(TEXTPIPE_ROOT)]),
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "textpipe", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def write_pipeline(folder: Path, steps: str) -> Path:
    (folder / "toy.txt").write_text("\n".join(DATA) + "\n", encoding="utf-8")
    path = folder / "pipeline.yaml"
    path.write_text("data:\n  path: toy.txt\nevaluation:\n  method: cv\n  folds: 3\n"
                    f"steps:\n{steps}", encoding="utf-8")
    return path


def test_an_installed_plugin_stage_runs_from_yaml(site, tmp_path):
    config = write_pipeline(tmp_path, "  - tokenize\n  - doc_length: {max_tokens: 50}\n"
                                      "  - ridge: {alpha: 0.5}\n")
    proc = textpipe_cli(site, "run", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "accuracy" in proc.stdout and "doc_length" in proc.stdout


def test_an_installed_plugin_is_listed_with_its_parameters(site, tmp_path):
    proc = textpipe_cli(site, "stages", "doc_length", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "max_tokens" in proc.stdout and "tokens → features" in proc.stdout


def test_a_plugin_parameter_is_checked_against_its_declared_constraints(site, tmp_path):
    config = write_pipeline(tmp_path, "  - tokenize\n  - doc_length: {max_tokens: 0}\n"
                                      "  - ridge\n")
    proc = textpipe_cli(site, "validate", str(config), cwd=tmp_path)
    assert proc.returncode == 1
    assert "max_tokens" in proc.stderr and "Traceback" not in proc.stderr


def test_a_plugin_that_fails_to_import_names_its_package_and_error(site, tmp_path):
    config = write_pipeline(tmp_path, "  - tokenize\n  - tfidf\n  - needs_missing\n")
    proc = textpipe_cli(site, "run", str(config), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    message = " ".join(proc.stderr.split())
    assert "textpipe-doclength" in message
    assert "needs_missing = textpipe_doclength.broken:NeedsMissing" in message
    assert "No module named 'textpipe_doclength_missing_dependency'" in message
    assert "unknown stage" not in message


def test_a_broken_plugin_does_not_affect_pipelines_that_do_not_name_it(site, tmp_path):
    config = write_pipeline(tmp_path, "  - tokenize\n  - tfidf\n  - logreg\n")
    proc = textpipe_cli(site, "run", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_the_stage_list_shows_plugins_and_reports_a_broken_one_without_hiding_others(site,
                                                                                    tmp_path):
    proc = textpipe_cli(site, "stages", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "doc_length" in proc.stdout and "(from textpipe-doclength)" in proc.stdout
    assert "tfidf" in proc.stdout and "bilstm" in proc.stdout
    assert "needs_missing" in proc.stderr and "failed to import" in " ".join(proc.stderr.split())


def test_the_plugin_guide_shows_this_package_s_code():
    guide = (TEXTPIPE_ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    module = (PACKAGE / "src" / "textpipe_doclength" / "__init__.py").read_text(encoding="utf-8")
    shown = guide.split("`src/textpipe_doclength/__init__.py`:\n\n```python\n", 1)[1]
    assert shown.split("```", 1)[0] == module
