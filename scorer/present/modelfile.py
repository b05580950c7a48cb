"""The portfolio model as an LP or MPS file that GLPK, CBC and HiGHS read.

The file is written here from the model's arrays (:meth:`PortfolioModel.linear`),
not by PuLP, for two reasons measured with PuLP 4.2: its names keep the
hyphens of candidate ids (``x_air-defense-missiles_2027``), which CBC's LP
reader rejects (it renames every column ``x0..``) and GLPK's LP reader
misreads, and its MPS puts ``OBJSENSE`` before ``NAME``, on which the CBC that
coprod installs crashes.

Names are made by :func:`file_names`, the only place that makes them. PuLP's
own names stay as they are: the explanations, the infeasibility analysis and
the Resolver find rows by them, and ``--explain`` shows the limit keys.

* A column is ``x_<id>_<start>``: the candidate id with each ``-`` written as
  ``.`` (ids are ``[a-z0-9_-]``, so this is one-to-one; undo it by taking the
  year after the last ``_`` and turning ``.`` back into ``-``). A model with
  cost-share ranges has continuous columns after them, ``y_<id>_<start>_<partner>``
  (that partner's share of the option, 0 to 1), and rows ``split_<id>_<start>``
  (the option's shares sum to its binary).
* A row is named after its limit and the candidates, partner, category or
  year it is about, as ``--explain`` names the limit: ``once_<id>``,
  ``cap_total_<year>``, ``cap_<partner>_<year>``, ``budget_total``,
  ``budget_<partner>``, ``mandatory_<id>``, ``cat_max_<category>``,
  ``requires_<id>_<required id>_<year>``, ``excludes_<id>_<other id>``, ...
  (``-`` as ``.``, any other character outside ``[A-Za-z0-9_]`` as ``_``).
* Every name starts with a letter and has at most 100 characters (CBC's
  limit; GLPK's is 255). A name that would be longer, or that a row before it
  already has, is cut and ends in ``~<n>``, so no two names are the same.

Objective sense: the LP file says ``Maximize`` and every reader honours it.
MPS has no way to say so that all three read: GLPK 5.0 refuses any
``OBJSENSE`` section ("invalid indicator record"), so the MPS file has none
and minimises ``minus_value``, the value with its sign turned; readers report
the objective as minus coprod's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np

from scorer.errors import OutputError
from scorer.files import write_atomic

if TYPE_CHECKING:
    from scorer.mip.linear import LinearModel
    from scorer.portfolio.model import PortfolioModel
    from scorer.portfolio.problem import Limit, Row

# CBC's LP reader refuses longer names (CoinLpIO::is_invalid_name, measured).
MAX_NAME = 100
OBJECTIVE = "value"
MPS_OBJECTIVE = "minus_value"
# A column fixed at 0 that carries an empty objective and empty rows when no candidate has a start
# option (all forbidden): the formats need a term there. Columns are otherwise x_..., so it is never taken.
NO_OPTION = "no_option"
# LP lines are wrapped before a term that would pass this width (CPLEX reads up to 560).
LINE_WIDTH = 100


def name_part(text: object) -> str:
    """Text as part of a file name: ``-`` as ``.``, other characters outside [A-Za-z0-9_] as ``_``."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", str(text).replace(".", "_").replace("-", "."))


def file_names(model: PortfolioModel) -> tuple[list[str], list[str]]:
    """The column and row names of ``model``'s file, in :meth:`~PortfolioModel.linear` order.

    Parameters
    ----------
    model : PortfolioModel
        A value-maximising model (as ``coprod optimize`` builds it).

    Returns
    -------
    columns, rows : list of str
        One name per start option, one per row; all different, LP-safe
        and at most :data:`MAX_NAME` characters (see the module notes).
    """
    o = model.options
    parts = [name_part(i) for i in model.problem.ids]
    columns = [f"x_{parts[c]}_{s}" for c, s in zip(o.cand.tolist(), o.start.tolist())]
    sc = model.share_columns
    columns += [f"{columns[k].replace('x_', 'y_', 1)}_{name_part(model.problem.partners[j])}"
                for k, j in zip(sc.option.tolist(), sc.partner.tolist())]
    once = [f"once_{parts[i]}" for i in np.flatnonzero(np.diff(o.first) > 0).tolist()]
    owner = {id(row): lim for lim in model.limits for row in lim.rows}
    rows = once + [_row_name(model, row, owner.get(id(row)), parts) for row in model.rows]
    names = _distinct([*columns, *rows], reserved={OBJECTIVE, MPS_OBJECTIVE, NO_OPTION})
    return names[:len(columns)], names[len(columns):]


