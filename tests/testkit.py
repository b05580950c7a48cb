"""Test code that test modules need at import time, in one place.

Hypothesis strategies and the plain functions and data that decorators,
strategies and module-level code use cannot be pytest fixtures, so they live
here: the small scenario as text, portfolio problems built with the library's
own constructor, scoring bases from arrays, the brute-force optimum, mutated
input files for the fuzz tests, and a pseudo-terminal runner. Anything that is
per-test state (a scenario written into a temporary folder, the loaded default
scenario) is a fixture in ``conftest.py``, which builds on this module. No test
module imports another test module or ``conftest``.
"""

from __future__ import annotations

import itertools
import os
import pty
import random
import subprocess
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import strategies as st

from scorer.errors import InfeasibleError
from scorer.mip.config import SolverConfig
from scorer.inputs.models import CriteriaFile
from scorer.portfolio.feasibility import violations, yearly_spend
from scorer.portfolio.problem import build_problem
from scorer.portfolio.solve import optimize, portfolio_value
from scorer.robustness.sampling import ScoringBasis
from scorer.scoring.aggregation import PreferenceFunction

# ------------------------------------------------------- the small scenario ---

CRITERIA = """\
version: 1
criteria:
  - id: standardization
    name: Standardization
    direction: benefit
    scale: {min: 0, max: 10}
    weight: 15
    group: integration
  - id: cost_sharing
    name: Cost sharing
    weight: 5
    group: governance
    value_function:
      type: categorical
      levels: {none: 0, draft: 0.5, signed: 1}
  - id: export_friction
    name: Export friction
    direction: cost
    scale: {min: 0, max: 10}
    weight: 10
    group: governance
groups:
  - id: integration
    name: Integration
    weight: 60
  - id: governance
    name: Governance
    weight: 40
"""

CANDIDATES = """\
version: 1
currency: USD million (notional)
candidates:
  - id: gpi
    name: Glide Phase Interceptor
    category: joint-development
    partners: {US: 0.6, JP: 0.4}
    cost: [100, 200, 200]
    earliest_start: 2026
    scores:
      standardization: 7
      cost_sharing: signed
      export_friction: {value: 6, low: 4, high: 8, rationale: ITAR friction, source: CSIS}
  - id: t7a
    name: T-7A trainer
    category: co-production
    partners: {US: 0.2, JP: 0.8}
    cost: [50, 50]
    earliest_start: 2026
    latest_finish: 2030
    scores:
      standardization: 8
      cost_sharing: draft
      export_friction: 3
  - id: tactical
    name: Tactical trainer
    category: joint-development
    partners: {US: 0.5, JP: 0.5}
    cost: [80, 80, 80]
    requires: [t7a]
    excludes: []
    scores:
      standardization: 6
      cost_sharing: none
      export_friction: 5
  - id: ship-mro
    name: Ship MRO
    category: co-sustainment
    partners: {US: 0.8, JP: 0.2}
    cost: [20, 20]
    scores:
      standardization: 5
      cost_sharing: draft
      export_friction: 2
"""

SCENARIO = """\
version: 1
name: Test scenario
criteria: criteria.yaml
candidates: candidates.yaml
horizon: {start: 2026, end: 2032}
budget:
  total: 900
  per_year: {2026: 300, 2027: 300}
  per_partner:
    US: {total: 500, per_year: 200}
    JP: {total: 500}
rules:
  mandatory: [gpi]
  max_projects: 3
  categories:
    co-sustainment: {min: 1}
objective: {delay_discount: 0.05}
method: weighted-sum
solver: {name: highs, time_limit: 10, gap: 0.0}
seed: 7
"""

# Edits that drop the criterion weights, for files whose weighting derives them.
NO_CRITERION_WEIGHTS = [("    weight: 15\n", ""), ("    weight: 5\n", ""), ("    weight: 10\n", "")]

TEXTS = {"criteria": CRITERIA, "candidates": CANDIDATES, "scenario": SCENARIO}
NAMES = {"criteria": "criteria.yaml", "candidates": "candidates.yaml", "scenario": "scenario.yaml"}


