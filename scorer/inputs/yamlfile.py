"""Reading YAML input files safely and fast.

The fast path (:func:`read_yaml`) builds plain Python data with ruamel.yaml's
safe loader (no object construction) and tracks no positions. Only when a
problem has to be reported does :func:`scorer.inputs.location.line_of` parse
the text again (:func:`compose`), keeping node positions, and walk the field
path to its line. What leans on ruamel's internals sits in
:mod:`scorer.inputs.ruamel_adapter`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import implicit_resolvers

from scorer.errors import InputError, Problem
from scorer.inputs.ruamel_adapter import CORE_SCHEMA, CoreResolver, count_events

MAX_FILE_BYTES = 64 * 1024 * 1024
# A YAML alias bomb is small on disk but expands exponentially once walked;
# no honest input file comes near this many nodes (10,000 candidates x 30
# criteria in long form is about 4 million).
MAX_EXPANDED_NODES = 20_000_000
# Parse events a file may have (one per value and alias, two per list or mapping),
# counted before anything is built: 40 MB of "[1,1,...]" is within the size cap but
# 20 million events, which took 102 s and 5.5 GB to compose and validate. The
# largest input of the size targets, 10,000 candidates x 30 criteria with 15-year
# costs, has 0.98 million events in the short form (criterion: 7) and 4.28 million
# with every score in the long form (value, low, high, rationale, source), which
# composes in 1.5 GB; the cap keeps any accepted file near that, within the 2 GB target.
MAX_YAML_EVENTS = 5_000_000


_YAML11_NUMBERS = [re.compile(regexp.pattern, regexp.flags) for versions, tag, regexp, _ in implicit_resolvers
                   if (1, 1) in versions and tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]


_CORE_NUMBERS = [re.compile(regexp) for tag, regexp, _ in CORE_SCHEMA if tag.endswith(("int", "float"))]


def yaml11_number_hint(text: str) -> str:
    """Why ``text`` is not a number, if YAML 1.1 (but not 1.2) reads it as one (``1_000``); else ``""``."""
    if any(r.match(text) for r in _CORE_NUMBERS) or not any(r.match(text) for r in _YAML11_NUMBERS):
        return ""
    plain = text.replace("_", "")
    advice = f"write {plain}" if "_" in text and plain.replace(".", "", 1).isdigit() else "write plain decimal digits"
    return f"; {text} is a number only in YAML 1.1 (coprod reads YAML 1.2, where it is text): {advice}"


def _safe_yaml() -> YAML:
    yaml = YAML(typ="safe")
    yaml.Resolver = CoreResolver
    yaml.allow_duplicate_keys = False
    return yaml


class _Unusual(Exception):
    """The document uses a feature the fast builder leaves to ruamel's constructor."""


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _load_data(text: str) -> Any:
    """Plain data from YAML text: composed by ruamel's C parser, built here.

    ruamel's generic constructor spends most of a large file's load time in
    per-node dispatch. Files here are plain mappings, lists, strings and
    numbers, so those are built directly; anything else (merge keys, other
    tags, complex or duplicate keys, recursive aliases) goes to ruamel's safe
    constructor, which either builds it or raises its own precise error.
    """
    yaml = _safe_yaml()
    root = yaml.compose(text)
    if root is None:
        return None
    try:
        return _Builder(yaml.constructor).build(root)
    except _Unusual:
        return _safe_yaml().load(text)


