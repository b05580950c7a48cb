"""A progress bar on standard error for runs long enough to need one.

The bar appears only when all of these hold: the caller (ultimately the
user, through ``-q/--quiet``) has not turned it off, standard error is a
terminal, and the run has already taken longer than :data:`DELAY` seconds.
Short runs, pipes, files, CliRunner and pytest therefore never see it, and
standard output is never touched. ``NO_COLOR`` only turns colour off (rich
honours it); it does not hide the bar.
"""

from __future__ import annotations

import sys
from time import monotonic
from typing import IO, Any

# Runs shorter than this show nothing: a bar that flashes is noise.
DELAY = 1.0

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn progress bars on or off for this process (the CLI passes ``not quiet``)."""
    global _enabled
    _enabled = bool(enabled)


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is an interactive terminal (False for anything odd)."""
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class ProgressBar:
    """Progress of ``total`` steps, drawn with rich once the run is long enough.

    Use as a context manager and call :meth:`update` with the number of
    steps done, as often as convenient (it is cheap when nothing is shown).

    Parameters
    ----------
    label : str or None
        What is being done ("portfolio samples"); None shows nothing.
    total : int
        Steps in the run.
    enabled : bool or None
        False never shows a bar; None follows :func:`set_enabled`.
    stream : file, optional
        Where to draw (default: standard error at the time of the call).
    delay : float
        Seconds before the bar may appear.
    """

    def __init__(self, label: str | None, total: int, *, enabled: bool | None = None,
                 stream: IO[str] | None = None, delay: float = DELAY):
        self.label = label
        self.total = max(int(total), 0)
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        wanted = _enabled if enabled is None else enabled
        self.active = bool(wanted and label and self.total and is_terminal(self.stream))
        self.done = 0
        self._start = monotonic()
        self._bar: Any = None
        self._task: Any = None

    @property
    def shown(self) -> bool:
        """Whether the bar is on screen."""
        return self._bar is not None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, done: int) -> None:
        """Record ``done`` steps finished; draw the bar if it is due."""
        self.done = int(done)
        if not self.active:
            return
        if self._bar is None:
            if monotonic() - self._start < self.delay or self.done >= self.total:
                return
            self._open()
        self._bar.update(self._task, completed=self.done)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(file=self.stream, stderr=True)
        # transient: the bar disappears at the end, leaving the terminal as the command's output left it.
        # No redirection: rich would otherwise capture standard output (the data) while the bar is live.
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(), console=console, transient=True,
                             redirect_stdout=False, redirect_stderr=False)
        self._task = self._bar.add_task(str(self.label), total=self.total, completed=self.done)
        self._bar.start()

    def close(self) -> None:
        """Remove the bar (idempotent)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
