"""JSON Schemas of the input files, for editors and other tools.

The schema describes the input as the loader accepts it, not the validated
model: a score may be written as a bare number or label, unknown keys and
keys that break their pattern are errors, numbers must be finite and are
never true/false. It says everything one file decides on its own except what
JSON Schema cannot say: relations between two values (``min < max``, shares
that sum to 1, share ranges ``[lo, hi]`` with ``lo <= hi`` that allow a sum
of 1, ``low <= value <= high``, a project fitting its window,
``q < p``, increasing points), and the difference between YAML forms that
JSON makes equal (``2026.0`` where an integer is wanted, a quoted year key
``"2026"``, a number or true/false where a name key is wanted). The checks
across files (:mod:`scorer.inputs.crosscheck`) are not in it either.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from scorer.inputs.models import (
    FILE_MODELS,
    PREFERENCE_PARAMS,
    CategoryRule,
    Criterion,
    Preference,
    Score,
    Weighting,
)

SCHEMA_KINDS = tuple(FILE_MODELS)

# A year as a mapping key (budget per_year): JSON and editors see keys as
# text, so the model's 1900-2200 range becomes a pattern (`(?!\n)`: see str_schema).
YEAR_KEY_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)$(?!\n)"
_YEAR_RANGE = (1900, 2200)
_LARGEST = sys.float_info.max


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """The JSON Schema of one file kind, or ``{kind: schema}`` for all three."""
    if kind is not None:
        return _one(kind)
    return {name: _one(name) for name in SCHEMA_KINDS}


def _one(kind: str) -> dict[str, Any]:
    schema = FILE_MODELS[kind].model_json_schema(mode="validation", schema_generator=_InputSchema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"coprod {kind} file"
    return schema


class _InputSchema(GenerateJsonSchema):
    """pydantic's generator, made to describe what the loader accepts."""

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        return _finite(super().float_schema(schema))

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        out = super().str_schema(schema)
        # pydantic's regex engine matches `$` at the very end only; Python's
        # `re` (the jsonschema package) also before a final newline, which
        # the lookahead (ECMA-262, as JSON Schema wants) refuses.
        if out.get("pattern", "").endswith("$"):
            out["pattern"] += r"(?!\n)"
        return out

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        # pydantic writes key patterns as patternProperties, which let every
        # other key through; the loader refuses such keys.
        keys = dict(self.generate_inner(schema["keys_schema"]))
        values = dict(self.generate_inner(schema["values_schema"]))
        keys.pop("title", None)
        values.pop("title", None)
        out: JsonSchemaValue = {"type": "object", "propertyNames": _key_names(keys), "additionalProperties": values}
        self.update_with_validations(out, schema, self.ValidationsMapping.object)
        return out

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        out = super().model_schema(schema)
        cls = schema["cls"]
        if cls in _RULES:
            out["allOf"] = _RULES[cls]()
        if cls is Score:
            return {"anyOf": [_finite({"type": "number"}), {"type": "string"}, out],
                    "description": "a raw score (a number, or a label of a categorical criterion), "
                                   "or the full form {value, low, high, rationale, source}"}
        return out


def _finite(number: JsonSchemaValue) -> JsonSchemaValue:
    """A number schema that also refuses NaN and the infinities (YAML .nan, .inf).

    Every comparison with NaN is false, so a NaN passes ``minimum`` and
    ``maximum``; it fails ``not: {exclusiveMinimum: largest float}`` (as does
    +inf), and -inf fails any lower bound.
    """
    out = dict(number)
    out["not"] = {"exclusiveMinimum": _LARGEST}
    if "minimum" not in out and "exclusiveMinimum" not in out:
        out["minimum"] = -_LARGEST
    return out


def _key_names(keys: JsonSchemaValue) -> JsonSchemaValue:
    if keys.get("type") == "integer":
        if (keys.get("minimum"), keys.get("maximum")) != _YEAR_RANGE:
            raise NotImplementedError(f"integer mapping keys other than years: {keys}")
        return {"type": "string", "pattern": YEAR_KEY_PATTERN}
    return keys


# ------------------------------------------- rules of the model validators ---
# Each mirrors a model validator of scorer.inputs.models that decides which keys go
# together; the relations between values that those validators also check
# cannot be written in JSON Schema.


def _absent(*names: str) -> JsonSchemaValue:
    """Each of ``names`` left out or empty (the model's None)."""
    return {"properties": {name: {"type": "null"} for name in names}}


def _present(*names: str) -> JsonSchemaValue:
    return {"required": list(names), "properties": {name: {"not": {"type": "null"}} for name in names}}


def _both(a: JsonSchemaValue, b: JsonSchemaValue) -> JsonSchemaValue:
    return {"required": a.get("required", []) + b.get("required", []),
            "properties": {**a.get("properties", {}), **b.get("properties", {})}}


def _when(field: str, value: str, then: JsonSchemaValue, default: bool = False) -> JsonSchemaValue:
    """``then`` applies when ``field`` is ``value`` (or left out, when that is its default)."""
    condition: JsonSchemaValue = {"properties": {field: {"const": value}}}
    if not default:
        condition["required"] = [field]
    return {"if": condition, "then": then}


def _score_rules() -> list[JsonSchemaValue]:
    # models._range_ordered: low/high apply to numeric scores only.
    label = {"properties": {"value": {"type": "string"}}, "required": ["value"]}
    return [{"if": label, "then": _absent("low", "high")}]


def _criterion_rules() -> list[JsonSchemaValue]:
    # Criterion._scale_fits_function: a categorical criterion has no scale, any other needs one.
    categorical = {"type": "object", "properties": {"type": {"const": "categorical"}}, "required": ["type"]}
    return [{"if": {"properties": {"value_function": categorical}, "required": ["value_function"]},
             "then": _absent("scale"), "else": _present("scale")}]


def _preference_rules() -> list[JsonSchemaValue]:
    # Preference._params_fit_type: each function takes exactly its thresholds.
    rules = []
    for kind, wanted in PREFERENCE_PARAMS.items():
        unused = [name for name in ("q", "p", "s") if name not in wanted]
        then = _both(_present(*wanted), _absent(*unused))
        if kind == "v-shape":
            then["properties"]["p"] = {"not": {"type": "null"}, "exclusiveMinimum": 0}
        rules.append(_when("type", kind, then, default=kind == "usual"))
    return rules


def _weighting_rules() -> list[JsonSchemaValue]:
    # Weighting._spec_matches_method: direct takes no section, the others exactly their own.
    sections = ("swing", "rank", "ahp")
    rules = [_when("method", "direct", _absent(*sections), default=True)]
    for method in sections:
        others = [name for name in sections if name != method]
        rules.append(_when("method", method, _both(_present(method), _absent(*others))))
    return rules


def _category_rule_rules() -> list[JsonSchemaValue]:
    # CategoryRule._ordered: give min, max or both.
    return [{"anyOf": [_present("min"), _present("max")]}]


_RULES = {
    Score: _score_rules,
    Criterion: _criterion_rules,
    Preference: _preference_rules,
    Weighting: _weighting_rules,
    CategoryRule: _category_rule_rules,
}
