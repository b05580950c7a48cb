"""Validated models of the three input file kinds (see ``formats.md``).

Each model checks what can be checked inside one file. Checks that need
another file (criterion ids in scores, the horizon, ...) live in
:mod:`scorer.inputs.crosscheck`. The JSON Schema (:mod:`scorer.inputs.schema`) mirrors the
model validators that decide which keys go together; a change to one needs
the other (``tests/test_schema.py`` compares them file by file).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scorer.limits import MAX_PORTFOLIO_SAMPLES, MAX_SAMPLES

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+$", min_length=1, max_length=64)]
PartnerName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=32)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
NonNegative = Annotated[float, Field(ge=0)]
Year = Annotated[int, Field(ge=1900, le=2200)]

def _list_as_tuple(value: Any) -> Any:
    # YAML has no tuples; a fixed-length list stands for one.
    return tuple(value) if isinstance(value, list) else value


Point = Annotated[tuple[float, Annotated[float, Field(ge=0, le=1)]], BeforeValidator(_list_as_tuple)]


def _not_bool(value: Any) -> Any:
    # A Literal[1] takes True, since True == 1 in Python; strict types do not.
    if isinstance(value, bool):
        raise ValueError("Input should be 1, not true/false")
    return value


Version = Annotated[Literal[1], BeforeValidator(_not_bool)]

METHODS = ("weighted-sum", "weighted-product", "topsis", "promethee-ii")
Method = Literal["weighted-sum", "weighted-product", "topsis", "promethee-ii"]


# The error type of :func:`located`.
LOCATED = "located"


def located(field: str, message: str) -> PydanticCustomError:
    """A validation error that belongs to ``field`` (``"value_function.points"``) of the model raising it.

    pydantic locates a model validator's error at the model itself; the field
    travels in the error's context (no text to parse), and
    :mod:`scorer.inputs.location` appends it to the location.
    """
    return PydanticCustomError(LOCATED, "{message}", {"field": field, "message": message})


class Strict(BaseModel):
    """Base: unknown keys are errors, no silent type coercion, no NaN or inf."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


# --------------------------------------------------------------- criteria ---


class Scale(Strict):
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise located("max", f"must be greater than min ({fmt_num(self.min)}), got {fmt_num(self.max)}")
        return self


class LinearValue(Strict):
    type: Literal["linear"]


