"""The portfolio problem as plain arrays: start options, spend, and the user's limits.

Everything here is numpy and frozen dataclasses, independent of any solver:
:mod:`scorer.portfolio.solve` turns a :class:`PortfolioProblem` into an integer
program, :mod:`scorer.portfolio.feasibility` checks a portfolio against it without one.

A *start option* is one (candidate, start year) pair; the model has a binary
per option. Every limit the user wrote (a year's cap, a partner's budget, a
mandatory project, a window, ...) is a :class:`Limit` with the rows that
express it, so that infeasibility and binding limits can be reported in the
user's terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from scorer.errors import ScoringError
from scorer.files import display_path
from scorer.inputs.loading import ScenarioInputs
from scorer.inputs.models import share_bounds
from scorer.limits import check_model_size, model_size
from scorer.portfolio.limit_keys import LimitKey, unique_names

INF = float("inf")


@dataclass(frozen=True, eq=False)
class CategoryRule:
    """At least ``min`` / at most ``max`` selected projects of one category."""

    name: str
    members: np.ndarray  # (n,) bool
    min: int | None
    max: int | None


@dataclass(frozen=True, eq=False)
class PartnerFloor:
    """A partner's least acceptable value of the portfolio: ``sum(values * discount) >= bound``.

    ``values`` are that partner's candidate values (0-100), discounted for delay
    as the objective is; ``field`` is where the user wrote the floor.
    """

    partner: str
    values: np.ndarray  # (n,)
    bound: float
    field: str


@dataclass(frozen=True, eq=False)
class PortfolioProblem:
    """Every fact the optimiser needs, in arrays indexed by candidate (id order, as loaded).

    Money arrays use ``inf`` for "no limit". Years are calendar years.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    categories: tuple[str | None, ...]
    partners: tuple[str, ...]
    years: np.ndarray  # (T,) the horizon, inclusive
    costs: tuple[np.ndarray, ...]  # per candidate: cost in each of its project years
    # (n, P) cost share of each partner; for a candidate with share ranges, the split
    # that the ranges' middles give when scaled to sum to 1 (see nominal_split)
    shares: np.ndarray
    earliest: np.ndarray  # (n,) first allowed start (within the horizon)
    latest: np.ndarray  # (n,) last allowed finish (within the horizon)
    earliest_given: tuple[int | None, ...]  # as written in the file
    latest_given: tuple[int | None, ...]
    total_cap: float
    year_cap: np.ndarray  # (T,)
    partner_total: np.ndarray  # (P,)
    partner_year_cap: np.ndarray  # (P, T)
    mandatory: np.ndarray  # (n,) bool
    forbidden: np.ndarray  # (n,) bool
    max_projects: int | None
    min_projects: int | None
    category_rules: tuple[CategoryRule, ...]
    requires: tuple[tuple[int, int], ...]  # (dependent, required)
    excludes: tuple[tuple[int, int], ...]  # (i, j), i < j, each pair once
    delay_discount: float = 0.0
    currency: str = "money units"
    # (holder, excluded) as written: an exclusion binds both ways but sits in
    # one candidate's entry, which messages must name. Empty: the first of each pair.
    excluders: tuple[tuple[int, int], ...] = ()
    # Per-partner value floors (two-partner bargaining); none: the model is exactly the plain one.
    floors: tuple[PartnerFloor, ...] = ()
    # Cost-share ranges (n, P): lowest and highest share of each partner; None: ``shares``, fixed.
    share_lo: np.ndarray | None = None
    share_hi: np.ndarray | None = None
    # rules.partner_share: bounds on each partner's share of the portfolio's cost (P,), nan: none.
    partner_share_min: np.ndarray | None = None
    partner_share_max: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("share_lo", "share_hi"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, self.shares)
        for name in ("partner_share_min", "partner_share_max"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(len(self.partners), np.nan))

    @property
    def ranged(self) -> np.ndarray:
        """(n,) bool: candidates whose split the optimiser chooses (some share is a range)."""
        return np.any(self.share_hi > self.share_lo, axis=1)

    @property
    def chooses_shares(self) -> bool:
        """Whether the model has share columns: a range to choose in, or a rule on partners' shares."""
        return bool(self.ranged.any() or np.isfinite(self.partner_share_min).any()
                    or np.isfinite(self.partner_share_max).any())

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def durations(self) -> np.ndarray:
        return np.array([len(c) for c in self.costs], dtype=np.int64)

    def index(self, candidate_id: str) -> int:
        """Position of a candidate id."""
        return self.ids.index(candidate_id)


