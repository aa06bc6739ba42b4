"""Score a whole file with a saved model: the chunk loop behind ``textpipe score``.

:func:`score_file` reads the input in chunks (:mod:`~textpipe.score.readers`), scores
them in input order here, in joblib workers or on Dask
(:mod:`~textpipe.score.backends`), formats each chunk where it was scored
(:mod:`~textpipe.score.writers`) and commits it (:mod:`~textpipe.score.journal`).

Nothing is lost and nothing is doubled: every input row ends up either in the output
(one row, with its id) or in the errors file (with its line and the reason), unless
``strict=True`` asks to stop at the first bad row. A job that is interrupted (Ctrl-C,
``kill -9``) leaves its committed chunks in ``OUTPUT.parts``; ``resume=True`` checks
that input, model and options are unchanged and goes on after the last committed
chunk. Output to standard output is written as it comes and cannot be resumed.

Examples
--------
>>> import tempfile, pathlib, json, textpipe
>>> pipe = textpipe.load_pipeline({"steps": ["tokenize", "count", "multinomial_nb"]})
>>> _ = pipe.fit(["good fun", "great fun", "bad dull", "awful dull"], ["pos", "pos", "neg", "neg"])
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "docs.txt").write_text("good fun\\n\\nawful\\n")
>>> summary = score_file(pipe, folder / "docs.txt", folder / "scores.jsonl", top_k=1)
>>> summary.scored, summary.errors
(2, 1)
>>> [json.loads(line)["label"] for line in open(folder / "scores.jsonl")]
['pos', 'neg']
>>> json.loads(open(folder / "scores.jsonl.errors.jsonl").read())["reason"]
'the text is empty'
"""

from __future__ import annotations

import logging
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import DataError, Errors, ModelError, UsageError, quoted_list
from ..model import METADATA_FILE, MODEL_FILES
from ..paths import Input, Output, atomic_file, check_paths, write_errors
from .backends import ModelHandle, check_n_jobs, ordered_map
from .journal import Journal, errors_jsonl, parts_folder
from .readers import (STDIN, InputSpec, ParsedChunk, RawChunk, ScoreInput, error_row,
                      parse_chunk)
from .stream import check_chunk_size
from .writers import (OutputSpec, assemble, check_output_format, detect_output_format,
                      format_chunk, header, output_spec)

STDOUT = "-"
logger = logging.getLogger(__name__)
DEFAULT_CHUNK_SIZE = 10_000
_EXAMPLES = 5


@dataclass
class ChunkResult:
    """One scored chunk: its output bytes, its bad rows, and where the next one starts."""

    index: int
    payload: bytes
    errors: list[dict]
    scored: int
    n_rows: int
    end: dict
    position: int


@dataclass
class ScoreSummary:
    """What a scoring job did.

    Attributes
    ----------
    scored : int
        Rows in the output (with ``resume``, those of the interrupted run too).
    errors : int
        Bad rows, each in the errors file.
    skipped : int
        Input rows (scored or bad) that an interrupted run had committed and
        that ``resume`` skipped.
    seconds : float
        Wall time of this run.
    documents : int
        Input rows read by this run (scored or bad).
    output, errors_file : str or None
    examples : list of dict
        The first bad rows (their line, reason, excerpt), for display.
    notes : list of str
    """

    scored: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    documents: int = 0
    output: str | None = None
    errors_file: str | None = None
    examples: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        """Input rows read by this run per second."""
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        text = f"scored {_count(self.scored, 'row')}"
        if self.errors:
            where = f" (see {self.errors_file})" if self.errors_file else ""
            text += f", {_count(self.errors, 'bad row')} skipped{where}"
        else:
            text += ", no bad rows"
        if self.skipped:
            done = _count(self.skipped, "row")
            text += f"; {done} {'was' if self.skipped == 1 else 'were'} done before the interruption"
        return (f"{text}; {self.seconds:.1f} s, {self.docs_per_second:,.0f} documents/s")


