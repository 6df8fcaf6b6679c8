"""A stranger's walk with the Köln-Ehrenfeld and Ottensen files (fix24i): impossible coordinates in
GeoJSON refused per feature as in a table, a place far away measured without a 500, ..."""

from __future__ import annotations

import json
import re

from django.utils import translation

from isek.participation.models import Idea, ImportSource, Theme, ThemeReview
from tests.factories import member

from .test_evaluation_pages import client_for, ideas, row, url  # noqa: F401 (ideas: a fixture)
from .test_import import imported, plan, refused, write_csv


def _geojson(tmp_path, *points, name="orte.geojson"):
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": list(xy)},
                 "properties": {"id": f"g-{i}", "text": f"Beitrag {i}", "kategorie": "Mobilität"}}
                for i, xy in enumerate(points, 1)]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_impossible_coordinates_in_geojson_are_refused_per_feature_as_in_a_table(phase, tmp_path):
    """Walk (fix24i): the Köln point E1514 with lon 6921 as GeoJSON answered 500 (GDAL failed in the
    hint how far the places are); lon 200 was taken as a place "etwa 8013 km" away."""
    path = _geojson(tmp_path, (7.2125, 51.4815), (6921, 50.94), (200, 51.48), (7.2125, 95))
    text = refused(phase, path)  # all or nothing: nothing stored
    assert text.splitlines() == ["Objekt 2: 6921 ist keine Länge (−180 bis 180) in EPSG:4326.",
                                 "Objekt 3: 200 ist keine Länge (−180 bis 180) in EPSG:4326.",
                                 "Objekt 4: 95 ist keine Breite (−90 bis 90) in EPSG:4326."], text
    assert "km" not in text
    with translation.override("en"):
        english = plan(phase, path).problems[0].render(translation.gettext, "en")
    assert english == "Feature 2: 6921 is not a longitude (−180 to 180) in EPSG:4326.", english


def test_a_place_far_away_on_earth_is_measured_not_a_500(phase, tmp_path):
    """170° W 52° S lies opposite Europe: the projection the hint measured in failed there (500)."""
    path = _geojson(tmp_path, (7.2125, 51.4815), (-170, -52))
    hint = refused(phase, path).splitlines()[0]
    m = re.search(r"1 von 2 Orten liegen außerhalb .* der nächste etwa ([\d.]+) km", hint)
    assert m, hint
    assert 19_000 < int(m.group(1).replace(".", "")) < 20_100, hint  # about half the earth's circumference


def _form(html: str, pk: int, anchor: str = "idea") -> dict:
    """The hidden fields of a row's form, as the page sent them."""
    return dict(re.findall(r'<input type="hidden" name="(idea|list|shown|decided|change)" value="([^"]*)"',
                           row(html, anchor, pk)))


