"""Aggregation methods on numpy arrays: every function returns scores on 0-100.

Shapes: ``n`` candidates, ``m`` criteria. Weights ``w`` are normalised (sum
to 1) and are either one vector (m,), giving scores (n,), or a stack of
samples (s, m), giving scores (s, n) from one matrix product.

- :func:`weighted_sum` and :func:`weighted_product` take the value matrix
  (values in [0, 1] from :mod:`scorer.scoring.valuefunctions`).
- :func:`topsis` and :func:`promethee_ii` take raw scores and each
  criterion's direction, as their authors define them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# log(0) stand-in for the weighted product: finite, so that 0 ** 0 = 1
# (a zero weight ignores the criterion) while 0 ** w = 0 for any w > 0.
_LOG_ZERO = -1e300
# Rows per block for the blocked passes over the (n, m) matrix: about a MiB
# at 20 criteria, so a block read once stays in cache, and few enough blocks
# that numpy's per-call overhead stays small.
_ROW_BLOCK = 8192
# Larger blocks for the column statistics (no buffer to keep in cache), and
# how many rows are folded into one wide row for the column maxima and minima.
_STATS_BLOCK = 16384
_FOLD = 64


def weighted_sum(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Additive value model: ``100 * sum_j w_j v_ij``."""
    return 100.0 * np.matmul(w, values.T)


