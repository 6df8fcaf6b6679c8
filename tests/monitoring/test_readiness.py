"""„Was fehlt noch für den Förderantrag?“: each part of the application outline is complete,
incomplete (what is missing, where to fix it) or not applicable; the ISEK PDF marks open parts."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from isek import access
from isek.concepts import services as concepts
from isek.concepts.models import Goal
from isek.finance import services as finance
from isek.legal.models import LegalTexts
from isek.monitoring import readiness, reports
from isek.monitoring import services as monitoring
from isek.monitoring.readiness import Item
from tests.factories import (
    ConceptFactory,
    FieldFactory,
    MeasureFactory,
    QuarterFactory,
    UserFactory,
    city_admin,
    member,
    multipolygon,
    square,
)

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
    # retail n/a (the factory's city is in NRW); the city's legal texts are needed before going public, not in the application
    assert summary["total"] == len([i for i in readiness.check(concept) if i.application]) - 1
    assert not summary["ready"]


@pytest.mark.parametrize("ags", ["05911000", "14625240", "16051000", "08221000"])  # NRW, Saxony, Thuringia, Heidelberg
def test_funding_rates_are_checked_against_the_concepts_years_in_every_land(ags):
    """A walk in Baden-Württemberg (rules isek does not know) read "nicht zutreffend: Fördersätze der
    Jahre" with every rate set: the years are checked against the concept's own rates."""
    from isek.finance.models import FundingRate

    concept = ConceptFactory(city__ags=ags, start_year=2026, end_year=2030)
    assert _by_key(concept)["rates"].missing == ["Fördersatz je Jahr"]
    for year in range(2026, 2029):
        FundingRate.objects.create(concept=concept, year=year, rate=Decimal(60))
    assert _by_key(concept)["rates"].missing == ["Fördersatz für 2029, 2030"]
    for year in (2029, 2030):
        FundingRate.objects.create(concept=concept, year=year, rate=Decimal("60.5"))
    assert _by_key(concept)["rates"].status == "complete"


