"""The package's layers: who may import whom, and no import cycles between modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kbm_map"

# Package -> packages it must never import (at module level or inside functions).
FORBIDDEN = {
    "kbm_map.search": (
        "kbm_map.finding",
        "kbm_map.services",
        "kbm_map.models",
        "kbm_map.public",
        "kbm_map.api",
        "kbm_map.mapview",
    ),
    "kbm_map.finding": (
        "kbm_map.services",
        "kbm_map.public",
        "kbm_map.api",
        "kbm_map.mapview",
        "kbm_map.admin",
        "kbm_map.reports",
        "kbm_map.static_site",
        "kbm_map.cli",
        "kbm_map.monitoring",
        "kbm_map.demo",
    ),
    "kbm_map.services": (
        "kbm_map.public",
        "kbm_map.api",
        "kbm_map.mapview",
        "kbm_map.admin",
        "kbm_map.reports",
        "kbm_map.static_site",
        "kbm_map.cli",
    ),
    # The monitoring reads through kbm_map.finding; it never calls the write layer.
    "kbm_map.monitoring": (
        "kbm_map.services",
        "kbm_map.public",
        "kbm_map.mapview",
        "kbm_map.admin",
        "kbm_map.cli",
    ),
    # The readers use kbm_map.finding, not the public site's modules.
    "kbm_map.api": ("kbm_map.public", "kbm_map.cli"),
    "kbm_map.mapview": ("kbm_map.public", "kbm_map.cli"),
    "kbm_map.static_site": ("kbm_map.public", "kbm_map.cli"),
}


def module_name(path: Path) -> str:
    """Return the dotted name of a module file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool) -> set[str]:
    """Return the kbm_map modules a file imports (resolved from relative imports)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kbm_map"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("kbm_map"):
                # `from package import module` imports the module; other names the package.
                for alias in node.names:
                    module = f"{target}.{alias.name}"
                    found.add(
                        module
                        if (PACKAGE.parent / module.replace(".", "/")).with_suffix(".py").exists()
                        or (PACKAGE.parent / module.replace(".", "/")).is_dir()
                        else target
                    )
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def known(target: str) -> str | None:
    """Return the module an import names (a name imported from a module counts as it)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downwards(layer):
    offences = []
    for name, path in MODULES.items():
        if name != layer and not name.startswith(layer + "."):
            continue
        for target in imports(path, top_level_only=False):
            if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[layer]):
                offences.append(f"{name} imports {target}")
    assert offences == []


def test_only_the_app_factory_imports_the_command_line():
    importers = {
        name
        for name, path in MODULES.items()
        if not name.startswith("kbm_map.cli")
        and any(t.startswith("kbm_map.cli") for t in imports(path, top_level_only=False))
    }
    assert importers <= {"kbm_map", "kbm_map.__main__"}


def test_no_import_cycles_between_modules():
    graph = {
        name: {known(t) for t in imports(path, top_level_only=True)} - {None, name}
        for name, path in MODULES.items()
    }
    # A package importing its own submodules (or they it, through its __init__) is how
    # Python packages expose names; a cycle between two modules of different places is not.
    cycles = []
    for name, targets in graph.items():
        for target in targets:
            if name in reachable(graph, target) and not related(name, target):
                cycles.append(f"{name} <-> {target}")
    assert cycles == []


def related(a: str, b: str) -> bool:
    """Tell whether one module is a package containing the other."""
    return a.startswith(b + ".") or b.startswith(a + ".")


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Return every module reachable from start by module-level imports."""
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        for target in graph.get(current, ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
