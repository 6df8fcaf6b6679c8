"""The funding authority's exports of its district (issue #23 point 6, decision 0062): the federal
monitoring data of every concept with an approved application in one CSV, the requested and
approved grant per programme and programme year as XLSX; nothing of another district."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import openpyxl

from isek import access
from isek.concepts import services as concepts
from isek.concepts.models import FundingAuthority
from isek.finance import services as finance
from isek.procedure import services
from isek.procedure.models import Approval
from tests.conftest import client_for
from tests.procedure import submit

OP = access.Operator("test")


def _concept(ags: str, city: str, slug: str, *, approve_by=None):
    """A concept without measures with an application for 2027, submitted and, if asked, approved."""
    concept = concepts.start_concept(OP, ags=ags, city_name=city, slug=slug, name=f"Zentrum {city}",
                                     programme="sozialer_zusammenhalt", legal_basis="baugb_142", start_year=2026,
                                     end_year=2030)
    app = submit(OP, concept)
    if approve_by is not None:  # the district's reviewer
        services.start_review(approve_by, concept, app)
        services.approve(approve_by, concept, app, decided_on=app.submitted_at.date(), file_number=f"{slug}-1")
    return concept


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # UTF-8 with BOM, as the per-concept federal CSV
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_district_exports_hold_its_approved_concepts_only(paid):
    concept, staff, other_staff = paid["concept"], paid["authority"], paid["authority_b"]
    authority = FundingAuthority.objects.get(staff__user=staff)
    other = FundingAuthority.objects.get(staff__user=other_staff)
    reviewer, other_reviewer = client_for(staff), client_for(other_staff)
    # an empty district: a header only, and the page says so
    [header] = _csv(other_reviewer.get(f"/authorities/{other.pk}/export/monitoring.csv"))
    assert header[:3] == ["Gemeinde", "AGS", "Gesamtmaßnahme"]
    assert 'id="export-note"' in (page := other_reviewer.get(f"/authorities/{other.pk}/portfolio/").content.decode())
    assert "nur die Kopfzeile" in page
    _concept("14626110", "Görlitz", "goerlitz")  # the district's, submitted but not approved
    _concept("05911000", "Bochum", "bochum", approve_by=other_staff)  # another district's, approved
    rows = _csv(reviewer.get(f"/authorities/{authority.pk}/export/monitoring.csv"))
    head, [row] = rows[0], rows[1:]
    cells = dict(zip(head, row, strict=True))
    assert (cells["AGS"], cells["Gesamtmaßnahme"], cells["Gemeinde"]) == ("14625240", "Altstadt Neu", "Hoyerswerda")
    result = finance.current(concept)
    assert cells["Bundesmittel_EUR"] == f"{result.total('bund'):.2f}".replace(".", ",") != "0,00"
    assert cells["Kosten_gesamt_EUR"] == f"{result.total('cost'):.2f}".replace(".", ",")
    [other_head, other_row] = _csv(other_reviewer.get(f"/authorities/{other.pk}/export/monitoring.csv"))
    assert dict(zip(other_head, other_row, strict=True))["AGS"] == "05911000"
    page = reviewer.get(f"/authorities/{authority.pk}/portfolio/").content.decode()
    assert f'href="/authorities/{authority.pk}/export/totals.xlsx"' in page and "1 Konzept mit bewilligtem" in page
    # the totals: the sums of the approvals in force in the database, and of what was requested
    response = reviewer.get(f"/authorities/{authority.pk}/export/totals.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert [c.value for c in sheet[3]][:4] == ["Programm", "Programmjahr", "Jahr", "beantragt: Städtebauförderung Bund (€)"]
    assert {r[0] for r in table} == {"Lebendige Zentren"} and {r[1] for r in table} == {2027}
    lines = Approval.objects.get(application=paid["app"]).lines
    for col, source in ((6, "bund"), (7, "land")):
        assert sum(D(str(r[col])) for r in table) == sum(D(x["approved"]) for x in lines if x["source"] == source) > 0
        for r in table:
            assert D(str(r[col])) == sum(D(x["approved"]) for x in lines if x["source"] == source and x["year"] == r[2])
    assert [round(D(str(r[5])), 2) for r in table] == [round(D(str(r[3] + r[4])), 2) for r in table]
    requested = [f for f in paid["app"].snapshot["figures"] if f["what"] in ("bund", "land") and int(f["year"]) >= 2027]
    assert sum(D(str(r[5])) for r in table) == sum(D(f["amount"]) for f in requested)
    # another district's staff may not have them; a planner neither
    for url in ("export/monitoring.csv", "export/totals.xlsx"):
        assert other_reviewer.get(f"/authorities/{authority.pk}/{url}").status_code == 403
        assert client_for(paid["planner"]).get(f"/authorities/{authority.pk}/{url}").status_code == 403
    assert reviewer.get("/authorities/999999/export/totals.xlsx").status_code == 404
    english = client_for(staff)
    english.cookies["django_language"] = "en"
    response = english.get(f"/authorities/{authority.pk}/export/totals.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active["B3"].value == "Programme year"
    page = english.get(f"/authorities/{authority.pk}/portfolio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Exports of the district" in page and "1 concept with an approved application" in page
