"""The package's shape: one subpackage per stage, imports pointing down only, no circle.

The stages, lowest first (README "Layout"): the top-level modules (errors,
defaults, files, ...), ``inputs``, ``scoring``, ``mip``, ``portfolio``,
``robustness``, ``study``, ``present``, ``web``, ``cli``. A module may import its own
package and any lower stage; ``mip`` knows nothing of portfolios and imports
only the top level. Every import counts, also those inside functions (the
circle this test was written for was one). Run it as a script to print the
figures: ``python tests/test_structure.py``.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scorer"
STAGES = ("", "inputs", "scoring", "mip", "portfolio", "robustness", "study", "present", "web", "cli")
# Stages that may import only the top level and themselves, whatever their rank.
ALONE = {"mip"}
# Entry points above every stage: ``python -m scorer`` and the console script of older installs.
# Each may import the command line's launcher and nothing else.
ENTRY = {"scorer.__main__": {"scorer.cli.launch"}, "scorer.launch": {"scorer.cli.launch"}}


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``scorer.inputs.models``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def stage(name: str) -> str:
    """``scorer.portfolio.model`` -> ``portfolio``; a top-level module -> ``""``."""
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else ""


@cache
def imports() -> dict[str, frozenset[str]]:
    """Module -> the package's modules it imports (anywhere in its code)."""
    known = modules()
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        found = set()
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "scorer":
                    found.add(target)
        graph[name] = frozenset(found)
    return graph


def upward() -> list[tuple[str, str]]:
    """Imports that point to a higher stage, or out of a stage that must stay alone."""
    bad = []
    for name, targets in imports().items():
        if name in ENTRY:
            bad += [(name, target) for target in targets if target not in ENTRY[name]]
            continue
        mine = stage(name)
        for target in targets:
            theirs = stage(target)
            if mine in ALONE and theirs not in ("", mine):
                bad.append((name, target))
            elif STAGES.index(theirs) > STAGES.index(mine):
                bad.append((name, target))
    return sorted(bad)


def circles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    graph, index, low, stack, on, out = imports(), {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def levels() -> int:
    """The longest chain of imports, counted in modules (1: imports nothing of ours)."""
    graph = imports()

    @cache
    def depth(v: str) -> int:
        return 1 + max((depth(w) for w in graph[v]), default=0)

    return max(depth(v) for v in graph)


def string_imports() -> list[str]:
    """String constants (not docstrings) that name one of our modules to import it by text."""
    known = set(modules())
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if "import scorer" in text or "from scorer" in text or text in known - {"scorer"}:
                    found.append(f"{name}: {text!r}")
    return found


def test_every_module_sits_in_a_stage() -> None:
    for name in modules():
        parts = name.split(".")
        assert len(parts) <= 2 or parts[1] in STAGES, name


def test_no_import_points_up() -> None:
    assert upward() == []


def test_no_circle() -> None:
    assert circles() == []


def test_no_module_is_imported_by_a_string() -> None:
    assert string_imports() == []


def test_the_checks_can_fail() -> None:
    # The stage of a few known modules, so that a wrong stage() cannot pass every check silently.
    assert [stage(m) for m in ("scorer.errors", "scorer.mip.child", "scorer.cli.commands.options")] == [
        "", "mip", "cli"]
    assert "scorer.portfolio.model" in imports()["scorer.portfolio.solve"]


def figures() -> str:
    """Modules per stage, import levels, circles and upward imports, as the closing notes quote them."""
    per = {}
    for name in modules():
        per.setdefault(stage(name) or "(top level)", []).append(name)
    lines = [f"{s:>12}: {len(per.get(s or '(top level)', []))} modules" for s in STAGES]
    lines += [f"import levels: {levels()}", f"circles: {len(circles())}", f"upward imports: {len(upward())}",
              f"imports by string: {len(string_imports())}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(figures() + "\n")
