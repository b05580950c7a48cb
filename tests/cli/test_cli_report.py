"""``coprod chart pareto|partners`` and the report's section on the two governments, through the installed executable."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from testkit import write_perspectives

COPROD = Path(sys.executable).with_name("coprod")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def coprod(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    assert COPROD.exists(), f"{COPROD} is not installed"
    return subprocess.run([str(COPROD), *args], capture_output=True, timeout=180, check=False, cwd=cwd, env=env)


@pytest.fixture
def bilateral(case) -> Path:
    return write_perspectives(case)


def _texts(svg: bytes) -> list[str]:
    return ["".join(el.itertext()) for el in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(("kind", "labels"), [
    ("pareto", ("ideal", "nash solution", "balanced solution", "joint solution")),
    ("partners", ("US's rank", "JP's rank", "joint rank")),
])
def test_partner_charts_on_stdout_are_valid_deterministic_svg(bilateral, kind: str, labels: tuple) -> None:
    first = coprod("chart", kind, str(bilateral), "-o", "-", "--format", "svg", "-q")
    assert first.returncode == 0, first.stderr.decode()
    texts = " | ".join(_texts(first.stdout))
    for label in labels:
        assert label in texts, label
    assert coprod("chart", kind, str(bilateral), "-o", "-", "--format", "svg", "-q").stdout == first.stdout


def test_partner_chart_png_file(bilateral, tmp_path: Path) -> None:
    out = tmp_path / "pareto.png"
    done = coprod("chart", "pareto", str(bilateral), "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr.decode()
    assert out.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize("kind", ["pareto", "partners"])
def test_partner_charts_without_perspectives_say_so_in_one_line(case, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "x.svg"
    done = coprod("chart", kind, str(case.path), "-o", str(out), "-q")
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert lines == [(f"coprod: error: the {kind} chart needs the partners' perspectives, and the scenario has "
                      "none (give them under 'perspectives:')")]
    assert not out.exists()


def _inline_text(tokens) -> list[str]:
    return [t.content for t in tokens if t.type == "inline"]


@pytest.fixture(scope="module")
def bilateral_report(write_case, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bilateral-report")
    # Ship MRO's split open as ranges (the optimiser chooses it), the rest fixed.
    scenario = write_perspectives(write_case(folder, {"candidates": [(
        "partners: {US: 0.8, JP: 0.2}", "partners: {US: [0.6, 0.9], JP: [0.1, 0.4]}")]}))
    done = coprod("report", str(scenario), "-o", str(folder / "out"), "--no-robustness", "-q")
    assert done.returncode == 0, done.stderr.decode()
    return folder / "out"


def test_report_has_a_section_on_the_two_governments(bilateral_report: Path) -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse((bilateral_report / "report.md").read_text("utf-8"))
    headings = [(t.tag, tokens[k + 1].content) for k, t in enumerate(tokens) if t.type == "heading_open"]
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2.index("The two governments") == h2.index("Portfolio and schedule") + 1
    start = headings.index(("h2", "The two governments"))
    assert headings[start + 1:start + 4] == [("h3", "This portfolio for each partner"),
                                             ("h3", "Cost shares chosen within their ranges"),
                                             ("h3", "Portfolios both could accept")]
    images = [t.children[0].attrs["src"] for t in tokens if t.type == "inline" and t.children
              and t.children[0].type == "image"]
    assert {"partners.png", "pareto.png"} <= set(images)
    assert all((bilateral_report / name).is_file() for name in images)
    headers = {t.content for k, t in enumerate(tokens) if t.type == "inline" and tokens[k - 1].type == "th_open"}
    for header in ("Rank, US", "Rank, JP", "Rank difference", "Outside option", "Gain", "Share of the cost",
                   "Chosen, JP", "Range, US", "Gain, US", "Pays, JP", "Solution", "Kendall's tau-b"):
        assert header in headers, header
    cells = [t.content for k, t in enumerate(tokens) if t.type == "inline" and tokens[k - 1].type == "td_open"]
    for concept in ("joint", "nash", "balanced"):
        assert concept in cells
    text = " ".join(_inline_text(tokens))
    assert "Outside options (the disagreement point" in text and "Nash 1950" in text


def test_report_charts_of_the_partners_are_files(bilateral_report: Path) -> None:
    for kind in ("pareto", "partners"):
        assert (bilateral_report / f"{kind}.png").read_bytes().startswith(PNG_MAGIC)
        ET.fromstring((bilateral_report / f"{kind}.svg").read_bytes())


def test_report_objective_picks_the_portfolio_and_refuses_sampling_a_bargain(case, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    bilateral = write_perspectives(case)
    out = tmp_path / "nash"
    done = coprod("report", str(bilateral), "-o", str(out), "--objective", "nash", "--no-robustness", "-q")
    assert done.returncode == 0, done.stderr.decode()
    text = " ".join(t.content for t in MarkdownIt().parse((out / "report.md").read_text("utf-8"))
                    if t.type == "inline")
    assert "The portfolio above maximises the Nash bargaining solution" in text
    refused = coprod("report", str(bilateral), "-o", str(tmp_path / "r"), "--objective", "balanced", "--samples", "10",
                     "--portfolio-samples", "2", "-q")
    assert refused.returncode == 1
    line = refused.stderr.decode().strip()
    assert "\n" not in line and line.startswith("coprod: error: the report's robustness analyses")
    assert line.endswith("on the command line: --objective, --no-robustness")


def test_report_with_a_partner_objective_says_whose_values(case, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    bilateral = write_perspectives(case)
    out = tmp_path / "us"
    done = coprod("report", str(bilateral), "-o", str(out), "--objective", "US", "--samples", "20",
                  "--portfolio-samples", "2", "--workers", "1", "-q")
    assert done.returncode == 0, done.stderr.decode()
    tokens = MarkdownIt().parse((out / "report.md").read_text("utf-8"))
    paras = [t.content for k, t in enumerate(tokens) if t.type == "inline" and tokens[k - 1].type == "paragraph_open"]
    assert "Values: US's own (its weights and scores)." in paras


def test_report_without_a_possible_deal_says_why_and_is_written(case, tmp_path: Path) -> None:
    scenario = write_perspectives(case)
    # The US's outside option above anything a portfolio gives it: no frontier, the briefing still written.
    scenario.write_text(scenario.read_text("utf-8").replace("disagreement: 10", "disagreement: 100000"), "utf-8")
    out = tmp_path / "r"
    done = coprod("report", str(scenario), "-o", str(out), "--no-robustness", "-q")
    assert done.returncode == 0, done.stderr.decode()
    markdown = (out / "report.md").read_text("utf-8")
    assert "The bargain has no answer here: " in markdown and "## The two governments" in markdown
    assert not (out / "pareto.png").exists() and (out / "partners.png").exists()
