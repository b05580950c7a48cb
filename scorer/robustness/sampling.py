"""Random weights and scores for the robustness analysis, and the scores they give.

Every sample is drawn up front, in the parent process, from one
``numpy.random.default_rng(seed)``, so results do not depend on how many
workers later use them.

Weights are *effective* weights (fractions summing to 1, as ``coprod
weights`` shows them):

- Dirichlet centred on the current weights: ``alpha = concentration * w``;
  the mean is ``w`` and a larger concentration gives samples closer to it.
  Criteria of weight zero stay at zero.
- Uniform within per-criterion ranges ``[lo, hi]``; criteria without a range
  keep their weight; each sample is then normalised to sum to 1 (so a
  sampled weight can end slightly outside its range).

Scores: triangular or PERT between each score's ``low``, ``value`` and
``high`` (a score without a range, and every categorical score, stays fixed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from scorer.errors import ScoringError
from scorer.inputs.loading import ScenarioInputs
from scorer.inputs.models import METHODS, CriteriaFile
from scorer.limits import MAX_SAMPLES, check_count
from scorer.scoring import aggregation as agg
from scorer.scoring.matrix import range_matrices, raw_is_benefit
from scorer.scoring.score import aggregate, preference_functions
from scorer.scoring.valuefunctions import value_matrix
from scorer.scoring.weights import derive_weights, normalise

SCORE_DISTRIBUTIONS = ("none", "triangular", "pert")
# Methods whose score is a fixed function of (values or flows) x weights, so
# that sampled raw scores can be pushed through in one vectorised pass.
SCORE_SAMPLING_METHODS = ("weighted-sum", "weighted-product")
# Raw-score samples are processed in blocks of at most this many numbers
# (samples x candidates x criteria), so memory stays near 32 MB.
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class ScoringBasis:
    """Everything needed to score the candidates under other weights or scores.

    Attributes
    ----------
    method : str
        Aggregation method (one of :data:`scorer.inputs.models.METHODS`).
    ids, names, criteria : list of str
        Candidates (id order, as loaded) and criterion ids (file order).
    weights : numpy.ndarray
        The current effective weights (m,), summing to 1.
    low, raw, high : numpy.ndarray
        Raw score matrices (n, m) at the three points of each score.
    values : numpy.ndarray
        Values in [0, 1] of ``raw`` (n, m).
    benefit : numpy.ndarray
        Bool (m,), for the raw-score methods.
    criteria_file : CriteriaFile
        For the value functions of sampled raw scores.
    """

    method: str
    ids: list[str]
    names: list[str]
    criteria: list[str]
    weights: np.ndarray
    low: np.ndarray
    raw: np.ndarray
    high: np.ndarray
    values: np.ndarray
    benefit: np.ndarray
    criteria_file: CriteriaFile
    prefs: list = field(repr=False, default_factory=list)

    @property
    def n(self) -> int:
        return len(self.ids)

    def scores(self, w: np.ndarray) -> np.ndarray:
        """Scores on 0-100 at the fixed raw scores: (n,) for weights (m,), (s, n) for (s, m)."""
        return aggregate(self.method, self.raw, self.values, np.asarray(w, dtype=float), self.benefit, self.prefs)

    def linear_utilities(self) -> tuple[np.ndarray, bool] | None:
        """A matrix ``U`` (n, m) with ``score = U @ w`` (or ``exp(U @ w)`` scaled), if there is one.

        Returns ``(U, logarithmic)``: weighted-sum and PROMETHEE II are linear
        in the weights; the weighted product is linear in log space, which
        keeps the order. None for TOPSIS.
        """
        if self.method == "weighted-sum":
            return 100.0 * self.values, False
        if self.method == "promethee-ii":
            return 50.0 * (agg.net_flow_matrix(self.raw, self.benefit, self.prefs) + 1.0), False
        if self.method == "weighted-product":
            with np.errstate(divide="ignore"):
                logs = np.log(self.values)
            return np.maximum(logs, -1e300), True
        return None


def scoring_basis(inputs: ScenarioInputs, method: str | None = None,
                  overrides: Mapping[str, float] | None = None) -> ScoringBasis:
    """The :class:`ScoringBasis` of a loaded scenario (``method=None``: the scenario's)."""
    method = method or inputs.scenario.method
    if method not in METHODS:
        raise ScoringError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    crit, cand = inputs.criteria, inputs.candidates
    low, raw, high = range_matrices(crit, cand)
    return ScoringBasis(
        method, [c.id for c in cand.candidates], [c.name for c in cand.candidates],
        [c.id for c in crit.criteria], derive_weights(crit, overrides).effective,
        low, raw, high, value_matrix(raw, crit), raw_is_benefit(crit), crit, preference_functions(crit),
    )


# ----------------------------------------------------------------- weights ---


def dirichlet_weights(w: np.ndarray, concentration: float, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Weights (samples, m) from a Dirichlet with mean ``w`` and ``alpha = concentration * w``.

    Criteria of weight zero stay at zero (a Dirichlet needs positive alphas).
    """
    if not concentration > 0 or not np.isfinite(concentration):
        raise ScoringError(f"the concentration must be a positive number, got {concentration}")
    w = np.asarray(w, dtype=float)
    on = w > 0
    out = np.zeros((samples, len(w)))
    out[:, on] = rng.dirichlet(concentration * w[on], size=samples)
    return out


def uniform_weights(w: np.ndarray, ranges: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Weights (samples, m): uniform within ``ranges`` (m, 2), NaN rows keep ``w``; then normalised.

    Raises
    ------
    ScoringError
        A sample whose weights are all zero (every range starts at 0 and
        nothing else carries weight).
    """
    w = np.asarray(w, dtype=float)
    ranges = np.asarray(ranges, dtype=float)
    lo = np.where(np.isnan(ranges[:, 0]), w, ranges[:, 0])
    hi = np.where(np.isnan(ranges[:, 1]), w, ranges[:, 1])
    out = lo + (hi - lo) * rng.random((samples, len(w)))
    if (out.sum(axis=1) <= 0).any():
        raise ScoringError("a weight sample has every weight zero; narrow the weight ranges")
    return normalise(out)


def ranges_array(criteria: list[str], ranges: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """Per-criterion ``[lo, hi]`` (m, 2) from ``{id: (lo, hi)}``; NaN where no range is given."""
    out = np.full((len(criteria), 2), np.nan)
    pos = {cid: j for j, cid in enumerate(criteria)}
    for cid, (lo, hi) in ranges.items():
        if cid not in pos:
            raise ScoringError(f"weight range for unknown criterion '{cid}' (criteria: {', '.join(criteria)})")
        if not 0 <= lo <= hi <= 1:
            raise ScoringError(f"weight range {cid}={lo:g}:{hi:g} must satisfy 0 <= LO <= HI <= 1")
        out[pos[cid]] = lo, hi
    return out


# ------------------------------------------------------------------ scores ---


def triangular(low: np.ndarray, mode: np.ndarray, high: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Triangular quantiles at uniforms ``u`` (inverse CDF); ``low == high`` gives ``low``."""
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    split = (mode - low) / safe
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(width > 0, np.where(u < split, left, right), low)


def pert(low: np.ndarray, mode: np.ndarray, high: np.ndarray, size: tuple, rng: np.random.Generator) -> np.ndarray:
    """PERT (beta) samples: ``low + (high-low) * Beta(1 + 4(mode-low)/(high-low), 1 + 4(high-mode)/(high-low))``."""
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    a = 1.0 + 4.0 * (mode - low) / safe
    b = 1.0 + 4.0 * (high - mode) / safe
    return low + width * rng.beta(np.broadcast_to(a, size), np.broadcast_to(b, size))


def raw_samples(basis: ScoringBasis, dist: str, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Sampled raw score matrices (samples, n, m) between each score's low and high."""
    size = (samples, *basis.raw.shape)
    if dist == "triangular":
        return triangular(basis.low, basis.raw, basis.high, rng.random(size))
    if dist == "pert":
        return pert(basis.low, basis.raw, basis.high, size, rng)
    raise ScoringError(f"unknown score distribution '{dist}' (choose from {', '.join(SCORE_DISTRIBUTIONS)})")


def scores_with_raw(basis: ScoringBasis, w: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Scores (s, n) for weights (s, m) and raw matrices (s, n, m), one sample per row."""
    values = value_matrix(raw, basis.criteria_file)
    if basis.method == "weighted-sum":
        return 100.0 * np.einsum("sm,snm->sn", w, values)
    with np.errstate(divide="ignore"):
        logs = np.log(values)
    np.maximum(logs, -1e300, out=logs)
    return 100.0 * np.exp(np.einsum("sm,snm->sn", w, logs))


# ------------------------------------------------------------ all samples ---


@dataclass(frozen=True)
class SampleSpec:
    """How to sample: the number of samples, weights, scores and the seed.

    ``ranges`` (criterion id -> (lo, hi), effective-weight fractions) selects
    uniform weights; otherwise a Dirichlet of ``concentration``.
    ``concentration=None`` with no ranges keeps the weights fixed.
    """

    samples: int = 1000
    concentration: float | None = 100.0
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    score_dist: str = "none"
    seed: int = 42


def sample_weights(basis: ScoringBasis, spec: SampleSpec, rng: np.random.Generator) -> np.ndarray:
    """The weight samples (samples, m) described by ``spec``."""
    if spec.samples < 1:
        raise ScoringError(f"the number of samples must be at least 1, got {spec.samples}")
    check_count("samples", spec.samples, MAX_SAMPLES)
    if spec.ranges:
        return uniform_weights(basis.weights, ranges_array(basis.criteria, spec.ranges), spec.samples, rng)
    if spec.concentration is None:
        return np.tile(basis.weights, (spec.samples, 1))
    return dirichlet_weights(basis.weights, spec.concentration, spec.samples, rng)


def sampled_scores(basis: ScoringBasis, spec: SampleSpec) -> np.ndarray:
    """Candidate scores (samples, n) under sampled weights and, optionally, sampled raw scores.

    Weights are drawn first, then raw scores block by block, all from
    ``default_rng(spec.seed)``: the same spec gives the same numbers.
    """
    rng = np.random.default_rng(spec.seed)
    w = sample_weights(basis, spec, rng)
    if spec.score_dist == "none":
        return basis.scores(w)
    if spec.score_dist not in SCORE_DISTRIBUTIONS:
        raise ScoringError(f"unknown score distribution '{spec.score_dist}' "
                           f"(choose from {', '.join(SCORE_DISTRIBUTIONS)})")
    if basis.method not in SCORE_SAMPLING_METHODS:
        raise ScoringError(f"sampling scores needs method {' or '.join(SCORE_SAMPLING_METHODS)} "
                           f"(got {basis.method}); set robustness.score_distribution to none",
                           settings=("robustness.score_distribution",))
    out = np.empty((spec.samples, basis.n))
    for start, stop in _blocks(spec.samples, basis.raw.size):  # blocks of samples, each vectorised
        raw = raw_samples(basis, spec.score_dist, stop - start, rng)
        out[start:stop] = scores_with_raw(basis, w[start:stop], raw)
    return out


def _blocks(samples: int, cells: int) -> Iterator[tuple[int, int]]:
    step = max(1, _BLOCK_CELLS // max(cells, 1))
    for start in range(0, samples, step):
        yield start, min(samples, start + step)
