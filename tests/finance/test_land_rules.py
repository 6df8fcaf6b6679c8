"""Funding rules per Land as data: a concept is reported under its own Land's rules – or told
plainly that isek knows none – and never under NRW's; a KuF without rates says once where to set
them."""

from __future__ import annotations

import dataclasses
import datetime
import re
import subprocess
from decimal import Decimal as D

import openpyxl
import pytest

from isek.core.laender import LAENDER
from isek.finance import land_rules, services
from isek.finance.models import CostGroup, CostItem, FundingRate
from isek.monitoring import reports
from tests.conftest import client_for
from tests.factories import ConceptFactory, MeasureFactory, member, multipolygon, square

pytestmark = pytest.mark.django_db

# AGS, a point inside the Land, what every document of the concept must say about its rules.
CASES = {
    "bayern": ("09162000", (11.57, 48.14), ["Bayern", "Städtebauförderungsrichtlinien – StBauFR", "23.10.2024"]),
    "sachsen": ("14625240", (14.24, 51.44), ["Sachsen", "FRL Städtebauliche Erneuerung – FRL StBauE", "07.03.2022"]),
    "thueringen": ("16051000", (11.03, 50.98), ["Thüringen", "keine Förderregeln des Landes hinterlegt", "VV Städtebauförderung"]),
}
NRW_WORDS = ("NRW", "Nordrhein", "Bezirksregierung")


def _concept(ags, lonlat, **kwargs):
    return ConceptFactory(city__ags=ags, city__name=f"Stadt {ags}", area=multipolygon(square(*lonlat)), **kwargs)


def _with_costs(concept, measures=2, years=(2024, 2025, 2026)):
    group = CostGroup.of(concept).get(number="9.1" if concept.city.ags.startswith("05") else "3")
    for _ in range(measures):
        m = MeasureFactory(concept=concept)
        for y in years:
            CostItem.objects.create(measure=m, year=y, cost_group=group, amount=D("1000"), eligible=D("800"))
    return concept


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _say_only_their_own_rules(text: str, expected: list[str], where: str):
    for phrase in expected:
        assert phrase in text, f"{where}: {phrase!r} missing"
    for word in NRW_WORDS:
        assert word not in text, f"{where} mentions {word!r}"


def test_all_sixteen_laender_are_data_with_sources():
    rules = land_rules.every()
    assert [r.key for r in rules] == sorted(LAENDER) and {r.key: r.land for r in rules} == LAENDER
    assert {r.key for r in rules if r.known} == {"05", "09", "14"}
    for r in rules:
        assert r.federal_basis.name == "VV Städtebauförderung" and r.federal_basis.url.startswith("https://")
        assert set(r.programmes) == {"lebendige_zentren", "sozialer_zusammenhalt", "wachstum_erneuerung"}
        assert r.outline  # the Land's outline or the general one
        if r.known:
            assert r.guideline.url.startswith("https://") and r.guideline.date and r.guideline.citation
            assert r.rate_standard is None or r.rates_source  # a rate only with its source
        else:  # nothing is guessed for a Land whose rules isek does not know
            assert (r.rate_standard, r.rate_min, r.rate_max, r.land_outline, r.max_pages) == (None, None, None, (), None)
            assert r.outline == r.general_outline
    nrw, bayern, sachsen = (land_rules.for_ags(k + "000000") for k in ("05", "09", "14"))
    assert (nrw.rate_standard, nrw.rate_min, nrw.rate_max, nrw.rate_step, nrw.max_pages) == (D(60), D(40), D(80), D(10), 25)
    assert bayern.rate_standard == D(60) and not bayern.has_range and "StBauFR Nr. 6" in bayern.rates_source
    assert "Bekanntmachung" in bayern.guideline.citation and bayern.guideline.date.isoformat() == "2024-10-23"
    assert any("Bedarfsmitteilung" in s for s in bayern.procedure) and any("Rahmenbewilligung" in s and "19.4" in s
                                                                          for s in bayern.procedure)
    assert bayern.land_outline == () and "NRW" not in " ".join(bayern.outline)
    assert [sachsen.programme(c)[-5:] for c in ("lebendige_zentren", "sozialer_zusammenhalt", "wachstum_erneuerung")] \
        == ["(LZP)", "(SZP)", "(WEP)"]
    assert "SAB" in sachsen.authority and sachsen.rate_standard is None
    assert land_rules.for_ags("99000000") is None


