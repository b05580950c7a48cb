"""Scoring speed: 1,000,000 candidates x 20 criteria with every method.

Usage::

    python benchmarks/bench_scoring.py [--candidates 1000000] [--criteria 20]
        [--promethee-pairwise 2000] [--repeat 3] [--methods LIST]
        [--peers PYTHON [--libraries LIST] [--rounds N]]

Times (best of ``--repeat``, one process, numpy on whatever cores BLAS uses;
pin with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for one core), for the
``--methods`` chosen (default all of weighted-sum, weighted-product, topsis,
promethee-ii):

- value functions (raw matrix -> values in [0, 1]);
- weighted sum + full ranking (competition ranks, ties by position);
- weighted product, TOPSIS (vector normalisation, on the raw matrix);
- the same three steps written the textbook way in plain numpy (unblocked
  formulas, ranking by ``np.lexsort``), as the in-process baseline, with
  the ratio baseline / coprod;
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
same matrix (numpy's PCG64 stream from the same seed), both include their
ranking step, and inputs in another form (values floored above 0 for the
peers' weighted product) are made before the clock starts. On a shared
machine, ``--rounds 3`` alternates our run and the peers' run three times and
keeps each side's best, so both see the same load; ``--libraries
scikit-criteria`` skips pymcdm's slow runs. pymcdm's PROMETHEE II is O(n^2) in memory, so the PROMETHEE
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

from scorer.scoring.aggregation import PreferenceFunction, promethee_ii, topsis, weighted_product, weighted_sum
from scorer.inputs.models import CriteriaFile
from scorer.scoring.ranking import rank_order
from scorer.scoring.valuefunctions import value_matrix

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


def textbook_rank(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order and competition ranks by ``np.lexsort`` on (-rounded score, position)."""
    key = -np.rint(scores * 1e9)
    order = np.lexsort((np.arange(len(key)), key))
    sorted_key = key[order]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    ranks = np.empty(len(key), dtype=np.int64)
    ranks[order] = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0)) + 1
    return order, ranks