class PiecewiseValue(Strict):
    type: Literal["piecewise"]
    points: list[Point] = Field(min_length=2)

    @field_validator("points")
    @classmethod
    def _increasing(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        raws = [raw for raw, _ in points]
        if any(b <= a for a, b in zip(raws, raws[1:])):
            raise ValueError("raw values of the points must be strictly increasing")
        return points


class CategoricalValue(Strict):
    type: Literal["categorical"]
    levels: dict[Label, Annotated[float, Field(ge=0, le=1)]] = Field(min_length=2)


ValueFunction = Annotated[LinearValue | PiecewiseValue | CategoricalValue, Field(discriminator="type")]


# Which thresholds each PROMETHEE preference function takes (Brans & Vincke 1985).
PREFERENCE_PARAMS = {
    "usual": (), "u-shape": ("q",), "v-shape": ("p",), "level": ("q", "p"),
    "linear": ("q", "p"), "gaussian": ("s",),
}


class Preference(Strict):
    """PROMETHEE preference function of a criterion, thresholds in raw-score units."""

    type: Literal["usual", "u-shape", "v-shape", "level", "linear", "gaussian"] = "usual"
    q: NonNegative | None = None
    p: NonNegative | None = None
    s: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _params_fit_type(self) -> Preference:
        wanted = PREFERENCE_PARAMS[self.type]
        for name in ("q", "p", "s"):
            given = getattr(self, name) is not None
            if given and name not in wanted:
                raise located(name, f"is not used by the {self.type} preference function (it takes {', '.join(wanted) or 'no thresholds'})")
            if not given and name in wanted:
                raise located(name, f"is required by the {self.type} preference function")
        if self.type == "v-shape" and self.p == 0:
            raise located("p", "must be greater than 0")
        if self.type in ("level", "linear") and not self.q < self.p:
            raise located("p", f"must be greater than q ({fmt_num(self.q)}), got {fmt_num(self.p)}")
        return self


class Criterion(Strict):
    id: Id
    name: Label
    description: Text = ""
    direction: Literal["benefit", "cost"] = "benefit"
    scale: Scale | None = None
    weight: NonNegative | None = None
    group: Id | None = None
    value_function: ValueFunction | None = None
    preference: Preference | None = None  # PROMETHEE II only; default usual

    @model_validator(mode="after")
    def _scale_fits_function(self) -> Criterion:
        vf = self.value_function
        if isinstance(vf, CategoricalValue):
            if self.scale is not None:
                raise located("scale", "a categorical criterion takes labels, so it has no scale")
            return self
        if self.scale is None:
            raise located("scale", "is required unless the value function is categorical")
        if isinstance(vf, PiecewiseValue):
            _check_piecewise(vf, self.scale, self.direction)
        return self

    @property
    def is_categorical(self) -> bool:
        return isinstance(self.value_function, CategoricalValue)


def _check_piecewise(vf: PiecewiseValue, scale: Scale, direction: str) -> None:
    first, last = vf.points[0], vf.points[-1]
    if first[0] > scale.min or last[0] < scale.max:
        raise located(
            "value_function.points",
            f"the points cover {fmt_num(first[0])}-{fmt_num(last[0])} but must cover the whole scale "
            f"{fmt_num(scale.min)}-{fmt_num(scale.max)}"
        )
    rising = last[1] - first[1]
    if direction == "benefit" and rising < 0:
        raise located("value_function.points", "the value function falls, but the criterion is a benefit (use direction: cost?)")
    if direction == "cost" and rising > 0:
        raise located("value_function.points", "the value function rises, but the criterion is a cost (use direction: benefit?)")


class Group(Strict):
    id: Id
    name: Label
    description: Text = ""
    weight: NonNegative


class SwingSpec(Strict):
    points: dict[Id, NonNegative] = Field(min_length=1)


class RankSpec(Strict):
    order: list[Id] = Field(min_length=1)


class AhpSpec(Strict):
    pairwise: list[
        Annotated[tuple[Id, Id, Annotated[float, Field(ge=1 / 9 - 1e-9, le=9)]], BeforeValidator(_list_as_tuple)]
    ] = Field(min_length=1)


class Weighting(Strict):
    method: Literal["direct", "swing", "rank", "ahp"] = "direct"
    swing: SwingSpec | None = None
    rank: RankSpec | None = None
    ahp: AhpSpec | None = None

    @model_validator(mode="after")
    def _spec_matches_method(self) -> Weighting:
        given = [name for name in ("swing", "rank", "ahp") if getattr(self, name) is not None]
        if self.method == "direct":
            if given:
                raise located(given[0], "must not be given when the method is direct")
        elif given != [self.method]:
            raise located("method", f"{self.method} needs exactly the '{self.method}' section")
        return self


class CriteriaFile(Strict):
    version: Version
    criteria: list[Criterion] = Field(min_length=1)
    groups: list[Group] = []
    weighting: Weighting = Weighting()


# ------------------------------------------------------------- candidates ---


# A shorthand score is one of few values (7, 6.5, "signed"); a validated Score is
# frozen, so one instance per value is shared, by the value's exact type (7 is
# not 7.0, and a bool is neither). Measured on 300,000 shorthand scores (10,000
# candidates x 30 criteria): 1.70 s validating each, 0.14 s shared.
MAX_SHARED_SCORES = 4096
_SHARED_SCORES: dict[type, dict[Any, Score]] = {float: {}, int: {}, str: {}}


class Score(Strict):
    value: float | str
    low: float | None = None
    high: float | None = None
    rationale: Text = ""
    source: Text = ""

    @model_validator(mode="wrap")
    @classmethod
    def _shorthand(cls, data: Any, handler: Any) -> Any:
        # `standardization: 7` and `cost_sharing: signed` mean {value: ...}. One
        # validator, not a before and an after one: a shared score is not checked again.
        shared = _SHARED_SCORES.get(type(data))
        if shared is None:  # the long form, or what the value's validator refuses
            return _range_ordered(handler(data if isinstance(data, dict) else {"value": data}))
        hit = shared.get(data)
        if hit is None:
            hit = _range_ordered(handler({"value": data}))
            if len(shared) < MAX_SHARED_SCORES and not (data == 0 and type(data) is float):  # -0.0 == 0.0
                shared[data] = hit
        return hit

    @field_validator("value", mode="before")
    @classmethod
    def _number_or_label(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"must be a number or a label, not {_kind(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


def _range_ordered(score: Score) -> Score:
    if (score.low is not None or score.high is not None) and isinstance(score.value, str):
        raise located("low" if score.low is not None else "high", "low/high apply to numeric scores only")
    low = score.low if score.low is not None else score.value
    high = score.high if score.high is not None else score.value
    if not low <= score.value <= high:
        raise located("value", f"needs low <= value <= high, got {fmt_num(low)} <= {fmt_num(score.value)} <= {fmt_num(high)}")
    return score


# ------------------------------------------------------------ cost shares ---

Fraction = Annotated[float, Field(ge=0, le=1)]


def _fixed_or_range(value: Any) -> str:
    return "~range" if isinstance(value, (list, tuple)) else "~fixed"


# A partner's share of a candidate's cost: a number (fixed) or [lo, hi] (the
# optimiser chooses within it). Tagged so that a bad value reports one error.
Share = Annotated[
    Annotated[Fraction, Tag("~fixed")]
    | Annotated[tuple[Fraction, Fraction], BeforeValidator(_list_as_tuple), Tag("~range")],
    Discriminator(_fixed_or_range),
]
Shares = Annotated[dict[PartnerName, Share], Field(min_length=1)]


def share_bounds(share: float | tuple[float, float]) -> tuple[float, float]:
    """``(lo, hi)`` of a share as written: a number is its own range."""
    return (float(share[0]), float(share[1])) if isinstance(share, tuple) else (float(share), float(share))


def check_shares(partners: dict[str, float | tuple[float, float]]) -> dict[str, float | tuple[float, float]]:
    """Shares that can sum to 1: fixed ones that do, or ranges with sum(lo) <= 1 <= sum(hi)."""
    bounds = {p: share_bounds(s) for p, s in partners.items()}
    for p, (lo, hi) in bounds.items():
        if lo > hi:
            raise located(p, f"needs lo <= hi, got [{fmt_num(lo)}, {fmt_num(hi)}]")
    if all(lo == hi for lo, hi in bounds.values()):
        total = math.fsum(lo for lo, _ in bounds.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"cost shares must sum to 1, they sum to {total:.6g}")
        return partners
    low, high = math.fsum(b[0] for b in bounds.values()), math.fsum(b[1] for b in bounds.values())
    if low > 1 + 1e-6 or high < 1 - 1e-6:
        raise ValueError(f"cost share ranges must allow a sum of 1: their lows sum to {low:.6g} "
                         f"and their highs to {high:.6g}")
    return partners


class Candidate(Strict):
    id: Id
    name: Label
    category: Label | None = None
    description: Text = ""
    partners: Shares
    cost: list[NonNegative] = Field(min_length=1, max_length=100)
    earliest_start: Year | None = None
    latest_finish: Year | None = None
    requires: list[Id] = Field(default_factory=list)  # not a default to deepcopy per candidate
    excludes: list[Id] = Field(default_factory=list)
    scores: dict[Id, Score]

    @field_validator("partners")
    @classmethod
    def _shares_sum_to_one(cls, partners: dict[str, Any]) -> dict[str, Any]:
        return check_shares(partners)

    @model_validator(mode="after")
    def _window_holds_project(self) -> Candidate:
        if self.earliest_start is not None and self.latest_finish is not None:
            need = self.earliest_start + len(self.cost) - 1
            if need > self.latest_finish:
                raise located(
                    "latest_finish",
                    f"runs {len(self.cost)} years, so starting in {self.earliest_start} it ends in {need}, "
                    f"after its latest_finish {self.latest_finish}"
                )
        return self

    @property
    def duration(self) -> int:
        return len(self.cost)


class CandidatesFile(Strict):
    version: Version
    currency: Label = "money units"
    candidates: list[Candidate] = Field(min_length=1)


# --------------------------------------------------------------- scenario ---


class Horizon(Strict):
    start: Year
    end: Year

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise located("end", f"{self.end} is before start {self.start}")
        if self.end - self.start >= 100:
            raise located("end", "a horizon is limited to 100 years")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))


