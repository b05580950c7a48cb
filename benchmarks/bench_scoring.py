"""Scoring speed: 1,000,000 candidates x 20 criteria with every method.

Usage::

    python benchmarks/bench_scoring.py [--candidates 1000000] [--criteria 20]
        [--promethee-pairwise 2000] [--repeat 3] [--peers PYTHON]

Times (best of ``--repeat``, one process, numpy on whatever cores BLAS uses;
pin with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for one core):

- value functions (raw matrix -> values in [0, 1]);
- weighted sum + full ranking (competition ranks, ties by position);
- weighted product, TOPSIS (vector normalisation, on the raw matrix);
- PROMETHEE II on all candidates with the usual and the linear preference
  functions: they run in O(n log n) per criterion (sorting and prefix sums),
  so 1,000,000 candidates is feasible; the gaussian preference function has
  no such shortcut and runs the O(n^2) definition, timed on
  ``--promethee-pairwise`` candidates only (the n used is printed).

``--peers PYTHON`` runs the same matrices through scikit-criteria and pymcdm
in a separate interpreter (they must never be installed in the project's
environment: scikit-criteria needs pulp<4), e.g.::

    PYENV_VERSION=3.12 python3.12 -m venv /tmp/peers-venv
    /tmp/peers-venv/bin/pip install scikit-criteria pymcdm
    python benchmarks/bench_scoring.py --peers /tmp/peers-venv/bin/python

and prints each peer's time and the ratio peer / coprod. Both sides get the
same matrix (numpy's PCG64 stream from the same seed), and both include their
ranking step. pymcdm's PROMETHEE II is O(n^2) in memory, so the PROMETHEE
comparison uses ``--promethee-pairwise`` candidates on both sides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable

import numpy as np

from scorer.aggregation import PreferenceFunction, promethee_ii, topsis, weighted_product, weighted_sum
from scorer.models import CriteriaFile
from scorer.ranking import rank_order
from scorer.valuefunctions import value_matrix

SEED = 20260101


def make_problem(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw scores on 0-10, weights summing to 1, every other criterion a cost."""
    rng = np.random.default_rng(SEED)
    raw = rng.random((n, m)) * 10
    w = rng.random(m) + 0.1
    benefit = np.arange(m) % 2 == 0
    return raw, w / w.sum(), benefit


def criteria_file(benefit: np.ndarray) -> CriteriaFile:
    return CriteriaFile.model_validate({"version": 1, "criteria": [
        {"id": f"c{j}", "name": f"C{j}", "scale": {"min": 0, "max": 10}, "weight": 1,
         "direction": "benefit" if b else "cost"} for j, b in enumerate(benefit)
    ]})


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(raw, w, benefit, pairwise_n: int, repeat: int) -> dict[str, float]:
    crit = criteria_file(benefit)
    values = value_matrix(raw, crit)
    small = raw[:pairwise_n]
    linear = [PreferenceFunction("linear", q=0.5, p=3.0)] * raw.shape[1]
    gaussian = [PreferenceFunction("gaussian", s=2.0)] * raw.shape[1]
    return {
        "value functions": best_of(repeat, lambda: value_matrix(raw, crit)),
        "weighted-sum + rank": best_of(repeat, lambda: rank_order(weighted_sum(values, w))),
        "weighted-product + rank": best_of(repeat, lambda: rank_order(weighted_product(values, w))),
        "topsis + rank": best_of(repeat, lambda: rank_order(topsis(raw, w, benefit))),
        "promethee-ii usual + rank": best_of(1, lambda: rank_order(promethee_ii(raw, w, benefit))),
        "promethee-ii linear + rank": best_of(1, lambda: rank_order(promethee_ii(raw, w, benefit, linear))),
        f"promethee-ii usual, n={pairwise_n}": best_of(repeat, lambda: rank_order(promethee_ii(small, w, benefit))),
        f"promethee-ii gaussian, n={pairwise_n}": best_of(1, lambda: promethee_ii(small, w, benefit, gaussian)),
    }


