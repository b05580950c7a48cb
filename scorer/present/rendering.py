"""Report blocks rendered as one self-contained HTML page or as Markdown.

Pure text functions: a list of :class:`Block` (headings, paragraphs,
definition lists, banners, tables, charts) in, a document out. Everything
that came from an input file is made inert on the way: escaped in HTML (the
page also forbids scripts and external addresses with a Content-Security-Policy)
and backslash-escaped in Markdown, so that no HTML, link or code span starts
in it (CommonMark renders ``\\<script>`` as the text ``<script>``).

The page prints: a print style drops the scroll boxes, fits tables and
charts to an A4 page and numbers the pages; tables are expected to be split
to paper width by the caller (see :mod:`scorer.present.report_tables`).
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Block:
    """One piece of the report.

    ``kind``: ``h1``/``h2``/``h3`` (``text``, ``anchor``), ``p`` (``text``),
    ``banner`` (``text``: a warning shown above everything else), ``dl``
    (``pairs``), ``table`` (``table``; numbers with ``digits`` decimals, or as
    ``formats`` says for a column: see :func:`cell_text`) or ``chart``
    (``text`` is the chart kind, ``alt`` its description).
    """

    kind: str
    text: str = ""
    table: pd.DataFrame | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    anchor: str = ""
    digits: int = 2
    alt: str = ""
    formats: Mapping[str, str] = field(default_factory=dict)


_FONTS = 'system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Noto Sans CJK JP",sans-serif'
_CSS = """
body{font-family:FONTS;
margin:2em auto;max-width:72em;padding:0 1em;color:#1b1b1b;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #1f4e99;padding-bottom:.2em}
h2{font-size:1.25em;margin-top:1.8em;color:#1f4e99}
nav a{margin-right:1em}
.banner{border:2px solid #b03a2e;background:#fdedec;color:#78281f;padding:.5em .8em;font-weight:bold}
.scroll{overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;font-size:.85em}
th,td{border:1px solid #c8ccd2;padding:.25em .5em;vertical-align:top}
th{background:#eef1f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #e3e6ea}
@page{size:A4;margin:14mm 12mm 15mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt}
nav{display:none}
h1,h2,h3{break-after:avoid}
h2{margin-top:1.2em}
.scroll{overflow:visible}
table{width:100%;font-size:7.5pt;line-height:1.25}
thead{display:table-header-group}
tr,figure,dl{break-inside:avoid}
th,td{overflow-wrap:break-word}
td.long{overflow-wrap:anywhere}
th,.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}
figure{margin:.6em 0}
img{width:auto;height:auto;max-width:100%;max-height:22cm;border:0}
figcaption{font-size:8pt;color:#555}
}
""".replace("FONTS", _FONTS)
# Words longer than this (addresses, long ids) may break anywhere on paper; shorter ones never do.
LONG_WORD = 24
_LONG = re.compile(rf"[^\s-]{{{LONG_WORD + 1},}}")
# A rounding of a tiny negative number (a slack of -1e-13) reads as zero, not minus zero.
_NEGATIVE_ZERO = re.compile(r"-0(?:\.0*)?(?: %)?")
# No script, no fetch, no frame: the page shows text, inline style and embedded images only.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def cell_text(value: Any, digits: int = 2, spec: str | None = None) -> tuple[str, bool]:
    """A table cell as text, and whether it is a number (right-aligned).

    ``spec`` formats a number: a format spec (``".1f"``, ``",.0f"``), or one
    ending in ``%`` for a share shown as a percentage with a space before the
    sign (``".1%"``: 0.35 -> ``35.0 %``). Without it a float gets ``digits``
    decimals. Missing values are empty, booleans yes/no, text printable.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, float | np.floating | int | np.integer):
        if isinstance(value, float | np.floating) and not math.isfinite(value):
            return str(value), True
        if spec is None:
            text = str(value) if isinstance(value, int | np.integer) else f"{value:.{digits}f}"
        elif spec.endswith("%"):
            text = f"{format(float(value) * 100, spec[:-1] + 'f')} %"
        else:
            text = format(value, spec)
        return (text[1:] if _NEGATIVE_ZERO.fullmatch(text) else text), True
    return "".join(ch if ch.isprintable() else "?" for ch in str(value)), False


def _rows(b: Block) -> list[list[tuple[str, bool]]]:
    specs = [b.formats.get(c) for c in b.table.columns]
    return [[cell_text(v, b.digits, spec) for v, spec in zip(row, specs)]
            for row in b.table.itertuples(index=False, name=None)]


def _td(text: str, num: bool) -> str:
    if num:
        return f'<td class="num">{_esc(text)}</td>'
    if _LONG.search(text):  # on paper a word this long may break anywhere rather than widen the table
        return f'<td class="long">{_esc(text)}</td>'
    return f"<td>{_esc(text)}</td>"


def _html_table(b: Block) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in b.table.columns)
    rows = ["<tr>" + "".join(_td(text, num) for text, num in row) + "</tr>" for row in _rows(b)]
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n'
            + "\n".join(rows) + "\n</tbody></table></div>")


def _html_block(b: Block, images: dict[str, bytes]) -> str:
    if b.kind in ("h1", "h2", "h3"):
        anchor = f' id="{_esc(b.anchor)}"' if b.anchor else ""
        return f"<{b.kind}{anchor}>{_esc(b.text)}</{b.kind}>"
    if b.kind == "p":
        return f"<p>{_esc(b.text)}</p>"
    if b.kind == "banner":
        return f'<p class="banner" role="note">{_esc(b.text)}</p>'
    if b.kind == "dl":
        return "<dl>" + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in b.pairs) + "</dl>"
    if b.kind == "table":
        return _html_table(b)
    if b.kind == "chart":
        data = base64.b64encode(images[f"{b.text}.png"]).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(b.alt)}">'
                f"<figcaption>{_esc(b.alt)} ({_esc(b.text)}.png, .svg)</figcaption></figure>")
    raise ValueError(f"unknown block kind {b.kind!r}")


