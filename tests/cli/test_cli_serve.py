"""``coprod serve`` as a user starts it: the installed executable in a subprocess, on a free port.

What is held here is the command's side of the page, which the in-process
API tests (``tests/web/test_app.py``, Starlette's test client) cannot see:
the address line on stderr (and nothing on stdout), the token in that
address, the refusals before the server starts (a bad ``--token``, a port in
use, a missing scenario), the warning of a non-loopback ``--host``, and how
the process ends: Ctrl-C (exit 130, one line, quickly, also while a solve is
running, whose request then gets a 503 instead of hanging), SIGTERM (ends by
that signal) and SIGKILL (nothing is left: no process of its group, no solver
child, no listener on the port).

Each server runs in a session of its own (``start_new_session``), as under a
terminal, so its process group can be checked in ``/proc`` afterwards; the
large solves' child (``scorer.mip.child``) starts a session of its own too,
so it is found by its parent pid instead.

The long solves use the hard generated scenario (``write_hard_scenario``)
with its budget lifted, so that the file as written is trivial: ``coprod
serve`` solves the scenario as written before it prints its address (twice:
once for the baseline, once for the live model's start; measured ~40 s with
``--time-limit 20`` on the hard file as written), while the request body puts
the hard limits back (the total and every year's cap; the total alone is a
single knapsack, solved in under a second) and runs to the time limit.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from testkit import children, group, processes

COPROD = Path(sys.executable).with_name("coprod")
ADDRESS = re.compile(r"coprod: serving (http://\S+)")
# HiGHS prints its banner on stderr when the first solver is made; only -q silences it (tests/cli/test_stdio.py).
BANNER = ("Running HiGHS", "Includes third-party software")
STARTUP = 60.0  # seconds to wait for the address line (interpreter, imports, load and solve; 2 shared cores)
SIGNALS = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find coprod's processes")


# ------------------------------------------------------------------ helpers ---

@dataclass
class Served:
    """A running ``coprod serve`` and what it printed so far (threads keep reading both pipes)."""

    proc: subprocess.Popen
    url: str = ""
    host: str = ""
    port: int = 0
    token: str = ""
    lines: queue.Queue = field(default_factory=queue.Queue)
    err: list[str] = field(default_factory=list)
    out: list[bytes] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)
    solvers: set[int] = field(default_factory=set)  # the solver children seen (killed after the test if left)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def call(self, method: str, path: str, body: object | None = None, *, token: str | None = None,
             headers: dict | None = None, timeout: float = 30) -> tuple[int, str, bytes]:
        """(status, content type, body) of one request; ``token`` defaults to the served one ('' for none)."""
        token = self.token if token is None else token
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            sent = {} if body is None else {"Content-Type": "application/json", "Origin": self.origin}
            query = f"?{urlencode({'token': token})}" if token else ""
            conn.request(method, path + query, body=None if body is None else json.dumps(body).encode(),
                         headers={**sent, **(headers or {})})
            answer = conn.getresponse()
            return answer.status, answer.getheader("content-type", ""), answer.read()
        finally:
            conn.close()

    def wait(self, timeout: float) -> tuple[int, str, bytes]:
        """Exit code, all of stderr and all of stdout once the process has ended."""
        code = self.proc.wait(timeout=timeout)
        for reader in self.readers:
            reader.join(timeout=10)
        return code, "".join(self.err), b"".join(self.out)


def start(args: list[str], cwd: Path) -> Served:
    """``coprod serve ARGS`` in a session of its own, stdout and stderr read by threads as they come."""
    assert COPROD.exists(), f"install the package first: no {COPROD}"
    proc = subprocess.Popen([str(COPROD), "serve", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    served = Served(proc)

    def read_err() -> None:
        for raw in proc.stderr:
            line = raw.decode("utf-8", errors="replace")
            served.err.append(line)
            served.lines.put(line)
        served.lines.put(None)

    def read_out() -> None:
        for chunk in iter(lambda: proc.stdout.read1(65536), b""):
            served.out.append(chunk)

    served.readers = [threading.Thread(target=read_err, daemon=True), threading.Thread(target=read_out, daemon=True)]
    for reader in served.readers:
        reader.start()
    return served


def address(served: Served) -> Served:
    """Wait for the address line on stderr and take the host, port and token from it."""
    deadline = time.monotonic() + STARTUP
    while True:
        try:
            line = served.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise AssertionError(f"no address line in {STARTUP:g} s:\n{''.join(served.err)}") from None
        if line is None:
            raise AssertionError(f"ended ({served.proc.wait()}) without an address:\n{''.join(served.err)}")
        found = ADDRESS.fullmatch(line.rstrip("\n"))
        if found:
            break
    served.url = found.group(1)
    parts = urlsplit(served.url)
    assert (parts.scheme, parts.path, parts.fragment) == ("http", "/", ""), served.url
    query = parse_qs(parts.query, strict_parsing=True)
    assert list(query) == ["token"] and len(query["token"]) == 1, served.url
    served.host, served.port, served.token = parts.hostname, parts.port, query["token"][0]
    return served


@pytest.fixture
def serve(tmp_path):
    """``serve(*args, cwd=None, wait=True)``: a started server (with its address unless ``wait=False``).

    Whatever a test leaves running is killed with its whole group afterwards.
    """
    started: list[Served] = []

    def run(*args: str, cwd: Path | None = None, wait: bool = True) -> Served:
        served = start(list(args), cwd or tmp_path)
        started.append(served)
        return address(served) if wait else served

    yield run
    for served in started:
        # The solver's child is in a session of its own: killed by pid (a failed test leaves none either).
        if served.proc.poll() is None:
            served.solvers |= set(children(served.proc.pid))
        try:
            os.killpg(served.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid, cmdline in among(served.solvers).items():
            if b"scorer.mip.child" in cmdline:  # still that process, not a new one with its pid
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        served.proc.wait()


def coprod_lines(stderr: str) -> list[str]:
    """Stderr's lines without the HiGHS banner."""
    return [line for line in stderr.splitlines() if not line.startswith(BANNER)]


