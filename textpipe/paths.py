"""The files a command reads and writes: checked before any work, written whole or not at all.

Every textpipe command that writes declares what it writes (:class:`Output`) and
what it reads (:class:`Input`) and calls :func:`check_paths` before it loads or
fits anything. The rules, the same for every command:

- an existing file, or a folder already holding what the run writes there, is
  never replaced unless the run was given ``--overwrite``;
- no output may be an input of the same run, or another of its outputs (paths
  are compared as files: symbolic links and hard links count);
- a file is written where a file is expected, a folder where a folder is;
- the folder that will hold an output exists and is writable, or can be created
  (missing folders are created when the first file is written, so a run that
  fails early leaves nothing behind).

Inputs are regular files (:func:`check_input_file`): a named pipe or a device
such as ``/dev/zero`` may never end, and would be read until memory runs out.

Writing goes through :func:`atomic_file`, and an :class:`OSError` met while
writing (a full disk, a read-only file system, a permission) becomes a
:class:`~textpipe.errors.UsageError` that names the option, the path and what
was kept (:func:`write_errors`). Where the path comes from a key of a file
(``output_dir``) or a Python parameter, these are :class:`~textpipe.errors.ConfigError`
instead, naming the parameter.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "docs.txt").write_text("good fun\\n")
>>> check_paths(outputs=[Output(folder / "scores.jsonl", "--output")],
...             inputs=[Input(folder / "docs.txt", "INPUT")])
>>> check_paths(outputs=[Output(folder / "docs.txt", "--errors")],
...             inputs=[Input(folder / "docs.txt", "INPUT")])
Traceback (most recent call last):
...
textpipe.errors.UsageError: option '--errors': '...docs.txt' is the input given as INPUT; ...
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, DataError, Errors, UsageError

#: The path that means standard input or standard output.
STDIO = "-"

_OS_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EFBIG: "the file is too large for the file system",
    errno.EIO: "an input/output error (a failing disk or network file system)",
}


@dataclass(frozen=True)
class Output:
    """A file or folder that a run writes.

    Parameters
    ----------
    path : str or Path
        Where; ``"-"`` (standard output) and None are skipped by the checks.
    option : str
        How the user named it, e.g. ``"--errors"``; messages name it.
    what : str, default="the output"
        What is written there, for messages, e.g. ``"the model"``.
    folder : bool, default=False
        Whether the run writes a folder (True) or a file.
    files : tuple of str, default=()
        For a folder: the names the run writes in it. An existing folder holding
        none of them is written into; one holding any of them is replaced only
        with ``overwrite``.
    overwrite : bool, default=False
        Whether replacing an existing file (or a folder's files) was asked for.
    example : str, optional
        A path to suggest in a message about a wrong kind of path.
    stdout : bool, default=False
        Whether ``"-"`` (standard output) is accepted, for messages.
    """

    path: object
    option: str
    what: str = "the output"
    folder: bool = False
    files: tuple[str, ...] = ()
    overwrite: bool = False
    example: str | None = None
    stdout: bool = False


@dataclass(frozen=True)
class Input:
    """A file or folder that a run reads, named by the option that gave it.

    Parameters
    ----------
    path : str or Path
        ``"-"`` (standard input) and None are skipped by the checks.
    option : str
        How the user named it, e.g. ``"--data"`` or ``"INPUT"``.
    """

    path: object
    option: str


def _given(path) -> bool:
    return path is not None and str(path) != STDIO


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _kind(mode: int) -> str:
    """What a file that is not regular is, for messages."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - platforms without statvfs
        return False


def _refused(message: str, option) -> ConfigError | UsageError:
    """The error for a path named by ``option``: a :class:`UsageError` for a
    command-line option or argument (``--out``, ``OUTPUT``), a :class:`ConfigError`
    for a key of a file or a Python parameter (``output_dir``, ``directory``)."""
    if option and (str(option).startswith("-") or str(option).isupper()):
        return UsageError(message, option=option)
    return ConfigError(message, param=option)


def check_writable_folder(folder, option: str, *, shown=None) -> None:
    """Raise unless ``folder`` is, or can be made, a folder this process writes into.

    Nothing is created. The message names ``shown`` (the path the user gave), or
    else ``folder``.

    Raises
    ------
    UsageError
        Naming ``option``, the path and why: a file where a folder is needed, a
        read-only file system, or no permission. A :class:`ConfigError` instead
        where ``option`` is a key of a file (``output_dir``) or a Python parameter.

    Examples
    --------
    >>> import tempfile
    >>> check_writable_folder(tempfile.mkdtemp() + "/new/folder", "--out")
    """
    existing = _nearest_existing(Path(folder))
    if not existing.is_dir():
        reason = f"'{existing}' is a file, not a folder"
    elif _read_only(existing):
        reason = f"'{existing}' is on a read-only file system"
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = f"no permission to write in '{existing}'"
    else:
        return
    raise _refused(Errors.E852.format(path=shown or folder, reason=reason), option=option)


def _check_file_output(out: Output, path: Path) -> None:
    if path.is_dir():
        example = out.example or path / "out"
        stdout = ", or '-' for standard output" if out.stdout else ""
        raise _refused(Errors.E850.format(path=path, what=out.what, example=example,
                                          stdout=stdout), option=out.option)
    if path.exists():
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise _refused(Errors.E853.format(path=path, kind=_kind(mode), what=out.what),
                           option=out.option)
        if not out.overwrite:
            raise _refused(Errors.E854.format(path=path), option=out.option)
    check_writable_folder(path.parent, out.option, shown=path)


def _check_folder_output(out: Output, path: Path) -> None:
    if path.exists() and not path.is_dir():
        example = out.example or path.with_name(path.name + "-folder")
        raise _refused(Errors.E851.format(path=path, what=out.what, example=example),
                       option=out.option)
    held = [name for name in out.files if (path / name).exists()]
    if held and not out.overwrite:
        raise _refused(Errors.E855.format(path=path, what=out.what, files=", ".join(held)),
                       option=out.option)
    check_writable_folder(path, out.option)


def same_file(a, b) -> bool:
    """Whether two paths name the same file, through symbolic and hard links.

    Paths that do not exist yet are compared once resolved.

    Examples
    --------
    >>> import tempfile, os, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("x")
    >>> os.link(folder / "a.txt", folder / "b.txt")
    >>> same_file(folder / "a.txt", folder / "b.txt"), same_file(folder / "a.txt", folder / "c")
    (True, False)
    """
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # unreadable, or a loop of symbolic links
        return a.absolute() == b.absolute()


def _targets(out: Output) -> list[Path]:
    """The paths an output writes: the file, or the folder and its files."""
    path = Path(out.path).expanduser()
    return [path, *(path / name for name in out.files)] if out.folder else [path]


def check_paths(outputs: Iterable[Output] = (), inputs: Iterable[Input] = ()) -> None:
    """Check, before any work, that a run can write its outputs without harm.

    See the module's docstring for the rules. Nothing is created or changed.

    Parameters
    ----------
    outputs : iterable of Output
    inputs : iterable of Input
        What the run reads: no output may be one of them.

    Raises
    ------
    UsageError
        Naming the option and the path, and what to do instead; a
        :class:`ConfigError` where the output is a key of a file (``output_dir``) or a
        Python parameter.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_paths([Output(folder / "a.jsonl", "--output"),
    ...              Output(folder / "a.jsonl", "--errors")])
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: option '--errors': '...a.jsonl' is also written by --output; ...
    """
    outputs = [o for o in outputs if _given(o.path)]
    inputs = [i for i in inputs if _given(i.path)]
    # Collisions first: "--overwrite" must never be the advice for writing onto an input.
    for k, out in enumerate(outputs):
        for target in _targets(out):
            for source in inputs:
                if same_file(target, Path(source.path).expanduser()):
                    raise _refused(Errors.E856.format(path=target, option=source.option,
                                                      what=out.what), option=out.option)
            for other in outputs[:k]:
                if any(same_file(target, t) for t in _targets(other)):
                    raise _refused(Errors.E857.format(path=target, other=other.option),
                                   option=out.option)
    for out in outputs:
        path = Path(out.path).expanduser()
        if out.folder:
            _check_folder_output(out, path)
        else:
            _check_file_output(out, path)


def check_input_file(path, *, stdin_ok: bool = False) -> Path:
    """Return ``path`` if it is a regular file.

    A named pipe or a device (``/dev/zero``) is refused: reading one may never end.
    With ``stdin_ok``, the message says that standard input (``-``) is read instead.

    Raises
    ------
    DataError
        Naming the file: not found, a folder, or not a regular file.

    Examples
    --------
    >>> check_input_file("/dev/zero")
    Traceback (most recent call last):
    ...
    textpipe.errors.DataError: /dev/zero: is a device, not a regular file. ...
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        raise DataError(Errors.E202, file=path) from None
    if stat.S_ISREG(mode):
        return path
    if stat.S_ISDIR(mode):
        raise DataError(Errors.E858, file=path)
    stdin = ", or pass it on standard input as '-'" if stdin_ok else ""
    raise DataError(Errors.E859.format(kind=_kind(mode), stdin=stdin), file=path)


def describe_os_error(exc: OSError) -> str:
    """The reason of an OS error in words, e.g. ``"no space left on the device"``.

    Examples
    --------
    >>> import errno
    >>> describe_os_error(OSError(errno.EROFS, "Read-only file system"))
    'the file system is read-only'
    """
    return _OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


@contextmanager
def write_errors(path, option: str | None = None, *, kept=""):
    """Turn an :class:`OSError` raised in the block into a message naming ``path``.

    Parameters
    ----------
    path : str or Path
        The file or folder being written.
    option : str, optional
        The option that named it, e.g. ``"--errors"``.
    kept : str or callable, default=""
        A sentence saying what was kept, appended to the message; a callable is
        called when the error happens, to say what was kept by then.

    Examples
    --------
    >>> import errno
    >>> with write_errors("out.jsonl", "--output", kept="Nothing was replaced."):
    ...     raise OSError(errno.ENOSPC, "No space left on device")
    Traceback (most recent call last):
    ...
    textpipe.errors.UsageError: option '--output': cannot write 'out.jsonl': no space left ...
    """
    try:
        yield
    except OSError as exc:
        said = kept() if callable(kept) else kept
        message = Errors.E860.format(path=path, reason=describe_os_error(exc),
                                     kept=f" {said}" if said else "")
        raise _refused(message, option=option) from exc


def fsync_dir(folder) -> None:
    """Flush a folder's entries (files created, renamed or removed in it) to disk."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path, option: str | None = None, *, kept=""):
    """Open ``path`` for writing so that it appears complete or not at all.

    Missing folders above it are created. Writes go to a hidden temporary file
    beside it, which is flushed to disk and renamed over ``path`` when the block
    ends without error, and removed if it does not: an existing file is either
    replaced whole or left as it was. Through a symbolic link, the file it points
    to is replaced and the link kept.

    With ``option``, an :class:`OSError` in the block (a full disk, a read-only
    file system) is raised as a :class:`~textpipe.errors.UsageError` naming the
    option and the path (see :func:`write_errors`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "new" / "a.txt"
    >>> with atomic_file(target) as fh:
    ...     _ = fh.write(b"whole")
    >>> target.read_bytes()
    b'whole'
    """
    shown, path = path, Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.tmp")
    if option is None:
        guard = _no_guard()
    else:
        guard = write_errors(shown, option, kept=kept or Errors.E861)
    with guard:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)


@contextmanager
def _no_guard():
    yield


def write_text(path, text: str, option: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_file`; return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_text(pathlib.Path(tempfile.mkdtemp()) / "r.json", "{}\\n").read_text()
    '{}\\n'
    """
    with atomic_file(path, option) as fh:
        fh.write(text.encode("utf-8"))
    return Path(path)


__all__ = ["Input", "Output", "STDIO", "atomic_file", "check_input_file", "check_paths",
           "check_writable_folder", "describe_os_error", "fsync_dir", "same_file", "write_errors",
           "write_text"]
