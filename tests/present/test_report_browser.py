"""The HTML report in a real browser: headless Chromium renders it, offline, with nothing run, and prints it.

Chromium (Debian's ``chromium``) and pdftotext/pdfinfo (``poppler-utils``)
are installed by ``.ci/run``; without them the tests fail, saying which is
missing. As root on a closed network Chromium needs ``--no-sandbox`` and the
switches that stop it calling home.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from scorer.cli.group import main

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)

CHROMIUM = shutil.which("chromium")
EVIL = "<script>alert(1)</script>"
SWITCHES = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
HEADINGS = ["Scenario summary", "Effective weights", "Ranking and contributions", "Scores: rationale and source",
            "Portfolio and schedule", "Binding limits and why in or out", "Robustness", "Manifest"]


def program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (.ci/run installs it: Debian chromium, poppler-utils)")
    return found


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([program("chromium"), *SWITCHES, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, timeout=120, check=False)


class Dom(HTMLParser):
    """Elements and text of the DOM Chromium dumped."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)


@pytest.fixture(scope="module")
def page(write_case, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    case = write_case(folder, {"candidates": [("name: T-7A trainer", f"name: '{EVIL}'")]})
    out = folder / "report"
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out), "--samples", "40",
                                       "--portfolio-samples", "8", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_rendered_dom_has_sections_images_and_no_script(page: Path, tmp_path: Path) -> None:
    done = chromium(page, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = Dom()
    dom.feed(done.stdout.decode("utf-8"))
    text = "".join(dom.text)
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", done.stdout.decode("utf-8")) == HEADINGS
    assert dom.count("h1") == 1
    images = [a for t, a in dom.tags if t == "img"]
    assert len(images) == 6 and all(a["src"].startswith("data:image/png;base64,") for a in images)
    assert [a["alt"] for a in images][:2] == ["Stacked contributions of each criterion to each score",
                                              "Gantt chart of the schedule with yearly spend against the caps"]
    assert re.findall(r"<h3>(.*?)</h3>", done.stdout.decode("utf-8")) == [
        "Flip points", "Monte Carlo (SMAA)", "Efficient frontier", "Near-optimal alternatives"]
    assert dom.count("script") == 0
    assert EVIL in text  # the name reached the page as text


def test_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert done.returncode == 0 and shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    # A page of text, tables and charts: many distinct colours, mostly white paper.
    assert np.ptp(pixels) > 0.5
    assert len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
    assert (pixels > 0.95).all(axis=-1).mean() > 0.4


# ------------------------------------------------------------------ paper ---


class Tables(HTMLParser):
    """Each table of the page: the section (h2 id) it is in, its header cells and its first row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[str], list[str]]] = []
        self.section = ""
        self.cell: list[str] | None = None
        self.row: list[str] = []
        self.rows = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "h2":
            self.section = dict(attrs).get("id", "")
        elif tag == "table":
            self.tables.append((self.section, [], []))
            self.rows = 0
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.tables:
            if self.rows < 2:  # the header row, then the first row of the body
                self.tables[-1][1 + self.rows].extend(self.row)
            self.rows += 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def squash(text: str) -> str:
    """Text without white space: a cell that wraps on paper compares equal to one that does not."""
    return re.sub(r"\s+", "", text)


def print_to_pdf(page: Path, folder: Path) -> tuple[str, int]:
    """Print the page with headless Chromium; the PDF's text (in drawing order) and its number of pages."""
    pdf = folder / "report.pdf"
    done = chromium(page, folder / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert done.returncode == 0 and pdf.is_file(), done.stderr.decode(errors="replace")[-2000:]
    text = subprocess.run([program("pdftotext"), "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode("utf-8")
    info = subprocess.run([program("pdfinfo"), str(pdf)], capture_output=True, check=True, timeout=60)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout.decode(), re.M).group(1))
    return text, pages


def missing_on_paper(page: Path, text: str) -> list[str]:
    """Header and first-row cells of the page's tables that the printed text lacks, by section.

    Each table's header row must be on paper whole and in order, and so must
    its first row (the cells of its last column are the first to be cut off
    when a table is wider than the page).
    """
    parser = Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    paper = squash(text)
    missing = []
    for section, header, first in parser.tables:
        for kind, cells in (("header", header), ("first row", first)):
            lost = [f"{section}: {kind} cell {cell!r}" for cell in cells if squash(cell) not in paper]
            if not lost and squash("".join(cells)) not in paper:
                lost = [f"{section}: {kind} {cells!r} not in one piece"]
            missing += lost
    return missing


@pytest.fixture(scope="module")
def default_page(tmp_path_factory) -> Path:
    """The default scenario's report: a 16-column ranking and a 19-column schedule in machine form."""
    out = tmp_path_factory.mktemp("paper") / "report"
    result = CliRunner().invoke(main, ["report", "-o", str(out), "--samples", "40", "--portfolio-samples", "8",
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture(scope="module")
def printed(default_page: Path, tmp_path_factory) -> tuple[str, int]:
    return print_to_pdf(default_page, tmp_path_factory.mktemp("pdf"))


def test_printed_report_has_every_column_of_every_table(default_page: Path, printed: tuple[str, int]) -> None:
    text, pages = printed
    parser = Tables()
    parser.feed(default_page.read_text(encoding="utf-8"))
    headers = {s: [h for sec, head, _ in parser.tables if sec == s for h in head]
               for s in ("weights", "ranking", "portfolio")}
    paper = squash(text)
    for section, cells in headers.items():  # every header of the weights, ranking and schedule tables
        assert [h for h in cells if squash(h) not in paper] == [], section
    assert missing_on_paper(default_page, text) == []
    # The columns the issue names, under their briefing headers.
    assert {"Effective weight", "Raw weight", "Group share"} <= set(headers["weights"])
    assert {"Technology maturity and near-term feasibility", "Score (0-100)"} <= set(headers["ranking"])
    assert {"Spend, total", "Cap, total", "Slack, total", "Slack, JP", "2035"} <= set(headers["portfolio"])
    assert pages <= 30  # 42 before tables were split to the page and charts fitted to it (21 since)


def test_printed_report_reads_as_a_briefing(printed: tuple[str, int]) -> None:
    text, _ = printed
    first_page = text.split("\f")[0]
    # The notional banner heads every page, and opens the first in full.
    assert all(page.lstrip().startswith("NOTIONAL FIGURES: for illustration only")
               for page in text.split("\f") if page.strip())
    assert squash("Notional figures. The money in this briefing (USD million (notional)) is notional") in \
        squash(first_page)
    assert re.search(r"page 1 of \d+", first_page)
    paper = squash(text)
    assert squash("cannot enter at any value (it would need 131.76, above the 0-100 scale)") in paper
    assert "exceeds131.76" not in paper and "effective_weight" not in paper and "0.1500" not in paper
    assert squash("Standardization and common requirements integration 35.0 % 15 weight 15.0 %") in paper


def test_bilateral_report_renders_the_two_governments(write_case, tmp_path: Path) -> None:
    from testkit import write_perspectives

    (tmp_path / "case").mkdir()
    scenario = write_perspectives(write_case(tmp_path / "case"))
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(scenario), "-o", str(out), "--no-robustness"])
    assert result.exit_code == 0, result.output
    done = chromium(out / "report.html", tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    html = done.stdout.decode("utf-8")
    at = HEADINGS.index("Portfolio and schedule") + 1
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", html) == [*HEADINGS[:at], "The two governments", *HEADINGS[at:]]
    dom = Dom()
    dom.feed(html)
    alts = [a["alt"] for t, a in dom.tags if t == "img"]
    assert "Each partner's rank of each candidate, side by side" in alts
    assert "Pareto frontier of the two partners' values with the solutions marked" in alts
    assert all(a["src"].startswith("data:image/png;base64,") for t, a in dom.tags if t == "img")
    assert dom.count("script") == 0
    assert "Portfolios both could accept" in re.findall(r"<h3>(.*?)</h3>", html)
