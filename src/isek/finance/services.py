"""The KuF's application layer: what the pages, the `isek kuf` command and reports call."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import excel, kuf, pdf
from .models import CostGroup, FinanceVersion
from .presenters import table


def export_kuf(concept, version: FinanceVersion | None, fmt: str, path) -> None:
    """Write the KuF (current plan or a frozen version) as ``fmt`` "xlsx" or "pdf" to ``path``."""
    if fmt not in ("xlsx", "pdf"):
        raise ValueError(f"unknown KuF export format {fmt!r}")
    result = kuf.version_result(version) if version else kuf.current(concept)
    stand = version.name if version else _("aktueller Plan")
    title = f"{_('Kosten- und Finanzierungsübersicht')} – {concept.name} – {stand}"
    groups = {g.number: g.name for g in CostGroup.objects.all()}
    if fmt == "xlsx":
        excel.write(result, path, title, groups, attribution="isek")
    else:
        pdf.write(concept, result, table(result), title, path, groups)