def _number_or_mapping(value: Any) -> str:
    return "~mapping" if isinstance(value, dict) else "~number"


# One cap for every year, or {year: cap}. Tagged so that a bad value reports
# one error from the form the user chose, not one per form.
YearCaps = Annotated[
    Annotated[NonNegative, Tag("~number")] | Annotated[dict[Year, NonNegative], Tag("~mapping")],
    Discriminator(_number_or_mapping),
]


class PartnerBudget(Strict):
    total: NonNegative | None = None
    per_year: YearCaps | None = None


class Budget(Strict):
    total: NonNegative | None = None
    per_year: YearCaps | None = None
    per_partner: dict[PartnerName, PartnerBudget] = {}


class CategoryRule(Strict):
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CategoryRule:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise located("min", f"{self.min} is greater than max {self.max}")
        return self


class PartnerShare(Strict):
    """Bounds on a partner's share of the whole portfolio's cost (fractions)."""

    min: Fraction | None = None
    max: Fraction | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PartnerShare:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise located("min", f"{fmt_num(self.min)} is greater than max {fmt_num(self.max)}")
        return self


class Rules(Strict):
    mandatory: list[Id] = []
    forbidden: list[Id] = []
    max_projects: Annotated[int, Field(ge=0)] | None = None
    min_projects: Annotated[int, Field(ge=0)] | None = None
    categories: dict[Label, CategoryRule] = {}
    partner_share: dict[PartnerName, PartnerShare] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        both = sorted(set(self.mandatory) & set(self.forbidden))
        if both:
            raise located("forbidden", f"{', '.join(both)} is both mandatory and forbidden")
        if self.min_projects is not None and self.max_projects is not None and self.min_projects > self.max_projects:
            raise located("min_projects", f"min_projects {self.min_projects} is greater than max_projects {self.max_projects}")
        return self


