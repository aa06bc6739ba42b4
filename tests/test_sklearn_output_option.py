"""``--sklearn-output`` (tests/conftest.py) sets scikit-learn's transform_output for every test."""

import pytest
import sklearn


def test_every_test_runs_under_the_chosen_output(request):
    assert sklearn.get_config()["transform_output"] == request.config.getoption("--sklearn-output")


@pytest.mark.default_sklearn_output("checks the marker itself")
def test_a_marked_test_runs_under_the_default_output():
    assert sklearn.get_config()["transform_output"] == "default"


def test_the_option_is_read_from_the_environment_too(monkeypatch):
    import importlib.util
    from pathlib import Path

    monkeypatch.setenv("TEXTPIPE_TEST_SKLEARN_OUTPUT", "pandas")
    spec = importlib.util.spec_from_file_location("conftest_copy",
                                                  Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    options = {}

    class Parser:
        def addoption(self, name, **kwargs):
            options[name] = kwargs

    module.pytest_addoption(Parser())
    assert options["--sklearn-output"]["default"] == "pandas"
