"""The application in the words of the Land's guideline (decision 0087): in Bayern a
Bedarfsmitteilung (StBauFR Nr. 19.1), in NRW an Antrag resting on a Ratsbeschluss (FRL 2023) – on
the application pages, the ISEK PDF's cover and the authority's portfolio."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import timezone

from isek import access
from isek.procedure import services
from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, authority_staff, member

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def cities(db):
    """A planner's draft for 2027 in Landshut (Bayern) and in Bochum (NRW), and the staff of each
    Land's authority."""
    found = {}
    for key, ags, city, authority in (("by", "09261000", "Landshut", "Regierung von Niederbayern"),
                                      ("nrw", "05911000", "Bochum", "Bezirksregierung Arnsberg")):
        concept = ConceptFactory(city=CityFactory(ags=ags, name=city), start_year=2026, end_year=2030)
        planner = member(concept, "planner")
        draft = services.save_draft(planner, concept, year=2027, council_decision=YESTERDAY, freeze_as="Stand 2027")
        found[key] = {"concept": concept, "planner": planner, "draft": draft,
                      "staff": authority_staff(ags[:3], name=authority)}
    return found


def test_the_words_of_bayern_and_nrw_with_their_sources():
    from isek.finance import land_rules

    assert land_rules.application_words("09", "de")["application"] == "Bedarfsmitteilung"
    assert "decision_date" not in land_rules.application_words("09", "de")  # not checked in a source: the general word
    assert land_rules.application_words("05", "de") == {"application": "Antrag", "applications": "Anträge",
                                                         "decision_date": "Ratsbeschluss am"}
    assert land_rules.application_words("14", "de") == {}  # Sachsen: not checked, the general words
    assert "StBauFR" in land_rules.application_source("09") and "Nr. 19.1" in land_rules.application_source("09")
    assert "2023" in land_rules.application_source("05") and "Nr. 13" in land_rules.application_source("05")


def test_the_application_pages_and_the_portfolio_use_the_lands_words(cities):
    by, nrw = cities["by"], cities["nrw"]
    for world, word, other in ((by, "Bedarfsmitteilung", "Antrag 2027"), (nrw, "Antrag", "Bedarfsmitteilung")):
        concept, client = world["concept"], client_for(world["planner"])
        page = client.get(f"/concepts/{concept.slug}/applications/{world['draft'].pk}/").content.decode()
        assert f"{word} 2027, Version 1</h1>" in page and "Ratsbeschluss am" in page and other not in page
        listing = client.get(f"/concepts/{concept.slug}/applications/").content.decode()
        assert f"{word} 2027</a>" in listing
        form = client.get(f"/concepts/{concept.slug}/applications/new/").content.decode()
        assert "Ratsbeschluss am" in form
    bavarian = access.reviewed_authorities(by["staff"]).get()
    portfolio = client_for(by["staff"]).get(f"/authorities/{bavarian.pk}/portfolio/").content.decode()
    assert "Bedarfsmitteilungen des Bezirks</h1>" in portfolio and "Anträge des Bezirks" not in portfolio
    authority = access.reviewed_authorities(nrw["staff"]).get()
    portfolio = client_for(nrw["staff"]).get(f"/authorities/{authority.pk}/portfolio/").content.decode()
    assert "Anträge des Bezirks</h1>" in portfolio
    english = client_for(nrw["staff"])
    english.cookies["django_language"] = "en"
    page = english.get(f"/authorities/{authority.pk}/portfolio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Applications of the district</h1>" in page
    english = client_for(by["staff"])
    english.cookies["django_language"] = "en"
    page = english.get(f"/authorities/{bavarian.pk}/portfolio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Needs reports (Bedarfsmitteilungen) of the district</h1>" in page


def test_the_isek_pdf_cover_names_the_bedarfsmitteilung_in_bayern(cities, tmp_path):
    from isek.monitoring import services as monitoring

    by = cities["by"]
    path = tmp_path / "isek.pdf"
    monitoring.write_report_now(by["planner"], by["concept"], "isek", path)
    text = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Unterlage für: Bedarfsmitteilung (Städtebauförderung)" in " ".join(text.split())
