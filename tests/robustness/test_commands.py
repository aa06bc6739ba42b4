"""Every command against a corpus of malformed inputs: each must fail as a user's mistake.

Each case of :data:`CASES` builds its files in the test's folder and returns the command
line; the ``fails_cleanly`` fixture then checks that the command exits with code 2, prints
one ``error:`` line naming the file, line or option, prints no traceback and changes no
file. The corpus is a table, so a new malformed input is one more row.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

import textpipe
from textpipe.cli import main
from textpipe.model import save_model

GOOD_LINES = "".join(f"pos good fun film {i}\nneg bad dull plot {i}\n" for i in range(4))
PIPELINE = """\
data: {data}
evaluation:
  method: cv
  folds: 2
  seed: 0
steps:
{steps}
"""
NB_STEPS = "  - tokenize: {}\n  - count: {}\n  - multinomial_nb: {}\n"
GOOD_VECTORS = "3 2\ngood 1 0\nbad 0 1\nfilm 0.5 0.5\n"


def pipeline(folder: Path, data="toy.txt", steps=NB_STEPS, name="p.yaml") -> Path:
    """A pipeline file in ``folder`` reading ``data`` (a path relative to it, or a data block)."""
    if not data.startswith("{"):
        data = f"{{path: {data}}}"
    path = folder / name
    path.write_text(PIPELINE.format(data=data, steps=steps), encoding="utf-8")
    return path


def workspace(tmp: Path) -> Path:
    """A pipeline file whose own data is good: a bad ``--data`` is the only mistake."""
    (tmp / "toy.txt").write_text(GOOD_LINES, encoding="utf-8")
    return pipeline(tmp)


def write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@dataclass
class Case:
    """One malformed input: ``make(tmp)`` returns the command line; the error names ``mentions``.

    ``files`` are written into the test's folder first (name to content; None: a folder).
    """

    id: str
    make: Callable[[Path], list]
    mentions: tuple = field(default_factory=tuple)
    files: dict = field(default_factory=dict)


# --- data files for `run --data` and `train --data` ---------------------------------------

BAD_DATA = {
    # name: (file name, content or None for "missing", strings the error names)
    "missing": ("nope.txt", None, ("nope.txt", "not found")),
    "empty-lines": ("empty.txt", "", ("empty.txt", "holds no examples")),
    "empty-csv": ("empty.csv", "", ("empty.csv", "empty")),
    "empty-tsv": ("empty.tsv", "", ("empty.tsv", "empty")),
    "empty-jsonl": ("empty.jsonl", "", ("empty.jsonl", "holds no examples")),
    "blank-lines-only": ("blank.txt", "\n \n\t\n", ("blank.txt", "holds no examples")),
    "binary-lines": ("bin.txt", bytes(range(256)) * 4, ("bin.txt",)),
    "binary-csv": ("bin.csv", b"label,text\n" + bytes(range(256)) * 4, ("bin.csv",)),
    "binary-jsonl": ("bin.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("bin.jsonl",)),
    "gzip-truncated": ("cut.txt.gz", gzip.compress(GOOD_LINES.encode())[:20],
                       ("cut.txt.gz", "gzip")),
    "gzip-not-gzip": ("fake.txt.gz", GOOD_LINES, ("fake.txt.gz", "gzip")),
    "csv-unterminated-quote": ("q.csv", 'label,text\npos,"good fun\nneg,bad\n', ("q.csv", "line 2")),
    "jsonl-truncated": ("cut.jsonl", '{"text": "good", "label": "pos"}\n{"text": "ba',
                        ("cut.jsonl", "line 2", "not valid JSON")),
    "csv-header-only": ("h.csv", "label,text\n", ("h.csv", "holds no examples")),
    "tsv-header-only": ("h.tsv", "label\ttext\n", ("h.tsv", "holds no examples")),
    "csv-no-label-column": ("nl.csv", "text\ngood fun\nbad dull\n",
                            ("nl.csv", "line 1", "no column 'label'")),
    "tsv-no-label-column": ("nl.tsv", "txt\tlabl\ngood\tpos\n",
                            ("nl.tsv", "line 1", "no column 'text'")),
    "jsonl-no-label-field": ("nl.jsonl", '{"text": "good fun"}\n',
                             ("nl.jsonl", "line 1", "no field 'label'")),
    "lines-one-class": ("one.txt", "pos good\npos fun\npos film\npos plot\n",
                        ("one.txt", "one class")),
    "csv-one-class": ("one.csv", "label,text\npos,good\npos,fun\npos,film\npos,plot\n",
                      ("one.csv", "one class")),
    "csv-labels-all-empty": ("e.csv", "label,text\n,good\n,fun\n", ("e.csv", "line 2", "label is empty")),
    "jsonl-labels-all-empty": ("e.jsonl", '{"text": "good", "label": ""}\n',
                               ("e.jsonl", "line 1", "label is empty")),
    "lines-label-only": ("lo.txt", "pos\nneg\n", ("lo.txt", "line 1", "single field")),
    "csv-nul-byte": ("nul.csv", "label,text\npos,good\x00fun\nneg,bad\n",
                     ("nul.csv", "line 2", "NUL byte at column 9")),
    "tsv-nul-byte": ("nul.tsv", "label\ttext\npos\tgood\x00fun\nneg\tbad\n",
                     ("nul.tsv", "line 2", "NUL byte")),
    "lines-nul-byte": ("nul.txt", "neg bad\npos good\x00fun\nneg bad\n", ("nul.txt", "line 2", "NUL")),
    "jsonl-nul-byte": ("nul.jsonl", '{"text": "good\x00", "label": "pos"}\n', ("nul.jsonl", "line 1", "NUL")),
    "utf16-without-bom": ("u16.txt", "pos good fun\nneg bad dull\n".encode("utf-16-le"),
                          ("u16.txt", "line 1", "UTF-16")),
    "jsonl-array-line": ("a.jsonl", '["good fun", "pos"]\n', ("a.jsonl", "line 1", "an array")),
    "jsonl-null-text": ("n.jsonl", '{"text": null, "label": "pos"}\n', ("n.jsonl", "line 1", "null")),
    "jsonl-nested-label": ("n2.jsonl", '{"text": "good", "label": {"a": 1}}\n',
                           ("n2.jsonl", "line 1", "an object")),
    "csv-ragged-row": ("r.csv", "label,text\npos,good,extra\n", ("r.csv", "line 2", "expected 2 fields")),
}


def data_case(command: str, name: str) -> Case:
    file_name, content, mentions = BAD_DATA[name]

    def make(tmp):
        config = workspace(tmp)
        if content is not None:
            write(tmp, file_name, content)
        out = ["-o", tmp / "model"] if command == "train" else []
        return [command, config, "--data", tmp / file_name, *out]

    return Case(f"{command}-{name}", make, mentions)


def folder_case(command: str, name: str, build: Callable[[Path], None], mentions) -> Case:
    def make(tmp):
        config = workspace(tmp)
        (tmp / "docs").mkdir()
        build(tmp / "docs")
        out = ["-o", tmp / "model"] if command == "train" else []
        return [command, config, "--data", tmp / "docs", "--data-format", "folder", *out]

    return Case(f"{command}-folder-{name}", make, mentions)


def _empty_label_folder(docs: Path):
    (docs / "pos").mkdir()
    (docs / "neg").mkdir()
    (docs / "neg" / "1.txt").write_text("bad")


def _one_label_folder(docs: Path):
    (docs / "pos").mkdir()
    for i in range(4):
        (docs / "pos" / f"{i}.txt").write_text(f"good {i}")


def _blank_document(docs: Path):
    for label in ("pos", "neg"):
        (docs / label).mkdir()
        (docs / label / "1.txt").write_text(f"{label} text")
    (docs / "neg" / "2.txt").write_text("  \n")


FOLDER_CASES = {
    "empty": (lambda docs: None, ("docs", "holds no label folders")),
    "label-without-files": (_empty_label_folder, ("pos", "holds no .txt files")),
    "one-label": (_one_label_folder, ("docs", "one class")),
    "blank-document": (_blank_document, ("2.txt", "text is empty")),
}

DATA_CASES = [data_case(command, name) for command in ("run", "train") for name in BAD_DATA]
DATA_CASES += [folder_case(command, name, *FOLDER_CASES[name])
               for command in ("run", "train") for name in FOLDER_CASES]


# --- vector files: `vectors` and the pretrained_vectors stage -----------------------------

BAD_VECTORS = {
    "empty": ("", ("v.txt", "empty")),
    "blank": ("\n\n", ("v.txt", "empty")),
    "bad-header": ("3 x\ngood 1 0\n", ("v.txt", "line 2", "expected 1 numbers")),
    "header-count-too-big": ("9 2\ngood 1 0\nbad 0 1\n", ("v.txt", "announces 9 vectors")),
    "header-zero-dim": ("2 0\ngood\nbad\n", ("v.txt", "line 1", "dimension must be at least 1")),
    "header-zero-count": ("0 2\n", ("v.txt",)),
    "ragged": ("3 2\ngood 1 0\nbad 0 1 1 1\nfilm 1\n", ("v.txt", "line 3")),
    "ragged-glove": ("good 1 0\nbad 0\n", ("v.txt", "line 2")),
    "non-numeric": ("good 1 0\nbad zero one\n", ("v.txt", "line 2", "zero")),
    "nan": ("good 1 0\nbad nan 1\nfilm 1 1\n", ("v.txt", "line 2", "'nan' is not a finite")),
    "inf": ("good 1 0\nbad 1 -inf\nfilm 1 1\n", ("v.txt", "line 2", "'-inf' is not a finite")),
    "overflow": ("good 1 0\nbad 1 1e999\nfilm 1 1\n", ("v.txt", "line 2", "'1e999'")),
    "invalid-utf8": (b"good 1 0\nb\xffd 0 1\n", ("v.txt", "line 2")),
    "word-only": ("good\nbad\n", ("v.txt", "line 1")),
    "binary-garbage": (bytes(range(256)) * 4, ("v.txt",)),
}


def vectors_case(command: str, name: str) -> Case:
    content, mentions = BAD_VECTORS[name]

    def make(tmp):
        vec = write(tmp, "v.txt", content)
        if command == "neighbors":
            return ["vectors", "neighbors", vec, "good"]
        if command == "analogy":
            return ["vectors", "analogy", vec, "good", "bad", "film"]
        if command == "export":
            return ["vectors", "export", vec, tmp / "out.txt"]
        (tmp / "toy.txt").write_text(GOOD_LINES, encoding="utf-8")
        config = pipeline(tmp, steps="  - tokenize: {}\n  - pretrained_vectors: {path: v.txt}\n"
                                     "  - logreg: {}\n")
        return [command, config] + (["-o", tmp / "model"] if command == "train" else [])

    return Case(f"{command}-vectors-{name}", make, mentions)


VECTOR_CASES = [vectors_case(command, name) for command in ("neighbors", "run")
                for name in BAD_VECTORS]
VECTOR_CASES += [
    Case("run-vectors-gensim-format-not-gensim",
         lambda t: ["run", pipeline(t, steps="  - tokenize: {}\n  - pretrained_vectors: "
                                       "{path: v.kv, format: gensim}\n  - logreg: {}\n")],
         ("v.kv", "cannot read the file as gensim KeyedVectors"),
         files={"toy.txt": GOOD_LINES, "v.kv": "garbage\n"}),
    Case("run-vectors-path-is-a-folder",
         lambda t: ["run", pipeline(t, steps="  - tokenize: {}\n  - pretrained_vectors: "
                                       "{path: vecs}\n  - logreg: {}\n")],
         ("vecs", "is a folder, not a vector file"), files={"toy.txt": GOOD_LINES, "vecs": None}),
]
VECTOR_CASES += [vectors_case(command, name) for command in ("analogy", "export", "train")
                 for name in ("empty", "ragged", "nan")]


# --- model folders: `score` and `vectors` -------------------------------------------------

TRAIN = ["good fun film", "great fun", "bad dull film", "awful dull"] * 2
LABELS = ["pos", "pos", "neg", "neg"] * 2


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    return save_model(pipe.fit(TRAIN, LABELS), tmp_path_factory.mktemp("saved") / "m")


def _not_a_model(tmp: Path) -> Path:
    folder = tmp / "notamodel"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")
    return folder


def _empty_folder(tmp: Path) -> Path:
    folder = tmp / "emptymodel"
    folder.mkdir()
    return folder


def _docs(tmp: Path) -> Path:
    return write(tmp, "docs.txt", "good fun\nbad dull\n")


MODEL_FOLDERS = {"empty": (_empty_folder, "emptymodel"), "not-a-model": (_not_a_model, "notamodel")}


def model_case(command: str, name: str) -> Case:
    build, shown = MODEL_FOLDERS[name]

    def make(tmp):
        folder = build(tmp)
        if command == "score":
            return ["score", folder, _docs(tmp), "-o", tmp / "out.jsonl"]
        if command == "export":
            return ["vectors", "export", folder, tmp / "out.txt"]
        return ["vectors", command, folder, "good"] + (["bad", "film"] if command == "analogy"
                                                        else [])

    return Case(f"{command}-model-{name}", make, (shown,))


MODEL_CASES = [model_case(command, name) for command in ("score", "neighbors", "analogy", "export")
               for name in MODEL_FOLDERS]


# --- options and everything else ----------------------------------------------------------

def _vec(tmp: Path) -> Path:
    return write(tmp, "v.txt", GOOD_VECTORS)


OTHER_CASES = [
    # vectors
    Case("neighbors-unknown-word", lambda t: ["vectors", "neighbors", _vec(t), "zzz"], ("zzz",)),
    Case("analogy-unknown-word", lambda t: ["vectors", "analogy", _vec(t), "good", "zzz", "film"],
         ("zzz",)),
    Case("neighbors-n-negative", lambda t: ["vectors", "neighbors", _vec(t), "good", "-n", "-3"],
         ("-n",)),
    Case("neighbors-n-zero", lambda t: ["vectors", "neighbors", _vec(t), "good", "-n", "0"], ("-n",)),
    Case("analogy-n-zero", lambda t: ["vectors", "analogy", _vec(t), "good", "bad", "film", "-n",
                                      "0"], ("-n",)),
    Case("neighbors-unknown-step", lambda t: ["vectors", "neighbors", _vec(t), "good", "--step",
                                              "x"], ("--step",)),
    Case("export-onto-its-source", lambda t: ["vectors", "export", _vec(t), t / "v.txt",
                                              "--overwrite"], ("v.txt",)),
    Case("neighbors-model-without-embedding", lambda t: ["vectors", "neighbors", _model(t), "good"],
         ("model", "no embedding step")),
    Case("neighbors-vectors-gzip-truncated",
         lambda t: ["vectors", "neighbors", write(t, "v.txt.gz", gzip.compress(
             ("5000 2\n" + "".join(f"w{i} {i} {i % 7}\n" for i in range(5000))).encode())[:4000]),
                    "w1"], ("v.txt.gz", "gzip")),
    # run / train / compare options
    Case("run-n-jobs-zero", lambda t: ["run", workspace(t), "--n-jobs", "0"], ("--n-jobs",)),
    Case("run-unknown-data-format", lambda t: ["run", workspace(t), "--data-format", "xml"],
         ("xml",)),
    Case("train-unknown-data-format", lambda t: ["train", workspace(t), "-o", t / "m",
                                                 "--data-format", "xml"], ("xml",)),
    Case("run-folder-format-on-a-file", lambda t: ["run", workspace(t), "--data-format", "folder"],
         ("toy.txt",)),
    Case("run-csv-format-on-a-folder", lambda t: ["run", workspace(t), "--data", t,
                                                  "--data-format", "csv"], ("folder",)),
    Case("run-test-data-missing", lambda t: ["run", workspace(t), "--data", t / "toy.txt",
                                             "--test-data", t / "nope.txt"], ("nope.txt",)),
    Case("run-test-data-binary", lambda t: ["run", workspace(t), "--data", t / "toy.txt",
                                            "--test-data", write(t, "b.txt", bytes(range(256)))],
         ("b.txt", "NUL")),
    Case("compare-data-empty", lambda t: ["compare", _experiment(t), "--data",
                                          write(t, "e.csv", "")], ("e.csv",)),
    Case("compare-data-one-class", lambda t: ["compare", _experiment(t), "--data",
                                              write(t, "one.txt", "pos a\npos b\npos c\n")],
         ("one.txt", "one class")),
    Case("compare-n-jobs-zero", lambda t: ["compare", _experiment(t), "--n-jobs", "0"],
         ("--n-jobs",)),
    Case("run-invalid-utf8-with-encoding-utf-8",
         lambda t: ["run", pipeline(t, data="{path: u.csv, encoding: utf-8}")],
         ("u.csv", "utf-8"), files={"u.csv": b"label,text\npos,caf\xc3\n"}),
    # a config that validates, but whose data is missing when it runs
    Case("run-data-missing-at-run-time", lambda t: ["run", pipeline(t, data="gone.txt")],
         ("gone.txt", "not found")),
    Case("train-data-missing-at-run-time",
         lambda t: ["train", pipeline(t, data="gone.txt"), "-o", t / "m"], ("gone.txt",)),
    Case("compare-data-missing-at-run-time", lambda t: ["compare", _experiment(t, "gone.txt")],
         ("gone.txt",)),
    Case("run-vectors-missing-at-run-time",
         lambda t: ["run", pipeline(t, data="toy.txt", steps="  - tokenize: {}\n"
                                    "  - pretrained_vectors: {path: gone.vec}\n"
                                    "  - logreg: {}\n")],
         ("gone.vec",), files={"toy.txt": GOOD_LINES}),
    # score options
    Case("score-n-jobs-zero", lambda t: ["score", _model(t), _docs(t), "-o", t / "o.jsonl",
                                         "--n-jobs", "0"], ("--n-jobs",)),
    Case("score-chunk-size-negative", lambda t: ["score", _model(t), _docs(t), "-o",
                                                 t / "o.jsonl", "--chunk-size", "-1"],
         ("--chunk-size",)),
    Case("score-top-k-zero", lambda t: ["score", _model(t), _docs(t), "-o", t / "o.jsonl",
                                        "--top-k", "0"], ("--top-k",)),
    Case("score-unknown-input-format", lambda t: ["score", _model(t), _docs(t), "-o",
                                                  t / "o.jsonl", "--input-format", "xml"],
         ("xml",)),
    Case("score-unknown-encoding", lambda t: ["score", _model(t), _docs(t), "-o", t / "o.jsonl",
                                              "--encoding", "nope-8"], ("nope-8",)),
    Case("score-missing-input", lambda t: ["score", _model(t), t / "nope.txt", "-o",
                                           t / "o.jsonl"], ("nope.txt",)),
    Case("score-csv-without-text-column", lambda t: ["score", _model(t), write(
        t, "nocol.csv", "label,body\npos,good\n"), "-o", t / "o.jsonl"],
         ("nocol.csv", "line 1", "--text-column")),
    Case("score-binary-csv", lambda t: ["score", _model(t), write(
        t, "bin.csv", bytes(range(1, 256)) * 2), "-o", t / "o.jsonl"], ("bin.csv", "line 1")),
    Case("score-unknown-id-column", lambda t: ["score", _model(t), write(
        t, "d.csv", "text\ngood\n"), "-o", t / "o.jsonl", "--id-column", "nope"],
         ("d.csv", "nope")),
    Case("score-keep-on-a-text-file", lambda t: ["score", _model(t), _docs(t), "-o",
                                                 t / "o.jsonl", "--keep", "x"], ("--keep",)),
    Case("score-unknown-output-format", lambda t: ["score", _model(t), _docs(t), "-o",
                                                   t / "o.jsonl", "--output-format", "xml"],
         ("xml",)),
    # pretrain options
    Case("pretrain-epochs-zero", lambda t: ["pretrain", _pretrain(t), "--epochs", "0"],
         ("--epochs",)),
    Case("pretrain-threads-zero", lambda t: ["pretrain", _pretrain(t), "--threads", "0"],
         ("--threads",)),
    Case("pretrain-max-minutes-negative", lambda t: ["pretrain", _pretrain(t), "--max-minutes",
                                                     "-1"], ("--max-minutes",)),
    Case("pretrain-corpus-missing-at-run-time", lambda t: ["pretrain", _pretrain(t, "gone.txt")],
         ("gone.txt",)),
    Case("pretrain-corpus-binary", lambda t: ["pretrain", _pretrain(t, "bin.txt")],
         ("bin.txt", "line 1", "NUL"), files={"bin.txt": bytes(range(256)) * 8}),
    Case("pretrain-corpus-empty", lambda t: ["pretrain", _pretrain(t, "empty.txt")],
         ("corpus",), files={"empty.txt": ""}),
    # stages
    Case("stages-unknown-name", lambda t: ["stages", "tokenise"], ("tokenise",)),
]


def _model(tmp: Path) -> Path:
    """A copy, in ``tmp``, of the module's saved model (tokenize → count → multinomial_nb)."""
    return shutil.copytree(_MODEL[0], tmp / "model")


