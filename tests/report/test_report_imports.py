"""The report's modules import one way: words -> facts -> labels, never back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import thriving.report

REPORT = Path(thriving.report.__file__).parent


def report_imports(module: str) -> set[str]:
    """The report modules a report module imports, anywhere in it (TYPE_CHECKING too)."""
    tree = ast.parse((REPORT / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("thriving.report"):
            found.add(node.module.removeprefix("thriving.report").lstrip("."))
    return found


@pytest.mark.parametrize(
    ("module", "not_imported"),
    [
        ("labels", {"facts", "words", "inputs", "html", "sections", "page"}),
        ("facts", {"words", "inputs", "html", "sections", "page"}),
    ],
)
def test_lower_report_modules_do_not_import_higher_ones(module, not_imported):
    assert not report_imports(module) & not_imported