@dataclass
class Case:
    """A scenario folder written from text; ``path`` is the scenario file."""

    folder: Path
    texts: dict[str, str]

    @property
    def path(self) -> Path:
        return self.folder / NAMES["scenario"]

    def file(self, kind: str) -> Path:
        return self.folder / NAMES[kind]

    def line_of(self, kind: str, marker: str, occurrence: int = 1) -> int:
        """1-based line of the ``occurrence``-th line in the file containing ``marker``."""
        found = [n for n, line in enumerate(self.texts[kind].splitlines(), start=1) if marker in line]
        if len(found) < occurrence:
            raise AssertionError(f"{marker!r} not in {kind} {occurrence} times")
        return found[occurrence - 1]


def write_case(folder: Path, edits: dict[str, list[tuple[str, str]]] | None = None) -> Case:
    """Write the three files into ``folder``, applying ``{kind: [(old, new), ...]}`` edits."""
    texts = dict(TEXTS)
    for kind, pairs in (edits or {}).items():
        for old, new in pairs:
            assert old in texts[kind], f"{old!r} not in {kind}"
            texts[kind] = texts[kind].replace(old, new, 1)
    for kind, text in texts.items():
        (folder / NAMES[kind]).write_text(text, encoding="utf-8")
    return Case(folder, texts)


def write_hard_scenario(folder: Path, n: int = 400, seed: int = 3, years: int = 15, time_limit: float = 600) -> Path:
    """A correlated multi-year knapsack that HiGHS cannot prove optimal in seconds.

    Values track costs closely (value ~ 1.2 x cost + noise), with a total
    cap, a yearly cap and per-partner yearly caps: the LP bound stays loose
    and branching has little to go on. Measured here: 400 candidates still
    have a gap of ~0.15 % after 5 s and ~60 s.
    """
    rng = random.Random(seed)
    (folder / "criteria.yaml").write_text(
        "version: 1\ncriteria:\n  - id: merit\n    name: Merit\n    scale: {min: 0, max: 1000}\n    weight: 1\n")
    lines = ["version: 1", "currency: notional", "candidates:"]
    for i in range(n):
        dur = rng.randint(2, 5)
        base = rng.randint(20, 100)
        cost = [base + rng.randint(-10, 10) for _ in range(dur)]
        merit = min(round(sum(cost) * 1.2 + rng.uniform(-20, 20) + 100, 2), 1000)
        us = rng.choice([0.3, 0.5, 0.7])
        lines += [f"  - id: p{i:05d}", f"    name: Project {i}", f"    category: k{i % 4}",
                  f"    partners: {{US: {us}, JP: {round(1 - us, 1)}}}", f"    cost: {cost}",
                  "    scores:", f"      merit: {merit}"]
    (folder / "candidates.yaml").write_text("\n".join(lines) + "\n")
    total = n * 21
    cap = total / years * 1.3
    scenario = folder / "scenario.yaml"
    scenario.write_text(
        "version: 1\nname: hard\ncriteria: criteria.yaml\ncandidates: candidates.yaml\n"
        f"horizon: {{start: 2026, end: {2026 + years - 1}}}\n"
        f"budget:\n  total: {total}\n  per_year: {cap:.0f}\n"
        f"  per_partner:\n    US: {{per_year: {cap * 0.55:.0f}}}\n    JP: {{per_year: {cap * 0.55:.0f}}}\n"
        f"solver: {{name: highs, time_limit: {time_limit}, gap: 0.0}}\nseed: 1\n")
    return scenario


def run_on_terminal(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                    timeout: float = 300) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with stdout on a pseudo-terminal: its exit code, what it drew, and its stderr."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer of the terminal has gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        err = proc.stderr.read()
        proc.wait(timeout=timeout)
    finally:
        os.close(master)
    return proc.returncode, b"".join(chunks), err


# -------------------------------------------------------- portfolio problems ---

# The library's constructor over a five-year horizon, candidates named c0, c1, ...
make_problem = partial(build_problem, horizon=(2026, 2030))

INF_OR_NONE = float("inf")


def brute_force(p, values) -> float | None:
    """Best objective by enumerating every (candidate -> left out or start year) assignment.

    Independent of the model: spend comes from the cost profiles and start
    years directly, and every limit is checked by :func:`violations`, best
    value first, until one assignment meets them all. Assignments whose spend
    is over a cap by more than a hair are passed over unchecked (see
    :func:`within_money`): they cannot meet every limit, and checking them
    one by one in Python was most of the time of every brute-force test.
    """
    starts = all_starts(p)
    keep = np.flatnonzero(within_money(p, starts))
    worth = [portfolio_value(p, values, starts[k]) for k in keep]
    for k in np.argsort(worth, kind="stable")[::-1]:
        if not violations(p, starts[keep[k]]):
            return worth[k]
    return None