@pytest.mark.parametrize("case", CASES)
def test_documents_name_the_lands_own_rules_and_never_nrws(case, client, tmp_path):
    ags, lonlat, expected = CASES[case]
    concept = _with_costs(_concept(ags, lonlat))
    planner = member(concept, "planner")
    client.force_login(planner)

    pages = {"KuF": f"/concepts/{concept.slug}/kuf/", "Was fehlt noch": f"/concepts/{concept.slug}/readiness/"}
    for where, url in pages.items():
        r = client.get(url)
        assert r.status_code == 200, where
        # what the page says, not its tags: a random CSRF token or nonce held "NRW" once in a while
        _say_only_their_own_rules(re.sub(r"<[^>]*>", " ", r.content.decode()), expected, where)

    out = tmp_path / "isek.pdf"
    reports.build(concept, "isek", out)
    isek = _pdf_text(out)
    _say_only_their_own_rules(isek, expected, "ISEK-PDF")
    assert "allgemeinen Gliederung" in isek  # no outline of these Länder is known: the general one, not NRW's
    assert "höchstens 25 Seiten" not in isek

    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    kuf_pdf = tmp_path / "kuf.pdf"
    kuf_pdf.write_bytes(b"".join(r.streaming_content))
    _say_only_their_own_rules(_pdf_text(kuf_pdf), expected[:2], "KuF-PDF")

    r = client.get(f"/concepts/{concept.slug}/kuf.xlsx")
    xlsx = tmp_path / "kuf.xlsx"
    xlsx.write_bytes(b"".join(r.streaming_content))
    sheet = openpyxl.load_workbook(xlsx)["Parameter"]
    _say_only_their_own_rules(" ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value),
                              expected[:2], "KuF-Excel")


def test_bavarian_and_saxon_documents_give_what_isek_knows_of_their_rules(client, tmp_path):
    bayern = _concept(*CASES["bayern"][:2])
    sachsen = _concept(*CASES["sachsen"][:2], programme="sozialer_zusammenhalt")
    client.force_login(member(bayern, "planner"))
    page = client.get(f"/concepts/{bayern.slug}/readiness/").content.decode()
    assert "Regelfördersatz laut Richtlinie: 60 %" in page and "Rahmenbewilligung" in page
    assert 'href="https://www.verkuendung-bayern.de/baymbl/2024-524"' in page
    client.force_login(member(sachsen, "planner"))
    page = client.get(f"/concepts/{sachsen.slug}/kuf/").content.decode()
    assert "Sozialer Zusammenhalt – Zusammenleben im Quartier gemeinsam gestalten (SZP)" in page
    assert "Einen Regelfördersatz dieses Landes hat isek nicht hinterlegt." in page and "SAB" in page
    out = tmp_path / "isek.pdf"
    reports.build(sachsen, "isek", out)
    text = _pdf_text(out)
    assert "(SZP)" in text and "Einen Regelfördersatz nach FRL Städtebauliche Erneuerung – FRL StBauE hat isek nicht" in text


def test_a_land_without_rules_is_said_plainly(client):
    concept = _concept(*CASES["thueringen"][:2])
    client.force_login(member(concept, "reviewer"))
    page = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert "Für Thüringen sind in isek keine Förderregeln des Landes hinterlegt" in page
    assert "Eine Gliederung des Förderantrags in Thüringen hat isek nicht hinterlegt" in page
    # the rates are still checked, against the concept's own years (not "nicht zutreffend")
    assert 'data-item="rates" data-status="incomplete"' in page and "Fördersatz je Jahr" in page