# The cases are built when the module is imported, the model only when the tests run: the
# fixture below hands it to ``_model``.
_MODEL: list[Path] = []


@pytest.fixture(autouse=True)
def _model_to_copy(saved_model):
    _MODEL[:] = [saved_model]


def _experiment(tmp: Path, data: str = "toy.txt") -> Path:
    (tmp / "toy.txt").write_text(GOOD_LINES, encoding="utf-8")
    path = tmp / "e.yaml"
    path.write_text(f"data: {{path: {data}}}\nevaluation: {{method: cv, folds: 2}}\n"
                    "pipelines:\n  - {name: nb, steps: [tokenize, count, multinomial_nb]}\n", encoding="utf-8")
    return path


def _pretrain(tmp: Path, corpus: str = "corpus.txt") -> Path:
    (tmp / "corpus.txt").write_text("a fine film\na dull film\nthe cast is fine\n" * 5)
    path = tmp / "p.yaml"
    path.write_text(
        f"pretrain:\n  output_dir: out\n  corpus: {{files: [{corpus}], min_count: 1}}\n"
        "  model: {char_dim: 4, filters: [[1, 4], [2, 4]], projection_dim: 4, lstm_size: 4}\n"
        "  training: {epochs: 1, batch_size: 4, threads: 1}\n", encoding="utf-8")
    return path