def contributions(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each criterion's share of the weighted-sum score, shape (n, m); rows sum to the score."""
    return 100.0 * values * w


def weighted_product(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted product model: ``100 * prod_j v_ij ** w_j``.

    A value of zero on any criterion with positive weight gives zero.
    """
    w = np.asarray(w, dtype=float)
    out = np.empty(w.shape[:-1] + (values.shape[0],))
    # log(0) = -inf, and -inf x a zero weight would be NaN: with a zero
    # weight, a finite floor. Otherwise -inf x w sums to -inf and exp gives
    # the 0 it should, so the floor pass (a quarter of the time) is skipped.
    clamp = bool((w == 0).any())
    # Row blocks: the logs of a block stay in cache and no (n, m) temporary
    # is allocated (fresh pages for millions of rows cost as much as the logs).
    buf = np.empty((min(_ROW_BLOCK, values.shape[0]), values.shape[1]))
    with np.errstate(divide="ignore"):
        for rows in _row_blocks(values.shape[0], _ROW_BLOCK):  # blocks of rows, each block vectorised
            part = buf[:rows.stop - rows.start]
            np.log(values[rows], out=part)
            if clamp:
                np.maximum(part, _LOG_ZERO, out=part)
            _weighted_rows(part, w, out, rows)
    np.exp(out, out=out)
    out *= 100.0
    return out


def topsis(raw: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """TOPSIS closeness coefficient x 100 (Hwang & Yoon 1981).

    Vector normalisation ``r_ij = x_ij / sqrt(sum_i x_ij^2)``, weighting
    ``v_ij = w_j r_ij``, ideal (best of each column) and anti-ideal (worst),
    Euclidean distances ``D+`` and ``D-`` and closeness ``D- / (D+ + D-)``.
    A candidate with ``D+ = D- = 0`` (all candidates alike) gets 0.5.

    Parameters
    ----------
    raw : numpy.ndarray
        Raw scores (n, m); a column of zeros carries no information.
    w : numpy.ndarray
        Weights (m,) or (s, m).
    benefit : numpy.ndarray
        Bool (m,): True where higher raw scores are better.
    """
    with np.errstate(over="ignore"):  # a column too large to square is rescaled below
        sum_sq, hi, lo = _column_stats(raw)
    factor = _column_factor(hi, lo)
    if factor is not None:
        raw = raw * factor
        sum_sq, hi, lo = _column_stats(raw)
    norm = np.sqrt(sum_sq)
    # Folding 1/norm into the weights leaves the raw matrix untouched: the
    # distance is sum_j (w_j/norm_j)^2 (x_ij - best_j)^2.
    scale = np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0)
    w2 = (np.asarray(w, dtype=float) * scale) ** 2
    best, worst = np.where(benefit, hi, lo), np.where(benefit, lo, hi)
    d_plus, d_minus = _weighted_distances(raw, best, worst, w2)
    total = d_plus + d_minus
    close = np.divide(d_minus, total, out=np.full_like(total, 0.5), where=total > 0)
    close *= 100.0
    return close


def _column_factor(hi: np.ndarray, lo: np.ndarray) -> np.ndarray | None:
    """Powers of two that bring every column's largest magnitude into [0.5, 1), or None when none is needed.

    Needed when a column's squares (or differences) could overflow or
    underflow: scores near 1e308 or 1e-308. TOPSIS divides each column by its
    norm, so a positive factor per column changes no closeness; a power of
    two changes no bit. Ordinary columns cost nothing: no copy is made.
    """
    top = np.maximum(np.abs(hi), np.abs(lo))
    if not ((top > 2.0 ** 400) | ((top > 0) & (top < 2.0 ** -400))).any():
        return None
    _, exponent = np.frexp(top)
    return np.ldexp(1.0, -exponent)


def _row_blocks(n: int, block: int) -> list[slice]:
    """Slices covering ``range(n)`` in blocks of ``block`` rows."""
    return [slice(start, min(start + block, n)) for start in range(0, n, block)]


def _weighted_rows(part: np.ndarray, w: np.ndarray, out: np.ndarray, rows: slice) -> None:
    """``out[..., rows] = w @ part.T`` for weights (m,) or (s, m), without a temporary for (m,)."""
    if w.ndim == 1:
        np.matmul(part, w, out=out[rows])
    else:
        out[:, rows] = np.matmul(w, part.T)


def _column_stats(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each column's sum of squares, maximum and minimum, from one pass over the rows."""
    m = raw.shape[1]
    sum_sq, hi, lo = np.zeros(m), np.full(m, -np.inf), np.full(m, np.inf)
    for rows in _row_blocks(raw.shape[0], _STATS_BLOCK):  # blocks of rows, each block vectorised
        part = raw[rows]
        sum_sq += np.einsum("ij,ij->j", part, part)
        # A column reduction over m = 20 numbers a row pays numpy's per-row
        # overhead; folding _FOLD rows into one wide row first is 4x faster.
        if part.flags.c_contiguous and len(part) % _FOLD == 0:
            part = part.reshape(-1, _FOLD * m)
        np.maximum(hi, part.max(axis=0).reshape(-1, m).max(axis=0), out=hi)
        np.minimum(lo, part.min(axis=0).reshape(-1, m).min(axis=0), out=lo)
    return sum_sq, hi, lo


def _weighted_distances(raw: np.ndarray, best: np.ndarray, worst: np.ndarray,
                        w2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sqrt(sum_j w2_j (raw_ij - p_j)^2)`` to ``best`` and to ``worst``, weights (m,) or (s, m).

    Both distances of a block of rows are taken while the block is in cache.
    """
    n, m = raw.shape
    d_plus, d_minus = np.empty(w2.shape[:-1] + (n,)), np.empty(w2.shape[:-1] + (n,))
    rows_per_block = min(_ROW_BLOCK, n)
    buf = np.empty((rows_per_block, m))
    # The points repeated down a whole block: subtracting same-shape
    # contiguous arrays is 2.5x faster than broadcasting a row of 20.
    points = [(np.tile(point, (rows_per_block, 1)), out) for point, out in ((best, d_plus), (worst, d_minus))]
    for rows in _row_blocks(n, _ROW_BLOCK):  # blocks of rows, each block vectorised
        size = rows.stop - rows.start
        part = buf[:size]
        for tiled, out in points:
            np.subtract(raw[rows], tiled[:size], out=part)
            np.square(part, out=part)
            _weighted_rows(part, w2, out, rows)
    return np.sqrt(d_plus, out=d_plus), np.sqrt(d_minus, out=d_minus)


# --------------------------------------------------------------- PROMETHEE ---


@dataclass(frozen=True)
class PreferenceFunction:
    """A PROMETHEE generalised criterion (Brans & Vincke 1985).

    ``P(d)`` for a difference ``d`` in the preferred direction (0 for d <= 0):
    usual ``d > 0``; u-shape ``d > q``; v-shape ``min(d/p, 1)``; level 0 up to
    q, 1/2 up to p, then 1; linear 0 up to q, ``(d-q)/(p-q)`` up to p, then 1;
    gaussian ``1 - exp(-d^2 / (2 s^2))``.
    """

    type: str = "usual"
    q: float = 0.0
    p: float = 0.0
    s: float = 0.0

    def __call__(self, d: np.ndarray, tol: float = 0.0) -> np.ndarray:
        """P(d), elementwise (the direct definition; used by tests and for gaussian).

        ``tol`` is how far past a threshold a difference must lie to count as
        beyond it (see :func:`threshold_tolerance`).
        """
        d = np.asarray(d, dtype=float)
        t, q, p = self.type, self.q, self.p
        if t == "usual":
            out = (d > tol).astype(float)
        elif t == "u-shape":
            out = (d > q + tol).astype(float)
        elif t == "level":
            out = np.where(d > p + tol, 1.0, np.where(d > q + tol, 0.5, 0.0))
        elif t in ("linear", "v-shape"):
            q = q if t == "linear" else 0.0
            out = np.clip((d - q) / (p - q), 0.0, 1.0)
        elif t == "gaussian":
            out = np.where(d > 0, -np.expm1(-(d * d) / (2 * self.s * self.s)), 0.0)
        else:
            raise ValueError(f"unknown preference type {t!r}")
        return out


# Scores and thresholds are short decimals (0.4 - 0.1 against q = 0.3), which
# binary floating point cannot hold exactly: 0.4 - 0.1 is 0.30000000000000004.
# A difference within this share of the column's magnitude of a threshold is
# taken as equal to it, as the user who typed the decimals means it; it is far
# above rounding error (about 1e-16) and far below any difference a score scale
# expresses.
THRESHOLD_RTOL = 1e-9


def threshold_tolerance(x: np.ndarray, pref: PreferenceFunction) -> float:
    """The absolute tolerance of the threshold comparisons for column ``x``."""
    magnitude = max(float(np.max(np.abs(x))) if x.size else 0.0, abs(pref.q), abs(pref.p))
    return THRESHOLD_RTOL * magnitude


def _beyond(xs: np.ndarray, threshold: float, tol: float) -> np.ndarray:
    """For ascending ``xs``: how many b have ``xs[a] - xs[b] > threshold`` (within ``tol``), per a.

    Those b are exactly the first ``k[a]`` of the sorted column, and the
    count is non-decreasing in a.
    """
    return np.searchsorted(xs, xs - (threshold + tol), "left")


def _strictly_below(xs: np.ndarray) -> np.ndarray:
    """For ascending ``xs``: how many b have ``xs[b] < xs[a]``, per a (where a's run of ties starts).

    The usual criterion needs no tolerance: equal decimals parse to equal
    floats, and distinct ones differ far beyond rounding. This is 3x faster
    than a binary search.
    """
    n = xs.shape[0]
    starts = np.ones(n, dtype=bool)
    starts[1:] = xs[1:] != xs[:-1]
    return np.maximum.accumulate(np.where(starts, np.arange(n), 0))


def _beaten_by(k: np.ndarray) -> np.ndarray:
    """For each position i, how many a have ``k[a] > i``: the same comparisons as ``k``, seen from b.

    Deriving the negative flow from the very counts of the positive one,
    instead of a second differently rounded pass, makes every pair count
    once on each side, so the net flows sum to zero exactly.
    """
    n = k.shape[0]
    return n - np.cumsum(np.bincount(k, minlength=n + 1))[:n]


def _window_sums(lo: np.ndarray, hi: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """For each position i, the sum of ``weights[a]`` over a with ``lo[a] <= i < hi[a]``."""
    n = lo.shape[0]
    diff = np.bincount(lo, weights, minlength=n + 1) - np.bincount(hi, weights, minlength=n + 1)
    return np.cumsum(diff)[:n]


def _flows_sorted(xs: np.ndarray, pref: PreferenceFunction) -> tuple[np.ndarray, np.ndarray]:
    """``(sum_b P(xs[a] - xs[b]), sum_b P(xs[b] - xs[a]))`` for every a, given ascending ``xs``.

    O(n log n): the piecewise-linear preference functions split the other
    candidates into "fully preferred", "partly preferred" and "not
    preferred" by two thresholds, found by binary search; prefix sums give
    the partial part. Both sums come from one set of comparisons.
    """
    t, tol = pref.type, threshold_tolerance(xs, pref)
    if t in ("usual", "u-shape"):
        k = _strictly_below(xs) if t == "usual" else _beyond(xs, pref.q, tol)
        return k.astype(float), _beaten_by(k).astype(float)
    q = 0.0 if t == "v-shape" else pref.q
    full = _beyond(xs, pref.p, tol)
    some = _beyond(xs, q, tol)
    if t == "level":
        return full + 0.5 * (some - full), _beaten_by(full) + 0.5 * (_beaten_by(some) - _beaten_by(full))
    centred = xs - xs.mean()  # keeps the prefix sums small
    prefix = np.concatenate(([0.0], np.cumsum(centred)))
    plus = full + ((centred - q) * (some - full) - (prefix[some] - prefix[full])) / (pref.p - q)
    # Seen from b: the a whose partial window [full[a], some[a]) holds b.
    count = _window_sums(full, some, None)
    total = _window_sums(full, some, centred)
    minus = _beaten_by(full) + (total - count * (centred + q)) / (pref.p - q)
    return plus, minus


def criterion_flows(x: np.ndarray, pref: PreferenceFunction) -> np.ndarray:
    """Single-criterion net flows ``phi_j(a)`` in [-1, 1] of one column (higher is better)."""
    n = x.shape[0]
    if n < 2:
        return np.zeros(n)
    if pref.type == "gaussian":
        return _flows_pairwise(x, pref)
    order = np.argsort(x, kind="stable")  # tied values get equal flows, so any order of ties will do
    plus, minus = _flows_sorted(x[order], pref)
    out = np.empty(n)
    # The prefix sums of the partial part can land a few ulps outside [-1, 1].
    out[order] = np.clip((plus - minus) / (n - 1), -1.0, 1.0)
    return out


def _flows_pairwise(x: np.ndarray, pref: PreferenceFunction, block: int = 2048) -> np.ndarray:
    """The O(n^2) definition, in row blocks so memory stays at block x n."""
    n = x.shape[0]
    out = np.empty(n)
    for start in range(0, n, block):  # loops over blocks of rows, each block vectorised
        d = x[start:start + block, None] - x[None, :]
        out[start:start + block] = (pref(d) - pref(-d)).sum(axis=1)
    return out / (n - 1)


def net_flow_matrix(raw: np.ndarray, benefit: np.ndarray, prefs: Sequence[PreferenceFunction]) -> np.ndarray:
    """Per-criterion net flows (n, m); a cost criterion is negated first."""
    # Criterion-major copy: each column is sorted, so make it contiguous.
    signed = np.ascontiguousarray(np.where(benefit, raw, -raw).T)
    flows = np.empty(raw.shape)
    for j in range(raw.shape[1]):  # a loop over criteria only
        flows[:, j] = criterion_flows(signed[j], prefs[j])
    return flows


def promethee_ii(raw: np.ndarray, w: np.ndarray, benefit: np.ndarray,
                 prefs: Sequence[PreferenceFunction] | None = None) -> np.ndarray:
    """PROMETHEE II net flow on 0-100: ``100 * (phi + 1) / 2``.

    ``phi(a) = sum_j w_j phi_j(a)``, the net outranking flow of Brans &
    Vincke (1985). Default preference function: usual on every criterion.
    """
    prefs = prefs if prefs is not None else [PreferenceFunction()] * raw.shape[1]
    flows = net_flow_matrix(raw, benefit, prefs)
    return 50.0 * (np.matmul(w, flows.T) + 1.0)


def promethee_contributions(flows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Additive split of the PROMETHEE II 0-100 score: ``50 w_j (phi_j + 1)`` (rows sum to the score)."""
    return 50.0 * w * (flows + 1.0)
