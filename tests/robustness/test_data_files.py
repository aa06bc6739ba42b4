"""Generated data files, fed to ``textpipe run`` and ``textpipe train``.

Whatever a data file holds (any Unicode, any bytes, delimiters and quotes inside
fields, stray line breaks), a command either runs (exit 0) or stops on the user's
mistake (exit 2, one ``error:`` line naming the file); it never prints a traceback,
never lets an exception escape ``main()`` and never changes the data file.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textpipe.cli import main

FORMATS = {"lines": "data.txt", "csv": "data.csv", "tsv": "data.tsv", "jsonl": "data.jsonl"}
PIPELINE = """\
evaluation: {method: cv, folds: 2, seed: 0}
steps:
  - tokenize: {}
  - count: {}
  - multinomial_nb: {}
"""
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Characters that mean something to one of the formats, or to line splitting.
TRICKY = st.sampled_from([",", "\t", '"', "'", "\n", "\r", "\r\n", " ", "{", "}", "[", ":",
                          "\\", "\x00", "\x85", "\u2028", "\ufeff", "\x1a", "é", "😀"])
TEXTS = st.lists(st.one_of(st.text(max_size=8), TRICKY), max_size=6).map("".join)
LABELS = st.one_of(st.sampled_from(["pos", "neg", "1", "0"]), TEXTS)
ROWS = st.lists(st.tuples(LABELS, TEXTS), max_size=12)


def render(fmt: str, rows: list[tuple[str, str]]) -> bytes:
    """Write ``rows`` as a ``fmt`` file would hold them (UTF-8)."""
    if fmt == "lines":
        text = "".join(f"{label} {body}\n" for label, body in rows)
    elif fmt == "jsonl":
        text = "".join(json.dumps({"text": body, "label": label}, ensure_ascii=False) + "\n"
                       for label, body in rows)
    else:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t")
        writer.writerow(["label", "text"])
        writer.writerows(rows)
        text = buffer.getvalue()
    return text.encode("utf-8", errors="surrogatepass")


def check_both_commands(capfd, fmt: str, content: bytes) -> None:
    """Run ``run`` and ``train`` on a ``fmt`` file holding ``content``."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        data = folder / FORMATS[fmt]
        data.write_bytes(content)
        config = folder / "p.yaml"
        config.write_text(PIPELINE, encoding="utf-8")
        for args in (["run", config, "--data", data, "-q"],
                     ["train", config, "--data", data, "-o", folder / "model", "-q"]):
            capfd.readouterr()
            try:
                code = main([str(a) for a in args])
            except BaseException as exc:  # what a user would see as a traceback
                pytest.fail(f"textpipe {args[0]} on {content!r} raised {type(exc).__name__}: "
                            f"{exc}", pytrace=False)
            out, err = capfd.readouterr()
            shown = f"textpipe {args[0]} on {content!r}: exit {code}\n{out}{err}"
            assert "Traceback" not in out + err, shown
            assert code in (0, 2), shown
            if code == 2:
                errors = [line for line in err.splitlines() if line.startswith("error:")]
                assert len(errors) == 1, shown
                assert data.name in errors[0], shown
            assert data.read_bytes() == content, f"the data file was changed\n{shown}"


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(rows=ROWS)
def test_generated_rows_run_or_fail_cleanly(capfd, fmt, rows):
    check_both_commands(capfd, fmt, render(fmt, rows))


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(content=st.binary(max_size=200), rows=ROWS)
def test_arbitrary_bytes_run_or_fail_cleanly(capfd, fmt, content, rows):
    """Bytes alone, and bytes spliced into the middle of a well-formed file."""
    check_both_commands(capfd, fmt, content)
    good = render(fmt, rows)
    middle = len(good) // 2
    check_both_commands(capfd, fmt, good[:middle] + content + good[middle:])


def test_a_well_formed_generated_file_runs(capfd):
    """The generator writes files the readers accept: a guard against a test that only fails."""
    rows = [("pos", f"good fun, \"film\" {i}\té") for i in range(4)]
    rows += [("neg", f"bad dull {{plot}} {i}") for i in range(4)]
    for fmt in FORMATS:
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / FORMATS[fmt]
            data.write_bytes(render(fmt, rows))
            config = Path(folder) / "p.yaml"
            config.write_text(PIPELINE, encoding="utf-8")
            capfd.readouterr()
            assert main(["run", str(config), "--data", str(data), "-q"]) == 0, capfd.readouterr()