def test_the_bochum_demo_keeps_nrws_rules(bochum, users):
    c = client_for(users["planner"])
    kuf = c.get("/concepts/bochum-innenstadt/kuf/").content.decode()
    assert "Förderregeln in Nordrhein-Westfalen: FRL Städtebauförderung NRW 2023 vom 15.06.2023" in kuf
    assert "Regelfördersatz laut Richtlinie: 60 % (40–80 %)" in kuf and 'data-code="no_rates"' not in kuf
    ready = c.get("/concepts/bochum-innenstadt/readiness/").content.decode()
    assert "Geprüft nach der Gliederung des Förderantrags in Nordrhein-Westfalen (FRL Städtebauförderung NRW 2023)" in ready


def test_a_kuf_without_rates_says_once_where_to_set_them(client, tmp_path):
    concept = _with_costs(_concept(*CASES["bayern"][:2]), measures=3)
    client.force_login(member(concept, "planner"))
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    # A hint with its link like the others (walk 4 read "Keine Prüfhinweise." under a banner).
    assert page.count('data-code="no_rates"') == 1 and "Keine Prüfhinweise." not in page
    hint = page.split('data-code="no_rates"')[1].split("</li>")[0]
    assert "Es sind keine Fördersätze festgelegt" in hint
    assert f'<a class="kern-link" href="/concepts/{concept.slug}/kuf/rates/">Fördersätze bearbeiten</a>' in hint
    assert 'data-code="no_rate"' not in page and "Kein Fördersatz für" not in page  # not per measure and year
    codes = [w.code for w in services.current(concept).warnings]
    assert codes.count("no_rates") == 1 and "no_rate" not in codes
    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    kuf_pdf = tmp_path / "kuf.pdf"
    kuf_pdf.write_bytes(b"".join(r.streaming_content))
    text = _pdf_text(kuf_pdf)
    assert text.count("keine Fördersätze festgelegt") == 1 and "Kein Fördersatz für" not in text

    reviewer = member(concept, "reviewer")
    client.force_login(reviewer)
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    assert page.count('data-code="no_rates"') == 1 and "/kuf/rates/" not in page

    FundingRate.objects.create(concept=concept, year=2024, rate=D("60"))
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    assert 'data-code="no_rates"' not in page
    assert page.count('data-code="no_rate"') == 3 * 2  # three measures, 2025 and 2026 still without a rate


def _nrw_readiness(language, day, monkeypatch):
    """The readiness page of an NRW concept in ``language`` as it reads on ``day``."""
    from django.test import Client
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    concept = _concept("05315000", (6.95, 50.94))
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(member(concept, "planner"))
    page = c.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    return " ".join(page.split("</h1>", 1)[1].split())


@pytest.mark.parametrize("day, expected, absent", [
    # a Köln planner read "2026: Anträge vom 1.8. bis 30.9.2026" in December without a word that it had passed
    (datetime.date(2026, 12, 6), "Letzter Programmaufruf: Anträge vom 1. August 2026 bis 30. September 2026 – "
     "abgelaufen. Der nächste Termin für Anträge ist noch nicht bekannt", "Nächster Programmaufruf"),
    (datetime.date(2026, 9, 1), "Laufender Programmaufruf: Anträge vom 1. August 2026 bis 30. September 2026.",
     "abgelaufen"),
    (datetime.date(2026, 7, 1), "Nächster Programmaufruf: Anträge vom 1. August 2026 bis 30. September 2026.",
     "abgelaufen"),
])
def test_the_call_for_applications_says_whether_its_deadline_has_passed(day, expected, absent, monkeypatch):
    page = _nrw_readiness("de", day, monkeypatch)
    assert expected in page and absent not in page
    assert "2026: Anträge vom" not in page  # the dates are data, not part of a sentence of the procedure