def among(pids) -> dict[int, bytes]:
    """Which of ``pids`` still run."""
    pids = set(pids)
    return processes(lambda pid, f: pid in pids)


def left_after(seconds: float, *checks) -> dict[int, bytes]:
    """What ``checks`` (each returning live processes) still find once they find nothing, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        left = {pid: cmd for check in checks for pid, cmd in check().items()}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on ``port`` now (bound as serve.py binds: SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(1)
        except OSError:
            return False
        return True


def check_no_traceback(stderr: str) -> None:
    for word in ("Traceback", "KeyboardInterrupt", "Exception", "Error:"):
        assert word not in stderr, stderr


# ------------------------------------------------ the scenario of long solves ---

@dataclass(frozen=True)
class LongSolve:
    """A scenario trivial as written, and a request body that makes its solve run to the time limit."""

    scenario: Path
    body: dict


def long_solve(write_hard_scenario, folder: Path, years: int = 15) -> LongSolve:
    """The hard scenario with every money limit lifted (per-partner caps dropped: no request sets them);
    the body asks for its total and yearly caps again (measured: still at its 0.05 % gap after 20 s)."""
    scenario = write_hard_scenario(folder, n=400, time_limit=30, years=years)
    text = scenario.read_text()
    total = float(re.search(r"\n  total: (\S+)\n", text).group(1))
    cap = float(re.search(r"\n  per_year: (\S+)\n", text).group(1))
    loose, n = re.subn(r"budget:\n(?:  .*\n)+", "budget:\n  total: 100000000\n  per_year: 10000000\n", text)
    assert n == 1, text
    scenario.write_text(loose)
    body = {"budget": total, "year_caps": {str(2026 + t): cap for t in range(years)}}
    return LongSolve(scenario, body)


@pytest.fixture(scope="module")
def solve_in_process(write_hard_scenario, tmp_path_factory) -> LongSolve:
    """400 candidates over 15 years: the solve runs in the server's solving thread."""
    return long_solve(write_hard_scenario, tmp_path_factory.mktemp("in-process"))


@pytest.fixture(scope="module")
def solve_in_child(write_hard_scenario, tmp_path_factory) -> LongSolve:
    """400 candidates over 60 years: over 20,000 start options, so the solve runs in a child process."""
    return long_solve(write_hard_scenario, tmp_path_factory.mktemp("in-child"), years=60)


def ask_in_background(served: Served, body: dict) -> tuple[threading.Thread, dict]:
    """POST /api/evaluate from a thread, as the page does; the dict gets ``answer`` or ``error``."""
    result: dict = {}

    def ask() -> None:
        try:
            result["answer"] = served.call("POST", "/api/evaluate", body, timeout=60)
        except (OSError, http.client.HTTPException) as exc:
            result["error"] = exc

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, result


def mid_solve(served: Served, body: dict, seconds: float = 2.0) -> tuple[threading.Thread, dict]:
    """Ask for a long solve and wait ``seconds``: the request must still be waiting then."""
    thread, result = ask_in_background(served, body)
    time.sleep(seconds)
    assert served.proc.poll() is None, served.wait(5)
    assert not result, f"answered before the signal (the solve was meant to be long): {result}"
    return thread, result


def signal_and_time(served: Served, signum: int, timeout: float = 30) -> tuple[int, float, str, bytes]:
    """Send ``signum`` (SIGINT to the process group, as a terminal's Ctrl-C; others to the process)."""
    sent = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(served.proc.pid, signum)
    else:
        served.proc.send_signal(signum)
    code, err, out = served.wait(timeout)
    return code, time.monotonic() - sent, err, out


