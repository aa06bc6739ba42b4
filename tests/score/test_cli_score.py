"""``textpipe train`` and ``textpipe score`` from the command line, killed ones included."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from textpipe.cli import main

ROOT = Path(__file__).resolve().parents[2]
N_ROWS = 200_000


def cli(*args, **kwargs):
    """Start ``python -m textpipe ARGS`` with textpipe importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-m", "textpipe", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """200,000 short lines: big enough to be killed in the middle of scoring."""
    path = tmp_path_factory.mktemp("big") / "docs.txt"
    words = ["good fun", "awful dull", "great film", "bad plot", "fine"]
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(f"{words[i % 5]} {i}\n" for i in range(N_ROWS))
    return path


def committed_chunks(parts: Path) -> int:
    try:
        return (parts / "journal.jsonl").read_bytes().count(b"\n") - 1
    except FileNotFoundError:
        return 0


def start_and_interrupt(model_dir, big_input, out, how, *extra):
    """Start scoring, wait for a few committed chunks, then send the signal ``how``."""
    process = cli("score", model_dir, big_input, "-o", out, "--chunk-size", 1000, "-q", *extra)
    parts = out.with_name(out.name + ".parts")
    deadline = time.monotonic() + 60
    while committed_chunks(parts) < 3:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "no chunk was committed within 60 s"
        time.sleep(0.005)
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    done = committed_chunks(parts)
    assert 3 <= done < N_ROWS // 1000, f"killed after {done} chunks: not in the middle"
    assert not out.exists()
    return process.returncode, err.decode(), done


def check_complete(out, read_jsonl):
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == list(range(N_ROWS))  # none lost, none twice, in order
    assert rows[1]["label"] == "neg" and rows[2]["label"] == "pos"
    assert not out.with_name(out.name + ".parts").exists()


def test_kill_9_then_resume_gives_each_row_exactly_once(model_dir, big_input, tmp_path,
                                                       read_jsonl, capsys):
    out = tmp_path / "scores.jsonl"
    code, _, done = start_and_interrupt(model_dir, big_input, out, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert main(["score", str(model_dir), str(big_input), "-o", str(out), "--chunk-size",
                 "1000", "--resume"]) == 0
    assert f"{done * 1000:,} rows were done before the interruption" in capsys.readouterr().err
    check_complete(out, read_jsonl)


# Interrupting the run stops loky's workers with jobs still queued, which it warns about.
@pytest.mark.filterwarnings("ignore:A worker stopped while some jobs were given:UserWarning")
def test_ctrl_c_then_resume_in_two_workers(model_dir, big_input, tmp_path, read_jsonl):
    out = tmp_path / "scores.jsonl"
    code, err, _ = start_and_interrupt(model_dir, big_input, out, signal.SIGINT)
    assert code == 130 and "--resume" in err
    # the number of workers is not part of the job: resume with two
    assert main(["score", str(model_dir), str(big_input), "-o", str(out), "--chunk-size",
                 "1000", "--resume", "-q", "-j", "2"]) == 0
    check_complete(out, read_jsonl)


def test_train_then_score_stdin_to_stdout(tmp_path):
    config = tmp_path / "p.yaml"
    (tmp_path / "train.txt").write_text("pos good fun\npos great\nneg bad dull\nneg awful\n",
                                        encoding="utf-8")
    config.write_text("data: {path: train.txt}\nsteps: [tokenize, count, multinomial_nb]\n",
                      encoding="utf-8")
    trained = cli("train", config, "--out", tmp_path / "model")
    assert trained.wait(timeout=120) == 0, trained.stderr.read().decode()
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert meta["labels"] == ["neg", "pos"] and meta["data"]["n_train"] == 4
    scoring = cli("score", tmp_path / "model", "-", "--top-k", "1", stdin=subprocess.PIPE)
    out, err = scoring.communicate(b"good fun\n\nawful\n", timeout=120)
    assert scoring.returncode == 0, err.decode()
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [(0, "pos"), (2, "neg")]
    assert "bad row line 2: the text is empty" in err.decode()


def test_bad_option_exits_2_with_one_message(model_dir, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("body\nfine\n", encoding="utf-8")
    assert main(["score", str(model_dir), str(src), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "no column 'text'" in err and "--text-column" in err and "Traceback" not in err


def test_score_on_a_local_dask_cluster(model_dir, tmp_path, read_jsonl):
    distributed = pytest.importorskip("distributed")
    src = tmp_path / "in.jsonl"

    def text(i):  # every fourth chunk of 8 is far costlier: chunks finish out of order
        long = " ".join(["good fun dull"] * 20_000) if (i // 8) % 4 == 0 else ""
        return (f"good fun {i} " if i % 2 else "dull ") + long

    src.write_text("".join(json.dumps({"text": text(i), "k": i}) + "\n" for i in range(64)),
                   encoding="utf-8")
    assert main(["score", str(model_dir), str(src), "-o", str(tmp_path / "local.jsonl"),
                 "--chunk-size", "8", "-k", "k", "-q"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert main(["score", str(model_dir), str(src), "-o", str(tmp_path / "dask.jsonl"),
                     "--chunk-size", "8", "-k", "k", "-q",
                     "--scheduler", cluster.scheduler_address]) == 0
    rows = read_jsonl(tmp_path / "dask.jsonl")
    assert rows == read_jsonl(tmp_path / "local.jsonl")
    assert [r["k"] for r in rows] == list(range(64))


def test_a_model_saved_with_other_library_versions_is_scored_with_a_warning(
        model_dir, tmp_path, capsys):
    import shutil

    from textpipe.model import model_identity

    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    meta = json.loads((model / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.1.0"
    meta["metadata_sha256"] = model_identity(meta)  # as saved so
    (model / "metadata.json").write_text(json.dumps(meta))
    src = tmp_path / "in.txt"
    src.write_text("good fun\n", encoding="utf-8")
    assert main(["score", str(model), str(src), "-o", str(tmp_path / "o.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "saved with scikit-learn 0.1.0" in err
    assert err.count("saved with scikit-learn 0.1.0") == 1 and "warnings.warn" not in err


def _session(leader: int) -> list:
    """The live processes of the session that ``leader`` started (orphans included)."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == leader and process.status() != psutil.STATUS_ZOMBIE:
                found.append((process, " ".join(process.cmdline())))
        except (OSError, psutil.Error):  # gone meanwhile
            pass
    return found


