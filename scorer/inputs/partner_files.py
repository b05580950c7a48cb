"""The files a scenario's perspectives name: a partner's own criteria and its own scores.

Each partner ends up with a criteria file (its own, else the shared one) and
candidates whose scores are the shared ones with the partner's own scores
merged over them. Both are validated like every other input: a problem names
its file, line and field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel

from scorer.errors import InputError, Problem
from scorer.files import display_path, is_link_loop
from scorer.inputs.crosscheck import check_partner_criteria, check_score_overlay
from scorer.inputs.location import Document, finding_problems, problem_at, validated
from scorer.inputs.models import CandidatesFile, CriteriaFile, Scenario, ScoresFile
from scorer.inputs.table_files import (
    TableDocument,
    categorical,
    is_table,
    read_table,
    unknown_criteria,
)
from scorer.inputs.yamlfile import YamlDocument, read_yaml


@dataclass(frozen=True)
class PartnerInputs:
    """What one partner scores with: its criteria file and the candidates with its own scores merged in.

    ``own_criteria`` says whether the criteria are the partner's own file
    (the shared file's ``-w`` overrides then do not apply to it).
    """

    criteria: CriteriaFile
    candidates: CandidatesFile
    own_criteria: bool = False
    overlaid: tuple[str, ...] = ()  # candidates with at least one own score


@dataclass(frozen=True)
class LoadedPerspectives:
    """Every partner's inputs (scenario order) and the files they were read from."""

    partners: Mapping[str, PartnerInputs]
    files: tuple[Path, ...]


def load_perspectives(scenario: Scenario, scenario_doc: YamlDocument, base: Path,
                      criteria: CriteriaFile, candidates: CandidatesFile) -> LoadedPerspectives:
    """Read, validate and merge every perspective's files (the scenario and shared files already valid).

    Raises
    ------
    InputError
        With every problem found, each naming file, line and field.
    """
    partners: dict[str, PartnerInputs] = {}
    files: list[Path] = []
    problems: list[Problem] = []
    for name, view in scenario.perspectives.items():
        loc = ("perspectives", name)
        try:
            own = None
            if view.criteria is not None:
                target, doc = _read(view.criteria, base, scenario_doc, (*loc, "criteria"))
                files.append(target)
                own = _checked_criteria(doc, criteria)
            crit = own if own is not None else criteria
            cands, overlaid = candidates, ()
            if view.scores is not None:
                target, doc = _read(view.scores, base, scenario_doc, (*loc, "scores"), categorical(crit))
                files.append(target)
                cands, overlaid = _merged(doc, crit, candidates)
            partners[name] = PartnerInputs(crit, cands, own is not None, overlaid)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return LoadedPerspectives(MappingProxyType(partners), tuple(files))


def _read(ref: str, base: Path, scenario_doc: YamlDocument, loc: tuple,
          labels: frozenset[str] = frozenset()) -> tuple[Path, Document]:
    target = Path(ref) if os.path.isabs(ref) else base / ref
    if not target.is_file() and not is_link_loop(target):
        what = "does not exist" if not target.exists() else "is not a file"
        raise InputError([problem_at(scenario_doc, loc, f"{ref} {what} (looked for {display_path(target)})")])
    if is_table(target):
        if loc[-1] != "scores":
            raise InputError([problem_at(scenario_doc, loc, f"{ref}: a criteria file is YAML (tables hold scores)")])
        return target, read_table(target, display_path(target), kind="scores", labels=labels)
    return target, read_yaml(target, display_path(target))


def _validate(model: type[BaseModel], doc: YamlDocument, kind: str) -> BaseModel:
    return validated(model, doc, kind)


def _checked_criteria(doc: YamlDocument, shared: CriteriaFile) -> CriteriaFile:
    own = _validate(CriteriaFile, doc, "criteria")
    findings = list(check_partner_criteria(own, shared, "own"))
    if findings:
        raise InputError(finding_problems(findings, {"own": doc}))
    # The shared file's order, so that every partner's weights line up by position.
    position = {c.id: c for c in own.criteria}
    return own.model_copy(update={"criteria": [position[c.id] for c in shared.criteria]})


def _merged(doc: Document, criteria: CriteriaFile, candidates: CandidatesFile) -> tuple[CandidatesFile, tuple]:
    if isinstance(doc, TableDocument):
        header = unknown_criteria(doc, {c.id for c in criteria.criteria})
        if header:
            raise InputError(header)
    overlay = _validate(ScoresFile, doc, "scores")
    findings = list(check_score_overlay(overlay, criteria, candidates, "scores"))
    if findings:
        raise InputError(finding_problems(findings, {"scores": doc}))
    merged = [c.model_copy(update={"scores": {**c.scores, **overlay.scores[c.id]}}) if c.id in overlay.scores else c
              for c in candidates.candidates]
    overlaid = tuple(c.id for c in candidates.candidates if c.id in overlay.scores)
    return candidates.model_copy(update={"candidates": merged}), overlaid