def within_money(p, starts: list[np.ndarray]) -> np.ndarray:
    """Per assignment, whether its spend is within every year cap, the budget and each partner's caps
    at the fixed shares (to 1e-6): a necessary condition only, so a loose one; :func:`violations` decides."""
    years = np.asarray(p.years)
    spend = np.zeros((len(starts), p.n, len(years)))
    for k, start in enumerate(starts):  # a few thousand small assignments
        for i in np.flatnonzero(start >= 0):
            at = int(start[i] - years[0])
            cost = np.asarray(p.costs[i], dtype=float)[: len(years) - at]
            spend[k, i, at:at + len(cost)] = cost
    room = 1e-6
    ok = (spend.sum(axis=1) <= p.year_cap + room).all(axis=1) & (spend.sum(axis=(1, 2)) <= p.total_cap + room)
    if p.chooses_shares:  # the split is a decision: no fixed share to hold the partners' caps against
        return ok
    partner = np.einsum("kit,ij->kjt", spend, p.shares)
    ok &= (partner <= p.partner_year_cap + room).all(axis=(1, 2))
    return ok & (partner.sum(axis=2) <= p.partner_total + room).all(axis=1)


@st.composite
def small_problems(draw):
    """Up to 12 candidates on a 4-year horizon, with few enough start options to enumerate."""
    n = draw(st.integers(1, 12))
    years = 4
    costs, earliest, latest, room = [], [], [], 3000
    for _ in range(n):
        d = draw(st.integers(1, years))
        costs.append(draw(st.lists(st.integers(0, 9), min_size=d, max_size=d)))
        slack = years - d  # extra start years the horizon allows
        width = draw(st.integers(0, slack)) if room >= (slack + 2) * 2 else 0
        room //= width + 2
        e = 2026 + draw(st.integers(0, slack - width))
        earliest.append(e)
        latest.append(e + d - 1 + width)
    cats = [draw(st.sampled_from(["a", "b", None])) for _ in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    requires = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    requires = [(a, b) for a, b in requires if a > b]  # acyclic: depend on earlier candidates only
    excludes = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    excludes = [e for e in excludes if e not in requires and e[::-1] not in requires]
    share = [draw(st.sampled_from([0.0, 0.5, 1.0])) for _ in range(n)]
    rules = {}
    if "a" in cats:
        rules["a"] = (draw(st.sampled_from([None, 1])), draw(st.sampled_from([None, 1, 2])))
        if rules["a"] == (None, None):
            rules.pop("a")
    mandatory = draw(st.lists(st.integers(0, n - 1), max_size=1))
    forbidden = [i for i in draw(st.lists(st.integers(0, n - 1), max_size=1)) if i not in mandatory]
    problem = make_problem(
        costs, horizon=(2026, 2029), partners=("US", "JP"), shares=[[s, 1 - s] for s in share],
        earliest=earliest, latest=latest,
        total=draw(st.sampled_from([None, 10, 25, 60])),
        per_year=draw(st.sampled_from([None, 6, 12, {2027: 5}])),
        partner_total={"US": draw(st.sampled_from([INF_OR_NONE, 8, 20]))},
        partner_year={"JP": draw(st.sampled_from([3, 6, 100]))},
        mandatory=mandatory, forbidden=forbidden,
        max_projects=draw(st.sampled_from([None, 2, 4])), min_projects=draw(st.sampled_from([None, 1])),
        categories=cats, category_rules=rules, requires=requires, excludes=excludes,
        delay_discount=draw(st.sampled_from([0.0, 0.1])),
    )
    values = np.array(draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)), dtype=float)
    return problem, values


def check_against_brute_force(problem, values, config: SolverConfig = SolverConfig()) -> None:
    """optimize() proves the brute-force optimum with a portfolio that meets every limit, or says infeasible."""
    best = brute_force(problem, values)
    if best is None:
        with pytest.raises(InfeasibleError, match="^infeasible: "):
            optimize(problem, values, config)
        return
    sol = optimize(problem, values, config)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert violations(problem, sol.start) == []
    assert portfolio_value(problem, values, sol.start) == pytest.approx(sol.objective)