def problem_from_inputs(
    inputs: ScenarioInputs,
    budget: float | None = None,
    year_caps: Mapping[int, float] | None = None,
) -> PortfolioProblem:
    """Build the arrays of a loaded scenario, with overrides of its budget and year caps.

    Parameters
    ----------
    inputs : ScenarioInputs
        A loaded, cross-checked scenario.
    budget : float, optional
        Replaces ``budget.total``.
    year_caps : mapping of year to cap, optional
        Replaces ``budget.per_year`` for those years (the others keep theirs).

    Returns
    -------
    PortfolioProblem

    Raises
    ------
    ScoringError
        A year cap for a year outside the scenario's horizon.
    """
    sc, cands = inputs.scenario, inputs.candidates.candidates
    check_year_caps(year_caps or {}, sc.horizon.start, sc.horizon.end)
    years = np.arange(sc.horizon.start, sc.horizon.end + 1)
    # Sorted, so columns and rows never follow the key order inside a `partners:` mapping.
    partners = tuple(sorted({p for c in cands for p in c.partners}))
    bounds = np.array([[share_bounds(c.partners.get(p, 0.0)) for p in partners] for c in cands],
                      dtype=float).reshape(len(cands), len(partners), 2)
    bounds = np.stack(tightened(bounds[..., 0], bounds[..., 1]), axis=-1)
    rule = sc.rules.partner_share
    year_cap = _caps(sc.budget.per_year, years)
    for year, cap in (year_caps or {}).items():
        year_cap[year - years[0]] = cap
    pb = sc.budget.per_partner
    partner_total = np.array([_or_inf(pb[p].total if p in pb else None) for p in partners])
    partner_year = np.array([_caps(pb[p].per_year if p in pb else None, years) for p in partners]).reshape(
        len(partners), len(years)
    )
    ids = tuple(c.id for c in cands)
    pos = {cid: i for i, cid in enumerate(ids)}
    rules = sc.rules
    problem = PortfolioProblem(
        ids=ids,
        names=tuple(c.name for c in cands),
        categories=tuple(c.category for c in cands),
        partners=partners,
        years=years,
        costs=tuple(np.array(c.cost, dtype=float) for c in cands),
        shares=nominal_split(bounds[..., 0], bounds[..., 1]),
        earliest=np.array([max(sc.horizon.start, c.earliest_start or sc.horizon.start) for c in cands]),
        latest=np.array([min(sc.horizon.end, c.latest_finish or sc.horizon.end) for c in cands]),
        earliest_given=tuple(c.earliest_start for c in cands),
        latest_given=tuple(c.latest_finish for c in cands),
        total_cap=_or_inf(budget if budget is not None else sc.budget.total),
        year_cap=year_cap,
        partner_total=partner_total,
        partner_year_cap=partner_year,
        mandatory=np.isin(ids, rules.mandatory),
        forbidden=np.isin(ids, rules.forbidden),
        max_projects=rules.max_projects,
        min_projects=rules.min_projects,
        category_rules=tuple(
            CategoryRule(name, np.array([c.category == name for c in cands]), r.min, r.max)
            for name, r in rules.categories.items()
        ),
        requires=tuple((pos[c.id], pos[r]) for c in cands for r in dict.fromkeys(c.requires)),
        excludes=tuple(sorted({tuple(sorted((pos[c.id], pos[e]))) for c in cands for e in c.excludes})),
        delay_discount=sc.objective.delay_discount,
        currency=inputs.candidates.currency,
        excluders=tuple(sorted({(pos[c.id], pos[e]) for c in cands for e in c.excludes})),
        share_lo=bounds[..., 0],
        share_hi=bounds[..., 1],
        partner_share_min=np.array([_or_nan(rule[p].min if p in rule else None) for p in partners]),
        partner_share_max=np.array([_or_nan(rule[p].max if p in rule else None) for p in partners]),
    )
    where = inputs.files.get("scenario")
    guard_size(problem, where=display_path(where) if where is not None else "<stdin>")
    return problem


def check_year_caps(year_caps: Mapping[int, float], start: int, end: int) -> None:
    """Refuse a year cap for a year outside the horizon ``start``-``end``.

    Checked before the caps are placed: a year before the horizon would
    index the array from its end and cap another year without a word.

    Raises
    ------
    ScoringError
        The first such year, in the library's terms ("year cap for 2020 is outside the horizon 2026-2035").
    """
    for year in year_caps:
        whole = isinstance(year, (int, np.integer)) and not isinstance(year, bool)
        if not whole:
            raise ScoringError(f"year cap for {year!r} is not for a year (a whole number such as {start})",
                              settings=("year_caps",))
        if not start <= year <= end:
            raise ScoringError(f"year cap for {year} is outside the horizon {start}-{end}", settings=("year_caps",))


def guard_size(problem: PortfolioProblem, widen: bool = False, where: str = "the scenario") -> None:
    """Refuse a problem whose model would not fit in memory, before any of it is built."""
    check_model_size(*_size(problem, widen), where=where)


def option_count(problem: PortfolioProblem) -> int:
    """How many start options the problem's model has, without building them."""
    return _size(problem, False)[0]


def _size(problem: PortfolioProblem, widen: bool) -> tuple[int, int, int]:
    h0, h1 = int(problem.years[0]), int(problem.years[-1])
    n = problem.n
    earliest = np.full(n, h0) if widen else problem.earliest
    latest = np.full(n, h1) if widen else problem.latest
    forbidden = np.zeros(n, dtype=bool) if widen else problem.forbidden
    rule_rows = len(problem.category_rules) + 2 + (2 if widen else 0)
    return model_size(earliest, latest, problem.durations, forbidden, len(problem.years),
                      len(problem.partners), rule_rows)


def _or_inf(x: float | None) -> float:
    return INF if x is None else float(x)


def _or_nan(x: float | None) -> float:
    return np.nan if x is None else float(x)


