"""KuF as a landscape PDF (WeasyPrint renders an HTML template; no network access)."""

from __future__ import annotations

from django.template.loader import render_to_string


def write(concept, result, table: dict, title: str, path, groups: dict[str, str]) -> None:
    from weasyprint import HTML

    html = render_to_string("finance/kuf_pdf.html", {
        "concept": concept, "result": result, "t": table, "title": title, "groups": groups,
        "warnings": result.warnings,
    })
    # The template carries its CSS inline; any other resource is refused (no network).
    HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf(path)


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"isek PDFs load no external resources: {url}")
