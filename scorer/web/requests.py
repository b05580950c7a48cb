"""A request body to the library's overrides: the page's settings object, parsed and nothing more.

Shapes and number ranges are checked here (as the command line's options
check theirs); what the numbers mean (an unknown criterion, a year outside
the horizon, an objective without perspectives) is the library's to refuse,
in its own words.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scorer.errors import UsageError
from scorer.limits import MAX_MONEY

# JSON numbers only (no strings, no booleans), finite, in the command line's ranges.
Weight = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Money = Annotated[float, Field(strict=True, ge=0, le=MAX_MONEY, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Settings(BaseModel):
    """The page's settings: every key optional, nothing else allowed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    weights: dict[Name, Weight] = Field(default_factory=dict, max_length=10_000)
    method: Name | None = None
    budget: Money | None = None
    year_caps: dict[Name, Money] = Field(default_factory=dict, max_length=1_000)
    objective: Name | None = None
    partner_weights: dict[Name, dict[Name, Weight]] = Field(default_factory=dict, max_length=100)


class SaveWeights(BaseModel):
    """What "save weights" writes: criterion id -> raw weight."""

    model_config = ConfigDict(extra="forbid", strict=True)

    weights: dict[Name, Weight] = Field(min_length=1, max_length=10_000)


def parse_settings(body: bytes) -> dict[str, Any]:
    """The overrides of :class:`scorer.study.study.Study` a settings body asks for.

    An empty body is the scenario's own settings.

    Raises
    ------
    UsageError
        Not JSON, an unknown key, a value of the wrong type or out of range, a year that is not a whole number.
    """
    settings = _parsed(Settings, body or b"{}")
    return {"weights": settings.weights, "method": settings.method, "budget": settings.budget,
            "year_caps": {_year(y): cap for y, cap in settings.year_caps.items()},
            "objective": settings.objective or "joint", "partner_weights": settings.partner_weights}


def parse_save(body: bytes) -> dict[str, float]:
    """The weights a save body asks to write (criterion id -> raw weight)."""
    return _parsed(SaveWeights, body).weights


def _parsed(model: type[BaseModel], body: bytes) -> Any:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise UsageError(f"{where}: {first['msg'][0].lower()}{first['msg'][1:]}") from None


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise UsageError(f"year_caps: '{text}' is not a year")
    return int(text)
