"""The what-if page's speed: ``/api/evaluate`` latency over HTTP, and slider-to-repaint in Chromium.

Usage::

    python benchmarks/bench_serve.py                       # 200 weight vectors, 30 slider moves
    python benchmarks/bench_serve.py --samples 50 --large-samples 20 --moves 10 --no-browser

(a) For each scenario (the default ``baseline.yaml``, the bilateral default
``scenarios/bilateral.yaml``, and a generated 1,000-candidate hard knapsack,
``tests/testkit.py``'s ``write_hard_scenario(n=1000)`` served with
``--time-limit 2``) it starts the installed ``coprod serve`` on a free port,
reads the criteria from ``GET /api/scenario`` and POSTs ``--samples`` seeded
random weight vectors (raw weights uniform in 0..100 per criterion) to
``/api/evaluate`` over one kept-alive ``http.client`` connection, as the page
does. It prints the server's start-up (to its address line), the first
answer (the solving thread builds its live model then), p50 and p95 of the
client-side latency of the others and the server's own ``seconds``. The
baseline, in this process and on the same settings: a cold study of the
first ``--cold`` vectors (``WhatIf(inputs, time_limit=...).study(weights=w)``
scored and solved: model built and solved from scratch; the scenario loaded
once, outside the timing), and the ratio warm p50 / cold p50.

(b) For the two default scenarios, Debian's Chromium through Playwright opens
the page and moves a criterion's slider (``input[data-weight=ID]``,
``page.fill``) ``--moves`` times to seeded values on the slider's own step
grid, as ``tests/web/test_page.py`` does: each move waits until the page has
pushed a new entry onto ``window.coprodTimings`` (first input event to the
frame after the repaint of ``#ranking``, measured by the page) and the page
says it is idle. It prints p50 and p95 of the page's figure and of the wall
time Playwright saw (fill to the repaint seen, round trips included). Moves
follow each other within the page's 400 ms settle time, so flip marks and the
frontier are not asked in between (they would share the server's two solving
threads).

The machine is shared: the load average is printed at the start and the end.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from testkit import write_hard_scenario  # noqa: E402

from scorer.defaults import default_scenario  # noqa: E402
from scorer.inputs.loading import load_scenario  # noqa: E402
from scorer.study.whatif import WhatIf  # noqa: E402

COPROD = Path(sys.executable).with_name("coprod")
ADDRESS = re.compile(r"coprod: serving (http://\S+)")
WAIT_MS = 60_000


@dataclass
class Server:
    """A running ``coprod serve``: its address, and a thread that keeps reading its stderr."""

    proc: subprocess.Popen
    started: float
    url: str = ""
    host: str = ""
    port: int = 0
    token: str = ""
    startup: float = 0.0
    err: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def serve(scenario: Path | None, *options: str) -> Server:
    args = [str(COPROD), "serve", *([str(scenario)] if scenario else []), "--port", "0", *options]
    server = Server(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True), time.perf_counter())
    lines: queue.Queue = queue.Queue()

    def drain() -> None:
        for line in server.proc.stderr:
            server.err.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    while True:
        line = lines.get(timeout=300)
        if line is None:
            raise SystemExit(f"coprod serve ended without an address:\n{''.join(server.err)}")
        found = ADDRESS.fullmatch(line.strip())
        if found:
            break
    server.startup = time.perf_counter() - server.started
    server.url = found.group(1)
    parts = urlsplit(server.url)
    server.host, server.port, server.token = parts.hostname, parts.port, parse_qs(parts.query)["token"][0]
    return server


class Client:
    """One kept-alive connection to the server, with its token."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=600)
        self.headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object | None = None) -> tuple[int, dict, float]:
        data = None if body is None else json.dumps(body).encode()
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=self.headers)
        answer = self.conn.getresponse()
        raw = answer.read()
        seconds = time.perf_counter() - t0
        return answer.status, json.loads(raw), seconds

    def close(self) -> None:
        self.conn.close()


def percentiles(xs) -> tuple[float, float]:
    return float(np.percentile(xs, 50)), float(np.percentile(xs, 95))


def ms(x: float) -> str:
    return f"{x * 1e3:,.1f}"


# ------------------------------------------------------------- (a) the API ---