def hard_problem(n: int = 120):
    """A strongly correlated three-year knapsack: HiGHS cannot prove it in a fraction of a second."""
    rng = np.random.default_rng(3)
    costs = rng.integers(20, 100, size=(n, 3)).astype(float)
    caps = {2026 + t: costs[:, t].sum() / 2 for t in range(3)}
    problem = make_problem(costs.tolist(), horizon=(2026, 2028), per_year=caps, earliest=[2026] * n,
                           latest=[2028] * n)
    values = costs.sum(axis=1) + rng.uniform(-10, 10, n)
    return problem, 100 * values / values.max()


# ----------------------------------------------------------- scoring bases ---

def linear_criteria(m: int) -> CriteriaFile:
    """m benefit criteria on a 0..1 scale, so raw scores are their own values."""
    return CriteriaFile.model_validate({
        "version": 1,
        "criteria": [{"id": f"k{j}", "name": f"K{j}", "scale": {"min": 0.0, "max": 1.0}, "weight": 1.0}
                     for j in range(m)],
    })


def make_basis(values, weights, low=None, high=None, method: str = "weighted-sum", ids=None) -> ScoringBasis:
    """A basis whose raw scores are ``values`` (in [0, 1]) with the given effective weights."""
    values = np.asarray(values, dtype=float)
    n, m = values.shape
    ids = list(ids or [f"c{i}" for i in range(n)])
    low = values if low is None else np.asarray(low, dtype=float)
    high = values if high is None else np.asarray(high, dtype=float)
    return ScoringBasis(method, ids, [i.upper() for i in ids], [f"k{j}" for j in range(m)],
                        np.asarray(weights, dtype=float), low, values, high, values.copy(),
                        np.ones(m, dtype=bool), linear_criteria(m), [PreferenceFunction()] * m)


# ------------------------------------------------- mutated files (fuzzing) ---

TOKENS = [
    "-1", "0", "1e308", "-1e308", "1e-320", ".nan", ".inf", "-.inf", "", "~", "null", "[]", "{}",
    "[1, [2, [3, [4]]]]", "&a x", "*a", "*undefined", "!!python/object/apply:os.system ['true']",
    "!!binary aGVsbG8=", "|", ">-", "'\x07bell'", '"\\u0000"', '"\\x1b[31m"', "ÿ€ 日本語", "\t", "0x1F",
    "0o17", "1_000", "2026-01-01", "true", "yes", "'=cmd|calc'", "<script>alert(1)</script>",
    "? complex", "{a: 1, a: 2}", "[gpi, gpi]", "99999999999999999999999", "signed", "t7a", "2026",
]


kinds = st.sampled_from(sorted(TEXTS))


@st.composite
def mutated(draw) -> dict[str, str | bytes]:
    """The three files with one to three random mutations."""
    files: dict[str, str | bytes] = dict(TEXTS)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(kinds)
        files[kind] = draw(_mutation(files[kind]))
    return files


def _mutation(text: str | bytes):
    if isinstance(text, bytes):
        return st.just(text)
    lines = text.split("\n")
    i = st.integers(0, max(0, len(lines) - 1))
    token = st.one_of(st.sampled_from(TOKENS), st.text(max_size=20))

    def replace_value(args):
        n, tok = args
        head, sep, _ = lines[n].partition(": ")
        new = lines[:n] + [f"{head}{sep or ': '}{tok}"] + lines[n + 1:]
        return "\n".join(new)

    return st.one_of(
        i.map(lambda n: "\n".join(lines[:n] + lines[n + 1:])),  # delete a line
        i.map(lambda n: "\n".join(lines[:n + 1] + lines[n:])),  # duplicate a line
        st.tuples(i, token).map(replace_value),  # replace a value
        st.tuples(i, token).map(lambda a: "\n".join(lines[: a[0]] + [a[1]] + lines[a[0]:])),  # insert junk
        st.integers(0, len(text)).map(lambda n: text[:n]),  # truncate
        i.map(lambda n: "\n".join(lines[:n] + ["  " + lines[n]] + lines[n + 1:])),  # indent
        st.tuples(st.integers(0, len(text)), st.binary(min_size=1, max_size=8)).map(
            lambda a: text.encode()[: a[0]] + a[1] + text.encode()[a[0]:]
        ),  # raw bytes, maybe not UTF-8
    )



# ---------------------------------------------------------- perspectives ---

