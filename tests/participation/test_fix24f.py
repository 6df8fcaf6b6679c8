"""Walk fix24f (Köln-Ehrenfeld, the Raddialog imported): the statistics page counted the import's
stand-in theme as a citizen's choice and did not name its phase; the report's PDF had no
clickable links to the originals; the share of accepted suggestions divided by decisions where
isek showed none."""

from __future__ import annotations

import dataclasses
import re
import zlib

from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from isek.participation import reporting, services
from isek.participation.models import Idea, ImportSource
from isek.participation.services.report import FALLBACK, NO_FIT, method_text
from tests.factories import member

from .conftest import idea

ORIGINAL = "https://www.raddialog-ehrenfeld.koeln/dialog/vorschlag/{n}-eine-sehr-lange-adresse-die-umbricht"


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(user)
    return c


def _imported(phase, citizen):
    """Six contributions as an import left them: four with the import's stand-in theme
    ("Plätze & Freiräume" for rows without one), two with their own; each with its original."""
    squares, mobility = phase.themes.all()
    made = [idea(phase, citizen, title=f"Beitrag {n}", text=f"Radweg Nummer {n} bitte breiter", theme=squares)
            for n in range(6)]
    source = ImportSource.objects.create(phase=phase, name="Raddialog Köln-Ehrenfeld", licence="CC BY-SA 4.0",
                                         credit="Stadt Köln")
    for n, i in enumerate(made):
        Idea.objects.filter(pk=i.pk).update(theme_fallback=n < 4, source_url=ORIGINAL.format(n=n),
                                            source=source)
    return made, squares, mobility


def test_statistics_count_the_stand_in_theme_as_the_report_does_and_name_the_phase(phase, citizen):
    made, squares, mobility = _imported(phase, citizen)
    planner = member(phase.concept, "planner")
    c = _client(planner)
    themes_url = f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/themes/"
    c.post(themes_url, {"idea": made[0].pk, "theme": mobility.pk})  # a person chose for a stand-in one
    c.post(themes_url, {"idea": made[1].pk, "no_fit": "1"})
    report = services.evaluation_report(planner, phase.concept, phase)
    by_key = {t.key: t.figures.ideas for t in report.themes}
    html = c.get(f"/concepts/{phase.concept.slug}/participation/statistics/").content.decode()

    def received(key) -> int:
        m = re.search(rf'<tr data-theme="{key}"><th scope="row">[^<]*</th><td>(\d+)</td>', html)
        assert m, key
        return int(m.group(1))

    # the stand-in theme apart, as the report counts it: 2 without a theme, not 4 more "Plätze & Freiräume"
    assert received(FALLBACK) == report.fallback == by_key[FALLBACK] == 2
    assert received(squares.pk) == by_key[str(squares.pk)] == 2
    assert received(mobility.pk) == by_key[str(mobility.pk)] == 1
    assert received(NO_FIT) == by_key[NO_FIT] == 1
    assert "ohne Thema (beim Import keins oder nur ersatzweise zugewiesen)" in html
    assert "2 Ideen gab der Import ohne Thema" in html
    # the page is not the report: its own title, the phase named, the report linked
    assert "<h1 class=\"kern-heading-large\">Beteiligung in Zahlen</h1>" in html
    assert "nur die Phase „Bo wird Bäm! (Beispiel)“" in html
    assert f'href="/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/report/"' in html
    concept_page = c.get(phase.concept.get_absolute_url()).content.decode()
    assert "Beteiligung in Zahlen" in concept_page
    english = _client(planner)
    english.cookies["django_language"] = "en"
    with translation.override("en"):
        page = english.get(f"/concepts/{phase.concept.slug}/participation/statistics/",
                           HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Participation in figures" in page and "2 ideas came from the import without a theme" in page


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed (object streams hold the annotations)."""
    out = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end():]))
        except zlib.error:
            pass
    return b"\n".join(out)


def test_the_report_pdf_links_each_original_and_is_tagged(phase, citizen, tmp_path):
    made, _squares, _mobility = _imported(phase, citizen)
    planner = member(phase.concept, "planner")
    with translation.override("de"):
        r = services.evaluation_report(planner, phase.concept, phase)
        path = tmp_path / "r.pdf"
        reporting.write_pdf(r, method_text(), path, picture="")
    raw = _pdf_objects(path.read_bytes())
    uris = set(re.findall(rb"/URI\s*\((https://[^)]*)\)", raw))
    assert {ORIGINAL.format(n=n).encode() for n in range(len(made))} <= uris
    assert b"/Subtype /Link" in raw or b"/Subtype/Link" in raw
    # tagged (PDF/UA-1): a structure tree, marked as tagged
    assert b"/StructTreeRoot" in raw and b"/Marked true" in raw


def test_accepted_share_counts_only_decisions_with_a_suggestion(phase, citizen):
    planner = member(phase.concept, "planner")
    r = services.evaluation_report(planner, phase.concept, phase)
    r = dataclasses.replace(r, confirmed=40, accepted=28, corrected=16, unsuggested=5, no_fit=0)
    assert (r.reviewed, r.with_suggestion, r.accepted_percent) == (61, 56, 50)
    with translation.override("de"):
        html = render_to_string("participation/report_pdf.html", {"r": r, "method": method_text(), "map": ""})
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert ("Von 61 Entscheidungen über ein Thema übernahmen 28 den Vorschlag von isek (50 % der 56 Entscheidungen, "
            "bei denen isek einen Vorschlag zeigte)") in text
    with translation.override("en"):
        html = render_to_string("participation/report_pdf.html", {"r": r, "method": method_text(), "map": ""})
    assert "(50 % of the 56 decisions where isek showed a suggestion)" in " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert dataclasses.replace(r, confirmed=0, accepted=0, corrected=0, unsuggested=3).accepted_percent is None
