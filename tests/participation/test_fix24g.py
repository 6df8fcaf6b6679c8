"""A stranger's walk with the real Raddialog file of Köln-Ehrenfeld (fix24g): a theme column with
names goes value by value to the phase's themes, a text column of ids or dates is warned about,
and a broken quote is named at its line."""

from __future__ import annotations

from django.urls import reverse

from isek.participation.importing import NEW
from isek.participation.models import Idea, Theme
from tests.factories import member

from .test_import import imported, plan, refused, write_csv


def test_each_value_of_a_theme_column_goes_to_a_chosen_theme_of_the_phase_or_a_new_one(client, phase, tmp_path):
    """Walk (fix24g): "Radverkehr", "Fußverkehr" could only go to themes named so, never to "Mobilität"."""
    rows = [["id", "text", "thema"], ["1", "Mehr Abstellanlagen am Bahnhof", "Radverkehr"],
            ["2", "Breitere Gehwege an der Schule", "Fußverkehr"], ["3", "Schutzstreifen fehlt", "Radverkehr"],
            ["4", "Bäume für den Platz", "Grün"]]
    path = write_csv(tmp_path, rows)
    mobility = phase.themes.get(name_de="Mobilität").name_de
    # without a choice: "Radverkehr" is no theme of the phase, a problem at its rows
    assert "das Thema „Radverkehr“ gibt es in dieser Phase nicht" in refused(phase, path, new_themes=False)
    # a theme that is not the phase's: refused, nothing stored
    assert "Der Wert „Radverkehr“ der Themen-Spalte soll zum Thema „Verkehr“, das es in dieser Phase nicht gibt." \
        in refused(phase, path, value_themes={"Radverkehr": "Verkehr"})
    counts, p = imported(phase, path, new_themes=False,
                         value_themes={"Radverkehr": mobility, "Fußverkehr": mobility, "Grün": NEW})
    assert counts["create"] == 4
    assert sorted(Idea.objects.filter(phase=phase).values_list("theme__name_de", flat=True)) \
        == ["Grün", "Mobilität", "Mobilität", "Mobilität"]
    assert p.theme_values["Radverkehr"] == (mobility, 2)
    # on the page: a choice per value of the chosen theme column
    Idea.objects.all().delete()
    client.force_login(member(phase.concept, "planner"))
    url = reverse("participation:import", args=[phase.concept.slug, phase.pk])
    with path.open("rb") as f:
        html = client.post(url, {"step": "upload", "file": f}).content.decode()
    assert 'id="import-value-theme-choice"' in html and "Thema für „Fußverkehr“" in html, html


def test_a_text_column_of_ids_or_dates_is_warned_about(phase, tmp_path):
    """Walk (fix24g): the id column chosen as the text imported "1", "2", "3" without a word of warning."""
    path = write_csv(tmp_path, [["id", "datum", "beitrag"], ["101", "2017-05-02", "Mehr Abstellanlagen am Bahnhof"],
                                ["102", "2017-05-03", "Breitere Gehwege an der Schule"],
                                ["103", "2017-05-04", "Schutzstreifen fehlt an der Venloer Straße"]])
    for header in ("id", "datum"):
        p = plan(phase, path, columns={"text": header}, default_theme="Mobilität")
        warned = [w.render() for w in p.warnings if "richtige Spalte für den Text" in w.render()]
        assert warned and f"„{header}“" in warned[0], [w.render() for w in p.warnings]
    p = plan(phase, path, columns={"text": "beitrag"}, default_theme="Mobilität")
    assert not [w for w in p.warnings if "richtige Spalte für den Text" in w.render()]


def test_a_broken_quote_is_named_at_its_line_and_nothing_is_imported(phase, tmp_path):
    """Walk (fix24g): a quote not closed swallowed the following rows; only their effects were reported."""
    path = tmp_path / "kaputt.csv"
    path.write_text('id;text;thema\n1;Mehr Bänke;Mobilität\n2;"Radweg fehlt;Mobilität\n3;Bus zu selten;Mobilität\n'
                    '4;Gehweg zu schmal;Mobilität\n', encoding="utf-8")
    text = refused(phase, path)
    assert "Zeile 3 der Datei: hier bricht die Quotierung" in text, text
    # a quote closed after a line break inside the text is fine
    path.write_text('id;text;thema\n1;"Mehr Bänke\nam Platz";Mobilität\n2;"Er sagte ""nein""";Mobilität\n',
                    encoding="utf-8")
    counts, _p = imported(phase, path)
    assert counts["create"] == 2 and Theme.objects.filter(phase=phase, name_de="Mobilität").exists()


