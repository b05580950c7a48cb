"""run_map: task order, identical results on 1 and 2 processes and on Dask, errors, Ctrl-C."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorer.defaults import default_scenario
from scorer.errors import SolverError
from scorer.inputs.loading import load_scenario
from scorer.mip.config import SolverConfig
from scorer.robustness.parallel import CHUNKS_PER_WORKER, ClusterError, available_cores, chunks, run_map
from scorer.portfolio.problem import problem_from_inputs
from scorer.portfolio.resolve import Resolver

REPO = Path(__file__).resolve().parents[2]


@functools.cache
def resolver_and_samples(count: int = 24) -> tuple[Resolver, list[np.ndarray]]:
    """A Resolver of the default scenario and seeded perturbed values (drawn before distribution)."""
    from scorer.scoring.score import candidate_values

    inputs = load_scenario(default_scenario())
    values = candidate_values(inputs)
    resolver = Resolver(problem_from_inputs(inputs), values, SolverConfig("highs", 60.0, 0.0, 42))
    rng = np.random.default_rng(2026)
    return resolver, list(values * rng.uniform(0.6, 1.4, (count, len(values))))


def fingerprint(solutions) -> list[tuple]:
    """What an analysis would write: starts, objectives (to the last bit) and statuses of every solve."""
    return [(s.start.tolist(), repr(s.objective), s.status) for s in solutions]


@functools.cache
def sequential() -> list[tuple]:
    resolver, samples = resolver_and_samples()
    return fingerprint(run_map(resolver.solve, samples, workers=1))


# ---------------------------------------------------------------- chunks ---


@pytest.mark.slow
@given(n=st.integers(0, 5000), workers=st.integers(1, 64))
def test_chunks_cover_the_tasks_in_order_and_evenly(n, workers) -> None:
    parts = chunks(n, workers)
    assert [i for part in parts for i in part] == list(range(n))
    sizes = [len(p) for p in parts]
    assert all(s > 0 for s in sizes)
    assert not sizes or max(sizes) - min(sizes) <= 1
    assert len(parts) <= max(1, workers * CHUNKS_PER_WORKER)


def test_in_process_map_keeps_order() -> None:
    assert run_map(abs, [3, -1, -7, 2]) == [3, 1, 7, 2]
    assert run_map(abs, []) == []


@pytest.mark.parametrize("workers", [0, -2, 1.5, True, "2"])
def test_bad_worker_counts_are_refused(workers) -> None:
    with pytest.raises(ClusterError, match="at least 1"):
        run_map(abs, [1], workers=workers)


@pytest.mark.slow
def test_all_cores_means_this_process_affinity() -> None:
    assert 1 <= available_cores() <= (os.cpu_count() or 1)
    assert run_map(abs, list(range(-5, 5)), workers=None) == [abs(i) for i in range(-5, 5)]


# ------------------------------------------------------- local processes ---


@pytest.mark.slow
def test_two_processes_give_identical_results() -> None:
    resolver, samples = resolver_and_samples()
    assert fingerprint(run_map(resolver.solve, samples, workers=2)) == sequential()


@pytest.mark.slow
def test_more_workers_than_tasks_and_order_of_plain_values() -> None:
    tasks = list(range(-40, 40))
    assert run_map(abs, tasks, workers=3) == [abs(t) for t in tasks]
    assert run_map(abs, [-1], workers=4) == [1]


def test_a_worker_error_reaches_the_caller_unchanged() -> None:
    resolver, samples = resolver_and_samples()
    tasks = [samples[0], np.ones(3), samples[1]]
    with pytest.raises(SolverError, match=r"one finite value per candidate \(13\)"):
        run_map(resolver.solve, tasks, workers=2)


@pytest.mark.slow
def test_progress_stays_silent_under_pytest(capfd) -> None:
    run_map(time.sleep, [0.6, 0.6], workers=1, label="napping")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# -------------------------------------------------------------------- Dask ---


@pytest.fixture(scope="module")
def cluster():
    import distributed  # the test extra has it: a missing Dask is a failure, not a skip

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.slow
def test_dask_cluster_gives_identical_results(cluster) -> None:
    resolver, samples = resolver_and_samples()
    t0 = time.perf_counter()
    got = run_map(resolver.solve, samples[:12], scheduler=cluster.scheduler_address)
    assert fingerprint(got) == sequential()[:12]
    assert time.perf_counter() - t0 < 30  # generous: the machine is shared; typically a few seconds


@pytest.mark.slow
def test_dask_task_error_reaches_the_caller(cluster) -> None:
    resolver, samples = resolver_and_samples()
    with pytest.raises(SolverError, match="one finite value per candidate"):
        run_map(resolver.solve, [samples[0], np.ones(2)], scheduler=cluster.scheduler_address)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.serial
@pytest.mark.slow
def test_unreachable_scheduler_is_a_clear_error_within_seconds() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at {address} within 5 s"):
        run_map(abs, [1, 2], scheduler=address)
    assert time.perf_counter() - t0 < 10


@pytest.mark.serial
@pytest.mark.parametrize("address", ["nonsense", "tcp://", "http://host:8786", "tcp://host:port"])
def test_malformed_scheduler_address_is_refused_at_once(address) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match="is not a Dask scheduler address"):
        run_map(abs, [1], scheduler=address)
    assert time.perf_counter() - t0 < 1


def test_a_dying_worker_is_a_clear_error() -> None:
    with pytest.raises(ClusterError, match="a worker process died"):
        run_map(os._exit, [3, 3, 3, 3], workers=2)


def test_missing_dask_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ClusterError, match=r'pip install "coprod\[cluster\]"'):
        run_map(abs, [1], scheduler="tcp://127.0.0.1:8786")


# ----------------------------------------------------------------- Ctrl-C ---

SCRIPT = """
import os, sys, time
from pathlib import Path
from scorer.robustness.parallel import run_map

def nap(i):
    Path(sys.argv[1], str(os.getpid())).touch()
    time.sleep(60)
    return i

if __name__ == "__main__":
    try:
        run_map(nap, list(range(16)), workers=int(sys.argv[2]), label="napping")
    except KeyboardInterrupt:
        print("coprod: interrupted", file=sys.stderr)
        sys.exit(130)
"""


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, ppid in parent.items() if ppid in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.serial
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to follow child processes")
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_quickly_and_leaves_no_processes(tmp_path: Path, workers: int) -> None:
    script = tmp_path / "long_run.py"
    script.write_text(textwrap.dedent(SCRIPT))
    marks = tmp_path / "started"
    marks.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), str(marks), str(workers)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(marks.iterdir())) < workers and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(marks.iterdir())) == workers, "the workers never started"
        children = descendants(proc.pid)
        assert len(children) >= (0 if workers == 1 else workers)
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole group
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.decode() == "coprod: interrupted\n"  # no traceback from the parent or the workers
    assert elapsed < 2.0
    deadline = time.monotonic() + 3
    while any(alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in children if alive(p)] == []
