"""The one exception hierarchy of coprod.

Every error a user can cause derives from :class:`CoprodError`; the command
line turns it into a one-line message on stderr and exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass


class CoprodError(Exception):
    """Base class of every error coprod reports to a user."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file.

    Attributes
    ----------
    file : str
        The file as shown to the user.
    line : int or None
        1-based line number, when the place exists in the file.
    path : str
        Field path such as ``candidates[3].scores.standardization`` (may be "").
    message : str
        What is wrong, in the user's terms.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(CoprodError):
    """One or more problems in the input files."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__(self._summary())

    def _summary(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        return first if not more else f"{first} (and {more} more; run 'coprod validate' to list them)"


def _problem_order(p: Problem) -> tuple:
    return (p.file, p.line if p.line is not None else 0, p.path, p.message)


class ScoringError(CoprodError):
    """The scoring request cannot be carried out (e.g. an unknown weight override)."""


class InfeasibleError(CoprodError):
    """No portfolio satisfies every limit; the message names the conflict."""


class SolverError(CoprodError):
    """The solver failed, or returned an answer that does not pass the independent check."""


class OutputError(CoprodError):
    """An output cannot be written where the user asked."""


class ClusterError(CoprodError):
    """The work cannot be distributed: Dask missing, scheduler unreachable, bad worker count."""


class UsageError(OutputError):
    """The command line itself is wrong (e.g. two outputs named the same file); exit code 2."""

    exit_code = 2