def check_stopped(stopped: tuple[int, float, str, bytes], signum: int, within: float) -> None:
    """The server ended as that signal asks, within ``within`` s: Ctrl-C with exit 130 and its one line,
    SIGTERM by that signal; no traceback and nothing on stdout either way."""
    code, seconds, err, out = stopped
    print(f"exit {code} {seconds:.3f} s after {signal.Signals(signum).name}")
    if signum == signal.SIGINT:
        assert code == 130, err
        assert err.splitlines()[-1:] == ["coprod: interrupted"], err
    else:
        assert code == -signum, err
    check_no_traceback(err)
    assert out == b""
    assert seconds < within, f"took {seconds:.2f} s to stop after {signal.Signals(signum).name}"


def stopping_answer(result: dict) -> None:
    """The in-flight request was answered 503 "the server is stopping" (JSON), not dropped."""
    assert "answer" in result, f"the request waiting on the solve got no answer: {result}"
    status, kind, data = result["answer"]
    assert status == 503, (status, data)
    assert kind.startswith("application/json"), kind
    assert json.loads(data)["error"] == "the server is stopping", data


# ----------------------------------------------------------- the address ---

@pytest.mark.slow
def test_the_address_is_on_stderr_and_the_token_opens_it(serve) -> None:
    served = serve("--port", "0")
    assert served.host == "127.0.0.1" and served.port > 0
    status, kind, data = served.call("GET", "/api/scenario")
    assert status == 200 and kind.startswith("application/json"), (status, data)
    document = json.loads(data)
    assert document["criteria"] and document["candidates"]
    status, kind, data = served.call("GET", "/")
    assert status == 200 and kind.startswith("text/html"), status
    # Without the token, or with another: 401 with a JSON message; the page itself is refused too.
    for token in ("", served.token[:-1] + ("A" if served.token[-1] != "A" else "B")):
        status, _, data = served.call("GET", "/api/scenario", token=token)
        assert status == 401, (token, status, data)
        assert "token" in json.loads(data)["error"]
    assert served.call("GET", "/", token="")[0] == 401
    os.killpg(served.proc.pid, signal.SIGINT)
    code, err, out = served.wait(30)
    assert code == 130, err
    assert out == b"", f"stdout is for data only: {out!r}"
    lines = coprod_lines(err)
    assert lines.count(f"coprod: serving {served.url}") == 1, err
    assert not any("warning" in line for line in lines), err
    check_no_traceback(err)


@pytest.mark.slow
def test_token_option_fixes_the_token(serve) -> None:
    served = serve("--port", "0", "--token", "abcdefgh12")
    assert served.token == "abcdefgh12", served.url
    assert served.call("GET", "/api/scenario")[0] == 200
    assert served.call("GET", "/api/scenario", token="abcdefgh13")[0] == 401
    assert served.call("GET", "/api/scenario", token="", headers={"Authorization": "Bearer abcdefgh12"})[0] == 200


@pytest.mark.slow
def test_without_token_each_run_has_a_new_random_one(serve) -> None:
    first, second = serve("--port", "0", wait=False), serve("--port", "0", wait=False)  # started side by side
    tokens = [address(first).token, address(second).token]
    assert tokens[0] != tokens[1], tokens
    for served in (first, second):
        assert re.fullmatch(r"[A-Za-z0-9._~-]{16,200}", served.token), served.token
        assert served.call("GET", "/api/scenario")[0] == 200
    # Each server knows its own token only.
    assert first.call("GET", "/api/scenario", token=second.token)[0] == 401


# ---------------------------------------------------------- refusals ---

