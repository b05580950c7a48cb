"""Ranks from scores: ties share a rank ("1, 2, 2, 4"), ordered by id within a tie."""

from __future__ import annotations

import numpy as np

# Scores are on 0-100; rounding to 1e-9 keeps float noise (0.1 + 0.2 vs 0.3)
# from breaking a tie that the inputs say is exact.
TIE_DECIMALS = 9


def rank_order(scores: np.ndarray, tiebreak: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Competition ranks and the display order.

    Parameters
    ----------
    scores : numpy.ndarray
        Scores (n,), higher is better.
    tiebreak : numpy.ndarray, optional
        Sort key within a tie (e.g. the candidate ids); default: position.

    Returns
    -------
    order : numpy.ndarray
        Indices of the candidates, best first (ties by ``tiebreak``).
    ranks : numpy.ndarray
        Rank of each candidate in input order (1 is best; tied scores share
        the best rank of the tie, the next rank skips).
    """
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    tie = np.arange(n) if tiebreak is None else np.argsort(np.argsort(tiebreak, kind="stable"), kind="stable")
    quantised = np.rint(scores * 10.0**TIE_DECIMALS)
    if n and np.abs(quantised).max() * n < 2.0**62:
        # One integer key per candidate (score, then tie-break): unique, so the
        # fast unstable sort is deterministic.
        key = -quantised.astype(np.int64)
        order = np.argsort(key * n + tie)
    else:  # scores too large for the packed key: two stable sorts
        key = -quantised
        first = np.argsort(tie, kind="stable")
        order = first[np.argsort(key[first], kind="stable")]
    sorted_key = key[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_key[1:] != sorted_key[:-1]
    # Each position takes the position of the start of its tie run.
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = run_start + 1
    return order, ranks
