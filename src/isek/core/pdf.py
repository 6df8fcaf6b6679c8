"""PDF from an HTML template with WeasyPrint. Offline: only data: URIs (figures embedded by the
caller) are loaded; any other protocol (http, https, file, …) is refused by the fetcher."""

from __future__ import annotations

from django.template.loader import render_to_string


def write(template: str, context: dict, path, variant: str | None = None) -> int:
    """Render ``template`` to a PDF at ``path``; return the number of pages. ``variant``: a
    WeasyPrint PDF variant, e.g. "pdf/ua-1" for a tagged PDF (its structure for screen readers)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    document.write_pdf(path, pdf_variant=variant)
    return len(document.pages)
