"""Checks that need more than one model or more than one file.

Each check is a pure function returning ``(file_kind, loc, message)`` triples;
:func:`scorer.inputs.location.finding_problems` turns them into located problems. ``file_kind`` is one
of ``"scenario"``, ``"criteria"`` and ``"candidates"``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import combinations

from scorer.inputs.models import (
    Candidate,
    CandidatesFile,
    CriteriaFile,
    Criterion,
    Scenario,
    ScoresFile,
    fmt_num,
)
from scorer.inputs.yamlfile import yaml11_number_hint

Finding = tuple[str, tuple, str]


def check_all(scenario: Scenario, criteria: CriteriaFile, candidates: CandidatesFile) -> list[Finding]:
    """Every cross-model check on a loaded scenario; the criteria file's own come first, alone.

    The other files are checked against the criteria, so a criteria file
    broken on its own (a duplicate criterion id) would make sound scores look
    wrong: its problems are reported without the ones they would cause.
    """
    own = list(check_criteria(criteria))
    if own:
        return own
    return [
        *check_candidates(candidates, criteria),
        *check_windows(candidates, scenario),
        *check_scenario(scenario, candidates),
        *check_robustness(scenario, criteria),
        *check_perspectives(scenario, criteria, candidates),
        *check_shares(scenario, candidates),
    ]


# --------------------------------------------------------------- criteria ---


def check_criteria(cf: CriteriaFile) -> Iterator[Finding]:
    """Unique ids, group membership, weights and the weighting section."""
    yield from _duplicates("criteria", [c.id for c in cf.criteria], ("criteria",))
    yield from _duplicates("criteria", [g.id for g in cf.groups], ("groups",))
    yield from _groups(cf)
    if cf.weighting.method == "direct":
        yield from _direct_weights(cf)
    else:
        yield from _derived_weighting(cf)


def _duplicates(kind: str, ids: list[str], loc: tuple) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            yield kind, (*loc, i, "id"), f"duplicate id '{item}'"
        seen.add(item)


def _groups(cf: CriteriaFile) -> Iterator[Finding]:
    group_ids = {g.id for g in cf.groups}
    for i, c in enumerate(cf.criteria):
        if c.group is not None and c.group not in group_ids:
            known = ", ".join(sorted(group_ids)) or "none are defined"
            yield "criteria", ("criteria", i, "group"), f"unknown group '{c.group}' (groups: {known})"
        elif c.group is None and cf.groups:
            yield "criteria", ("criteria", i), "needs a group, since the file defines groups"
    used = {c.group for c in cf.criteria}
    for i, g in enumerate(cf.groups):
        if g.id not in used:
            yield "criteria", ("groups", i, "id"), f"group '{g.id}' has no criteria"
    if cf.groups and all(g.weight == 0 for g in cf.groups):
        yield "criteria", ("groups",), "all group weights are zero"


def _direct_weights(cf: CriteriaFile) -> Iterator[Finding]:
    missing = False
    for i, c in enumerate(cf.criteria):
        if c.weight is None:
            missing = True
            yield "criteria", ("criteria", i), "needs a weight (the weighting method is direct)"
    if missing:
        return
    if all(c.weight == 0 for c in cf.criteria):
        yield "criteria", ("criteria",), "all criterion weights are zero"
        return
    for gi, g in enumerate(cf.groups):
        members = [c for c in cf.criteria if c.group == g.id]
        if g.weight > 0 and members and all(c.weight == 0 for c in members):
            yield "criteria", ("groups", gi, "weight"), f"group '{g.id}' has weight but all its criteria weigh zero"


def _derived_weighting(cf: CriteriaFile) -> Iterator[Finding]:
    ids = [c.id for c in cf.criteria]
    known = set(ids)
    w = cf.weighting
    for i, c in enumerate(cf.criteria):
        # A weight that would be silently replaced is as misleading as a typo.
        if c.weight is not None:
            yield "criteria", ("criteria", i, "weight"), (
                f"is not used: weights are derived by the {w.method} method (remove it, or use method: direct)"
            )
    if w.swing is not None:
        loc = ("weighting", "swing", "points")
        yield from _unknown_ids(w.swing.points, known, loc)
        yield from _uncovered(known - set(w.swing.points), loc)
        if all(v == 0 for v in w.swing.points.values()):
            yield "criteria", loc, "all swing points are zero"
    if w.rank is not None:
        loc = ("weighting", "rank", "order")
        for i, item in enumerate(w.rank.order):
            if item not in known:
                yield "criteria", (*loc, i), f"unknown criterion '{item}'"
        for item, n in Counter(w.rank.order).items():
            if n > 1:
                yield "criteria", loc, f"'{item}' is ranked {n} times"
        yield from _uncovered(known - set(w.rank.order), loc)
    if w.ahp is not None:
        yield from _ahp_pairs(w.ahp.pairwise, ids)


def _unknown_ids(mapping: dict, known: set[str], loc: tuple) -> Iterator[Finding]:
    for key in mapping:
        if key not in known:
            yield "criteria", (*loc, key), f"unknown criterion '{key}'"


def _uncovered(missing: set[str], loc: tuple) -> Iterator[Finding]:
    if missing:
        yield "criteria", loc, f"missing criteria: {', '.join(sorted(missing))}"


def _ahp_pairs(pairs: list, ids: list[str]) -> Iterator[Finding]:
    loc = ("weighting", "ahp", "pairwise")
    known = set(ids)
    seen: set[frozenset] = set()
    for i, (a, b, _) in enumerate(pairs):
        bad = [x for x in (a, b) if x not in known]
        if bad:
            yield "criteria", (*loc, i), f"unknown criterion '{bad[0]}'"
        elif a == b:
            yield "criteria", (*loc, i), f"compares '{a}' with itself"
        elif frozenset((a, b)) in seen:
            yield "criteria", (*loc, i), f"the pair {a}/{b} is judged twice"
        seen.add(frozenset((a, b)))
    wanted = {frozenset(p) for p in combinations(ids, 2)}
    absent = sorted("/".join(sorted(p)) for p in wanted - seen)
    if absent:
        shown = ", ".join(absent[:5]) + (f" and {len(absent) - 5} more" if len(absent) > 5 else "")
        yield "criteria", loc, f"every pair of criteria needs a judgement; missing {shown}"


# ------------------------------------------------------------- candidates ---


def check_candidates(cf: CandidatesFile, criteria: CriteriaFile) -> Iterator[Finding]:
    """Unique ids, scores against the criteria, and requires/excludes links."""
    yield from _duplicates("candidates", [c.id for c in cf.candidates], ("candidates",))
    by_id = {c.id: c for c in criteria.criteria}
    judged: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for i, cand in enumerate(cf.candidates):
        yield from _scores(cand, i, by_id, judged)
    yield from _links(cf)
    yield from _requires_cycles(cf)


def _scores(cand: Candidate, i: int, criteria: dict[str, Criterion],
            judged: dict[tuple[str, int], list[tuple[str, str]]]) -> Iterator[Finding]:
    """A candidate's scores against the criteria; ``judged`` holds the problems of each score already seen.

    Shorthand scores are shared instances (see :class:`~scorer.inputs.models.Score`):
    300,000 scores are a few dozen distinct ones, each judged once per
    criterion. Keyed by identity, which holds while the file is alive.
    """
    loc = ("candidates", i, "scores")
    if cand.scores.keys() != criteria.keys():
        yield from _score_keys(cand, loc, criteria)
    for cid, score in cand.scores.items():
        problems = judged.get((cid, id(score)))
        if problems is None:
            crit = criteria.get(cid)  # an unknown criterion is said above
            problems = judged[cid, id(score)] = [] if crit is None else list(_score_problems(score, crit))
        for field, message in problems:
            # The score itself is `scores.<id>`, whether written short or long.
            yield "candidates", (*loc, cid) if field == "value" else (*loc, cid, field), message


def _score_keys(cand: Candidate, loc: tuple, criteria: dict[str, Criterion]) -> Iterator[Finding]:
    for key in cand.scores:
        if key not in criteria:
            yield "candidates", (*loc, key), f"unknown criterion '{key}'"
    missing = [cid for cid in criteria if cid not in cand.scores]
    if missing:
        yield "candidates", loc, f"missing scores for {', '.join(missing)}"


def _score_problems(score, crit: Criterion) -> Iterator[tuple[str, str]]:
    if crit.is_categorical:
        levels = crit.value_function.levels
        if not isinstance(score.value, str) or score.value not in levels:
            got = f"'{score.value}'" if isinstance(score.value, str) else fmt_num(score.value)
            yield "value", f"{got} is not a level of criterion '{crit.id}' ({', '.join(levels)})"
        return
    if isinstance(score.value, str):
        yield "value", (f"'{score.value}' is a label, but criterion '{crit.id}' takes numbers on {_scale(crit)}"
                        + yaml11_number_hint(score.value))
        return
    for field in ("value", "low", "high"):
        x = getattr(score, field)
        if x is not None and not crit.scale.min <= x <= crit.scale.max:
            yield field, f"{fmt_num(x)} is outside the scale {_scale(crit)} of criterion '{crit.id}'"


def _scale(crit: Criterion) -> str:
    return f"{fmt_num(crit.scale.min)}-{fmt_num(crit.scale.max)}"


def _links(cf: CandidatesFile) -> Iterator[Finding]:
    ids = {c.id for c in cf.candidates}
    for i, cand in enumerate(cf.candidates):
        for field in ("requires", "excludes"):
            for j, other in enumerate(getattr(cand, field)):
                if other not in ids:
                    yield "candidates", ("candidates", i, field, j), f"unknown candidate '{other}'"
                elif other == cand.id:
                    yield "candidates", ("candidates", i, field, j), f"'{other}' {field} itself"
        both = sorted(set(cand.requires) & set(cand.excludes))
        if both:
            yield "candidates", ("candidates", i, "excludes"), f"both requires and excludes {', '.join(both)}"


def _requires_cycles(cf: CandidatesFile) -> Iterator[Finding]:
    graph = {c.id: [r for r in c.requires if r != c.id] for c in cf.candidates}
    index = {c.id: i for i, c in enumerate(cf.candidates)}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset] = set()

    def visit(node: str, path: list[str]) -> Iterator[Finding]:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    yield "candidates", ("candidates", index[nxt], "requires"), f"requires form a cycle: {' -> '.join(cycle)}"
            elif state.get(nxt) is None and nxt in graph:
                yield from visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            yield from visit(node, [])


def check_windows(cf: CandidatesFile, scenario: Scenario) -> Iterator[Finding]:
    """Every candidate must have at least one start year inside the horizon and its window."""
    h = scenario.horizon
    for i, c in enumerate(cf.candidates):
        first = max(h.start, c.earliest_start or h.start)
        end = min(h.end, c.latest_finish or h.end)
        if first + c.duration - 1 > end:
            limit = "horizon end" if end == h.end and (c.latest_finish is None or c.latest_finish >= h.end) else "latest_finish"
            yield "candidates", ("candidates", i, "cost"), (
                f"runs {c.duration} years, so starting in {first} at the earliest it ends in "
                f"{first + c.duration - 1}, after its {limit} {end} (horizon {h.start}-{h.end})"
            )


# --------------------------------------------------------------- scenario ---


def check_scenario(scenario: Scenario, cf: CandidatesFile) -> Iterator[Finding]:
    """Rules and budgets must name things that exist."""
    ids = {c.id for c in cf.candidates}
    for field in ("mandatory", "forbidden"):
        for j, item in enumerate(getattr(scenario.rules, field)):
            if item not in ids:
                yield "scenario", ("rules", field, j), f"unknown candidate '{item}'"
    categories = {c.category for c in cf.candidates if c.category is not None}
    for name in scenario.rules.categories:
        if name not in categories:
            yield "scenario", ("rules", "categories", name), (
                f"no candidate has category '{name}' (categories: {', '.join(sorted(categories)) or 'none'})"
            )
    partners = {p for shares in effective_shares(scenario, cf).values() for p in shares}
    for name, pb in scenario.budget.per_partner.items():
        if name not in partners:
            yield "scenario", ("budget", "per_partner", name), (
                f"no candidate has partner '{name}' (partners: {', '.join(sorted(partners))})"
            )
        yield from _cap_years(pb.per_year, ("budget", "per_partner", name, "per_year"), scenario)
    yield from _cap_years(scenario.budget.per_year, ("budget", "per_year"), scenario)


def _cap_years(caps, loc: tuple, scenario: Scenario) -> Iterator[Finding]:
    if not isinstance(caps, dict):
        return
    h = scenario.horizon
    for year in caps:
        if not h.start <= year <= h.end:
            yield "scenario", (*loc, str(year)), f"year {year} is outside the horizon {h.start}-{h.end}"


def effective_shares(scenario: Scenario, cf: CandidatesFile) -> dict[str, dict]:
    """Each candidate's ``partners``, or the scenario's ``shares:`` entry that replaces them."""
    return {c.id: scenario.shares.get(c.id, c.partners) for c in cf.candidates}


def check_shares(scenario: Scenario, cf: CandidatesFile) -> Iterator[Finding]:
    """``shares:`` names candidates; ``rules.partner_share`` names partners who pay for one."""
    ids = [c.id for c in cf.candidates]
    for cid in scenario.shares:
        if cid not in ids:
            yield "scenario", ("shares", cid), f"unknown candidate '{cid}'"
    partners = sorted({p for shares in effective_shares(scenario, cf).values() for p in shares})
    for name in scenario.rules.partner_share:
        if name not in partners:
            yield "scenario", ("rules", "partner_share", name), (
                f"no candidate has partner '{name}' (partners: {', '.join(partners)})"
            )


def check_robustness(scenario: Scenario, cf: CriteriaFile) -> Iterator[Finding]:
    """Weight ranges must name criteria of the criteria file."""
    known = [c.id for c in cf.criteria]
    for cid in scenario.robustness.weight_ranges:
        if cid not in known:
            yield "scenario", ("robustness", "weight_ranges", cid), (
                f"unknown criterion '{cid}' (criteria: {', '.join(known)})"
            )


# ----------------------------------------------------------- perspectives ---


def check_perspectives(scenario: Scenario, criteria: CriteriaFile, cf: CandidatesFile) -> Iterator[Finding]:
    """Perspectives name partners of the cost shares, criteria of the criteria file; joint names perspectives."""
    partners = sorted({p for c in cf.candidates for p in c.partners})
    known = [c.id for c in criteria.criteria]
    for name, view in scenario.perspectives.items():
        loc = ("perspectives", name)
        if name not in partners:
            yield "scenario", loc, f"no candidate has partner '{name}' (partners: {', '.join(partners)})"
        elif name == "joint":  # the partners' combined view goes by this name in every output
            yield "scenario", loc, "'joint' names the partners' combined view; give this partner another id"
        # An own criteria file must have the shared ids, so the shared ids judge these too.
        for cid in view.weights:
            if cid not in known:
                yield "scenario", (*loc, "weights", cid), f"unknown criterion '{cid}' (criteria: {', '.join(known)})"
        yield from check_raters(view.raters, known, loc)
    joint = scenario.joint
    for name in joint.influence:
        if name not in scenario.perspectives:
            have = ", ".join(scenario.perspectives) or "none are given"
            yield "scenario", ("joint", "influence", name), f"'{name}' is not a perspective (perspectives: {have})"
    unnamed = [name for name in scenario.perspectives if name not in joint.influence]
    if joint.influence and unnamed:
        yield "scenario", ("joint", "influence"), f"gives no influence to {', '.join(unnamed)} (name every perspective, or none for equal influence)"
    if joint.method != "file" and not scenario.perspectives:
        yield "scenario", ("joint", "method"), f"the {joint.method} of the partners' weights needs perspectives"


def check_raters(raters: list, ids: list[str], loc: tuple, kind: str = "scenario") -> Iterator[Finding]:
    """Each rater judges every pair of criteria once; names are unique (``loc``: the perspective's path)."""
    for item in _duplicate_names([r.name for r in raters]):
        yield kind, (*loc, "raters", item, "name"), f"duplicate rater name '{raters[item].name}'"
    for k, rater in enumerate(raters):
        for _, where, message in _ahp_pairs(rater.pairwise, ids):
            yield kind, (*loc, "raters", k, "pairwise", *where[3:]), message


def _duplicate_names(names: list[str]) -> Iterator[int]:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield i
        seen.add(name)


def check_partner_criteria(own: CriteriaFile, shared: CriteriaFile, kind: str) -> Iterator[Finding]:
    """A partner's own criteria file: valid alone, the shared ids, and scales and labels that fit the shared scores.

    Weights, groups, weighting, names, direction, value functions and
    preference functions may differ; the scale of a numeric criterion and
    the labels of a categorical one may not, since the candidates' scores
    are shared.
    """
    own_findings = [(kind, loc, message) for _, loc, message in check_criteria(own)]
    if own_findings:
        yield from own_findings
        return
    by_id = {c.id: c for c in shared.criteria}
    ids = [c.id for c in own.criteria]
    missing = [cid for cid in by_id if cid not in ids]
    if missing:
        yield kind, ("criteria",), f"missing criteria of the shared criteria file: {', '.join(missing)}"
    for i, c in enumerate(own.criteria):
        other = by_id.get(c.id)
        if other is None:
            yield kind, ("criteria", i, "id"), f"'{c.id}' is not a criterion of the shared criteria file"
        elif c.is_categorical != other.is_categorical:
            yield kind, ("criteria", i, "value_function"), (
                f"must be {'categorical' if other.is_categorical else 'numeric'} as in the shared criteria file")
        elif c.is_categorical and set(c.value_function.levels) != set(other.value_function.levels):
            yield kind, ("criteria", i, "value_function", "levels"), (
                f"needs the shared file's levels {', '.join(other.value_function.levels)}")
        elif not c.is_categorical and (c.scale.min, c.scale.max) != (other.scale.min, other.scale.max):
            yield kind, ("criteria", i, "scale"), f"must be the shared file's scale {_scale(other)}"


def check_score_overlay(overlay: ScoresFile, criteria: CriteriaFile, cf: CandidatesFile, kind: str) -> Iterator[Finding]:
    """A partner's own scores name known candidates and criteria and fit each criterion's scale or labels."""
    ids = {c.id for c in cf.candidates}
    by_id = {c.id: c for c in criteria.criteria}
    for cand, scores in overlay.scores.items():
        loc = ("scores", cand)
        if cand not in ids:
            yield kind, loc, f"unknown candidate '{cand}'"
        for cid, score in scores.items():
            crit = by_id.get(cid)
            if crit is None:
                yield kind, (*loc, cid), f"unknown criterion '{cid}' (criteria: {', '.join(by_id)})"
                continue
            for field, message in _score_problems(score, crit):
                yield kind, (*loc, cid) if field == "value" else (*loc, cid, field), message
