"""The ``coprod sensitivity`` analysis: flip points and Monte Carlo, as result tables.

Its settings are :class:`scorer.study.settings.RobustnessSettings`, as the report's are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scorer.present.output import records
from scorer.present.report_tables import percent
from scorer.robustness.flips import (
    PortfolioFlip,
    RankFlip,
    flips_table,
    portfolio_flips,
    ranking_flips,
)
from scorer.robustness.sampling import ScoringBasis
from scorer.robustness.smaa import (
    DECIDED_BY_RULES,
    SmaaResult,
    acceptability_table,
    portfolios_table,
    smaa,
)
from scorer.study.settings import RobustnessSettings
from scorer.study.study import Study


@dataclass(frozen=True, eq=False)
class SensitivityReport:
    """The analysis results and their tables (the first table is the main one, for CSV)."""

    basis: ScoringBasis
    settings: RobustnessSettings
    rank_flips: list[RankFlip]
    portfolio_flips: list[PortfolioFlip] | None
    smaa: SmaaResult
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    digits: dict[str, int] = field(default_factory=dict)
    preamble: str = ""
    document: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None  # see :func:`stability_sentence`

    @property
    def about(self) -> dict[str, Any]:
        """The settings rows of a workbook's ``about`` sheet, and the verdict when there is one."""
        return {**self.settings.describe(), **({"stability": self.verdict} if self.verdict else {})}


def sensitivity_report(study: Study, settings: RobustnessSettings, *, portfolios: bool = True,
                       top: int = 10) -> SensitivityReport:
    """Run flip points and the Monte Carlo analysis on a study (its method, weights and solver settings).

    Parameters
    ----------
    study : Study
        Its objective says whose values are sampled (:mod:`scorer.present.objectives`).
    settings : RobustnessSettings
        Sampling, flip tolerance, and where the re-solves run; ``portfolio_samples``
        0 re-optimises no sample (no core index, no frequent portfolios).
    portfolios : bool
        Also re-optimise (portfolio flip points, core index, frequent portfolios).
    top : int
        Most frequent portfolios listed.
    """
    from scorer.present.objectives import analysis_basis, values_line, with_values

    basis, config = analysis_basis(study, "sensitivity"), study.config
    problem = study.problem if portfolios else None
    where = {"workers": settings.workers, "scheduler": settings.scheduler}
    ranks = ranking_flips(basis)
    pflips = (portfolio_flips(basis, problem, config, tolerance=settings.tolerance, **where)
              if portfolios else None)
    result = smaa(basis, settings.spec, problem if settings.portfolio_samples else None, config,
                  portfolio_samples=settings.portfolio_samples or None, **where)
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
    verdict = stability_sentence(result, settings.spec.score_dist != "none")
    document = {"settings": described, **{name: records(t) for name, t in tables.items()}}
    if verdict is not None:
        document["stability"] = _stability(result, verdict)
    return SensitivityReport(
        basis, settings, ranks, pflips, result, tables, titles,
        {"acceptability": 3, "flips": 4, "portfolios": 3},
        values_line(study) + _preamble(described) + (f"{verdict}\n\n" if verdict else ""),
        with_values(document, study), verdict,
    )


def stability_sentence(result: SmaaResult, scores_sampled: bool = False) -> str | None:
    """In plain words, whether the sampled weights change the portfolio or its budgets and rules decide it.

    ``"97 of 100 sampled weight vectors (97 %) leave the portfolio unchanged:
    it is decided by the budgets and rules, not by the weights."`` when at
    least :data:`scorer.robustness.smaa.DECIDED_BY_RULES` of the re-optimised
    samples keep the portfolio of the current weights; otherwise how many
    choose another. None when no sample was re-optimised.
    """
    kept, total = result.unchanged, result.portfolio_samples
    if kept is None or not total:
        return None
    what = "samples of the weights and scores" if scores_sampled else "sampled weight vectors"
    head = f"{kept} of {total} {what} ({percent(kept / total)}) leave the portfolio unchanged"
    if result.decided_by_rules:
        return f"{head}: it is decided by the budgets and rules, not by the weights."
    moved = total - kept
    return (f"{head}: the weights matter, since the other {moved} ({percent(moved / total)}) choose a "
            "different portfolio (see the core index and the flip points).")


def _stability(result: SmaaResult, verdict: str) -> dict[str, Any]:
    return {"portfolio": list(result.nominal or ()), "unchanged": result.unchanged,
            "samples": result.portfolio_samples, "share": result.unchanged / result.portfolio_samples,
            "threshold": float(DECIDED_BY_RULES), "decided_by_rules": result.decided_by_rules, "text": verdict}


def _preamble(d: dict[str, Any]) -> str:
    weights = (f"uniform in ranges ({', '.join(d['weight_ranges'])})" if d["weight_ranges"]
               else f"Dirichlet, concentration {d['concentration']:g}")
    return (f"method: {d['method']}  samples: {d['samples']}  weights: {weights}  scores: "
            f"{d['score_distribution']}  seed: {d['seed']}  portfolio samples: {d['portfolio_samples']}\n\n")