def bench_api(name: str, scenario: Path, time_limit: float | None, samples: int, cold: int, seed: int) -> dict:
    options = ["--time-limit", f"{time_limit:g}"] if time_limit else []
    server = serve(None if scenario == default_scenario() else scenario, *options)
    try:
        client = Client(server)
        status, doc, _ = client.call("GET", "/api/scenario")
        assert status == 200, doc
        ids = [c["id"] for c in doc["criteria"]]
        rng = np.random.default_rng(seed)
        vectors = [dict(zip(ids, map(float, row))) for row in rng.uniform(0, 100, size=(samples, len(ids)))]
        transport = transport_times(server, client)
        status, answer, first = client.call("POST", "/api/evaluate", {})  # the thread's live model is built now
        assert status == 200, answer
        warm, server_s, failed, portfolios = [], [], 0, set()
        for weights in vectors:
            status, answer, seconds = client.call("POST", "/api/evaluate", {"weights": weights})
            if status != 200:
                failed += 1
                continue
            warm.append(seconds)
            server_s.append(answer["seconds"])
            portfolios.add(tuple(s["id"] for s in answer["portfolio"]["selected"]))
        client.close()
    except BaseException:
        server.stop()
        raise
    if name not in KEEP:
        server.stop()
    # The baseline: the same settings, cold, in this process.
    inputs = load_scenario(scenario)
    colds = []
    for weights in vectors[:cold]:
        t0 = time.perf_counter()
        study = WhatIf(inputs, time_limit=time_limit).study(weights=weights)
        study.scored()
        study.solution  # noqa: B018 - the solve being timed
        colds.append(time.perf_counter() - t0)
    return {"name": name, "n": len(doc["candidates"]), "server": server, "startup": server.startup,
            "first": first, "warm": warm, "server_s": server_s, "failed": failed, "cold": colds,
            "portfolios": len(portfolios), "criteria": ids, "scenario_doc": doc, "transport": transport}


def transport_times(server: Server, client: Client, n: int = 20) -> tuple[float, float]:
    """p50 of GET /api/scenario (no solve) on the kept-alive connection and on a new connection each time."""
    kept = [client.call("GET", "/api/scenario")[2] for _ in range(n)]
    fresh = []
    for _ in range(n):
        other = Client(server)
        fresh.append(other.call("GET", "/api/scenario")[2])
        other.close()
    return float(np.median(kept)), float(np.median(fresh))


# --------------------------------------------------------- (b) the browser ---

def bench_browser(browser, server: Server, doc: dict, moves: int, seed: int) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.wait_for_selector("body[data-state=idle]", state="attached", timeout=WAIT_MS)
    page.wait_for_selector("body[data-flips=done]", state="attached", timeout=WAIT_MS)
    if doc["partners"]:
        page.wait_for_selector("#pareto-box[data-state=done]", state="attached", timeout=WAIT_MS)
    rng = np.random.default_rng(seed)
    criteria = doc["criteria"]
    page_ms, wall_ms, reordered = [], [], 0
    before = page.eval_on_selector_all("#ranking tr[data-id]", "rows => rows.map(r => r.dataset.id)")
    for k in range(moves + 2):  # the first two warm the page up and are not counted
        c = criteria[k % len(criteria)]
        selector = f'input[data-weight="{c["id"]}"]'
        step = float(page.get_attribute(selector, "step"))
        current = page.eval_on_selector(selector, "r => r.value")
        while True:
            value = f"{round(rng.uniform(0, c['slider_max']) / step) * step:.10g}"
            if value != current:
                break
        n = page.evaluate("() => window.coprodTimings.length")
        t0 = time.perf_counter()
        page.fill(selector, value)
        page.wait_for_function("n => window.coprodTimings.length > n", arg=n, timeout=WAIT_MS)
        wall = time.perf_counter() - t0
        page.wait_for_selector("body[data-state=idle]", state="attached", timeout=WAIT_MS)
        after = page.eval_on_selector_all("#ranking tr[data-id]", "rows => rows.map(r => r.dataset.id)")
        assert after, "the ranking is empty"
        if k >= 2:
            page_ms.append(page.evaluate("() => window.coprodTimings[window.coprodTimings.length - 1]"))
            wall_ms.append(wall * 1e3)
            reordered += after != before
        before = after
    context.close()
    if errors:
        raise SystemExit(f"the page reported errors: {errors}")
    return {"page": page_ms, "wall": wall_ms, "reordered": reordered}


