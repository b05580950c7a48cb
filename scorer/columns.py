"""What each column of a result table holds, declared where the table is built.

Writers format a column for what it is (a share shows as a percentage, a
year without a thousands separator, an id is never cut on a terminal), not
by guessing from its name: a name such as ``gap_pct`` or a criterion called
``workshare_balance`` says nothing reliable about the numbers under it.

The kinds travel with the table in ``DataFrame.attrs``; pandas keeps them
through selection, filtering, ``drop``, ``copy``, ``astype`` and
``reset_index``. A column with no declared kind is judged by its dtype only:
a flag, a count (integers), a plain number (never a percentage) or text.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

FRACTION = "fraction"  # a share in [0, 1]: 0.15 is shown as 15.0%
PERCENT = "percent"  # already in percent points: 1.22 means 1.22 %, shown as the number 1.22
MONEY = "money"  # an amount in the scenario's currency
POINTS = "points"  # a score, value or contribution on the 0-100 scale
NUMBER = "number"  # any other quantity: a raw weight, a ratio, an expected rank
COUNT = "count"  # a whole number: a rank, an order, a number of projects or samples
YEAR = "year"  # a calendar year
ID = "id"  # an identifier, or text of ids and numbers: it may wrap between words, never inside one
TEXT = "text"  # free text such as a name, which may fold anywhere
FLAG = "flag"  # true or false

KINDS = (FRACTION, PERCENT, MONEY, POINTS, NUMBER, COUNT, YEAR, ID, TEXT, FLAG)
NUMERIC = (FRACTION, PERCENT, MONEY, POINTS, NUMBER, COUNT, YEAR)
_KEY = "kinds"


def declare(table: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Record what each named column of ``table`` holds, and return the table.

    Parameters
    ----------
    table : DataFrame
        The result table (changed in place: only its ``attrs``).
    kinds : mapping of str to str
        Column name to one of :data:`KINDS`; names not in the table are
        ignored, so a producer can declare optional columns once.
    """
    unknown = sorted(set(kinds.values()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown column kinds: {', '.join(unknown)}")
    known = {str(c): k for c, k in kinds.items() if c in table.columns}
    table.attrs[_KEY] = {**table.attrs.get(_KEY, {}), **known}
    return table


def kind_of(table: pd.DataFrame, column: str) -> str:
    """The declared kind of ``column``, else the one its dtype implies (never a percentage)."""
    declared = table.attrs.get(_KEY, {}).get(str(column))
    if declared is not None:
        return declared
    series = table[column]
    if pd.api.types.is_bool_dtype(series):
        return FLAG
    if pd.api.types.is_integer_dtype(series):
        return COUNT
    if pd.api.types.is_numeric_dtype(series):
        return NUMBER
    return TEXT
