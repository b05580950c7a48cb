"""How the robustness analyses run: one settings object for ``sensitivity``, ``report`` and ``chart``.

Every setting has one precedence: the value given by the caller (the command
line), else the scenario's ``robustness`` section (and its ``seed``), else
that section's default. Weight sampling: ranges given by the caller, else a
concentration given by the caller, else the scenario's ranges, else its
concentration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scorer.errors import ScoringError
from scorer.inputs.models import Scenario
from scorer.robustness.sampling import SampleSpec


@dataclass(frozen=True)
class RobustnessSettings:
    """What to sample, how finely to locate flip points, and where re-solves run.

    ``portfolio_samples`` of 0 re-optimises no sample (no core index);
    :attr:`reoptimised` is how many are, at most :attr:`spec.samples`.
    ``steps`` budget levels for the report's frontier and ``k`` best
    portfolios for its alternatives.
    """

    spec: SampleSpec
    portfolio_samples: int = 200
    tolerance: float = 0.01
    steps: int = 21
    k: int = 5
    workers: int | None = 1  # where re-solves run (:func:`scorer.robustness.parallel.run_map`); never changes a result
    scheduler: str | None = None

    @classmethod
    def from_scenario(cls, scenario: Scenario, *, samples: int | None = None, concentration: float | None = None,
                      ranges: Mapping[str, tuple[float, float]] | None = None, score_dist: str | None = None,
                      seed: int | None = None, portfolio_samples: int | None = None,
                      tolerance: float | None = None, workers: int | None = 1,
                      scheduler: str | None = None) -> RobustnessSettings:
        """The scenario's ``robustness`` section and seed, each replaced by the value given (not None).

        Raises
        ------
        ScoringError
            Both ``ranges`` and ``concentration`` given (two weight distributions).
        """
        rb = scenario.robustness
        if ranges and concentration is not None:
            raise ScoringError("give a concentration (Dirichlet) or weight ranges (uniform), not both",
                               settings=("robustness.concentration", "robustness.weight_ranges"))
        if ranges:
            weight_ranges, conc = dict(ranges), None
        elif concentration is not None:
            weight_ranges, conc = {}, concentration
        else:
            weight_ranges, conc = dict(rb.weight_ranges), None if rb.weight_ranges else rb.concentration
        spec = SampleSpec(_given(samples, rb.samples), conc, weight_ranges,
                          _given(score_dist, rb.score_distribution), _given(seed, scenario.seed))
        return cls(spec, _given(portfolio_samples, rb.portfolio_samples), _given(tolerance, rb.tolerance),
                   workers=workers, scheduler=scheduler)

    @property
    def reoptimised(self) -> int:
        """How many samples are re-optimised: the first ``portfolio_samples``, at most all of them."""
        return min(self.portfolio_samples, self.spec.samples)

    def describe(self) -> dict[str, Any]:
        """The sampling settings as plain values (``coprod sensitivity``'s JSON ``settings`` object)."""
        s = self.spec
        return {"samples": s.samples, "seed": s.seed, "score_distribution": s.score_dist,
                "weights": "uniform in ranges" if s.ranges else "dirichlet",
                "concentration": None if s.ranges else s.concentration,
                "weight_ranges": {k: list(v) for k, v in s.ranges.items()},
                "portfolio_samples": self.portfolio_samples, "tolerance": self.tolerance}

    def summary(self) -> str:
        """One line for the report and its manifest."""
        s = self.spec
        weights = (f"uniform within ranges {dict(sorted(s.ranges.items()))}" if s.ranges
                   else f"Dirichlet, concentration {s.concentration:g}")
        return (f"{s.samples} weight samples ({weights}), score distribution {s.score_dist}, seed {s.seed}; "
                f"{self.reoptimised} re-optimised; flip tolerance {self.tolerance:g}; "
                f"frontier {self.steps} levels; {self.k} best alternatives")


def _given(value: Any, default: Any) -> Any:
    return default if value is None else value


