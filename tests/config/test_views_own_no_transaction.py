"""Services own their transactions (docs/architecture.md): no view module of any app or of the
API opens one. A user action that must be all or nothing is one service function."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "isek"


def view_modules() -> list[Path]:
    """Every module that answers requests: each app's views (a module or a package) and the API's."""
    found = [*SRC.glob("*/views*.py"), *SRC.glob("*/views/*.py"), *SRC.glob("api/v*/views*.py"), SRC / "api" / "ogc.py"]
    return sorted(set(found))


def transactions(source: str) -> list[int]:
    """The lines of ``source`` that open a transaction or import what opens one."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("atomic", "non_atomic_requests"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.db"):
            if any(a.name in ("transaction", "atomic") for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(a.name == "django.db.transaction" for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_transaction_in_any_spelling():
    assert transactions("from django.db import transaction\nwith transaction.atomic():\n    pass\n") == [1, 2]
    assert transactions("from django.db.transaction import atomic\n") == [1]
    assert transactions("import django.db\n@django.db.transaction.atomic\ndef f(): pass\n") == [2]
    assert transactions("from isek.participation import services\nservices.send_idea()\n") == []


def test_no_view_opens_a_transaction():
    modules = view_modules()
    assert {"participation", "concepts", "geodata", "finance", "monitoring", "api"} <= {p.parent.name for p in modules} | {
        p.parents[1].name for p in modules}
    found = {str(p.relative_to(SRC)): lines for p in modules if (lines := transactions(p.read_text()))}
    assert found == {}, f"a view opens a transaction; move the whole action into one service function: {found}"
