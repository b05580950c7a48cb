"""JSON Schemas of the input files, for editors and other tools."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from scorer.models import CandidatesFile, CriteriaFile, Scenario

_MODELS: dict[str, type[BaseModel]] = {
    "criteria": CriteriaFile,
    "candidates": CandidatesFile,
    "scenario": Scenario,
}
SCHEMA_KINDS = tuple(_MODELS)


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """The JSON Schema of one file kind, or ``{kind: schema}`` for all three."""
    if kind is not None:
        return _one(kind)
    return {name: _one(name) for name in SCHEMA_KINDS}


def _one(kind: str) -> dict[str, Any]:
    schema = _MODELS[kind].model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"coprod {kind} file"
    return schema