def _row_name(model: PortfolioModel, row: Row, lim: Limit | None, parts: list[str]) -> str:
    if lim is None and row.sense == "==":  # the shares of a ranged option (split_<i>_<start>)
        return f"split_{parts[int(model.options.cand[row.idx[0]])]}_{int(model.options.start[row.idx[0]])}"
    if lim is None:  # a cut
        return _letter_first(name_part(row.name))
    # The limit's own name, with the file's text (an exclusion named as its holder writes it).
    name = lim.as_written.name(name_part)
    if lim.kind == "requires":
        # Each row covers the dependent's starts up to a year: its options with coefficient +1.
        name += f"_{int(model.options.start[row.idx[row.coef > 0]].max())}"
    elif len(lim.rows) > 1:  # pragma: no cover - every other kind has one row
        name += f"_{lim.rows.index(row) + 1}"
    return name


def _letter_first(name: str) -> str:
    return name if name[:1].isalpha() else f"r_{name}"


def _distinct(names: list[str], reserved: Iterable[str] = ()) -> list[str]:
    """The names, with each one that is too long or already used cut and ended in ``~<n>``.

    A name made here never has ``~``, so a cut name cannot take a later name.
    """
    used = set(reserved)
    out = []
    for name in names:
        if len(name) > MAX_NAME or name in used:
            n = 1 if len(name) > MAX_NAME else 2  # a second "excludes_a_b_c" reads as excludes_a_b_c~2
            while (cut := f"{name[:MAX_NAME - len(str(n)) - 1]}~{n}") in used:
                n += 1
            name = cut
        used.add(name)
        out.append(name)
    return out


def lp_text(model: PortfolioModel) -> str:
    """The model in CPLEX LP format, as a maximisation (see the module notes for the names)."""
    lin = _binary_linear(model)
    columns, rows = file_names(model)
    lines = ["\\ coprod portfolio model: one binary x_<id>_<start> per start option", "Maximize"]
    zero = [f"0 {columns[0] if columns else NO_OPTION}"]  # an empty expression keeps its place on a zero term
    lines += _lp_expression(f" {OBJECTIVE}:", _terms(lin.cost, np.arange(lin.num_col), columns) or zero, "")
    lines.append("Subject To")
    terms = _terms(lin.value, lin.index, columns)
    starts = np.concatenate([[0], np.cumsum(np.bincount(lin.row_of[lin.value != 0], minlength=len(rows)))])
    for r, name in enumerate(rows):
        sense, rhs = _sense(lin, r)
        lines += _lp_expression(f" {name}:", terms[starts[r]:starts[r + 1]] or zero,
                                f" {'<=' if sense == 'L' else '>=' if sense == 'G' else '='} {_number(rhs)}")
    binary = columns[:model.options.k]
    if len(columns) > len(binary):  # share columns: continuous in [0, 1]
        lines += ["Bounds", *(f" 0 <= {c} <= 1" for c in columns[len(binary):])]
    lines += ["Binaries", *(f" {c}" for c in binary)] if columns else ["Bounds", f" {NO_OPTION} = 0"]
    return "\n".join([*lines, "End"]) + "\n"


def _terms(coef: np.ndarray, index: np.ndarray, columns: list[str]) -> list[str]:
    """``+ 3.5 x_..`` for each nonzero coefficient (``+ x_..`` for 1), in order."""
    keep = coef != 0
    coef, index = coef[keep], index[keep]
    size = _texts(np.abs(coef))
    signs = np.where(coef < 0, "-", "+").tolist()
    return [f"{g} {columns[j]}" if t == "1" else f"{g} {t} {columns[j]}"
            for g, t, j in zip(signs, size, index.tolist())]


def _lp_expression(label: str, terms: list[str], tail: str) -> list[str]:
    terms[0] = terms[0][2:] if terms[0].startswith("+ ") else terms[0]
    lines, line = [], label
    for term in terms:
        if len(line) + 1 + len(term) > LINE_WIDTH and line.strip() != label.strip():
            lines.append(line)
            line = "  "
        line += " " + term
    return [*lines, line + tail]


