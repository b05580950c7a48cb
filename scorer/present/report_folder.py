"""Writing a set of files into a folder so that the folder never mixes two runs.

A folder that is new, empty or holds only files a previous run wrote (the
``known`` names, as plain single-link files) is replaced as a whole: the new
files go into a temporary sibling folder, which is then renamed into place
and the old folder removed. An error or Ctrl-C leaves the old folder as it
was and no temporary folder behind.

A folder holding anything else (a file of the user's, a sub-folder, a link)
is refused, since replacing it would lose those files; with ``force`` the
new files are written next to them one by one (each atomically, see
:mod:`scorer.files`) and the known files the new run does not write are
removed, so the folder still shows one run, but only each file, not the
folder, is replaced at once.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scorer import files as targets
from scorer.errors import OutputError


@dataclass(frozen=True)
class FolderPlan:
    """How a folder will be written: ``swap`` (whole folder) or ``beside`` (files next to others)."""

    shown: str
    real: Path
    how: str
    existing: tuple[str, ...]


def check_folder(folder: str | Path, known: Collection[str], protected: Iterable[Path | None] = (),
                 force: bool = False) -> FolderPlan:
    """Check, writing nothing, that ``folder`` can take a new set of ``known`` files.

    Raises
    ------
    OutputError
        The folder is a file or an input, its parent cannot be written, a
        known file in it is read-only or an input, or it holds other files
        and ``force`` is false.
    """
    shown = str(folder)
    real = Path(os.path.realpath(folder))
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise targets.error(shown, exc) from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{shown}: exists and is not a folder")
    _check_parent(shown, real)
    if st is None:
        return FolderPlan(shown, real, "swap", ())
    entries = sorted(os.listdir(real))
    ours = [name for name in entries if name in known and _plain_file(real / name)]
    others = [name for name in entries if name not in ours]
    for name in ours:
        targets.resolve(Path(shown) / name, protected, force)  # an input or a read-only file is refused
    if others and not force:
        listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise OutputError(f"{shown}: holds files that are not from a coprod report ({listed}); choose a new or "
                          "empty folder, or write beside them with force", settings=("force",))
    beside = bool(others) or _holds_cwd(real)
    if beside:
        for name in known:
            targets.resolve(Path(shown) / name, protected, force)  # e.g. a folder named gantt.png
    return FolderPlan(shown, real, "beside" if beside else "swap", tuple(ours))


def write_folder(plan: FolderPlan, files: Mapping[str, str | bytes], protected: Iterable[Path | None] = (),
                 force: bool = False) -> None:
    """Write ``files`` (name -> content) as ``plan`` says (see the module's note)."""
    if plan.how == "beside":
        for name, data in files.items():
            targets.write(plan.real / name, data, protected, force)
        for name in plan.existing:
            if name not in files:
                (plan.real / name).unlink(missing_ok=True)
        return
    try:
        plan.real.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=plan.real.parent, prefix=f".{plan.real.name}.", suffix=".tmp"))
    except OSError as exc:
        raise OutputError(f"{plan.shown}: cannot create the folder ({exc.strerror or exc})") from None
    try:
        for name, data in files.items():
            targets.write(tmp / name, data)
        os.chmod(tmp, _folder_mode(plan.real))
        _swap(tmp, plan.real)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{plan.shown}: cannot write ({exc.strerror or exc})") from None
        raise


def _swap(new: Path, real: Path) -> None:
    """Put folder ``new`` at ``real``, removing what was there, never leaving ``real`` half old, half new."""
    if not real.exists():
        os.rename(new, real)
        return
    old = Path(tempfile.mkdtemp(dir=real.parent, prefix=f".{real.name}.", suffix=".old"))
    os.rename(real, old / "previous")
    try:
        os.rename(new, real)
    except BaseException:
        os.rename(old / "previous", real)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _holds_cwd(real: Path) -> bool:
    # Replacing the working folder (report -o .) would leave the shell in a deleted folder.
    cwd = Path.cwd().resolve()
    return cwd == real or real in cwd.parents


def _plain_file(path: Path) -> bool:
    st = os.lstat(path)
    return stat.S_ISREG(st.st_mode) and st.st_nlink == 1


def _check_parent(shown: str, real: Path) -> None:
    # The folder and any missing parents are created at write time; the nearest existing one must be writable.
    parent = real.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{shown}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{shown}: cannot write (folder {parent} is not writable)")


def _folder_mode(real: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(real).st_mode) & ~(stat.S_ISUID | stat.S_ISGID)
    except OSError:
        return 0o777 & ~targets.umask()
