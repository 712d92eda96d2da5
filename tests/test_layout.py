"""The package's layout: five parts, imports running one way, no cycle, constants defined once.

Every import is read from the source with ast, those inside functions included, so a lazy
import cannot hide a cycle.
"""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lstm_course"

# what each part may import (itself included); the top-level modules (the command line, the
# course renderer) may import everything
ALLOWED = {
    "core": {"core"},
    "articles": {"core", "articles"},
    "hamlet": {"core", "hamlet"},
    "proofs": {"core", "articles", "hamlet", "proofs"},
    "exercises": {"core", "articles", "hamlet", "proofs", "exercises"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set) -> set:
    """The package modules a module imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from . import x` may name a module x; `from .m import f` names module m
            targets = [f"{stem}.{alias.name}" for alias in node.names] + [stem]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_the_folders_are_the_parts():
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert set(folders) <= set(ALLOWED) and {"core", "articles", "hamlet", "proofs"} <= set(folders)


def test_no_import_runs_in_a_circle():
    graph = _graph()
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"
    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_parts_import_one_way():
    bad = []
    for module, targets in _graph().items():
        part = _part(module)
        if part is None:
            continue
        for target in targets:
            other = _part(target)
            if target == "lstm_course" or (other is not None and other not in ALLOWED[part]):
                bad.append(f"{module} imports {target}")
    assert not bad, bad


def test_the_graph_sees_imports_inside_functions():
    """The walk is not blind: core.activations imports core.symbolic only inside a function."""
    assert "lstm_course.core.symbolic" in _graph()["lstm_course.core.activations"]


def test_the_gate_order_is_defined_once():
    pattern = re.compile(r"""\(\s*["']f["']\s*,\s*["']i["']\s*,\s*["']c["']\s*,\s*["']o["']\s*\)""")
    places = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
              if pattern.search(p.read_text())]
    assert places == ["core/params.py"], places


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_check_flags(path):
    """Checks happen at the public entry points; no function takes a flag to skip them."""
    assert not re.search(r"\bcheck\s*:\s*bool", path.read_text()), path


def test_the_readable_lstm_is_short():
    lines = (PACKAGE / "core" / "lstm.py").read_text().splitlines()
    assert len(lines) <= 300, len(lines)
