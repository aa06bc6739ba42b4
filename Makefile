# Set-up is part of every target: a fresh clone needs only Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-pandas bench docs clean

install: $(STAMP)

# torch goes in first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[neural,transformers,minilm,test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/textpipe compare pipelines/compare_demo.yaml --out runs/demo --overwrite

# The import contracts (pyproject.toml, [tool.importlinter]) first: they take a second.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q
	$(MAKE) test-pandas

# The tests that build and run pipelines, again under scikit-learn's
# transform_output="pandas" (tests/conftest.py, --sklearn-output): a user's global
# pandas setting must not break a pipeline. Stage unit tests (tests/stages) are left
# out but for the output suite: they check the default ndarray output and double the time.
PANDAS_TESTS := tests/config tests/compare tests/evaluation tests/neural \
	tests/stages/test_sklearn_output.py tests/test_cli.py tests/test_model.py
test-pandas: $(STAMP)
	$(BIN)/python -m pytest -q --sklearn-output=pandas -p no:cacheprovider $(PANDAS_TESTS)

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

docs: $(STAMP)
	$(BIN)/textpipe stages --markdown > docs/stages.md
	$(BIN)/python -c "from textpipe.errors import catalogue_markdown as m; print(m(), end='')" > docs/errors.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