class Objective(Strict):
    delay_discount: Annotated[float, Field(ge=0, lt=1)] = 0.0


class SolverSettings(Strict):
    name: Literal["highs", "cbc"] = "highs"
    time_limit: Annotated[float, Field(gt=0, le=7 * 24 * 3600)] = 60.0
    gap: Annotated[float, Field(ge=0, lt=1)] = 0.0


WeightRange = Annotated[
    tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]], BeforeValidator(_list_as_tuple)
]


class Robustness(Strict):
    """Defaults of ``coprod sensitivity`` (command-line options override them).

    ``weight_ranges`` maps a criterion id to ``[lo, hi]`` on its effective
    weight (a fraction, as ``coprod weights`` shows it); when given, weights
    are sampled uniformly within the ranges instead of from the Dirichlet.
    """

    samples: Annotated[int, Field(ge=1, le=MAX_SAMPLES)] = 1000
    concentration: Annotated[float, Field(gt=0, le=1e9)] = 100.0
    weight_ranges: dict[Id, WeightRange] = {}
    score_distribution: Literal["none", "triangular", "pert"] = "none"
    portfolio_samples: Annotated[int, Field(ge=0, le=MAX_PORTFOLIO_SAMPLES)] = 200
    tolerance: Annotated[float, Field(gt=0, le=0.5)] = 0.01

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Robustness:
        for cid, (lo, hi) in self.weight_ranges.items():
            if lo > hi:
                raise located(f"weight_ranges.{cid}", f"needs lo <= hi, got [{fmt_num(lo)}, {fmt_num(hi)}]")
        return self


