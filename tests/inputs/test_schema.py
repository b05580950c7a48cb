"""scorer.inputs.schema: ``coprod schema``, checked by the jsonschema package, agrees with the loader.

Each file gets two verdicts. The loader's is :func:`scorer.inputs.loading.load_file`
(the file on its own, as ``coprod validate`` checks it before the checks
across files). The schema's is what an editor does: the YAML is loaded with
a standard YAML 1.2 loader (ruamel's safe loader, not coprod's own builder),
turned into JSON data by a JSON round trip (mapping keys become text, as
they are to yaml-language-server; NaN and infinity survive as Python's JSON
extension writes them), and validated by jsonschema's Draft 2020-12
validator against the schema that the installed ``coprod schema`` prints.

The corpus is tests/data/schema (see its README): valid files, files that
break one rule each (``# breaks: <field path>``), and files the schema
cannot judge (``beyond/``), where the test pins the known disagreement.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from jsonschema.validators import Draft202012Validator, validator_for
from ruamel.yaml import YAML

from scorer.errors import InputError
from scorer.inputs.loading import load_file
from scorer.inputs.models import Year
from scorer.inputs.schema import SCHEMA_KINDS, YEAR_KEY_PATTERN
from scorer.inputs.starter import STARTER_FILES, write_starter

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parents[1] / "data" / "schema"
DEFAULTS = {"criteria": REPO / "criteria" / "us-japan.yaml", "candidates": REPO / "candidates" / "us-japan.yaml",
            "scenario": REPO / "scenarios" / "baseline.yaml"}
STARTER = REPO / "scorer" / "inputs" / "starter"


def coprod() -> str:
    found = shutil.which("coprod") or str(Path(sys.executable).with_name("coprod"))
    assert Path(found).exists(), "the coprod executable is not installed"
    return found


@cache
def schemas() -> dict[str, dict]:
    """The schemas as a user gets them: printed by the installed executable."""
    out = subprocess.run([coprod(), "schema"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def as_json(text: str) -> Any:
    data = YAML(typ="safe", pure=True).load(text)
    return json.loads(json.dumps(data))


def schema_errors(kind: str, text: str) -> list:
    schema = schemas()[kind]
    return list(validator_for(schema)(schema).iter_errors(as_json(text)))


def loader_problems(path: Path, kind: str) -> list:
    try:
        load_file(path, kind)
    except InputError as exc:
        return exc.problems
    return []


def kind_of(path: Path) -> str:
    return path.name.split("-", 1)[0]


def declared(path: Path, key: str) -> str | None:
    match = re.search(rf"^# {key}: ?(.*)$", path.read_text(encoding="utf-8"), re.M)
    return match.group(1).strip() if match else None


def parts(path: str) -> tuple:
    """``candidates[0].scores.a b`` -> ``('candidates', 0, 'scores', 'a b')`` (keys here have no dots)."""
    return tuple(int(i) if i else name for i, name in re.findall(r"\[(\d+)\]|([^.\[\]]+)", path))


def on_the_way(a: tuple, b: tuple) -> bool:
    """One path leads to the other: an error at a mapping is about the key under it, and back."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def corpus(group: str) -> list[Path]:
    files = sorted((CORPUS / group).glob("*.yaml"))
    assert files, f"no files in {CORPUS / group}"
    return files


# ---------------------------------------------------------------- schemas ---


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = schemas()[kind]
    assert validator_for(schema) is Draft202012Validator
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_object_refuses_unknown_keys(kind: str) -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert "additionalProperties" in node, where
                assert node["additionalProperties"] is not True and "patternProperties" not in node, where
                if node["additionalProperties"] is not False:
                    assert "propertyNames" in node, f"{where}: a mapping needs its key rule"
            for key, value in node.items():
                if key != "if":  # a condition describes, it does not accept
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(schemas()[kind], kind)


def test_year_key_pattern_is_the_year_range() -> None:
    bounds = TypeAdapter(Year).json_schema()
    low, high = bounds["minimum"], bounds["maximum"]
    accepted = [n for n in range(10_000) if re.search(YEAR_KEY_PATTERN, str(n))]
    assert accepted == list(range(low, high + 1))
    assert not re.search(YEAR_KEY_PATTERN, "2026\n") and not re.search(YEAR_KEY_PATTERN, "02026")


