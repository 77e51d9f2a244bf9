"""The graph core is provider-neutral: provider semantics come through the plugin interface."""

from __future__ import annotations

import ast
from pathlib import Path

import nhiscan.analyse

PROVIDER_NAMES = ("aws", "azure", "gcp", "k8s", "mcp", "agent")


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_provider_literals_in_the_analyse_package() -> None:
    folder = Path(nhiscan.analyse.__file__).parent
    found = [
        f"{path.name}:{line}: {value!r}"
        for path in sorted(folder.glob("*.py"))
        for line, value in _string_literals(path)
        if any(value == p or value.startswith((p + ".", p + ":")) for p in PROVIDER_NAMES)
    ]
    assert not found, "provider-specific literals in nhiscan.analyse:\n" + "\n".join(found)


def test_the_literal_check_would_see_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""doc"""\nKIND = "aws.assume_role"\n', encoding="utf-8")
    assert _string_literals(sample) == [(2, "aws.assume_role")]
