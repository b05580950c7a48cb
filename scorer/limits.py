"""Size guards: refuse, before anything big is built, a problem that would not fit.

A scenario can ask for far more than the machine holds without being large on
disk: a long horizon multiplies every candidate's start options, a sweep
multiplies the score matrix by its samples. These checks count what would be
built, estimate its memory from figures measured with ``benchmarks/bench_large.py``
and raise :class:`SizeLimitError` with the size in the user's terms, instead
of letting the run swap, be killed or die with a ``MemoryError`` midway.
"""

from __future__ import annotations

import numpy as np

from scorer.errors import CoprodError

# Measured (bench_large.py, PuLP 4.2 + in-process HiGHS): 700-910 MiB peak for
# 130,000 start options (10,000 candidates x 13 starts), which this estimate
# puts at 2.2 million nonzeros and ~1.2 GB: ~500 bytes per nonzero covers
# PuLP's expressions, HiGHS's copy and the solver's work space, with margin.
BYTES_PER_NONZERO = 500
BYTES_PER_OPTION = 300
# Generous for the 2 GB target at 10,000 candidates x 15 years (~150,000
# options), far below what would exhaust a workstation.
MAX_START_OPTIONS = 5_000_000
MAX_MODEL_BYTES = 8 * 2**30
# Score matrices: raw, values, weighted and a few temporaries of float64.
SCORING_WORK_ARRAYS = 6
MAX_SCORE_CELLS = 200_000_000
MAX_SCORING_BYTES = 8 * 2**30


# Counts a user may ask for (options and the scenario's robustness section). Beyond
# them a run is hours of work or a task list larger than memory, never a more precise
# answer: frontier --steps 100,000,000 built 100 million tasks, and its workers grew
# to 770 MB each. Measured on the default scenario (13 candidates, one core):
# 1,000,000 weight samples take 10 s, and a share's standard error is then below
# 0.0005; a portfolio sample is a re-solve of ~2 ms here and seconds on large
# scenarios, so 100,000 are minutes here and the core index is within 0.002;
# 10,000 frontier levels, one every 0.01 % of the range, took 29 min here on one
# loaded core; each alternative adds a cut and a solve; and no machine has more
# than 1,024 cores for the workers.
MAX_SAMPLES = 1_000_000
MAX_PORTFOLIO_SAMPLES = 100_000
MAX_STEPS = 10_000
MAX_ALTERNATIVES = 1_000
MAX_WORKERS = 1_024


class SizeLimitError(CoprodError):
    """The run would need more memory, or more solves, than coprod allows itself."""


def check_count(setting: str, value: int, largest: int) -> None:
    """Raise :class:`SizeLimitError` when the count ``setting`` is above ``largest``."""
    if value > largest:
        raise SizeLimitError(f"{setting} is {value:,}; the largest accepted is {largest:,}")


def human_bytes(n: float) -> str:
    """``1.2 GB``-style text (decimal units, as the issue states its limits)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def model_size(earliest: np.ndarray, latest: np.ndarray, durations: np.ndarray, forbidden: np.ndarray,
               horizon_years: int, partners: int, rule_rows: int) -> tuple[int, int, int]:
    """Start options, nonzeros and estimated bytes of the portfolio model, from O(n) arrays.

    Parameters
    ----------
    earliest, latest : arrays (n,)
        First allowed start and last allowed finish of each candidate.
    durations : array (n,)
        Project years of each candidate.
    forbidden : array (n,) bool
        Candidates with no options.
    horizon_years : int
        Years in the horizon (columns of the spend matrix).
    partners : int
        Partners with cost shares (each adds a yearly and a total row entry per project year).
    rule_rows : int
        Rules that may touch every option (counts, categories, windows).

    Returns
    -------
    tuple of int
        ``(options, nonzeros, bytes)``.
    """
    per_cand = np.maximum(latest - durations + 1 - earliest + 1, 0)
    per_cand = np.where(forbidden, 0, per_cand).astype(np.int64)
    options = int(per_cand.sum())
    # One-start row, the objective, total and yearly money rows for all and
    # for each partner, plus the rules that count projects.
    per_option = 2 + (durations.astype(np.int64) + 1) * (1 + partners) + rule_rows
    nonzeros = int((per_cand * per_option).sum())
    estimate = nonzeros * BYTES_PER_NONZERO + options * (BYTES_PER_OPTION + 8 * horizon_years)
    return options, nonzeros, estimate


def check_model_size(options: int, nonzeros: int, estimate: int, where: str = "the scenario") -> None:
    """Raise :class:`SizeLimitError` when the model would exceed the option or memory limit."""
    if options > MAX_START_OPTIONS or estimate > MAX_MODEL_BYTES:
        raise SizeLimitError(
            f"{where}: the model would have {options:,} start options and {nonzeros:,} nonzeros "
            f"(about {human_bytes(estimate)}); the limit is {MAX_START_OPTIONS:,} start options and "
            f"{human_bytes(MAX_MODEL_BYTES)} (shorten the horizon or narrow the candidates' start windows)"
        )


def check_scoring_size(candidates: int, criteria: int, samples: int = 1, where: str = "the scenario") -> None:
    """Raise :class:`SizeLimitError` when candidates x criteria x samples would not fit.

    Parameters
    ----------
    candidates, criteria : int
        The score matrix's shape.
    samples : int
        Score matrices held at once (1 for a plain score; a sweep's sample count).
    where : str
        How the scenario is named in the message.
    """
    cells = candidates * criteria * samples
    estimate = cells * 8 * SCORING_WORK_ARRAYS
    if cells > MAX_SCORE_CELLS or estimate > MAX_SCORING_BYTES:
        what = f"{candidates:,} candidates x {criteria:,} criteria" + (f" x {samples:,} samples" if samples > 1 else "")
        raise SizeLimitError(
            f"{where}: scoring {what} needs {cells:,} cells (about {human_bytes(estimate)}); "
            f"the limit is {MAX_SCORE_CELLS:,} cells and {human_bytes(MAX_SCORING_BYTES)}"
        )


# The solvers work in double precision and treat coefficients above ~1e15
# (HiGHS: large_matrix_value) as errors and bounds above 1e20 as infinite; a
# money figure beyond this cannot be optimised honestly next to ordinary ones.
MAX_MONEY = 1e12


def money_problems(scenario, candidates) -> list[tuple[str, tuple, str]]:
    """Money figures too large for the solver, as ``(file kind, field path, message)`` findings.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (its budgets).
    candidates : CandidatesFile
        The validated candidates (their costs).
    """
    message = f"is more than {MAX_MONEY:,.0f}, beyond what the solver can work with exactly (use a larger money unit)"
    found = [("candidates", ("candidates", i, "cost", j), message)
             for i, cand in enumerate(candidates.candidates) for j, cost in enumerate(cand.cost) if cost > MAX_MONEY]
    budget = scenario.budget
    spots = [(("budget", "total"), budget.total), *_year_caps(("budget", "per_year"), budget.per_year)]
    for partner, pb in budget.per_partner.items():
        spots += [(("budget", "per_partner", partner, "total"), pb.total),
                  *_year_caps(("budget", "per_partner", partner, "per_year"), pb.per_year)]
    found += [("scenario", loc, message) for loc, amount in spots if amount is not None and amount > MAX_MONEY]
    return found


def _year_caps(loc: tuple, caps) -> list[tuple[tuple, float | None]]:
    if isinstance(caps, dict):
        return [((*loc, str(year)), cap) for year, cap in caps.items()]  # a year key is a name: per_year.2028
    return [(loc, caps)]
