"""Where an output goes, and how it is written there: the one place that decides.

Every file coprod writes is first resolved to a :class:`Target`, before
anything is computed, so a run that cannot write all its outputs writes none:

- absent or a plain file (the usual case): written whole or not at all, a
  temporary file in the folder of the *resolved* path, then a rename; a
  symbolic link is followed, so the link stays and its target changes;
- a plain file with several hard links: rewritten in place (truncate and
  write), so that every name sees the new content; this is not atomic;
- a character device or a FIFO (``/dev/stdout``, a named pipe): opened and
  written through, never replaced by a regular file;
- a read-only file: refused unless ``force``; a folder, a block device or a
  socket: refused.

The new file gets the replaced file's permissions without the setuid,
setgid and sticky bits (or 0666 less the umask when it is new).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scorer.errors import OutputError, UsageError

NEW, FILE, LINKED, STREAM = "new", "file", "linked", "stream"
# Never carried over onto a file coprod writes.
_SPECIAL_BITS = stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX


@dataclass(frozen=True)
class Target:
    """An output path as resolved before writing.

    Attributes
    ----------
    shown : str
        The path as the user gave it (for messages).
    real : Path
        The path written: symbolic links followed.
    kind : str
        ``new``, ``file``, ``linked`` (several hard links) or ``stream``
        (character device or FIFO).
    key : tuple or None
        (st_dev, st_ino) of an existing target, to tell two spellings of one file.
    mode : int
        Permissions of the written file (no setuid, setgid or sticky bit).
    """

    shown: str
    real: Path
    kind: str
    key: tuple[int, int] | None
    mode: int


def resolve(path: str | Path, protected: Iterable[Path | None] = (), force: bool = False) -> Target:
    """Resolve an output path and check that it can be written, writing nothing.

    Raises
    ------
    OutputError
        A symbolic link loop, a folder, a device that is not a character
        device, an input file of the run (``protected``), a read-only file
        without ``force``, or a missing or unwritable folder.
    """
    shown = str(path)
    try:
        real = Path(os.path.realpath(path, strict=False))
        st = _stat(Path(path))
    except OSError as exc:
        raise error(shown, exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{shown}: is a folder, not a file")
    if _is_protected(real, st, protected):
        raise OutputError(f"{shown}: refusing to overwrite an input file")
    if st is None:
        _check_folder(shown, real.parent)
        return Target(shown, real, NEW, None, 0o666 & ~umask())
    key = (st.st_dev, st.st_ino)
    mode = stat.S_IMODE(st.st_mode) & ~_SPECIAL_BITS
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Target(shown, real, STREAM, key, mode)
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{shown}: is not a plain file, a character device or a FIFO; refusing to write it")
    if not force and (not st.st_mode & 0o222 or not os.access(real, os.W_OK)):
        raise OutputError(f"{shown}: is read-only (replacing it needs force)", settings=("force",))
    if st.st_nlink > 1:
        return Target(shown, real, LINKED, key, mode)
    _check_folder(shown, real.parent)
    return Target(shown, real, FILE, key, mode)


def resolve_all(paths: Iterable[str | Path | None], protected: Iterable[Path | None] = (),
                force: bool = False) -> list[Target]:
    """Resolve every output of a command (None and ``-`` are standard output) before any is written.

    Raises
    ------
    UsageError
        Two outputs are the same file (however spelled).
    OutputError
        One of them cannot be written (see :func:`resolve`).
    """
    protected = list(protected)
    targets: list[Target] = []
    for path in paths:
        if path is None or str(path) == "-":
            continue
        target = resolve(path, protected, force)
        for other in targets:
            if target.real == other.real or (target.key is not None and target.key == other.key):
                raise UsageError(f"{other.shown} and {target.shown} are the same file; give each output its own")
        targets.append(target)
    return targets


def write(path: str | Path, data: str | bytes, protected: Iterable[Path | None] = (), force: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` as its :class:`Target` kind says.

    Raises
    ------
    OutputError
        The target is refused (see :func:`resolve`) or the write fails; a
        failed atomic write leaves the old file and no temporary file.
    """
    target = resolve(path, protected, force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.kind in (STREAM, LINKED):
        _write_through(target, payload)
    else:
        _write_atomic(target, payload)


def _write_through(target: Target, payload: bytes) -> None:
    # No O_CREAT: the device, FIFO or linked file must still be the one resolved.
    flags = os.O_WRONLY | (os.O_TRUNC if target.kind == LINKED else 0)
    try:
        fd = os.open(target.real, flags)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as exc:
        raise error(target.shown, exc) from None


def _write_atomic(target: Target, payload: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=target.real.parent, prefix=f".{target.real.name}.", suffix=".tmp")
    except OSError as exc:
        raise error(target.shown, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain write would.
        os.chmod(tmp, target.mode)
        os.replace(tmp, target.real)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise error(target.shown, exc) from None
        raise


def _stat(path: Path) -> os.stat_result | None:
    """The stat of what ``path`` names, following links; None when nothing (or a dangling link) is there."""
    try:
        return os.stat(path)
    except OSError as exc:
        # A missing file, or a path whose folder cannot exist: the folder check names it.
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG):
            return None
        raise


def _is_protected(real: Path, st: os.stat_result | None, protected: Iterable[Path | None]) -> bool:
    for p in protected:
        if p is None:
            continue
        try:
            other = os.stat(p)
        except OSError:
            other = None
        if real == Path(os.path.realpath(p)) or (
                st is not None and other is not None and (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)):
            return True
    return False


def _check_folder(shown: str, folder: Path) -> None:
    try:
        is_dir = folder.is_dir()
    except OSError:  # e.g. a name too long for the file system: not a folder we can write into
        is_dir = False
    if not is_dir:
        raise OutputError(f"{shown}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{shown}: cannot write (folder {folder} is not writable)")


def error(shown: str, exc: OSError) -> OutputError:
    """The one-line error for an OS error on output ``shown``, with the system's reason.

    A link loop reads "cannot write (Too many levels of symbolic links)", as on
    every other path that meets one.
    """
    return OutputError(f"{shown}: cannot write ({exc.strerror or exc})")


def umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes, protected: Iterable[Path] = (), force: bool = False) -> None:
    """Write a whole file (or write through to a device, FIFO or hard-linked file): see :mod:`scorer.files`.

    Parameters
    ----------
    path : str or Path
        The file to write (a symbolic link is followed and kept).
    data : str or bytes
        The complete content (text is written as UTF-8).
    protected : iterable of Path
        Files that must never be overwritten (the inputs of the run).
    force : bool
        Replace a read-only file.
    """
    write(path, data, protected, force)


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the current directory when under it."""
    if is_link_loop(path):  # it resolves to no file, and Path.resolve raises RuntimeError: as given
        return str(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def is_link_loop(path: Path) -> bool:
    """Whether ``path`` runs into a symbolic link loop (``ln -s a b; ln -s b a``)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False

