"""„Was fehlt noch für den Förderantrag?“: each part of the application outline is complete,
incomplete (what is missing, where to fix it) or not applicable; the ISEK PDF marks open parts."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from isek import access
from isek.concepts import services as concepts
from isek.finance import services as finance
from isek.monitoring import readiness, reports
from isek.monitoring import services as monitoring
from isek.monitoring.readiness import Item
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member

pytestmark = pytest.mark.django_db
OP = access.Operator("test")


def _by_key(concept):
    """The items with their texts in German (the active language must not leak in from other tests)."""
    with translation.override("de"):
        return {i.key: Item(i.key, str(i.label), i.status, [str(m) for m in i.missing], i.url)
                for i in readiness.check(concept)}


def test_a_new_concept_lists_what_is_missing_with_links(client):
    concept = ConceptFactory(programme="lebendige_zentren", mission="")
    items = _by_key(concept)
    assert items["mission"].status == "incomplete"
    assert items["structure"].missing == ["mindestens ein Handlungsfeld"]
    assert items["measures"].missing == ["mindestens eine Maßnahme"]
    assert items["retail"].status == "incomplete"  # a centre programme needs it
    assert "Datum des Ratsbeschlusses" in items["area"].missing
    client.force_login(member(concept, "planner"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert "Was fehlt noch für den Förderantrag?" in html
    assert f'href="/concepts/{concept.slug}/structure/"' in html
    assert 'data-item="mission" data-status="incomplete"' in html
    # a reviewer reads the same gaps, without links to forms only planners may open (they answered 403)
    client.force_login(member(concept, "reviewer"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert "mindestens eine Maßnahme" in html and 'data-item="mission" data-status="incomplete"' in html
    assert f'href="/concepts/{concept.slug}/structure/"' not in html and "ergänzen" not in html


def test_parts_become_complete_as_the_planner_fills_them(client):
    concept = ConceptFactory(programme="sozialer_zusammenhalt", mission="Ein lebendiges Quartier",
                             council_decision_date="2026-03-01")
    f = FieldFactory(concept=concept)
    m = MeasureFactory(concept=concept, primary_field=f)
    items = _by_key(concept)
    assert items["retail"].status == "not_applicable"  # not a centre programme
    assert items["mission"].status == "complete"
    assert items["structure"].missing == [f"Ziele im Handlungsfeld {f.number}"]
    # Each missing part of a measure leads to the form that fills it in: place and time plan to the
    # measure form, the costs to the measure's page of the KuF.
    item = next(i for i in readiness.check(concept) if i.key == "measures")
    gaps = {str(g): g.url for g in item.missing}
    assert gaps[f"Maßnahme {m.number}: Zeitplan"] == f"/concepts/{concept.slug}/measures/{m.pk}/edit/"
    assert gaps[f"Maßnahme {m.number}: Kosten je Jahr in der KuF"] == f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"
    concepts.save_structure(OP, concept, goals=[concepts.Goal(field_of_action=f, number=f"{f.number}.1", title="Ziel")])
    m.start, m.end = "2026-01-01", "2028-12-31"
    m.save()
    group = finance.CostGroup.objects.first()
    finance.save_costs(OP, concept, m, cost_items=[finance.CostItem(year=2026, cost_group=group, amount=Decimal("1000"),
                                                                     eligible=Decimal("1000"))],
                       financings=[finance.Financing(year=2026, source="municipality", amount=Decimal("1000"), status="secured")])
    items = _by_key(concept)
    assert items["structure"].status == "complete" and items["measures"].status == "complete"
    summary = readiness.summary(readiness.check(concept))
    assert summary["total"] == len(readiness.check(concept)) - 1  # retail n/a; the factory's city is in NRW
    assert not summary["ready"]


def test_funding_rates_count_only_where_isek_has_the_lands_rules():
    nrw = ConceptFactory(city__ags="05911000")
    saxony = ConceptFactory(city__ags="14625240")
    thuringia = ConceptFactory(city__ags="16051000")
    assert _by_key(nrw)["rates"].status == "incomplete"
    assert _by_key(saxony)["rates"].status == "incomplete"
    assert _by_key(thuringia)["rates"].status == "not_applicable"


def test_isek_pdf_marks_the_open_parts(tmp_path):
    concept = ConceptFactory(mission="")
    monitoring.save_report_texts(OP, concept, [monitoring.ReportText(section="population", text="Rund 5.000 Menschen.")])
    out = tmp_path / "isek.pdf"
    reports.build(concept, "isek", out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Noch offen" in text and text.count("noch offen") >= 5
    assert "Rund 5.000 Menschen." in text
    assert "Leitbild" in text and "mindestens eine Maßnahme" in text
