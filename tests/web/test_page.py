"""The what-if page in a real browser: Debian's Chromium driven by Playwright against the installed ``coprod serve``.

One server per scenario and one browser per module (a fresh page per test).
The served data is a copy of the default data in a temporary folder (the
save test writes its criteria file; one candidate is renamed to markup, which
must show as text); the command-line answers the page is compared with come
from the repository's own files, which equal the copy in everything that is
scored or solved.
"""

from __future__ import annotations

import difflib
import json
import math
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

COPROD = Path(sys.executable).with_name("coprod")
REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
BILATERAL = REPO / "scenarios" / "bilateral.yaml"
TOKEN = "page-test-token"
# A candidate name that would run as script if the page built nodes from markup.
MARKUP = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
RENAMED = "ship-mro"
WAIT_MS = 20_000


def coprod_json(*args: str) -> object:
    """What the installed executable prints with ``--format json``, parsed."""
    assert COPROD.exists(), f"{COPROD} is not installed"
    done = subprocess.run([str(COPROD), "-q", *args, "--format", "json"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def score_ids(scenario: Path, *args: str) -> list[str]:
    return [r["id"] for r in coprod_json("score", str(scenario), *args)]


def portfolio_ids(scenario: Path, *args: str) -> list[str]:
    return [s["id"] for s in coprod_json("optimize", str(scenario), *args)["selected"]]


def both(*calls):
    """Run a few command-line calls at once (each is a second or so of start-up)."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(*c) for c in calls]]


@dataclass
class Server:
    url: str          # the address printed, with its token
    origin: str
    scenario: Path
    folder: Path

    def api(self, path: str, body: object | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=self.origin, headers=headers, timeout=60) as client:
            return client.get(path) if body is None else client.post(path, json=body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_data(folder: Path) -> Path:
    for name in ("criteria", "candidates", "scenarios"):
        shutil.copytree(REPO / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def serve(tmp_path_factory) -> Iterator:
    """``serve(scenario_name, edit=None)``: the installed ``coprod serve`` on a copy of the default data."""
    started: list[subprocess.Popen] = []

    def start(name: str, edit=None) -> Server:
        folder = copy_data(tmp_path_factory.mktemp("served"))
        if edit:
            edit(folder)
        scenario = folder / "scenarios" / name
        port = free_port()
        proc = subprocess.Popen([str(COPROD), "serve", str(scenario), "--port", str(port), "--token", TOKEN],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        started.append(proc)
        lines: queue.Queue[str | None] = queue.Queue()

        def drain() -> None:               # keep reading, so a chatty server never blocks on a full pipe
            for line in proc.stderr:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=drain, daemon=True).start()
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            m = re.search(r"coprod: serving (http://\S+)", line)
            if m:
                url = m.group(1)
                parts = urlsplit(url)
                assert parts.query == f"token={TOKEN}", url
                return Server(url, f"{parts.scheme}://{parts.netloc}", scenario, folder)
        raise AssertionError("coprod serve did not say where it serves:\n" + "".join(seen))

    yield start
    for proc in started:
        proc.send_signal(signal.SIGINT)
    for proc in started:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rename_candidate(folder: Path) -> None:
    path = folder / "candidates" / "us-japan.yaml"
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"(- id: ship-mro\n\s+name: ).*", lambda m: m.group(1) + json.dumps(MARKUP), text, count=1)
    assert n == 1, "the ship-mro candidate's name line moved"
    path.write_text(new, encoding="utf-8")


@pytest.fixture(scope="module")
def baseline(serve) -> Server:
    return serve("baseline.yaml", rename_candidate)


@pytest.fixture(scope="module")
def bilateral(serve) -> Server:
    return serve("bilateral.yaml")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser: Browser, server: Server, **context) -> Page:
    ctx = browser.new_context(viewport=context.pop("viewport", {"width": 1280, "height": 900}),
                              accept_downloads=True, **context)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(server.url)
    wait_idle(page)
    return page


@pytest.fixture
def page(browser, baseline) -> Iterator[Page]:
    p = open_page(browser, baseline)
    yield p
    assert not p.errors, p.errors
    p.context.close()


def wait_idle(page: Page) -> None:
    """Until the newest evaluate answer is on screen (the status says so)."""
    page.wait_for_selector("body[data-state=idle]", state="attached", timeout=WAIT_MS)


def ids(page: Page, table: str) -> list[str]:
    return page.eval_on_selector_all(f"#{table} tr[data-id]", "rows => rows.map(r => r.dataset.id)")


def wait_ids(page: Page, table: str, expected: list[str]) -> None:
    """Until ``#table tr[data-id]`` reads ``expected`` in order (then it must stay so)."""
    try:
        page.wait_for_function("([t, want]) => JSON.stringify([...document.querySelectorAll('#' + t + ' tr[data-id]')]"
                               ".map(r => r.dataset.id)) === JSON.stringify(want)", arg=[table, expected],
                               timeout=WAIT_MS)
    except Exception:
        assert ids(page, table) == expected
        raise


def settle(page: Page, ms: int = 60) -> None:
    """Let the page run its queued tasks and paint a frame."""
    page.evaluate("ms => new Promise(r => requestAnimationFrame(() => setTimeout(r, ms)))", ms)


# ---------------------------------------------------------------- the answers are the command line's

def test_weight_slider_gives_the_command_lines_ranking_and_portfolio(page, baseline) -> None:
    before = score_ids(BASELINE)
    assert ids(page, "ranking") == before
    ranking, portfolio = both((score_ids, BASELINE, "-w", "standardization=40"),
                              (portfolio_ids, BASELINE, "-w", "standardization=40"))
    assert ranking != before, "the chosen weight must change the ranking, or this test checks nothing"
    page.fill('input[data-weight="standardization"]', "40")
    assert page.input_value('input[data-weight-number="standardization"]') == "40"
    wait_ids(page, "ranking", ranking)
    wait_ids(page, "portfolio", portfolio)
    wait_idle(page)
    assert ids(page, "ranking") == ranking


def test_budget_gives_optimize_budget(page) -> None:
    before, after = both((coprod_json, "optimize", str(BASELINE)),
                         (coprod_json, "optimize", str(BASELINE), "--budget", "3000"))
    want = [s["id"] for s in after["selected"]]
    assert want != [s["id"] for s in before["selected"]]
    assert ids(page, "portfolio") == [s["id"] for s in before["selected"]]
    page.fill("#budget", "3000")
    wait_ids(page, "portfolio", want)
    wait_idle(page)
    solver = page.text_content("#solver")
    assert f"objective {after['objective']:,.2f}" in solver
    rows = page.eval_on_selector_all("#portfolio tr[data-id]",
                                     "rows => rows.map(r => [...r.cells].slice(2, 4).map(c => Number(c.textContent)))")
    assert rows == [[s["start"], s["finish"]] for s in after["selected"]]
    # What changed against the file: the projects out of the smaller budget are named.
    out = sorted(set(s["id"] for s in before["selected"]) - set(want))
    assert out and all(i in page.text_content("#changes [data-change=out]") for i in out)
    # The Gantt chart has a bar per project, the spend chart a cap line per capped year.
    assert page.locator("#gantt-box svg[role=img] rect[data-id]").count() == len(want)
    assert page.locator("#spend-box svg line.cap").count() == 10


def test_flip_marks_sit_where_the_flip_analysis_says(page, baseline) -> None:
    page.wait_for_selector("body[data-flips=done]", state="attached", timeout=WAIT_MS)
    flips = baseline.api("/api/flips", {})
    assert flips.status_code == 200, flips.text
    criteria = flips.json()["criteria"]
    shown = page.evaluate("""() => [...document.querySelectorAll('input[data-weight]')].map(r => {
        const box = r.getBoundingClientRect();
        return {id: r.dataset.weight, left: box.left, width: box.width,
                marks: [...r.closest('.track').querySelectorAll('.flip')].map(m => {
                    const b = m.getBoundingClientRect();
                    return {kind: m.dataset.kind, edge: m.dataset.edge, value: Number(m.dataset.value),
                            centre: b.left + b.width / 2, label: m.getAttribute('aria-label') || m.title};
                })};
    })""")
    assert {s["id"] for s in shown} == set(criteria)
    total = 0
    for s in shown:
        f = criteria[s["id"]]
        want = []
        for kind in ("top", "portfolio"):
            if f.get(kind) is None:
                continue
            lo, hi = f[kind]
            if lo is not None and math.isfinite(lo) and lo > 0:
                want.append((kind, "lo", lo))
            if hi is not None and math.isfinite(hi) and hi < f["slider_max"]:
                want.append((kind, "hi", hi))
        got = [(m["kind"], m["edge"], m["value"]) for m in s["marks"]]
        assert got == want, s["id"]
        for m in s["marks"]:
            # The thumb's centre runs from 8 px to width - 8 px: the mark is where the thumb is at that weight.
            x = s["left"] + 8 + (s["width"] - 16) * m["value"] / f["slider_max"]
            assert abs(m["centre"] - x) < 1.5, (s["id"], m)
            assert m["label"] and ("top candidate" in m["label"] or "portfolio" in m["label"])
        total += len(want)
    assert total > 0, "no flip point inside any slider: nothing was checked"


def test_save_weights_writes_the_file_with_its_comments(page, baseline) -> None:
    path = baseline.folder / "criteria" / "us-japan.yaml"
    original = path.read_text(encoding="utf-8")
    page.fill('input[data-weight="standardization"]', "21")
    wait_idle(page)
    page.click("#save-weights")
    page.wait_for_selector("#action-status[data-state=ok]", timeout=WAIT_MS)
    assert str(path.name) in page.text_content("#action-status")
    edited = path.read_text(encoding="utf-8")
    diff = [d for d in difflib.ndiff(original.splitlines(), edited.splitlines()) if d[:1] in "+-"]
    assert len(diff) == 2, diff
    assert [d[:1] + d[2:].strip() for d in diff] == ["-weight: 15", "+weight: 21"], diff
    # The line changed is standardization's; every comment is still there.
    before = original.splitlines()
    at = before.index(diff[0][2:])
    assert "id: standardization" in "\n".join(before[max(0, at - 7):at])
    assert [x for x in original.splitlines() if x.lstrip().startswith("#")] == \
        [x for x in edited.splitlines() if x.lstrip().startswith("#")]
    # Back to 15: the file is byte for byte what it was (other tests share this server).
    page.fill('input[data-weight="standardization"]', "15")
    wait_idle(page)
    page.click("#save-weights")
    page.wait_for_function("() => /Saved.*standardization = 15\\b/"
                           ".test(document.querySelector('#action-status').textContent)",
                           timeout=WAIT_MS)
    assert path.read_text(encoding="utf-8") == original


# ---------------------------------------------------------------- live

@pytest.mark.serial
def test_a_slow_older_answer_never_overwrites_a_newer_one(page) -> None:
    first, second = both((score_ids, BASELINE, "-w", "standardization=40"),
                         (score_ids, BASELINE, "-w", "standardization=0"))
    assert first != second
    held = []

    def hold_first(route) -> None:
        if not held:
            held.append(route)                 # answered later, after the newer request's answer is shown
        else:
            route.continue_()

    page.route("**/api/evaluate", hold_first)
    page.fill('input[data-weight="standardization"]', "40")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        settle(page)
    assert held
    page.fill('input[data-weight="standardization"]', "0")
    # The page waits for the held answer, then (it being old) sends the newest settings beside it.
    wait_ids(page, "ranking", second)
    seq = page.evaluate("() => document.body.dataset.seq")
    with page.expect_response(lambda r: r.request == held[0].request):
        held[0].continue_()
    settle(page, 200)
    assert ids(page, "ranking") == second
    assert page.evaluate("() => document.body.dataset.seq") == seq


@pytest.mark.serial
def test_slider_to_repaint_is_under_250_ms(page) -> None:
    values = ["20", "10", "30", "5", "25", "15", "35", "12", "18", "15"]
    for v in values:
        n = page.evaluate("() => window.coprodTimings.length")
        page.fill('input[data-weight="standardization"]', v)
        page.wait_for_function("n => window.coprodTimings.length > n", arg=n, timeout=WAIT_MS)
        wait_idle(page)
    times = page.evaluate("n => window.coprodTimings.slice(-n)", len(values))
    times.sort()
    median = times[len(times) // 2]
    print(f"slider to repaint on {BASELINE.name}: median {median:.0f} ms, max {times[-1]:.0f} ms")
    assert median < 250, times


def test_a_bad_value_shows_the_servers_message_and_the_page_keeps_working(page) -> None:
    number = 'input[data-weight-number="standardization"]'
    page.fill(number, "-5")
    page.wait_for_selector("#status[data-state=error]", timeout=WAIT_MS)
    message = page.text_content("#status")
    assert message.startswith("Not updated: ") and "HTTP" not in message and len(message) > 20, message
    assert page.get_attribute("#status", "aria-live") == "polite"
    want = score_ids(BASELINE, "-w", "standardization=40")
    page.fill(number, "40")
    wait_ids(page, "ranking", want)
    wait_idle(page)


# ---------------------------------------------------------------- safe

def test_no_request_leaves_the_origin(browser, baseline) -> None:
    ctx = browser.new_context(accept_downloads=True)
    seen: list[str] = []
    foreign: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if origin_of(url) == baseline.origin:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.on("request", lambda r: seen.append(r.url))
    page.goto(baseline.url)
    wait_idle(page)
    page.fill('input[data-weight="interoperability"]', "30")
    wait_idle(page)
    page.wait_for_selector("body[data-flips=done]", state="attached", timeout=WAIT_MS)
    with page.expect_download() as download:
        page.click('button[data-export="ranking"][data-format="csv"]')
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename.endswith(".csv")
    assert ids(page, "ranking")[0] in text.splitlines()[1]
    ctx.close()
    assert not foreign, foreign
    assert {origin_of(u) for u in seen} == {baseline.origin}, seen
    assert any("/api/evaluate" in u for u in seen) and any("/static/app.js" in u for u in seen)


def origin_of(url: str) -> str:
    if url.startswith("blob:"):
        url = url[len("blob:"):]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_markup_name_shows_as_text(page) -> None:
    cell = page.locator(f'#ranking tr[data-id="{RENAMED}"] .name')
    assert cell.text_content() == MARKUP
    assert page.locator(f'#portfolio tr[data-id="{RENAMED}"] td').first.text_content() == MARKUP
    assert page.evaluate("() => window.pwned === undefined")
    assert page.locator("#results script, #results img, #controls script, #controls img").count() == 0


# ---------------------------------------------------------------- accessible

def test_the_page_works_from_the_keyboard(page) -> None:
    before = ids(page, "ranking")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('input[type=range][data-weight]')"):
            break
    focused = page.evaluate("() => ({id: document.activeElement.dataset.weight, value: document.activeElement.value,"
                            " step: Number(document.activeElement.step),"
                            " outline: getComputedStyle(document.activeElement).outlineStyle})")
    assert focused["id"], "Tab never reached a weight slider"
    assert focused["outline"] not in ("", "none"), "no visible focus ring"
    # Arrow keys until the ranking changes (the page's own), then it must be the command line's at that weight.
    batch = max(1, round(1 / focused["step"]))      # one raw weight unit at a time
    presses = 0
    while ids(page, "ranking") == before and presses < 40 * batch:
        for _ in range(batch):
            page.keyboard.press("ArrowRight")
        presses += batch
        wait_idle(page)
    value = page.evaluate("() => document.activeElement.value")
    assert math.isclose(float(value), float(focused["value"]) + presses * focused["step"], abs_tol=1e-6)
    assert ids(page, "ranking") != before, f"{presses} presses of ArrowRight did not change the ranking"
    want = score_ids(BASELINE, "-w", f"{focused['id']}={value}")
    wait_ids(page, "ranking", want)
    wait_idle(page)


def test_controls_are_labelled_and_charts_described(page) -> None:
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, button')].filter(e =>
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim()
    ).map(e => e.outerHTML)""")
    assert unlabelled == []
    assert page.evaluate("() => [...document.querySelectorAll('thead th')].every(th => th.scope === 'col')")
    assert page.evaluate("() => [...document.querySelectorAll('tbody th')].every(th => th.scope === 'row')")
    charts = page.eval_on_selector_all("figure svg",
                                       "s => s.map(x => [x.getAttribute('role'), x.getAttribute('aria-label')])")
    assert len(charts) >= 2 and all(r == "img" and label for r, label in charts), charts
    assert page.get_attribute("#status", "role") == "status"
    # Every weight fieldset has its group's legend, as the criteria file groups them.
    legends = page.eval_on_selector_all("#weights fieldset[data-group] > legend", "ls => ls.map(l => l.textContent)")
    assert [x.split(" (")[0] for x in legends] == ["Integration and interoperability", "Programme governance",
                                                   "Strategic value", "Industrial base and feasibility"]


def test_readable_at_200_percent_zoom_and_printable(browser, baseline) -> None:
    # 200 % zoom of a 1280 px window is a 640 CSS px layout viewport.
    page = open_page(browser, baseline, viewport={"width": 640, "height": 900})
    layout = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        controls: document.querySelector('#controls').getBoundingClientRect().toJSON(),
        results: document.querySelector('#results').getBoundingClientRect().toJSON()})""")
    assert layout["scroll"] <= layout["client"], layout
    assert layout["controls"]["bottom"] <= layout["results"]["top"] + 1, "the columns should stack"
    page.emulate_media(media="print")
    assert not page.is_visible("#controls") and page.is_visible("#ranking")
    page.context.close()


def test_a_screenshot_is_not_blank(page, tmp_path) -> None:
    page.wait_for_selector("body[data-flips=done]", state="attached", timeout=WAIT_MS)
    path = tmp_path / "page.png"
    page.screenshot(path=str(path))
    image = Image.open(path).convert("RGB")
    assert image.size == (1280, 900)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200, len(colours)
    assert max(n for n, _ in colours) < 0.9 * image.size[0] * image.size[1]


# ---------------------------------------------------------------- perspectives

def test_bilateral_shows_partner_sliders_values_and_the_pareto_chart(browser, bilateral) -> None:
    want = coprod_json("optimize", str(BILATERAL))
    page = open_page(browser, bilateral)
    criteria = page.eval_on_selector_all("input[data-weight]", "rs => rs.map(r => r.dataset.weight)")
    partners = page.eval_on_selector_all("input[data-partner-weight]", "rs => rs.map(r => r.dataset.partnerWeight)")
    assert sorted(partners) == sorted(f"{p}:{c}" for p in ("JP", "US") for c in criteria)
    objectives = page.eval_on_selector_all("#objective option", "os => os.map(o => o.value)")
    assert page.is_visible("#objective") and {"joint", "nash", "balanced", "JP", "US"} <= set(objectives)
    assert ids(page, "portfolio") == [s["id"] for s in want["selected"]]
    values = page.eval_on_selector_all("#partner-values tr[data-partner] td.value",
                                       "cs => cs.map(c => c.textContent)")
    assert values == [f"{want['partner_values'][p]:,.2f}" for p in ("JP", "US")]
    # The Pareto chart: a point per frontier portfolio, the three solutions and this portfolio marked.
    page.wait_for_selector("#pareto-box[data-state=done] svg[role=img]", timeout=60_000)
    bargain = bilateral.api("/api/bargain", {}).json()
    assert page.locator("#pareto-box [data-point=frontier]").count() == len(bargain["frontier"])
    for mark in ("joint", "nash", "balanced", "current"):
        assert page.locator(f"#pareto-box [data-mark={mark}]").count() == 1, mark
    # A partner's slider sends that partner's weights and repaints its value.
    bodies: dict[str, list] = {"/api/evaluate": [], "/api/bargain": []}
    page.on("request", lambda r: bodies.get(urlsplit(r.url).path, []).append(r.post_data_json))
    page.click("details[data-partner=US] > summary")
    slider = 'input[data-partner-weight="US:operational_urgency"]'
    assert page.is_visible(slider)
    page.fill(slider, "0")
    page.wait_for_function("n => document.querySelectorAll('#partner-values td.value')[1].textContent !== n",
                           arg=values[1], timeout=WAIT_MS)
    wait_idle(page)
    assert bodies["/api/evaluate"][-1]["partner_weights"] == {"US": {"operational_urgency": 0}}
    # Once the settings rest, the frontier is asked again for them.
    deadline = time.monotonic() + 10
    while not bodies["/api/bargain"] and time.monotonic() < deadline:
        settle(page, 100)
    assert bodies["/api/bargain"][-1]["partner_weights"] == {"US": {"operational_urgency": 0}}
    page.wait_for_selector("#pareto-box[data-state=done]", state="attached", timeout=60_000)
    assert not page.errors, page.errors
    page.context.close()


def test_the_readme_shows_a_screenshot_of_the_page() -> None:
    # docs/screenshot.py makes it; the README must show it, and it must not be blank.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/images/serve.png)" in readme
    with Image.open(REPO / "docs" / "images" / "serve.png") as image:
        assert image.size == (1280, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 200
    assert max(count for count, _ in colours) < 0.9 * 1280 * 900
