"""``coprod convert``: candidates between YAML, CSV and xlsx, losslessly.

The source is read and validated as a candidates file on its own (the checks
against a criteria file need a scenario), then written from the validated
candidates, so that the result loads to the same candidates. Comments are
the one thing a table cannot carry; :func:`convert_candidates` says when
some are dropped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorer.errors import InputError, Notice, UsageError
from scorer.files import display_path
from scorer.inputs.location import problem_at, validated
from scorer.inputs.models import CandidatesFile, CriteriaFile, ScoresFile
from scorer.inputs.table_files import categorical, is_table, read_table
from scorer.inputs.table_writing import csv_bytes, xlsx_bytes, yaml_data
from scorer.inputs.yamlfile import YamlDocument, read_yaml

FORMATS = ("yaml", "csv", "xlsx")
SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class Converted:
    """A converted file's bytes, and what the conversion could not carry."""

    content: bytes
    notes: tuple[str, ...]


def format_of(path: str | Path) -> str:
    """The format a file's suffix names (``yaml``, ``csv``, ``xlsx``).

    Raises
    ------
    UsageError
        Another suffix.
    """
    found = SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise UsageError(f"{display_path(Path(path))}: name a .yaml, .csv or .xlsx file (the format follows the suffix)")
    return found


def read_candidates(path: Path, criteria: CriteriaFile | None = None,
                    currency: str | None = None) -> tuple[CandidatesFile | ScoresFile, bool]:
    """A candidates file (or a partner's scores overlay) of any format, validated on its own;
    and whether it held comments (YAML). With ``criteria``, a table's labels that look like
    numbers (a level ``3``) stay labels; ``currency`` is the currency of a table
    that does not carry one (CSV).

    Raises
    ------
    InputError
        Not a valid file of either kind, or a ``currency`` other than the file's own.
    """
    shown = display_path(path)
    if is_table(path):
        doc = read_table(path, shown, currency=currency, kind="auto", labels=categorical(criteria))
    else:
        doc = read_yaml(path, shown)
        _check_own_currency(doc, currency)
    overlay = isinstance(doc.data, dict) and "scores" in doc.data and "candidates" not in doc.data
    model, kind = (ScoresFile, "scores") if overlay else (CandidatesFile, "candidates")
    return validated(model, doc, kind), _has_comments(doc.text)


def _check_own_currency(doc: YamlDocument, currency: str | None) -> None:
    own = doc.data.get("currency") if isinstance(doc.data, dict) else None
    if currency is not None and own != currency:
        said = f"gives its own currency {own!r}" if own is not None else "is YAML, whose currency is its own 'currency:'"
        raise InputError([problem_at(doc, ("currency",) if own is not None else (), (
            f"{said}; the currency {currency!r} is for a CSV table, which has none"))])


def convert_candidates(source: Path, target: str, criteria: CriteriaFile | None = None,
                       currency: str | None = None) -> Converted:
    """The candidates of ``source`` in format ``target``.

    Parameters
    ----------
    source : Path
        A ``.yaml``, ``.csv`` or ``.xlsx`` candidates file.
    target : str
        One of :data:`FORMATS`.
    criteria : CriteriaFile, optional
        Makes the workbook a better template: each criterion's scale in its
        header comment, the labels of categorical criteria as lists; and a
        table's labels that look like numbers are read as labels.
    currency : str, optional
        The currency of a CSV source, which has none of its own (else the
        result says the default, and a note says so).

    Raises
    ------
    InputError
        The source is not a valid candidates file, or has a currency other than ``currency``.
    """
    candidates, commented = read_candidates(source, criteria, currency)
    converted = candidates_as(candidates, target, criteria, display_path(source))
    notes = []
    if commented:
        where = "a table" if target != "yaml" else "the rewritten YAML"
        notes.append(f"comments are not carried into {where} (the source file keeps them)")
    if _lacks_currency(source, candidates, currency) and target != "csv":
        notes.append(Notice(f"{display_path(source)} has no currency (a CSV table's is in its scenario): the {target} "
                            f"file says the default {candidates.currency!r}; give the currency to set it", ("currency",)))
    return Converted(converted.content, (*notes, *converted.notes))