# ------------------------------------------------------- real input files ---


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_default_files_pass_both(kind: str) -> None:
    path = DEFAULTS[kind]
    assert schema_errors(kind, path.read_text(encoding="utf-8")) == []
    assert loader_problems(path, kind) == []


@pytest.mark.parametrize("name", STARTER_FILES)
def test_starter_templates_pass_both(name: str) -> None:
    kind = name.removesuffix(".yaml")
    path = STARTER / name
    assert schema_errors(kind, path.read_text(encoding="utf-8")) == []
    assert loader_problems(path, kind) == []


def test_init_files_pass_both(tmp_path: Path) -> None:
    subprocess.run([coprod(), "-q", "init", str(tmp_path)], check=True, capture_output=True)
    for name in STARTER_FILES:
        kind = name.removesuffix(".yaml")
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert schema_errors(kind, text) == [], name
        assert loader_problems(tmp_path / name, kind) == [], name
    # The starter scores use both shorthands, which the schema used to refuse.
    assert re.search(r"^      standardization: 7 ", (tmp_path / "candidates.yaml").read_text(), re.M)
    assert re.search(r"^      cost_sharing: signed ", (tmp_path / "candidates.yaml").read_text(), re.M)


# ----------------------------------------------------------------- corpus ---


@pytest.mark.parametrize("path", corpus("valid"), ids=lambda p: p.stem)
def test_valid_files_pass_both(path: Path) -> None:
    kind = kind_of(path)
    assert [e.message for e in schema_errors(kind, path.read_text(encoding="utf-8"))] == []
    assert loader_problems(path, kind) == []


@pytest.mark.parametrize("path", corpus("invalid"), ids=lambda p: p.stem)
def test_broken_files_fail_both_at_the_broken_field(path: Path) -> None:
    kind, broken = kind_of(path), parts(declared(path, "breaks"))
    problems = loader_problems(path, kind)
    assert problems, "the loader accepts it"
    assert all(on_the_way(parts(p.path), broken) for p in problems), problems
    errors = schema_errors(kind, path.read_text(encoding="utf-8"))
    assert errors, "the schema accepts it"
    assert all(on_the_way(tuple(e.absolute_path), broken) for e in errors), [(list(e.absolute_path), e.message)
                                                                             for e in errors]


@pytest.mark.parametrize("path", corpus("beyond"), ids=lambda p: p.stem)
def test_what_the_schema_cannot_judge(path: Path) -> None:
    # The known disagreements, each explained in its file: the loader refuses,
    # the schema cannot tell. A schema that learns one fails here, on purpose:
    # move the file to invalid/.
    assert "Beyond JSON Schema" in path.read_text(encoding="utf-8")
    kind, broken = kind_of(path), parts(declared(path, "breaks"))
    problems = loader_problems(path, kind)
    assert problems and all(on_the_way(parts(p.path), broken) for p in problems), problems
    assert schema_errors(kind, path.read_text(encoding="utf-8")) == []


def test_corpus_covers_every_kind() -> None:
    for group in ("valid", "invalid", "beyond"):
        kinds = {kind_of(p) for p in corpus(group)}
        assert kinds == set(SCHEMA_KINDS), (group, kinds)
    assert len(corpus("invalid")) >= 100


# ------------------------------------------------ the installed validate ---

# One rule broken in one of the starter files; `coprod validate` must name
# that file alone, and the schema must refuse it too.
VALIDATE_CASES = [
    ("candidates.yaml", "      standardization: 7 ", "      standardization: true "),
    ("candidates.yaml", "partners: {US: 0.6, JP: 0.4}", "partners: {U S: 0.6, JP: 0.4}"),
    ("candidates.yaml", "      export_friction: 2\n", "      Export_friction: 2\n"),
    ("criteria.yaml", "    weight: 40 ", "    wieght: 40 "),
    ("criteria.yaml", "    weight: 35\n", "    weight: 35\n    scale: {min: 0, max: 1}\n"),
    ("scenario.yaml", "  per_year: 250 ", "  per_year: {1800: 250} "),
    ("scenario.yaml", "    JP: {total: 400}", "    JP: {total: 400, per_year: .nan}"),
    ("scenario.yaml", "seed: 42 ", "seed: true "),
]


