"""Reading YAML input files safely and fast, and finding lines for errors.

The fast path (:func:`read_yaml`) builds plain Python data with ruamel.yaml's
safe loader (no object construction) and tracks no positions. Only when a
problem has to be reported does :func:`line_of` parse the text again, keeping
node positions, and walk the field path to its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from scorer.errors import InputError, Problem

MAX_FILE_BYTES = 64 * 1024 * 1024
# A YAML alias bomb is small on disk but expands exponentially once walked;
# no honest input file comes near this many nodes (10,000 candidates x 30
# criteria in long form is about 2 million).
MAX_EXPANDED_NODES = 20_000_000


class _Yaml12Resolver(VersionedResolver):
    """The YAML 1.2 core resolver with its per-scalar version lookup cached.

    ruamel asks for the document version on every scalar, through attribute
    errors when the C parser is in use; for inputs of a million scalars that
    lookup alone costs seconds. Input files are YAML 1.2 by contract.
    """

    @property
    def processing_version(self) -> Any:
        return (1, 2)

    @property
    def versioned_resolver(self) -> Any:
        table = self._version_implicit_resolver.get((1, 2))
        if table is None:
            table = VersionedResolver.versioned_resolver.fget(self)
        return table


def _safe_yaml() -> YAML:
    yaml = YAML(typ="safe")
    yaml.Resolver = _Yaml12Resolver
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML file: its plain data and what is needed to locate errors."""

    display: str
    text: str
    data: Any

    def line_of(self, loc: tuple) -> int | None:
        """Line (1-based) of the field at ``loc`` or of its nearest existing parent."""
        return line_of(self.text, loc)

    def problem(self, loc: tuple, message: str) -> Problem:
        """A :class:`Problem` located at ``loc`` in this file."""
        return Problem(self.display, self.line_of(loc), format_path(loc), message)


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


def _read_text(path: Path, display: str) -> str:
    def fail(message: str) -> InputError:
        return InputError([Problem(display, None, "", message)])

    try:
        size = path.stat().st_size
        if not path.is_file():
            raise fail("is not a file")
        if size > MAX_FILE_BYTES:
            raise fail(f"is {size / 2**20:.1f} MiB; input files are limited to {MAX_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
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
        data = _safe_yaml().load(text)
    except MarkedYAMLError as exc:
        raise InputError([_marked_problem(exc, display)]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise InputError([Problem(display, None, "", f"is not valid YAML ({_first_line(exc)})")]) from None
    if data is None:
        raise InputError([Problem(display, None, "", "is empty")])
    if "&" in text:
        _check_expansion(data, display)
    return data


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
        node = _safe_yaml().compose(text)
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
