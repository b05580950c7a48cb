"""Where a problem sits in an input file: its field path, its line, the located :class:`Problem`.

Three kinds of finding become problems here, all the same way:

- a pydantic :class:`ValidationError` (:func:`validation_problems`); a model
  validator that blames one of its fields raises
  :func:`scorer.inputs.models.located`, whose error carries the field in its
  context, so that the problem points at that field, not at the model;
- a check across files, ``(file kind, field path, message)``
  (:data:`scorer.inputs.crosscheck.Finding`, :func:`finding_problems`);
- any other field of a document (:func:`problem_at`).

A field path is a tuple of mapping keys and list indices, shown as
``candidates[3].scores.standardization`` (:func:`format_path`); its line is
found by parsing the text again with positions (:func:`line_of`), only when a
problem has to be reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scorer.errors import InputError, Problem
from scorer.inputs.models import LOCATED
from scorer.inputs.table_files import TableDocument
from scorer.inputs.table_layout import MISSING
from scorer.inputs.yamlfile import YamlDocument, compose, yaml11_number_hint

Document = YamlDocument | TableDocument


def problem_at(doc: Document, loc: tuple, message: str) -> Problem:
    """A :class:`Problem` at field path ``loc`` of ``doc`` (its line, or its nearest existing parent's)."""
    return Problem(doc.display, *place(doc, loc), message)


def place(doc: Document, loc: tuple) -> tuple[int | None, str]:
    """``(line, where)`` of field path ``loc``: a YAML file's line and path, a table's row and column."""
    if isinstance(doc, TableDocument):
        return doc.place(loc)
    return line_of(doc.text, loc), format_path(loc)


def finding_problems(findings: Iterable[tuple[str, tuple, str]], docs: Mapping[str, Document]) -> list[Problem]:
    """Problems of checks across files, ``(file kind, field path, message)``, each in its kind's document."""
    return [problem_at(docs[kind], loc, message) for kind, loc, message in findings]


def validation_problems(exc: ValidationError, doc: Document) -> list[Problem]:
    """Turn a pydantic error into located problems, one per distinct field."""
    problems: dict[str, Problem] = {}
    for err in exc.errors(include_url=False):
        loc, message = _field_and_message(err, doc.data)
        if isinstance(doc, TableDocument) and err["type"] == "missing" and loc and loc[-1] in MISSING:
            message = f"{message}: fill {MISSING[loc[-1]]}"
        path = format_path(loc)
        if path not in problems:
            problems[path] = Problem(doc.display, *place(doc, loc), message)
    return list(problems.values())


def _field_and_message(err: dict, data: Any) -> tuple[tuple, str]:
    """The user's field path (pydantic's union tags dropped) and the message phrased for them."""
    raw_loc = err["loc"]
    loc: list = []
    node = data
    for i, part in enumerate(raw_loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            part = str(part)  # a mapping key, even a year, is a name in a path: per_year.2028
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif not (i == len(raw_loc) - 1 and err["type"] in ("missing", "extra_forbidden")):
            continue  # a pydantic tag (union member, validator name), not the user's field
        loc.append(part)
    if err["type"] == LOCATED:
        loc.extend(err["ctx"]["field"].split("."))
        return tuple(loc), err["ctx"]["message"]
    return tuple(loc), _message(err)


def _message(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see 'coprod schema' for the allowed keys)"
    if kind in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    got = err.get("input")
    if isinstance(got, dict | list) or got is None:
        shown = {dict: "a mapping", list: "a list"}.get(type(got), "empty")
    else:
        shown = repr(got) if len(repr(got)) <= 60 else repr(got)[:57] + "..."
    hint = yaml11_number_hint(got) if isinstance(got, str) else ""
    return f"{msg} (got {shown}{hint})"


def format_path(loc: tuple) -> str:
    """Render a field path: ``('candidates', 3, 'scores', 'x')`` -> ``candidates[3].scores.x``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def line_of(text: str, loc: tuple) -> int | None:
    """Line (1-based) of the node at ``loc``, or of the deepest parent that exists."""
    try:
        node = compose(text)
    except (YAMLError, ValueError, TypeError, RecursionError):
        return None
    if node is None:
        return None
    line = node.start_mark.line
    for part in loc:
        found = _child(node, part)
        if found is None:
            break
        key_node, node = found
        line = (key_node or node).start_mark.line
    return line + 1


def _child(node: Node, part: Any) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key, value
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def validated(model: type[BaseModel], doc: Document, kind: str) -> Any:
    """``doc`` validated as ``model`` (a file of ``kind``), or an InputError locating every problem.

    Raises
    ------
    InputError
        The top level is not a mapping, a field breaks a rule (file, line and field), or the
        document is nested too deeply.
    """
    if not isinstance(doc.data, dict):
        # Never echo the content: the path may name any file (criteria: /etc/passwd).
        shape = {str: "text", list: "a list"}.get(type(doc.data), "a single value")
        raise InputError([Problem(doc.display, line_of(doc.text, ()), "", (
            f"is not a {kind} file: its top level is {shape}, not a mapping of keys"
            " (see 'coprod schema' for the format)"))])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc)) from None
    except RecursionError:
        raise InputError([Problem(doc.display, None, "", "is nested too deeply")]) from None