class _Builder:
    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor
        self.memo: dict[int, Any] = {}
        self.active: set[int] = set()

    def build(self, node: Node) -> Any:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            raise _Unusual  # a recursive alias
        self.active.add(key)
        value = self._build(node)
        self.active.discard(key)
        # An alias is the very node it names; remembering every collection
        # keeps an alias bomb linear here (the expansion check refuses it).
        if not isinstance(node, ScalarNode):
            self.memo[key] = value
        return value

    def _build(self, node: Node) -> Any:
        tag = node.ctag.trval
        if isinstance(node, ScalarNode):
            if tag == _STR:
                return node.value
            if tag == _INT and node.value.isdigit():
                return int(node.value)
            return self.constructor.construct_object(node, deep=True)
        if isinstance(node, SequenceNode) and tag == _SEQ:
            return [self.build(child) for child in node.value]
        if isinstance(node, MappingNode) and tag == _MAP:
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.ctag.trval == "tag:yaml.org,2002:merge":
                    raise _Unusual
                key = self._build(key_node)
                if key in out:
                    raise _Unusual  # ruamel reports the duplicate with both lines
                out[key] = self.build(value_node)
            return out
        raise _Unusual


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML file: its plain data and its text, which locates errors (:mod:`scorer.inputs.location`)."""

    display: str
    text: str
    data: Any


def read_yaml(path: Path, display: str) -> YamlDocument:
    """Read and parse one YAML file into plain Python data.

    Parameters
    ----------
    path : Path
        The file to read.
    display : str
        How the file is named in messages.

    Raises
    ------
    InputError
        Missing, unreadable, too large, not UTF-8, not YAML, empty, with
        duplicate keys, tags, or aliases that expand beyond reason.
    """
    text = _read_text(path, display)
    data = parse_yaml(text, display)
    return YamlDocument(display, text, data)


def read_yaml_stream(stream: BinaryIO, display: str) -> YamlDocument:
    """As :func:`read_yaml`, from a binary stream such as standard input, with the same size cap.

    A pipe has no size to check beforehand, so at most one byte more than the
    cap is read: a larger input is refused after 64 MiB, not read whole.
    """
    try:
        raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(display, None, "", f"cannot be read ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(display, None, "", _too_large(f"is more than {MAX_FILE_BYTES / 2**20:.1f} MiB"))])
    text = _decode(raw, display)
    return YamlDocument(display, text, parse_yaml(text, display))


def _too_large(what: str) -> str:
    return f"{what}; input files are limited to {MAX_FILE_BYTES // 2**20} MiB"




def _read_text(path: Path, display: str) -> str:
    def fail(message: str) -> InputError:
        return InputError([Problem(display, None, "", message)])

    try:
        size = path.stat().st_size
        if not path.is_file():
            raise fail("is not a file")
        if size > MAX_FILE_BYTES:
            raise fail(_too_large(f"is {size / 2**20:.1f} MiB"))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    return _decode(raw, display)


def _decode(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(display, line, "", f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]) from None


def parse_yaml(text: str, display: str) -> Any:
    """Parse YAML text into plain data, turning every failure into an :class:`InputError`."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError([Problem(display, line, "", "contains a NUL character; is it a binary file?")])
    try:
        events = yaml_events(text)
        if events > MAX_YAML_EVENTS:
            raise InputError([Problem(display, None, "", (
                f"has {events:,} YAML parse events (values, aliases, starts and ends of lists and mappings); input "
                f"files are limited to {MAX_YAML_EVENTS:,} (about 11,000 candidates x 30 criteria, long form)"))])
        data = _load_data(text)
    except MarkedYAMLError as exc:
        raise InputError([_marked_problem(exc, display)]) from None
    except RecursionError:
        raise InputError([Problem(display, None, "", "is nested too deeply")]) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise InputError([Problem(display, None, "", f"is not valid YAML ({_first_line(exc)})")]) from None
    if data is None:
        raise InputError([Problem(display, None, "", "is empty")])
    if "&" in text:
        _check_expansion(data, display)
    return data


def yaml_events(text: str) -> int:
    """The parse events of ``text`` (one per value and alias, two per list or mapping), nothing built.

    Counted by the C parser without building anything (see
    :func:`scorer.inputs.ruamel_adapter.count_events`); it raises the same
    located syntax errors as composing.
    """
    return count_events(text, MAX_YAML_EVENTS, _safe_yaml().parse)


def _marked_problem(exc: MarkedYAMLError, display: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = (exc.problem or "").strip()
    if problem.startswith("found duplicate key"):
        first = exc.context_mark.line + 1 if exc.context_mark is not None else None
        key = problem.split('"')[1] if '"' in problem else "?"
        message = f"duplicate key '{key}'" + (f" (the mapping starts at line {first})" if first else "")
    elif "could not determine a constructor" in problem:
        message = "tags are not allowed (" + problem.replace("could not determine a constructor for the tag", "").strip() + ")"
    else:
        context = (exc.context or "").strip()
        message = "is not valid YAML: " + "; ".join(s for s in (context, problem) if s)
    return Problem(display, line, "", message)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _check_expansion(data: Any, display: str) -> None:
    """Refuse documents whose aliases expand to too many nodes or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError([Problem(display, None, "", "an alias refers to the node that contains it (recursive data)")])
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise InputError([Problem(display, None, "", f"its aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; refusing to load it")])
        sizes[key] = total
        return total

    try:
        size(data)
    except RecursionError:
        raise InputError([Problem(display, None, "", "is nested too deeply")]) from None


def compose(text: str) -> Node | None:
    """The node tree of ``text``, with positions, as the loader reads it (``None`` for an empty document)."""
    return _safe_yaml().compose(text)