@pytest.mark.slow
@pytest.mark.parametrize("token", ["a b", "short12", "tok?en=1"])  # a space, too short, breaks the address
def test_a_bad_token_is_a_usage_error(tmp_path, token) -> None:
    done = subprocess.run([str(COPROD), "serve", "--port", "0", "--token", token], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: Invalid value for '--token': must be 8 to 200 of the characters "
                      "A-Z a-z 0-9 . _ ~ - (it goes into the address)"], done.stderr
    assert "coprod: serving" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_port_in_use_is_refused_in_one_line(tmp_path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([str(COPROD), "serve", "--port", str(port)], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = coprod_lines(done.stderr)
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("coprod: error: cannot listen on ") and f"127.0.0.1:{port}" in lines[0], lines
    assert "in use" in lines[0], lines
    check_no_traceback(done.stderr)


@pytest.mark.slow
def test_a_missing_scenario_is_the_usual_input_error(tmp_path) -> None:
    # As every other command: exit 1 and "coprod: error: PATH: file not found" (here checked against validate).
    usual = subprocess.run([str(COPROD), "validate", "nope.yaml"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    done = subprocess.run([str(COPROD), "serve", "nope.yaml", "--port", "0"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert usual.returncode == 1
    assert done.returncode == usual.returncode, done.stderr
    assert done.stdout == ""
    assert coprod_lines(done.stderr) == ["coprod: error: nope.yaml: file not found"], done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------- another host ---

@pytest.mark.slow
def test_any_other_host_than_loopback_warns_that_other_machines_can_reach_the_page(serve) -> None:
    served = serve("--host", "0.0.0.0", "--port", "0")
    os.killpg(served.proc.pid, signal.SIGINT)  # stopped at once: nothing needs to reach it
    code, err, _ = served.wait(30)
    lines = coprod_lines(err)
    warning = "coprod: warning: listening on 0.0.0.0: other machines can reach the page (anyone with its address " \
              "and token)"
    assert warning in lines, err
    assert lines.index(warning) < lines.index(f"coprod: serving {served.url}"), err  # said before the address
    assert served.host == "0.0.0.0"
    assert code == 130, err


# ------------------------------------------------------- how it ends ---

@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_ctrl_c_while_idle_exits_130_at_once_and_leaves_nothing(serve) -> None:
    served = serve("--port", "0")
    assert served.call("GET", "/api/scenario")[0] == 200
    check_stopped(signal_and_time(served, signal.SIGINT), signal.SIGINT, within=2.0)
    assert not left_after(2.0, lambda: group(served.proc.pid)), "left running"


@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_ctrl_c_during_a_long_solve_answers_503_and_exits_130(serve, solve_in_process) -> None:
    served = serve(str(solve_in_process.scenario), "--port", "0", "--time-limit", "20")
    thread, result = mid_solve(served, solve_in_process.body)
    stopped = signal_and_time(served, signal.SIGINT)
    thread.join(timeout=10)
    check_stopped(stopped, signal.SIGINT, within=3.0)
    stopping_answer(result)
    assert not left_after(2.0, lambda: group(served.proc.pid)), "left running"


@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_sigterm_while_idle_ends_by_that_signal(serve) -> None:
    served = serve("--port", "0")
    check_stopped(signal_and_time(served, signal.SIGTERM), signal.SIGTERM, within=3.0)
    assert not left_after(2.0, lambda: group(served.proc.pid)), "left running"


@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_sigterm_during_a_solve_in_a_child_ends_both(serve, solve_in_child) -> None:
    served = serve(str(solve_in_child.scenario), "--port", "0", "--time-limit", "20")
    thread, result = mid_solve(served, solve_in_child.body)
    solvers = children(served.proc.pid)
    served.solvers |= set(solvers)
    assert solvers, "no solver child: the scenario was meant to be solved in a child process"
    stopped = signal_and_time(served, signal.SIGTERM)
    thread.join(timeout=10)
    check_stopped(stopped, signal.SIGTERM, within=3.0)
    stopping_answer(result)
    assert not left_after(2.0, lambda: group(served.proc.pid), lambda: among(solvers)), "left running"


@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_sigkill_while_idle_leaves_no_process_and_frees_the_port(serve) -> None:
    served = serve("--port", "0")
    assert not port_is_free(served.port)  # the check can fail: the server holds it now
    served.proc.kill()
    assert served.wait(10)[0] == -signal.SIGKILL
    assert not left_after(2.0, lambda: group(served.proc.pid)), "left running"
    assert port_is_free(served.port), f"port {served.port} is still taken"


@pytest.mark.slow
@pytest.mark.serial
@SIGNALS
def test_sigkill_during_a_solve_in_a_child_leaves_no_process_and_frees_the_port(serve, solve_in_child) -> None:
    served = serve(str(solve_in_child.scenario), "--port", "0", "--time-limit", "20")
    thread, result = mid_solve(served, solve_in_child.body)
    solvers = children(served.proc.pid)
    served.solvers |= set(solvers)
    assert solvers, "no solver child: the scenario was meant to be solved in a child process"
    served.proc.kill()
    assert served.wait(10)[0] == -signal.SIGKILL
    thread.join(timeout=10)
    assert "error" in result, f"a killed server cannot answer: {result}"  # the connection is dropped, not held
    left = left_after(2.0, lambda: group(served.proc.pid), lambda: among(solvers))
    assert not left, f"left running after SIGKILL: {left}"
    assert port_is_free(served.port), f"port {served.port} is still taken"


def test_the_listening_socket_is_tcp_so_that_answers_are_not_held_back() -> None:
    # asyncio sets TCP_NODELAY only on connections whose socket protocol is IPPROTO_TCP; with protocol 0
    # every answer after the first on a kept-alive connection waited ~40 ms (benchmarks/bench_serve.py).
    import socket

    from scorer.cli.commands.serve import _bound

    sock = _bound("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
