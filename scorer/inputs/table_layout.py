"""The column layout of a candidates table (xlsx or CSV) and its mapping to the YAML form's fields.

One row per candidate, header in row 1: ``id``, ``name``, ``category``,
``description``, ``earliest_start``, ``latest_finish``, ``share.<partner>``
(or ``share.<partner>.min`` and ``.max``), ``cost.1``, ``cost.2``, ...,
``requires`` and ``excludes`` (ids separated by ``;``), and per criterion
``<id>``, ``<id>.low``, ``<id>.high``, ``<id>.rationale``, ``<id>.source``.

Pure functions over plain values: :func:`parse_header` names each column's
field, :func:`rows_data` builds each candidate's data exactly as the YAML form
writes it (so the same pydantic models and cross-file checks apply), and
:func:`column_of` finds the column of a field path again, to locate a problem.
:func:`table_rows` is the reverse, for writing a table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TEXT_FIELDS = ("id", "name", "category", "description")
YEAR_FIELDS = ("earliest_start", "latest_finish")
LIST_FIELDS = ("requires", "excludes")
FIXED = (*TEXT_FIELDS, *YEAR_FIELDS, *LIST_FIELDS)
SCORE_PARTS = ("low", "high", "rationale", "source")
NUMERIC_SCORE_PARTS = ("low", "high")
LIST_SEPARATOR = ";"
_NAME = re.compile(r"[a-z0-9_-]+")
_PARTNER = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_COST = re.compile(r"cost\.([1-9][0-9]{0,2})")


@dataclass(frozen=True)
class Column:
    """What one header names.

    ``kind`` is ``field`` (``key`` one of :data:`FIXED`), ``share`` (``key``
    the partner, ``part`` None, ``min`` or ``max``), ``cost`` (``key`` the
    project year, from 1) or ``score`` (``key`` the criterion, ``part``
    ``value`` or one of :data:`SCORE_PARTS`).
    """

    kind: str
    key: str | int
    part: str | None = None

    @property
    def numeric(self) -> bool:
        """Whether the cell must hold a number (a score's value may be a label)."""
        return self.kind in ("share", "cost") or self.key in YEAR_FIELDS or self.part in NUMERIC_SCORE_PARTS

    @property
    def text(self) -> bool:
        """Whether the cell holds text as written (never read as a number): a categorical score is a ``label``."""
        return (self.kind == "field" and self.key not in YEAR_FIELDS) or self.part in ("rationale", "source", "label")


def parse_column(name: str) -> Column | str:
    """The :class:`Column` a header names, or why it names none."""
    if name in FIXED:
        return Column("field", name)
    if name.startswith("share."):
        partner, _, part = name.removeprefix("share.").partition(".")
        if not _PARTNER.fullmatch(partner) or part not in ("", "min", "max"):
            return "a share column is share.<partner>, or share.<partner>.min and share.<partner>.max"
        return Column("share", partner, part or None)
    if name.startswith("cost."):
        found = _COST.fullmatch(name)
        return Column("cost", int(found.group(1))) if found else "a cost column is cost.1, cost.2, ... (at most cost.100)"
    criterion, _, part = name.partition(".")
    if not _NAME.fullmatch(criterion) or part not in ("", *SCORE_PARTS):
        return ("unknown column: not a field (" + ", ".join(FIXED) + ", share.<partner>, cost.<year>) nor a "
                "criterion id, optionally with ." + ", .".join(SCORE_PARTS))
    return Column("score", criterion, part or "value")


def parse_header(names: Sequence[str], kind: str = "candidates") -> tuple[list[Column | None], list[tuple[int, str]]]:
    """Each header's :class:`Column` (None for a blank header), and the problems as ``(column index, message)``.

    ``kind``: ``candidates``, or ``scores`` for a partner's scores overlay (``id`` and criterion columns only).
    """
    columns: list[Column | None] = []
    problems: list[tuple[int, str]] = []
    seen: dict[Column, int] = {}
    for j, name in enumerate(names):
        parsed = parse_column(name) if name else None
        if isinstance(parsed, str):
            problems.append((j, parsed))
            parsed = None
        elif parsed is not None and parsed in seen:
            problems.append((j, f"appears twice (also column {seen[parsed] + 1})"))
            parsed = None
        if parsed is not None and kind == "scores" and parsed.kind != "score" and parsed != Column("field", "id"):
            problems.append((j, "a scores table holds an id column and criterion columns only"))
            parsed = None
        if parsed is not None:
            seen[parsed] = j
        columns.append(parsed)
    problems += _header_rules(names, columns, ("id",) if kind == "scores" else ("id", "name", "cost.1"))
    return columns, problems


def _header_rules(names: Sequence[str], columns: list[Column | None], required: Sequence[str]) -> list[tuple[int, str]]:
    present = {c for c in columns if c is not None}
    problems = []
    for j, c in enumerate(columns):
        if c is None:
            continue
        if c.kind == "share" and c.part is not None and Column("share", c.key, "max" if c.part == "min" else "min") not in present:
            problems.append((j, f"share.{c.key}.min and share.{c.key}.max go together"))
        if c.kind == "cost" and c.key > 1 and Column("cost", c.key - 1) not in present:
            problems.append((j, f"cost.{c.key - 1} is missing: the years are cost.1, cost.2, ... without a gap"))
    for field in required:
        wanted = Column("cost", 1) if field == "cost.1" else Column("field", field)
        if wanted not in present:
            problems.append((len(names), f"a column {field} is required"))
    kinds = {c.kind for c in present}
    if "name" in required and "share" not in kinds:
        problems.append((len(names), "a column share.<partner> is required for each partner (share.US, share.JP, ...)"))
    return problems


def rows_data(columns: Sequence[Column | None], values: Sequence[Sequence[Any]],
              count: int) -> tuple[list[dict[str, Any]], list[tuple[int, int, str]]]:
    """Each row's candidate data in the YAML form's shape, from the table's values column by column.

    ``values[j][i]`` is the value of column ``j`` in row ``i`` (None if blank);
    ``count`` is the number of rows. Column by column, because a table is
    read a column at a time (10,000 rows x 500 columns in a few hundred ms);
    each row's keys still come in the order of its columns.

    Returns the data and the problems as ``(row index, column index, message)``:
    a blank cost year before a filled one, half a share range.
    """
    data: list[dict[str, Any]] = [{} for _ in range(count)]
    scores: list[dict[str, Any]] = [{} for _ in range(count)]
    problems: list[tuple[int, int, str]] = []
    parts = {c.key for c in columns if c is not None and c.kind == "score" and c.part in SCORE_PARTS}
    costs: list[tuple[int, int, Sequence[Any]]] = []
    for j, (column, cells) in enumerate(zip(columns, values, strict=False)):
        if column is None:
            continue
        if column.kind == "cost":
            costs.append((column.key, j, cells))
        elif column.kind == "share":
            problems += [(i, j, f"share.{column.key} is fixed or a range (.min and .max) in a row, not both")
                         for i, value in enumerate(cells)
                         if value is not None and not _put_share(data[i].setdefault("partners", {}), column, value)]
        elif column.kind == "field":
            _put_field(data, column.key, cells)
        elif column.key in parts:
            for row_scores, value in zip(scores, cells):
                if value is not None:
                    _put_score(row_scores, column, value)
        else:  # a criterion with a value column only: each cell is the shorthand score
            key = column.key
            for row_scores, value in zip(scores, cells):
                if value is not None:
                    row_scores[key] = value
    for row, row_scores in zip(data, scores):
        if row_scores:  # a row without any score has no scores (as YAML without the key)
            row["scores"] = row_scores
    problems += _put_costs(data, sorted(costs, key=lambda c: c[0]))
    if any(c is not None and c.kind == "share" and c.part is not None for c in columns):
        problems += [(i, j, m) for i, row in enumerate(data) for j, m in _half_ranges(columns, row.get("partners", {}))]
    return data, problems


def _put_field(data: list[dict[str, Any]], key: str, cells: Sequence[Any]) -> None:
    split = key in LIST_FIELDS
    for row, value in zip(data, cells):
        if value is not None:
            row[key] = _id_list(value) if split else value


def _put_costs(data: list[dict[str, Any]], costs: list[tuple[int, int, Sequence[Any]]]) -> list[tuple[int, int, str]]:
    """Each row's ``cost`` list (year 1 on, to its last filled year); a blank year before a filled one is a problem."""
    if not costs:
        return []
    problems = []
    for i, (row, years) in enumerate(zip(data, zip(*(cells for _, _, cells in costs)))):
        last = len(years) - 1
        while last >= 0 and years[last] is None:
            last -= 1
        if last < 0:
            continue
        held = years[:last + 1]
        if None not in held:
            row["cost"] = list(held)
            continue
        row["cost"] = [value for value in held if value is not None]
        gap = held.index(None)
        problems.append((i, costs[last][1], f"cost.{costs[gap][0]} is blank but a later year is not"))
    return problems


def _id_list(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # pydantic names the wrong type
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _put_share(partners: dict[str, Any], column: Column, value: Any) -> bool:
    """Put one share cell in; False if the row already has the other form of that partner's share."""
    held = partners.get(column.key)
    if column.part is None:
        partners[column.key] = value
        return held is None
    if held is not None and not isinstance(held, list):
        return False
    pair = partners.setdefault(column.key, [None, None])
    pair[0 if column.part == "min" else 1] = value
    return True


def _half_ranges(columns: Sequence[Column | None], partners: Mapping[str, Any]) -> list[tuple[int, str]]:
    problems = []
    for partner, share in partners.items():
        if isinstance(share, list) and None in share:
            blank = "min" if share[0] is None else "max"
            if Column("share", partner, blank) not in columns:
                continue  # no such column: the header's problem, said at row 1
            j = columns.index(Column("share", partner, blank))
            problems.append((j, f"share.{partner}.{blank} is blank but share.{partner}.{'max' if blank == 'min' else 'min'} is not"))
    return problems


def _put_score(scores: dict[str, Any], column: Column, value: Any) -> None:
    entry = scores.get(column.key)
    part = "value" if column.part == "label" else column.part
    if part == "value" and entry is None:
        scores[column.key] = value  # the shorthand, as YAML writes a plain score
        return
    if not isinstance(entry, dict):
        entry = {} if entry is None else {"value": entry}
        scores[column.key] = entry
    entry[part] = value


def column_of(loc: Sequence[Any]) -> str | None:
    """The header of the column a candidate's field path (after ``candidates[i]``) sits in, or None for the row."""
    if not loc:
        return None
    field, rest = loc[0], list(loc[1:])
    if field == "partners":
        if not rest:
            return None
        part = {0: ".min", 1: ".max"}.get(rest[1], "") if len(rest) > 1 else ""
        return f"share.{rest[0]}{part}"
    if field == "cost":
        return f"cost.{rest[0] + 1}" if rest and isinstance(rest[0], int) else "cost.1"
    if field == "scores":
        if not rest:
            return None
        part = rest[1] if len(rest) > 1 and rest[1] in SCORE_PARTS else None
        return f"{rest[0]}.{part}" if part else str(rest[0])
    return str(field)


# What a row without any cell of a required field should fill (the columns are many, so none is named).
MISSING = {
    "partners": "a share for each partner (share.<partner>, or .min and .max)",
    "scores": "a score for each criterion (the columns headed by criterion ids)",
}


def table_rows(candidates: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of a table holding ``candidates`` (each in the YAML form's shape).

    The reverse of :func:`rows_data`: reading the rows back gives the same data
    (a share range as .min/.max, a score with parts as its columns).
    """
    header = _header_for(candidates)
    index = {name: j for j, name in enumerate(header)}
    rows = []
    for candidate in candidates:
        row: list[Any] = [None] * len(header)
        for name, value in _cells_of(candidate):
            row[index[name]] = value
        rows.append(row)
    return header, rows


def _cells_of(candidate: Mapping[str, Any]) -> list[tuple[str, Any]]:
    cells = []
    for field in FIXED:
        if candidate.get(field) is not None:
            value = candidate[field]
            cells.append((field, LIST_SEPARATOR.join(value) if field in LIST_FIELDS else value))
    for partner, share in candidate.get("partners", {}).items():
        if isinstance(share, list | tuple):
            cells += [(f"share.{partner}.min", share[0]), (f"share.{partner}.max", share[1])]
        else:
            cells.append((f"share.{partner}", share))
    cells += [(f"cost.{y}", c) for y, c in enumerate(candidate.get("cost", []), start=1)]
    for criterion, score in candidate.get("scores", {}).items():
        parts = score if isinstance(score, Mapping) else {"value": score}
        cells += [(criterion if part == "value" else f"{criterion}.{part}", value)
                  for part, value in parts.items() if value not in (None, "")]
    return cells


def _header_for(candidates: Sequence[Mapping[str, Any]]) -> list[str]:
    """Fixed fields, shares (partners as first met), cost years, then each criterion's columns together."""
    names: dict[str, None] = {}
    for candidate in candidates:
        names.update((name, None) for name, _ in _cells_of(candidate))
    shares = [n for n in names if n.startswith("share.")]
    overlay = not any("name" in c or "cost" in c for c in candidates)  # a partner's scores: id and scores only
    years = max((len(c.get("cost", [])) for c in candidates), default=0) or (0 if overlay else 1)
    criteria = dict.fromkeys(n.partition(".")[0] for n in names
                             if n not in FIXED and not n.startswith(("share.", "cost.")))
    scores = [n for c in criteria for n in (c, *(f"{c}.{p}" for p in SCORE_PARTS)) if n in names or n == c]
    fixed = [f for f in FIXED if f in names or f in ("id",) + (() if overlay else ("name",))]
    return [*fixed, *shares, *(f"cost.{y}" for y in range(1, years + 1)), *scores]


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (None, empty text, NaN); text of spaces is text (a name may be one)."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))
