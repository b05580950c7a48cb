"""No process coprod starts outlives it, whatever signal ends it (scorer.lifetime).

Each test runs the installed executable in a session of its own, so that its
process group (its pid) holds coprod, multiprocessing's resource tracker, the
forkserver and the workers; waits until the sweep's workers run; signals
coprod's pid alone (not the group, as ``kill PID`` or the OOM killer would);
and checks that within 2 s nothing of the group is left and that coprod's
standard output, a pipe as in ``coprod ... | cat``, has reached end of file.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Every test here takes seconds (measured with --durations) and times how fast a process ends: alone.
pytestmark = [pytest.mark.slow, pytest.mark.serial]


COPROD = Path(sys.executable).with_name("coprod")
WITHIN = 2.0  # the bound from the signal to the last process's end
STARTUP = 90.0  # interpreter, imports, loading and the pool's start, on 2 shared cores

SWEEPS = {
    "sensitivity": ["sensitivity", "scenario.yaml", "--samples", "2000", "--portfolio-samples", "2000",
                    "--workers", "2", "-o", "out.json"],
    "frontier": ["frontier", "scenario.yaml", "--steps", "200", "--workers", "2", "-o", "out.csv"],
}


@pytest.fixture(scope="module")
def hard(write_hard_scenario, tmp_path_factory) -> Path:
    # Solves of up to 4 s: the workers are inside HiGHS (native code) when coprod is killed.
    return write_hard_scenario(tmp_path_factory.mktemp("lifetime"), n=400, time_limit=4)


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process: pid -> (state, parent pid, process group), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            found[int(entry.name)] = (fields[0], int(fields[1]), int(fields[2]))
    return found


def group(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (a zombie has ended; only its entry waits)."""
    return sorted(pid for pid, (state, _, pg) in processes().items() if pg == pgid and state != "Z")


def workers(pgid: int) -> list[int]:
    """Processes of the group whose parent is in the group but is not its leader: the forkserver's children."""
    table = processes()
    members = {pid for pid, (state, _, pg) in table.items() if pg == pgid and state != "Z"}
    return [pid for pid in members if table[pid][1] in members - {pgid}]


def reaches_eof(stream, deadline: float) -> bool:
    """Whether the pipe ``stream`` reaches end of file before ``deadline`` (what ``| cat`` waits for)."""
    fd = stream.fileno()
    os.set_blocking(fd, False)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                if not os.read(fd, 1 << 16):
                    return True
            except BlockingIOError:
                pass
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find coprod's processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("sweep", sorted(SWEEPS))
def test_no_process_outlives_coprod(hard, sweep, sig, tmp_path):
    log = (tmp_path / "stderr").open("wb")
    proc = subprocess.Popen([str(COPROD), *SWEEPS[sweep]], cwd=hard.parent, stdout=subprocess.PIPE,
                            stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    pgid = proc.pid
    try:
        deadline = time.monotonic() + STARTUP
        while len(workers(pgid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert len(workers(pgid)) >= 2, f"the workers never started: {proc.poll()}, {group(pgid)}"
        time.sleep(0.5)  # well into their solves
        started = group(pgid)
        os.kill(proc.pid, sig)  # coprod alone
        sent = time.monotonic()
        proc.wait(timeout=WITHIN)
        eof = reaches_eof(proc.stdout, sent + WITHIN)
        left = group(pgid)
        while left and time.monotonic() < sent + WITHIN:
            time.sleep(0.05)
            left = group(pgid)
        print(f"{len(started)} processes; {len(left)} left {time.monotonic() - sent:.2f} s after {sig.name}")
        assert not left, f"{len(left)} of {started} outlived coprod by {WITHIN} s: {left}"
        assert eof, "coprod's standard output was still open 2 s after it was killed"
    finally:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        log.close()


def blocked_signals(pid: int) -> int:
    """The signal mask of ``pid`` (bit n-1 for signal n), from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return int(line.split()[1], 16)
    raise AssertionError(f"no SigBlk line for {pid}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find coprod's processes")
def test_the_forkserver_and_the_workers_never_see_ctrl_c(hard):
    # The terminal sends Ctrl-C to the whole group; only coprod may report it (no traceback from a
    # forkserver still importing or a worker still starting), so it is blocked in them from their start.
    proc = subprocess.Popen([str(COPROD), *SWEEPS["frontier"]], cwd=hard.parent, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP
        while len(workers(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        found = workers(proc.pid)
        assert len(found) >= 2, "the workers never started"
        forkserver = processes()[found[0]][1]
        masks = {pid: blocked_signals(pid) for pid in [forkserver, *found]}
        assert not blocked_signals(proc.pid) & 1 << (signal.SIGINT - 1), "coprod itself must hear Ctrl-C"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert all(mask & 1 << (signal.SIGINT - 1) for mask in masks.values()), masks


STOPPED = """
import os, sys, time
from multiprocessing import forkserver
from scorer.robustness.parallel import run_map

def nap(i):
    time.sleep(60)

if __name__ == "__main__":
    try:
        run_map(nap, list(range(8)), workers=2)
    except KeyboardInterrupt:
        pid = forkserver._forkserver._forkserver_pid
        time.sleep(0.2)
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] if os.path.exists(f"/proc/{pid}") else "gone"
        print(state)
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see the forkserver")
def test_ctrl_c_ends_the_forkserver_before_run_map_returns(tmp_path):
    # A worker still starting when Ctrl-C comes is unknown to the pool; ended with the forkserver at once,
    # it cannot start after coprod has removed the pool's semaphores (a SemLock traceback).
    script = tmp_path / "nap.py"
    script.write_text(STOPPED)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP
        while len(workers(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert len(workers(proc.pid)) >= 2, "the workers never started"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    assert out.decode().strip() in ("Z", "gone"), (out, err)  # dead: a zombie until coprod's exit, or reaped
