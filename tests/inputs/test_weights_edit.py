"""scorer.inputs.weights_edit: weights changed in place, every comment and the layout kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.defaults import data_root
from scorer.errors import InputError
from scorer.inputs.models import CriteriaFile
from scorer.inputs.weights_edit import parse_assignments, set_weights, write_weights
from scorer.inputs.yamlfile import parse_yaml
from testkit import CRITERIA, NO_CRITERION_WEIGHTS

WEIGHT_LINE = re.compile(r"^(\s*weight: )([0-9.]+)(\s*)$")


def comments(text: str) -> list[tuple[int, str]]:
    """Every comment with its line number: full-line and end-of-line (no '#' appears inside strings here)."""
    return [(n, line[line.index("#"):]) for n, line in enumerate(text.splitlines()) if "#" in line]


def test_default_criteria_keep_every_comment_byte_for_byte(tmp_path: Path) -> None:
    source = data_root() / "criteria" / "us-japan.yaml"
    target = tmp_path / "criteria.yaml"
    shutil.copyfile(source, target)
    before = target.read_text()
    model = CriteriaFile.model_validate(parse_yaml(before, "x"))
    changes = {c.id: c.weight + 1.5 for c in model.criteria} | {"integration": 50}
    write_weights(target, changes)
    after = target.read_text()
    assert len(comments(before)) > 30  # the file is well commented: the test has something to lose
    assert comments(after) == comments(before)
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert len(changed) == len(changes)
    for old, new in changed:  # only the number differs on each changed line
        m_old, m_new = WEIGHT_LINE.match(old), WEIGHT_LINE.match(new)
        assert m_old and m_new and m_old.group(1) == m_new.group(1) and m_old.group(3) == m_new.group(3)
    edited = CriteriaFile.model_validate(parse_yaml(after, "x"))
    assert [c.weight for c in edited.criteria] == [changes[c.id] for c in model.criteria]
    assert edited.groups[0].weight == 50 and edited.groups[1:] == model.groups[1:]


ODD_LAYOUT = (
    "# top comment\r\n"
    "version: 1\r\n"
    "criteria:\r\n"
    "    -   id: 'a'    # quoted id\r\n"
    "        name: \"A  criterion\"\r\n"
    "        scale: {min: 0, max: 10}\r\n"
    "        weight: 1.0e1   # ten, in exponent form\r\n"
    "    - {id: b, name: B, scale: {min: 0, max: 5}, weight: 3}  # flow style\r\n"
)


def test_odd_layout_quotes_flow_style_and_crlf_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "c.yaml"
    target.write_bytes(ODD_LAYOUT.encode())
    write_weights(target, {"a": 12.5, "b": 0})
    expected = ODD_LAYOUT.replace("weight: 1.0e1 ", "weight: 12.5 ").replace("weight: 3}", "weight: 0}")
    assert target.read_bytes() == expected.encode()


@pytest.mark.parametrize("items, message", [
    (["a"], "c.yaml: a: is not ID=NUMBER"),
    (["=3"], "c.yaml: =3: is not ID=NUMBER"),
    (["a=lots"], "c.yaml: a=lots: 'lots' is not a number"),
    (["a=-1"], "c.yaml: a=-1: '-1' is not a non-negative number"),
    (["a=nan"], "c.yaml: a=nan: 'nan' is not a number (NaN)"),
    (["a=1", "a=2"], "c.yaml: a: given more than once"),
])
def test_bad_assignments(items: list[str], message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_assignments("c.yaml", items)
    assert str(err.value) == message


def test_parse_assignments() -> None:
    assert parse_assignments("c.yaml", [" a = 2 ", "b=1e2"]) == {"a": 2.0, "b": 100.0}


@pytest.mark.parametrize("changes, message", [
    ({"nope": 1, "x": 2}, "criteria.yaml: no criterion or group 'nope', 'x' (known: standardization, cost_sharing, "
                          "export_friction, integration, governance)"),
    ({"standardization": 0, "cost_sharing": 0, "export_friction": 0}, "all criterion weights are zero"),
])
def test_refused_edits_leave_the_file_alone(write_case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes,
                                             message) -> None:
    monkeypatch.chdir(tmp_path)
    case = write_case(tmp_path)
    with pytest.raises(InputError) as err:
        write_weights("criteria.yaml", changes)
    assert message in str(err.value)
    assert case.file("criteria").read_text() == CRITERIA


def test_derived_weighting_is_refused(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"criteria": NO_CRITERION_WEIGHTS})
    path = case.file("criteria")
    path.write_text(path.read_text() + "weighting:\n  method: rank\n  rank:\n    order: [standardization, "
                    "cost_sharing, export_friction]\n")
    before = path.read_text()
    with pytest.raises(InputError, match=r"weighting.method: weights are derived by the rank method; "
                                         r"edit weighting.rank instead"):
        write_weights(path, {"standardization": 3})
    assert path.read_text() == before


def test_a_scenario_is_not_a_criteria_file(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path)
    with pytest.raises(InputError, match="this is a scenario; give the criteria file it names"):
        set_weights(case.path, {"standardization": 3})


def test_an_invalid_file_is_reported_not_edited(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"criteria": [("    weight: 15\n", "    wieght: 15\n")]})
    with pytest.raises(InputError, match="wieght: unknown key"):
        set_weights(case.file("criteria"), {"cost_sharing": 3})


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(min_value=0.001, max_value=1e6, allow_nan=False), min_size=3, max_size=3))
def test_any_weights_round_trip(write_case, tmp_path: Path, weights: list[float]) -> None:
    case = write_case(tmp_path)
    ids = ["standardization", "cost_sharing", "export_friction"]
    text = set_weights(case.file("criteria"), dict(zip(ids, weights)))
    edited = CriteriaFile.model_validate(parse_yaml(text, "x"))
    assert [c.weight for c in edited.criteria] == weights
    assert [line for line in text.splitlines() if "weight" not in line] == [
        line for line in CRITERIA.splitlines() if "weight" not in line]


def test_unusual_line_breaks_inside_text_do_not_shift_positions(tmp_path: Path) -> None:
    # Positions count YAML 1.2 line breaks only (not U+2028 or NEL, which str.splitlines splits at).
    text = CRITERIA.replace("name: Standardization", "name: \"Standard\u2028ization\x85x\"")
    target = tmp_path / "c.yaml"
    target.write_text(text, encoding="utf-8")
    write_weights(target, {"cost_sharing": 7})
    assert target.read_text(encoding="utf-8") == text.replace("weight: 5\n", "weight: 7\n")


def test_byte_order_mark_and_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "c.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + CRITERIA.encode())
    target.chmod(0o640)
    write_weights(target, {"cost_sharing": 6})
    assert target.read_bytes() == b"\xef\xbb\xbf" + CRITERIA.replace("weight: 5\n", "weight: 6\n").encode()
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("value, written", [
    (1e308, "1e+308"), (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324"),
    (1e16, "1e+16"), (2.0 ** 53, "9007199254740992"), (2.0 ** 53 + 2, "9007199254740994.0"),
    (123456789.0, "123456789"), (0.1, "0.1"), (2.5e-7, "2.5e-07"),
])
def test_every_weight_is_written_as_a_number_that_reads_back_the_same(write_case, tmp_path: Path, value: float,
                                                                      written: str) -> None:
    # 1e308 was written as a 309-digit integer; YAML 1.2 reads 1e+308 as a float (ruamel, PyYAML would not).
    case = write_case(tmp_path)
    text = set_weights(case.file("criteria"), {"cost_sharing": value})
    assert f"    weight: {written}\n" in text
    edited = CriteriaFile.model_validate(parse_yaml(text, "x"))
    assert edited.criteria[1].weight == value


@pytest.mark.parametrize("item", ["a=1e-400", "a=-1e-330", "a=1e400", "a=inf"])
def test_a_weight_that_cannot_be_stored_is_refused_not_written_as_0_or_inf(item: str) -> None:
    with pytest.raises(InputError, match="too small to be stored|not a finite number"):
        parse_assignments("c.yaml", [item])