def test_never_100_percent_similar_unless_the_texts_are_equal():
    """Walk (fix24g): two texts differing in a street name were shown "100 % ähnlich"."""
    from types import SimpleNamespace

    from isek.participation.services.groups import Proposal

    a = SimpleNamespace(title="Radweg", text="Der Radweg an der Vogelsanger Straße ist zu schmal.")
    b = SimpleNamespace(title="Radweg", text="Der Radweg an der Subbelrather Straße ist zu schmal.")
    same = SimpleNamespace(title="Radweg ", text="Der Radweg an der  Vogelsanger Straße ist zu schmal.")
    assert Proposal(a, b, 0.998, None).percent == 99
    assert Proposal(a, same, 0.998, None).percent == 100  # equal but for spaces
    assert Proposal(a, b, 0.93, None).percent == 93


def test_the_time_to_compute_the_groups_is_written_in_the_pages_language(phase, citizen):
    """Walk (fix24g): "(0.4 s)" after recomputing, "(1,2 s)" on the page itself."""
    import re

    from django.test import Client

    from .conftest import idea

    for t in ("Mehr Bänke auf dem Platz", "Bänke und Schatten am Platz", "Der Bus fährt zu selten"):
        idea(phase, citizen, title=t[:40], text=t)
    url = f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/groups/"
    for language, pattern in (("de", r"Gruppen neu berechnet \(\d+,\d s\)"), ("en", r"\(\d+\.\d s\)")):
        c = Client(HTTP_ACCEPT_LANGUAGE=language)
        c.force_login(member(phase.concept, "planner"))
        page = c.post(url, {"action": "recompute"}, follow=True).content.decode()
        assert re.search(pattern, page), re.findall(r"\([\d.,]+ s\)", page)


def test_why_isek_asks_names_the_proposal_and_the_rare_theme_in_one_sentence():
    """Walk (fix24g): "Warum isek fragt: könnte zu X gehören" beside "Vorschlag: Y" read as a contradiction."""
    from django.utils import translation

    from isek.participation.services.evaluation import selten_theme

    with translation.override("de"):
        assert selten_theme("Fußverkehr", 2, "Radverkehr") == (
            "isek schlägt „Radverkehr“ vor, doch der Beitrag könnte auch zu „Fußverkehr“ gehören, einem Thema mit "
            "erst 2 Entscheidungen – Ihre Antwort klärt beides")
        assert selten_theme("Fußverkehr", 1, "Fußverkehr") == "könnte zu „Fußverkehr“ gehören, einem Thema mit erst 1 Entscheidung"
    with translation.override("en"):
        assert selten_theme("Walking", 2, "Cycling").startswith("isek proposes “Cycling”, but the contribution")


def test_a_quoted_text_with_a_line_of_commas_is_read_not_refused(phase, tmp_path):
    """ml24c: a correctly quoted multi-line text with a line holding as many commas as the header
    has separators (FreiRaum Ottensen's Ott262) was refused as a broken quote; the record has the
    header's number of cells, so it is a text, and it is imported as written."""
    path = tmp_path / "ottensen.csv"
    # the same kind of line in a record whose quote is not closed where it should be is still refused
    path.write_text('id,text,thema,ort\nOtt1,"Mehr Grün:\nOtt2,Weniger Autos,Verkehr,Ottensen\nOtt3,Bänke fehlen",Grün\n',
                    encoding="utf-8")
    assert "Zeile 2 der Datei: hier bricht die Quotierung" in refused(phase, path)
    path.write_text('id,text,thema,ort\nOtt1,"Mehr Grün:\nBäume, Bänke, Beete, Wasser\nbitte",Grün,Ottensen\n'
                    'Ott2,Weniger Autos,Verkehr,Ottensen\n', encoding="utf-8")
    counts, _p = imported(phase, path)
    assert counts["create"] == 2
    assert Idea.objects.filter(phase=phase, text__contains="Bäume, Bänke, Beete, Wasser").count() == 1
