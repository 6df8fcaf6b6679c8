"""A stranger's walk with the real DIPAS file of Hamburg-Ottensen (fix24e): a row shorter than the
header is refused, not read with empty cells; the licence and credit of a recognised corpus are
prefilled; a yes/no column goes to any theme of the phase."""

from __future__ import annotations

import re

from django.urls import reverse

from isek.participation import services
from isek.participation.importing import Mapping
from isek.participation.models import Idea, Theme
from tests.factories import member

from .conftest import OPERATOR
from .test_import import KOELN_POINTS, KOELN_THEMES, LICENCE, OTTENSEN, imported, refused, write_csv


def test_a_row_shorter_than_the_header_is_refused_with_its_row_and_the_missing_columns(phase, tmp_path):
    """Walk (fix24e): a line cut after the text was imported with an empty theme and no place."""
    path = write_csv(tmp_path, [["id", "text", "thema", "lat", "lon"],
                                ["1", "Mehr Bänke", "Mobilität", "51.4815", "7.2125"],
                                ["2", "Radweg fehlt"],
                                ["3", "Bus zu selten", "Mobilität", "51.4815"]])
    text = refused(phase, path)
    assert "Zeile 3 hat nur 2 von 5 Spalten; es fehlen „thema“, „lat“, „lon“." in text, text
    assert "Zeile 4 hat nur 4 von 5 Spalten; es fehlen „lon“." in text
    assert "Zeile 2" not in text  # the whole row is there: no problem of its own, and nothing imported
    # complete, the file imports
    path = write_csv(tmp_path, [["id", "text", "thema"], ["1", "Mehr Bänke", "Mobilität"], ["2", "Radweg fehlt", ""]])
    counts, _p = imported(phase, path, default_theme="Mobilität")
    assert counts["create"] == 2


def test_the_licence_and_credit_of_a_recognised_corpus_are_prefilled_by_its_columns_and_editable(client, phase, tmp_path):
    """Walk (fix24e): the Ottensen planner had to find and type the licence and credit SOURCES.md asks for."""
    ottensen = services.plan_import(OPERATOR, phase, OTTENSEN).mapping
    assert ottensen.licence == "CC BY 4.0 (Beiträge), CC BY-SA 4.0 (Annotation)"
    assert ottensen.credit == ("Beiträge: FreiRaum Ottensen 2021 (Bezirksamt Altona), CC BY 4.0, je Beitrag verlinkt; "
                               "Themen-Annotation: CIMT-Korpus (HHU Düsseldorf, Romberg et al. 2022), CC BY-SA 4.0")
    for path in (KOELN_THEMES, KOELN_POINTS):
        m = services.plan_import(OPERATOR, phase, path).mapping
        assert m.licence == "CC BY 4.0 (Beiträge), CC BY-SA 4.0 (Annotation)" and m.credit.startswith("Beiträge: Raddialog Ehrenfeld 2017 (Stadt Köln), CC BY 4.0")
    # by the columns and the contributions' addresses, not the file name: renamed, it is recognised;
    # the same columns with other addresses are not
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(OTTENSEN.read_bytes())
    assert services.plan_import(OPERATOR, phase, renamed).mapping.credit == ottensen.credit
    rows = [["document_id", "title", "text", "url", "lat", "lon"],
            ["1", "Bänke", "Mehr Bänke", "https://example.org/1", "51.4815", "7.2125"]]
    other = services.plan_import(OPERATOR, phase, write_csv(tmp_path, rows, "raddialog_koeln_ehrenfeld_2017_locations.csv"))
    assert (other.mapping.licence, other.mapping.credit) == ("", "")
    # on the page: prefilled and changed by the planner, the changed words are imported
    client.force_login(member(phase.concept, "planner"))
    url = reverse("participation:import", args=[phase.concept.slug, phase.pk])
    with renamed.open("rb") as f:
        html = client.post(url, {"step": "upload", "file": f}).content.decode()
    assert re.search(r'<input type="text" name="licence" value="CC BY 4.0 \(Beiträge\), CC BY-SA 4.0 \(Annotation\)"', html)
    assert 'value="Beiträge: FreiRaum Ottensen 2021 (Bezirksamt Altona), CC BY 4.0' in html
    form = {"step": "commit", "col_external_id": "document_id", "col_title": "title", "col_text": "text", "col_url": "url",
            "default_theme": "Mobilität", "crs": "EPSG:4326", "source": "DIPAS", "licence": "CC BY 4.0",
            "credit": "Bezirksamt Altona"}
    client.post(url, form)
    idea = Idea.objects.get(source_key="id:Ott262")
    assert (idea.source.licence, idea.source.credit) == ("CC BY 4.0", "Bezirksamt Altona")


