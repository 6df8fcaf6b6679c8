"""KuF as a landscape PDF (WeasyPrint renders an HTML template; no network access)."""

from __future__ import annotations

from django.utils import translation

from isek.core import pdf

from . import kuf, land_rules
from .models import FundingCap
from .presenters import rate_bases


def write(concept, result, table: dict, title: str, path, groups: dict[str, str]) -> None:
    rates = list(concept.funding_rates.all())
    with translation.override("de"):  # the template is German
        warnings = kuf.localized(result.warnings)
    pdf.write("finance/kuf_pdf.html", {
        "concept": concept, "result": result, "t": table, "title": title, "groups": groups,
        "warnings": warnings, "illustrative": kuf.illustrative(concept), "rates": rates, "rate_bases": rate_bases(rates),
        "cap": FundingCap.objects.filter(concept=concept).first(), "land_lines": [*land_rules.summary(land_rules.for_ags(concept.city.ags)),
                                             land_rules.catalogue_line(land_rules.catalogue_for_ags(concept.city.ags))],
    }, path)