def test_workers_exit_when_the_scoring_process_is_killed(model_dir, big_input, tmp_path):
    process = cli("score", model_dir, big_input, "-o", tmp_path / "out.jsonl", "-j", 2,
                  "--chunk-size", 1000, "-q", start_new_session=True)
    deadline = time.monotonic() + 60
    while sum("loky" in cmd and "--process-name" in cmd for _, cmd in _session(process.pid)) < 2:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "two workers did not start within 60 s"
        time.sleep(0.005)
    process.kill()  # right after the workers start, before they get any work
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while left := _session(process.pid):  # workers, and loky's resource tracker
        if time.monotonic() > deadline:
            for orphan, _ in left:
                orphan.kill()
            pytest.fail(f"still running 10 s after the kill: {[cmd for _, cmd in left]}")
        time.sleep(0.1)


def test_train_and_score_name_trecs_labels_from_the_saved_model(tmp_path, capsys):
    config = tmp_path / "trec.yaml"
    config.write_text("data: {dataset: trec, sample: 300}\n"
                      "steps: [tokenize, count, multinomial_nb]\n", encoding="utf-8")
    assert main(["train", str(config), "--out", str(tmp_path / "model")]) == 0
    assert "0 (DESC)" in capsys.readouterr().out
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert meta["labels"] == ["0", "1", "2", "3", "4", "5"]            # stored as they were
    assert meta["data"]["label_names"]["4"] == "LOC"
    source = tmp_path / "questions.txt"
    source.write_text("Where is Paris ?\nWho wrote Hamlet ?\n", encoding="utf-8")
    assert main(["score", str(tmp_path / "model"), str(source), "-o",
                 str(tmp_path / "out.jsonl")]) == 0
    assert "labels: 0 = DESC, 1 = ENTY, 2 = ABBR, 3 = HUM, 4 = LOC, 5 = NUM" in \
        capsys.readouterr().err