def tightened(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share ranges narrowed to what summing to 1 allows: lo_p >= 1 - sum of the others' highs, and alike.

    With two partners, one partner's range then says all: ``JP in [0.3, 0.5]``
    is ``US in [0.5, 0.7]``, and the model states it once (see
    :func:`named_limits`), so that relaxing it alone can make room. Fixed
    shares and ranges already tight stay exactly as written.
    """
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    floor = 1.0 - (hi.sum(axis=1, keepdims=True) - hi)
    ceiling = 1.0 - (lo.sum(axis=1, keepdims=True) - lo)
    ranged = np.any(hi > lo, axis=1, keepdims=True)
    lo = np.where(ranged & (floor > lo + 1e-12), np.minimum(floor, hi), lo)
    hi = np.where(ranged & (ceiling < hi - 1e-12), np.maximum(ceiling, lo), hi)
    return lo, hi


def nominal_split(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The split a candidate's ranges point to: each share's low plus the rest in proportion to the widths.

    It sums to 1, lies within the ranges, is the middle of each range when
    the middles sum to 1 (two complementary ranges), and is the share itself
    when the shares are fixed. The second stage of a solve keeps a chosen
    split as close to it as the budgets allow.
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    width = hi - lo
    room = width.sum(axis=1, keepdims=True)
    rest = 1.0 - lo.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(room > 0, lo + rest * width / np.where(room > 0, room, 1.0), lo)


def _caps(spec: float | Mapping[int, float] | None, years: np.ndarray) -> np.ndarray:
    """A per-year cap array: one number for every year, or a mapping (missing years uncapped)."""
    if spec is None:
        return np.full(len(years), INF)
    if isinstance(spec, Mapping):
        return np.array([float(spec.get(int(y), INF)) for y in years])
    return np.full(len(years), float(spec))


# ----------------------------------------------------------- start options ---


@dataclass(frozen=True, eq=False)
class Options:
    """The start options of a model, one row per (candidate, start year).

    ``spend`` is the options x horizon-years cost matrix: what each option
    costs in each year if chosen. ``early``/``late`` are the years by which
    an option breaks its candidate's ``earliest_start``/``latest_finish``
    (zero unless the windows were widened for an infeasibility analysis).
    """

    cand: np.ndarray  # (K,) candidate index
    start: np.ndarray  # (K,) start year
    weight: np.ndarray  # (K,) delay-discount factor of the value
    spend: np.ndarray  # (K, T)
    early: np.ndarray  # (K,) years
    late: np.ndarray  # (K,) years
    first: np.ndarray  # (n + 1,) options of candidate i are first[i]:first[i+1]

    @property
    def k(self) -> int:
        return len(self.cand)

    def of(self, i: int) -> slice:
        """The option rows of candidate ``i``."""
        return slice(int(self.first[i]), int(self.first[i + 1]))


def start_options(problem: PortfolioProblem, widen: bool = False) -> Options:
    """Every allowed (candidate, start year), candidates in id order, starts ascending.

    Parameters
    ----------
    problem : PortfolioProblem
    widen : bool
        If true, allow every start that keeps a project inside the horizon
        (windows become limits of their own) and keep forbidden candidates
        (forbidding becomes a limit): the model of an infeasibility analysis.
    """
    guard_size(problem, widen)
    h0, h1 = int(problem.years[0]), int(problem.years[-1])
    dur = problem.durations
    if widen:
        lo = np.full(problem.n, h0)
        hi = h1 - dur + 1
    else:
        lo = problem.earliest.astype(np.int64)
        hi = problem.latest - dur + 1
        hi = np.where(problem.forbidden, lo - 1, hi)  # forbidden: no options at all
    counts = np.maximum(hi - lo + 1, 0)
    first = np.concatenate([[0], np.cumsum(counts)])
    cand = np.repeat(np.arange(problem.n), counts)
    start = lo[cand] + (np.arange(first[-1]) - first[cand])
    delay = np.maximum(start - problem.earliest[cand], 0)
    weight = (1.0 - problem.delay_discount) ** delay
    early = np.maximum(problem.earliest[cand] - start, 0)
    late = np.maximum(start + dur[cand] - 1 - problem.latest[cand], 0)
    return Options(cand, start, weight, _spend(problem, cand, start), early, late, first)


def _spend(problem: PortfolioProblem, cand: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The (K, T) cost matrix, filled without a Python loop over options."""
    dur = problem.durations[cand]
    spend = np.zeros((len(cand), len(problem.years)))
    row = np.repeat(np.arange(len(cand)), dur)
    offset = np.arange(dur.sum()) - np.repeat(np.cumsum(dur) - dur, dur)  # year within the project
    col = np.repeat(start - problem.years[0], dur) + offset
    flat = np.concatenate(problem.costs) if problem.costs else np.zeros(0)
    cost_first = np.concatenate([[0], np.cumsum(problem.durations)])
    spend[row, col] = flat[np.repeat(cost_first[cand], dur) + offset]
    return spend


# ------------------------------------------------------------------ limits ---


@dataclass(frozen=True, eq=False)
class ShareColumns:
    """The continuous share columns of a model with share ranges, after the option binaries.

    Column ``first + j`` is the share of partner ``partner[j]`` in option
    ``option[j]`` times that option's binary (zero when the option is not
    chosen): one per start option of a ranged candidate and partner with a
    share above 0 in its range, options in order, partners in order.
    """

    option: np.ndarray  # (Y,) option index
    partner: np.ndarray  # (Y,) partner index
    first: int  # the first share column (the number of options)

    @property
    def count(self) -> int:
        return len(self.option)


def share_columns(problem: PortfolioProblem, options: Options) -> ShareColumns:
    """The share columns of ``problem``'s model over ``options`` (none without share ranges)."""
    ranged = problem.ranged[options.cand]
    payer = (problem.share_hi[options.cand] > 0) & ranged[:, None]  # (K, P)
    option, partner = np.nonzero(payer)  # row-major: options in order, partners in order
    return ShareColumns(option.astype(np.int64), partner.astype(np.int64), options.k)


@dataclass(frozen=True, eq=False)
class Row:
    """One linear row over the model's columns: ``sum(coef * col[idx]) sense rhs``.

    Columns are the option binaries, then any share columns (:class:`ShareColumns`).
    """

    name: str
    idx: np.ndarray
    coef: np.ndarray
    sense: str  # "<=", ">=" or "==" (the structure of share columns only)
    rhs: float


def no_good(options: Options, selected: np.ndarray, name: str = "exclude") -> Row:
    """The cut that forbids exactly the set ``selected`` (bool per candidate) and nothing else.

    Sum over its options minus sum over all others <= |selected| - 1.
    """
    coef = np.where(selected[options.cand], 1.0, -1.0)
    return Row(name, np.arange(options.k), coef, "<=", float(selected.sum()) - 1.0)


@dataclass(frozen=True, eq=False)
class Limit:
    """One limit as the user wrote it, with the model rows that express it.

    ``key`` says which limit it is (see :class:`~scorer.portfolio.limit_keys.LimitKey`);
    ``name`` is what users read (``cap_total_2028``), unique among the limits of
    :func:`named_limits`. ``kind`` is one of year_cap, partner_year_cap, total_budget,
    partner_budget, mandatory, forbidden, max_projects, min_projects,
    category_min, category_max, earliest, latest, requires, excludes, partner_floor, share_min,
    share_max (a candidate's share range), partner_share_min, partner_share_max.
    ``bound`` is the user's number (a cap, a count, a year, a value, a share), ``unit`` is
    ``money``, ``projects``, ``years``, ``points`` (a partner's value), ``share`` or ``rule`` (all or nothing).
    """

    key: LimitKey
    field: str
    bound: float
    unit: str
    rows: tuple[Row, ...]
    mutual: bool = False  # an exclusion written in both candidates' entries
    # An exclusion written in the later candidate's entry only: messages name that one first.
    flipped: bool = False
    name: str = ""  # set by named_limits (the key's name, a repeat ended in _1, _2, ...)

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def year(self) -> int | None:
        return self.key.year

    @property
    def partner(self) -> str | None:
        return self.key.partner

    @property
    def category(self) -> str | None:
        return self.key.category

    @property
    def candidate(self) -> str | None:
        return self.key.other if self.flipped else self.key.candidate

    @property
    def other(self) -> str | None:
        return self.key.candidate if self.flipped else self.key.other

    @property
    def as_written(self) -> LimitKey:
        """The key with an exclusion's candidates in the order the user wrote them (as model files name it)."""
        return replace(self.key, candidate=self.candidate, other=self.other) if self.flipped else self.key


def named_limits(problem: PortfolioProblem, opts: Options, widened: bool = False) -> list[Limit]:
    """Every limit of the problem as rows over ``opts``.

    With ``widened`` options (see :func:`start_options`) the windows and the
    forbidden list become limits too; otherwise the options already respect them.
    """
    limits = [*_money_limits(problem, opts), *_rule_limits(problem, opts), *_logic_limits(problem, opts),
              *_floor_limits(problem, opts)]
    if problem.chooses_shares:
        limits += _share_limits(problem, opts, share_columns(problem, opts))
    if widened:
        limits += _window_limits(problem, opts)
    else:
        limits = [lim for lim in limits if lim.kind != "forbidden"]
    return [_named(lim, name) for lim, name in zip(limits, unique_names(lim.key for lim in limits))]


def _named(lim: Limit, name: str) -> Limit:
    """``lim`` under its unique name, its rows renamed alike: PuLP (and CBC's MPS) refuse two rows of one name."""
    base = lim.key.name()
    if name == base:
        return replace(lim, name=name)
    rows = tuple(replace(row, name=name + row.name[len(base):]) for row in lim.rows)
    return replace(lim, name=name, rows=rows)


def _cap_row(name: str, coef_col: np.ndarray, cap: float) -> Row:
    idx = np.flatnonzero(coef_col)
    return Row(name, idx, coef_col[idx], "<=", cap)


def _money_limits(p: PortfolioProblem, o: Options) -> list[Limit]:
    out = []
    for t, year in enumerate(p.years):
        if np.isfinite(p.year_cap[t]):
            key = LimitKey("year_cap", year=int(year))
            out.append(Limit(key, f"budget.per_year.{year}", p.year_cap[t], "money",
                             (_cap_row(key.name(), o.spend[:, t], p.year_cap[t]),)))
    total = o.spend.sum(axis=1)
    if np.isfinite(p.total_cap):
        key = LimitKey("total_budget")
        out.append(Limit(key, "budget.total", p.total_cap, "money", (_cap_row(key.name(), total, p.total_cap),)))
    cols = share_columns(p, o)
    for j, partner in enumerate(p.partners):
        share = np.where(p.ranged[o.cand], 0.0, p.shares[o.cand, j])  # a ranged option pays through its columns
        for t, year in enumerate(p.years):
            cap = p.partner_year_cap[j, t]
            if np.isfinite(cap):
                key = LimitKey("partner_year_cap", year=int(year), partner=partner)
                out.append(Limit(key, f"budget.per_partner.{partner}.per_year.{year}", cap, "money",
                                 (_partner_row(key.name(), o.spend[:, t], share, cols, j, "<=", cap),)))
        if np.isfinite(p.partner_total[j]):
            key = LimitKey("partner_budget", partner=partner)
            out.append(Limit(key, f"budget.per_partner.{partner}.total", p.partner_total[j], "money",
                             (_partner_row(key.name(), total, share, cols, j, "<=", p.partner_total[j]),)))
    return out


def _partner_row(name: str, amount: np.ndarray, share: np.ndarray, cols: ShareColumns, j: int,
                 sense: str, rhs: float, less: np.ndarray | None = None) -> Row:
    """Partner ``j``'s part of ``amount`` (per option): fixed shares on the binaries, ranges on share columns.

    ``less`` (per option) is subtracted on the binaries (a share rule's
    ``min`` or ``max`` times the portfolio's cost). Without share columns
    and ``less`` this is the row fixed shares have always had.
    """
    on_x = amount * share if less is None else amount * share - less
    idx = np.flatnonzero(on_x)
    mine = np.flatnonzero(cols.partner == j)
    if len(mine) == 0:
        return Row(name, idx, on_x[idx], sense, rhs)
    on_y = amount[cols.option[mine]]
    keep = on_y != 0
    return Row(name, np.concatenate([idx, cols.first + mine[keep]]), np.concatenate([on_x[idx], on_y[keep]]),
               sense, rhs)


def split_rows(p: PortfolioProblem, o: Options) -> list[Row]:
    """The structure of share columns: a chosen ranged option's shares sum to its binary (not a user limit)."""
    cols = share_columns(p, o)
    rows = []
    for k in np.unique(cols.option).tolist():
        mine = np.flatnonzero(cols.option == k)
        idx = np.concatenate([[k], cols.first + mine])
        coef = np.concatenate([[-1.0], np.ones(len(mine))])
        rows.append(Row(f"split_{int(o.cand[k])}_{int(o.start[k])}", idx, coef, "==", 0.0))
    return rows


def _share_limits(p: PortfolioProblem, o: Options, cols: ShareColumns) -> list[Limit]:
    """Each ranged candidate's share ranges, then each partner's share of the portfolio's cost."""
    out = []
    for i in np.flatnonzero(p.ranged).tolist():
        opts = np.arange(o.first[i], o.first[i + 1])
        payers = np.flatnonzero(p.share_hi[i] > 0)
        for j, partner in enumerate(p.partners):
            mine = np.flatnonzero(np.isin(cols.option, opts) & (cols.partner == j))
            if len(mine) == 0 or (len(payers) == 2 and j == payers[1]):
                continue  # two payers: the first's (tightened) range is the second's too
            for side, bound, sense in (("min", p.share_lo[i, j], ">="), ("max", p.share_hi[i, j], "<=")):
                if (side == "min" and bound <= 0) or (side == "max" and bound >= 1):
                    continue  # the columns' own bounds
                key = LimitKey(f"share_{side}", candidate=p.ids[i], partner=partner)
                # Summed over the candidate's starts: the columns of the starts not chosen are all 0.
                row = Row(key.name(), np.concatenate([cols.first + mine, cols.option[mine]]),
                          np.concatenate([np.ones(len(mine)), np.full(len(mine), -float(bound))]), sense, 0.0)
                out.append(Limit(key, f"candidates.{p.ids[i]}.partners.{partner}", float(bound), "share", (row,)))
    total = o.spend.sum(axis=1)
    share = np.where(p.ranged[o.cand][:, None], 0.0, p.shares[o.cand])  # (K, P)
    for j, partner in enumerate(p.partners):
        for side, bound, sense in (("min", p.partner_share_min[j], ">="), ("max", p.partner_share_max[j], "<=")):
            if np.isfinite(bound):
                key = LimitKey(f"partner_share_{side}", partner=partner)
                row = _partner_row(key.name(), total, share[:, j], cols, j, sense, 0.0, less=float(bound) * total)
                out.append(Limit(key, f"rules.partner_share.{partner}.{side}", float(bound), "share", (row,)))
    return out


def _count_row(name: str, mask: np.ndarray, sense: str, rhs: float) -> Row:
    idx = np.flatnonzero(mask)
    return Row(name, idx, np.ones(len(idx)), sense, float(rhs))


def _rule_limits(p: PortfolioProblem, o: Options) -> list[Limit]:
    out = []
    for i in np.flatnonzero(p.mandatory):
        key = LimitKey("mandatory", candidate=p.ids[i])
        out.append(Limit(key, "rules.mandatory", 1, "rule", (_count_row(key.name(), o.cand == i, ">=", 1),)))
    for i in np.flatnonzero(p.forbidden):
        key = LimitKey("forbidden", candidate=p.ids[i])
        out.append(Limit(key, "rules.forbidden", 0, "rule", (_count_row(key.name(), o.cand == i, "<=", 0),)))
    everyone = np.ones(o.k, dtype=bool)
    if p.max_projects is not None:
        out.append(Limit(LimitKey("max_projects"), "rules.max_projects", p.max_projects, "projects",
                         (_count_row("max_projects", everyone, "<=", p.max_projects),)))
    if p.min_projects is not None:
        out.append(Limit(LimitKey("min_projects"), "rules.min_projects", p.min_projects, "projects",
                         (_count_row("min_projects", everyone, ">=", p.min_projects),)))
    for rule in p.category_rules:
        members = rule.members[o.cand]
        for side, bound, sense in (("min", rule.min, ">="), ("max", rule.max, "<=")):
            if bound is not None:
                key = LimitKey(f"category_{side}", category=rule.name)
                out.append(Limit(key, f"rules.categories.{rule.name}.{side}", bound, "projects",
                                 (_count_row(key.name(), members, sense, bound),)))
    return out


def _logic_limits(p: PortfolioProblem, o: Options) -> list[Limit]:
    out = []
    dur = p.durations
    for dep, req in p.requires:
        key = LimitKey("requires", candidate=p.ids[dep], other=p.ids[req])
        rows = []
        dep_opts = np.arange(o.first[dep], o.first[dep + 1])
        req_opts = np.arange(o.first[req], o.first[req + 1])
        for s in o.start[dep_opts]:
            # Started by s implies the requirement started early enough to end before s.
            # Cumulative rows are tighter than one row per start, with as many rows.
            mine = dep_opts[o.start[dep_opts] <= s]
            ready = req_opts[o.start[req_opts] + dur[req] - 1 < s]
            idx = np.concatenate([mine, ready])
            coef = np.concatenate([np.ones(len(mine)), -np.ones(len(ready))])
            rows.append(Row(f"{key.name()}_{s}", idx, coef, "<=", 0.0))
        out.append(Limit(key, f"candidates.{p.ids[dep]}.requires", 0, "rule", tuple(rows)))
    written = set(p.excluders) or set(p.excludes)
    for a, b in p.excludes:
        key = LimitKey("excludes", candidate=p.ids[a], other=p.ids[b])  # the pair, in candidate order
        row = _count_row(key.name(), (o.cand == a) | (o.cand == b), "<=", 1)
        holders = [pair for pair in ((a, b), (b, a)) if pair in written] or [(a, b)]
        field = ", ".join(f"candidates.{p.ids[h]}.excludes" for h, _ in holders)
        out.append(Limit(key, field, 1, "rule", (row,), mutual=len(holders) == 2, flipped=holders[0] != (a, b)))
    return out


def _floor_limits(p: PortfolioProblem, o: Options) -> list[Limit]:
    """A partner's value floor: its discounted values over the options, at least the bound."""
    out = []
    for floor in p.floors:
        key = LimitKey("partner_floor", partner=floor.partner)
        coef = np.asarray(floor.values, dtype=float)[o.cand] * o.weight
        idx = np.flatnonzero(coef)
        out.append(Limit(key, floor.field, float(floor.bound), "points",
                         (Row(key.name(), idx, coef[idx], ">=", float(floor.bound)),)))
    return out


def _window_limits(p: PortfolioProblem, o: Options) -> list[Limit]:
    out = []
    for i in range(p.n):
        sl = o.of(i)
        idx = np.arange(sl.start, sl.stop)
        for kind, years, bound in (("earliest", o.early[sl], p.earliest[i]), ("latest", o.late[sl], p.latest[i])):
            if years.any():
                key = LimitKey(kind, candidate=p.ids[i])
                field = "earliest_start" if kind == "earliest" else "latest_finish"
                nz = years > 0
                out.append(Limit(key, f"candidates.{p.ids[i]}.{field}", float(bound), "years",
                                 (Row(key.name(), idx[nz], years[nz].astype(float), "<=", 0.0),)))
    return out


# ------------------------------------------------------ plain construction ---

# A candidate named by its position in ``costs`` or by its id.
CandidateRef = int | str


def build_problem(
    costs: Sequence[Sequence[float]],
    *,
    horizon: tuple[int, int],
    ids: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    categories: Sequence[str | None] | None = None,
    partners: Sequence[str] = ("A",),
    shares: Sequence[Sequence[float | tuple[float, float]]] | None = None,
    earliest: Sequence[int | None] | None = None,
    latest: Sequence[int | None] | None = None,
    total: float | None = None,
    per_year: float | Mapping[int, float] | None = None,
    partner_total: Mapping[str, float] | None = None,
    partner_year: Mapping[str, float | Mapping[int, float]] | None = None,
    mandatory: Sequence[CandidateRef] = (),
    forbidden: Sequence[CandidateRef] = (),
    max_projects: int | None = None,
    min_projects: int | None = None,
    category_rules: Mapping[str, tuple[int | None, int | None]] | None = None,
    requires: Sequence[tuple[CandidateRef, CandidateRef]] = (),
    excludes: Sequence[tuple[CandidateRef, CandidateRef]] = (),
    delay_discount: float = 0.0,
    currency: str = "money units",
    partner_share: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> PortfolioProblem:
    """A portfolio problem from plain values, without scenario files.

    The same arrays :func:`problem_from_inputs` builds from a loaded scenario,
    for callers (analyses, tests, notebooks) that hold the numbers directly.
    Every limit is optional: an omitted cap is no cap, an omitted rule no rule.

    Parameters
    ----------
    costs : sequence of sequences of float
        Per candidate, its cost in each of its project years (at least one year).
    horizon : (int, int)
        First and last calendar year, inclusive.
    ids, names : sequence of str, optional
        Candidate ids (default ``c0``, ``c1``, ...) and names (default: the ids).
    categories : sequence of str or None, optional
        Each candidate's category, for ``category_rules``.
    partners : sequence of str
        The paying partners, default one partner ``A`` paying everything.
    shares : sequence of sequences of float or (float, float), optional
        Per candidate, each partner's share of its cost: a number (fixed;
        fixed rows sum to 1) or a range ``(lo, hi)`` the optimiser chooses
        in (the lows sum to at most 1, the highs to at least 1); default:
        the first partner pays all.
    earliest, latest : sequence of int or None, optional
        Per candidate, the earliest start and latest finish year (None: the horizon's).
    total : float, optional
        Cap on the spend over the horizon.
    per_year : float or mapping of year to float, optional
        Cap on every year's spend, or on the years given.
    partner_total : mapping of partner to float, optional
        Cap on a partner's spend over the horizon.
    partner_year : mapping of partner to float or to a mapping of year to float, optional
        Cap on a partner's spend in every year, or in the years given.
    mandatory, forbidden : sequence of int or str
        Candidates that must be, or must not be, selected (position or id).
    max_projects, min_projects : int, optional
        Bounds on the number of selected candidates.
    category_rules : mapping of category to (min, max), optional
        Bounds on the selected candidates of a category (None: no bound).
    requires : sequence of (dependent, required)
        The dependent may start only after the required candidate has finished.
    excludes : sequence of pairs
        Candidates that cannot both be selected.
    delay_discount : float
        Loss of value per year a start is delayed past its earliest start, in [0, 1).
    currency : str
        Unit of the costs, as messages show it.
    partner_share : mapping of partner to (min, max), optional
        Bounds on a partner's share of the portfolio's cost (fractions; None: no bound).

    Returns
    -------
    PortfolioProblem

    Raises
    ------
    ScoringError
        When a value is out of range, a list has the wrong length, a year lies
        outside the horizon, or a candidate, partner or category is unknown.
    """
    years = _horizon_years(horizon)
    n = len(costs)
    ids = _ids(ids, n)
    pos = _positions(ids)
    partners = tuple(partners)
    cats = tuple(_per_candidate(categories, n, "categories"))
    first, last = int(years[0]), int(years[-1])
    early = _window(earliest, n, years, "earliest")
    late = _window(latest, n, years, "latest")
    lo, hi = tightened(*_shares(shares, n, partners))
    share_min, share_max = _partner_share(partner_share, partners)
    return PortfolioProblem(
        ids=ids,
        names=tuple(_per_candidate(names, n, "names") if names is not None else ids),
        categories=cats,
        partners=partners,
        years=years,
        costs=tuple(_cost_profile(c, ids[i]) for i, c in enumerate(costs)),
        shares=nominal_split(lo, hi),
        earliest=np.array([first if e is None else max(first, e) for e in early], dtype=np.int64),
        latest=np.array([last if x is None else min(last, x) for x in late], dtype=np.int64),
        earliest_given=tuple(early),
        latest_given=tuple(late),
        total_cap=_money(total, "the total budget"),
        year_cap=_year_caps(per_year, years, "the yearly cap"),
        partner_total=np.array([_money(v, f"{p}'s total budget") for p, v in _by_partner(partner_total, partners)]),
        partner_year_cap=np.array([_year_caps(v, years, f"{p}'s yearly cap")
                                   for p, v in _by_partner(partner_year, partners)]).reshape(len(partners), -1),
        mandatory=_flags(mandatory, pos, n, "mandatory"),
        forbidden=_flags(forbidden, pos, n, "forbidden"),
        max_projects=_count(max_projects, "max_projects"),
        min_projects=_count(min_projects, "min_projects"),
        category_rules=_category_rules(category_rules, cats),
        requires=tuple(dict.fromkeys(_pairs(requires, pos, "requires"))),
        excludes=tuple(sorted({tuple(sorted(pair)) for pair in _pairs(excludes, pos, "excludes")})),
        delay_discount=_discount(delay_discount),
        currency=currency,
        share_lo=lo,
        share_hi=hi,
        partner_share_min=share_min,
        partner_share_max=share_max,
    )


def _bad(message: str) -> ScoringError:
    return ScoringError(f"cannot build the portfolio problem: {message}")


def _horizon_years(horizon: tuple[int, int]) -> np.ndarray:
    start, end = horizon
    if int(start) != start or int(end) != end or start > end:
        raise _bad(f"the horizon {start}-{end} must be two whole years, the first not after the last")
    return np.arange(int(start), int(end) + 1)


def _ids(ids: Sequence[str] | None, n: int) -> tuple[str, ...]:
    out = tuple(f"c{i}" for i in range(n)) if ids is None else tuple(_per_candidate(ids, n, "ids"))
    if len(set(out)) != n:
        raise _bad("the candidate ids must be unique")
    return out


def _positions(ids: tuple[str, ...]) -> dict[CandidateRef, int]:
    """Both ways of naming a candidate: its id and its position."""
    return {**{cid: i for i, cid in enumerate(ids)}, **{i: i for i in range(len(ids))}}


def _per_candidate(values: Sequence | None, n: int, what: str) -> list:
    values = [None] * n if values is None else list(values)
    if len(values) != n:
        raise _bad(f"{what} has {len(values)} entries for {n} candidates")
    return values


def _cost_profile(cost: Sequence[float], cid: str) -> np.ndarray:
    profile = np.array(cost, dtype=float).reshape(-1)
    if profile.size == 0 or not np.isfinite(profile).all() or (profile < 0).any():
        raise _bad(f"the cost of {cid} must be one or more finite amounts of at least 0")
    return profile


def _window(years_given: Sequence[int | None] | None, n: int, years: np.ndarray, what: str) -> list[int | None]:
    given = _per_candidate(years_given, n, what)
    for year in given:
        if year is not None and int(year) != year:
            raise _bad(f"{what} holds {year!r}, not a whole year")
    return [None if y is None else int(y) for y in given]


def _shares(shares: Sequence[Sequence[float | tuple[float, float]]] | None, n: int,
            partners: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi), each (n, P): a fixed share is its own range."""
    if not partners or len(set(partners)) != len(partners):
        raise _bad("the partners must be one or more distinct names")
    if shares is None:
        fixed = np.tile(np.eye(1, len(partners)), (n, 1))
        return fixed, fixed.copy()
    rows = [list(r) for r in shares]
    if len(rows) != n or any(len(r) != len(partners) for r in rows):
        raise _bad(f"shares must be {n} rows of {len(partners)} partner shares")
    try:
        pairs = np.array([[(s, s) if np.isscalar(s) else tuple(s) for s in r] for r in rows],
                         dtype=float).reshape(n, len(partners), 2)
    except (TypeError, ValueError):
        raise _bad("a cost share must be a number or a pair (lo, hi)") from None
    lo, hi = pairs[..., 0], pairs[..., 1]
    if not np.isfinite(pairs).all() or (lo < 0).any() or (hi > 1).any() or (lo > hi).any():
        raise _bad("each cost share must lie in [0, 1], a range's low not above its high")
    fixed = (lo == hi).all(axis=1)
    if not np.allclose(lo.sum(axis=1)[fixed], 1.0):
        raise _bad("each candidate's cost shares must be at least 0 and sum to 1")
    if (lo.sum(axis=1) > 1 + 1e-9).any() or (hi.sum(axis=1) < 1 - 1e-9).any():
        raise _bad("each candidate's share ranges must allow a sum of 1 (lows at most 1, highs at least 1)")
    return lo, hi


def _partner_share(spec: Mapping[str, tuple[float | None, float | None]] | None,
                   partners: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    out = np.full((2, len(partners)), np.nan)
    for p, bounds in _by_partner(spec, partners):
        for side, b in enumerate(bounds or (None, None)):
            if b is not None and not 0.0 <= b <= 1.0:
                raise _bad(f"{p}'s share of the portfolio's cost must be bounded by fractions in [0, 1], got {b!r}")
            out[side, partners.index(p)] = _or_nan(b)
    if (out[0] > out[1]).any():
        raise _bad("a partner's share of the portfolio's cost has its min above its max")
    return out[0], out[1]


def _money(value: float | None, what: str) -> float:
    cap = _or_inf(value)
    if np.isnan(cap) or cap < 0:
        raise _bad(f"{what} must be at least 0, got {value!r}")
    return cap


def _year_caps(spec: float | Mapping[int, float] | None, years: np.ndarray, what: str) -> np.ndarray:
    if isinstance(spec, Mapping):
        outside = [y for y in spec if not years[0] <= y <= years[-1]]
        if outside:
            raise _bad(f"{what} for {outside[0]} is outside the horizon {years[0]}-{years[-1]}")
        for cap in spec.values():
            _money(cap, what)
    elif spec is not None:
        _money(spec, what)
    return _caps(spec, years)


def _by_partner(spec: Mapping[str, object] | None, partners: tuple[str, ...]) -> list[tuple[str, object]]:
    unknown = sorted(set(spec or {}) - set(partners))
    if unknown:
        raise _bad(f"a cap for the unknown partner {unknown[0]!r} (partners: {', '.join(partners)})")
    return [(p, (spec or {}).get(p)) for p in partners]


def _position(ref: CandidateRef, pos: dict[CandidateRef, int], what: str) -> int:
    if isinstance(ref, (bool, np.bool_)) or ref not in pos:
        raise _bad(f"{what} names {ref!r}, which is neither a candidate id nor a position")
    return pos[ref]


def _flags(refs: Sequence[CandidateRef], pos: dict[CandidateRef, int], n: int, what: str) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    flags[[_position(r, pos, what) for r in refs]] = True
    return flags


def _pairs(pairs: Sequence[tuple[CandidateRef, CandidateRef]], pos: dict[CandidateRef, int],
           what: str) -> list[tuple[int, int]]:
    out = [(_position(a, pos, what), _position(b, pos, what)) for a, b in pairs]
    if any(a == b for a, b in out):
        raise _bad(f"{what} pairs a candidate with itself")
    return out


def _count(value: int | None, what: str) -> int | None:
    if value is not None and (isinstance(value, bool) or int(value) != value or value < 0):
        raise _bad(f"{what} must be a whole number of at least 0, got {value!r}")
    return None if value is None else int(value)


def _category_rules(rules: Mapping[str, tuple[int | None, int | None]] | None,
                    cats: tuple[str | None, ...]) -> tuple[CategoryRule, ...]:
    out = []
    for name, (lo, hi) in (rules or {}).items():
        what = f"the rule of category {name!r}"
        out.append(CategoryRule(name, np.array([c == name for c in cats], dtype=bool),
                                _count(lo, what), _count(hi, what)))
    return tuple(out)


def _discount(value: float) -> float:
    if not 0.0 <= value < 1.0:
        raise _bad(f"the delay discount must be at least 0 and below 1, got {value!r}")
    return float(value)