CASES = DATA_CASES + VECTOR_CASES + MODEL_CASES + OTHER_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_malformed_input_fails_cleanly(fails_cleanly, tmp_path, case):
    for name, content in case.files.items():
        if content is None:
            (tmp_path / name).mkdir()
        else:
            write(tmp_path, name, content)
    args = case.make(tmp_path)
    fails_cleanly(args, mentions=case.mentions)


# --- `validate` reports each bad file with exit code 1 ----------------------------------------

BAD_YAML_FOR_VALIDATE = {
    "missing": None,
    "empty": "",
    "binary": bytes(range(256)),
    "invalid-utf8": b"steps:\n  - tokenize: {lowercase: \xff}\n",
    "a-folder": "folder",
}


@pytest.mark.parametrize("name", BAD_YAML_FOR_VALIDATE)
def test_validate_names_each_bad_file_and_exits_1(tmp_path, capfd, name):
    (tmp_path / "toy.txt").write_text(GOOD_LINES, encoding="utf-8")
    good = pipeline(tmp_path, name="good.yaml")
    bad = tmp_path / "bad.yaml"
    content = BAD_YAML_FOR_VALIDATE[name]
    if content == "folder":
        bad.mkdir()
    elif content is not None:
        write(tmp_path, "bad.yaml", content)
    capfd.readouterr()
    code = main(["validate", str(good), str(bad)])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert code == 1, out + err
    assert "bad.yaml" in err and "good.yaml" in out


