"""Every shell command in README.md and docs/*.md is run or validated, so the docs cannot drift.

The commands run in a temporary folder that holds a copy of ``pipelines/`` shrunk to tiny data
(a 200-document sample, 2 folds) and small stand-ins for the files the docs name (a CSV with
the README's columns, a saved TF-IDF model for every model folder a command scores). Commands
too slow for a test are replaced by a fast equivalent: ``textpipe validate`` for the files in
``SLOW_FILES``, ``compare --dry-run`` for those in ``DRY_RUN_EXPERIMENTS``, each with the
reason; commands that need something a test cannot have are in ``NOT_RUN``. Every other
``textpipe`` command runs, so a new command in the docs that does not work fails the test, and
a table entry the docs no longer show fails it too.
"""

import glob
import gzip
import io
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from textpipe.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(bash|console|sh|shell)\s*$")

#: Pipeline files whose runs fine-tune or train a neural network, or pretrain one: the command
#: is replaced by ``textpipe validate`` of the same file.
SLOW_FILES = {
    "pipelines/minilm_finetune.yaml": "fine-tunes a transformer",
    "pipelines/minilm_finetune_trec.yaml": "fine-tunes a transformer",
    "pipelines/minilm_logreg.yaml": "encodes every document with MiniLM",
    "pipelines/cnn_rand.yaml": "trains a CNN",
    "pipelines/trec_cnn_rand.yaml": "trains a CNN",
    "pipelines/pretrain_bilm.yaml": "pretrains a biLM (minutes)",
    "pipelines/bilstm_elmo.yaml": "needs a pretrained biLM and trains a BiLSTM",
    "pipelines/word2vec_mean_logreg.yaml": "trains word vectors per fold",
    "pipelines/fasttext_sif_logreg.yaml": "trains word vectors per fold",
    "pipelines/glove_logreg.yaml": "trains word vectors per fold",
    "pipelines/bpe_tfidf_logreg.yaml": "learns a BPE vocabulary per fold",
}

#: Files that name a biLM the user pretrains first: validating them must say how to make it.
NEEDS_BILM = {"pipelines/bilstm_elmo.yaml"}

#: Left out of ``validate pipelines/*.yaml``: they name a biLM or vector file the user makes
#: first (tests/test_docs_and_presets.py checks they are refused naming what to prepare).
PREPARED_FIRST = {"elmo_logreg.yaml", "bilstm_elmo.yaml", "pretrained_vectors_logreg.yaml"}

#: Experiments only listed with ``compare --dry-run`` (they fit dozens of pipelines).
DRY_RUN_EXPERIMENTS = {
    "pipelines/compare_preprocessing.yaml": "12 pipelines",
    "pipelines/compare_demo.yaml": "12 pipelines and a report",
    "my_experiment.yaml": "the user's own experiment (a copy of compare_demo.yaml here)",
}

#: Commands of docs/plugins.md: they run with the page's own ``DocLength`` class, registered in
#: this process (in place of installing the page's example package), and its pipeline file.
PLUGIN_PAGE = "docs/plugins.md"

#: ``textpipe`` commands that need something a test cannot have.
NOT_RUN = {
    "textpipe score models/tfidf big.jsonl -o scores.parquet --scheduler tcp://10.0.0.5:8786":
        "needs a running dask cluster",
    "textpipe run pipelines/tfidf_logreg.yaml --mlflow": "needs MLflow, an optional package",
}

#: Shell lines that are not ``textpipe`` commands: make, pip, dask, python.
NOT_TEXTPIPE = ("make ", "pip ", "dask ", "python ")

#: ``zcat FILE | textpipe ARGS > OUT``: textpipe reads the decompressed FILE on stdin.
PIPED = re.compile(r"^zcat (\S+) \| (textpipe .*?)(?: > \S+)?$")


def _doc_commands():
    """(file:line, command) of every command line in the shell blocks of the docs."""
    found = []
    for path in DOC_FILES:
        inside, console, pending = False, False, ""
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not inside:
                match = FENCE.match(line)
                inside, console = bool(match), bool(match) and match.group(1) == "console"
                continue
            if line.startswith("```"):
                inside = False
                continue
            text = pending + line.strip()
            if text.endswith("\\"):
                pending = text[:-1] + " "
                continue
            pending = ""
            if console:
                if not text.startswith("$ "):
                    continue  # output shown in a console block
                text = text[2:]
            command = " ".join(shlex.split(text, comments=True))
            if command:
                found.append((f"{path.relative_to(ROOT)}:{number}", command))
    return found