def run_validate(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([coprod(), "validate", str(folder / "scenario.yaml")], capture_output=True, text=True)


def test_validate_accepts_the_starter(tmp_path: Path) -> None:
    subprocess.run([coprod(), "-q", "init", str(tmp_path)], check=True, capture_output=True)
    assert run_validate(tmp_path).returncode == 0


@pytest.mark.parametrize("name,old,new", VALIDATE_CASES, ids=lambda v: v if v.endswith(".yaml") else "")
def test_validate_names_the_one_broken_file(tmp_path: Path, name: str, old: str, new: str) -> None:
    write_starter(tmp_path)  # what `coprod init` writes (test_init_files_pass_both runs it)
    target = tmp_path / name
    text = target.read_text(encoding="utf-8")
    assert text.count(old) == 1
    target.write_text(text.replace(old, new), encoding="utf-8")
    result = run_validate(tmp_path)
    assert result.returncode == 1, result.stdout
    *problems, summary = result.stderr.splitlines()
    assert problems and re.fullmatch(r"coprod: \d+ problems? found", summary), result.stderr
    assert all(Path(line.split(":", 1)[0]).name == name for line in problems), result.stderr
    assert schema_errors(name.removesuffix(".yaml"), target.read_text(encoding="utf-8"))


# ------------------------------------------------------------- mutations ---

# Mutations that change a value's JSON type, make an id-like text break its
# pattern, or add, rename or drop a key, so that no relation between two
# numbers (min < max, shares summing to 1: beyond JSON Schema) can be what
# decides the verdict.
BAD_KEY = "Bad Key!"
SCALARS = [None, True, False, 0.5, "Bad Id!", "", float("nan"), float("inf"), [], {}, [1], {"x": 1}]


def mutation_bases() -> list[tuple[str, str]]:
    bases = [(name.removesuffix(".yaml"), (STARTER / name).read_text(encoding="utf-8")) for name in STARTER_FILES]
    bases += [(kind_of(p), p.read_text(encoding="utf-8")) for p in corpus("valid")]
    return bases


def nodes(data: Any, where: tuple = ()) -> list[tuple]:
    """Every path in the data, the root included."""
    found = [where]
    if isinstance(data, dict):
        for key, value in data.items():
            found += nodes(value, (*where, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += nodes(value, (*where, i))
    return found


def replace(data: Any, where: tuple, value: Any) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if isinstance(data, dict):
        return {k: (replace(v, rest, value) if k == head else v) for k, v in data.items()}
    return [replace(v, rest, value) if i == head else v for i, v in enumerate(data)]


def get(data: Any, where: tuple) -> Any:
    for part in where:
        data = data[part]
    return data


def finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, Any]:
    kind, text = draw(st.sampled_from(mutation_bases()))
    data = YAML(typ="safe", pure=True).load(text)
    where = draw(st.sampled_from(nodes(data)))
    node = get(data, where)
    action = draw(st.sampled_from(["replace", "add key", "rename key", "delete key"]))
    if action == "add key" and isinstance(node, dict):
        return kind, replace(data, where, {**node, BAD_KEY: 1})
    # Not a partner (the shares left would not sum to 1) nor a direction (a
    # piecewise function may then fall where it must rise).
    deletable = [] if where[-1:] == ("partners",) or not isinstance(node, dict) else \
        sorted((k for k in node if k != "direction"), key=str)
    if action == "delete key" and deletable:
        old = draw(st.sampled_from(deletable))
        return kind, replace(data, where, {k: v for k, v in node.items() if k != old})
    if action == "rename key" and isinstance(node, dict) and node:
        old = draw(st.sampled_from(sorted(node, key=str)))
        return kind, replace(data, where, {(BAD_KEY if k == old else k): v for k, v in node.items()})
    choices = [v for v in SCALARS if type(v) is not type(node) and not (finite(node) and finite(v))]
    if isinstance(node, str) and node != "Bad Id!":
        choices.append("Bad Id!")
    return kind, replace(data, where, draw(st.sampled_from(choices)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutant=mutants())
def test_mutants_get_the_same_verdict(tmp_path: Path, mutant: tuple[str, Any]) -> None:
    kind, data = mutant
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    path = tmp_path / f"{kind}.yaml"
    path.write_text(stream.getvalue(), encoding="utf-8")
    problems = loader_problems(path, kind)
    errors = schema_errors(kind, stream.getvalue())
    assert bool(problems) == bool(errors), (stream.getvalue(), problems, [e.message for e in errors])