def textbook_topsis(raw: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """TOPSIS step by step on whole matrices (Hwang & Yoon 1981)."""
    weighted = w * raw / np.sqrt((raw**2).sum(axis=0))
    best = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    worst = np.where(benefit, weighted.min(axis=0), weighted.max(axis=0))
    d_plus = np.sqrt(((weighted - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - worst) ** 2).sum(axis=1))
    return 100 * d_minus / (d_plus + d_minus)


def textbook(raw, w, benefit, repeat: int, methods: list[str]) -> dict[str, float]:
    """Best-of-``repeat`` seconds of the plain numpy versions (the in-process baseline)."""
    values = value_matrix(raw, criteria_file(benefit))
    steps = {
        "weighted-sum": lambda: textbook_rank(100 * (values @ w)),
        "weighted-product": lambda: textbook_rank(100 * np.prod(values**w, axis=1)),
        "topsis": lambda: textbook_rank(textbook_topsis(raw, w, benefit)),
    }
    return {f"textbook {m} + rank": best_of(repeat, steps[m]) for m in methods if m in steps}


METHODS = ("weighted-sum", "weighted-product", "topsis", "promethee-ii")


def ours(raw, w, benefit, pairwise_n: int, repeat: int, methods: list[str]) -> dict[str, float]:
    """Best-of-``repeat`` seconds per timed step of the chosen methods (value functions always)."""
    crit = criteria_file(benefit)
    values = value_matrix(raw, crit)
    small = raw[:pairwise_n]
    linear = [PreferenceFunction("linear", q=0.5, p=3.0)] * raw.shape[1]
    gaussian = [PreferenceFunction("gaussian", s=2.0)] * raw.shape[1]
    steps = {
        "weighted-sum": {"weighted-sum + rank": (repeat, lambda: rank_order(weighted_sum(values, w)))},
        "weighted-product": {"weighted-product + rank": (repeat, lambda: rank_order(weighted_product(values, w)))},
        "topsis": {"topsis + rank": (repeat, lambda: rank_order(topsis(raw, w, benefit)))},
        "promethee-ii": {
            "promethee-ii usual + rank": (1, lambda: rank_order(promethee_ii(raw, w, benefit))),
            "promethee-ii linear + rank": (1, lambda: rank_order(promethee_ii(raw, w, benefit, linear))),
            f"promethee-ii usual, n={pairwise_n}": (repeat, lambda: rank_order(promethee_ii(small, w, benefit))),
            f"promethee-ii gaussian, n={pairwise_n}": (1, lambda: promethee_ii(small, w, benefit, gaussian)),
        },
    }
    out = {"value functions": best_of(repeat, lambda: value_matrix(raw, crit))}
    for method in methods:
        out.update({label: best_of(r, fn) for label, (r, fn) in steps[method].items()})
    return out


# Runs inside the peers' interpreter; prints {label: seconds} as JSON. Inputs
# the peers need in another form (values floored above 0 for the weighted
# product, which takes logs) are made before the clock starts, as ours are.
PEER_SCRIPT = textwrap.dedent("""
    import json, sys, time, warnings
    import numpy as np
    warnings.filterwarnings("ignore")
    n, m, pn, repeat, seed = (int(a) for a in sys.argv[1:6])
    methods, libraries = sys.argv[6].split(","), sys.argv[7].split(",")
    rng = np.random.default_rng(seed)
    raw = rng.random((n, m)) * 10
    w = rng.random(m) + 0.1
    w = w / w.sum()
    benefit = np.arange(m) % 2 == 0
    values = np.where(benefit, raw / 10, 1 - raw / 10)
    positive = np.maximum(values, 1e-12)
    out = {}

    def best(fn, r=repeat):
        ts = []
        for _ in range(r):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        return min(ts)

    if "scikit-criteria" in libraries:
        try:
            import skcriteria as skc
            from skcriteria.agg.simple import WeightedSumModel, WeightedProductModel
            from skcriteria.agg.similarity import TOPSIS
            from skcriteria.preprocessing.scalers import VectorScaler
            maxes = [max] * m
            objectives = [max if b else min for b in benefit]
            def sk_ws():
                WeightedSumModel().evaluate(skc.mkdm(values, maxes, weights=w))
            def sk_wp():
                WeightedProductModel().evaluate(skc.mkdm(positive, maxes, weights=w))
            def sk_topsis():
                dm = VectorScaler(target="matrix").transform(skc.mkdm(raw, objectives, weights=w))
                TOPSIS().evaluate(dm)
            for method, fn in (("weighted-sum", sk_ws), ("weighted-product", sk_wp), ("topsis", sk_topsis)):
                if method in methods:
                    out[f"scikit-criteria {method} + rank"] = best(fn)
            out["scikit-criteria version"] = skc.__version__
        except Exception as exc:
            out["scikit-criteria error"] = repr(exc)
    if "pymcdm" in libraries:
        try:
            import pymcdm
            from pymcdm.methods import TOPSIS as PTOPSIS, WSM, WPM, PROMETHEE_II
            from pymcdm.normalizations import vector_normalization
            from pymcdm.helpers import rrankdata
            types = np.where(benefit, 1, -1)
            small = raw[:pn]
            runs = {
                "weighted-sum": ("weighted-sum + rank", lambda: rrankdata(WSM()(raw, w, types))),
                "weighted-product": ("weighted-product + rank", lambda: rrankdata(WPM()(raw, w, types))),
                "topsis": ("topsis + rank", lambda: rrankdata(PTOPSIS(vector_normalization)(raw, w, types))),
                "promethee-ii": (f"promethee-ii usual, n={pn}",
                                 lambda: rrankdata(PROMETHEE_II("usual")(small, w, types))),
            }
            for method in methods:
                label, fn = runs[method]
                out[f"pymcdm {label}"] = best(fn)
            out["pymcdm version"] = getattr(pymcdm, "__version__", "?")
        except Exception as exc:
            out["pymcdm error"] = repr(exc)
    print(json.dumps(out))
""")
LIBRARIES = ("scikit-criteria", "pymcdm")


def peers(python: str, n: int, m: int, pairwise_n: int, repeat: int, methods: list[str],
          libraries: list[str]) -> dict:
    """Run :data:`PEER_SCRIPT` in ``python`` and return its ``{label: seconds or text}``."""
    args = [python, "-c", PEER_SCRIPT, str(n), str(m), str(pairwise_n), str(repeat), str(SEED),
            ",".join(methods), ",".join(libraries)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"peer run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def keep_best(best: dict, new: dict) -> None:
    """Merge ``new`` into ``best``, keeping the smaller time of each label (and any text as is)."""
    for label, value in new.items():
        old = best.get(label)
        best[label] = min(old, value) if isinstance(value, float) and isinstance(old, float) else value


def report(mine: dict[str, float], theirs: dict) -> None:
    """Print each peer's time and its ratio to ours for the same step."""
    print("peers (same matrices, separate interpreter)")
    for label, value in theirs.items():
        if not isinstance(value, float):
            print(f"  {label}: {value}")
            continue
        ref = mine.get(label.split(" ", 1)[1])
        ratio = f"  {value / ref:6.1f}x coprod" if ref else ""
        print(f"  {label:<40} {value:8.3f} s{ratio}")


def comma_list(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    """argparse type: a comma-separated subset of ``allowed``."""
    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        wrong = [t for t in items if t not in allowed]
        if wrong or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (got {text!r})")
        return items
    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--criteria", type=int, default=20)
    parser.add_argument("--promethee-pairwise", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--methods", type=comma_list(METHODS), default=list(METHODS),
                        help=f"comma-separated subset of {','.join(METHODS)} (default: all)")
    parser.add_argument("--peers", metavar="PYTHON", help="interpreter with scikit-criteria and pymcdm installed")
    parser.add_argument("--libraries", type=comma_list(LIBRARIES), default=list(LIBRARIES),
                        help="which peers to run (default: both)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate our run and the peers' run this many times; best of all rounds")
    a = parser.parse_args()
    raw, w, benefit = make_problem(a.candidates, a.criteria)
    print(f"coprod scoring, {a.candidates:,} candidates x {a.criteria} criteria "
          f"(best of {a.repeat} x {a.rounds} round(s))")
    mine: dict[str, float] = {}
    theirs: dict = {}
    baseline: dict[str, float] = {}
    for _ in range(a.rounds):  # alternating, so both sides see the same machine load
        keep_best(mine, ours(raw, w, benefit, a.promethee_pairwise, a.repeat, a.methods))
        keep_best(baseline, textbook(raw, w, benefit, a.repeat, a.methods))
        if a.peers:
            keep_best(theirs, peers(a.peers, a.candidates, a.criteria, a.promethee_pairwise, a.repeat,
                                    a.methods, a.libraries))
    for label, seconds in mine.items():
        print(f"  {label:<40} {seconds:8.3f} s")
    print("in-process baseline (plain numpy, lexsort ranking)")
    for label, seconds in baseline.items():
        print(f"  {label:<40} {seconds:8.3f} s  {seconds / mine[label.split(' ', 1)[1]]:6.1f}x coprod")
    if a.peers:
        report(mine, theirs)


if __name__ == "__main__":
    sys.exit(main())