COMMANDS = _doc_commands()
TEXTPIPE = [(where, c) for where, c in COMMANDS if not c.startswith(NOT_TEXTPIPE)]


def _shrink(path: Path) -> None:
    """Make a copied pipeline or experiment file use 200 documents and 2 folds."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        return
    data = config.get("data")
    if isinstance(data, dict) and "dataset" in data:
        data["sample"] = 200
    evaluation = config.get("evaluation")
    if isinstance(evaluation, dict) and evaluation.get("method", "cv") == "cv":
        evaluation["folds"] = 2
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


W2V = """\
data: {path: w2v.txt}
evaluation: {method: cv, folds: 2}
steps:
  - tokenize: {}
  - word2vec: {dim: 8, min_count: 1, epochs: 3, random_state: 0}
  - logreg: {}
"""


def _write_inputs(root: Path) -> None:
    """The small files the documented commands read."""
    reviews = [("r%d" % i, text, stars, "2024-01-%02d" % (i % 28 + 1))
               for i, (text, stars) in enumerate(
                   [("a good fun film", 5), ("dull and boring", 1)] * 20)]
    lines = ["review_id,review,stars,date"] + [f"{i},{t},{s},{d}" for i, t, s, d in reviews]
    (root / "reviews.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "reviews.tsv").write_text("text\tstars\na good film\t5\ndull\t1\n", encoding="utf-8")
    (root / "reviews.txt").write_text("a good film\ndull and boring\n", encoding="utf-8")
    (root / "docs.txt").write_text("a good film\ndull and boring\n", encoding="utf-8")
    (root / "docs.txt.gz").write_bytes(gzip.compress(b"a good film\ndull and boring\n"))
    (root / "questions.txt").write_text("Who wrote Hamlet ?\nWhere is Rome ?\n", encoding="utf-8")
    (root / "posts.jsonl").write_text('{"body": "a good film", "user": "u1"}\n'
                                      '{"body": "dull", "user": "u2"}\n', encoding="utf-8")
    import pandas as pd

    pd.DataFrame({"text": ["a good film", "dull"]}).to_parquet(root / "corpus.parquet")
    words = [f"pos good better fine film {i}" for i in range(8)] + [
        f"neg bad dull boring film {i}" for i in range(8)]
    (root / "w2v.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    (root / "w2v.yaml").write_text(W2V, encoding="utf-8")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Shrunk pipelines, input files, and two small saved models kept aside in ``saved/``."""
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "pipelines", root / "pipelines")
    for path in (root / "pipelines").glob("*.yaml"):
        _shrink(path)
    shutil.copy(root / "pipelines" / "compare_demo.yaml", root / "my_experiment.yaml")
    _write_inputs(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert main(["train", "pipelines/tfidf_logreg.yaml", "--out", "saved/tfidf", "-q"]) == 0
        assert main(["run", "w2v.yaml", "--save", "saved/w2v", "-q"]) == 0
    return root


@pytest.fixture
def workdir(base, tmp_path, monkeypatch):
    """A fresh copy of ``base`` for each command: the commands of a page are alternatives."""
    root = tmp_path / "work"
    shutil.copytree(base, root)
    monkeypatch.chdir(root)
    return root


def _fast_equivalent(argv: list[str]) -> list[str]:
    """The command to run in the test: itself, or a fast stand-in from the tables above."""
    if argv[:1] in (["run"], ["train"], ["pretrain"]) and argv[1] in SLOW_FILES:
        return ["validate", argv[1]]
    if argv[:1] == ["compare"] and argv[1] in DRY_RUN_EXPERIMENTS:
        kept = [a for i, a in enumerate(argv)
                if a not in ("--out", "--dry-run") and (i == 0 or argv[i - 1] != "--out")]
        return [*kept, "--dry-run"]
    expanded = []
    for arg in argv:
        expanded += sorted(glob.glob(arg)) if "*" in arg else [arg]
    return expanded


def _prepare(argv: list[str], root: Path) -> None:
    """Stand-ins for what an earlier command on the page made (a saved model)."""
    if argv[:1] == ["vectors"] and argv[2] == "models/w2v":
        shutil.copytree(root / "saved" / "w2v", root / "models" / "w2v")
    if argv[:1] == ["vectors"] and argv[2] == "vectors.txt":  # written by `vectors export`
        assert main(["vectors", "export", "saved/w2v", "vectors.txt"]) == 0
    # The TF-IDF model stands in for models the docs train slowly.
    if argv[:1] in (["score"], ["explain"]):
        shutil.copytree(root / "saved" / "tfidf", root / argv[1])
    if argv[:1] == ["runs"]:  # two recorded runs to list and diff: logreg's C, then changed
        path = root / "pipelines" / "tfidf_logreg.yaml"
        assert main(["run", str(path), "-q"]) == 0
        path.write_text(path.read_text().replace("C: 10", "C: 4"), encoding="utf-8")
        assert main(["run", str(path), "-q"]) == 0
    if argv[:1] == ["validate"] and len(argv) > 2:  # the glob `pipelines/*.yaml`
        argv[:] = [a for a in argv if Path(a).name not in PREPARED_FIRST]


def _blocks(path: Path, language: str) -> list[str]:
    """The fenced blocks of one language in a docs page."""
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"),
                      flags=re.MULTILINE | re.DOTALL)


