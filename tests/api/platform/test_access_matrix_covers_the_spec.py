"""The access matrix (tests/access/matrix.py) covers every operation that
names an object in its path, and the docs page is rendered from it."""

from __future__ import annotations

from pathlib import Path

from tests.access.matrix import MATRIX
from tests.access.render import render

ROOT = Path(__file__).resolve().parents[3]
METHODS = ("get", "post", "put", "patch", "delete")


def object_operations(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in spec["paths"].items() if "{" in path
            for method in operations if method in METHODS}


def test_every_object_operation_has_a_row(app):
    spec = app.extensions["api"].spec.to_dict()
    operations = object_operations(spec)
    missing = sorted(operations - set(MATRIX))
    assert not missing, f"operations without a row in tests/access/matrix.py: {missing}"
    stale = sorted(set(MATRIX) - operations)
    assert not stale, f"rows for operations the API no longer has: {stale}"


def test_the_docs_page_is_rendered_from_the_matrix():
    page = (ROOT / "docs" / "access-matrix.md").read_text(encoding="utf-8")
    assert page == render(), "regenerate: .venv/bin/python -m tests.access.render > docs/access-matrix.md"
