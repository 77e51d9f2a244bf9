"""Structure rules over src/: no import cycles between nhiscan modules, no module imports another
module's ``_private`` names (a private name is private to its module), and the agent packages
split out of the old per-provider ``agents.py`` keep their functions under 80 lines."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import rustworkx as rx

import nhiscan

SRC = Path(nhiscan.__file__).parent


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, level: int, current: str, is_package: bool) -> str:
    if level == 0:
        return module
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, module] if module else base)


def imports(path: Path) -> Iterator[tuple[str, tuple[str, ...], int]]:
    """(imported module, names imported from it, line) for every import in the file, including
    imports inside functions (a lazy import still makes a cycle of responsibilities)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    current = module_name(path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node.module or "", node.level, current, is_package)
            yield target, tuple(a.name for a in node.names), node.lineno


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SRC.rglob("*.py")}


def _owner(target: str, names: tuple[str, ...], known: dict[str, Path]) -> list[str]:
    """The nhiscan modules an import statement depends on ("from pkg import mod" names a module)."""
    out = []
    for n in names:
        if f"{target}.{n}" in known:
            out.append(f"{target}.{n}")
    if not out or len(out) < len(names):
        t = target
        while t and t not in known:
            t = t.rpartition(".")[0]
        if t:
            out.append(t)
    return out


def import_cycles() -> list[list[str]]:
    known = modules()
    graph = rx.PyDiGraph()
    index = {name: graph.add_node(name) for name in known}
    for name, path in known.items():
        for target, names, _ in imports(path):
            if not target.startswith("nhiscan"):
                continue
            for dep in _owner(target, names, known):
                # a package's __init__ importing its own submodule is not a cycle of modules
                if dep != name and not dep.startswith(name + "."):
                    graph.add_edge(index[name], index[dep], None)
    # a submodule importing its package __init__ is normal; only strongly connected groups of
    # two or more modules are cycles
    return sorted(
        sorted(graph[n] for n in comp) for comp in rx.strongly_connected_components(graph) if len(comp) > 1
    )


def private_imports() -> list[str]:
    known = modules()
    found = []
    for path in known.values():
        for target, names, line in imports(path):
            if not target.startswith("nhiscan"):
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__") and f"{target}.{n}" not in known:
                    found.append(f"{path.relative_to(SRC.parent)}:{line}: {n} from {target}")
    return sorted(found)


def private_attribute_uses() -> list[str]:
    """``module._name`` through an imported module object (``from x import mod; mod._f()``)."""
    known = modules()
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for target, names, _ in imports(path):
            for n in names:
                if f"{target}.{n}" in known:
                    aliases[n] = f"{target}.{n}"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    full = f"{_resolve(node.module or '', node.level, name, path.name == '__init__.py')}.{a.name}"
                    if full in known:
                        aliases[a.asname or a.name] = full
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.relative_to(SRC.parent)}:{node.lineno}: {node.value.id}.{node.attr}")
    return sorted(found)


def test_no_import_cycles() -> None:
    cycles = import_cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_cross_module_private_imports() -> None:
    found = private_imports() + private_attribute_uses()
    assert not found, "private names used across modules:\n" + "\n".join(found)


MAX_FUNCTION_LINES = 80


def long_functions(folder_glob: str = "providers/*/agents/*.py") -> list[str]:
    found = []
    for path in sorted(SRC.glob(folder_glob)):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{path.relative_to(SRC.parent)}:{node.lineno}: {node.name} ({length} lines)"
                    )
    return found


def test_split_agent_modules_have_no_function_over_80_lines() -> None:
    assert SRC.glob("providers/*/agents/*.py"), "the agent packages moved: update this test"
    found = long_functions()
    assert not found, "functions over 80 lines:\n" + "\n".join(found)


def test_the_checks_see_a_planted_cycle_and_private_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the checks above pass on src/; prove they would not pass on a tree that breaks them
    pkg = tmp_path / "nhiscan"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from nhiscan.b import _hidden\n")
    (pkg / "b.py").write_text("from nhiscan import a\n\n_hidden = 1\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", pkg)
    assert import_cycles()
    assert any("_hidden" in line for line in private_imports())


if __name__ == "__main__":
    for c in import_cycles():
        print("cycle:", " <-> ".join(c))
    for p in private_imports() + private_attribute_uses():
        print("private:", p)
