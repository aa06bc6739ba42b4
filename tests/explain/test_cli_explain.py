"""``textpipe explain``: texts from arguments, files and stdin; plain, JSON and HTML output."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import textpipe
from textpipe.cli import main
from textpipe.model import save_model

ROOT = Path(__file__).resolve().parents[2]
#: An SGR escape that sets a foreground or background colour (bold alone is no colour).
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, binary_data):
    pipe = textpipe.load_pipeline({"steps": ["normalize", "tokenize", "stem",
                                             {"tfidf": {"ngram_range": [1, 2]}}, "logreg"]})
    return save_model(pipe.fit(*binary_data), tmp_path_factory.mktemp("m") / "model")


def _run(args, env_extra, stdin=""):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env_extra}
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    return subprocess.run([sys.executable, "-m", "textpipe", "explain", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def test_no_color_prints_plain_text_with_signed_numbers(model_dir):
    proc = _run([str(model_dir), "Wonderful acting, boring plot"],
                {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    assert not COLOUR.search(proc.stdout)
    assert "Wonderful[+" in proc.stdout or "Wonderful[-" in proc.stdout
    assert "boring[" in proc.stdout and "exact: decision score" in proc.stdout
    coloured = _run([str(model_dir), "Wonderful acting, boring plot"], {"FORCE_COLOR": "1"})
    assert COLOUR.search(coloured.stdout) and "Wonderful[" not in coloured.stdout


def test_texts_come_from_stdin_and_a_file_one_per_line(model_dir, tmp_path, capsys,
                                                       monkeypatch):
    import io

    (tmp_path / "texts.txt").write_text("great fun\n\n  \nterrible plot\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("lovely story\n"))
    assert main(["explain", str(model_dir), "a dull film", "-", "--input",
                 str(tmp_path / "texts.txt"), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["text"] for e in data["explanations"]] == ["a dull film", "lovely story",
                                                          "great fun", "terrible plot"]


def test_json_holds_the_exact_split_of_each_text(model_dir, tmp_path, capsys):
    out = tmp_path / "e.json"
    assert main(["explain", str(model_dir), "great fun", "--label", "neg", "--json",
                 str(out)]) == 0
    (e,) = json.loads(out.read_text())["explanations"]
    assert e["label"] == "neg" and e["method"] == "exact"
    assert e["base"] + sum(t["contribution"] for t in e["tokens"]) == pytest.approx(e["score"])
    assert "why 'neg'" in capsys.readouterr().out


def test_html_page_is_written_and_never_overwritten_without_asking(model_dir, tmp_path):
    page = tmp_path / "e.html"
    assert main(["explain", str(model_dir), "great <b>fun</b>", "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "&lt;" in html and "&gt;" in html and "<b>fun" not in html
    assert "toward" in html and "against" in html and "rgba(" in html
    page.write_text("keep me", encoding="utf-8")
    assert main(["explain", str(model_dir), "great fun", "--html", str(page)]) == 2
    assert page.read_text(encoding="utf-8") == "keep me"
    assert main(["explain", str(model_dir), "great fun", "--html", str(page),
                 "--overwrite"]) == 0
    assert "textpipe-explanation" in page.read_text(encoding="utf-8")


def test_overwrite_is_refused_before_any_work(model_dir, tmp_path, capsys):
    page = tmp_path / "e.html"
    page.write_text("keep me", encoding="utf-8")
    # An empty text would fail later: the existing file is what is reported.
    assert main(["explain", str(model_dir), "", "--html", str(page)]) == 2
    assert "--html" in capsys.readouterr().err


@pytest.mark.parametrize("args, code", [(["x", "--label", "poss"], "E932"), ([""], "E931"),
                                        ([], "E930"), (["x", "--method", "exactly"], "E938"),
                                        (["x", "--input", "/no/such/file"], "E936")])
def test_mistakes_are_one_line_errors_from_the_catalogue(model_dir, capsys, args, code):
    assert main(["explain", str(model_dir), *args]) == 2
    err = capsys.readouterr().err
    assert code in err and "Traceback" not in err


def test_missing_model_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["explain", str(tmp_path / "nope"), "x"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_folder_that_is_not_a_model_is_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["explain", str(tmp_path / "empty"), "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err and "[E" in err
