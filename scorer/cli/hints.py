"""The command line's side of the library's terms: which flag changes each setting a message names.

The library names settings as the scenario file spells them
(``solver.time_limit``) or as its functions take them (``steps``) and carries
them on the error or notice (:mod:`scorer.errors`); :func:`hinted` adds the
flags to the one line the user sees.
"""

from __future__ import annotations

from collections.abc import Iterable

# A setting the library names -> the flag that changes it on the command line.
FLAGS = {
    "solver.time_limit": "--time-limit",
    "robustness.concentration": "--concentration",
    "robustness.weight_ranges": "--weight-range",
    "robustness.score_distribution": "--score-dist",
    "robustness.portfolio_samples": "--portfolio-samples",
    "weights": "-w",
    "budget.total": "--budget",
    "year_caps": "--year-cap",
    "at": "--at",
    "steps": "--steps",
    "year": "--year",
    "start": "--from",
    "stop": "--to",
    "k": "-k",
    "explain": "--explain",
    "objective": "--objective",
    "slices": "--slices",
    "force": "--force",
    "format": "--format",
    "output": "-o",
    "currency": "--currency",
}

# Where a command spells a setting its own way: report explains and analyses robustness
# unless told not to.
COMMAND_FLAGS = {
    ("report", "explain"): "--no-explain",
    ("report", "robustness"): "--no-robustness",
}


def flag(setting: str, command: str | None = None) -> str | None:
    """The flag of ``setting`` on ``command`` (a sub-command's name), or None if it has none."""
    return COMMAND_FLAGS.get((command, setting), FLAGS.get(setting))


def hinted(message: str, settings: Iterable[str], command: str | None = None) -> str:
    """``message`` with the flags of the settings it names: ``...; on the command line: --time-limit``."""
    flags = list(dict.fromkeys(f for f in (flag(s, command) for s in settings) if f))
    return f"{message}; on the command line: {', '.join(flags)}" if flags else str(message)
