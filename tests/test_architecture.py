"""The tree shows the design: harness/ is the worker side alone, imports run downward, no circles.

Imports are read from the source (module level and inside functions alike), so a
cycle hidden behind a function-local import fails here as plainly as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("harness", "judge")


def _modules() -> dict[str, Path]:
    found = {"cli": ROOT / "cli.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:  # Alembic's scripts, loaded by path
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _type_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:``: names for the type checker, no import at run time."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return found


def _module_of(target: str) -> str:
    """The project module that ``target`` names or lies in (``judge.x.name`` -> ``judge.x``), or ''."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def _imports(name: str, path: Path) -> set[str]:
    """The project modules that ``name`` imports, anywhere in its source (type-checking imports aside).

    ``from package import submodule`` is an edge to the submodule only: the package's ``__init__`` runs
    first, as it does for any import below it, and counting those would call every package a cycle.
    """
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [_module_of(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [_module_of(f"{base}.{alias.name}") for alias in node.names]
        else:
            continue
        out |= {t for t in targets if t and t != name}
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_harness_imports_nothing_of_the_judge():
    wrong = {name: sorted(t for t in targets if not t.startswith("harness"))
             for name, targets in GRAPH.items() if name.startswith("harness")}
    assert not any(wrong.values()), wrong


def test_the_harness_holds_only_the_worker_modules():
    on_disk = sorted(p.stem for p in Path(harness.__file__).parent.glob("*.py"))
    assert on_disk == sorted(harness.WORKER_MODULES)


def test_no_import_cycles():
    """Depth-first search over the import graph; any back edge is a cycle, printed as its path."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(GRAPH.get(node, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


LEAVES = ("judge", "judge.verdict")  # the version and paths, the verdict enum: every layer may use them


def test_the_shared_leaves_import_nothing_of_the_project():
    assert {leaf: sorted(GRAPH[leaf]) for leaf in LEAVES} == {leaf: [] for leaf in LEAVES}


def test_the_sandbox_and_the_runner_import_downward_only():
    """cli -> judge -> judge.runner -> judge.sandbox -> harness: nothing below imports what is above it."""
    def layer(name: str) -> int:
        if name == "cli":
            return 4
        if name.startswith("harness"):
            return 0
        if name.startswith("judge.sandbox"):
            return 1
        if name.startswith("judge.runner"):
            return 2
        return 3

    upward = [(name, target) for name, targets in GRAPH.items() for target in targets
              if layer(target) > layer(name) and target not in LEAVES]
    assert not upward, upward


def test_challenge_tests_import_the_runner_only_through_its_face():
    wrong = []
    for path in (ROOT / "challenges").glob("*/tests/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [f"{path.relative_to(ROOT)}: {n}" for n in names
                      if (n.startswith("judge") and n != "judge.runner") or n.startswith("harness")]
    assert not wrong, wrong
