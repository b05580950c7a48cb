"""The report's tables for a reader: headers, formats, and the split to page width."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorer.present.report_tables import (
    CELL_PAD,
    FIT,
    PAGE_CHARS,
    SHARE,
    column_width,
    fit_decimals,
    percent,
    split_columns,
    table_blocks,
)


def test_percent_and_fitted_decimals() -> None:
    assert percent(0.35) == "35 %" and percent(0.355) == "35.5 %" and percent(0.0001, 2) == "0.01 %"
    assert percent(float("nan")) == "unknown"
    assert fit_decimals(pd.Series([5200.0, 12.0, np.nan])) == 0
    assert fit_decimals(pd.Series([412.5, 0.0])) == 1
    assert fit_decimals(pd.Series([0.1 + 0.2, 1.25])) == 2  # 0.30000000000000004 shows as 0.30
    assert fit_decimals(pd.Series([1 / 3])) == 2 and fit_decimals(pd.Series([], dtype=float)) == 0


def test_table_blocks_rename_select_and_format() -> None:
    table = pd.DataFrame({"id": ["a", "b"], "effective_weight": [0.35, 0.65], "cost_US": [5200.0, 412.5],
                          "hidden": [1, 2]})
    [block] = table_blocks(table, {"id": "ID", "effective_weight": "Effective weight", "cost_US": "Cost, US"},
                           {"effective_weight": SHARE, "cost_US": FIT})
    assert list(block.table.columns) == ["ID", "Effective weight", "Cost, US"]  # "hidden" left out
    assert block.formats == {"Effective weight": ".1%", "Cost, US": ",.1f"}
    assert list(table.columns) == ["id", "effective_weight", "cost_US", "hidden"]  # the analysis table unchanged


def test_equal_headers_are_told_apart() -> None:
    table = pd.DataFrame({"rank": [1], "x": [2.0], "y": [3.0]})
    [block] = table_blocks(table, {"rank": "Rank", "x": "Rank", "y": "Cost"})
    assert list(block.table.columns) == ["Rank (rank)", "Rank (x)", "Cost"]


def test_column_width_counts_the_unbreakable_pieces() -> None:
    # A header wraps between words and after hyphens, never inside a word; bold, so a bit wider.
    assert column_width(pd.Series([1.5]), "Export-control and technology-release friction", ".1f", 2) == \
        int(np.ceil(1.15 * len("technology-"))) + CELL_PAD
    # Numbers never wrap; text wraps at about 12 characters, but not inside its longest word (up to 24).
    assert column_width(pd.Series([123456789.0]), "x", ",.0f", 2) == int(np.ceil(1.15 * 11)) + CELL_PAD
    assert column_width(pd.Series(["a few short words here and there"]), "x", None, 2) == 12 + CELL_PAD
    assert column_width(pd.Series(["information_security_and_sharing_x" * 2]), "x", None, 2) == 24 + CELL_PAD


def test_split_columns_fits_every_part_and_keeps_every_column() -> None:
    widths = {"rank": 7, "id": 14, **{f"c{j}": 18 for j in range(12)}}
    parts = split_columns(widths, ["rank", "id"], 130)
    assert len(parts) == 2 and all(p[:2] == ["rank", "id"] for p in parts)
    assert all(sum(widths[c] for c in p) <= 130 for p in parts)
    assert [c for p in parts for c in p[2:]] == [f"c{j}" for j in range(12)]  # each once, in order
    assert split_columns({"a": 10, "b": 20}, ["a"], 130) == [["a", "b"]]  # fits: one part
    assert split_columns({"a": 10, "b": 200, "c": 5}, ["a"], 100) == [["a", "b"], ["a", "c"]]


@pytest.mark.parametrize("columns", [3, 16, 40])
def test_a_wide_table_becomes_parts_that_fit_the_page(columns: int) -> None:
    table = pd.DataFrame({"id": ["patriot-licence-expansion"], **{f"criterion_{j}": [12.5] for j in range(columns)}})
    labels = {"id": "ID", **{f"criterion_{j}": f"Interoperability {j}" for j in range(columns)}}
    blocks = table_blocks(table, labels, keys=("id",))
    shown = [c for b in blocks for c in b.table.columns if c != "ID"]
    assert shown == list(labels.values())[1:]
    for b in blocks:
        assert b.table.columns[0] == "ID"
        assert sum(column_width(b.table[c], c, None, 2) for c in b.table.columns) <= PAGE_CHARS
