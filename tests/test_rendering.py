"""Blocks to HTML and Markdown: structure, inert input text, cells as numbers or words."""

from __future__ import annotations

import pandas as pd
import pytest

from scorer.rendering import Block, md_text, render_html, render_markdown

TABLE = pd.DataFrame({"id": ["<b>x</b>", "y"], "in": [True, False], "value": [1.5, float("nan")], "n": [3, 4]})
BLOCKS = [
    Block("h1", "Brief <i>"),
    Block("h2", "Portfolio", anchor="portfolio"),
    Block("p", "<script>alert(1)</script>"),
    Block("dl", pairs=(("seed", "42"), ("a & b", '"quoted"'))),
    Block("table", table=TABLE, digits=1),
    Block("chart", "gantt", alt="Gantt <chart>"),
]
IMAGES = {"gantt.png": b"\x89PNG"}


def test_md_text_is_inert_and_one_line() -> None:
    assert md_text("a|b <c> [d] `e` & f\nnext") == "a|b &lt;c&gt; &#91;d&#93; &#96;e&#96; &amp; f next"


def test_html_page_escapes_every_kind_of_block() -> None:
    page = render_html(BLOCKS, IMAGES)
    assert "<title>Brief &lt;i&gt;</title>" in page and "<h1>Brief &lt;i&gt;</h1>\n<nav>" in page
    assert '<nav><a href="#portfolio">Portfolio</a></nav>' in page and '<h2 id="portfolio">Portfolio</h2>' in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page and "<script" not in page
    assert "<dt>a &amp; b</dt><dd>&quot;quoted&quot;</dd>" in page
    assert ('<tr><td>&lt;b&gt;x&lt;/b&gt;</td><td>yes</td><td class="num">1.5</td><td class="num">3</td></tr>'
            in page)
    assert '<tr><td>y</td><td>no</td><td></td><td class="num">4</td></tr>' in page  # NaN: an empty cell
    assert '<img src="data:image/png;base64,iVBORw==" alt="Gantt &lt;chart&gt;">' in page


def test_markdown_reads_as_the_html() -> None:
    text = render_markdown(BLOCKS)
    assert text.startswith("# Brief &lt;i&gt;\n\n## Portfolio\n\n&lt;script&gt;alert(1)&lt;/script&gt;\n")
    assert "- **a &amp; b**: \"quoted\"\n" in text
    assert "| &lt;b&gt;x&lt;/b&gt; | yes | 1.5 | 3 |" in text and "| y | no |  | 4 |" in text
    assert text.rstrip().endswith("![Gantt &lt;chart&gt;](gantt.png)")


def test_renderers_refuse_unknown_blocks() -> None:
    with pytest.raises(ValueError, match="unknown block kind 'video'"):
        render_html([Block("video")], {})
    with pytest.raises(ValueError, match="unknown block kind 'video'"):
        render_markdown([Block("video")])
