"""Changing weights in a criteria file without disturbing anything else in it.

ruamel's round-trip loader finds where each ``weight`` value sits (line and
column); only those number tokens are replaced in the original text. Every
comment, blank line, quote, flow mapping, indentation and line ending is kept
byte for byte, which a full round-trip dump cannot promise (it re-wraps long
lines and may respace flow mappings). The edited text goes through the same
validation as a loaded file before it is written, atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import ValidationError

from scorer.errors import InputError, Problem
from scorer.files import display_path, resolve, write_atomic
from scorer.inputs.crosscheck import check_criteria
from scorer.inputs.location import finding_problems, problem_at, validation_problems
from scorer.inputs.models import CriteriaFile, fmt_num
from scorer.inputs.yamlfile import YamlDocument, parse_yaml, read_yaml
from scorer.numbers import parse_number

_NUMBER = re.compile(r"[-+]?[0-9._]+(?:[eE][-+]?[0-9]+)?")
# The line breaks ruamel counts when it reports a position (YAML 1.2's; str.splitlines
# also splits at NEL, U+2028 and more, which would shift every later line).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|[\r\n]|$)")


def parse_assignments(display: str, items: Iterable[str]) -> dict[str, float]:
    """``ID=NUMBER`` texts as a mapping; a bad shape, number or repeated id is an :class:`InputError`."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, text = (part.strip() for part in item.partition("="))
        if not (sep and key):
            raise InputError([Problem(display, None, "", f"{item}: is not ID=NUMBER")])
        try:
            value = parse_number(text)
        except ValueError as exc:  # not a number, not finite, or so small it would be written as 0
            raise InputError([Problem(display, None, "", f"{item}: {exc}")]) from None
        if value < 0:
            raise InputError([Problem(display, None, "", f"{item}: '{text}' is not a non-negative number")])
        if key in out:
            raise InputError([Problem(display, None, "", f"{key}: given more than once")])
        out[key] = value
    return out


def set_weights(path: str | Path, changes: dict[str, float]) -> str:
    """The text of a criteria file with some weights changed (nothing is written).

    Parameters
    ----------
    path : str or Path
        A criteria file using direct weighting.
    changes : dict of str to float
        Criterion id (or, when no criterion has that id, group id) -> new raw weight.

    Returns
    -------
    str
        The edited text, already validated as a criteria file.

    Raises
    ------
    InputError
        Unknown ids, weights derived by a weighting method, a scenario file
        given in place of a criteria file, or an edit that makes the file
        invalid (e.g. all weights zero), each naming the file.
    """
    path = Path(path)
    doc = read_yaml(path, display_path(path))
    _check_kind(doc)
    criteria = _validated(doc)
    if criteria.weighting.method != "direct":
        raise InputError([problem_at(doc, ("weighting", "method"), (
            f"weights are derived by the {criteria.weighting.method} method; edit "
            f"weighting.{criteria.weighting.method} instead (weights set changes direct weights only)"))])
    places = _weight_places(doc, criteria, changes)
    text = _splice(doc, [(line, col, fmt_num(changes[key])) for key, (line, col) in places.items()])
    _validated(YamlDocument(doc.display, text, parse_yaml(text, doc.display)))
    return text


def write_weights(path: str | Path, changes: dict[str, float], force: bool = False) -> str:
    """Change weights in the criteria file at ``path`` and write it back; returns the new text.

    The file is written where it really is (through a symbolic link, the
    link kept; a file with several hard links in place, so that every name
    sees the change), as :mod:`scorer.files` decides; a read-only file is
    refused unless ``force``. Nothing is written when the check fails.
    """
    resolve(path, force=force)  # refuse before any work, e.g. a read-only file
    text = set_weights(path, changes)
    # read_yaml drops a UTF-8 byte-order mark; an editor that wrote one expects it back.
    bom = "\ufeff" if Path(path).read_bytes().startswith(b"\xef\xbb\xbf") else ""
    write_atomic(path, bom + text, force=force)
    return text


def _check_kind(doc: YamlDocument) -> None:
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("criteria"), str):
        raise InputError([problem_at(doc, ("criteria",), (
            f"this is a scenario; give the criteria file it names ({data['criteria']})"))])


def _validated(doc: YamlDocument) -> CriteriaFile:
    try:
        criteria = CriteriaFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc)) from None
    findings = list(check_criteria(criteria))
    if findings:
        raise InputError(finding_problems(findings, {"criteria": doc}))
    return criteria


def _weight_places(doc: YamlDocument, criteria: CriteriaFile, changes: dict[str, float]) -> dict[str, tuple]:
    """(line, column) of the weight value of each id to change, from ruamel's round-trip positions."""
    from ruamel.yaml import YAML

    tree = YAML(typ="rt").load(doc.text)
    crit = {c.id: ("criteria", i) for i, c in enumerate(criteria.criteria)}
    groups = {g.id: ("groups", i) for i, g in enumerate(criteria.groups)}
    unknown = [key for key in changes if key not in crit and key not in groups]
    if unknown:
        known = ", ".join([*crit, *groups])
        names = ", ".join(f"'{key}'" for key in unknown)
        raise InputError([Problem(doc.display, None, "", f"no criterion or group {names} (known: {known})")])
    places = {}
    for key in changes:
        section, i = crit.get(key) or groups[key]
        places[key] = tree[section][i].lc.value("weight")
    return places


def _splice(doc: YamlDocument, edits: Sequence[tuple[int, int, str]]) -> str:
    """Replace the number token starting at each (line, column) of the document by new text."""
    lines = _LINE.findall(doc.text)
    for line, col, new in edits:
        match = _NUMBER.match(lines[line], col)
        if match is None:  # a validated weight is always a plain number; this guards the position logic
            raise InputError([Problem(doc.display, line + 1, "", "cannot find the weight's number")])
        lines[line] = lines[line][:col] + new + lines[line][match.end():]
    return "".join(lines)
