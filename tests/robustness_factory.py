"""Small scoring bases built directly from arrays (shared by the robustness tests)."""

from __future__ import annotations

import numpy as np

from scorer.inputs.loading import load_scenario
from scorer.defaults import default_scenario
from scorer.inputs.models import CriteriaFile
from scorer.robustness.sampling import ScoringBasis


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
    from scorer.scoring.aggregation import PreferenceFunction

    return ScoringBasis(method, ids, [i.upper() for i in ids], [f"k{j}" for j in range(m)],
                        np.asarray(weights, dtype=float), low, values, high, values.copy(),
                        np.ones(m, dtype=bool), linear_criteria(m), [PreferenceFunction()] * m)


def default_inputs():
    """The shipped default scenario, loaded."""
    return load_scenario(default_scenario())