KEEP = {"baseline.yaml", "bilateral.yaml"}  # servers kept running for the browser part


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=200, help="weight vectors per scenario")
    ap.add_argument("--large-samples", type=int, default=None,
                    help="weight vectors on the 1,000-candidate scenario (default: --samples; each ~2 s)")
    ap.add_argument("--cold", type=int, default=20, help="vectors of the cold baseline (the large scenario: 5)")
    ap.add_argument("--moves", type=int, default=30, help="slider moves per scenario in the browser")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    print(f"coprod serve benchmark: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    rows = []
    browser_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        large = write_hard_scenario(Path(tmp), n=1000)
        plan = [("baseline.yaml", default_scenario(), None, args.samples, args.cold),
                ("bilateral.yaml", REPO / "scenarios" / "bilateral.yaml", None, args.samples, args.cold),
                ("hard n=1000, 2 s", large, 2.0, args.large_samples or args.samples, min(args.cold, 5))]
        browser = playwright = None
        try:
            if not args.no_browser:
                from playwright.sync_api import sync_playwright

                playwright = sync_playwright().start()
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            for name, scenario, limit, samples, cold in plan:
                row = bench_api(name, scenario, limit, samples, cold, args.seed)
                rows.append(row)
                w50, w95 = percentiles(row["warm"])
                s50, _ = percentiles(row["server_s"])
                c50, _ = percentiles(row["cold"])
                print(f"  {name}: {len(row['warm'])} answers ({row['failed']} failed), {row['portfolios']} distinct "
                      f"portfolios; p50 {ms(w50)} ms, cold p50 {ms(c50)} ms", flush=True)
                if name in KEEP:
                    if browser is not None:
                        b = bench_browser(browser, row["server"], row["scenario_doc"], args.moves, args.seed)
                        browser_rows.append((name, b))
                        print(f"  {name} in Chromium: page p50 {np.percentile(b['page'], 50):.0f} ms", flush=True)
                    row["server"].stop()
        finally:
            for row in rows:
                row["server"].stop()
            if browser is not None:
                browser.close()
            if playwright is not None:
                playwright.stop()

    print()
    print("(a) POST /api/evaluate over HTTP (one kept-alive connection), ms; cold = in-process study, same settings")
    head = (f"{'scenario':<18} {'cands':>5} {'start s':>7} {'first':>8} {'p50':>8} {'p95':>8} {'srv p50':>8} "
            f"{'cold p50':>9} {'cold p95':>9} {'warm/cold':>9} {'srv/cold':>8}")
    print(head)
    print("-" * len(head))
    for row in rows:
        w50, w95 = percentiles(row["warm"])
        s50, _ = percentiles(row["server_s"])
        c50, c95 = percentiles(row["cold"])
        print(f"{row['name']:<18} {row['n']:>5} {row['startup']:>7.2f} {ms(row['first']):>8} {ms(w50):>8} "
              f"{ms(w95):>8} {ms(s50):>8} {ms(c50):>9} {ms(c95):>9} {w50 / c50:>9.3f} {s50 / c50:>8.3f}")
    print("  first: the first evaluate (its solving thread builds its live model); p50/p95: the others, client side;"
          " srv: the answer's own 'seconds' (scoring and solve); warm/cold and srv/cold: p50 over cold p50")
    print("  transport, GET /api/scenario p50 (no solve), kept-alive vs a new connection each: " + "; ".join(
        f"{r['name']} {ms(r['transport'][0])} vs {ms(r['transport'][1])} ms" for r in rows))
    print(f"  samples: {', '.join(f'{r['name']} {len(r['warm'])} warm / {len(r['cold'])} cold' for r in rows)}; "
          f"failed: {sum(r['failed'] for r in rows)}")
    if browser_rows:
        print()
        print("(b) slider to repaint in Chromium, ms (page: first input to the frame after the repaint; "
              "wall: Playwright's fill to seen)")
        head = f"{'scenario':<18} {'moves':>5} {'page p50':>9} {'page p95':>9} {'wall p50':>9} {'wall p95':>9} " \
               f"{'reordered':>9}"
        print(head)
        print("-" * len(head))
        for name, b in browser_rows:
            p50, p95 = np.percentile(b["page"], [50, 95])
            q50, q95 = np.percentile(b["wall"], [50, 95])
            print(f"{name:<18} {len(b['page']):>5} {p50:>9.1f} {p95:>9.1f} {q50:>9.1f} {q95:>9.1f} "
                  f"{b['reordered']:>9}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
