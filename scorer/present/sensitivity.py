"""The ``coprod sensitivity`` analysis: settings, flip points and Monte Carlo, as result tables.

Settings come from the scenario's ``robustness`` section, each replaced by
its command-line option when given. Weight sampling: ranges given on the
command line, else a concentration given there, else the scenario's ranges,
else its concentration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scorer.errors import ScoringError
from scorer.inputs.loading import ScenarioInputs
from scorer.inputs.models import Scenario
from scorer.mip.config import SolverConfig
from scorer.portfolio.problem import problem_from_inputs
from scorer.present.output import records
from scorer.robustness.flips import (
    PortfolioFlip,
    RankFlip,
    flips_table,
    portfolio_flips,
    ranking_flips,
)
from scorer.robustness.sampling import SampleSpec, ScoringBasis, scoring_basis
from scorer.robustness.smaa import (
    SmaaResult,
    acceptability_table,
    portfolios_table,
    smaa,
)


@dataclass(frozen=True)
class SensitivitySettings:
    """What to sample and how finely to locate portfolio flip points."""

    spec: SampleSpec
    portfolio_samples: int = 200
    tolerance: float = 0.01

    @classmethod
    def from_scenario(cls, scenario: Scenario, *, samples: int | None = None, concentration: float | None = None,
                      ranges: Mapping[str, tuple[float, float]] | None = None, score_dist: str | None = None,
                      seed: int | None = None, portfolio_samples: int | None = None,
                      tolerance: float | None = None) -> SensitivitySettings:
        """The scenario's ``robustness`` defaults with the given overrides."""
        rb = scenario.robustness
        if ranges and concentration is not None:
            raise ScoringError("give a concentration (Dirichlet) or weight ranges (uniform), not both",
                               settings=("robustness.concentration", "robustness.weight_ranges"))
        if ranges:
            weight_ranges, conc = dict(ranges), None
        elif concentration is not None:
            weight_ranges, conc = {}, concentration
        else:
            weight_ranges, conc = dict(rb.weight_ranges), rb.concentration
        spec = SampleSpec(samples or rb.samples, conc, weight_ranges, score_dist or rb.score_distribution,
                          scenario.seed if seed is None else seed)
        return cls(spec, portfolio_samples or rb.portfolio_samples, tolerance or rb.tolerance)

    def describe(self) -> dict[str, Any]:
        """The settings as plain values (the JSON ``settings`` object)."""
        s = self.spec
        return {"samples": s.samples, "seed": s.seed, "score_distribution": s.score_dist,
                "weights": "uniform in ranges" if s.ranges else "dirichlet",
                "concentration": None if s.ranges else s.concentration,
                "weight_ranges": {k: list(v) for k, v in s.ranges.items()},
                "portfolio_samples": self.portfolio_samples, "tolerance": self.tolerance}


@dataclass(frozen=True, eq=False)
class SensitivityReport:
    """The analysis results and their tables (the first table is the main one, for CSV)."""

    basis: ScoringBasis
    settings: SensitivitySettings
    rank_flips: list[RankFlip]
    portfolio_flips: list[PortfolioFlip] | None
    smaa: SmaaResult
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    digits: dict[str, int] = field(default_factory=dict)
    preamble: str = ""
    document: dict[str, Any] = field(default_factory=dict)


def sensitivity_report(inputs: ScenarioInputs, settings: SensitivitySettings, *, method: str | None = None,
                       overrides: Mapping[str, float] | None = None, portfolios: bool = True,
                       config: SolverConfig = SolverConfig(), workers: int | None = 1,
                       scheduler: str | None = None, top: int = 10) -> SensitivityReport:
    """Run flip points and the Monte Carlo analysis on a loaded scenario.

    Parameters
    ----------
    inputs : ScenarioInputs
    settings : SensitivitySettings
    method, overrides
        Scoring method and ``-w`` raw-weight overrides, as for ``coprod score``.
    portfolios : bool
        Also re-optimise (portfolio flip points, core index, frequent portfolios).
    config : SolverConfig
    workers, scheduler
        As :func:`scorer.robustness.parallel.run_map`.
    top : int
        Most frequent portfolios listed.
    """
    basis = scoring_basis(inputs, method, overrides)
    problem = problem_from_inputs(inputs) if portfolios else None
    ranks = ranking_flips(basis)
    pflips = (portfolio_flips(basis, problem, config, tolerance=settings.tolerance, workers=workers,
                              scheduler=scheduler) if portfolios else None)
    result = smaa(basis, settings.spec, problem, config, portfolio_samples=settings.portfolio_samples,
                  workers=workers, scheduler=scheduler)
    tables = {"acceptability": acceptability_table(result), "flips": flips_table(ranks, pflips)}
    if portfolios:
        tables["portfolios"] = portfolios_table(result, top)
    titles = {
        "acceptability": "Rank acceptability (share of samples holding each rank)"
                         + ("; core_index: share of sampled optimal portfolios holding the project" if portfolios else ""),
        "flips": "Flip points (effective weight, others rescaled proportionally)",
        "portfolios": f"Most frequent optimal portfolios (of {result.portfolio_samples} samples)",
    }
    described = {**settings.describe(), "method": basis.method,
                 "portfolio_samples": result.portfolio_samples if portfolios else 0}
    return SensitivityReport(
        basis, settings, ranks, pflips, result, tables, titles,
        {"acceptability": 3, "flips": 4, "portfolios": 3}, _preamble(described),
        {"settings": described, **{name: records(t) for name, t in tables.items()}},
    )


def _preamble(d: dict[str, Any]) -> str:
    weights = (f"uniform in ranges ({', '.join(d['weight_ranges'])})" if d["weight_ranges"]
               else f"Dirichlet, concentration {d['concentration']:g}")
    return (f"method: {d['method']}  samples: {d['samples']}  weights: {weights}  scores: "
            f"{d['score_distribution']}  seed: {d['seed']}  portfolio samples: {d['portfolio_samples']}\n\n")
