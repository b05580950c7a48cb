"""scorer.inputs.location: field paths, their lines, and the located problems users read.

``tests/data/schema/validate-messages.txt`` holds what the installed
``coprod validate`` printed on stderr for every file of the schema corpus,
each put in a scenario of its own with the corpus's minimal other files,
recorded before the location code moved here; the messages must stay
byte for byte the same.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from scorer.errors import InputError
from scorer.inputs.loading import load_scenario
from scorer.inputs.location import format_path, line_of, validation_problems
from scorer.inputs.models import located
from scorer.inputs.yamlfile import parse_yaml, YamlDocument

CORPUS = Path(__file__).resolve().parents[1] / "data" / "schema"
RECORDED = CORPUS / "validate-messages.txt"
KINDS = ("criteria", "candidates", "scenario")


def test_line_of_walks_keys_and_indices():
    text = "a:\n  - x: 1\n  - x: 2\n    y:\n      z: 3\nb: 4\n"
    assert line_of(text, ("a", 1, "y", "z")) == 5
    assert line_of(text, ("a", 1, "missing")) == 3
    assert line_of(text, ("b",)) == 6
    assert line_of(text, ()) == 1


def test_format_path():
    assert format_path(("candidates", 3, "scores", "standardization")) == "candidates[3].scores.standardization"
    assert format_path(("budget", "per_year", "2028")) == "budget.per_year.2028"
    assert format_path(()) == ""


class Pair(BaseModel):
    low: int
    high: int
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Pair:
        if self.low > self.high:
            raise located("high", f"must be at least low ({self.low})")
        if self.note:
            raise ValueError(self.note)
        return self


def problems_of(text: str) -> list[tuple]:
    doc = YamlDocument("f.yaml", text, parse_yaml(text, "f.yaml"))
    with pytest.raises(ValidationError) as info:
        Pair.model_validate(doc.data)
    return [(p.line, p.path, p.message) for p in validation_problems(info.value, doc)]


def test_a_located_error_points_at_its_field():
    assert problems_of("low: 5\nhigh: 2\n") == [(2, "high", "must be at least low (5)")]


def test_a_message_is_never_parsed_for_a_field():
    # The old protocol read "@field@message"; a message that looks like it is now shown as it is.
    assert problems_of("low: 1\nhigh: 2\nnote: '@low@text'\n") == [(1, "", "@low@text")]


def test_a_located_message_with_braces_is_kept():
    class Braces(BaseModel):
        x: int

        @model_validator(mode="after")
        def _fail(self) -> Braces:
            raise located("x", "{field} {message} {x}")

    doc = YamlDocument("f.yaml", "x: 1\n", {"x": 1})
    with pytest.raises(ValidationError) as info:
        Braces.model_validate(doc.data)
    assert [p.message for p in validation_problems(info.value, doc)] == ["{field} {message} {x}"]


def recorded() -> dict[str, str]:
    cases: dict[str, str] = {}
    for block in RECORDED.read_text().split("=== ")[1:]:
        name, _, stderr = block.partition("\n")
        cases[name] = stderr
    return cases


def case_folder(tmp_path: Path, name: str) -> Path:
    kind = Path(name).name.split("-")[0]
    for other in KINDS:
        shutil.copy(CORPUS / "valid" / f"{other}-minimal.yaml", tmp_path / f"{other}.yaml")
    shutil.copy(CORPUS / name, tmp_path / f"{kind}.yaml")
    return tmp_path


def validate_stderr(folder: Path, monkeypatch) -> str:
    """What ``coprod validate scenario.yaml`` prints on stderr for a broken scenario."""
    monkeypatch.chdir(folder)
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    problems = info.value.problems
    noun = "problem" if len(problems) == 1 else "problems"
    return "".join(f"{p}\n" for p in problems) + f"coprod: {len(problems)} {noun} found\n"


def test_the_recording_covers_the_broken_corpus():
    broken = {f"{group}/{p.name}" for group in ("invalid", "beyond") for p in (CORPUS / group).glob("*.yaml")}
    assert set(recorded()) == broken


@pytest.mark.parametrize("name", sorted(recorded()))
def test_validate_messages_are_unchanged(tmp_path, monkeypatch, name):
    assert validate_stderr(case_folder(tmp_path, name), monkeypatch) == recorded()[name]


@pytest.mark.parametrize("name", ["invalid/criteria-preference-s-for-level.yaml", "beyond/criteria-points-short-of-scale.yaml",
                                  "beyond/scenario-weight-range-reversed.yaml"])
def test_the_installed_executable_prints_the_recorded_messages(tmp_path, name):
    coprod = shutil.which("coprod") or str(Path(sys.executable).with_name("coprod"))
    folder = case_folder(tmp_path, name)
    run = subprocess.run([coprod, "validate", "scenario.yaml"], cwd=folder, capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (1, "", recorded()[name])