# ----------------------------------------------------------- perspectives ---

Judgement = Annotated[tuple[Id, Id, Annotated[float, Field(ge=1 / 9 - 1e-9, le=9)]], BeforeValidator(_list_as_tuple)]
FilePath = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class Rater(Strict):
    """One person's AHP judgements within a partner, combined with the others' by AIJ."""

    name: Label
    influence: Annotated[float, Field(gt=0)] = 1.0
    pairwise: list[Judgement] = Field(min_length=1)


class Perspective(Strict):
    """One partner's own view: its weights, criteria, scores and outside option.

    ``weights`` are raw-weight overrides, as ``-w`` takes them, on the
    partner's criteria (its own ``criteria`` file, else the shared one);
    ``raters`` replace that file's raw weights by the AHP weights of their
    combined judgements before ``weights`` apply.
    """

    weights: dict[Id, NonNegative] = {}
    criteria: FilePath | None = None
    scores: FilePath | None = None
    raters: list[Rater] = []
    disagreement: NonNegative = 0.0
    min_value: NonNegative | None = None
    min_share_of_ideal: Annotated[float, Field(ge=0, le=1)] | None = None


class Joint(Strict):
    """Where the weights of every command that names no partner come from."""

    method: Literal["file", "mean", "geometric"] = "file"
    influence: dict[PartnerName, Annotated[float, Field(gt=0)]] = {}


class ScoresFile(Strict):
    """A partner's own scores: ``{candidate id: {criterion id: score}}``, merged over the shared ones."""

    version: Version
    scores: dict[Id, Annotated[dict[Id, Score], Field(min_length=1)]] = Field(min_length=1)


class Scenario(Strict):
    version: Version
    name: Label
    description: Text = ""
    criteria: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    candidates: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    # The currency of a CSV candidates table (an xlsx one carries it in its meta sheet, YAML in the file).
    currency: Label | None = None
    horizon: Horizon
    budget: Budget = Budget()
    rules: Rules = Rules()
    objective: Objective = Objective()
    method: Method = "weighted-sum"
    solver: SolverSettings = SolverSettings()
    seed: Annotated[int, Field(ge=0, lt=2**32)] = 42
    robustness: Robustness = Robustness()
    perspectives: dict[PartnerName, Perspective] = {}
    joint: Joint = Joint()
    # Cost shares replacing candidates' own ``partners`` (the candidates file stays shared).
    shares: dict[Id, Shares] = {}

    @field_validator("shares")
    @classmethod
    def _overlay_shares(cls, shares: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for cid, partners in shares.items():
            try:
                check_shares(partners)
            except PydanticCustomError as exc:  # one partner's range: at shares.<id>.<partner>
                raise located(f"{cid}.{exc.context['field']}", exc.context["message"]) from None
            except ValueError as exc:
                raise located(cid, str(exc)) from None
        return shares


# The three file kinds, in the order commands list them.
FILE_MODELS: dict[str, type[Strict]] = {"criteria": CriteriaFile, "candidates": CandidatesFile, "scenario": Scenario}


def fmt_num(x: float | str) -> str:
    """A number as a person writes it: 10 rather than 10.0, 1e+308 rather than 309 digits.

    Whole numbers print as integers only up to 2**53, where every integer is
    still a float; beyond it Python's shortest repr, which reads back (also as
    YAML 1.2) as the same float.
    """
    if isinstance(x, float) and x.is_integer() and abs(x) <= 2**53:
        return str(int(x))
    return str(x)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {dict: "a mapping", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)
