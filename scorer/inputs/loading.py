"""From a scenario path to validated, cross-checked inputs.

``load_scenario`` is the only entry point the rest of the package needs. It
reads the scenario, the criteria and the candidates files it names, validates
each against its model, runs the cross-file checks and reports every problem
it finds with file, line and field path.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from scorer.errors import InputError, Problem
from scorer.files import display_path, is_link_loop
from scorer.inputs.crosscheck import check_all, effective_shares
from scorer.inputs.location import Document, finding_problems, problem_at, validated
from scorer.inputs.models import FILE_MODELS, CandidatesFile, CriteriaFile, Scenario
from scorer.inputs.partner_files import PartnerInputs, load_perspectives
from scorer.inputs.table_files import (
    TableDocument,
    categorical,
    is_table,
    read_table,
    unknown_criteria,
)
from scorer.inputs.yamlfile import YamlDocument, read_yaml, read_yaml_stream
from scorer.limits import check_scoring_size, money_problems

STDIN = "-"


@dataclass(frozen=True)
class ScenarioInputs:
    """A scenario with its criteria and candidates, all valid together."""

    scenario: Scenario
    criteria: CriteriaFile
    candidates: CandidatesFile
    files: dict[str, Path | None]  # scenario/criteria/candidates -> path (None: stdin)
    texts: dict[str, str]  # the same keys -> the text that was read
    # Each perspective's criteria and candidates (scenario.perspectives), and the files they came from.
    perspectives: Mapping[str, PartnerInputs] = MappingProxyType({})
    perspective_files: tuple[Path, ...] = ()

    @property
    def paths(self) -> list[Path]:
        """The input files read from disk: outputs must never overwrite them."""
        return [p for p in self.files.values() if p is not None] + list(self.perspective_files)


def load_scenario(path: str | Path) -> ScenarioInputs:
    """Load and validate a scenario and the files it names.

    Parameters
    ----------
    path : str or Path
        The scenario file, or ``"-"`` to read it from standard input (its
        relative paths are then taken from the current directory).

    Returns
    -------
    ScenarioInputs

    Raises
    ------
    InputError
        With every problem found, each naming file, line and field.
    """
    with _collector_paused():
        return _load(path)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the inputs are built, on again after.

    Validation makes a few million objects, none in a cycle, and each
    allocation burst starts a collection that walks them all: measured on
    10,000 candidates x 30 criteria from CSV, 0.64-0.74 s with it, 0.48-0.65 s
    without. Left as found when already off (a caller's choice).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _load(path: str | Path) -> ScenarioInputs:
    scenario_doc, base = _scenario_document(path)
    scenario = _validate(Scenario, scenario_doc)
    docs = {"scenario": scenario_doc}
    files: dict[str, Path | None] = {"scenario": None if str(path) == STDIN else Path(path)}
    models: dict[str, BaseModel] = {"scenario": scenario}
    problems: list[Problem] = []
    for kind, model in (("criteria", CriteriaFile), ("candidates", CandidatesFile)):
        ref = getattr(scenario, kind)
        target = (base / ref) if not os.path.isabs(ref) else Path(ref)
        files[kind] = target
        try:
            docs[kind] = _read_referenced(target, scenario_doc, kind, ref, scenario.currency,
                                          categorical(models.get("criteria")))
            models[kind] = _validate(model, docs[kind])
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    check_scoring_size(len(models["candidates"].candidates), len(models["criteria"].criteria),
                       where=scenario_doc.display)
    if isinstance(docs["candidates"], TableDocument):
        header = unknown_criteria(docs["candidates"], {c.id for c in models["criteria"].criteria})
        if header:
            raise InputError(header)
    findings = check_all(models["scenario"], models["criteria"], models["candidates"])
    findings = [*findings, *money_problems(models["scenario"], models["candidates"])]
    if findings:
        raise InputError(finding_problems(findings, docs))
    candidates = _in_id_order(with_shares(models["candidates"], scenario))
    views = load_perspectives(scenario, scenario_doc, base, models["criteria"], candidates)
    return ScenarioInputs(
        scenario=scenario,
        criteria=models["criteria"],
        candidates=candidates,
        files=files,
        texts={kind: doc.text for kind, doc in docs.items()},
        perspectives=views.partners,
        perspective_files=views.files,
    )


def load_file(path: str | Path, kind: str) -> Any:
    """Read and validate one input file on its own, without the checks across files.

    What the file alone decides, before ``load_scenario`` pairs it with the
    others: the verdict that the JSON Schema of ``coprod schema KIND``
    mirrors, as far as JSON Schema can (see :mod:`scorer.inputs.schema`).

    Parameters
    ----------
    path : str or Path
        The file.
    kind : str
        ``"criteria"``, ``"candidates"`` or ``"scenario"``.

    Returns
    -------
    CriteriaFile, CandidatesFile or Scenario

    Raises
    ------
    InputError
        With every problem found, each naming file, line and field.
    """
    path = Path(path)
    return _validate(FILE_MODELS[kind], read_yaml(path, display_path(path)))


def with_shares(candidates: CandidatesFile, scenario: Scenario) -> CandidatesFile:
    """The candidates with the scenario's ``shares:`` in place of their own ``partners``."""
    if not scenario.shares:
        return candidates
    shares = effective_shares(scenario, candidates)
    changed = [c.model_copy(update={"partners": shares[c.id]}) for c in candidates.candidates]
    return candidates.model_copy(update={"candidates": changed})


def _in_id_order(candidates: CandidatesFile) -> CandidatesFile:
    """The candidates sorted by id.

    Everything downstream (score ties, model columns, hence the solver's
    choice among equally good portfolios, and every output row) then depends
    on the ids only, never on where a candidate happens to sit in the file.
    """
    ordered = sorted(candidates.candidates, key=lambda c: c.id)
    return candidates.model_copy(update={"candidates": ordered})




def _scenario_document(path: str | Path) -> tuple[YamlDocument, Path]:
    if str(path) == STDIN:
        return read_yaml_stream(sys.stdin.buffer, "<stdin>"), Path.cwd()
    path = Path(path)
    if is_table(path):
        raise InputError([Problem(display_path(path), None, "", (
            "is a candidates table, not a scenario: name it as 'candidates:' in a scenario and validate that"))])
    return read_yaml(path, display_path(path)), path.parent


def _read_referenced(target: Path, scenario_doc: YamlDocument, kind: str, ref: str,
                     currency: str | None = None, labels: frozenset[str] = frozenset()) -> Document:
    if not target.is_file() and not is_link_loop(target):  # read_yaml names a loop as for the scenario
        what = "does not exist" if not target.exists() else "is not a file"
        raise InputError([problem_at(scenario_doc, (kind,), f"{ref} {what} (looked for {display_path(target)})")])
    if kind == "candidates" and currency is not None and not is_table(target):
        raise InputError([problem_at(scenario_doc, ("currency",), (
            f"gives a CSV or xlsx candidates table its currency; {ref} is YAML and gives its own"))])
    if is_table(target):
        if kind != "candidates":
            raise InputError([problem_at(scenario_doc, (kind,), f"{ref}: a {kind} file is YAML (tables hold candidates)")])
        return read_table(target, display_path(target), currency, labels=labels)
    return read_yaml(target, display_path(target))


_KIND_OF = {model: kind for kind, model in FILE_MODELS.items()}


def _validate(model: type[BaseModel], doc: Document) -> Any:
    return validated(model, doc, _KIND_OF[model])