def _lacks_currency(source: Path, candidates: CandidatesFile | ScoresFile, currency: str | None) -> bool:
    return isinstance(candidates, CandidatesFile) and currency is None and format_of(source) == "csv"


def candidates_as(candidates: CandidatesFile | ScoresFile, target: str, criteria: CriteriaFile | None = None,
                  source: str = "the candidates") -> Converted:
    """Validated candidates (or a scores overlay) written in format ``target`` (see :func:`convert_candidates`)."""
    if isinstance(candidates, ScoresFile):
        return _overlay_as(candidates, target, criteria, source)
    rows = candidate_data(candidates)
    notes: tuple[str, ...] = ()
    if target == "csv":
        currency = candidates.currency
        note = f"a CSV table has no currency: write 'currency: {currency}' beside 'candidates:' in the scenario"
        return Converted(csv_bytes(rows), (*notes, note))
    if target == "xlsx":
        scales, labels = _template_hints(criteria)
        return Converted(xlsx_bytes(rows, candidates.currency, scales, labels, source), notes)
    return Converted(yaml_text(yaml_data(rows, candidates.currency)).encode("utf-8"), notes)


def _overlay_as(overlay: ScoresFile, target: str, criteria: CriteriaFile | None, source: str) -> Converted:
    rows = [{"id": cid, "scores": {k: _score(s.model_dump(exclude_defaults=True)) for k, s in scores.items()}}
            for cid, scores in overlay.scores.items()]
    if target == "csv":
        return Converted(csv_bytes(rows), ())
    if target == "xlsx":
        scales, labels = _template_hints(criteria)
        return Converted(xlsx_bytes(rows, None, scales, labels, source), ())
    data = {"version": 1, "scores": {r["id"]: _tidy_scores(r["scores"]) for r in rows}}
    return Converted(yaml_text(data).encode("utf-8"), ())


def _tidy_scores(scores: dict[str, Any]) -> dict[str, Any]:
    return yaml_data([{"scores": scores}], None)["candidates"][0]["scores"]


def candidate_data(candidates: CandidatesFile) -> list[dict[str, Any]]:
    """Each validated candidate as the YAML form writes it: defaults left out, a plain score as its value."""
    out = []
    for c in candidates.candidates:
        data = c.model_dump(exclude_defaults=True)
        data["partners"] = {p: list(s) if isinstance(s, tuple) else s for p, s in c.partners.items()}
        data["scores"] = {cid: _score(s.model_dump(exclude_defaults=True)) for cid, s in c.scores.items()}
        out.append(data)
    return out


def _score(parts: dict[str, Any]) -> Any:
    return parts["value"] if parts.keys() == {"value"} else parts


def _template_hints(criteria: CriteriaFile | None) -> tuple[dict[str, str], dict[str, list[str]]]:
    if criteria is None:
        return {}, {}
    scales, labels = {}, {}
    for c in criteria.criteria:
        if c.is_categorical:
            labels[c.id] = list(c.value_function.levels)
            scales[c.id] = f"{c.name}: one of " + ", ".join(labels[c.id])
        else:
            scales[c.id] = f"{c.name}: {c.scale.min:g} to {c.scale.max:g}"
    return scales, labels


def yaml_text(data: dict[str, Any]) -> str:
    """A candidates (or scores) file's text: block style, each candidate's shares, costs and id lists in flow style."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def flow(value: Any) -> Any:
        node = CommentedMap(value) if isinstance(value, dict) else CommentedSeq(value)
        node.fa.set_flow_style()
        return node

    shaped = dict(data)
    if "candidates" in data:
        shaped["candidates"] = [{k: (flow(v) if k in ("partners", "cost", "requires", "excludes") else v)
                                 for k, v in c.items()} for c in data["candidates"]]
    yaml = YAML()
    yaml.width = 4096  # a long description stays on its line rather than folded mid-sentence
    out = io.StringIO()
    yaml.dump(shaped, out)
    return out.getvalue()


def _has_comments(text: str) -> bool:
    # A '#' starting a line or after a space: a comment, or (rarely) such text inside a quoted string,
    # which only adds the note.
    return any(line.lstrip().startswith("#") or " #" in line for line in text.splitlines())
