"""textpipe.errors: one exception class per kind of problem, every message in the catalogue."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from textpipe.errors import (ADVICE, ConfigError, DataError, Errors, InputError,
                             MissingResourceError, ModelError, TextpipeError, UnknownWordError,
                             UsageError, catalogue_entries)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "textpipe"


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


# -- the classes ------------------------------------------------------------------------


def test_a_usage_error_reads_as_an_option_not_a_parameter():
    err = UsageError("'out.csv' already exists.", option="--errors")
    assert str(err) == "option '--errors': 'out.csv' already exists."
    assert err.option == err.param == "--errors"
    assert isinstance(err, TextpipeError) and isinstance(err, ValueError)


def test_a_usage_error_whose_message_names_its_option_is_not_prefixed():
    err = UsageError("--n-jobs must be a nonzero integer; got 0.", option="--n-jobs")
    assert str(err) == "--n-jobs must be a nonzero integer; got 0."
    # '--out' is not named by '--overwrite'
    assert str(UsageError("exists. Pass --overwrite.", option="--out")).startswith("option '--out'")


def test_an_unknown_word_error_is_a_key_error_shown_as_its_message():
    err = UnknownWordError(Errors.E924.format(word="zebra", n=3))
    assert isinstance(err, KeyError)
    assert str(err) == "'zebra' is not in the vocabulary (3 words). Words are looked up as written. [E924]"


# -- converted raises: each kind of problem raises its own class -----------------------


def _glove(**kw):
    from textpipe.embeddings.glove import fit_glove

    return fit_glove(np.eye(2), **kw)


def _pool(vectors=np.eye(2), **kw):
    from textpipe.embeddings.pooling import pool

    return pool([[0, 1]], vectors, **kw)


def _build_vocabulary(**kw):
    from textpipe.embeddings.glove import build_vocabulary

    return build_vocabulary([["a"]], **kw)


def _cooccurrence(vocabulary, **kw):
    from textpipe.embeddings.glove import cooccurrence_matrix

    return cooccurrence_matrix([["a"]], vocabulary, **kw)


def _sif(**kw):
    from textpipe.embeddings.pooling import SIFPooler

    return SIFPooler(**kw).fit([[0, 1]], np.eye(2))


def _sif_unfitted():
    from textpipe.embeddings.pooling import SIFPooler

    return SIFPooler().pool([[0]], np.eye(2))


def _sif_weights(**kw):
    from textpipe.embeddings.pooling import sif_weights

    return sif_weights([1, 2], **kw)


def _stats(name, *args, **kw):
    from textpipe.compare import stats

    return getattr(stats, name)(*args, **kw)


def _count(**kw):
    from textpipe.stages.vectorize import CountVectors

    return CountVectors(**kw).fit([["a", "b"], ["b", "c"]])


def _word_vector():
    from textpipe.stages.embed import Word2Vec

    stage = Word2Vec(dim=4, min_count=1, epochs=1, random_state=0).fit([["a", "b"]])
    return stage.word_vector("zebra")


def _check_option(value):
    from textpipe.parameters import check_option

    return check_option(value, "--max-minutes", minimum=0, exclusive=True)


def _score_check(name, value):
    from textpipe.score import backends, stream, writers

    check = {"chunk_size": stream.check_chunk_size, "n_jobs": backends.check_n_jobs,
             "format": writers.check_output_format}[name]
    return check(value)


def _runner_options(*args):
    from textpipe.compare.runner import check_options

    return check_options(*args, n_jobs_name="--n-jobs")


def _load_vectors(tmp_path):
    from textpipe.embeddings.vector_files import load_vectors

    path = tmp_path / "v.txt"
    path.write_text("a 1.0 2.0\n", encoding="utf-8")
    return load_vectors(path, limit=0)


CASES = [
    # (id, call, class, named parameter/option or None)
    ("glove-min-count", lambda tmp: _build_vocabulary(min_count=0), ConfigError, "min_count"),
    ("glove-max-size", lambda tmp: _build_vocabulary(max_size=-1), ConfigError, "max_size"),
    ("glove-window", lambda tmp: _cooccurrence({"a": 0}, window=0), ConfigError, "window"),
    ("glove-vocabulary-ids", lambda tmp: _cooccurrence({"a": 5}), InputError, None),
    ("glove-dim", lambda tmp: _glove(dim=0), ConfigError, "dim"),
    ("glove-epochs", lambda tmp: _glove(epochs=-1), ConfigError, "epochs"),
    ("glove-learning-rate", lambda tmp: _glove(learning_rate=0), ConfigError, "learning_rate"),
    ("pool-method", lambda tmp: _pool(method="median"), ConfigError, "method"),
    ("pool-vectors-1d", lambda tmp: _pool(np.zeros(3)), ConfigError, "vectors"),
    ("pool-needs-weights", lambda tmp: _pool(method="tfidf"), ConfigError, "weights"),
    ("pool-weights-shape", lambda tmp: _pool(method="sif", weights=[1.0]), ConfigError, "weights"),
    ("pool-weights-unused", lambda tmp: _pool(method="max", weights=[1.0, 1.0]), ConfigError,
     "weights"),
    ("sif-a", lambda tmp: _sif_weights(a=0), ConfigError, "a"),
    ("sif-n-components", lambda tmp: _sif(n_components=5), ConfigError, "n_components"),
    ("sif-not-fitted", lambda tmp: _sif_unfitted(), NotFittedError, None),
    ("vector-file-limit", _load_vectors, ConfigError, "limit"),
    ("cv-interval", lambda tmp: _stats("cv_interval", [0.8], n_train=9, n_test=1), DataError,
     None),
    ("ttest", lambda tmp: _stats("corrected_resampled_ttest", [0.8], [0.7], n_train=9, n_test=1),
     DataError, None),
    ("mcnemar", lambda tmp: _stats("mcnemar_test", [True], [True, False]), DataError, None),
    ("wilson", lambda tmp: _stats("wilson_interval", 0, 0), DataError, None),
    ("ngram-range", lambda tmp: _count(ngram_range=(2, 1)), ConfigError, None),
    ("min-df-above-max-df", lambda tmp: _count(min_df=2, max_df=1), ConfigError, None),
    ("no-term-left", lambda tmp: _count(min_df=2, ngram_range=(2, 2)), ConfigError,
     None),
    ("unknown-word", lambda tmp: _word_vector(), UnknownWordError, None),
    ("cli-option", lambda tmp: _check_option(0), UsageError, "--max-minutes"),
    ("score-chunk-size", lambda tmp: _score_check("chunk_size", 0), UsageError, "chunk_size"),
    ("score-n-jobs", lambda tmp: _score_check("n_jobs", 0), UsageError, "n_jobs"),
    ("score-output-format", lambda tmp: _score_check("format", "xml"), UsageError,
     "--output-format"),
    ("compare-n-jobs", lambda tmp: _runner_options(0), UsageError, "--n-jobs"),
]


@pytest.mark.parametrize("call, cls, named", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_problem_raises_its_own_class(call, cls, named, tmp_path):
    with pytest.raises(cls) as info:
        call(tmp_path)
    assert isinstance(info.value, (TextpipeError, NotFittedError))
    if cls is not UnknownWordError:
        assert isinstance(info.value, ValueError)  # what sklearn-style callers catch
    if named is not None:
        assert getattr(info.value, "param", None) == named


def test_a_malformed_scheduler_address_is_a_usage_error():
    pytest.importorskip("distributed")
    with pytest.raises(UsageError) as info:
        _runner_options(1, "localhost")
    assert info.value.option == "--scheduler"


def test_a_missing_distributed_package_is_a_missing_resource(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_distributed(name, *args, **kw):
        if name.startswith("distributed"):
            raise ImportError(name)
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(MissingResourceError, match="needs the 'distributed' package"):
        _runner_options(1, "tcp://127.0.0.1:8786")


def test_an_output_path_problem_names_the_option(tmp_path):
    from textpipe.paths import Output, check_paths

    (tmp_path / "out.csv").write_text("x")
    with pytest.raises(UsageError) as info:
        check_paths([Output(tmp_path / "out.csv", "--output")])
    assert info.value.option == "--output"
    assert str(info.value).startswith("option '--output': ")


def test_an_output_path_named_by_a_key_of_a_file_is_a_configuration_problem(tmp_path):
    from textpipe.paths import Output, check_paths

    (tmp_path / "bilm").write_text("x")
    with pytest.raises(ConfigError) as info:
        check_paths([Output(tmp_path / "bilm", "output_dir", folder=True)])
    assert str(info.value).startswith("parameter 'output_dir': ")


NEURAL_CASES = [
    ("vocabulary-special-words", "vocab", lambda m: m.Vocabulary(["a"], ["a"]), ModelError),
    ("vocabulary-max-characters", "vocab",
     lambda m: m.Vocabulary(list(m.SPECIAL_WORDS), [], max_characters=2), ConfigError),
    ("vocabulary-format", "vocab", lambda m: m.Vocabulary.from_dict({"format": "x"}), ModelError),
    ("bilm-config-keys", "bilm", lambda m: m.BiLMConfig.from_dict({"wings": 2}), ModelError),
    ("scalar-mix-mean-std", "elmo", lambda m: m.ScalarMix(2, mean=[0.0, 0.0]), ConfigError),
]


@pytest.mark.parametrize("module, call, cls", [c[1:] for c in NEURAL_CASES],
                         ids=[c[0] for c in NEURAL_CASES])
def test_neural_problems_raise_their_own_class(module, call, cls):
    import importlib

    pytest.importorskip("torch")
    with pytest.raises(cls):
        call(importlib.import_module(f"textpipe.neural.{module}"))


def test_a_classifier_fitted_without_labels_is_an_input_error():
    pytest.importorskip("torch")
    from textpipe.stages.bilstm import BiLSTMClassifier

    with pytest.raises(InputError, match="fit needs labels y"):
        BiLSTMClassifier().fit([["a"], ["b"]], None)


# -- the catalogue --------------------------------------------------------------------


def test_every_catalogue_entry_says_what_to_do():
    missing = [code for _, code, _, advice in catalogue_entries() if not advice.strip()]
    assert not missing, f"add a line to ADVICE for {missing}"
    assert set(ADVICE) <= {code for _, code, _, _ in catalogue_entries()}


def test_every_code_is_defined_once_and_under_a_section():
    source = (PACKAGE / "errors.py").read_text(encoding="utf-8")
    codes = re.findall(r"^    (E\d{3}) = ", source, flags=re.M)
    assert len(codes) == len(set(codes)), "a code is defined twice"
    assert all(section for section, *_ in catalogue_entries())


def test_every_code_the_package_uses_exists():
    used = {(p.relative_to(ROOT), code) for p in _modules()
            for code in re.findall(r"Errors\.(E\d{3})\b", p.read_text(encoding="utf-8"))}
    unknown = sorted(str(p) + ": " + code for p, code in used if not hasattr(Errors, code))
    assert not unknown


# Raises that do not go through the catalogue, each for a reason: the Python
# protocol for module attributes, a command's plain exit status, a bug that must
# show its traceback, and the modules whose raises are still to be converted.
NOT_FROM_THE_CATALOGUE = {
    ("textpipe/__init__.py", "AttributeError"): 1,  # module __getattr__ protocol
    ("textpipe/stages/__init__.py", "AttributeError"): 1,
    ("textpipe/cli/stages.py", "typer.Exit"): 1,  # `validate` exits 1 after listing problems
    ("textpipe/cli/__init__.py", "typer.Exit"): 1,  # `--version` exits 0 after printing it
    ("textpipe/parameters.py", "AttributeError"): 1,  # module __getattr__ protocol
    ("textpipe/data/decoding.py", "LookupError"): 1,  # caught where it is raised
}


def _uses_catalogue(node) -> bool:
    return any(isinstance(n, ast.Attribute) and getattr(n.value, "id", "") == "Errors"
               for n in ast.walk(node))


def _named_from_catalogue(tree, name: str) -> bool:
    """Whether every assignment to ``name`` in ``tree`` is built from an ``Errors`` entry."""
    values = [node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
    return bool(values) and all(_uses_catalogue(v) for v in values)


def _raises_outside_the_catalogue():
    """(file, exception) -> count of ``raise Exc(...)`` whose arguments use no ``Errors.``
    entry; a call to a helper that builds the error from the catalogue is followed."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _modules()}
    helpers = {node.name for tree in trees.values() for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef) and _uses_catalogue(node)}
    found: dict[tuple[str, str], int] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            name = ast.unparse(node.exc.func)
            called = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                      for n in ast.walk(node.exc) if isinstance(n, ast.Call)
                      and isinstance(n.func, (ast.Name, ast.Attribute))}
            if _uses_catalogue(node.exc) or called & helpers or name == "ConfigErrors":
                continue
            first = node.exc.args[0] if node.exc.args else None
            if isinstance(first, ast.Name) and _named_from_catalogue(tree, first.id):
                continue
            if isinstance(first, ast.Attribute) and first.attr == "message":
                continue  # the message of an error raised from the catalogue, placed anew
            key = (str(path.relative_to(ROOT)), name)
            found[key] = found.get(key, 0) + 1
    return found


