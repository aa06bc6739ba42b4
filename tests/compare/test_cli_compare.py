"""``textpipe compare`` on the command line."""

import json

import pytest

from textpipe.cli import main

EXPERIMENT = """\
name: toy
data:
  path: toy.txt
evaluation:
  method: cv
  folds: 3
  seed: 0
  metrics: [accuracy]
grid:
  base:
    - tokenize
    - count
    - linear_svm
  params:
    count.binary: [false, true]
    linear_svm: [linear_svm, multinomial_nb]
"""


@pytest.fixture
def experiment(tmp_path):
    lines = [f"pos good fun film {i}" for i in range(6)] + [
        f"neg bad dull film {i}" for i in range(6)]
    (tmp_path / "toy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_dry_run_lists_the_expanded_pipelines_without_running(experiment, capsys):
    assert main(["compare", str(experiment), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 pipelines" in out
    assert "count.binary=true" in out and "multinomial_nb" in out
    assert "Per fold, 7 distinct steps are fitted instead of 12" in out


def test_compare_prints_a_leaderboard_and_writes_the_report(experiment, tmp_path, capsys):
    out_dir = tmp_path / "report"
    code = main(["compare", str(experiment), "--out", str(out_dir),
                 "--json", str(tmp_path / "r.json")])
    assert code == 0
    out = capsys.readouterr().out
    assert "toy" in out and "best" in out and "signif." in out
    assert "report.html" in out
    assert (out_dir / "report.html").is_file() and (out_dir / "results.csv").is_file()
    same = json.loads((tmp_path / "r.json").read_text())
    assert same["datasets"] == json.loads((out_dir / "results.json").read_text())["datasets"]
    assert len(same["datasets"][0]["pipelines"]) == 4


def test_json_to_stdout_prints_only_json(experiment, capsys):
    assert main(["compare", str(experiment), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["experiment"] == "toy"


def test_data_option_replaces_the_experiment_data(experiment, tmp_path, capsys):
    other = tmp_path / "other.txt"
    other.write_text("\n".join([f"a x{i} y" for i in range(6)] + [f"b z{i} w" for i in range(6)])
                     + "\n", encoding="utf-8")
    assert main(["compare", str(experiment), "--data", str(other), "--json", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["datasets"][0]["data"]["classes"] == ["a", "b"]


def test_an_invalid_experiment_exits_2_naming_file_and_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("grid:\n  base: [tokenize, count, logreg]\n  params:\n"
                    "    logreg.CC: [1, 2]\n", encoding="utf-8")
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml, line 4" in err and "'logreg' has no parameter 'CC'" in err


# -- options checked before the run ------------------------------------------------------


@pytest.mark.parametrize("option, make, expected", [
    ("--out", "file", "'--out': '{path}' is a file, so the report cannot be written there"),
    ("--out", "file/below", "'--out': '{path}' cannot be created: '{parent}' is a file"),
    ("--json", "folder", "'--json': '{path}' is a folder, so results.json cannot be written"),
    ("--json", "file/r.json", "'--json': '{path}' cannot be created: '{parent}' is a file"),
])
def test_an_unusable_output_path_is_refused_before_the_run(experiment, tmp_path, capsys,
                                                           option, make, expected):
    (tmp_path / "file").write_text("not a folder\n")
    (tmp_path / "folder").mkdir()
    path = tmp_path / make
    assert main(["compare", str(experiment), option, str(path)]) == 2
    captured = capsys.readouterr()
    assert expected.format(path=path, parent=tmp_path / "file") in captured.err
    assert "pipeline-folds" not in captured.err and "best" not in captured.out  # nothing ran


def test_n_jobs_zero_is_refused_with_what_to_give(experiment, capsys):
    assert main(["compare", str(experiment), "--n-jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "'--n-jobs': must be a nonzero integer" in err and "-1 uses every core" in err


def test_a_malformed_scheduler_address_fails_at_once_without_a_dask_client(
        experiment, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")

    def no_client(*args, **kwargs):
        raise AssertionError("a Client was created for a malformed address")

    monkeypatch.setattr(distributed, "Client", no_client)
    assert main(["compare", str(experiment), "--scheduler", "localhost"]) == 2
    err = capsys.readouterr().err
    assert "'localhost' is not a Dask scheduler address (missing port" in err
    assert "tcp://127.0.0.1:8786" in err


# -- what the terminal shows ---------------------------------------------------------------


def test_the_progress_bar_counts_pipeline_folds_with_an_eta(experiment, monkeypatch):
    import io

    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr("textpipe.cli.compare.err_console",
                        Console(file=screen, force_terminal=True, width=100))
    assert main(["compare", str(experiment)]) == 0
    shown = screen.getvalue()
    assert "pipeline-folds" in shown and "ETA" in shown
    assert "12/12" in shown                                  # 4 pipelines × 3 folds


def test_the_terminal_leaderboard_shows_the_report_cells(experiment):
    from textpipe.cli.compare import WIDE_COLUMNS, leaderboard
    from textpipe.compare import compare
    from textpipe.compare.report import leaderboard_rows

    board = compare(experiment).datasets[0]
    table = leaderboard(board, width=140)
    assert [c.header for c in table.columns] == list(WIDE_COLUMNS.values())
    rows = leaderboard_rows(board, digits=3)
    for column, key in zip(table.columns, WIDE_COLUMNS):
        assert list(column._cells) == [row[key] for row in rows], key


def test_the_caption_gives_the_experiment_alpha_even_with_nothing_to_test(tmp_path, capsys):
    (tmp_path / "toy.txt").write_text("\n".join(
        [f"pos good fun {i}" for i in range(6)] + [f"neg bad dull {i}" for i in range(6)]) + "\n")
    path = tmp_path / "one.yaml"
    path.write_text("data: {path: toy.txt}\nevaluation: {method: cv, folds: 3}\n"
                    "pipelines:\n  - steps: [tokenize, count, multinomial_nb]\n"
                    "report: {alpha: 0.01}\n", encoding="utf-8")
    assert main(["compare", str(path)]) == 0
    assert "p < 0.01)" in capsys.readouterr().out


def test_dry_run_words_the_protocol_as_the_run_does(experiment, capsys):
    assert main(["compare", str(experiment), "--dry-run"]) == 0
    assert "Protocol: 3-fold stratified cross-validation, seed 0" in capsys.readouterr().out


def test_on_an_80_column_terminal_long_names_fold_and_no_number_is_cut(tmp_path):
    from rich.console import Console

    from textpipe.cli.compare import leaderboard
    from textpipe.compare import compare
    from textpipe.compare.report import leaderboard_rows

    (tmp_path / "toy.txt").write_text("\n".join(
        [f"pos good fun {i}" for i in range(6)] + [f"neg bad dull {i}" for i in range(6)]) + "\n")
    long = "stopwords.keep=(not,no,nor,never,neither,nobody,nothing,nowhere)"
    path = tmp_path / "long.yaml"
    path.write_text("data: {path: toy.txt}\nevaluation: {method: cv, folds: 3}\npipelines:\n"
                    f"  - {{name: '{long}, count', steps: [tokenize, count, multinomial_nb]}}\n"
                    f"  - {{name: '{long}, tfidf', steps: [tokenize, tfidf, multinomial_nb]}}\n",
                    encoding="utf-8")
    board = compare(path).datasets[0]
    console = Console(width=80, record=True, color_system=None)
    console.print(leaderboard(board, width=80))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    for row in leaderboard_rows(board, digits=3):
        assert row["fit"] in text and row["ci"].strip("[]").replace(", ", "–") in text


def test_names_get_the_width_the_numbers_leave_on_an_80_column_terminal():
    from rich.console import Console

    from textpipe.cli.compare import leaderboard
    from textpipe.compare import compare
    from textpipe.data import Dataset

    data = Dataset(["good fun", "great fun", "bad dull", "awful dull"] * 6,
                   ["pos", "pos", "neg", "neg"] * 6)
    results = compare({"evaluation": {"method": "cv", "folds": 3},
                       "grid": {"base": ["tokenize", "tfidf", "multinomial_nb"],
                                "params": {"tfidf.ngram_range": [[1, 1], [1, 2]]}}},
                      datasets=[data])
    console = Console(width=80, record=True, color_system=None)
    console.print(leaderboard(results.datasets[0], width=80))
    text = console.export_text()
    assert "tfidf.ngram_range=(1,2)" in text  # on one line, not folded
    assert max(len(line) for line in text.splitlines()) <= 80


def test_compare_reads_named_columns_of_a_csv(experiment, tmp_path):
    rows = [f"good fun film {i},pos" for i in range(6)] + [f"bad dull film {i},neg"
                                                          for i in range(6)]
    csv = tmp_path / "reviews.csv"
    csv.write_text("review,sentiment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["compare", str(experiment), "--data", str(csv), "--text-column", "review",
                 "--label-column", "sentiment", "--json", str(out), "-q"]) == 0
    assert len(json.loads(out.read_text())["datasets"][0]["pipelines"]) == 4


def test_compare_takes_o_and_output_for_out_and_j_for_n_jobs(experiment, tmp_path):
    assert main(["compare", str(experiment), "-o", str(tmp_path / "a"), "-j", "1", "-q"]) == 0
    assert (tmp_path / "a" / "report.html").is_file()
    assert main(["compare", str(experiment), "--output", str(tmp_path / "b"), "-q"]) == 0
    assert (tmp_path / "b" / "results.json").is_file()


GRID4 = """\
name: toy
data:
  path: toy.txt
evaluation:
  method: cv
  folds: 3
  seed: 0
  metrics: [accuracy]
grid:
  base: [normalize, tokenize, stopwords, count, linear_svm]
  params:
    normalize.lowercase: [false, true]
    stopwords.source: [sklearn, none]
    count.binary: [false, true]
    linear_svm: [linear_svm, multinomial_nb]
"""


@pytest.fixture
def grid4(experiment, tmp_path):
    path = tmp_path / "grid4.yaml"
    path.write_text(GRID4, encoding="utf-8")
    return path


def _board_lines(out: str) -> list[str]:
    """The leaderboard's rows: the lines that start with a rank."""
    return [line for line in out.splitlines() if line.split() and line.split()[0].isdigit()
            and "±" in line]


def test_at_80_columns_each_pipeline_is_one_row_and_its_name_is_listed_whole(
        grid4, capsys, monkeypatch):
    from rich.console import Console

    monkeypatch.setattr("textpipe.cli.compare.console",
                        Console(width=80, force_terminal=True, color_system=None))
    assert main(["compare", str(grid4)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert len(_board_lines(out)) == 16  # one line per pipeline
    name = "normalize.lowercase=false, stopwords=sklearn, count.binary=false, linear_svm"
    assert name in " ".join(out.split())  # each name whole, below the table


def test_piped_or_wide_the_leaderboard_has_every_column_and_names_on_one_line(grid4, capsys):
    assert main(["compare", str(grid4)]) == 0  # stdout captured: not a terminal
    piped = capsys.readouterr().out
    header = next(line for line in piped.splitlines() if "mean ± std" in line)
    assert "p" in header.split() and "predict s" in header and "peak MB" in header
    rows = _board_lines(piped)
    assert len(rows) == 16
    assert any("normalize.lowercase=false, stopwords=sklearn, count.binary=false, linear_svm"
               in row for row in rows)  # a whole name on its row's one line


def test_wide_shows_every_column_on_a_narrow_terminal(grid4, capsys, monkeypatch):
    from rich.console import Console

    monkeypatch.setattr("textpipe.cli.compare.console",
                        Console(width=80, force_terminal=True, color_system=None))
    assert main(["compare", str(grid4), "--wide"]) == 0
    out = capsys.readouterr().out
    assert "peak MB" in out and len(_board_lines(out)) == 16
