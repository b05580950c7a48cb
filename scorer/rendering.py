"""Report blocks rendered as one self-contained HTML page or as Markdown.

Pure text functions: a list of :class:`Block` (headings, paragraphs,
definition lists, tables, charts) in, a document out. Everything that came
from an input file is made inert on the way: escaped in HTML (the page also
forbids scripts and external addresses with a Content-Security-Policy) and
stripped of HTML, links and code spans in Markdown.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scorer.output import to_markdown


@dataclass(frozen=True)
class Block:
    """One piece of the report.

    ``kind``: ``h1``/``h2``/``h3`` (``text``, ``anchor``), ``p`` (``text``), ``dl``
    (``pairs``), ``table`` (``table``, ``digits``) or ``chart`` (``text`` is
    the chart kind, ``alt`` its description).
    """

    kind: str
    text: str = ""
    table: pd.DataFrame | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    anchor: str = ""
    digits: int = 2
    alt: str = ""


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2em auto;
max-width:72em;padding:0 1em;color:#1b1b1b;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #1f4e99;padding-bottom:.2em}
h2{font-size:1.25em;margin-top:1.8em;color:#1f4e99}
nav a{margin-right:1em}
.scroll{overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;font-size:.85em}
th,td{border:1px solid #c8ccd2;padding:.25em .5em;vertical-align:top}
th{background:#eef1f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #e3e6ea}
"""
# No script, no fetch, no frame: the page shows text, inline style and embedded images only.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _cell_text(value: Any, digits: int) -> tuple[str, bool]:
    """A table cell as text, and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, float | np.floating):
        return (f"{value:.{digits}f}" if math.isfinite(value) else str(value)), True
    if isinstance(value, int | np.integer):
        return str(value), True
    return "".join(ch if ch.isprintable() else "?" for ch in str(value)), False


def _html_table(df: pd.DataFrame, digits: int) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    rows = []
    for row in df.itertuples(index=False, name=None):
        cells = []
        for value in row:
            text, num = _cell_text(value, digits)
            cells.append(f'<td class="num">{_esc(text)}</td>' if num else f"<td>{_esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n'
            + "\n".join(rows) + "\n</tbody></table></div>")


def _html_block(b: Block, images: dict[str, bytes]) -> str:
    if b.kind in ("h1", "h2", "h3"):
        anchor = f' id="{_esc(b.anchor)}"' if b.anchor else ""
        return f"<{b.kind}{anchor}>{_esc(b.text)}</{b.kind}>"
    if b.kind == "p":
        return f"<p>{_esc(b.text)}</p>"
    if b.kind == "dl":
        return "<dl>" + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in b.pairs) + "</dl>"
    if b.kind == "table":
        return _html_table(b.table, b.digits)
    if b.kind == "chart":
        data = base64.b64encode(images[f"{b.text}.png"]).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(b.alt)}">'
                f"<figcaption>{_esc(b.alt)} ({_esc(b.text)}.png, .svg)</figcaption></figure>")
    raise ValueError(f"unknown block kind {b.kind!r}")


def render_html(blocks: list[Block], images: dict[str, bytes]) -> str:
    """One self-contained HTML page of the blocks (charts from ``images`` as data: URIs)."""
    title = next((b.text for b in blocks if b.kind == "h1"), "coprod report")
    nav = " ".join(f'<a href="#{_esc(b.anchor)}">{_esc(b.text)}</a>' for b in blocks if b.kind == "h2")
    parts = [_html_block(b, images) for b in blocks]
    if blocks and blocks[0].kind == "h1":  # the title, then the table of contents
        parts.insert(1, f"<nav>{nav}</nav>")
    else:
        parts.insert(0, f"<nav>{nav}</nav>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


# Characters that would start HTML, an entity, a link or code in Markdown.
_MD_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "`": "&#96;"})


def md_text(text: Any) -> str:
    """Input text made inert for Markdown: no HTML, links or code spans; one line."""
    clean = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return clean.translate(_MD_ENTITIES)


def _md_block(b: Block) -> str:
    if b.kind == "h1":
        return f"# {md_text(b.text)}\n"
    if b.kind in ("h2", "h3"):
        return f"{'#' * int(b.kind[1])} {md_text(b.text)}\n"
    if b.kind == "p":
        return f"{md_text(b.text)}\n"
    if b.kind == "dl":
        return "".join(f"- **{md_text(k)}**: {md_text(v)}\n" for k, v in b.pairs)
    if b.kind == "table":
        return to_markdown(_md_table(b.table), b.digits)
    if b.kind == "chart":
        return f"![{md_text(b.alt)}]({b.text}.png)\n"
    raise ValueError(f"unknown block kind {b.kind!r}")


def _md_table(table: pd.DataFrame) -> pd.DataFrame:
    """Cells as the HTML version shows them: text made inert, yes/no, empty where no number."""
    safe = table.copy()
    for col in safe.columns:
        column = safe[col]
        if pd.api.types.is_bool_dtype(column):
            safe[col] = column.map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(column) and column.isna().any():
            safe[col] = column.astype(object).where(column.notna(), None)
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            safe[col] = column.map(lambda v: md_text(v) if isinstance(v, str) else v)
    safe.columns = [md_text(c) for c in safe.columns]
    return safe


def render_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown; charts are the PNG files next to the Markdown file."""
    return "\n".join(_md_block(b) for b in blocks)
