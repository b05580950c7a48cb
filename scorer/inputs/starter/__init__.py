"""Starter files for a new user: a commented scenario, criteria and candidates file.

The templates beside this module validate and optimise as written, and their
comments explain every field (named as in ``formats.md``), so a new user can
replace the example figures one by one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from scorer.errors import OutputError
from scorer.files import write_atomic

# Scenario first: it is the file users pass to every command.
STARTER_FILES = ("scenario.yaml", "criteria.yaml", "candidates.yaml")


def starter_texts() -> dict[str, str]:
    """The starter files' names and texts."""
    folder = resources.files(__name__)
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in STARTER_FILES}


def write_starter(folder: str | Path, force: bool = False) -> list[Path]:
    """Write the starter files into ``folder`` (created if missing).

    Parameters
    ----------
    folder : str or Path
        Where to write ``scenario.yaml``, ``criteria.yaml`` and ``candidates.yaml``.
    force : bool
        Overwrite files that already exist; without it nothing is written
        when any of them exists.

    Returns
    -------
    list of Path
        The files written, scenario first.

    Raises
    ------
    OutputError
        The folder cannot be created, or files exist and ``force`` is false.
    """
    folder = Path(folder)
    try:
        targets = _free_targets(folder, force)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None
    for target, text in zip(targets, starter_texts().values()):
        write_atomic(target, text, force=force)
    return targets


def _free_targets(folder: Path, force: bool) -> list[Path]:
    """The starter files' paths in ``folder``, refusing existing ones unless ``force``."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    targets = [folder / name for name in STARTER_FILES]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise OutputError(f"{', '.join(existing)}: already exist{'s' if len(existing) == 1 else ''} "
                          "(overwriting needs force)", settings=("force",))
    return targets
