"""Blocks to HTML and Markdown: structure, inert input text, cells as numbers or words."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from scorer.present.rendering import Block, cell_text, md_text, render_html, render_markdown

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


# The CommonMark renderer of markdown-it-py, with GitHub's tables: what a reader of report.md sees.
COMMONMARK = MarkdownIt("commonmark").enable("table")


def test_md_text_is_inert_and_one_line() -> None:
    assert md_text("a|b <c> [d] `e` & f\nnext") == "a|b \\<c> \\[d\\] \\`e\\` & f next"
    assert md_text("RDT&E &amp; &#60; \\<i>") == "RDT&E \\&amp; \\&#60; \\\\\\<i>"


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "[click](javascript:alert(3))", "`code`",
                                  "RDT&E &amp; &lt;b&gt;", "\\<script>", "<https://example.com>", "<!-- x -->",
                                  "![x](y.png)", "a | b"])
def test_markdown_renders_input_text_as_the_same_text(text: str) -> None:
    # Rendered by a real CommonMark parser: the text comes back as itself, with no tag, link, image or code.
    paragraph = COMMONMARK.render(md_text(text))
    cell = COMMONMARK.render(render_markdown([Block("table", table=pd.DataFrame({"c": [text]}))]))
    assert paragraph.startswith("<p>") and html_text(paragraph) == text + "\n"
    assert cell.startswith("<table>") and f"<td>{html.escape(text, quote=False)}</td>" in cell
    for out in (paragraph, cell):
        assert not re.search(r"<(?!/?(?:p|table|thead|tbody|tr|th|td)>)", out), out


def html_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", rendered))


def test_cell_text_formats() -> None:
    assert cell_text(0.35, spec=".1%") == ("35.0 %", True)
    assert cell_text(5200.0, spec=",.0f") == ("5,200", True)
    assert cell_text(35.0) == ("35.00", True) and cell_text(2026) == ("2026", True)
    assert cell_text(float("nan"), spec=".1%") == ("", False) and cell_text(pd.NA) == ("", False)
    assert cell_text(True) == ("yes", False) and cell_text("a\x1bb") == ("a?b", False)
    assert cell_text(-1e-13, spec=",.0f") == ("0", True) and cell_text(-1e-13) == ("0.00", True)
    assert cell_text(-0.4, spec=".0f") == ("0", True) and cell_text(-0.6, spec=".0f") == ("-1", True)


def test_banner_comes_first_and_heads_every_printed_page() -> None:
    blocks = [Block("h1", 'Brief "x" </style>'), Block("banner", "Notional <money>", alt='NOTIONAL "}</style>'),
              *BLOCKS[1:]]
    page = render_html(blocks, IMAGES)
    assert '<h1>Brief &quot;x&quot; &lt;/style&gt;</h1>\n<p class="banner" role="note">Notional &lt;money&gt;</p>\n<nav>' \
        in page
    style = page[page.index("<style>"):page.index("</style>")]
    assert "<" not in style[1:] and "@media print" in style and "@page{size:A4" in style
    # The title and banner reach the page margins as CSS strings whose quotes and braces are escaped.
    assert '@top-center{content:"NOTIONAL \\22 \\7d \\3c \\2f style\\3e "' in style
    assert '@bottom-left{content:"Brief \\22 x\\22  \\3c \\2f style\\3e "' in style
    assert render_markdown(blocks).startswith("# Brief \"x\" \\</style>\n\n> **Notional \\<money>**\n")


def test_tables_use_column_formats_in_both_versions() -> None:
    table = pd.DataFrame({"Weight": [0.35, 0.065], "Cost": [5200.0, 12.5], "Note": ["a" * 30, "short"]})
    block = Block("table", table=table, formats={"Weight": ".1%", "Cost": ",.1f"})
    page = render_html([block], {})
    assert '<td class="num">35.0 %</td><td class="num">5,200.0</td><td class="long">' + "a" * 30 in page
    assert '<td class="num">6.5 %</td><td class="num">12.5</td><td>short</td>' in page
    text = render_markdown([block])
    assert "| Weight | Cost | Note |\n|---:|---:|---|\n| 35.0 % | 5,200.0 |" in text


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
    assert text.startswith("# Brief \\<i>\n\n## Portfolio\n\n\\<script>alert(1)\\</script>\n")
    assert "- **a & b**: \"quoted\"\n" in text
    assert "| \\<b>x\\</b> | yes | 1.5 | 3 |" in text and "| y | no |  | 4 |" in text
    assert text.rstrip().endswith("![Gantt \\<chart>](gantt.png)")
    assert "&" not in text.replace("a & b", "")  # no HTML entities


def test_renderers_refuse_unknown_blocks() -> None:
    with pytest.raises(ValueError, match="unknown block kind 'video'"):
        render_html([Block("video")], {})
    with pytest.raises(ValueError, match="unknown block kind 'video'"):
        render_markdown([Block("video")])