# Two partners' views of the write_case scenario (README "Perspectives"): US by
# weight overrides, JP by its own criteria file, its own scores and two raters.
PERSPECTIVES = """\
perspectives:
  US:
    weights: {export_friction: 30}
    disagreement: 10
  JP:
    criteria: jp-criteria.yaml
    scores: jp-scores.yaml
    raters:
      - {name: ATLA, influence: 2, pairwise: [[standardization, cost_sharing, 3], [standardization, export_friction, 2], [cost_sharing, export_friction, 1]]}
      - {name: JSDF, influence: 1, pairwise: [[standardization, cost_sharing, 1], [standardization, export_friction, 0.5], [cost_sharing, export_friction, 0.5]]}
    min_share_of_ideal: 0.5
joint: {method: file}
"""
JP_SCORES = """\
version: 1
scores:
  t7a: {standardization: 2}
  ship-mro:
    cost_sharing: signed
    export_friction: {value: 9, low: 8, high: 10}
"""


def write_perspectives(case: Case, name: str = "bilateral.yaml", joint: str = "joint: {method: file}") -> Path:
    """A scenario ``name`` beside ``case``'s files: its scenario with :data:`PERSPECTIVES` (``joint`` replaced)."""
    crit = case.texts["criteria"].replace("weight: 60", "weight: 30")  # JP weighs integration less
    (case.folder / "jp-criteria.yaml").write_text(crit, encoding="utf-8")
    (case.folder / "jp-scores.yaml").write_text(JP_SCORES, encoding="utf-8")
    path = case.folder / name
    path.write_text(case.texts["scenario"] + PERSPECTIVES.replace("joint: {method: file}", joint), encoding="utf-8")
    return path


# ------------------------------------------------- cost shares as decisions ---


def split_lp(p, start, lo, hi, target=None):
    """Whether a split of the selected candidates within [lo, hi] meets every partner limit (and, with
    ``target``, the least total distance |share - target| of the selected ranged candidates)."""
    sel = np.flatnonzero(start >= 0)
    if len(sel) == 0:  # nobody pays anything: every limit holds
        return True if target is None else 0.0
    spend = yearly_spend(p, start)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    var = {}
    for i in sel:
        for j in range(len(p.partners)):
            var[i, j] = h.getNumCol()
            h.addVar(float(lo[i, j]), float(hi[i, j]))
    inf = highspy.kHighsInf

    def row(terms, low, up):
        keep = [(var[k], c) for k, c in terms if c != 0]
        h.addRow(low, up, len(keep), np.array([k for k, _ in keep], dtype=np.int32),
                 np.array([c for _, c in keep], dtype=float))

    for i in sel:
        row([((i, j), 1.0) for j in range(len(p.partners))], 1.0, 1.0)
    cost = spend.sum(axis=1)
    for j in range(len(p.partners)):
        for t in range(len(p.years)):
            if np.isfinite(p.partner_year_cap[j, t]):
                row([((i, j), spend[i, t]) for i in sel], -inf, float(p.partner_year_cap[j, t]))
        if np.isfinite(p.partner_total[j]):
            row([((i, j), cost[i]) for i in sel], -inf, float(p.partner_total[j]))
        whole = float(cost.sum())
        if np.isfinite(p.partner_share_min[j]):
            row([((i, j), cost[i]) for i in sel], float(p.partner_share_min[j]) * whole, inf)
        if np.isfinite(p.partner_share_max[j]):
            row([((i, j), cost[i]) for i in sel], -inf, float(p.partner_share_max[j]) * whole)
    if target is not None:  # |y - t| <= d for the ranged ones, minimise the sum of d
        for (i, j), col in list(var.items()):
            if p.ranged[i]:
                d = h.getNumCol()
                h.addVar(0.0, inf)
                h.changeColCost(d, 1.0)
                h.addRow(-float(target[i, j]), inf, 2, np.array([d, col], dtype=np.int32), np.array([1.0, -1.0]))
                h.addRow(float(target[i, j]), inf, 2, np.array([d, col], dtype=np.int32), np.array([1.0, 1.0]))
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return ok if target is None else h.getInfo().objective_function_value


def without_money(p):
    """``p`` without the partners' caps and share rules: what :func:`split_lp` decides instead."""
    return replace(p, partner_total=np.full(len(p.partners), np.inf),
                   partner_year_cap=np.full_like(p.partner_year_cap, np.inf),
                   partner_share_min=np.full(len(p.partners), np.nan),
                   partner_share_max=np.full(len(p.partners), np.nan))


