"""Which limit a limit is: a typed key, and the one place its name is made.

A :class:`LimitKey` says what a limit is about (its kind, and the year,
partner, category or candidates it concerns); two limits of one problem never
have the same key. Its *name* (``cap_total_2028``, ``budget_US``,
``cat_min_co_sustainment``, ``requires_a_b``) is what users read: in
``optimize --explain``, in messages, as the row of an LP/MPS file. A name is
text and need not be unique: ids ``a-b`` and ``a_b`` both give
``mandatory_a_b``. :func:`unique_names` ends a repeated name in ``_1``,
``_2``, ... so that every limit of a list is named once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The name of each kind of limit, from the key's fields. Text fields go through a
# part function (slug for the model's own names, modelfile.name_part for files).
PATTERNS = {
    "year_cap": "cap_total_{year}",
    "partner_year_cap": "cap_{partner}_{year}",
    "total_budget": "budget_total",
    "partner_budget": "budget_{partner}",
    "mandatory": "mandatory_{candidate}",
    "forbidden": "forbidden_{candidate}",
    "max_projects": "max_projects",
    "min_projects": "min_projects",
    "category_min": "cat_min_{category}",
    "category_max": "cat_max_{category}",
    "requires": "requires_{candidate}_{other}",
    "excludes": "excludes_{candidate}_{other}",
    "earliest": "earliest_{candidate}",
    "latest": "latest_{candidate}",
    "partner_floor": "floor_{partner}",
    "share_min": "range_min_{candidate}_{partner}",
    "share_max": "range_max_{candidate}_{partner}",
    "partner_share_min": "share_min_{partner}",
    "partner_share_max": "share_max_{partner}",
}
KINDS = tuple(PATTERNS)
_SLOTS = ("year", "partner", "category", "candidate", "other")
_NEEDS = {kind: frozenset(re.findall(r"{(\w+)}", pattern)) for kind, pattern in PATTERNS.items()}


_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def slug(text: str) -> str:
    """A name safe for LP/MPS files: letters, digits and underscores."""
    return _UNSAFE.sub("_", text) or "_"


@dataclass(frozen=True, order=True)
class LimitKey:
    """One limit of a portfolio problem: its kind and what it is about.

    Exactly the fields the kind's name uses are set (see :data:`PATTERNS`):
    ``LimitKey("year_cap", year=2028)``, ``LimitKey("partner_budget", partner="US")``,
    ``LimitKey("requires", candidate="a", other="b")`` (``a`` requires ``b``).
    Keys sort by kind, then by their fields (keys of one kind set the same fields).

    Raises
    ------
    ValueError
        An unknown kind, or a field the kind needs missing or one it has no use for given.
    """

    kind: str
    year: int | None = None
    partner: str | None = None
    category: str | None = None
    candidate: str | None = None
    other: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in PATTERNS:
            raise ValueError(f"no kind of limit '{self.kind}' (kinds: {', '.join(KINDS)})")
        needed = _NEEDS[self.kind]
        given = {f for f in _SLOTS if getattr(self, f) is not None}
        if needed != given:
            raise ValueError(f"a {self.kind} limit is about {', '.join(sorted(needed)) or 'nothing else'}, "
                             f"got {', '.join(sorted(given)) or 'nothing'}")
        if self.year is not None:
            object.__setattr__(self, "year", int(self.year))  # numpy years hash and print as ints

    def name(self, part: Callable[[str], str] = slug) -> str:
        """The limit's name, each text field through ``part`` (before :func:`unique_names`)."""
        if part is not slug:
            return self._format(part)
        # Kept: a model build asks each key for its name about five times (0.024 s of 0.4 s at 5,000 candidates).
        cached = self.__dict__.get("_name")
        if cached is None:
            cached = self._format(slug)
            object.__setattr__(self, "_name", cached)
        return cached

    def _format(self, part: Callable[[str], str]) -> str:
        values = {f: getattr(self, f) for f in _SLOTS}
        return PATTERNS[self.kind].format(**{f: v if f == "year" or v is None else part(v) for f, v in values.items()})


def unique_names(keys: Iterable[LimitKey]) -> list[str]:
    """The name of each key, a repeated one ended in ``_1``, ``_2``, ... in order (never two alike).

    The first limit of a name keeps it and the n-th repeat becomes ``<name>_<n>``
    (as ``--explain`` has always shown them); if that is taken too, the count goes on.
    """
    seen: dict[str, int] = {}
    used: set[str] = set()
    out = []
    for key in keys:
        base = key.name()
        n = seen.get(base, 0)
        seen[base] = n + 1
        name = base if n == 0 else f"{base}_{n}"
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        out.append(name)
    return out
