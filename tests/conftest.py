"""Options for the whole test suite.

``--sklearn-output=pandas`` (or the environment variable
``TEXTPIPE_TEST_SKLEARN_OUTPUT=pandas``) runs every test with
``sklearn.set_config(transform_output="pandas")``: the pipelines that the
tests build must work when a user has set scikit-learn's output to pandas.
``make test`` runs the directories that hold pipeline examples this way too.
A test that checks the default container itself (an ndarray, say) is marked
``default_sklearn_output`` with a reason, and runs with the default setting.

``run`` and ``compare`` record each run in a runs index (``./runs`` by
default); in tests the index goes to a temporary folder.
"""

from __future__ import annotations

import os

import pytest

ENV = "TEXTPIPE_TEST_SKLEARN_OUTPUT"


def pytest_addoption(parser):
    parser.addoption(
        "--sklearn-output", default=os.environ.get(ENV, "default"),
        choices=("default", "pandas", "polars"),
        help="run every test under sklearn.config_context(transform_output=...); "
             f"also read from ${ENV}")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "default_sklearn_output(reason): the test checks the default output "
        "container, so --sklearn-output does not apply to it")
    output = config.getoption("--sklearn-output")
    if output != "default":
        # Set on the main thread for the whole run, so that module and session
        # fixtures fit under it too. The setting is thread-local in scikit-learn:
        # threads and worker processes see it only where textpipe passes it on.
        import sklearn

        sklearn.set_config(transform_output=output)


def pytest_report_header(config):
    output = config.getoption("--sklearn-output")
    if output != "default":
        return f"scikit-learn transform_output: {output} (every test)"
    return None


@pytest.fixture(autouse=True)
def _sklearn_output(request):
    """Run a test marked default_sklearn_output with the default container."""
    output = request.config.getoption("--sklearn-output")
    if output == "default" or not request.node.get_closest_marker("default_sklearn_output"):
        yield
        return
    import sklearn

    with sklearn.config_context(transform_output="default"):
        yield


@pytest.fixture(autouse=True)
def _runs_index_in_a_temporary_folder(tmp_path_factory, monkeypatch):
    """``run`` and ``compare`` record each run in ``./runs`` by default: in tests, elsewhere."""
    monkeypatch.setenv("TEXTPIPE_RUNS_DIR", str(tmp_path_factory.mktemp("runs-index")))