@pytest.mark.parametrize("command", ["run", "train"])
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_huge_field_is_read_whatever_ran_before(tmp_path, capfd, command, fmt):
    """A document longer than the csv module's default limit (128 Ki characters) is data."""
    import csv

    sep = "," if fmt == "csv" else "\t"
    rows = [f"pos{sep}good {'fun ' * 60_000}"] + [f"pos{sep}good {i}" for i in range(3)]
    rows += [f"neg{sep}bad {i}" for i in range(4)]
    data = write(tmp_path, f"big.{fmt}", f"label{sep}text\n" + "\n".join(rows) + "\n")
    default = csv.field_size_limit(131_072)  # as in a fresh process, before any scoring
    try:
        out = ["-o", tmp_path / "model"] if command == "train" else []
        code = main([str(a) for a in [command, workspace(tmp_path), "--data", data, "-q", *out]])
    finally:
        csv.field_size_limit(max(default, csv.field_size_limit()))
    assert code == 0, capfd.readouterr().err


def test_validate_refuses_a_config_whose_data_file_is_missing(tmp_path, capfd):
    """A file that validates runs: a data file that is not there is found before running."""
    code = main(["validate", str(pipeline(tmp_path, data="gone.txt"))])
    err = capfd.readouterr().err
    assert code == 1 and "gone.txt" in err and "data.path" in err, err


def test_datasets_with_an_extra_argument_is_a_usage_error(capfd):
    capfd.readouterr()
    code = main(["datasets", "extra"])
    out, err = capfd.readouterr()
    assert code == 2 and "Traceback" not in out + err and "extra" in err
