"""scorer.inputs.ruamel_adapter: what it takes from ruamel's internals is still there and still works.

Each test fails (never skips) when a ruamel.yaml release renames, drops or
stops calling what the adapter relies on; the message says what moved.
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.resolver import BaseResolver, VersionedResolver

from scorer.inputs import ruamel_adapter
from scorer.inputs.ruamel_adapter import CoreResolver, count_events

SCORER = Path(__file__).resolve().parents[2] / "scorer"
# Names of ruamel's internals that only the adapter may use.
INTERNALS = ("_version_implicit_resolver", "versioned_resolver", "processing_version", "descend_resolver",
             "ascend_resolver", "raw_parse", "VersionedResolver", "CParser")


def core_yaml(resolver: type = CoreResolver) -> YAML:
    yaml = YAML(typ="safe")
    yaml.Resolver = resolver
    return yaml


def test_versioned_resolver_still_has_the_hooks_the_adapter_overrides():
    for name in ("processing_version", "versioned_resolver"):
        assert isinstance(getattr(VersionedResolver, name, None), property), (
            f"ruamel's VersionedResolver.{name} is no longer a property: review CoreResolver")
    for name in ("descend_resolver", "ascend_resolver", "resolve"):
        assert callable(getattr(BaseResolver, name, None)), f"ruamel's BaseResolver.{name} is gone: review CoreResolver"


def test_ruamel_resolves_plain_scalars_through_versioned_resolver():
    calls = []

    class Counting(CoreResolver):
        @property
        def versioned_resolver(self):
            calls.append(1)
            return super().versioned_resolver

    assert core_yaml(Counting).load("a: 1\n") == {"a": 1}
    assert calls, "ruamel's resolve no longer reads versioned_resolver: CoreResolver's YAML 1.2 core rules are unused"


def test_the_core_rules_decide_and_not_ruamels_yaml_1_1_leftovers():
    # ruamel's own "1.2" rules read these as numbers, booleans or timestamps.
    text = "a: 1_000\nb: 0b101\nc: 2026-01-01\nd: yes\ne: +0x1F\nf: 0o17\ng: 0x1f\nh: .5\ni: ~\nj: True\n"
    assert core_yaml().load(text) == {"a": "1_000", "b": "0b101", "c": "2026-01-01", "d": "yes", "e": "+0x1F",
                                      "f": 15, "g": 31, "h": 0.5, "i": None, "j": True}
    assert YAML(typ="safe").load("a: 1_000\n") == {"a": 1000}, "ruamel's stock rules changed: the hint text may be stale"


def test_the_composer_still_calls_the_path_resolver_hooks():
    # CoreResolver makes them no-ops for speed; the composer must still be what calls them.
    calls = []

    class Counting(CoreResolver):
        def descend_resolver(self, current_node, current_index):
            calls.append("descend")

        def ascend_resolver(self):
            calls.append("ascend")

    core_yaml(Counting).compose("a: [1, 2]\n")
    assert calls, "ruamel's composer no longer calls descend/ascend_resolver: review CoreResolver"
    assert callable(getattr(Composer, "compose_node", None))


def test_the_processing_version_is_fixed_at_1_2():
    yaml = core_yaml()
    yaml.compose("a: 1\n")
    assert yaml.resolver.processing_version == (1, 2)
    # A %YAML 1.1 directive does not switch the rules back.
    assert yaml.load("%YAML 1.1\n---\na: 1_000\n") == {"a": "1_000"}


def test_the_c_parser_still_counts_events_without_building_them():
    assert ruamel_adapter.CParser is not None, "ruamel.yaml.clib's CParser is not importable: the event cap would be slow"
    assert callable(getattr(ruamel_adapter.CParser, "raw_parse", None)), (
        "ruamel.yaml.clib's CParser.raw_parse is gone: the event cap would parse in pure Python, 30 times slower")
    text = "a: &x [1, 1]\nb: *x\n"
    pure = sum(1 for _ in YAML(typ="safe").parse(text))
    assert count_events(text, 10**6, YAML(typ="safe").parse) == pure == 13


def test_no_other_module_uses_ruamel_internals():
    users = {}
    for path in SCORER.rglob("*.py"):
        if path.name == "ruamel_adapter.py":
            continue
        found = [name for name in INTERNALS if re.search(rf"\b{name}\b", path.read_text())]
        if found:
            users[str(path.relative_to(SCORER))] = found
    assert users == {}