def test_a_measure_for_the_whole_area_needs_no_drawing(client):
    """A walk: "Maßnahme 3: Verortung" was asked for the Quartiersmanagement, which has no place of
    its own. The measure form offers "gilt für das ganze Fördergebiet"."""
    concept = ConceptFactory()
    f = FieldFactory(concept=concept)
    m = MeasureFactory(concept=concept, primary_field=f, number="3", title="Quartiersmanagement", geometry=None,
                       start="2026-01-01", end="2030-12-31")
    gaps = _by_key(concept)["measures"].missing
    assert "Maßnahme 3: Verortung (oder „gilt für das ganze Fördergebiet“)" in gaps
    client.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/measures/{m.pk}/edit/"
    page = client.get(url).content.decode()
    assert "gilt für das ganze Fördergebiet" in page
    data = {"number": "3", "title": "Quartiersmanagement", "primary_field": f.pk, "priority": 2, "status": "planned",
            "start": "2026-01-01", "end": "2030-12-31", "progress": 0, "geometry": "", "whole_area": "on",
            "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000}
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    m.refresh_from_db()
    assert m.geometry.equals(concept.area)
    assert not any(g.startswith("Maßnahme 3: Verortung") for g in _by_key(concept)["measures"].missing)
    assert re.search(r'<input[^>]*name="whole_area"[^>]*checked', client.get(url).content.decode())  # shown as chosen


def test_whole_area_without_an_area_is_refused_and_changes_nothing(client):
    concept = ConceptFactory(area=None)
    f = FieldFactory(concept=concept)
    m = MeasureFactory(concept=concept, primary_field=f, number="3", title="Quartiersmanagement", geometry=None)
    client.force_login(member(concept, "planner"))
    data = {"number": "3", "title": "QM neu", "primary_field": f.pk, "priority": 2, "status": "planned",
            "progress": 0, "geometry": "", "whole_area": "on",
            "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000}
    r = client.post(f"/concepts/{concept.slug}/measures/{m.pk}/edit/", data)
    assert r.status_code == 400 and "Das Fördergebiet ist noch nicht gezeichnet" in r.content.decode()
    m.refresh_from_db()
    assert m.title == "Quartiersmanagement" and m.geometry is None


def test_isek_pdf_marks_the_open_parts(tmp_path):
    concept = ConceptFactory(mission="")
    monitoring.save_report_texts(OP, concept, [monitoring.ReportText(section="population", text="Rund 5.000 Menschen.")])
    out = tmp_path / "isek.pdf"
    reports.build(concept, "isek", out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Noch offen" in text and text.count("noch offen") >= 5
    assert "Rund 5.000 Menschen." in text
    assert "Leitbild" in text and "mindestens eine Maßnahme" in text


def test_the_rates_item_is_open_while_the_kuf_reports_the_cap_exceeded(client):
    """Walk 4: "Was fehlt noch?" showed ✓ for the rates while the KuF said the grant is above the cap."""
    from isek.finance.models import FundingCap, FundingRate

    concept = ConceptFactory(start_year=2026, end_year=2026)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), start="2026-01-01",
                       end="2026-12-31")
    FundingRate.objects.create(concept=concept, year=2026, rate=Decimal(60))
    finance.save_costs(OP, concept, m, cost_items=[finance.CostItem(
        year=2026, cost_group=finance.CostGroup.objects.first(), amount=Decimal("1000"), eligible=Decimal("1000"))])
    assert _by_key(concept)["rates"].status == "complete"
    FundingCap.objects.create(concept=concept, amount=Decimal("500"))
    with translation.override("de"):
        [hint] = [h for h in finance.hints(concept, finance.current(concept)) if h.code == "above_cap"]
    item = _by_key(concept)["rates"]
    assert item.status == "incomplete" and item.missing == [hint.text]
    assert "über der Förderobergrenze 500,00 €" in hint.text
    client.force_login(member(concept, "planner"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert 'data-item="rates" data-status="incomplete"' in html and "über der Förderobergrenze" in html


def test_template_goals_an_approximated_area_and_stray_quarters_are_open_items(client):
    """A Köln planner read "✓ vollständig" with 6 of 9 goals still the template's suggestions, the
    boundary marked "angenähert", and quarters overlapping each other or beyond the funding area."""
    concept = ConceptFactory(area_approximated=True, mission="Leitbild", council_decision_date="2026-03-01")
    f = FieldFactory(concept=concept)
    goals = [concepts.Goal(field_of_action=f, number=f"{f.number}.{i}", title=f"Ziel {i}", illustrative=i <= 6)
             for i in range(1, 10)]
    concepts.save_structure(OP, concept, goals=goals)
    inside = QuarterFactory(concept=concept, name="Nord", geometry=multipolygon(square(7.21, 51.48, 300)))
    QuarterFactory(concept=concept, name="Süd", geometry=multipolygon(square(7.212, 51.4815, 300)))  # overlaps Nord
    beyond = QuarterFactory(concept=concept, name="Außen", geometry=multipolygon(square(7.2165, 51.48, 100)))
    items = _by_key(concept)
    assert items["structure"].status == "incomplete"
    assert items["structure"].missing == ["6 von 9 Zielen sind noch Vorschläge der Vorlage (illustrativ): "
                                          "übernehmen oder ändern"]
    area = items["area"].missing
    assert "beschlossene Abgrenzung des Fördergebiets (die jetzige ist als angenähert markiert)" in area
    assert any(g.startswith("Teilräume „Nord“ und „Süd“ überschneiden sich (ca. ") for g in area)
    assert any(g.startswith("Teilraum „Außen“: ca. ") and g.endswith("außerhalb des Fördergebiets") for g in area)
    assert not any("„Nord“:" in g for g in area)  # Nord lies inside
    client.force_login(member(concept, "planner"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert 'data-item="structure" data-status="incomplete"' in html
    assert f'href="/concepts/{concept.slug}/structure/"' in html
    assert f'href="/concepts/{concept.slug}/quarters/{beyond.pk}/edit/"' in html
    assert f'href="/concepts/{concept.slug}/quarters/{inside.pk}/edit/"' in html  # the overlap, to the first quarter
    # confirmed goals, the decided boundary and quarters inside close the items
    Goal.objects.filter(concept=concept).update(illustrative=False)
    concept.area_approximated = False
    concept.save()
    concept.quarters.exclude(pk=inside.pk).delete()
    items = _by_key(concept)
    assert items["structure"].status == "complete"
    assert not [g for g in items["area"].missing if "Abgrenzung" in g or "Teilr" in g]


def test_the_citys_missing_imprint_and_privacy_contact_is_an_open_item(client):
    concept = ConceptFactory()
    items = _by_key(concept)
    assert items["legal"].status == "incomplete"
    # who may: the city's administration or isek's (policy ("legal", "edit")), as the concept's form says (decision 0105)
    assert items["legal"].missing == [
        "Impressum (Anbieter nach § 5 DDG) – eintragen kann das nur die Administration der Stadt oder die von isek",
        "Datenschutz: verantwortliche Stelle – eintragen kann das nur die Administration der Stadt oder die von isek",
        "Datenschutz: Kontakt der oder des Datenschutzbeauftragten – eintragen kann das nur die Administration der "
        "Stadt oder die von isek"]
    client.force_login(member(concept, "planner"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert "/about/legal-texts/" not in html  # a page the planner may not open is not linked (decision 0072)
    assert 'data-hint="legal"' not in html  # the planner cannot fill it in: a pointer to who can, not a to-do
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert 'data-hint="legal"' in html and f'href="/cities/{concept.city.ags}/about/legal-texts/#privacy"' in html
    # the city's administrator may, as the policy says: the page is linked for them too
    client.force_login(city_admin(concept.city))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert 'data-hint="legal"' in html and f'href="/cities/{concept.city.ags}/about/legal-texts/#privacy"' in html
    LegalTexts.objects.create(city=concept.city, prepared_on="2026-12-01", easy_de="x", easy_en="x",
                              imprint_body="Stadt Köln", privacy_controller="Stadt Köln, Willy-Brandt-Platz 2",
                              privacy_dpo="datenschutz@stadt-koeln.de")
    assert _by_key(concept)["legal"].status == "complete"


def test_the_legal_item_is_listed_apart_and_not_as_part_of_the_application(client, tmp_path):
    concept = ConceptFactory()
    client.force_login(member(concept, "planner"))
    html = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    application, public = html.split('id="readiness"')[1].split('id="readiness-public"')
    assert 'data-item="legal"' not in application and 'data-item="legal" data-status="incomplete"' in public
    assert "Vor der Veröffentlichung und der Beteiligung" in html
    out = tmp_path / "isek.pdf"
    reports.build(concept, "isek", out)
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "noch offen" in text and "Impressum" not in text  # the report for the application lists the application's parts


def test_quarters_that_meet_at_an_edge_drawn_a_little_differently_do_not_overlap():
    """Walk 11 (Gera): two quarters that only meet at one line were reported as overlapping "ca. 1 m²".
    A strip 10 cm wide along a 2 km edge (200 m²) is where an edge was drawn twice, not an overlap;
    a strip 20 m wide is one."""
    import shapely

    from isek.core import geo

    def quarter(name, box):
        return QuarterFactory(concept=concept, name=name,
                              geometry=multipolygon(geo.transform(shapely.box(*box), 25832, 4326)))

    concept = ConceptFactory()
    x, y = 375000, 5704000
    quarter("Altstadt", (x, y, x + 2000, y + 300))
    quarter("Schloßberg", (x, y + 299.9, x + 2000, y + 600))
    area = _by_key(concept)["area"].missing
    assert not any("überschneiden sich" in g for g in area), area
    quarter("Osterstein", (x, y + 580, x + 2000, y + 900))
    area = _by_key(concept)["area"].missing
    assert [g for g in area if "überschneiden sich" in g] == [
        "Teilräume „Osterstein“ und „Schloßberg“ überschneiden sich (ca. 40.000 m²)"]
