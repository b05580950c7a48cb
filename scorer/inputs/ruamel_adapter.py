"""The one place that relies on ruamel.yaml beyond its documented API.

Two things here lean on ruamel's internals, each for a measured reason, and
``tests/inputs/test_ruamel_adapter.py`` fails (never skips) when a ruamel
release moves what they use:

- :class:`CoreResolver` overrides the resolver hooks ``processing_version``,
  ``versioned_resolver``, ``descend_resolver`` and ``ascend_resolver`` of
  ``VersionedResolver`` (public names, undocumented, called by its ``resolve``).
  It keeps its own table of implicit rules, so ruamel's private
  ``_version_implicit_resolver`` is no longer touched.
- :func:`count_events` calls ``CParser.raw_parse`` of ruamel.yaml.clib.

What the resolver buys, measured on 2 shared cores under load (2026-12-02):
composing the candidates file of ``benchmarks/bench_loading.py`` at 2,000 x 30
takes 6.96 s with ruamel's stock ``VersionedResolver`` and 2.26 s with
:class:`CoreResolver` (3.1 times faster), and it reads YAML 1.2 core scalars
(``1_000``, ``0b101``, dates stay text), which the stock rules do not.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

try:
    from ruamel.yaml.cyaml import CParser
except ImportError:  # pragma: no cover - ruamel.yaml.clib not installed
    CParser = None

# The YAML 1.2 core schema (YAML 1.2.2, section 10.3.2). ruamel's "1.2"
# rules still take YAML 1.1 forms (1_000, 0b101, +0x1F, dates) as numbers and
# timestamps; here they are text, which validation then refuses where a
# number belongs (see :func:`scorer.inputs.yamlfile.yaml11_number_hint`).
CORE_SCHEMA = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+0123456789.")),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),  # not core, but harmless and widely used
]


def _core_table() -> dict[str, list[tuple[str, re.Pattern]]]:
    # The shape VersionedResolver.resolve reads from versioned_resolver: first character -> (tag, regex).
    table: dict[str, list[tuple[str, re.Pattern]]] = {}
    for tag, regexp, first in CORE_SCHEMA:
        for ch in first:
            table.setdefault(ch, []).append((tag, re.compile(regexp)))
    return table


_CORE_TABLE = _core_table()


class CoreResolver(VersionedResolver):
    """The YAML 1.2 core resolver, fast for files of a million scalars.

    ruamel asks for the document version on every scalar (through attribute
    errors when the C parser is in use) and rebuilds the candidate regex list
    each time; with inputs of a million scalars that costs seconds. Input files
    are YAML 1.2 by contract and use no path resolvers, so the version is fixed
    and a plain scalar's tag can be cached by its text. The rules are the
    core schema's (:data:`CORE_SCHEMA`), not ruamel's looser ones.
    """

    _cache_limit = 200_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_tags: dict[str, Any] = {}

    @property
    def processing_version(self) -> Any:
        return (1, 2)

    @property
    def versioned_resolver(self) -> Any:
        return _CORE_TABLE

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._plain_tags) < self._cache_limit:
                    self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def count_events(text: str, stop_after: int, parse: Any) -> int:
    """The parse events of ``text`` (one per value and alias, two per list or mapping), nothing built.

    ``CParser.raw_parse`` (from PyYAML's C extension, kept but undocumented by
    ruamel) runs the C parser over the text without making a Python object per
    event: measured 0.17 us per event, 30 times faster than composing, so the
    40 MB junk file's 20 million events are counted in 3.6 s on a loaded machine
    that composes its first 5 million in 29 s. It raises the same located
    syntax errors as composing. Without the C extension ``parse`` (ruamel's
    pure event parser) counts, stopping just past ``stop_after``.
    """
    raw_parse = getattr(CParser, "raw_parse", None)
    if raw_parse is not None:
        return raw_parse(CParser(text))
    return sum(1 for _ in itertools.islice(parse(text), stop_after + 1))  # pragma: no cover