def test_a_second_tab_does_not_overwrite_a_decision_made_meanwhile(phase, ideas):  # noqa: F811
    """Walk (fix24i): tab B answered a contribution tab A had decided ("bestätigt X") and silently
    made it "korrigiert zu Y". Now 409, naming the decision and who made it, nothing changed;
    "Entscheidung ändern" from the page as it is now remains the way to change it."""
    first = ideas["benches"][0]
    squares, mobility = ideas["squares"], ideas["mobility"]
    anna, ben = member(phase.concept, "planner", username="anna"), member(phase.concept, "planner", username="ben")
    a, b = client_for(anna), client_for(ben)
    tab_a, tab_b = _form(a.get(url(phase)).content.decode(), first.pk), _form(b.get(url(phase)).content.decode(), first.pk)
    assert tab_a["decided"] == "open" and tab_b["decided"] == "open"
    assert a.post(url(phase), {**tab_a, "theme": squares.pk}).status_code == 302
    r = b.post(url(phase), {**tab_b, "theme": mobility.pk})
    assert r.status_code == 409, r.status_code
    html = r.content.decode()
    assert re.search(rf"I-{first.number} wurde inzwischen entschieden: „Plätze &amp; Freiräume“ bestätigt von anna am "
                     r"\d+\.\d+\.\d{4} \d\d:\d\d\. Nichts wurde geändert\.", html), html
    review = ThemeReview.objects.get(idea=first)
    assert review.theme == squares and review.by_name == "anna" and not review.corrected
    assert Idea.objects.get(pk=first.pk).theme == squares
    # the change form of a page read before anna's decision was changed again: refused too
    tab_a2 = _form(a.get(url(phase)).content.decode(), first.pk)
    assert tab_a2["change"] == "1" and tab_a2["decided"] not in ("", "open")
    assert b.post(url(phase), {**_form(b.get(url(phase)).content.decode(), first.pk), "theme": mobility.pk}).status_code == 302
    r = a.post(url(phase), {**tab_a2, "theme": squares.pk})
    assert r.status_code == 409 and "Korrigiert zu „Mobilität“ von ben" in r.content.decode()
    assert ThemeReview.objects.get(idea=first).theme == mobility
    with translation.override("en"):
        r = client_for(anna).post(url(phase), {**tab_a2, "theme": squares.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409 and f"I-{first.number} was decided meanwhile: Corrected to" in r.content.decode()


def test_a_theme_matches_only_by_its_whole_name_brackets_included_or_by_its_word_form_said(phase, tmp_path):
    """Walk (fix24i): the yes/no column "public transport (long-distance)" went by default to the theme
    "public transport (local)" (qualifiers were ignored). Now only equal names (case and spaces aside)
    match; "Ampel" → "Ampeln" (singular/plural) is proposed and said in the preview."""
    Theme.objects.create(phase=phase, name_de="ÖPNV (lokal)", name_en="public transport (local)", order=5)
    Theme.objects.create(phase=phase, name_de="Ampeln", name_en="Traffic lights", order=6)
    header = ["id", "text", "Public  Transport (local)", "public transport (long-distance)", "Ampel"]
    path = write_csv(tmp_path, [header, ["1", "Bus zu selten", "1", "0", "0"], ["2", "ICE hält nicht", "0", "1", "0"],
                                ["3", "Ampel zu kurz grün", "0", "0", "1"]])
    p = plan(phase, path, theme_columns=header[2:])
    assert p.column_themes == {"Public  Transport (local)": "ÖPNV (lokal)", "Ampel": "Ampeln",
                               "public transport (long-distance)": ""}, p.column_themes
    assert [x.render() for x in p.problems] == [
        "Die Ja/Nein-Spalte „public transport (long-distance)“ (1 neuer Beitrag) ist kein Thema dieser Phase; ihre "
        "Themen: „Plätze & Freiräume“, „Mobilität“, „ÖPNV (lokal)“, „Ampeln“. Soll sie ein neues Thema werden, bitte "
        "„Themen, die es in der Phase nicht gibt, neu anlegen“ wählen."]
    said = "Nur nach der Wortform (Einzahl/Mehrzahl) zugeordnet, bitte prüfen: „Ampel“ → „Ampeln“."
    assert any(x.render().startswith(said) for x in p.warnings), [x.render() for x in p.warnings]
    counts, p = imported(phase, path, theme_columns=header[2:], new_themes=True)
    assert dict(Idea.objects.values_list("source_key", "theme__name_de")) == {
        "id:1": "ÖPNV (lokal)", "id:2": "public transport (long-distance)", "id:3": "Ampeln"}
    # a theme column's values alike; a name equal but for case and spaces is no word-form match
    Idea.objects.all().delete()
    rows = [["id", "text", "thema"], ["1", "Bus", "Public transport (regional)"], ["2", "Rot", "Ampel"],
            ["3", "Bus", "ÖPNV  (LOKAL)"], ["4", "Grün", "Ampel"]]
    p = plan(phase, write_csv(tmp_path, rows, "werte.csv"), new_themes=False)
    assert [x.render() for x in p.problems] == [
        "Zeile 2, Spalte „thema“ (C2): das Thema „Public transport (regional)“ gibt es in dieser Phase nicht; "
        "ihre Themen: „Plätze & Freiräume“, „Mobilität“, „ÖPNV (lokal)“, „Ampeln“, „public transport "
        "(long-distance)“. Soll es ein neues Thema werden, "
        "bitte „Themen, die es in der Phase nicht gibt, neu anlegen“ wählen."]
    assert p.theme_values == {"Ampel": ("Ampeln", 2), "ÖPNV  (LOKAL)": ("ÖPNV (lokal)", 1)}
    assert [x.render() for x in p.warnings if "Wortform" in x.render()] == [said + " Ist ein anderes Thema gemeint, "
                                                                              "bitte es in der Zuordnung wählen."]


KOELN_STREETS = ["Ampel an der Oskar-Jäger-Str. schaltet zu langsam", "Oskar Jäger Str: Ampel ewig rot",
                 "Am Grüner Weg wartet man an der Ampel zu lange", "Zwischen Gürtel und Venloer Str. Ampel rot",
                 "Die Ampel des Ehrenfeldgürtels bevorzugt Autos", "Fahrradständer am Bahnhof fehlen",
                 "Mehr Fahrradständer vor dem Bürgeramt", "Fahrradständer an der Schule sind voll",
                 "Abstellanlagen und Fahrradständer am Markt",
                 "Oskar Jäger Str, Grüner Weg, Gürtel, Str: rot an der Ampel"]


def test_the_parts_of_street_names_and_the_abbreviation_are_no_reasons():
    """Walk (fix24i): "Jäger", "Oskar" (of Oskar-Jäger-Straße), "Grüner" (Grüner Weg), "Gürtel",
    "Ehrenfeldgürtels" and "Str" itself were shown as words that led to a theme (decision 0107 missed
    them: "Jäger" and "Oskar" are in the dictionary, "Gürtel" stands alone, a genitive "-s")."""
    from isek.participation.evaluation import Contribution, Theme, ThemeSuggester
    from isek.participation.evaluation.text import content, place_names

    found = place_names(KOELN_STREETS)
    assert {"oskar", "jäger", "grüner", "gürtel", "ehrenfeldgürtels", "venloer"} <= found, found
    # common words before or in a street's name stay reasons
    assert not {"ampel", "radweg", "kurz", "neu", "grün", "fahrradständer"} & place_names(
        KOELN_STREETS + ["Ein kurzer Weg zur Ampel", "Neue Radwege Str fehlt", "Der Radweg Venloer Str ist schmal",
                         "grünen Pfeil an der Ampel"])
    assert not content("str") and not content("strasse")
    e = ThemeSuggester([Contribution(f"c{i}", t) for i, t in enumerate(KOELN_STREETS)],
                       [Theme("ampel"), Theme("parken")], seed=0, char_weight=0)
    e.fit({"c0": "ampel", "c1": "ampel", "c2": "ampel", "c3": "ampel", "c4": "ampel", "c5": "parken",
           "c6": "parken", "c7": "parken"})
    s = {x.id: x for x in e.suggest()}["c9"]
    assert s.theme == "ampel" and s.words, s
    shown = {w.casefold() for w in s.words}
    assert not shown & {"oskar", "jäger", "grüner", "gürtel", "ehrenfeldgürtels", "str"}, s.words


def test_a_text_column_of_web_addresses_is_warned_about(phase, tmp_path):
    """Walk (fix24i): Text = url gave no warning (ids and dates did, fix24g)."""
    rows = [["id", "url", "beitrag"]] + [[str(i), f"https://www.raddialog-ehrenfeld.koeln/dialoge/beitrag-{i}-mit-langem-namen",
                                          f"Beitrag {i}: der Radweg an der Schule ist zu schmal"] for i in range(1, 5)]
    path = write_csv(tmp_path, rows)
    p = plan(phase, path, columns={"text": "url"}, default_theme="Mobilität")
    warned = [w.render() for w in p.warnings if "richtige Spalte für den Text" in w.render()]
    assert warned == ["Die Texte der Spalte „url“ sind meist Zahlen, Daten, Kennungen oder Web-Adressen oder nur ein Wort "
                      "(z. B. „https://www.raddialog-ehrenfeld.koeln/dialoge/beitrag-1-mit-“) – ist es die "
                      "richtige Spalte für den Text der Beiträge?"], [w.render() for w in p.warnings]
    p = plan(phase, path, columns={"text": "beitrag"}, default_theme="Mobilität")
    assert not [w for w in p.warnings if "richtige Spalte für den Text" in w.render()]


def test_a_utf16_csv_with_its_bom_is_read(phase, tmp_path):
    """Walk (fix24i): a CSV saved as UTF-16 (with BOM, Excel's "Unicode-Text") was refused as
    "enthält Binärdaten"."""
    rows = [["id", "text", "kategorie"], ["1", "Mehr Bänke am Platz – für Ältere", "Mobilität"],
            ["2", "Straßenbäume gießen", "Mobilität"]]
    for i, encoding in enumerate(("utf-16", "utf-16-be")):
        path = tmp_path / f"unicode-{encoding}.csv"
        text = "\r\n".join("\t".join(r) for r in rows)
        path.write_bytes((b"\xfe\xff" if encoding == "utf-16-be" else b"") + text.encode(encoding))
        counts, _p = imported(phase, path)
        assert counts["create"] == (2 if i == 0 else 0)
        assert Idea.objects.get(source_key="id:1").text == "Mehr Bänke am Platz – für Ältere"
    Idea.objects.all().delete()
    ImportSource.objects.all().delete()
    broken = tmp_path / "kaputt.csv"
    broken.write_bytes(b"\xff\xfe" + "id\ttext\r\n1\tBank".encode("utf-16-le") + b"\x00\xdc")  # a lone surrogate
    assert "als UTF-16 markiert (BOM), enthält aber Bytes, die kein UTF-16 sind" in refused(phase, broken)