def test_a_known_next_call_is_shown_after_a_past_one():
    nrw = land_rules.for_ags("05315000")
    later = land_rules.Call(datetime.date(2027, 8, 1), datetime.date(2027, 9, 30))
    calls = dataclasses.replace(nrw, calls=nrw.calls + (later,)).calls_on(datetime.date(2026, 12, 6))
    assert calls.past == nrw.calls[0] and calls.next == later and not calls.running
    assert land_rules.for_ags("09162000").calls_on(datetime.date(2026, 12, 6)) is None  # no dates in the data


def test_the_english_readiness_page_gives_the_lands_rules_in_english(monkeypatch):
    """"Procedure: Programmaufruf des Landes…", "Approval: Bezirksregierung (Antrag elektronisch)"."""
    page = _nrw_readiness("en", datetime.date(2026, 12, 6), monkeypatch)
    assert "Approval: District government (Bezirksregierung; electronic application)." in page
    assert "Call for applications by the Land, applications electronically via the district government" in page
    assert "Last call for applications: applications from 1 August 2026 to 30 September 2026 – closed." in page
    for german in ("Programmaufruf des Landes", "Antrag elektronisch", "Auszahlung in Jahrestranchen",
                   "Gesichert nur", "Anträge vom"):
        assert german not in page
    assert "of 15 Jun 2023" in page  # the guideline's date in the English way, not "15.06.2023"


def test_every_procedure_and_authority_has_its_english_text():
    for rules in land_rules.every():
        assert bool(rules.authority) == bool(rules.authority_en), rules.land
        assert len(rules.procedure) == len(rules.procedure_en), rules.land


def test_the_english_kuf_gives_the_catalogues_note_in_english(client):
    concept = _concept("05315000", (6.95, 50.94))
    client.force_login(member(concept, "planner"))
    page = client.get(f"/concepts/{concept.slug}/kuf/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sub-item numbers illustrative" in page and "Unterpunkte illustrativ" not in page
    page = client.get(f"/concepts/{concept.slug}/kuf/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nr. 7–11; Unterpunkte illustrativ." in page


def test_in_bayern_a_facade_programme_in_the_fonds_group_is_not_a_disposition_fund():
    """Issue #23, minor 8: in Bayern (isek's general catalogue, group "4 Verfügungsfonds und andere
    Fonds") a Fassadenprogramm at 60 % drew the VV Städtebauförderung's 50 % warning, a rule on the
    Verfügungsfonds only. Only a measure that is a Verfügungsfonds is checked now."""
    from isek.finance.models import Fund
    from tests.factories import CityFactory, FieldFactory

    concept = ConceptFactory(city=CityFactory(ags="09162000", name="München"), start_year=2030, end_year=2030,
                             programme="lebendige_zentren")
    field = FieldFactory(concept=concept)
    FundingRate.objects.create(concept=concept, year=2030, rate=D(60))
    group = CostGroup.of(concept).get(number="4")
    assert land_rules.catalogue_for_ags("09162000").disposition_fund_shared  # the data says why
    measures = {title: MeasureFactory(concept=concept, primary_field=field, title=title)
                for title in ("Kommunales Fassadenprogramm", "Verfügungsfonds Altstadt", "Anreizprogramm")}
    for m in measures.values():
        CostItem.objects.create(measure=m, year=2030, cost_group=group, amount=D(80000), eligible=D(80000))

    def warned():
        return sorted(m.title for m in measures.values()
                      if any(w.code == "fund_share" and w.measure == str(m.pk) for w in services.current(concept).warnings))

    assert warned() == ["Verfügungsfonds Altstadt"]
    # a measure with a Verfügungsfonds of its own (the funds page) is one, whatever its title
    Fund.objects.create(concept=concept, measure=measures["Anreizprogramm"], kind=Fund.Kind.DISPOSITION,
                        name="Quartiersfonds", budget=D(80000))
    assert warned() == ["Anreizprogramm", "Verfügungsfonds Altstadt"]
