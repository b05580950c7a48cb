"""The progress bar: only on a terminal, only for long runs, never when turned off, never on stdout."""

from __future__ import annotations

import io
import re

import pytest

import scorer.progress as progress
from scorer.robustness.parallel import run_map
from scorer.progress import ProgressBar, is_terminal

COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, and keeps what was drawn."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress, "monotonic", fake)
    return fake


def run_bar(clock: Clock, stream, *, total: int = 10, wait: float = 1.5, **kwargs) -> ProgressBar:
    """Advance a bar through ``total`` steps, ``wait`` seconds after it was made."""
    with ProgressBar("portfolio samples", total, stream=stream, **kwargs) as bar:
        clock.now += wait
        for i in range(total):
            bar.update(i + 1)
            if i == 0:
                shown = bar.shown
    bar.was_shown = shown
    return bar


def test_long_run_on_a_terminal_draws_the_bar_then_removes_it(clock) -> None:
    screen = Terminal()
    bar = run_bar(clock, screen)
    assert bar.was_shown and not bar.shown
    drawn = screen.getvalue()
    assert "portfolio samples" in drawn and "1/10" in drawn
    assert drawn.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")  # transient: cursor shown again, the line erased


def test_short_run_shows_nothing(clock) -> None:
    screen = Terminal()
    bar = run_bar(clock, screen, wait=0.5)
    assert not bar.was_shown
    assert screen.getvalue() == ""


def test_a_run_finished_before_the_delay_never_flashes(clock) -> None:
    screen = Terminal()
    with ProgressBar("x", 3, stream=screen) as bar:
        bar.update(3)
        clock.now += 5
        bar.update(3)
    assert screen.getvalue() == ""


@pytest.mark.parametrize("stream", [io.StringIO(), None])
def test_not_a_terminal_shows_nothing(clock, stream) -> None:
    bar = run_bar(clock, stream)  # None: standard error, which pytest captures
    assert not bar.was_shown


def test_turned_off_by_the_caller_shows_nothing(clock) -> None:
    screen = Terminal()
    assert not run_bar(clock, screen, enabled=False).was_shown
    assert screen.getvalue() == ""


def test_turned_off_for_the_process_shows_nothing_unless_the_caller_insists(clock) -> None:
    progress.set_enabled(False)
    try:
        assert not run_bar(clock, Terminal()).was_shown
        assert run_bar(clock, Terminal(), enabled=True).was_shown
    finally:
        progress.set_enabled(True)


def test_no_label_or_no_steps_shows_nothing(clock) -> None:
    screen = Terminal()
    with ProgressBar(None, 5, stream=screen) as bar:
        clock.now += 5
        bar.update(1)
    with ProgressBar("x", 0, stream=screen) as empty:
        clock.now += 5
        empty.update(0)
    assert screen.getvalue() == "" and not bar.active and not empty.active


def test_no_color_keeps_the_bar_but_drops_the_colour(clock, monkeypatch) -> None:
    coloured = Terminal()
    run_bar(clock, coloured)
    assert COLOUR.search(coloured.getvalue())
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    assert run_bar(clock, plain).was_shown
    assert "portfolio samples" in plain.getvalue()
    assert not COLOUR.search(plain.getvalue())


def test_stdout_is_never_captured_while_the_bar_is_live(clock, capsys) -> None:
    screen = Terminal()
    with ProgressBar("x", 4, stream=screen) as bar:
        clock.now += 2
        bar.update(1)
        print("data line")
    assert capsys.readouterr().out == "data line\n"
    assert "data line" not in screen.getvalue()


def test_odd_streams_are_not_terminals() -> None:
    class Closed:
        def isatty(self):
            raise ValueError("I/O operation on closed file")

    assert not is_terminal(Closed()) and not is_terminal(None) and not is_terminal(object())
    assert is_terminal(Terminal())


def test_run_map_draws_its_label_on_a_terminal_stderr(clock, monkeypatch, capsys) -> None:
    screen = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", screen)

    def slow_abs(x: int) -> int:
        clock.now += 0.6  # each task "takes" 0.6 s
        return abs(x)

    assert run_map(slow_abs, [-1, -2, -3, -4], label="portfolio samples") == [1, 2, 3, 4]
    assert "portfolio samples" in screen.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", quiet)
    run_map(slow_abs, [-1, -2, -3, -4], label="portfolio samples", progress=False)
    assert quiet.getvalue() == ""
    assert capsys.readouterr().out == ""
