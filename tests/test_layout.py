"""The layout's promises, checked on the source: no import circle among the
project's modules (imports inside functions included), and the pure rules
import nothing of CKAN. Run alone:
``.venv/bin/pytest --ckan-ini=test.ini -n 0 tests/test_layout.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ckanext/datasud_partnership", "ckanext/datasud_pgsearch")
# the rules a reader can test without CKAN (ENGINEERING.md, "How we build")
PURE = (
    "ckanext.datasud_partnership.agreements.rules",
    "ckanext.datasud_partnership.agreements.kinds",
    "ckanext.datasud_partnership.publication.gate",
    "ckanext.datasud_partnership.publication.harvest.rules",
)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migration" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules ``name`` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets.add(origin)
            targets.update(f"{origin}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in modules and target != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # plugin.py imports every concept; a function-level import would count as well
    assert "ckanext.datasud_partnership.common.events" in graph["ckanext.datasud_partnership.plugin"]


def test_no_import_circle_among_the_project_modules():
    assert circles(import_graph()) == []


@pytest.mark.parametrize("module", PURE)
def test_pure_rules_import_nothing_of_ckan(module):
    path = _modules()[module]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        assert not any(
            n == "ckan" or n.startswith(("ckan.", "ckanext.", "sqlalchemy", "flask")) for n in names
        )


def test_profile_does_not_import_publication():
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith("ckanext.datasud_partnership.profile"):
            assert not {t for t in targets if ".publication" in t}, module