@pytest.fixture
def plugin_page(workdir):
    """The stage class and the pipeline file shown in docs/plugins.md, registered and written."""
    from textpipe.registry import register_stage, unregister_stage

    page = ROOT / PLUGIN_PAGE
    (source,) = [b for b in _blocks(page, "python") if "class DocLength" in b]
    (pipeline,) = [b for b in _blocks(page, "yaml") if "doc_length" in b]
    namespace = {}
    exec(compile(source, str(page), "exec"), namespace)
    register_stage("doc_length", namespace["DocLength"])
    (workdir / "pipeline.yaml").write_text(pipeline, encoding="utf-8")
    yield
    unregister_stage("doc_length")


@pytest.mark.parametrize("where,command", TEXTPIPE, ids=[w for w, _ in TEXTPIPE])
def test_documented_command_runs(where, command, workdir, capsys, request, monkeypatch):
    piped = PIPED.match(command)
    if piped:
        stdin = io.TextIOWrapper(io.BytesIO(gzip.decompress(Path(piped[1]).read_bytes())))
        monkeypatch.setattr(sys, "stdin", stdin)
        command = piped[2]
    if command in NOT_RUN:
        pytest.skip(NOT_RUN[command])
    assert command.startswith("textpipe "), f"{where}: not a textpipe command: {command}"
    if where.startswith(PLUGIN_PAGE + ":"):
        request.getfixturevalue("plugin_page")
    argv = _fast_equivalent(shlex.split(command)[1:])
    _prepare(argv, workdir)
    code = main(argv)
    if argv[:1] == ["validate"] and argv[1:] and argv[1] in NEEDS_BILM:
        assert code == 1 and "textpipe pretrain" in capsys.readouterr().err, where
        return
    if piped:
        assert code == 0 and capsys.readouterr().out.count("\n") == 2, where
        return
    assert code == 0, f"{where}: `{command}` (ran as {argv}) exited {code}\n" + \
        "\n".join(capsys.readouterr())


def test_the_plugin_page_shows_the_message_of_a_wrong_value(workdir, plugin_page, capsys):
    """The ✗ line docs/plugins.md shows for ``max_tokens: 0`` is the one textpipe prints."""
    page = (ROOT / PLUGIN_PAGE).read_text(encoding="utf-8")
    (shown,) = [line for line in page.splitlines() if line.startswith("✗ pipeline.yaml")]
    path = workdir / "pipeline.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_tokens: 500", "max_tokens: 0"),
                    encoding="utf-8")
    assert main(["validate", "pipeline.yaml"]) == 1
    assert shown in capsys.readouterr().err


def test_no_textpipe_command_hides_in_a_block_of_another_language():
    """A command in a ``` block not marked bash/console/sh would escape this test."""
    command = re.compile(r"^(\$ )?textpipe [a-z]+(\s|$)")
    hidden = []
    for path in DOC_FILES:
        inside, shell = False, False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                inside, shell = not inside, bool(FENCE.match(line))
            elif inside and not shell and command.match(line):
                hidden.append(f"{path.relative_to(ROOT)}:{number}")
    assert not hidden, f"mark these blocks ```bash or ```console: {hidden}"


def test_every_non_textpipe_line_is_a_known_tool():
    others = [c for _, c in COMMANDS if c.startswith(NOT_TEXTPIPE)]
    assert others and all(c.split()[0] in ("make", "pip", "dask", "python")
                          for c in others)


def test_the_tables_name_only_what_the_docs_still_show():
    shown = " ".join(c for _, c in COMMANDS)
    stale = [name for name in [*SLOW_FILES, *DRY_RUN_EXPERIMENTS, *NOT_RUN] if name not in shown]
    assert not stale, f"no longer in the docs, remove from the tables: {stale}"