# Runs inside the peers' interpreter; prints {label: seconds} as JSON.
PEER_SCRIPT = textwrap.dedent("""
    import json, sys, time, warnings
    import numpy as np
    warnings.filterwarnings("ignore")
    n, m, pn, repeat, seed = (int(a) for a in sys.argv[1:6])
    rng = np.random.default_rng(seed)
    raw = rng.random((n, m)) * 10
    w = rng.random(m) + 0.1
    w = w / w.sum()
    benefit = np.arange(m) % 2 == 0
    values = np.where(benefit, raw / 10, 1 - raw / 10)
    out = {}

    def best(fn, r=repeat):
        ts = []
        for _ in range(r):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        return min(ts)

    try:
        import skcriteria as skc
        from skcriteria.madm.simple import WeightedSumModel, WeightedProductModel
        from skcriteria.madm.similarity import TOPSIS
        from skcriteria.preprocessing.scalers import VectorScaler
        maxes = [max] * m
        objectives = [max if b else min for b in benefit]
        def sk_ws():
            WeightedSumModel().evaluate(skc.mkdm(values, maxes, weights=w))
        def sk_wp():
            WeightedProductModel().evaluate(skc.mkdm(np.maximum(values, 1e-12), maxes, weights=w))
        def sk_topsis():
            dm = VectorScaler(target="matrix").transform(skc.mkdm(raw, objectives, weights=w))
            TOPSIS().evaluate(dm)
        out["scikit-criteria weighted-sum + rank"] = best(sk_ws)
        out["scikit-criteria weighted-product + rank"] = best(sk_wp)
        out["scikit-criteria topsis + rank"] = best(sk_topsis)
        out["scikit-criteria version"] = skc.__version__
    except Exception as exc:
        out["scikit-criteria error"] = repr(exc)
    try:
        import pymcdm
        from pymcdm.methods import TOPSIS as PTOPSIS, WSM, WPM, PROMETHEE_II
        from pymcdm.normalizations import vector_normalization
        from pymcdm.helpers import rrankdata
        types = np.where(benefit, 1, -1)
        out["pymcdm weighted-sum + rank"] = best(lambda: rrankdata(WSM()(raw, w, types)))
        out["pymcdm weighted-product + rank"] = best(lambda: rrankdata(WPM()(raw, w, types)))
        out["pymcdm topsis + rank"] = best(lambda: rrankdata(PTOPSIS(vector_normalization)(raw, w, types)))
        small = raw[:pn]
        out[f"pymcdm promethee-ii usual, n={pn}"] = best(lambda: rrankdata(PROMETHEE_II("usual")(small, w, types)))
        out["pymcdm version"] = getattr(pymcdm, "__version__", "?")
    except Exception as exc:
        out["pymcdm error"] = repr(exc)
    print(json.dumps(out))
""")


def peers(python: str, n: int, m: int, pairwise_n: int, repeat: int) -> dict:
    args = [python, "-c", PEER_SCRIPT, str(n), str(m), str(pairwise_n), str(repeat), str(SEED)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"peer run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--criteria", type=int, default=20)
    parser.add_argument("--promethee-pairwise", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", metavar="PYTHON", help="interpreter with scikit-criteria and pymcdm installed")
    a = parser.parse_args()
    raw, w, benefit = make_problem(a.candidates, a.criteria)
    print(f"coprod scoring, {a.candidates:,} candidates x {a.criteria} criteria (best of {a.repeat})")
    mine = ours(raw, w, benefit, a.promethee_pairwise, a.repeat)
    for label, seconds in mine.items():
        print(f"  {label:<40} {seconds:8.3f} s")
    if not a.peers:
        return
    del raw
    theirs = peers(a.peers, a.candidates, a.criteria, a.promethee_pairwise, a.repeat)
    print("peers (same matrices, separate interpreter)")
    for label, value in theirs.items():
        if not isinstance(value, float):
            print(f"  {label}: {value}")
            continue
        ref = next((mine[k] for k in mine if label.split(" ", 1)[1] == k), None)
        ratio = f"  {value / ref:6.1f}x coprod" if ref else ""
        print(f"  {label:<40} {value:8.3f} s{ratio}")


if __name__ == "__main__":
    sys.exit(main())
