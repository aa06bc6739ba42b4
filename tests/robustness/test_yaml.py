"""Hostile YAML given to every command that reads YAML: refused quickly and cleanly, with a line.

The commands are ``validate`` (exit 1 and a ``✗`` line for an invalid file),
``run``, ``compare`` and ``pretrain`` (exit 2 and one ``error:`` line).
"""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textpipe.cli import main

COMMANDS = [("run",), ("compare", "--dry-run"), ("compare",), ("pretrain",)]
#: Seconds a refusal may take: reading a small file, not expanding or composing it.
QUICK = 5.0


def alias_bomb() -> str:
    """Nine anchored lists of nine aliases to the one before: 9**9 values in about 300 bytes."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def deep_brackets(depth: int = 5000) -> str:
    return "steps: " + "[" * depth + "]" * depth + "\n"


def write(tmp_path, text: str, name: str = "config.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def validate(path, capfd):
    """``textpipe validate PATH``: its exit code and what it printed; an exception is a bug."""
    capfd.readouterr()
    try:
        code = main(["validate", str(path)])
    except BaseException as exc:
        pytest.fail(f"textpipe validate {path} raised {type(exc).__name__}: {exc}", pytrace=False)
    captured = capfd.readouterr()
    return code, captured.out + captured.err


def validate_refuses(path, capfd, mentions):
    started = time.perf_counter()
    code, printed = validate(path, capfd)
    assert time.perf_counter() - started < QUICK
    assert code == 1, printed
    assert "Traceback" not in printed
    (line,) = [line for line in printed.splitlines() if line.startswith("✗")]
    for text in mentions:
        assert str(text) in line, f"{text!r} not named: {line}"


def refused_by_every_command(path, fails_cleanly, capfd, mentions):
    validate_refuses(path, capfd, mentions)
    for command in COMMANDS:
        started = time.perf_counter()
        fails_cleanly([*command, path], mentions=mentions)
        assert time.perf_counter() - started < QUICK, command


def test_an_alias_bomb_is_refused_at_once_by_every_command(tmp_path, fails_cleanly, capfd):
    path = write(tmp_path, alias_bomb())
    refused_by_every_command(path, fails_cleanly, capfd, (path, "line 1", "anchor '&a'"))


def test_an_alias_is_refused_naming_its_line(tmp_path, fails_cleanly, capfd):
    path = write(tmp_path, "steps:\n  - tokenize\n  - logreg: *params\n")
    refused_by_every_command(path, fails_cleanly, capfd, (path, "line 3", "alias '*params'"))


def test_thousands_of_nested_brackets_are_refused_without_a_traceback(
        tmp_path, fails_cleanly, capfd):
    path = write(tmp_path, deep_brackets())
    refused_by_every_command(path, fails_cleanly, capfd, (path, "line 1", "nested more than"))


def test_a_duplicate_key_in_a_flow_mapping_is_refused_naming_both_lines(
        tmp_path, fails_cleanly, capfd):
    path = write(tmp_path, "data: {dataset: mr}\nsteps:\n  - tokenize\n  - count\n"
                           "  - logreg: {C: 1,\n              C: 100}\n")
    refused_by_every_command(path, fails_cleanly, capfd,
                             (path, "line 6", "duplicate key 'C'", "line 5"))


def test_a_duplicate_block_key_is_refused_naming_both_lines(tmp_path, fails_cleanly, capfd):
    path = write(tmp_path, "evaluation:\n  folds: 3\nsteps: [tokenize, count, logreg]\n"
                           "evaluation:\n  folds: 5\n")
    refused_by_every_command(path, fails_cleanly, capfd,
                             (path, "line 4", "duplicate key 'evaluation'", "line 1"))


def test_a_grid_of_millions_is_refused_at_once_with_its_count(tmp_path, fails_cleanly, capfd):
    values = ", ".join(str(v) for v in range(1, 21))
    path = write(tmp_path, (
        "evaluation: {method: cv, folds: 3}\n"
        "grid:\n"
        "  base: [tokenize, tfidf, logreg]\n"
        "  params:\n"
        f"    logreg.C: [{values}]\n"
        f"    tfidf.min_df: [{values}]\n"
        f"    logreg.max_iter: [{', '.join(str(100 * v) for v in range(1, 101))}]\n"
        "    tfidf.sublinear_tf: [true, false]\n"
        "    tfidf.norm: [l1, l2, null]\n"
        "    logreg.tol: [0.1, 0.01, 0.001, 0.0001, 0.00001]\n"
    ))
    mentions = (path, "line 4", "1,200,000 combinations", "max_variants (10,000)")
    validate_refuses(path, capfd, mentions)
    for command in [("compare", "--dry-run"), ("compare",)]:
        started = time.perf_counter()
        fails_cleanly([*command, path], mentions=mentions)
        assert time.perf_counter() - started < QUICK


# -- whatever the file holds, no command crashes ----------------------------------------

#: Words that steer generated files into the sections each command reads.
KEYS = ["steps", "data", "evaluation", "grid", "pipelines", "pretrain", "base", "params",
        "file", "name", "method", "folds", "dataset", "path", "metrics", "corpus", "model",
        "training", "tokenize", "count", "tfidf", "logreg", "stem", "tfidf.ngram_range",
        "stem.algorithm", "max_variants", "seed", "report", "none"]
scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
           | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(KEYS)
           | st.text(max_size=8))
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
stage_names = st.sampled_from(["tokenize", "count", "tfidf", "stem", "logreg", "linear_svm",
                                "nbsvm", "stopwords", "none", "stemm"])
steps = st.lists(stage_names | st.dictionaries(stage_names, st.none() | st.dictionaries(
    st.sampled_from(["C", "ngram_range", "algorithm", "backend", "min_df", "x"]), scalars,
    max_size=2), min_size=1, max_size=1) | scalars, max_size=5)
grid_values = st.lists(scalars | steps | st.lists(scalars, max_size=2), max_size=3) | scalars
evaluation = st.dictionaries(st.sampled_from(["method", "folds", "seed", "metrics", "x"]), scalars,
                             max_size=2) | scalars
# Files shaped like experiments, pipelines and pretraining files, with odd values inside.
experiments = st.fixed_dictionaries({"evaluation": evaluation}, optional={
    "grid": st.fixed_dictionaries({"base": steps | scalars}, optional={
        "params": st.dictionaries(st.sampled_from(["stem", "stem.algorithm", "logreg", "logreg.C",
                                                   "tfidf.ngram_range", "x.y", "count"]),
                                  grid_values, max_size=3) | scalars,
        "max_variants": scalars,
        "name": scalars}),
    "pipelines": st.lists(st.fixed_dictionaries({}, optional={
        "steps": steps, "file": scalars, "name": scalars}), max_size=2) | scalars,
    "data": scalars | st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2),
})
pipelines = st.fixed_dictionaries({"steps": steps}, optional={"evaluation": evaluation,
                                                             "data": scalars, "name": scalars})
pretraining = st.fixed_dictionaries({"pretrain": st.dictionaries(
    st.sampled_from(["corpus", "model", "training", "output_dir"]),
    st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2) | scalars, max_size=3)})
shaped = experiments | pipelines | pretraining
# Text that looks like YAML: indentation, flow brackets, anchors, tags, keys.
yaml_like = st.lists(
    st.sampled_from(["\n", "  ", "- ", ": ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!int ",
                     "!!binary ", "? ", "<<", "#", "'", '"', "|", ">", "---", "2024-13-45",
                     "0x1F", ".inf", "~", "\t", "\x00", "\ufeff"]) | st.sampled_from(KEYS),
    max_size=30).map("".join)

FUZZ = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def no_command_crashes(path, tmp_path, capfd):
    code, printed = validate(path, capfd)
    assert code in (0, 1), printed
    assert "Traceback" not in printed
    missing = tmp_path / "no-such-data.csv"  # a valid pipeline stops there instead of running
    for command in [("run", path, "--data", missing), ("compare", "--dry-run", path),
                    ("pretrain", path)]:
        capfd.readouterr()
        try:
            code = main([str(part) for part in command])
        except BaseException as exc:
            pytest.fail(f"textpipe {command[0]} raised {type(exc).__name__}: {exc}\n"
                        f"{path.read_bytes()[:300]!r}", pytrace=False)
        captured = capfd.readouterr()
        printed = captured.out + captured.err
        assert code in (0, 2), (command, printed)
        assert "Traceback" not in printed


@FUZZ
@given(data=structures | shaped)
def test_any_data_written_as_yaml_is_handled(tmp_path, capfd, data):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    no_command_crashes(path, tmp_path, capfd)


@FUZZ
@given(text=yaml_like | st.text(max_size=60))
def test_any_text_is_handled(tmp_path, capfd, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    no_command_crashes(path, tmp_path, capfd)


@FUZZ
@given(raw=st.binary(max_size=80))
def test_any_bytes_are_handled(tmp_path, capfd, raw):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    no_command_crashes(path, tmp_path, capfd)
