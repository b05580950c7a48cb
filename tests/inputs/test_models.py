"""Cost-share ranges, the scenario's ``shares:`` overlay and ``rules.partner_share``: valid forms and located errors.

Each error case edits the small test scenario (``testkit.py``) in one place;
the expected line is where the marker stands in the edited file.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from scorer.errors import InputError
from scorer.inputs.loading import load_scenario
from scorer.inputs.models import Candidate, Score, check_shares, share_bounds
from scorer.portfolio.problem import problem_from_inputs

COPROD = Path(sys.executable).with_name("coprod")
GPI = "partners: {US: 0.6, JP: 0.4}"
RULES = "  max_projects: 3\n"
OBJECTIVE = "objective: {delay_discount: 0.05}\n"

# (id, file kind, [(old, new)], marker of the expected line, field path, message part)
CASES = [
    ("range-reversed", "candidates", [(GPI, "partners: {US: [0.7, 0.5], JP: [0.3, 0.5]}")],
     "US: [0.7, 0.5]", "candidates[0].partners.US", "needs lo <= hi, got [0.7, 0.5]"),
    ("ranges-cannot-sum-to-one", "candidates", [(GPI, "partners: {US: [0.7, 0.8], JP: [0.4, 0.5]}")],
     "US: [0.7, 0.8]", "candidates[0].partners",
     "cost share ranges must allow a sum of 1: their lows sum to 1.1 and their highs to 1.3"),
    ("ranges-too-low", "candidates", [(GPI, "partners: {US: [0.1, 0.4], JP: 0.4}")],
     "US: [0.1, 0.4]", "candidates[0].partners", "their lows sum to 0.5 and their highs to 0.8"),
    ("range-above-one", "candidates", [(GPI, "partners: {US: [0.5, 1.2], JP: [0, 0.5]}")],
     "US: [0.5, 1.2]", "candidates[0].partners.US[1]", "less than or equal to 1 (got 1.2)"),
    ("range-of-three", "candidates", [(GPI, "partners: {US: [0.5, 0.6, 0.7], JP: 0.4}")],
     "US: [0.5, 0.6, 0.7]", "candidates[0].partners.US", "at most 2 items"),
    ("overlay-unknown-candidate", "scenario", [(OBJECTIVE, "shares:\n  nope: {US: 0.5, JP: 0.5}\n" + OBJECTIVE)],
     "  nope: {US: 0.5, JP: 0.5}", "shares.nope", "unknown candidate 'nope'"),
    ("overlay-reversed", "scenario", [(OBJECTIVE, "shares:\n  gpi: {US: [0.7, 0.5], JP: [0.3, 0.5]}\n" + OBJECTIVE)],
     "  gpi: {US: [0.7, 0.5]", "shares.gpi.US", "needs lo <= hi, got [0.7, 0.5]"),
    ("overlay-fixed-not-one", "scenario", [(OBJECTIVE, "shares:\n  gpi: {US: 0.7, JP: 0.5}\n" + OBJECTIVE)],
     "  gpi: {US: 0.7, JP: 0.5}", "shares.gpi", "cost shares must sum to 1, they sum to 1.2"),
    ("partner-share-unknown", "scenario", [(RULES, RULES + "  partner_share: {UK: {min: 0.1}}\n")],
     "partner_share: {UK", "rules.partner_share.UK", "no candidate has partner 'UK' (partners: JP, US)"),
    ("partner-share-reversed", "scenario", [(RULES, RULES + "  partner_share: {JP: {min: 0.6, max: 0.4}}\n")],
     "partner_share: {JP", "rules.partner_share.JP.min", "0.6 is greater than max 0.4"),
    ("partner-share-empty", "scenario", [(RULES, RULES + "  partner_share: {JP: {}}\n")],
     "partner_share: {JP", "rules.partner_share.JP", "give min, max or both"),
    ("partner-share-above-one", "scenario", [(RULES, RULES + "  partner_share: {JP: {max: 1.5}}\n")],
     "partner_share: {JP", "rules.partner_share.JP.max", "less than or equal to 1"),
]


@pytest.mark.parametrize("kind, edits, marker, path, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_names_file_line_and_field(write_case, tmp_path, kind, edits, marker, path, message) -> None:
    case = write_case(tmp_path, {kind: edits})
    with pytest.raises(InputError) as err:
        load_scenario(case.path)
    found = [p for p in err.value.problems if p.path == path]
    assert found, [(p.path, p.message) for p in err.value.problems]
    assert message in found[0].message
    assert found[0].line == case.line_of(kind, marker)
    assert found[0].file.endswith(case.file(kind).name)


def test_validate_shows_a_located_range_error(write_case, tmp_path) -> None:
    case = write_case(tmp_path, {"candidates": [(GPI, "partners: {US: [0.7, 0.5], JP: [0.3, 0.5]}")]})
    done = subprocess.run([str(COPROD), "validate", str(case.path)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 1
    line = case.line_of("candidates", "US: [0.7, 0.5]")
    assert f"candidates.yaml:{line}: candidates[0].partners.US: needs lo <= hi, got [0.7, 0.5]" in done.stderr
    assert "Traceback" not in done.stderr


def test_fixed_numbers_keep_todays_meaning() -> None:
    assert share_bounds(0.4) == (0.4, 0.4)
    assert share_bounds((0.3, 0.5)) == (0.3, 0.5)
    assert check_shares({"US": 0.6, "JP": 0.4}) == {"US": 0.6, "JP": 0.4}
    # lo == hi is fixed: the all-fixed rule (sum to 1) applies.
    with pytest.raises(ValueError, match="cost shares must sum to 1"):
        check_shares({"US": (0.6, 0.6), "JP": 0.5})
    cand = Candidate(id="a", name="A", cost=[1.0], scores={}, partners={"US": [0.5, 0.7], "JP": [0.3, 0.5]})
    assert cand.partners == {"US": (0.5, 0.7), "JP": (0.3, 0.5)}


def test_overlay_replaces_the_candidates_split_and_rules_reach_the_problem(write_case, tmp_path) -> None:
    overlay = "shares:\n  t7a: {US: [0.1, 0.3], JP: [0.7, 0.9]}\n"
    case = write_case(tmp_path, {"scenario": [(RULES, RULES + "  partner_share: {JP: {min: 0.35}}\n"),
                                              (OBJECTIVE, overlay + OBJECTIVE)]})
    inputs = load_scenario(case.path)
    t7a = next(c for c in inputs.candidates.candidates if c.id == "t7a")
    assert t7a.partners == {"US": (0.1, 0.3), "JP": (0.7, 0.9)}
    p = problem_from_inputs(inputs)
    i, jp = p.index("t7a"), p.partners.index("JP")
    assert p.ranged.tolist() == [c.id == "t7a" for c in inputs.candidates.candidates]
    assert (p.share_lo[i, jp], p.share_hi[i, jp]) == (0.7, 0.9)
    assert p.shares[i].tolist() == pytest.approx([0.8, 0.2])  # JP, US: the middles
    assert p.partner_share_min[jp] == 0.35 and np.isnan(p.partner_share_max).all()
    # The candidates file itself is untouched: without the overlay the split is fixed.
    (tmp_path / "plain").mkdir()
    plain = problem_from_inputs(load_scenario(write_case(tmp_path / "plain").path))
    assert not plain.chooses_shares and not plain.ranged.any()


# -------------------------------------------------- shared shorthand scores ---


def test_a_shorthand_score_is_shared_but_keeps_its_exact_value() -> None:
    first, again = Score.model_validate(7), Score.model_validate(7)
    assert first is again  # frozen, so one instance serves every candidate scored 7
    for shorthand in (7, 7.0, 6.5, "signed"):  # shared or not, the score the long form gives
        assert Score.model_validate(shorthand) == Score.model_validate({"value": shorthand})
    assert math.copysign(1, Score.model_validate(0.0).value) == 1
    assert math.copysign(1, Score.model_validate(-0.0).value) == -1  # -0.0 == 0.0, but it is not shared with it
    Score.model_validate(1)
    with pytest.raises(ValidationError, match="must be a number or a label, not true/false"):
        Score.model_validate(True)  # True == 1 and hashes alike: not the shared 1
    with pytest.raises(ValidationError, match="finite"):
        Score.model_validate(float("nan"))
