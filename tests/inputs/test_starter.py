"""scorer.inputs.starter: the starter files validate, optimise and explain themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scorer.errors import OutputError
from scorer.inputs.loading import load_scenario
from scorer.portfolio.solve import optimize
from scorer.portfolio.problem import problem_from_inputs
from scorer.scoring.score import candidate_values
from scorer.inputs.starter import STARTER_FILES, starter_texts, write_starter

SPEC_SECTIONS = {"scenario.yaml": "scenario file", "criteria.yaml": "criteria file",
                 "candidates.yaml": "candidates file"}


def test_written_files_are_the_templates(tmp_path: Path) -> None:
    written = write_starter(tmp_path / "new" / "project")
    assert [p.name for p in written] == list(STARTER_FILES)
    assert {p.name: p.read_text(encoding="utf-8") for p in written} == starter_texts()
    assert sorted(p.name for p in (tmp_path / "new" / "project").iterdir()) == sorted(STARTER_FILES)


def test_starter_validates_and_optimises(tmp_path: Path) -> None:
    scenario = write_starter(tmp_path)[0]
    inputs = load_scenario(scenario)
    assert len(inputs.criteria.criteria) == 3 and len(inputs.candidates.candidates) == 4
    sol = optimize(problem_from_inputs(inputs), candidate_values(inputs))
    assert sol.status == "optimal" and 0 < sol.selected.sum() <= inputs.scenario.rules.max_projects


@pytest.mark.parametrize("name", STARTER_FILES)
def test_templates_cite_the_spec_and_comment_their_fields(name: str) -> None:
    text = starter_texts()[name]
    assert f'"{SPEC_SECTIONS[name]}" of formats.md' in " ".join(w for w in text.split() if w != "#")
    # Every top-level key and every key of the first entry of a list carries a comment.
    keys = [m.group(1) for m in re.finditer(r"^(?:  - |    )?([a-z_]+):.*#", text, re.M)]
    top = re.findall(r"^([a-z_]+):", text, re.M)
    assert set(top) <= set(keys), set(top) - set(keys)


def test_existing_files_are_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "criteria.yaml").write_text("mine\n")
    with pytest.raises(OutputError, match=r"criteria.yaml: already exists \(overwriting needs force\)$"):
        write_starter(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["criteria.yaml"]  # nothing else written either
    write_starter(tmp_path, force=True)
    assert (tmp_path / "criteria.yaml").read_text(encoding="utf-8") == starter_texts()["criteria.yaml"]


def test_a_file_in_the_way_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        write_starter(tmp_path / "x")


def test_a_name_too_long_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"cannot create the folder \(File name too long\)"):
        write_starter(tmp_path / ("x" * 300))
