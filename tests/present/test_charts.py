"""Charts: every chart renders as PNG and SVG, byte-identically, with names as plain text."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pytest
from matplotlib.image import imread

from scorer.present import charts
from scorer.errors import OutputError
from scorer.inputs.loading import load_scenario
from scorer.study.study import Study
from scorer.mip.config import SolverConfig
from scorer.portfolio.solve import optimize
from scorer.portfolio.problem import problem_from_inputs
from scorer.present.report import RobustnessSettings, robustness
from scorer.present.report import analyse
from scorer.robustness.sampling import SampleSpec
from scorer.scoring.score import score
from scorer.robustness.smaa import SmaaResult
from testkit import CANDIDATES, SCENARIO

DPI_INCHES = charts.DPI  # pixels per inch of the PNGs

SMALL = RobustnessSettings(SampleSpec(60, 50.0, {}, "none", 7), portfolio_samples=12, tolerance=0.05, steps=6, k=3)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Names a chart must show literally: mathtext, markup and a very long one.
ODD_NAME = "$x$ <script>alert(1)</script>"
LONG_NAME = "A very long candidate name " * 6


@pytest.fixture(scope="module")
def results(write_case, tmp_path_factory):
    folder = tmp_path_factory.mktemp("charts")
    case = write_case(folder, {"candidates": [("name: T-7A trainer", f"name: '{ODD_NAME}'"),
                                              ("name: Ship MRO", f"name: '{LONG_NAME}'")]})
    inputs = load_scenario(case.path)
    result = score(inputs)
    sol = optimize(problem_from_inputs(inputs), result.scores, SolverConfig(time_limit=10))
    return inputs, result, sol


@pytest.fixture(scope="module")
def robust(results):
    analysis = analyse(Study(results[0]), explain=False)
    return analysis, robustness(analysis, SMALL)


KINDS = ["contributions", "gantt", "tornado", "acceptability", "core", "frontier"]


def _builders(results, robust):
    inputs, result, sol = results
    names = {c.id: c.name for c in inputs.criteria.criteria}
    analysis, rb = robust
    return {
        "contributions": lambda fmt: charts.contributions_chart(result, names, fmt=fmt),
        "gantt": lambda fmt: charts.gantt_chart(sol, fmt=fmt),
        "tornado": lambda fmt: charts.tornado_chart(rb.rank_flips, rb.portfolio_flips, names, fmt=fmt),
        "acceptability": lambda fmt: charts.acceptability_chart(rb.smaa, fmt=fmt),
        "core": lambda fmt: charts.core_chart(rb.smaa, fmt=fmt),
        "frontier": lambda fmt: charts.frontier_chart(rb.frontier, rb.chosen_level,
                                                      analysis.solution.objective, "USD", fmt=fmt),
    }


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_png_is_a_drawn_image_and_deterministic(results, robust, kind: str) -> None:
    build = _builders(results, robust)[kind]
    first, second = build("png"), build("png")
    assert first.startswith(PNG_MAGIC)
    assert first == second
    pixels = imread(io.BytesIO(first))
    assert pixels.shape[0] > 200 and pixels.shape[1] > 400
    assert np.ptp(pixels[..., :3]) > 0.5  # not a blank canvas
    assert b"Software" not in first  # no version stamp that would change between installs
    # Print resolution: across the 186 mm between an A4 page's 12 mm margins, at least 200 dots per inch.
    assert pixels.shape[1] / (186 / 25.4) >= 200


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_svg_is_deterministic_with_text_as_text(results, robust, kind: str) -> None:
    build = _builders(results, robust)[kind]
    first, second = build("svg"), build("svg")
    assert first == second
    text = first.decode("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<dc:date>" not in text
    assert "<script" not in text


@pytest.mark.slow
def test_names_are_literal_text(results) -> None:
    svg = charts.contributions_chart(results[1], fmt="svg").decode("utf-8")
    # The name is escaped XML text, drawn as written: $x$ not typeset as maths.
    assert "$x$ &lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<script" not in svg
    gantt = charts.gantt_chart(results[2], fmt="svg").decode("utf-8")
    assert "&lt;script&gt;" in gantt and "<script" not in gantt


@pytest.mark.slow
def test_long_names_are_shortened(results) -> None:
    svg = charts.contributions_chart(results[1], fmt="svg").decode("utf-8")
    assert LONG_NAME.strip() not in svg
    assert "A very long candidate name A very long…" in svg


def test_plain_text_helper() -> None:
    assert charts.plain("ab\x1b[31mc", 40) == "ab?[31mc"
    assert charts.plain("x" * 50, 10) == "x" * 9 + "…"
    assert charts.plain("short", 10) == "short"


def test_contributions_chart_shows_every_criterion(results) -> None:
    inputs, result, _ = results
    names = {c.id: c.name for c in inputs.criteria.criteria}
    svg = charts.contributions_chart(result, names, fmt="svg").decode("utf-8")
    for name in names.values():
        assert name in svg
    assert "score (0-100), weighted-sum" in svg


def test_non_additive_method_draws_scores_only(case) -> None:
    result = score(load_scenario(case.path), "topsis")
    svg = charts.contributions_chart(result, fmt="svg").decode("utf-8")
    assert "score (0-100), topsis" in svg and "Ranking by topsis score" in svg
    assert "criterion" not in svg  # no legend of parts that do not exist


@pytest.mark.slow
def test_gantt_shows_caps_and_partners(results) -> None:
    _, _, sol = results
    svg = charts.gantt_chart(sol, fmt="svg").decode("utf-8")
    for label in ("Yearly spend: both partners", "Yearly spend: US", "Yearly spend: JP", "yearly cap",
                  "USD million (notional)", "Glide Phase Interceptor"):
        assert label in svg
    # Only the selected projects get a bar label.
    shown = {sol.problem.names[i] for i in np.flatnonzero(sol.selected)}
    left_out = set(sol.problem.names) - shown
    assert all(charts.plain(n) not in svg for n in left_out if n not in ODD_NAME)


@pytest.mark.slow
def test_gantt_labels_the_years_above_the_bars_and_below_the_spend(results) -> None:
    _, _, sol = results
    svg = charts.gantt_chart(sol, fmt="svg").decode("utf-8")
    first_spend = float(re.search(r'y="([\d.]+)"[^>]*>Yearly spend: both partners<', svg).group(1))
    for year in sol.problem.years:
        heights = sorted(float(y) for y in re.findall(rf'y="([\d.]+)"[^>]*>{int(year)}</text>', svg))
        assert len(heights) == 2 and heights[0] < first_spend < heights[1], (year, heights)


@pytest.mark.slow
def test_tornado_shows_weights_as_percentages(robust) -> None:
    _, rb = robust
    svg = charts.tornado_chart(rb.rank_flips, rb.portfolio_flips, fmt="svg").decode("utf-8")
    assert re.findall(r">(\d+%)</text>", svg) == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_unknown_format_is_an_output_error(results) -> None:
    with pytest.raises(OutputError, match="unknown chart format 'gif'"):
        charts.gantt_chart(results[2], fmt="gif")


@pytest.mark.slow
def test_svg_has_no_mathtext_glyph_paths(results) -> None:
    # With mathtext, "$x$" would become an italic glyph path; as text it stays a <text> run.
    svg = charts.contributions_chart(results[1], fmt="svg").decode("utf-8")
    assert re.search(r"<text[^>]*>[^<]*\$x\$", svg)


@pytest.mark.slow
def test_odd_names_stay_literal_in_robustness_charts(robust) -> None:
    _, rb = robust
    for svg in (charts.acceptability_chart(rb.smaa, fmt="svg"), charts.core_chart(rb.smaa, fmt="svg")):
        text = svg.decode("utf-8")
        assert "$x$ &lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text


@pytest.mark.slow
def test_robustness_charts_say_what_they_show(robust) -> None:
    analysis, rb = robust
    tornado = charts.tornado_chart(rb.rank_flips, rb.portfolio_flips, fmt="svg").decode("utf-8")
    leader = rb.rank_flips[0].leader
    assert f"keep {leader} on top and the portfolio unchanged" in tornado
    assert "top rank unchanged" in tornado and "current weight" in tornado
    assert "Rank acceptability (60 weight samples)" in charts.acceptability_chart(rb.smaa, fmt="svg").decode()
    assert "Core index (12 re-optimised samples" in charts.core_chart(rb.smaa, fmt="svg").decode()
    frontier = charts.frontier_chart(rb.frontier, rb.chosen_level, analysis.solution.objective, "USD m",
                                     fmt="svg").decode("utf-8")
    assert "total budget (USD m)" in frontier
    assert f"chosen portfolio ({analysis.solution.objective:.1f})" in frontier


@pytest.mark.slow
def test_core_chart_needs_sampled_portfolios(robust) -> None:
    from dataclasses import replace

    no_core = replace(robust[1].smaa, core_index=None)
    with pytest.raises(OutputError, match="needs sampled portfolios"):
        charts.core_chart(no_core)


def _many(write_case, folder, n: int):
    """The small case with ``n`` copies of the ship MRO candidate and no money limits."""
    block = CANDIDATES[CANDIDATES.index("  - id: ship-mro"):]
    extra = "".join(block.replace("id: ship-mro", f"id: c{k:03d}").replace("name: Ship MRO", f"name: Copy {k}")
                    for k in range(n))
    budget = SCENARIO[SCENARIO.index("budget:"):SCENARIO.index("rules:")]
    case = write_case(folder, {"scenario": [(budget, ""), ("  max_projects: 3\n", "")]})
    case.file("candidates").write_text(CANDIDATES + extra, encoding="utf-8")
    return load_scenario(case.path)


@pytest.mark.slow
def test_big_inputs_draw_a_bounded_part(write_case, tmp_path) -> None:
    inputs = _many(write_case, tmp_path, 70)
    result = score(inputs)
    n = len(result.ids)  # 74
    svg = charts.contributions_chart(result, fmt="svg").decode("utf-8")
    assert f"(best {charts.MAX_ROWS} of {n})" in svg
    sol = optimize(problem_from_inputs(inputs), result.scores, SolverConfig(time_limit=10))
    picked = int(sol.selected.sum())
    assert picked > charts.MAX_ROWS
    assert f"(first {charts.MAX_ROWS} of {picked})" in charts.gantt_chart(sol, fmt="svg").decode("utf-8")
    rng = np.random.default_rng(1)
    acc = rng.dirichlet(np.ones(n), size=n)
    smaa = SmaaResult(result.ids, result.names, 10, acc, 10, rng.random(n), [])
    heat = charts.acceptability_chart(smaa, fmt="png")
    assert imread(io.BytesIO(heat)).shape[0] < 40 * DPI_INCHES
    assert f"(ranks 1-40, best 40 of {n})" in charts.acceptability_chart(smaa, fmt="svg").decode("utf-8")
    assert f"(highest 40 of {n})" in charts.core_chart(smaa, fmt="svg").decode("utf-8")


@pytest.mark.slow
def test_glyphs_missing_from_the_font_do_not_warn(write_case, tmp_path) -> None:
    case = write_case(tmp_path, {"candidates": [("name: Ship MRO", "name: 艦船整備 (ship MRO)")]})
    result = score(load_scenario(case.path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        png = charts.contributions_chart(result, fmt="png")
        svg = charts.contributions_chart(result, fmt="svg").decode("utf-8")
    assert png.startswith(PNG_MAGIC) and "艦船整備 (ship MRO)" in svg


# ------------------------------------------------------ partners' charts ---

@pytest.fixture(scope="module")
def bilateral(write_case, tmp_path_factory):
    from testkit import write_perspectives

    study = Study.load(write_perspectives(write_case(tmp_path_factory.mktemp("bilateral"))))
    return study, study.bargain()


def _svg_texts(svg: bytes) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)  # a parse error fails the test: the SVG must be well-formed XML
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


def test_pareto_chart_marks_the_frontier_ideal_disagreement_and_solutions(bilateral) -> None:
    _, result = bilateral
    first, second = charts.pareto_chart(result, fmt="svg"), charts.pareto_chart(result, fmt="svg")
    assert first == second
    texts = " | ".join(_svg_texts(first))
    for label in ("ideal", "disagreement", "joint solution", "nash solution", "balanced solution",
                  f"frontier ({len(result.frontier.points)} portfolios)"):
        assert label in texts, label
    names = result.parties.names
    assert f"{names[0]}'s value" in texts and f"{names[1]}'s value" in texts
    png = charts.pareto_chart(result)
    assert png.startswith(PNG_MAGIC) and png == charts.pareto_chart(result)
    assert np.ptp(imread(io.BytesIO(png))[..., :3]) > 0.5


def test_partners_chart_shows_each_partners_rank_and_the_largest_disagreements(bilateral) -> None:
    study, _ = bilateral
    views = study.views
    svg = charts.partners_chart(views, fmt="svg")
    assert svg == charts.partners_chart(views, fmt="svg")
    texts = _svg_texts(svg)
    for p in views.partners:
        assert f"{p}'s rank" in texts
    ranks = np.stack([views.views[p].scored.ranks for p in views.partners])
    spread = ranks.max(axis=0) - ranks.min(axis=0)
    assert f"{int(spread.max())} places apart" in texts
    assert sum(t.endswith("places apart") for t in texts) == min(3, int((spread > 0).sum()))
    for i in views.joint.order:
        assert charts.plain(views.joint.names[i]) in texts
    png = charts.partners_chart(views)
    assert png.startswith(PNG_MAGIC) and png == charts.partners_chart(views)
