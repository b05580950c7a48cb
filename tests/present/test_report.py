"""The briefing report: sections, escaping, manifest, Markdown twin, command line."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from scorer import __version__
from scorer.cli.group import main
from scorer.errors import OutputError
from scorer.inputs.loading import load_scenario
from scorer.study.study import Study
from scorer.present.report import (
    CHART_KINDS,
    RobustnessSettings,
    analyse,
    beyond_scale,
    build_report,
    chart,
    report_blocks,
    report_date,
)
from scorer.present.rendering import render_markdown
from scorer.robustness.sampling import SampleSpec

SMALL = RobustnessSettings(SampleSpec(60, 50.0, {}, "none", 7), portfolio_samples=12, tolerance=0.05, steps=6, k=3)
CHARTS = ["contributions", "gantt", "tornado", "acceptability", "core", "frontier"]

EVIL = "<script>alert(1)</script>"
# Input text that would break out of an attribute, open a link or run code if not escaped.
EDITS = {
    "candidates": [
        ("name: T-7A trainer", f"name: '{EVIL}'"),
        ("export_friction: {value: 6, low: 4, high: 8, rationale: ITAR friction, source: CSIS}",
         "export_friction: {value: 6, low: 4, high: 8, rationale: '\" onmouseover=\"alert(2)', "
         "source: '[click](javascript:alert(3)) & `code`'}"),
    ],
    "scenario": [("name: Test scenario", "name: 'Plan <b>bold</b> & co'")],
}
SECTIONS = {
    "summary": "Scenario summary",
    "weights": "Effective weights",
    "ranking": "Ranking and contributions",
    "rationale": "Scores: rationale and source",
    "portfolio": "Portfolio and schedule",
    "why": "Binding limits and why in or out",
    "robustness": "Robustness",
    "manifest": "Manifest",
}
DATE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def evil(write_case, tmp_path_factory):
    case = write_case(tmp_path_factory.mktemp("report"), EDITS)
    analysis = analyse(Study(load_scenario(case.path)), robust=SMALL)
    return case, analysis, build_report(analysis, DATE)


@pytest.mark.slow
def test_every_section_in_order_in_both_versions(evil) -> None:
    _, _, rep = evil
    html_at = [rep.html.index(f'<h2 id="{anchor}">{title}</h2>') for anchor, title in SECTIONS.items()]
    md_at = [rep.markdown.index(f"\n## {title}\n") for title in SECTIONS.values()]
    assert html_at == sorted(html_at) and md_at == sorted(md_at)
    assert rep.markdown.startswith("# coprod briefing: Plan \\<b>bold\\</b> & co\n")


@pytest.mark.slow
def test_input_text_is_escaped_in_html(evil) -> None:
    _, _, rep = evil
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rep.html
    assert "<script" not in rep.html.lower()
    assert "<b>bold" not in rep.html and "Plan &lt;b&gt;bold&lt;/b&gt; &amp; co" in rep.html
    assert 'onmouseover="' not in rep.html and "&quot; onmouseover=&quot;alert(2)" in rep.html
    assert "[click](javascript:alert(3)) &amp; `code`" in rep.html  # shown as text; no link in HTML


@pytest.mark.slow
def test_input_text_is_inert_in_markdown(evil) -> None:
    _, _, rep = evil
    # What a CommonMark reader (with GitHub's tables) makes of report.md: the input text, shown as text.
    shown = MarkdownIt("commonmark").enable("table").render(rep.markdown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script" not in shown.lower()
    assert "Plan &lt;b&gt;bold&lt;/b&gt; &amp; co" in shown and "<b>" not in shown
    assert "[click](javascript:alert(3)) &amp; `code`" in shown
    assert "<a " not in shown and "<code>" not in shown and 'onmouseover="' not in shown
    # Backslash escapes, not HTML entities, in the file itself.
    assert "\\<script>alert(1)\\</script>" in rep.markdown
    assert not re.search(r"&(?:#\d+|[a-z]+);", rep.markdown), re.search(r".{20}&(?:#\d+|[a-z]+);.{20}", rep.markdown)


@pytest.mark.slow
def test_self_contained_page(evil) -> None:
    _, _, rep = evil
    sources = re.findall(r'src="([^"]*)"', rep.html)
    assert len(sources) == 6 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.findall(r'(?:href|src)="(?:https?:|//)', rep.html)
    assert not re.search(r"<(?:link|iframe|object|embed)\b", rep.html)
    assert "Content-Security-Policy" in rep.html and "default-src 'none'" in rep.html
    assert sorted(rep.files) == sorted(f"{kind}.{fmt}" for kind in CHARTS for fmt in ("png", "svg"))


@pytest.mark.slow
def test_markdown_cells_read_as_in_html(evil) -> None:
    _, analysis, rep = evil
    assert any(s == "infeasible" for s in analysis.robustness.frontier.status)  # levels with no number
    assert not re.search(r"\bnan\b", rep.markdown, re.I) and "| True |" not in rep.markdown
    assert "| infeasible |  |" in rep.markdown and "| yes |" in rep.markdown


@pytest.mark.slow
def test_markdown_images_are_the_png_files(evil) -> None:
    _, _, rep = evil
    images = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", rep.markdown)
    assert images == [f"{kind}.png" for kind in CHARTS]
    assert all(name in rep.files for name in images)


@pytest.mark.slow
def test_manifest_hashes_version_seed_solver_date(evil) -> None:
    case, analysis, rep = evil
    for kind in ("scenario", "criteria", "candidates"):
        digest = hashlib.sha256(case.file(kind).read_bytes()).hexdigest()
        assert f"sha256 {digest}" in rep.html and f"sha256 {digest}" in rep.markdown
    assert f"<dt>tool</dt><dd>coprod {__version__}</dd>" in rep.html
    assert "<dt>seed</dt><dd>7</dd>" in rep.html
    sol = analysis.solution
    assert (f"<dt>solver status</dt><dd>optimal, gap 0, objective {sol.objective:.6f}, "
            f"bound {sol.bound:.6f}</dd>") in rep.html
    assert "<dt>solver</dt><dd>highs (time limit 10 s, gap limit 0)</dd>" in rep.html
    assert "<dt>date</dt><dd>2026-01-02T03:04:05Z</dd>" in rep.html
    assert "- **date**: 2026-01-02T03:04:05Z\n" in rep.markdown


@pytest.mark.slow
def test_same_inputs_and_date_give_identical_files(evil) -> None:
    _, analysis, rep = evil
    again = build_report(analysis, DATE)
    assert again.html == rep.html and again.markdown == rep.markdown and again.files == rep.files


@pytest.mark.slow
def test_portfolio_and_explanations_are_shown(evil) -> None:
    _, analysis, rep = evil
    for cid in ("gpi", "ship-mro"):
        assert f"<td>{cid}</td>" in rep.html
    # The small case: max_projects (3) holds it back; removing it gains 44.52 (from re-solves).
    assert '<td>max_projects</td><td>rules.max_projects</td><td class="num">3</td>' in rep.html
    assert '<td class="num">44.52</td>' in rep.html
    assert "<td>cannot enter: no start fits the other limits</td>" in rep.html
    assert "<td>cap_total_2026</td>" not in rep.html  # slack and worth nothing: not binding
    assert "ITAR" not in rep.html  # the edited rationale replaced it
    assert "<th>Cap, total</th>" in rep.html and "<th>Slack, US</th>" in rep.html


@pytest.mark.slow
def test_robustness_section(evil) -> None:
    _, analysis, rep = evil
    section = rep.html[rep.html.index('<h2 id="robustness">'):rep.html.index('<h2 id="manifest">')]
    for title in ("Flip points", "Monte Carlo (SMAA)", "Efficient frontier", "Near-optimal alternatives"):
        assert f"<h3>{title}</h3>" in section and f"\n### {title}\n" in rep.markdown
    described = ("60 weight samples (Dirichlet, concentration 50), score distribution none, seed 7; "
                 "12 re-optimised; flip tolerance 0.05; frontier 6 levels; 3 best alternatives")
    assert f"<p>Settings: {described}.</p>" in section
    assert f"<dt>robustness</dt><dd>{described}</dd>" in rep.html
    assert "<th>Core index</th>" in section and "<th>Enters at (budget)</th>" in section
    assert "<th>Gap to best</th>" in section and "<th>Stays on top from</th>" in section


@pytest.mark.slow
def test_tables_read_as_a_briefing(evil) -> None:
    _, analysis, rep = evil
    weights = rep.html[rep.html.index('<h2 id="weights">'):rep.html.index('<h2 id="ranking">')]
    assert re.findall(r"<th>(.*?)</th>", weights) == ["ID", "Criterion", "Group", "Group share", "Raw weight",
                                                     "Weight from", "Effective weight"]
    effective = analysis.result.weights.effective
    for w in effective:  # the weights as percentages, one decimal
        assert f'<td class="num">{100 * w:.1f} %</td>' in weights
    assert not re.search(r"\d\.\d{4}<", weights) and "effective_weight" not in rep.html
    # Money with the decimals it needs: whole amounts without any, thousands separated.
    portfolio = rep.html[rep.html.index('<h2 id="portfolio">'):rep.html.index('<h2 id="why">')]
    assert "<th>Cost, total</th>" in portfolio and "<th>Slack, US</th>" in portfolio
    assert '<td class="num">500</td>' in portfolio and '<td class="num">500.00</td>' not in portfolio
    # The same in Markdown, whose headers and cells read as the page's.
    assert "| ID | Criterion | Group | Group share | Raw weight | Weight from | Effective weight |" in rep.markdown


@pytest.mark.slow
def test_notional_money_gets_a_banner_in_both_versions(write_case, evil, tmp_path: Path) -> None:
    _, _, rep = evil
    banner = ("Notional figures. The money in this briefing (USD million (notional)) is notional, for illustration "
              "only: the costs, budgets and caps are not estimates and must not be quoted as such.")
    assert f'</h1>\n<p class="banner" role="note">{banner}</p>\n<nav>' in rep.html
    assert rep.markdown.split("\n")[2] == f"> **{banner}**"
    assert "NOTIONAL FIGURES" in rep.html[:rep.html.index("</style>")]  # at the head of every printed page
    real = write_case(tmp_path, {"candidates": [("currency: USD million (notional)", "currency: USD million")]})
    plain = build_report(analyse(Study(load_scenario(real.path)), explain=False), DATE)
    assert 'class="banner"' not in plain.html and "NOTIONAL" not in plain.html and "> **" not in plain.markdown


def test_a_threshold_above_the_value_scale_cannot_enter() -> None:
    # From the default scenario: air-defense-missiles would need 131.76, above the 0-100 scale.
    table = pd.DataFrame({"id": ["a", "b", "c"], "selected": [False, False, True], "value": [64.3, 38.17, 61.0],
                          "threshold": [131.76, 44.54, 37.29], "margin": [67.46, 6.37, 23.71],
                          "displaces": ["x y", "x", ""],
                          "note": ["enters if its value exceeds 131.76, displacing x, y",
                                   "enters if its value exceeds 44.54, displacing x",
                                   "leaves if its value falls below 37.29"]})
    out = beyond_scale(table)
    assert out["note"].tolist() == ["cannot enter at any value (it would need 131.76, above the 0-100 scale)",
                                    "enters if its value exceeds 44.54, displacing x",
                                    "leaves if its value falls below 37.29"]
    assert out["threshold"].isna().tolist() == [True, False, False] and out["displaces"].tolist() == ["", "x", ""]
    assert out["margin"].isna().tolist() == [True, False, False]
    assert table["note"][0].startswith("enters if")  # the analysis table itself is unchanged


@pytest.mark.slow
def test_frontier_passes_through_the_chosen_portfolio(evil) -> None:
    _, analysis, _ = evil
    fr, level = analysis.robustness.frontier, analysis.robustness.chosen_level
    assert level == 900.0  # the scenario's total budget
    at = list(fr.levels).index(level)
    assert fr.objective[at] == pytest.approx(analysis.solution.objective, abs=1e-6)
    # From 0 to the larger of the budget (900) and the cost of every candidate (500+100+240+40 = 880).
    assert fr.levels[0] == 0 and fr.levels[-1] == 900.0 and len(fr.levels) == 6


def test_report_date_honours_source_date_epoch() -> None:
    assert report_date({"SOURCE_DATE_EPOCH": "0"}) == datetime(1970, 1, 1, tzinfo=UTC)
    now = report_date({})
    assert now.tzinfo is UTC and abs((datetime.now(UTC) - now).total_seconds()) < 60
    with pytest.raises(OutputError, match="SOURCE_DATE_EPOCH='soon'"):
        report_date({"SOURCE_DATE_EPOCH": "soon"})


def test_robustness_charts_need_the_analysis(case) -> None:
    analysis = analyse(Study(load_scenario(case.path)), explain=False)
    with pytest.raises(OutputError, match="the core chart needs the robustness analysis"):
        chart("core", analysis)
    with pytest.raises(OutputError, match="unknown chart 'pie'"):
        chart("pie", analysis)
    assert "core" in CHART_KINDS


@pytest.mark.slow
def test_no_explain_and_no_robustness_say_so(case) -> None:
    rep = build_report(analyse(Study(load_scenario(case.path)), explain=False), DATE)
    assert "Not computed (run without --no-explain to include it)." in rep.html
    assert "<p>Not analysed in this report (--no-robustness).</p>" in rep.html
    assert sorted(rep.files) == ["contributions.png", "contributions.svg", "gantt.png", "gantt.svg"]


# ------------------------------------------------------------ command line ---


@pytest.mark.slow
def test_cli_report_writes_the_folder(case, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767323045")
    out = case.folder / "new" / "brief"
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out), "--no-explain", "--no-robustness"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"coprod: note: wrote report.html, report.md and 4 chart files to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "contributions.png", "contributions.svg", "gantt.png", "gantt.svg", "report.html", "report.md"]
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert b"2026-01-02T03:04:05Z" in first["report.html"]
    again = CliRunner().invoke(main, ["-q", "report", str(case.path), "-o", str(out), "--no-explain",
                                      "--no-robustness"])
    assert again.exit_code == 0 and again.stderr == ""
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # byte-identical rerun


def test_cli_report_refuses_to_overwrite_an_input(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"scenario": [("candidates: candidates.yaml", "candidates: report.md")]})
    case.file("candidates").rename(tmp_path / "report.md")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(tmp_path), "--no-explain", "--no-robustness"])
    assert result.exit_code == 1
    assert result.stderr == f"coprod: error: {tmp_path / 'report.md'}: refusing to overwrite an input file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_cli_report_needs_a_folder_and_bad_input_exits_1(case) -> None:
    assert CliRunner().invoke(main, ["report", str(case.path)]).exit_code == 2
    missing = CliRunner().invoke(main, ["report", str(case.folder / "nope.yaml"), "-o", str(case.folder)])
    assert missing.exit_code == 1 and missing.stderr.startswith("coprod: error: ")


@pytest.mark.slow
def test_cli_chart(case) -> None:
    svg = case.folder / "gantt.svg"
    result = CliRunner().invoke(main, ["chart", "gantt", str(case.path), "-o", str(svg)])
    assert result.exit_code == 0, result.output
    assert svg.read_bytes().lstrip().startswith(b"<?xml") and b"Yearly spend" in svg.read_bytes()
    png = CliRunner().invoke(main, ["chart", "contributions", str(case.path), "-o", "-"])
    assert png.exit_code == 0 and png.stdout_bytes.startswith(b"\x89PNG")
    bad = CliRunner().invoke(main, ["chart", "gantt", str(case.path), "-o", str(case.folder / "x.gif")])
    assert bad.exit_code == 2 and "must end in .png or .svg" in bad.stderr
    assert CliRunner().invoke(main, ["chart", "pie", str(case.path), "-o", "x.png"]).exit_code == 2


@pytest.mark.slow
def test_cli_robustness_chart_runs_only_its_part(case) -> None:
    out = case.folder / "tornado.svg"
    args = ["chart", "tornado", str(case.path), "-o", str(out), "--samples", "20", "--portfolio-samples", "0",
            "--workers", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert b"Flip points: weight ranges" in out.read_bytes()
    core = CliRunner().invoke(main, ["chart", "core", str(case.path), "-o", str(out), "--portfolio-samples", "0",
                                     "--samples", "20", "--workers", "1"])
    assert core.exit_code == 1
    assert core.stderr == ("coprod: error: the core chart needs re-optimised samples (robustness.portfolio_samples "
                           "above 0); on the command line: --portfolio-samples\n")


@pytest.mark.slow
def test_cli_report_of_an_infeasible_scenario_writes_nothing(write_case, tmp_path: Path) -> None:
    case = write_case(tmp_path, {"scenario": [("  total: 900\n", "  total: 100\n")]})
    out = tmp_path / "brief"
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out), "--no-robustness"])
    assert result.exit_code == 1
    assert result.stderr == (
        "coprod: error: infeasible: mandatory gpi needs 500 in total but the total budget is 100 — drop gpi from "
        "mandatory, or raise the total budget by 440 (400 for these limits, 40 for the others in force)\n"
        "conflicting limits: budget.total = 100; rules.mandatory: gpi\n")
    assert not out.exists()


@pytest.mark.slow
def test_a_report_on_a_model_solved_in_a_child_process_leaves_out_its_re_solves(write_case, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from scorer.mip import config as solver_config

    case = write_case(tmp_path)
    monkeypatch.setattr(solver_config, "ISOLATE_FROM", 1)  # as if the scenario had 20,000 start options or more
    out = tmp_path / "brief"
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out)])
    assert result.exit_code == 1
    assert re.fullmatch(
        r"coprod: error: the report's explanation and robustness sections re-solve the model \(about one per "
        r"candidate \(\d+\), at least \d+ for robustness\), and a model with [\d,]+ start options takes seconds "
        r"to minutes per solve; leave them out for this scenario \(sensitivity, frontier and alternatives still "
        r"run with the counts you choose\); on the command line: --no-explain, --no-robustness\n", result.stderr), \
        result.stderr
    assert not out.exists()
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out), "--no-robustness"])
    assert result.exit_code == 1
    assert result.stderr.startswith("coprod: error: the report's explanation section re-solves the model (about "
                                    "one per candidate (")
    assert "leave it out for this scenario" in result.stderr
    assert result.stderr.endswith("; on the command line: --no-explain\n")
    result = CliRunner().invoke(main, ["report", str(case.path), "-o", str(out), "--no-explain", "--no-robustness"])
    assert result.exit_code == 0, result.stderr
    assert (out / "report.html").exists()


CHOICE = {"scenario": [("  max_projects: 3\n", "  max_projects: 2\n"),  # gpi and t7a or ship-mro, by the weights
                       ("  categories:\n    co-sustainment: {min: 1}\n", "")]}


DECIDED = ("20 of 20 sampled weight vectors (100 %) leave the portfolio unchanged: it is decided by the "
           "budgets and rules, not by the weights.")
MATTER = ("17 of 20 sampled weight vectors (85 %) leave the portfolio unchanged: the weights matter, since the "
          "other 3 (15 %) choose a different portfolio (see the core index and the flip points).")


@pytest.mark.parametrize("edits, concentration, said", [({}, 50.0, DECIDED), (CHOICE, 1.0, MATTER)])
def test_report_says_whether_budgets_or_weights_decide(write_case, tmp_path: Path, edits, concentration,
                                                       said) -> None:
    case = write_case(tmp_path, edits)
    robust = RobustnessSettings(SampleSpec(20, concentration, {}, "none", 7), portfolio_samples=20)
    analysis = analyse(Study(load_scenario(case.path)), explain=False, robust=robust, parts=("smaa",))
    markdown = render_markdown(report_blocks(analysis, DATE))  # report.md, without drawing the charts
    tokens = MarkdownIt().parse(markdown)
    sections: dict[str, list[str]] = {}
    for i, t in enumerate(tokens):
        if t.type == "inline" and tokens[i - 1].type in ("heading_open",):
            heading = t.content
        elif t.type == "inline" and tokens[i - 1].type == "paragraph_open":
            sections.setdefault(heading, []).append(t.content)
    assert sections["Scenario summary"][1] == said  # right after the portfolio's headline
    smaa = sections["Monte Carlo (SMAA)"]
    assert smaa[smaa.index(said) + 1].startswith("Core index: ")
    kept = analysis.robustness.smaa
    assert kept.nominal == tuple(np.array(kept.ids)[analysis.solution.selected])  # the portfolio the report shows


def test_report_without_re_optimised_samples_does_not_guess(case) -> None:
    robust = RobustnessSettings(SampleSpec(20, 50.0, {}, "none", 7), portfolio_samples=0)
    analysis = analyse(Study(load_scenario(case.path)), explain=False, robust=robust, parts=("smaa",))
    assert "leave the portfolio unchanged" not in render_markdown(report_blocks(analysis, DATE))
