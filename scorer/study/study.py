"""A :class:`Study`: a scenario loaded once, with its what-if overrides, and what follows from it.

Every command that scores or optimises starts from the same chain (load, the
effective weights, the candidates' values, the problem, the solver settings,
the model and its checked solve); a study runs each link once, when first
asked, and keeps it. It is immutable: :meth:`Study.with_changes` returns a new
study with other overrides (and empty caches), so a caller that asks many
what-ifs (the interactive page, a bilateral analysis) never sees one answer
leak into the next.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from scorer.errors import ScoringError, SolverError
from scorer.inputs.loading import ScenarioInputs, load_scenario
from scorer.inputs.models import METHODS
from scorer.mip.config import SOLVERS, SolverConfig, scenario_config
from scorer.scoring.perspectives import PartnerViews, partner_views
from scorer.scoring.score import ScoreResult, score, score_with
from scorer.scoring.weights import WeightReport, derive_weights

if TYPE_CHECKING:
    # Imported where used: ``coprod score`` and ``weights`` never load the solver stack.
    from scorer.portfolio.bargain import Bargain, Choice, Parties
    from scorer.portfolio.model import PortfolioModel
    from scorer.portfolio.problem import PortfolioProblem
    from scorer.portfolio.resolve import Resolver
    from scorer.portfolio.solve import Solution
    from scorer.robustness.sampling import ScoringBasis

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True, eq=False)
class Study:
    """A loaded scenario and the overrides a what-if puts on it.

    Parameters
    ----------
    inputs : ScenarioInputs
        From :func:`scorer.inputs.loading.load_scenario` (or :meth:`load`).
    weights : mapping of criterion id to number
        Raw weights replacing the criteria file's, as
        :func:`scorer.scoring.weights.derive_weights` takes them (swing points
        under swing weighting, derived percent under rank or ahp).
    method : str, optional
        Aggregation method (default: the scenario's).
    budget : float, optional
        Replaces ``budget.total``.
    year_caps : mapping of year to amount
        Replaces ``budget.per_year`` for those years.
    solver, time_limit, gap : optional
        Replace the scenario's ``solver`` settings.
    partner_weights : mapping of partner to (mapping of criterion id to number)
        Raw weights over each named partner's own (its ``perspectives`` entry's
        ``weights``), as :func:`scorer.scoring.perspectives.partner_views` takes them.
    objective : str
        What the portfolio maximises: ``joint`` (the joint values, as always),
        ``nash``, ``balanced`` or a partner id (see :mod:`scorer.portfolio.bargain`);
        all but ``joint`` need perspectives.

    Raises
    ------
    ScoringError
        An unknown method, or a weight override naming an unknown criterion,
        negative or not finite, or leaving no weight.
    InputError
        A year cap outside the scenario's horizon.
    SolverError
        An unknown solver, or a time limit or gap out of range.
    """

    inputs: ScenarioInputs
    weights: Mapping[str, float] = _EMPTY
    method: str | None = None
    budget: float | None = None
    year_caps: Mapping[int, float] = _EMPTY
    solver: str | None = None
    time_limit: float | None = None
    gap: float | None = None
    objective: str = "joint"
    partner_weights: Mapping[str, Mapping[str, float]] = _EMPTY
    _scored: dict[str, ScoreResult] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # Read-only copies: a caller's dict changing later must not change this study.
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        object.__setattr__(self, "year_caps", MappingProxyType(dict(self.year_caps)))
        object.__setattr__(self, "partner_weights", MappingProxyType(
            {p: MappingProxyType(dict(w)) for p, w in self.partner_weights.items()}))
        self._check()

    @classmethod
    def load(cls, path: str | Path, **overrides: Any) -> Study:
        """Load the scenario at ``path`` ('-': stdin) and apply ``overrides`` (the fields above)."""
        return cls(load_scenario(path), **overrides)

    def with_changes(self, **changes: Any) -> Study:
        """A new study of the same inputs with some overrides changed (``None``/``{}``: back to the file's)."""
        return replace(self, **changes)

    # ------------------------------------------------------------ checks ---

    def _check(self) -> None:
        if self.method is not None and self.method not in METHODS:
            raise ScoringError(f"unknown method '{self.method}' (choose from {', '.join(METHODS)})")
        self.weight_report  # noqa: B018 - derives the weights now, so a bad override fails here
        from scorer.portfolio.problem import check_year_caps

        h = self.inputs.scenario.horizon
        check_year_caps(self.year_caps, h.start, h.end)
        if self.solver is not None and self.solver not in SOLVERS:
            raise SolverError(f"unknown solver '{self.solver}' (choose from {', '.join(SOLVERS)})")
        if self.time_limit is not None and not (math.isfinite(self.time_limit) and self.time_limit > 0):
            raise SolverError(f"the time limit must be a positive number of seconds, got {self.time_limit}")
        if self.gap is not None and not (math.isfinite(self.gap) and 0 <= self.gap < 1):
            raise SolverError(f"the gap limit must be a fraction from 0 to 1, got {self.gap}")
        self._check_objective()
        self.views  # noqa: B018 - partner weight overrides fail here, by partner and criterion

    def _check_objective(self) -> None:
        if self.objective == "joint":
            return
        if self.views is None:
            raise ScoringError(f"the objective '{self.objective}' needs the partners' perspectives, and the "
                               "scenario has none (give them under 'perspectives:')", settings=("objective",))
        if self.objective not in ("nash", "balanced"):
            self.parties.index(self.objective)  # an unknown partner fails here, by name

    # ----------------------------------------------------------- scoring ---

    @property
    def scenario(self) -> Any:
        """The scenario file's model (settings as written, before overrides)."""
        return self.inputs.scenario

    @property
    def effective_method(self) -> str:
        """The aggregation method in use: the override, else the scenario's."""
        return self.method or self.inputs.scenario.method

    @cached_property
    def weight_report(self) -> WeightReport:
        """The effective weights with the overrides applied, and how they were derived.

        Under ``joint: mean|geometric`` the partners' joint weights (see :attr:`views`).
        """
        if self._joint_from_partners:
            return self.views.joint.weights
        return derive_weights(self.inputs.criteria, self.weights)

    @cached_property
    def views(self) -> PartnerViews | None:
        """Each partner's weights and values and the joint ones; None for a scenario without perspectives."""
        return partner_views(self.inputs, self.method, self.weights, partner_overrides=self.partner_weights)

    @property
    def _joint_from_partners(self) -> bool:
        return bool(self.inputs.scenario.perspectives) and self.inputs.scenario.joint.method != "file"

    def scored(self, at: str = "value") -> ScoreResult:
        """The scored ranking, with uncertain scores taken at ``at`` ("low", "value", "high")."""
        if at not in self._scored:
            if self._joint_from_partners:
                self._scored[at] = score_with(self.inputs, self.weight_report, self.method, at)
            else:
                self._scored[at] = score(self.inputs, self.method, self.weights, at)
        return self._scored[at]

    @cached_property
    def values(self) -> np.ndarray:
        """Each candidate's 0-100 value (the portfolio objective's coefficients), read-only."""
        values = np.array(self.scored().scores, dtype=float)
        values.flags.writeable = False
        return values

    @cached_property
    def basis(self) -> ScoringBasis:
        """What the robustness analyses resample: method, effective weights and score matrices."""
        from scorer.robustness.sampling import scoring_basis

        basis = scoring_basis(self.inputs, self.method, self.weights)
        if self._joint_from_partners:
            return replace(basis, weights=self.weight_report.effective)
        return basis

    # --------------------------------------------------------- portfolio ---

    @cached_property
    def problem(self) -> PortfolioProblem:
        """The portfolio problem with the budget and year-cap overrides."""
        from scorer.portfolio.problem import problem_from_inputs

        return problem_from_inputs(self.inputs, budget=self.budget, year_caps=dict(self.year_caps))

    @cached_property
    def config(self) -> SolverConfig:
        """The solver settings: the overrides, else the scenario's ``solver`` section, and its seed."""
        return scenario_config(self.inputs.scenario, self.solver, self.time_limit, self.gap)

    @cached_property
    def _built(self) -> tuple[PortfolioModel, float]:
        from scorer.portfolio.model import PortfolioModel

        t0 = time.perf_counter()
        model = PortfolioModel(self.problem, self.values.copy())
        return model, time.perf_counter() - t0

    @property
    def model(self) -> PortfolioModel:
        """The portfolio model, built once (write it to a file before :attr:`solution` if wanted)."""
        return self._built[0]

    @cached_property
    def solution(self) -> Solution:
        """The checked optimal portfolio (see :func:`scorer.portfolio.solve.solve_built`).

        Raises
        ------
        InfeasibleError, SolverError
            As :func:`scorer.portfolio.solve.optimize`.
        """
        if self.bargained:
            return self._chosen_solution()
        from scorer.portfolio.solve import solve_built

        model, built = self._built
        return solve_built(model, self.config, built)

    def _chosen_solution(self) -> Solution:
        """:attr:`choice` as a Solution of the joint values.

        Its ``objective`` is the portfolio's joint value (comparable with the
        joint optimum's); ``bound`` equals it and ``gap`` is 0 when every stage of
        the concept was proven optimal, else ``status`` is ``feasible`` with gap unknown.
        """
        from scorer.portfolio.bargain import with_floors
        from scorer.portfolio.model import PortfolioModel
        from scorer.portfolio.solve import Solution

        choice = self.choice
        pt = choice.point
        proven = pt.status == "optimal"
        problem = with_floors(self.problem, self.parties, self.config)
        t0 = time.perf_counter()
        # The model of the limits (floors included) at the joint values: which limits bind at the portfolio.
        model = PortfolioModel(problem, self.values.copy())
        return Solution(problem, self.values.copy(), pt.start, "optimal" if proven else "feasible", pt.joint,
                        pt.joint if proven else np.inf, 0.0 if proven else np.inf, time.perf_counter() - t0,
                        choice.seconds, model)

    # ---------------------------------------------------------- partners ---

    @cached_property
    def parties(self) -> Parties | None:
        """The partners of a bargain, from :attr:`views` (None without perspectives).

        Their joint values are :attr:`values`, the objective of ``joint``.
        """
        from scorer.portfolio.bargain import Parties

        views = self.views
        if views is None:
            return None

        def given(name: str) -> list[float]:
            return [np.nan if getattr(views.views[p], name) is None else float(getattr(views.views[p], name))
                    for p in views.partners]

        return Parties(views.partners, views.values, self.values.copy(), views.disagreement, views.influence,
                       np.array(given("min_value")), np.array(given("min_share_of_ideal")))

    @property
    def bargained(self) -> bool:
        """Whether :attr:`solution` comes from the bargaining solver: another objective, or partner floors."""
        parties = self.parties
        return parties is not None and (self.objective != "joint" or not np.isnan(parties.min_value).all()
                                        or not np.isnan(parties.min_share_of_ideal).all())

    @cached_property
    def choice(self) -> Choice | None:
        """The solution concept's answer (see :func:`scorer.portfolio.bargain.solve_objective`), or None
        when :attr:`solution` is today's plain solve."""
        if not self.bargained:
            return None
        from scorer.portfolio.bargain import solve_objective

        return solve_objective(self.problem, self.parties, self.objective, self.config)

    def bargain(self, slices: int | None = None) -> Bargain:
        """The exact frontier of the two partners with the joint, Nash and balanced solutions on it
        (with ``slices``, a coarse one with the same solutions: see :func:`scorer.portfolio.bargain.bargain`).

        Raises
        ------
        ScoringError
            No perspectives, or not two partners (see :func:`scorer.portfolio.bargain.bargain`).
        """
        if self.parties is None:
            raise ScoringError("bargaining needs the partners' perspectives, and the scenario has none "
                               "(give them under 'perspectives:')")
        from scorer.portfolio.bargain import bargain

        return bargain(self.problem, self.parties, self.config, slices=slices)

    @property
    def partner_values(self) -> dict[str, float] | None:
        """Each partner's value of :attr:`solution` (None without perspectives)."""
        if self.parties is None:
            return None
        from scorer.portfolio.bargain import partner_values

        return dict(zip(self.parties.names, partner_values(self.problem, self.parties, self.solution.start).tolist()))

    def resolver(self) -> Resolver:
        """A new :class:`Resolver` for re-solving this problem with other values or limits."""
        from scorer.portfolio.resolve import Resolver

        return Resolver(self.problem, self.values.copy(), self.config)