def _count(n: int, noun: str) -> str:
    """``'1 row'``, ``'12,000 rows'``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def score_chunk(pipeline, chunk: RawChunk, input_spec: InputSpec,
                out_spec: OutputSpec) -> ChunkResult:
    """Parse, score and format one chunk (what each worker runs).

    A row fails alone: one that cannot be read, whose id or kept values cannot be
    written, that the model fails on or gives probabilities that are not numbers,
    or that the writer fails on, is an error row, and the chunk's other rows are
    written. Only a failure of the whole chunk is raised: a model that fails on
    every one of several documents is broken, whatever the rows hold.
    """
    parsed = parse_chunk(chunk, input_spec)
    proba, predicted = _predict(pipeline, parsed, out_spec, chunk.line_of)
    payload = _format(out_spec, parsed, proba, predicted, chunk.line_of)
    errors = sorted(parsed.errors, key=lambda e: e["row"])
    return ChunkResult(chunk.index, payload, errors, len(parsed.rows), chunk.n_rows,
                       chunk.end(), chunk.position)


def _predict(pipeline, parsed: ParsedChunk, spec: OutputSpec, line_of: Callable):
    """Return (probabilities or None, index of each predicted label) for parsed.texts.

    Documents the model fails on, or gives probabilities that are not finite
    numbers, leave ``parsed`` for its errors; ``line_of(row)`` gives their lines.
    """
    if not parsed.texts:
        return _no_predictions(spec)
    try:
        proba, predicted = _predict_texts(pipeline, parsed.texts, spec)
    except ModelError:  # predict and classes_ disagree: no document is at fault
        raise
    except Exception as failure:  # find the documents at fault, one by one
        good, results = [], []
        for i, text in enumerate(parsed.texts):
            try:
                results.append(_predict_texts(pipeline, [text], spec))
                good.append(i)
            except Exception as exc:
                reason = Errors.E830.format(reason=f"{type(exc).__name__}: {exc}")
                row = parsed.rows[i]
                parsed.errors.append(error_row(row, line_of(row), reason, text))
        if not good and len(parsed.texts) > 1:
            raise ModelError(Errors.E888.format(
                first=parsed.rows[0], last=parsed.rows[-1],
                reason=f"{type(failure).__name__}: {failure}")) from failure
        parsed.keep_only(good)
        if not good:
            return _no_predictions(spec)
        proba = None if results[0][0] is None else np.vstack([r[0] for r in results])
        predicted = np.concatenate([r[1] for r in results])
    if proba is not None:
        finite = np.isfinite(proba).all(axis=1)
        if not finite.all():
            for i in np.flatnonzero(~finite):
                row = parsed.rows[i]
                reason = Errors.E830.format(
                    reason=f"its probabilities are not all numbers: {proba[i].tolist()}")
                parsed.errors.append(error_row(row, line_of(row), reason, parsed.texts[i]))
            parsed.keep_only(np.flatnonzero(finite).tolist())
            proba, predicted = proba[finite], predicted[finite]
    return proba, predicted


def _no_predictions(spec: OutputSpec):
    return (np.zeros((0, len(spec.labels))) if spec.proba else None), np.zeros(0, int)


def _predict_texts(pipeline, texts, spec: OutputSpec):
    if spec.proba:
        proba = np.asarray(pipeline.predict_proba(texts), dtype=float)
        return proba, np.argmax(proba, axis=1)
    position = {label: i for i, label in enumerate(spec.labels)}
    predicted = []
    for label in pipeline.predict(texts):
        at = position.get(str(label))
        if at is None:
            raise ModelError(Errors.E833.format(label=str(label),
                                                classes=quoted_list(spec.labels)))
        predicted.append(at)
    return None, np.array(predicted, dtype=int)


def _format(spec: OutputSpec, parsed: ParsedChunk, proba, predicted, line_of) -> bytes:
    """Format the scored rows; a row the writer fails on becomes an error row.

    The rows are formatted together; only if that fails are they tried one by one
    to find those at fault. If every one of several rows fails, the fault is not
    the rows', and the first failure is raised.
    """
    try:
        return format_chunk(spec, parsed.rows, parsed.ids, proba, parsed.kept, predicted)
    except Exception as failure:
        good = []
        for i, row in enumerate(parsed.rows):
            one = slice(i, i + 1)
            try:
                format_chunk(spec, parsed.rows[one], None if parsed.ids is None
                             else parsed.ids[one], None if proba is None else proba[one],
                             {k: v[one] for k, v in parsed.kept.items()}, predicted[one])
                good.append(i)
            except Exception as exc:
                reason = Errors.E887.format(fmt=spec.format,
                                            reason=f"{type(exc).__name__}: {exc}")
                parsed.errors.append(error_row(row, line_of(row), reason, parsed.texts[i]))
        if not good and len(parsed.rows) > 1:
            raise failure
    parsed.keep_only(good)
    proba = None if proba is None else proba[good]
    return format_chunk(spec, parsed.rows, parsed.ids, proba, parsed.kept, predicted[good])


def default_errors_path(output) -> Path:
    """Where bad rows go by default: ``OUTPUT.errors.jsonl``, beside ``OUTPUT.parts``.

    The whole name is kept, so outputs that differ only by format have their own.

    Examples
    --------
    >>> default_errors_path("scores.csv").name, default_errors_path("scores.jsonl").name
    ('scores.csv.errors.jsonl', 'scores.jsonl.errors.jsonl')
    """
    output = Path(output)
    return output.with_name(output.name + ".errors.jsonl")


def score_file(model, input, output=STDOUT, *, input_format: str | None = None,
               output_format: str | None = None, text_column: str = "text",
               id_column: str | None = None, keep=(), proba: bool = True,
               top_k: int | None = None, encoding: str = "auto",
               chunk_size: int = DEFAULT_CHUNK_SIZE, n_jobs: int = 1,
               scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
               strict: bool = False, errors=None, allow_version_mismatch: bool = False,
               on_progress: Callable[[int, int | None, int], None] | None = None,
               ) -> ScoreSummary:
    """Score every document of a file with a model; write predictions to another file.

    Parameters
    ----------
    model : str, Path, SavedModel or Pipeline
        A model folder (``textpipe train``/``run --save``), a loaded model, or a
        fitted pipeline. Loading a folder unpickles it: only use models you trust.
    input : str or Path
        The documents; ``"-"`` for standard input.
    output : str or Path, default="-"
        Where predictions go; ``"-"`` for standard output.
    input_format : {"text", "lines", "csv", "tsv", "jsonl", "parquet"}, optional
        Detected from the input's name if omitted (``"text"``: one document per line).
    output_format : {"jsonl", "csv", "parquet"}, optional
        Detected from the output's name if omitted (JSONL for standard output).
    text_column : str, default="text"
        The CSV/TSV column, JSONL field or Parquet column with the text.
    id_column : str, optional
        Take ids from this column; by default the id is the row number (from 0).
    keep : sequence of str
        Input columns to copy to the output.
    proba : bool, default=True
        Write class probabilities (if the model has ``predict_proba``).
    top_k : int, optional
        Write only the ``top_k`` most probable classes and their probabilities.
    encoding : str, default="auto"
        How records are decoded (see :class:`~textpipe.score.readers.ScoreInput`).
    chunk_size : int, default=10000
        Documents per chunk: the unit of parallel work and of commit.
    n_jobs : int, default=1
        Worker processes; -1 for every core.
    scheduler : str, optional
        Score on a Dask cluster, e.g. ``"tcp://10.0.0.5:8786"``.
    resume : bool, default=False
        Go on with an interrupted job writing to the same output.
    overwrite : bool, default=False
        Replace an existing output (and discard an interrupted job's chunks).
    strict : bool, default=False
        Stop at the first bad row (raising ``DataError``) instead of skipping it.
    errors : str or Path, optional
        The errors file (JSON Lines); by default ``OUTPUT.errors.jsonl`` (e.g.
        ``scores.csv.errors.jsonl``), written even when empty. For standard output, bad rows
        are only counted unless this is given.
    allow_version_mismatch : bool, default=False
        Load a model saved by another textpipe minor version.
    on_progress : callable, optional
        Called after each chunk as ``on_progress(done, total, documents)``:
        ``done`` and ``total`` in bytes of input (rows for Parquet; ``total`` is
        None for standard input), ``documents`` read so far by this run.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    UsageError
        For a bad option or output path (see :func:`textpipe.paths.check_paths`).
    DataError
        For a bad input, a bad row with ``strict``, an output that another run is
        writing to, or one that cannot be resumed.
    ModelError
        If the model cannot be loaded, or has no ``classes_``.
    """
    started = time.perf_counter()
    check_chunk_size(chunk_size)
    if scheduler is None:
        check_n_jobs(n_jobs)
    output = str(output)
    to_stdout = output == STDOUT
    fmt = _checked_output_format(output, output_format, resume=resume)
    errors = _check_destinations(model, input, output, errors, resume=resume,
                                 overwrite=overwrite)
    handle = ModelHandle.resolve(model, allow_version_mismatch=allow_version_mismatch)
    summary = ScoreSummary(output=output)
    proba, note = _checked_proba(handle, proba, top_k)
    if note:
        summary.notes.append(note)
    source = ScoreInput(input, input_format, encoding=encoding, text_column=text_column,
                        id_column=id_column, keep=keep)
    if source.encoding_note:
        logger.warning(source.encoding_note)
        summary.notes.append(source.encoding_note)
    try:
        out_spec = _output_spec(fmt, handle, source, proba, top_k)
        run = partial(_scored_chunks, handle=handle, args=(source.spec, out_spec),
                      source=source, n_jobs=n_jobs, scheduler=scheduler, strict=strict,
                      on_progress=on_progress or (lambda *a: None))
        if to_stdout:
            _to_stdout(summary, source, out_spec, run, chunk_size, errors)
        else:
            _to_file(summary, source, out_spec, run, handle, Path(output), chunk_size,
                     resume=resume, overwrite=overwrite, errors=errors)
    finally:
        source.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _checked_output_format(output: str, output_format: str | None, *, resume: bool) -> str:
    """The output's format, given or detected; refused where standard output cannot take it."""
    to_stdout = output == STDOUT
    fmt = check_output_format(output_format) if output_format else detect_output_format(output)
    if fmt is None:
        raise UsageError(Errors.E817.format(role="output", path=output, option="--output-format",
                                            allowed="jsonl, csv, parquet"),
                         option="--output-format")
    if resume and to_stdout:
        raise UsageError(Errors.E811.format(
            what="a run that writes to standard output",
            why="what was written cannot be checked or taken back; write to a file (-o FILE) "
                "to be able to resume"), option="--resume")
    if fmt == "parquet" and to_stdout:
        raise UsageError(Errors.E818.format(what="Parquet output", fmt="Parquet",
                                            verb="written to", instead="JSONL or CSV"),
                         option="--output")
    return fmt


def _checked_proba(handle: ModelHandle, proba: bool,
                   top_k: int | None) -> tuple[bool, str | None]:
    """Whether to write probabilities, and a note when asked for but the model has none.

    Raises for a model without classes, and for ``top_k`` without probabilities.
    """
    if not handle.classes:
        raise ModelError(Errors.E832.format(what=handle.last_step))
    if top_k is not None and not handle.has_proba:
        raise UsageError(Errors.E809.format(step=handle.last_step), option="--top-k")
    if proba and not handle.has_proba:
        return False, "the model has no predict_proba: labels only"
    return proba, None


def _scored_chunks(chunks, done: int, documents: int, *, handle, args, source, n_jobs,
                   scheduler, strict: bool, on_progress: Callable[[int, int | None, int], None]):
    """Score ``chunks`` in order, reporting progress after each; stop at a bad row if ``strict``.

    ``done`` (bytes, or rows for Parquet) and ``documents`` are where the count starts.
    """
    total = source.total
    on_progress(done, total, documents)
    for result in ordered_map(score_chunk, chunks, handle, args=args, n_jobs=n_jobs,
                              scheduler=scheduler):
        if strict and result.errors:
            first = result.errors[0]
            stop = DataError(Errors.E819.format(reason=first["reason"],
                                                excerpt=repr(first["excerpt"])),
                             file=source.path, line=first["line"])
            stop.bad_row = first
            raise stop
        documents += result.n_rows
        yield result
        on_progress(result.position, total, documents)


def _check_destinations(model, input, output: str, errors, *, resume: bool,
                        overwrite: bool) -> Path | None:
    """Check every path the job writes before any work; return the errors file's path.

    The output may exist only with ``overwrite``, or with ``resume`` and the chunks
    of an interrupted run to go on with; the errors file likewise. Neither may be the
    input, a file of the model, or the other.
    """
    to_stdout = output == STDOUT
    if not to_stdout and errors is None:
        errors = default_errors_path(output)
    parts = None if to_stdout else parts_folder(output)
    resumable = parts is not None and parts.exists() and resume
    exists = not to_stdout and Path(output).exists()
    inputs = [Input(input, "INPUT")]
    if isinstance(model, (str, Path)):
        inputs += [Input(Path(model) / name, "MODEL") for name in (*MODEL_FILES, METADATA_FILE)]
    # An existing output is settled below, where interrupted runs are known; an errors file
    # beside it may be replaced when the output may.
    check_paths(outputs=[
        Output(None if to_stdout else output, "--output", what="the predictions",
               overwrite=True, stdout=True, example="scores.jsonl"),
        Output(errors, "--errors", what="the bad rows",
               overwrite=overwrite or resumable or exists, example="errors.jsonl"),
    ], inputs=inputs)
    if parts is not None and not overwrite and not resumable:
        if parts.exists():  # say what works: a live run's folder, or what --overwrite clears
            recorded = Journal.recorded_job(parts)  # refused if a live run holds it
            raise (_not_resumable(parts, str(input) == STDIN, recorded, output)
                   or DataError(Errors.E805.format(parts=parts), file=output))
        if exists:
            raise DataError(Errors.E806.format(parts=parts) if resume else Errors.E804,
                            file=output)
    return None if errors is None else Path(errors)


def _output_spec(fmt, handle, source, proba, top_k) -> OutputSpec:
    id_type, keep_types = None, None
    if fmt == "parquet":
        import pyarrow as pa

        spec = source.spec
        if spec.id_column is not None:
            id_type = source.arrow_type(spec.id_column) or pa.string()
        if source.format == "parquet":
            keep_types = {name: source.arrow_type(name) for name in spec.keep}
    return output_spec(fmt, handle.classes, proba=proba, top_k=top_k, keep=source.spec.keep,
                       id_type=id_type, keep_types=keep_types)


def _to_stdout(summary, source, out_spec, run, chunk_size, errors) -> None:
    stream = sys.stdout.buffer
    stream.write(header(out_spec))
    with ExitStack() as stack:
        errors_fh = None
        if errors:
            summary.errors_file = str(errors)
            errors_fh = stack.enter_context(atomic_file(
                errors, "--errors", kept=lambda: Errors.E863.format(n=summary.documents)))
        for result in run(source.chunks(chunk_size), 0, 0):
            stream.write(result.payload)
            stream.flush()
            summary.scored += result.scored
            summary.errors += len(result.errors)
            summary.documents += result.n_rows
            if errors_fh is not None and result.errors:
                errors_fh.write(errors_jsonl(result.errors))
            summary.examples.extend(result.errors[: _EXAMPLES - len(summary.examples)])


def _job(source, out_spec, handle, chunk_size) -> dict:
    spec = source.spec
    return {
        "input": source.fingerprint(),
        "model": handle.identity,
        "options": {
            "input_format": spec.format, "codec": spec.codec, "text_column": spec.text_column,
            "id_column": spec.id_column, "keep": list(spec.keep),
            "output_format": out_spec.format, "columns": list(out_spec.columns),
            "chunk_size": chunk_size,
        },
    }


def _not_resumable(parts: Path, reads_stdin: bool, recorded: dict | None, output):
    """The error for leftover ``parts`` that no run can resume, as standard input was
    (``recorded`` job) or is (``reads_stdin``) read; else None."""
    recorded_input = (recorded or {}).get("input")
    if reads_stdin:
        why = "this run reads standard input"
    elif isinstance(recorded_input, dict) and recorded_input.get("path") == STDIN:
        why = "it read standard input"
    else:
        return None
    return DataError(Errors.E878.format(parts=parts, why=why), file=output)


def _differences(old: dict, new: dict) -> tuple[str, str] | None:
    """What differs between a recorded job and this one, for E807."""
    if old.get("input") != new["input"]:
        before, now = old.get("input", {}), new["input"]
        if before.get("path") != now.get("path"):
            return "the input", f"it was {before.get('path')}, now {now.get('path')}"
        return "the input", (f"its content changed: {before.get('size')} bytes, sha256 "
                             f"{str(before.get('sha256'))[:12]}… then; {now.get('size')} "
                             f"bytes, sha256 {str(now.get('sha256'))[:12]}… now")
    if old.get("model") != new["model"]:
        return "the model", ("it is another model, or was saved again: its metadata.json, "
                             "which lists the checksum of every file, is not the same")
    changed = [f"{key}: {old['options'].get(key)!r} then, {value!r} now"
               for key, value in new["options"].items() if old["options"].get(key) != value]
    if changed:
        return "the options", "; ".join(changed)
    return None


def _to_file(summary, source, out_spec, run, handle, output: Path, chunk_size, *, resume,
             overwrite, errors: Path) -> None:
    summary.errors_file = str(errors)
    parts = parts_folder(output)
    if source.is_stdin and resume and parts.exists():
        raise _not_resumable(parts, True, None, output)
    job = _job(source, out_spec, handle, chunk_size)
    journal = None
    if parts.exists():
        if resume:
            journal = Journal.reopen(parts)
            try:
                refusal = _not_resumable(parts, source.is_stdin, journal.job, output)
                diff = None if refusal else _differences(journal.job, job)
            except BaseException:
                journal.close()
                raise
            if diff is not None:
                refusal = DataError(Errors.E807.format(what=diff[0], detail=diff[1]),
                                    file=output)
            if refusal is not None:
                journal.close()
                raise refusal
        else:  # --overwrite: _check_destinations refused the rest
            Journal.discard(parts)
    elif resume:
        summary.notes.append("nothing to resume: started from the first row")
    if journal is None:
        with write_errors(parts, "--output", kept=Errors.E861):
            output.parent.mkdir(parents=True, exist_ok=True)
            journal = Journal.start(parts, job, suffix="." + out_spec.format)

    def kept() -> str:  # said when a write fails: what a --resume goes on with
        return Errors.E862.format(n=len(journal.entries), parts=parts)

    try:
        start = journal.resume_point()
        summary.skipped = journal.count("rows") + journal.count("errors")
        done = 0
        if start is not None:
            done = start["row"] if source.format == "parquet" else start["byte"]
        for result in run(source.chunks(chunk_size, start), done, 0):
            with write_errors(parts, "--output", kept=kept):
                journal.commit(result.index, result.payload, result.errors,
                               {"rows": result.scored, "n": result.n_rows, "end": result.end})
            summary.documents += result.n_rows
            summary.examples.extend(result.errors[: _EXAMPLES - len(summary.examples)])
        summary.scored = journal.count("rows")
        summary.errors = journal.count("errors")
        with atomic_file(errors, "--errors", kept=kept) as fh:
            for part in journal.error_parts():
                fh.write(part.read_bytes())
        with atomic_file(output, "--output", kept=kept) as fh:
            assemble(out_spec, journal.parts(), fh)
        journal.remove()  # the folder goes before the lock does
    except DataError as exc:
        if getattr(exc, "bad_row", None) is not None:  # --strict stopped at a bad row: the
            journal.remove()  # input must change before it passes, so nothing can resume
        raise
    finally:
        journal.close()


__all__ = ["ChunkResult", "DEFAULT_CHUNK_SIZE", "ScoreSummary", "default_errors_path",
           "score_chunk", "score_file"]
