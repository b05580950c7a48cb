"""Starter files for a new user: a commented scenario, criteria and candidates file.

The templates beside this module validate and optimise as written, and their
comments explain every field (named as in ``formats.md``), so a new user can
replace the example figures one by one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from scorer.errors import OutputError
from scorer.files import write_atomic

# Scenario first: it is the file users pass to every command.
STARTER_FILES = ("scenario.yaml", "criteria.yaml", "candidates.yaml")


def starter_texts() -> dict[str, str]:
    """The starter files' names and texts."""
    folder = resources.files(__name__)
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in STARTER_FILES}


def starter_files(candidates_format: str = "yaml") -> dict[str, str | bytes]:
    """The starter files' names and contents, the candidates as ``yaml``, ``xlsx`` or ``csv``.

    A table's scenario names it; a CSV table's currency moves into the scenario.
    """
    texts: dict[str, str | bytes] = dict(starter_texts())
    if candidates_format == "yaml":
        return texts
    from scorer.inputs.conversion import candidates_as
    from scorer.inputs.location import validated
    from scorer.inputs.models import CandidatesFile, CriteriaFile
    from scorer.inputs.yamlfile import YamlDocument, parse_yaml

    def model(name: str, kind: type) -> Any:
        return validated(kind, YamlDocument(name, texts[name], parse_yaml(texts[name], name)), name.removesuffix(".yaml"))

    candidates = model("candidates.yaml", CandidatesFile)
    table = candidates_as(candidates, candidates_format, model("criteria.yaml", CriteriaFile))
    name = f"candidates.{candidates_format}"
    lines = texts.pop("scenario.yaml").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("candidates: candidates.yaml"))
    lines[at] = lines[at].replace("candidates.yaml", name.ljust(len("candidates.yaml")), 1)
    if candidates_format == "csv":
        lines.insert(at + 1, f"currency: {candidates.currency}  # a CSV table's currency\n")
    scenario = "".join(lines)
    del texts["candidates.yaml"]
    return {"scenario.yaml": scenario, **texts, name: table.content}


def write_starter(folder: str | Path, force: bool = False, candidates_format: str = "yaml") -> list[Path]:
    """Write the starter files into ``folder`` (created if missing).

    Parameters
    ----------
    folder : str or Path
        Where to write ``scenario.yaml``, ``criteria.yaml`` and ``candidates.yaml``.
    force : bool
        Overwrite files that already exist; without it nothing is written
        when any of them exists.
    candidates_format : str
        ``yaml``, or ``xlsx`` or ``csv`` for the candidates as a table to fill in.

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
    files = starter_files(candidates_format)
    try:
        targets = _free_targets(folder, force, list(files))
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None
    for target, content in zip(targets, files.values()):
        write_atomic(target, content, force=force)
    return targets


def _free_targets(folder: Path, force: bool, names: list[str]) -> list[Path]:
    """The starter files' paths in ``folder``, refusing existing ones unless ``force``."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    targets = [folder / name for name in names]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise OutputError(f"{', '.join(existing)}: already exist{'s' if len(existing) == 1 else ''} "
                          "(overwriting needs force)", settings=("force",))
    return targets
