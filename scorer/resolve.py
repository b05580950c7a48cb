"""Re-solving one portfolio problem many times with only the values changed.

Robustness analyses (Monte Carlo, flip points, frontiers) solve the same
limits again and again. A :class:`Resolver` is a small, picklable recipe: each
process builds its model once, on first use, and every later solve only
replaces the objective.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scorer.errors import SolverError
from scorer.optimizer import PortfolioModel, Solution, SolverConfig, solve_built
from scorer.portfolio import PortfolioProblem


@dataclass(eq=False)
class Resolver:
    """Solve ``problem`` for many value vectors, each answer checked.

    Parameters
    ----------
    problem : PortfolioProblem
    values : array (n,)
        The base values; the model is built with these.
    config : SolverConfig
    """

    problem: PortfolioProblem
    values: np.ndarray
    config: SolverConfig
    _model: PortfolioModel | None = field(default=None, init=False, repr=False)

    def __getstate__(self) -> dict:
        # The live model does not cross process boundaries; each process builds its own.
        state = self.__dict__.copy()
        state["_model"] = None
        return state

    def solve(self, values: np.ndarray) -> Solution:
        """The checked optimal (or time-limited) portfolio for ``values``."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.problem.n,) or not np.isfinite(values).all():
            raise SolverError(f"need one finite value per candidate ({self.problem.n}), got {values.shape}")
        if self._model is None:
            self._model = PortfolioModel(self.problem, values)
        else:
            self._model.values = values
            self._model.set_values(values)
        return solve_built(self._model, self.config)
