"""The report's tables as a reader sees them: human headers, readable numbers, paper width.

The analyses' tables keep their machine column names (``effective_weight``,
``cost_US``): those are what ``--format csv|json`` writes and other programs
read. The briefing shows the same numbers under human headers ("Effective
weight"), shares as percentages (``35.0 %``), money with the fewest decimals
that show every amount of a column, and splits a table too wide for an A4
page into parts that each fit, repeating its key columns (the id) in every
part, so that every column is on paper.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from scorer.present.rendering import LONG_WORD, Block, cell_text

# Characters of 7.5 pt table text across an A4 page with 12 mm margins, less about 5 %: DejaVu Sans
# (the widest common face, and Chromium's fallback on Linux) sets 138 average letters in 186 mm;
# digits and bold headers are about 15 % wider (measured with its metrics).
PAGE_CHARS = 130
WIDE = 1.15
# A cell's padding and borders, in characters.
CELL_PAD = 2
# A column of wrapping text needs about this much to stay readable.
TEXT_CHARS = 12
# The format of a column whose decimals fit its values: the fewest (at most 2) that show each one,
# with thousands separators (money, raw weights).
FIT = "fit"
SHARE = ".1%"


def percent(share: float, digits: int = 1) -> str:
    """A share as a percentage with a space before the sign: 0.35 -> ``35.0 %``; whole ones without decimals."""
    if not math.isfinite(share):
        return "unknown"
    value = 100 * share
    return f"{value:.0f} %" if round(value, 9) == round(value) else f"{value:.{digits}f} %"


def fit_decimals(values: pd.Series, most: int = 2) -> int:
    """The fewest decimals (at most ``most``) that show every finite value of a column exactly."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    for d in range(most):
        scaled = v * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return d
    return most


def table_blocks(table: pd.DataFrame, labels: Mapping[str, str], formats: Mapping[str, str] | None = None,
                 keys: Sequence[str] = (), digits: int = 2, width: int = PAGE_CHARS) -> list[Block]:
    """The table as report blocks: the columns of ``labels`` in its order, renamed, split to page width.

    Parameters
    ----------
    table : DataFrame
        An analysis table with machine column names.
    labels : mapping
        Machine column name -> human header; columns not named are left out.
    formats : mapping, optional
        Machine column name -> format spec of :func:`scorer.present.rendering.cell_text`,
        or :data:`FIT`.
    keys : sequence of str
        Machine names of the columns repeated in every part when the table is split.
    digits : int
        Decimals of a float column without a format.
    width : int
        The characters a part may take (:data:`PAGE_CHARS`).
    """
    shown = table.loc[:, [c for c in labels if c in table.columns]]
    headers = _unique({c: labels[c] for c in shown.columns})
    specs = {headers[c]: (_fit_spec(shown[c]) if spec == FIT else spec)
             for c, spec in (formats or {}).items() if c in shown.columns}
    shown = shown.set_axis(list(headers.values()), axis=1)
    parts = split_columns({c: column_width(shown[c], c, specs.get(c), digits) for c in shown.columns},
                          [headers[k] for k in keys if k in headers], width)
    return [Block("table", table=shown.loc[:, part], digits=digits,
                  formats={c: s for c, s in specs.items() if c in part}) for part in parts]


def _unique(headers: dict[str, str]) -> dict[str, str]:
    """Headers made unique (two criteria of one name, a name equal to "Rank") by adding the machine name."""
    seen = pd.Series(list(headers.values())).value_counts()
    return {c: f"{h} ({c})" if seen[h] > 1 else h for c, h in headers.items()}


def _fit_spec(column: pd.Series) -> str:
    return f",.{fit_decimals(column)}f"


def column_width(column: pd.Series, header: str, spec: str | None, digits: int) -> int:
    """About how many characters a column needs on paper, at least its widest unbreakable piece.

    Numbers do not wrap. Text wraps between words and after hyphens, at about
    :data:`TEXT_CHARS`; a word longer than :data:`scorer.present.rendering.LONG_WORD`
    may break anywhere. A header wraps between words, never inside one, and
    is bold.
    """
    cells = [cell_text(v, digits, spec) for v in column]
    numbers = [len(text) for text, num in cells if num]
    texts = [text for text, num in cells if not num and text]
    body = math.ceil(WIDE * max(numbers, default=0))
    if texts:
        word = max(len(w) for text in texts for w in _words(text))
        body = max(body, min(word, LONG_WORD), min(max(map(len, texts)), TEXT_CHARS))
    head = math.ceil(WIDE * max(map(len, _words(header)), default=0))
    return max(body, head) + CELL_PAD


def _words(text: str) -> list[str]:
    """The pieces a line may not break inside: words, cut after each hyphen."""
    return re.split(r"\s+|(?<=-)", text)


def split_columns(widths: Mapping[str, int], keys: Sequence[str], width: int = PAGE_CHARS) -> list[list[str]]:
    """Columns grouped into parts of at most ``width`` characters, each led by the ``keys``.

    The fewest parts that fit, of about equal width, columns in their order;
    a column too wide for any part gets one of its own.
    """
    keys = [k for k in keys if k in widths]
    others = [c for c in widths if c not in keys]
    key_width = sum(widths[k] for k in keys)
    w = np.array([widths[c] for c in others], dtype=float)
    if key_width + w.sum() <= width or len(others) <= 1:
        return [list(widths)]
    cum = np.cumsum(w)
    for n in range(2, len(others) + 1):
        # Cut where the running width passes each n-th of the total: parts of about equal width.
        cuts = np.unique(np.searchsorted(cum, cum[-1] * np.arange(1, n) / n, side="left") + 1)
        bounds = [0, *[int(c) for c in cuts if 0 < c < len(others)], len(others)]
        parts = [others[a:b] for a, b in zip(bounds, bounds[1:])]
        if all(key_width + sum(widths[c] for c in part) <= width for part in parts):
            return [keys + part for part in parts]
    return [keys + [c] for c in others]