def all_starts(p) -> list[np.ndarray]:
    """Every assignment of the candidates to a start year its window allows, or -1 (left out; always,
    for a forbidden one)."""
    choices = []
    for i in range(p.n):
        if p.forbidden[i]:
            choices.append([-1])
            continue
        first = max(int(p.years[0]), p.earliest_given[i] or int(p.years[0]))
        last = min(int(p.years[-1]), p.latest_given[i] or int(p.years[-1])) - len(p.costs[i]) + 1
        choices.append([-1, *range(first, last + 1)])
    return [np.array(c) for c in itertools.product(*choices)]


def ranged_starts(p, lo, hi) -> list[np.ndarray]:
    """Every assignment whose limits hold for some split within [lo, hi]: each limit but the partners'
    money by :func:`violations`, the money by :func:`split_lp`."""
    free = without_money(p)
    return [s for s in all_starts(p) if not violations(free, s, free.shares) and split_lp(p, s, lo, hi)]


@st.composite
def ranged_problems(draw, partners: int | None = None, most: int = 7, room: float = 1.0):
    """Up to ``most`` candidates on a 4-year horizon, 2 or 3 partners (or ``partners``), some splits fixed
    and some ranges; the partners' budgets scaled by ``room``."""
    n = draw(st.integers(1, most))
    partners = ("A", "B", "C")[:partners or draw(st.integers(2, 3))]
    m = len(partners)
    costs, earliest, latest, shares, lo, hi = [], [], [], [], [], []
    for _ in range(n):
        d = draw(st.integers(2, 4))
        costs.append(draw(st.lists(st.integers(1, 9), min_size=d, max_size=d)))
        e = 2026 + draw(st.integers(0, 4 - d))
        earliest.append(e)
        latest.append(min(2029, e + d - 1 + draw(st.integers(0, 1))))
        weights = np.array(draw(st.lists(st.integers(1, 4), min_size=m, max_size=m)), dtype=float)
        centre = weights / weights.sum()
        if draw(st.booleans()):
            shares.append([float(c) for c in centre])
            lo.append(centre)
            hi.append(centre)
        else:
            width = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 1.0]), min_size=m, max_size=m)))
            low, high = np.clip(centre - width, 0, 1), np.clip(centre + width, 0, 1)
            shares.append([(float(a), float(b)) for a, b in zip(low, high)])
            lo.append(low)
            hi.append(high)
    caps = st.sampled_from([None, *(room * np.array([4.0, 8.0, 15.0]))])
    rule = draw(st.sampled_from([None, (0.3, None), (None, 0.4), (0.2, 0.5)]))
    problem = build_problem(
        costs, horizon=(2026, 2029), partners=partners, shares=shares, earliest=earliest, latest=latest,
        partner_total={p: v for p in partners if (v := draw(caps)) is not None},
        partner_year={p: v for p in partners if (v := draw(st.sampled_from([None, 2.0 * room, 4.0 * room]))) is not None},
        partner_share={"A": rule} if rule else None,
        max_projects=draw(st.sampled_from([None, 3])), delay_discount=draw(st.sampled_from([0.0, 0.1])))
    values = np.array(draw(st.lists(st.integers(1, 100), min_size=n, max_size=n)), dtype=float)
    return problem, values, np.array(lo), np.array(hi)


# ------------------------------------------------------- processes in /proc ---


def processes(where) -> dict[int, bytes]:
    """Live (not zombie) processes for which ``where(pid, fields)`` holds: pid -> command line.

    ``fields`` are those of ``/proc/PID/stat`` after the name: ``[0]`` the state, ``[1]`` the parent pid,
    ``[2]`` the process group.
    """
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if fields[0] != "Z" and where(int(entry.name), fields):
                found[int(entry.name)] = cmdline
    return found


def group(pgid: int) -> dict[int, bytes]:
    """Live processes of process group ``pgid``: pid -> command line."""
    return processes(lambda pid, f: int(f[2]) == pgid)


def children(parent: int) -> dict[int, bytes]:
    """Live children of ``parent`` (the solver's child sits in a session of its own: not in the group)."""
    return processes(lambda pid, f: int(f[1]) == parent)
