"""The robustness harness: run a CLI command on bad input and check that it failed well.

A command that fails on a user's mistake must exit with code 2, print one line that
names what is wrong and where (file, line, option), print no traceback, and leave
every file that was there before exactly as it was. Any exception other than a
``TextpipeError`` that reaches the command line is a bug, and fails the test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

import textpipe
from textpipe.cli import main
from textpipe.model import save_model


@dataclass
class Outcome:
    """What a command did: its exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """The error line (stderr, without the ``error:`` prefix)."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        return lines[-1].removeprefix("error:").strip() if lines else ""


def snapshot(*folders: Path) -> dict[Path, bytes]:
    """The content of every regular file below ``folders``."""
    files = {}
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    files[path] = path.read_bytes()
    return files


def run_cli(args, capfd) -> Outcome:
    """Run ``textpipe ARGS`` in this process; an exception that escapes is a bug."""
    capfd.readouterr()
    try:
        code = main([str(a) for a in args])
    except BaseException as exc:  # what a user would have seen as a traceback
        captured = capfd.readouterr()
        pytest.fail(f"textpipe {' '.join(map(str, args))} raised {type(exc).__name__}: {exc}\n"
                    f"stderr: {captured.err}", pytrace=False)
    captured = capfd.readouterr()
    return Outcome(code, captured.out, captured.err)


@pytest.fixture
def fails_cleanly(capfd, tmp_path):
    """Check that ``textpipe ARGS`` fails as a user's mistake should.

    Call it as ``fails_cleanly(args, mentions=("--errors", "in.txt"), watch=(folder,))``:
    it asserts exit code 2, one error line on stderr holding every string of
    ``mentions``, no ``Traceback`` anywhere, and every file below ``tmp_path`` and
    ``watch`` unchanged. It returns the :class:`Outcome`.
    """

    def check(args, *, mentions=(), watch=(), code: int = 2) -> Outcome:
        before = snapshot(tmp_path, *watch)
        outcome = run_cli(args, capfd)
        shown = f"exit {outcome.code}\nstdout: {outcome.out}\nstderr: {outcome.err}"
        assert "Traceback" not in outcome.out + outcome.err, shown
        assert outcome.code == code, shown
        error_lines = [line for line in outcome.err.splitlines() if line.startswith("error:")]
        assert len(error_lines) == 1, shown
        for text in mentions:
            assert str(text) in error_lines[0], f"{text!r} not named\n{shown}"
        after = snapshot(tmp_path, *watch)
        changed = sorted(str(p) for p in before if after.get(p) != before[p])
        assert not changed, f"files changed or removed: {changed}\n{shown}"
        return outcome

    return check


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A small saved model: tokenize → count → multinomial_nb, labels neg/pos."""
    pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
    pipe.fit(["good fun film", "great fun", "bad dull film", "awful dull"] * 3,
             ["pos", "pos", "neg", "neg"] * 3)
    return save_model(pipe, tmp_path_factory.mktemp("model") / "toy")
