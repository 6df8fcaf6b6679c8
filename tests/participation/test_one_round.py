"""Walk 10 (Offenbach): the phase form with a bad theme colour and an end before its start showed
only the colour error; "Das Ende muss nach dem Beginn liegen." came in the second round."""

from __future__ import annotations

from django.test import Client

from tests.dbstate import checksum
from tests.factories import ConceptFactory, member


def test_the_phase_form_reports_the_colour_and_the_period_in_one_round(db):
    concept = ConceptFactory()
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    before = checksum()
    r = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", {
        "title_de": "Ideen", "title_en": "", "start": "2027-03-01T10:00", "end": "2027-02-01T10:00", "ideas_open": "on",
        "moderation": "before", "report_threshold": "3", "retention_days": "90", "polygon": "",
        "themes": "Plätze | Squares | grün"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "Zeile 1: „grün“ ist keine Farbe wie #1565c0." in page
    assert '<p class="kern-error" id="end-error" role="alert">Das Ende muss nach dem Beginn liegen.</p>' in page
    assert checksum() == before