def test_each_yes_no_column_goes_to_any_theme_of_the_phase_or_a_new_one(client, phase, tmp_path):
    """Walk (fix24e): the Ottensen columns "cycling", "walking" could only become themes of their own
    names, never the phase's "Radverkehr" and "Fußverkehr"."""
    Theme.objects.create(phase=phase, name_de="Radverkehr", name_en="Bicycle traffic", order=5)
    Theme.objects.create(phase=phase, name_de="Fußverkehr", name_en="Pedestrians", order=6)
    path = write_csv(tmp_path, [["id", "text", "cycling", "walking", "scooters", "moving traffic"],
                                ["1", "Radweg fehlt", "1", "0", "0", "0"], ["2", "Gehweg zu schmal", "0", "1", "0", "0"],
                                ["3", "Roller auf dem Gehweg", "0", "1", "1", "0"], ["4", "Ampel zu kurz", "0", "0", "0", "1"]])
    to = {"cycling": "Radverkehr", "walking": "Pedestrians", "scooters": "+", "moving traffic": "Fußverkehr"}
    counts, p = imported(phase, path, column_themes=to, new_themes=False)
    assert dict(Idea.objects.values_list("source_key", "theme__name_de")) == {
        "id:1": "Radverkehr", "id:2": "Fußverkehr", "id:3": "scooters", "id:4": "Fußverkehr"}
    assert p.new_themes == ["scooters"] and counts["themes"] == 1
    assert not Theme.objects.filter(name_de__in=["cycling", "walking", "moving traffic"]).exists()


def test_a_yes_no_column_mapped_twice_or_to_a_theme_the_phase_lacks_is_refused(phase, tmp_path):
    path = write_csv(tmp_path, [["id", "text", "cycling", "walking"], ["1", "Radweg fehlt", "1", "0"],
                                ["2", "Gehweg", "0", "1"]])
    text = refused(phase, path, theme_columns=["cycling", "walking", "cycling"], default_theme="Mobilität")
    assert "Die Spalte „cycling“ ist 2-mal als Ja/Nein-Spalte gewählt; bitte nur einmal (mit einem Thema)." in text
    text = refused(phase, path, columns={"title": "walking"}, default_theme="Mobilität")
    assert ("Die Spalte „walking“ ist zweimal zugeordnet: für Titel und als Ja/Nein-Spalte eines Themas. Bitte eines "
            "von beiden wählen.") in text
    text = refused(phase, path, column_themes={"cycling": "Radverkehr"}, default_theme="Mobilität")
    assert "Die Ja/Nein-Spalte „cycling“ soll zum Thema „Radverkehr“, das es in dieser Phase nicht gibt." in text
    assert Mapping.from_json({"theme_columns": ["cycling"], "column_themes": {"cycling": "Mobilität"}}).column_themes \
        == {"cycling": "Mobilität"}


def test_the_import_page_maps_a_yes_no_column_to_a_theme_of_the_phase(client, phase, tmp_path):
    path = write_csv(tmp_path, [["id", "text", "cycling", "walking"], ["1", "Radweg fehlt", "1", "0"],
                                ["2", "Gehweg zu schmal", "0", "1"]])
    client.force_login(member(phase.concept, "planner"))
    url = reverse("participation:import", args=[phase.concept.slug, phase.pk])
    with path.open("rb") as f:
        html = client.post(url, {"step": "upload", "file": f}).content.decode()
    assert re.search(r'<select name="column_theme_2"[^>]*>\s*<option value="" selected>wie die Spalte heißt</option>'
                     r'\s*<option value="\+">neues Thema „cycling“</option>\s*<option value="Plätze &amp; Freiräume">', html)
    form = {"step": "commit", "col_external_id": "id", "col_text": "text", "theme_columns": ["cycling"],
            "column_theme_2": "Mobilität", "column_theme_3": "Plätze & Freiräume", "crs": "EPSG:4326",
            "source": "Test", "licence": LICENCE}
    client.post(url, form)
    assert dict(Idea.objects.values_list("source_key", "theme__name_de")) == {"id:1": "Mobilität",
                                                                              "id:2": "Plätze & Freiräume"}
