"""The one exception hierarchy of coprod.

Every error a user can cause derives from :class:`CoprodError`; the command
line turns it into a one-line message on stderr and exit code 1, input text in
it shown by :func:`one_line` (control characters as visible escapes).

The library speaks its own terms: a message names a setting as the scenario
file spells it (``solver.time_limit``) or as the library's functions take it
(``steps``), never a command-line flag, and carries the settings it names as
data (:attr:`CoprodError.settings`, :class:`Notice`), so that a front end can
add its own way of changing each (``scorer.cli.hints``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any

# What a message shows as an escape: C0 (newline, CR, tab, ESC, BEL...), DEL, C1 (CSI 0x9b...),
# line and paragraph separators, format characters (bidi overrides) and lone surrogates.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                      "\ufeff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(value: Any) -> str:
    """Text for a one-line message on a terminal: every control character as a visible escape.

    A newline reads ``\\n`` and ESC ``\\x1b``, so a name from an input file can
    neither start a terminal sequence nor forge another line of the output.
    """
    text = "" if value is None else str(value)
    return _UNSHOWN.sub(lambda m: _NAMED.get(m.group()) or _escape(m.group()), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class CoprodError(Exception):
    """Base class of every error coprod reports to a user.

    Parameters
    ----------
    *args
        The message, in the library's terms (see the module's docstring).
    settings : iterable of str
        The settings the message names that the user can change to get past
        the error (``"solver.time_limit"``), in the order the message names them.
    """

    def __init__(self, *args: Any, settings: Iterable[str] = ()):
        super().__init__(*args)
        self.settings: tuple[str, ...] = tuple(settings)


class Notice(str):
    """A warning or note the library returns, with the settings it names (see :class:`CoprodError`).

    A ``str``, so it prints as is wherever text is expected; like any string
    it loses ``settings`` once concatenated or formatted into another.
    """

    settings: tuple[str, ...]

    def __new__(cls, text: str, settings: Iterable[str] = ()) -> Notice:
        notice = super().__new__(cls, text)
        notice.settings = tuple(settings)
        return notice


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
        # One line whatever the file holds: a key or value with a newline or ESC is shown escaped.
        return ": ".join(one_line(part) for part in (where, self.path, self.message) if part)


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
    return (p.file, p.line if p.line is not None else 0, _natural(p.path), p.message)


def _natural(path: str) -> tuple:
    """A path's parts with its numbers as numbers: ``row 2`` before ``row 10``, ``candidates[2]`` before ``[10]``."""
    # Digit runs (odd places of the split) compare by length, then text: no int(), which
    # Python refuses past 4,300 digits, and only ASCII digits ('²' is no number here).
    parts = re.split(r"([0-9]+)", path)
    return tuple((len(part.lstrip("0")), part.lstrip("0"), part) if i % 2 else part for i, part in enumerate(parts))


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
    """The request itself is wrong (e.g. two outputs named the same file), whatever the files hold.

    The command line reports it as a usage error (exit code 2), not as bad input.
    """