def mps_text(model: PortfolioModel) -> str:
    """The model in free MPS format, minimising ``minus_value`` (see the module notes)."""
    lin = _binary_linear(model)
    columns, rows = file_names(model)
    senses = [_sense(lin, r) for r in range(len(rows))]
    lines = ["* coprod portfolio model: one binary x_<id>_<start> per start option.",
             f"* It minimises {MPS_OBJECTIVE} = -(the value coprod maximises): GLPK refuses OBJSENSE.",
             "NAME coprod_portfolio", "ROWS", f" N  {MPS_OBJECTIVE}"]
    lines += [f" {s}  {name}" for name, (s, _) in zip(rows, senses)]
    k = model.options.k
    records = _mps_columns(lin, columns, rows)
    shares = set(columns[k:])  # records come column by column: the share columns' last
    split = next((r for r, line in enumerate(records) if line.split()[0] in shares), len(records))
    lines += ["COLUMNS", "    MARKER  'MARKER'  'INTORG'", *records[:split],
              "    MARKER  'MARKER'  'INTEND'", *records[split:]] if columns else [
        "COLUMNS", f"    {NO_OPTION}  {MPS_OBJECTIVE}  0"]
    lines += ["RHS", *(f"    RHS  {name}  {_number(rhs)}" for name, (_, rhs) in zip(rows, senses) if rhs != 0)]
    lines += ["BOUNDS", *(f" BV BND  {c}" for c in columns[:k]), *(f" UP BND  {c}  1" for c in columns[k:])] \
        if columns else ["BOUNDS", f" FX BND  {NO_OPTION}  0"]
    return "\n".join([*lines, "ENDATA"]) + "\n"


def _mps_columns(lin: LinearModel, columns: list[str], rows: list[str]) -> list[str]:
    """COLUMNS records, all of one column together, objective first; an unused column still appears."""
    keep = lin.value != 0
    col, row, value = lin.index[keep], lin.row_of[keep] + 1, lin.value[keep]  # row 0: the objective
    objective = np.flatnonzero((lin.cost != 0) | (np.bincount(col, minlength=lin.num_col) == 0))
    col = np.concatenate([objective, col])
    row = np.concatenate([np.zeros(len(objective), dtype=row.dtype), row])
    value = np.concatenate([-lin.cost[objective], value])
    order = np.lexsort((row, col))
    names = [MPS_OBJECTIVE, *rows]
    return [f"    {columns[c]}  {names[r]}  {t}"
            for c, r, t in zip(col[order].tolist(), row[order].tolist(), _texts(value[order]))]


def _binary_linear(model: PortfolioModel) -> LinearModel:
    lin = model.linear()
    k = model.options.k
    if not (lin.integer[:k].all() and not lin.integer[k:].any() and (lin.col_lower == 0).all()
            and (lin.col_upper == 1).all()):  # pragma: no cover
        raise OutputError("the model has columns that are not free 0/1 choices or shares; it cannot be written")
    return lin


def _sense(lin: LinearModel, r: int) -> tuple[str, float]:
    """MPS row type and right-hand side of row ``r`` (one-sided or equal)."""
    lo, up = float(lin.row_lower[r]), float(lin.row_upper[r])
    if lo == up:
        return "E", up
    if np.isfinite(up) and not np.isfinite(lo):
        return "L", up
    if np.isfinite(lo) and not np.isfinite(up):
        return "G", lo
    raise OutputError(f"row {r} of the model is a range or free; it cannot be written")  # pragma: no cover


def _texts(values: np.ndarray) -> list[str]:
    """:func:`_number` of each value, each distinct value formatted once (costs repeat a lot)."""
    if len(values) == 0:
        return []
    distinct, back = np.unique(values, return_inverse=True)
    text = [_number(v) for v in distinct.tolist()]
    return [text[k] for k in back.tolist()]


def _number(x: float) -> str:
    """The shortest text that reads back as exactly ``x``."""
    text = repr(float(x) + 0.0)  # + 0.0: no "-0"
    return text[:-2] if text.endswith(".0") else text


def write_model(model: PortfolioModel, path: str | Path, protected: Iterable[Path] = (), force: bool = False) -> None:
    """Write ``model`` as MPS (``.mps``) or LP (anything else), whole or not at all.

    Parameters
    ----------
    model : PortfolioModel
        The value-maximising model.
    path : str or Path
        The file.
    protected : iterable of Path
        Files that must never be overwritten (the run's inputs).
    force : bool
        Replace a read-only file.
    """
    text = mps_text(model) if Path(path).suffix.lower() == ".mps" else lp_text(model)
    write_atomic(path, text, protected, force)