def test_every_raise_goes_through_the_catalogue():
    found = _raises_outside_the_catalogue()
    assert found == NOT_FROM_THE_CATALOGUE


# -- private imports ---------------------------------------------------------------------

COMPATIBILITY_MODULE = "textpipe/sklearn_compat.py"


def _private_imports(source: str) -> list[str]:
    """Modules (or names) of sklearn/scipy/numpy with a private part (``_x``) that
    ``source`` imports, as ``"line: module"``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            modules += [f"{node.module}.{a.name}" for a in node.names]  # from x import _y
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] in {"sklearn", "scipy", "numpy"} and any(
                    p.startswith("_") and not p.startswith("__") for p in parts[1:]):
                found.append(f"{node.lineno}: {module}")
                break
    return found


def test_no_module_imports_a_private_sklearn_or_scipy_module_but_the_compatibility_one():
    offenders = [f"{path.relative_to(ROOT)}:{hit}" for path in _modules()
                 if str(path.relative_to(ROOT)) != COMPATIBILITY_MODULE
                 for hit in _private_imports(path.read_text(encoding="utf-8"))]
    assert not offenders


def test_the_private_import_check_finds_private_imports():
    sample = ("from sklearn.utils._param_validation import StrOptions\n"
              "import scipy.sparse._base\nfrom sklearn.utils import _safe_indexing\n"
              "from sklearn.utils.validation import check_is_fitted\nimport numpy as np\n")
    assert [hit.split(":")[0] for hit in _private_imports(sample)] == ["1", "2", "3"]