def render_html(blocks: list[Block], images: dict[str, bytes]) -> str:
    """One self-contained HTML page of the blocks (charts from ``images`` as data: URIs).

    The title (first ``h1``) and any banners come first, then the table of
    contents. On paper every page carries the title and its number at the
    foot and, when there is a banner, the banner's ``alt`` at the head.
    """
    title = next((b.text for b in blocks if b.kind == "h1"), "coprod report")
    nav = " ".join(f'<a href="#{_esc(b.anchor)}">{_esc(b.text)}</a>' for b in blocks if b.kind == "h2")
    parts = [_html_block(b, images) for b in blocks]
    lead = next((k for k, b in enumerate(blocks) if b.kind not in ("h1", "banner")), len(blocks))
    parts.insert(lead, f"<nav>{nav}</nav>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n<style>{_CSS}{_page_margins(title, blocks)}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def _page_margins(title: str, blocks: list[Block]) -> str:
    """The printed pages' head (banner) and foot (title, page n of m)."""
    head = next((b.alt for b in blocks if b.kind == "banner" and b.alt), "")
    font = f"font-family:{_FONTS};font-size:7pt;color:#555"
    rule = (f"@page{{@bottom-left{{content:{_css_string(title)};{font}}}"
            f'@bottom-right{{content:"page " counter(page) " of " counter(pages);{font}}}')
    if head:
        rule += f"@top-center{{content:{_css_string(head)};{font};font-weight:bold;color:#b03a2e}}"
    return rule + "}\n"


def _css_string(text: str) -> str:
    """Text as a CSS string literal: everything but letters, digits and spaces as a CSS escape.

    Each escape ends in the one space CSS swallows after it, and no ``<``
    survives, so input text cannot close the string, the rule or the
    ``<style>`` element.
    """
    return '"' + "".join(ch if ch.isalnum() and ch.isascii() or ch == " " else f"\\{ord(ch):x} "
                         for ch in str(text) if ch.isprintable()) + '"'


# Markdown specials that start HTML, an entity, a link or a code span; each gets a backslash
# (CommonMark: any ASCII punctuation may be escaped so). "&" only where an entity would start.
_MD_SPECIAL = re.compile(r"[\\<\[\]`]|&(?=#?[0-9A-Za-z]+;)")


def md_text(text: Any) -> str:
    """Input text made inert for Markdown: no HTML, entities, links or code spans; one line."""
    clean = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), clean)


def md_cell(text: Any) -> str:
    """Input text made inert for a cell of a Markdown table: :func:`md_text`, its pipes escaped too."""
    return md_text(text).replace("|", "\\|")


def _md_block(b: Block) -> str:
    if b.kind == "h1":
        return f"# {md_text(b.text)}\n"
    if b.kind in ("h2", "h3"):
        return f"{'#' * int(b.kind[1])} {md_text(b.text)}\n"
    if b.kind == "p":
        return f"{md_text(b.text)}\n"
    if b.kind == "banner":
        return f"> **{md_text(b.text)}**\n"
    if b.kind == "dl":
        return "".join(f"- **{md_text(k)}**: {md_text(v)}\n" for k, v in b.pairs)
    if b.kind == "table":
        return _md_table(b)
    if b.kind == "chart":
        return f"![{md_text(b.alt)}]({b.text}.png)\n"
    raise ValueError(f"unknown block kind {b.kind!r}")


def _md_table(b: Block) -> str:
    """A GitHub-flavoured table whose cells read as in the HTML; a column of numbers is right-aligned."""
    rows = _rows(b)
    numeric = [any(r[j][1] for r in rows) and all(r[j][1] or not r[j][0] for r in rows)
               for j in range(len(b.table.columns))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(md_cell(c) for c in cells) + " |"

    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    return "\n".join([line([str(c) for c in b.table.columns]), rule,
                      *(line([text for text, _ in r]) for r in rows)]) + "\n"


def render_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown; charts are the PNG files next to the Markdown file."""
    return "\n".join(_md_block(b) for b in blocks)
