"""KuF as a landscape PDF (WeasyPrint renders an HTML template; no network access)."""

from __future__ import annotations

from isek.core import pdf


def write(concept, result, table: dict, title: str, path, groups: dict[str, str]) -> None:
    pdf.write("finance/kuf_pdf.html", {
        "concept": concept, "result": result, "t": table, "title": title, "groups": groups,
        "warnings": result.warnings,
    }, path)
