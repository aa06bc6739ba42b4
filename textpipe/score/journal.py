"""Commit a scoring job chunk by chunk, so that a killed job resumes without loss.

While ``textpipe score ... -o OUTPUT`` runs, ``OUTPUT`` does not exist yet. Its
chunks go to a folder beside it::

    OUTPUT.parts/
      journal.jsonl               line 1: the job (input fingerprint, model identity,
                                  options); then one line per committed chunk
      chunk-000000.jsonl          the chunk's output rows (.csv, .parquet likewise)
      chunk-000000.errors.jsonl   the chunk's bad rows, if it had any

A chunk is committed in two steps, each atomic: its files are written to a
temporary name, flushed to disk (``fsync``) and renamed into place; then one line
describing it is appended to the journal and flushed. A chunk counts as done only
once its journal line is complete, so a process killed at any instant (``kill -9``,
a power cut after the ``fsync``) leaves either the chunk fully recorded or not at
all: a torn last journal line is ignored and cut off, and a chunk file without its
line is simply written again. Chunks are committed in input order, so the journal
always describes a prefix of the input, and the last line says where to go on.

When every chunk is done, the parts are assembled into ``OUTPUT`` (again through a
temporary file, ``fsync`` and a rename) and the folder is removed.

A run holds an exclusive lock (``flock``) on the journal from opening it to removing
the folder, so a second run on the same output (with ``--resume``, ``--overwrite`` or
neither) is refused while the first one lives, naming its process where the system
tells (``/proc/locks`` on Linux); the lock goes with the process, ``kill -9`` included.
(Where ``fcntl`` is missing, on Windows, there is no lock.)

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl.parts"
>>> journal = Journal.start(folder, {"input": {"sha256": "ab12"}}, suffix=".jsonl")
>>> journal.commit(0, b'{"id": 0}\\n', [], {"rows": 1, "end": {"row": 1}})
>>> journal.close()
>>> again = Journal.reopen(folder)
>>> again.job, again.resume_point(), [p.name for p in again.parts()]
({'input': {'sha256': 'ab12'}}, {'row': 1}, ['chunk-000000.jsonl'])
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..errors import DataError, Errors, InternalError
from ..paths import atomic_file, fsync_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking
    fcntl = None

JOURNAL_FILE = "journal.jsonl"
FORMAT_VERSION = 1


def parts_folder(output) -> Path:
    """The folder that holds an output's committed chunks: ``OUTPUT.parts``."""
    output = Path(output)
    return output.with_name(output.name + ".parts")


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_file`."""
    with atomic_file(path) as fh:
        fh.write(data)


class Journal:
    """The committed chunks of one scoring job, in ``OUTPUT.parts``.

    Use :meth:`start` for a new job and :meth:`reopen` to resume one.

    Attributes
    ----------
    folder : Path
    job : dict
        What the job was started with (line 1 of the journal).
    entries : list of dict
        One per committed chunk, in order; each has at least ``rows`` (rows
        written), ``errors`` (bad rows) and ``end`` (where the next chunk starts).
    """

    def __init__(self, folder: Path, job: dict, entries: list[dict], suffix: str, fh):
        self.folder = Path(folder)
        self.job = job
        self.entries = entries
        self.suffix = suffix
        self._fh = fh  # the journal, open for appending and locked

    @classmethod
    def start(cls, folder, job: dict, *, suffix: str) -> "Journal":
        """Create ``folder`` (which must not exist) and record the job in it.

        Raises
        ------
        DataError
            If the folder appeared meanwhile: another run is starting on it.
        """
        folder = Path(folder)
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            Journal.recorded_job(folder)  # names the run that holds it, if one does yet
            raise DataError(Errors.E820.format(parts=folder)) from None
        line = json.dumps({"textpipe_score": FORMAT_VERSION, "suffix": suffix, "job": job})
        write_atomic(folder / JOURNAL_FILE, line.encode("utf-8") + b"\n")
        fsync_dir(folder.parent)
        return cls(folder, job, [], suffix, _open_locked(folder))

    @classmethod
    def reopen(cls, folder) -> "Journal":
        """Lock and read the journal of an interrupted job; drop a torn last line.

        Raises
        ------
        DataError
            If another run holds the folder, or it is damaged: no readable journal,
            a chunk file or a chunk's errors file missing.
        """
        folder = Path(folder)
        path = folder / JOURNAL_FILE

        def damaged(reason):
            return DataError(Errors.E815.format(parts=folder, reason=reason))

        if not path.is_file():
            raise damaged(f"there is no {JOURNAL_FILE}")
        fh = _open_locked(folder)
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise damaged(f"cannot read {JOURNAL_FILE}: {exc.strerror}") from None
            lines = data.split(b"\n")
            records, good_bytes = [], 0
            for raw in lines[:-1]:  # the piece after the last newline is torn (or empty)
                try:
                    records.append(json.loads(raw))
                except ValueError:
                    break
                good_bytes += len(raw) + 1
            if not records or not isinstance(records[0], dict) or "job" not in records[0]:
                raise damaged(f"{JOURNAL_FILE} does not start with the job's description")
            head, entries = records[0], records[1:]
            if head.get("textpipe_score") != FORMAT_VERSION:
                raise damaged(f"journal format {head.get('textpipe_score')!r}, expected "
                              f"{FORMAT_VERSION}")
            suffix = head["suffix"]
            for i, entry in enumerate(entries):
                if entry.get("chunk") != i:
                    raise damaged(f"journal line {i + 2} records chunk {entry.get('chunk')}, "
                                  f"expected {i}")
                for name in (_part_name(i, suffix), _errors_name(i) if entry.get("errors")
                             else None):
                    if name and not (folder / name).is_file():
                        raise damaged(f"{name} is missing")
            if good_bytes < len(data):
                os.ftruncate(fh.fileno(), good_bytes)
                os.fsync(fh.fileno())
        except BaseException:
            fh.close()
            raise
        return cls(folder, head["job"], entries, suffix, fh)

    @staticmethod
    def recorded_job(folder) -> dict | None:
        """The job an interrupted run recorded in ``folder``, read without changing anything.

        Returns None if the journal cannot be read or does not start with a job.

        Raises
        ------
        DataError
            If another run holds the folder.
        """
        try:
            fh = open(Path(folder) / JOURNAL_FILE, "rb")
        except OSError:
            return None
        with fh:
            _lock(fh, Path(folder))  # released when fh is closed
            try:
                head = json.loads(fh.readline())
            except ValueError:
                return None
        job = head.get("job") if isinstance(head, dict) else None
        return job if isinstance(job, dict) else None

    @staticmethod
    def discard(folder) -> None:
        """Delete an interrupted job's folder (``--overwrite``).

        Raises
        ------
        DataError
            If another run holds it.
        """
        folder = Path(folder)
        fh = _open_locked(folder) if (folder / JOURNAL_FILE).is_file() else None
        try:
            shutil.rmtree(folder)
        finally:
            if fh is not None:
                fh.close()

    # -- committing ----------------------------------------------------------

    def commit(self, index: int, payload: bytes, errors: list[dict], entry: dict) -> None:
        """Commit chunk ``index``: its rows, its bad rows, then its journal line."""
        if index != len(self.entries):
            # A bug in the job, not a user error; refused before anything is written.
            raise InternalError(Errors.E821.format(index=index, expected=len(self.entries)))
        write_atomic(self.folder / _part_name(index, self.suffix), payload)
        errors_path = self.folder / _errors_name(index)
        if errors:
            write_atomic(errors_path, errors_jsonl(errors))
        else:
            errors_path.unlink(missing_ok=True)  # left by a try that was not recorded
        entry = {"chunk": index, "errors": len(errors), **entry}
        self._fh.write(json.dumps(entry).encode("utf-8") + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.entries.append(entry)

    # -- reading back --------------------------------------------------------

    def resume_point(self) -> dict | None:
        """Where the next chunk starts (the last entry's ``end``), or None if none is done."""
        return self.entries[-1]["end"] if self.entries else None

    def parts(self) -> list[Path]:
        """The committed chunk files, in input order."""
        return [self.folder / _part_name(i, self.suffix) for i in range(len(self.entries))]

    def error_parts(self) -> list[Path]:
        """The committed chunks' error files (for those that had bad rows), in order."""
        return [self.folder / _errors_name(i) for i, e in enumerate(self.entries)
                if e.get("errors")]

    def count(self, key: str) -> int:
        """The sum of ``key`` (e.g. ``"rows"``, ``"errors"``) over committed chunks."""
        return sum(int(entry.get(key, 0)) for entry in self.entries)

    def close(self) -> None:
        """Close the journal, which releases the folder to other runs."""
        self._fh.close()

    def remove(self) -> None:
        """Delete the folder, then close the journal (so no run sees it half deleted)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.close()


def _open_locked(folder: Path):
    """Open ``folder``'s journal for appending, holding an exclusive lock while it is open.

    Raises
    ------
    DataError
        If another process holds the lock.
    """
    fh = open(folder / JOURNAL_FILE, "ab")
    try:
        _lock(fh, folder)
    except BaseException:
        fh.close()
        raise
    return fh


def _lock(fh, folder: Path) -> None:
    """Lock ``folder``'s open journal ``fh`` exclusively, or say which run holds it.

    Raises
    ------
    DataError
        If another process holds the lock.
    """
    if fcntl is None:
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pid = _lock_holder(fh.fileno())
        if pid is None:
            raise DataError(Errors.E820.format(parts=folder)) from None
        raise DataError(Errors.E877.format(pid=pid, parts=folder)) from None


def _lock_holder(fd: int) -> int | None:
    """The pid of the process that holds a ``flock`` on open file ``fd``, if Linux says.

    ``/proc/locks`` lists each lock with its holder and its file's device and inode
    (``1: FLOCK  ADVISORY  WRITE 4242 fe:00:5441173 0 EOF``); elsewhere, None.
    """
    try:
        stat = os.fstat(fd)
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            table = fh.read()
    except OSError:
        return None
    file_id = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    for line in table.splitlines():
        fields = line.split()  # a waiting lock has "->" after its number: skipped
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == file_id:
            try:
                return int(fields[4])
            except ValueError:
                return None
    return None


def _part_name(index: int, suffix: str) -> str:
    return f"chunk-{index:06d}{suffix}"


def _errors_name(index: int) -> str:
    return f"chunk-{index:06d}.errors.jsonl"


def errors_jsonl(errors: list[dict]) -> bytes:
    """Bad rows as JSON Lines: one ``{"row", "line", "reason", "excerpt"}`` per line."""
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8")


__all__ = ["Journal", "atomic_file", "errors_jsonl", "fsync_dir", "parts_folder",
           "write_atomic"]
