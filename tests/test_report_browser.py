"""The HTML report in a real browser: headless Chromium renders it, offline, with nothing run.

Chromium (Debian's ``chromium``) is installed by ``.ci/run``; without it the
tests are skipped with the reason. As root on a closed network it needs
``--no-sandbox`` and the switches that stop it calling home.
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

from scorer.cli import main
from conftest import write_case

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
EVIL = "<script>alert(1)</script>"
SWITCHES = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
HEADINGS = ["Scenario summary", "Effective weights", "Ranking and contributions", "Scores: rationale and source",
            "Portfolio and schedule", "Binding limits and why in or out", "Robustness", "Manifest"]


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *SWITCHES, f"--user-data-dir={profile}", *extra, page.as_uri()],
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
def page(tmp_path_factory) -> Path:
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
