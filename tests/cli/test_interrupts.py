"""Ctrl-C during a solve or a sweep: out within a second, exit 130, one line, no file.

These run the real ``coprod`` executable (the console script next to the
interpreter running the tests) on a hard generated instance with a long time
limit, send SIGINT once the work is under way, and measure how long the
process takes to exit after the signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testkit import children, group

# Timing: each test measures how fast coprod reacts to a signal, so it runs alone (see README).
pytestmark = pytest.mark.serial


COPROD = Path(sys.executable).with_name("coprod")
STARTUP = 5.0  # seconds before the signal: interpreter start, imports, loading (2 cores shared)
WITHIN = 1.0  # the bound from the signal to the exit


@pytest.fixture(scope="module")
def hard(write_hard_scenario, tmp_path_factory) -> Path:
    # Each solve stops after 4 s at the latest, so a test of a broken guard fails in seconds, not minutes.
    return write_hard_scenario(tmp_path_factory.mktemp("interrupt"), n=400, time_limit=4)


def interrupt(args: list[str], cwd: Path) -> tuple[int, float, str]:
    """Start coprod, SIGINT it after :data:`STARTUP` s; return exit code, seconds to exit, stderr."""
    proc = subprocess.Popen([str(COPROD), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "COLUMNS": "100"})
    try:
        time.sleep(STARTUP)
        assert proc.poll() is None, f"finished before the signal: {proc.communicate()}"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        return proc.returncode, time.monotonic() - sent, err.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_interrupted(code: int, seconds: float, stderr: str, folder: Path, before: set[str]) -> None:
    print(f"exit {code} {seconds:.3f} s after SIGINT")  # the measurement, shown with pytest -s
    assert code == 130, stderr
    assert stderr.splitlines()[-1:] == ["coprod: interrupted"], stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert {p.name for p in folder.iterdir()} == before, "an output or temporary file was left"
    assert seconds < WITHIN, f"took {seconds:.2f} s to stop after Ctrl-C"


@pytest.mark.slow
def test_ctrl_c_stops_optimize_within_a_second(hard):
    folder = hard.parent
    before = {p.name for p in folder.iterdir()}
    code, seconds, err = interrupt(["optimize", hard.name, "--time-limit", "10", "-o", "out.json",
                                    "--schedule", "sched.csv"], folder)
    check_interrupted(code, seconds, err, folder, before)


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_a_sensitivity_sweep_within_a_second(hard, workers):
    folder = hard.parent
    before = {p.name for p in folder.iterdir()}
    code, seconds, err = interrupt(["sensitivity", hard.name, "--samples", "2000", "--portfolio-samples", "2000",
                                    "--workers", workers, "-o", "out.json"], folder)
    check_interrupted(code, seconds, err, folder, before)


@pytest.mark.slow
def test_ctrl_c_stops_a_frontier_sweep_within_a_second(hard):
    folder = hard.parent
    before = {p.name for p in folder.iterdir()}
    code, seconds, err = interrupt(["frontier", hard.name, "--steps", "200", "--workers", "2", "-o", "out.csv"], folder)
    check_interrupted(code, seconds, err, folder, before)


def solver_children(parent: int) -> list[int]:
    """Pids of the isolated-solve children (``scorer.mip.child``) whose parent is ``parent``."""
    return [pid for pid, cmd in children(parent).items() if b"child_main" in cmd]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return " Z " not in stat  # a zombie has ended; only its entry waits to be collected


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the solver's child")
def test_ctrl_c_stops_a_large_solve_in_its_child_process_within_a_second(write_hard_scenario, tmp_path):
    # 2,000 candidates x 15 years: over 20,000 start options, so the solve runs in a child process.
    scenario = write_hard_scenario(tmp_path, n=2000, time_limit=30)
    before = {p.name for p in tmp_path.iterdir()}
    proc = subprocess.Popen([str(COPROD), "optimize", scenario.name, "-o", "out.json"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 30
        while not children and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            children = solver_children(proc.pid)
        assert children, f"no solver child appeared: {proc.poll()}"
        time.sleep(1.0)  # well into the solve
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        seconds = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check_interrupted(proc.returncode, seconds, err.decode(), tmp_path, before)
    assert not any(alive(pid) for pid in children), "the solver's child outlived coprod"


def test_ctrl_c_during_validate_is_reported_like_every_other_command(case, monkeypatch):
    from click.testing import CliRunner

    import scorer.cli.commands.inputs as inputs_command
    from scorer.cli.group import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(inputs_command, "load", interrupted)
    result = CliRunner().invoke(main, ["validate", str(case.path)], prog_name="coprod")
    assert (result.exit_code, result.stderr) == (130, "coprod: interrupted\n")


# ------------------------------------------------- Ctrl-C while starting up ---

EARLY = {  # the default scenario, so that the pool starts within seconds
    "sensitivity": ["sensitivity", "--samples", "200", "--portfolio-samples", "200", "--workers", "2", "-o", "out.json"],
    "report": ["report", "--workers", "2", "-o", "rep"],
}


def ctrl_c(args: list[str], cwd: Path, when) -> tuple[int, str, dict]:
    """Start coprod in a session of its own, call ``when(proc)`` (it waits), then SIGINT its whole process
    group as a terminal does; return the exit code, stderr and what of the group is left 2 s later."""
    proc = subprocess.Popen([str(COPROD), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        when(proc)
        assert proc.poll() is None, f"finished before the signal: {proc.communicate()}"
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 2.0
        while group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        return proc.returncode, err.decode(), group(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def check_quiet(code: int, stderr: str, left: dict) -> None:
    assert code == 130, stderr
    assert stderr.splitlines()[-1:] == ["coprod: interrupted"], stderr
    for word in ("Traceback", "KeyboardInterrupt", "SemLock", "Error"):
        assert word not in stderr, stderr
    assert not left, f"left running: {left}"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find coprod's processes")
@pytest.mark.parametrize("delay", [0.2, 0.5, 1.0])
@pytest.mark.parametrize("command", sorted(EARLY))
def test_ctrl_c_in_the_first_second_ends_quietly(tmp_path, command, delay):
    # Mostly the imports on this machine; on a faster one the pool's start.
    check_quiet(*ctrl_c(EARLY[command], tmp_path, lambda proc: time.sleep(delay)))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find coprod's processes")
@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("command", sorted(EARLY))
def test_ctrl_c_while_the_workers_start_ends_quietly(tmp_path, command, delay):
    def after_the_forkserver_starts(proc):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(b"multiprocessing.forkserver" in cmd for cmd in group(proc.pid).values()):
                break
            time.sleep(0.02)
        time.sleep(delay)  # its imports take a second or more, then it forks the workers

    check_quiet(*ctrl_c(EARLY[command], tmp_path, after_the_forkserver_starts))
