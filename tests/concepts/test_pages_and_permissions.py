"""Concept pages, filters, editing and the permission matrix of every URL."""

import json
import re

import pytest
import shapely

from isek.concepts.models import Measure
from isek.core import geo, numbers
from isek.core.models import ChangeRecord
from tests.conftest import client_for
from tests.htmlforms import post_forms

SLUG = "bochum-innenstadt"


def test_home_links_to_every_public_concept(bochum, users):
    r = client_for(None).get("/")
    assert r.status_code == 200
    body = r.content.decode()
    assert f'href="/concepts/{SLUG}/"' in body
    assert "lauf-altstadt" not in body  # not public


def test_concept_page_shows_map_measures_and_labels(bochum):
    r = client_for(None).get(f"/concepts/{SLUG}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'class="isek-map"' in body and 'data-concept="bochum-innenstadt"' in body
    for title in ("Haus des Wissens", "Umgestaltung des Husemannplatzes", "Wetterschutz auf dem Boulevard",
                  "Hof- und Fassadenprogramm", "City-Fonds", "Innenstadtrings", "nördlichen Innenstadt",
                  "Quartiersmanagement"):
        assert title in body
    assert "Abgrenzung angenähert" in body and "1,25 km²" in body
    assert "Stadt Bochum, Open-Data-Repository" in body and "OpenStreetMap contributors" in body


@pytest.mark.parametrize("query, expected", [
    ("field=2", {"2.1", "2.2", "3.1"}),  # 3.1 serves field 2 as a further field
    ("status=preparation", {"2.1", "2.2"}),
    ("q=Husemann", {"2.1"}),
    ("field=6", {"2.2", "5.1"}),  # further fields count too
])
def test_measure_list_filters(bochum, query, expected):
    r = client_for(None).get(f"/concepts/{SLUG}/?{query}")
    numbers = {m.number for m in r.context["measures"]}
    assert numbers == expected
    geo_r = client_for(None).get(f"/concepts/{SLUG}/measures.geojson?{query}")
    located = {f["properties"]["number"] for f in json.loads(geo_r.content)["features"]}
    assert located == {n for n in expected if Measure.objects.get(concept=bochum, number=n).geometry}


def test_filter_by_quarter_uses_geometry(bochum):
    q = bochum.quarters.get(name="Rathausviertel")
    r = client_for(None).get(f"/concepts/{SLUG}/?quarter={q.pk}")
    numbers = {m.number for m in r.context["measures"]}
    expected = {m.number for m in bochum.measures.exclude(geometry=None)
                if geo.from_django(m.geometry).intersects(geo.from_django(q.geometry))}
    assert numbers == expected and "5.1" in numbers


def test_measure_page_shows_facts_and_sources(bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    r = client_for(None).get(f"/concepts/{SLUG}/measures/{m.pk}/")
    body = r.content.decode()
    assert "Wettbewerb" in body and "waz.de" in body and "Lage angenähert" in body
    assert "Meilensteine" in body and "sinai" in body
    assert "m²" in body  # area computed from the geometry


def test_geojson_layers(bochum):
    c = client_for(None)
    area = json.loads(c.get(f"/concepts/{SLUG}/area.geojson").content)
    assert area["features"][0]["properties"]["approximated"] is True
    assert area["features"][0]["properties"]["area_m2"] == pytest.approx(1_250_000, rel=0.01)
    quarters = json.loads(c.get(f"/concepts/{SLUG}/quarters.geojson").content)
    assert len(quarters["features"]) == 4
    stops = c.get(f"/concepts/{SLUG}/context/stops.geojson")
    data = json.loads(stops.content)
    assert data["attribution"].startswith("Verkehrsverbund Rhein-Ruhr")
    names = {f["properties"]["name"] for f in data["features"]}
    assert "Bochum Rathaus" in names and "Bochum Hbf" in names


# --- permissions -----------------------------------------------------------------------------

EDIT_URLS = ["edit/", "structure/", "measures/new/", "quarters/new/", "import/"]


@pytest.mark.parametrize("path", EDIT_URLS)
def test_anonymous_cannot_edit(bochum, path):
    r = client_for(None).get(f"/concepts/{SLUG}/{path}")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("who", ["reviewer", "stranger", "outsider"])
@pytest.mark.parametrize("path", EDIT_URLS)
def test_only_planners_of_the_concept_edit(users, who, path):
    r = client_for(users[who]).get(f"/concepts/{SLUG}/{path}")
    assert r.status_code == 403


@pytest.mark.parametrize("path", EDIT_URLS)
def test_planner_may_open_edit_pages(planner_client, path):
    assert planner_client.get(f"/concepts/{SLUG}/{path}").status_code == 200


def test_non_public_concept_is_invisible_to_others(users):
    for who, status in (("outsider", 404), ("planner", 404), ("stranger", 200)):
        r = client_for(users[who]).get("/concepts/lauf-altstadt/")
        assert r.status_code == status, who
    assert client_for(None).get("/concepts/lauf-altstadt/area.geojson").status_code == 404
    assert client_for(None).get("/concepts/lauf-altstadt/export.gpkg").status_code == 404


def test_reviewer_reads_non_public_concept_and_history(users, bochum):
    bochum.is_public = False
    bochum.save()
    c = client_for(users["reviewer"])
    assert c.get(f"/concepts/{SLUG}/").status_code == 200
    assert c.get(f"/concepts/{SLUG}/changes/").status_code == 200
    assert client_for(None).get(f"/concepts/{SLUG}/").status_code == 404
    assert client_for(users["outsider"]).get(f"/concepts/{SLUG}/changes/").status_code == 404  # not public: its existence stays hidden


def test_write_posts_are_refused_without_permission(users, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    for who in ("reviewer", "stranger", "outsider"):
        c = client_for(users[who])
        assert c.post(f"/concepts/{SLUG}/measures/{m.pk}/delete/").status_code == 403
        assert c.post(f"/concepts/{SLUG}/measures/{m.pk}/edit/", {"title": "x"}).status_code == 403
    assert Measure.objects.filter(pk=m.pk, title="Umgestaltung des Husemannplatzes").exists()


# --- planner editing -------------------------------------------------------------------------

def _form_data(m, **changes):
    data = {
        "number": m.number, "title": m.title, "description": m.description, "primary_field": m.primary_field_id,
        "further_fields": [f.pk for f in m.further_fields.all()], "goals": [g.pk for g in m.goals.all()],
        "priority": m.priority, "status": m.status, "lead_body": m.lead_body, "partners": m.partners,
        "start": m.start.isoformat() if m.start else "", "end": m.end.isoformat() if m.end else "",
        "progress": m.progress, "progress_weight": "", "estimated_cost": numbers.format(m.estimated_cost, "de") if m.estimated_cost else "",
        "figures_source": m.figures_source, "geometry": m.geometry.json if m.geometry else "",
        "geometry_source": m.geometry_source,
        "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_planner_edits_measure_and_change_is_recorded(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    new_geom = json.dumps({"type": "Point", "coordinates": [7.2170, 51.4815]})
    r = planner_client.post(f"/concepts/{SLUG}/measures/{m.pk}/edit/", _form_data(m, status="construction", progress=30, geometry=new_geom))
    assert r.status_code == 302, r.content.decode()[:2000]
    m.refresh_from_db()
    assert m.status == "construction" and m.progress == 30 and m.geometry.geom_type == "Point"
    rec = ChangeRecord.objects.filter(model="concepts.Measure", object_id=str(m.pk), action="update").first()
    assert rec.actor == "planerin" and rec.changes["status"] == ["preparation", "construction"]
    history = planner_client.get(f"/concepts/{SLUG}/changes/").content.decode()
    assert "planerin" in history and "im Bau / in Umsetzung" in history


@pytest.mark.parametrize("geometry, message", [
    ("{not json", "kein gültiges GeoJSON"),
    (json.dumps({"type": "Point", "coordinates": [2.35, 48.85]}), "außerhalb Deutschlands"),  # Paris; UTM metres: test_bautzen_walk
    (json.dumps({"type": "Polygon", "coordinates": [[[7.214, 51.481], [7.216, 51.482], [7.216, 51.481], [7.214, 51.482], [7.214, 51.481]]]}), "ungültig"),
])
def test_planner_bad_geometry_is_rejected(planner_client, bochum, geometry, message):
    m = Measure.objects.get(concept=bochum, number="2.1")
    before = (m.geometry.wkt, ChangeRecord.objects.count())
    r = planner_client.post(f"/concepts/{SLUG}/measures/{m.pk}/edit/", _form_data(m, geometry=geometry, status="completed"))
    assert r.status_code == 400 and message in r.content.decode()
    m.refresh_from_db()
    assert (m.geometry.wkt, ChangeRecord.objects.count()) == before and m.status == "preparation"


def test_duplicate_number_and_script_in_text(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    r = planner_client.post(f"/concepts/{SLUG}/measures/{m.pk}/edit/", _form_data(m, number="5.1"))
    assert r.status_code == 400 and "schon vergeben" in r.content.decode()
    r = planner_client.post(f"/concepts/{SLUG}/measures/{m.pk}/edit/", _form_data(m, title="<script>alert(1)</script>"))
    assert r.status_code == 302
    page = planner_client.get(f"/concepts/{SLUG}/measures/{m.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_planner_creates_measure_with_milestone(planner_client, bochum):
    field = bochum.fields_of_action.get(number=3)
    data = {
        "number": "3.2", "title": "Fahrradstraße Kortumstraße", "primary_field": field.pk, "priority": 2,
        "status": "idea", "progress": 0, "geometry": json.dumps({"type": "LineString", "coordinates": [[7.216, 51.481], [7.219, 51.4805]]}),
        "ms-TOTAL_FORMS": 1, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000,
        "ms-0-title": "Ratsbeschluss", "ms-0-due": "2027-03-01",
    }
    r = planner_client.post(f"/concepts/{SLUG}/measures/new/", data)
    assert r.status_code == 302
    m = Measure.objects.get(concept=bochum, number="3.2")
    assert m.milestones.get().title == "Ratsbeschluss"
    assert m.size[0] == "length" and m.size[1] == pytest.approx(geo.length_m(shapely.LineString([(7.216, 51.481), (7.219, 51.4805)])))


def test_planner_edits_concept_area_and_quarter(planner_client, bochum):
    new_area = shapely.box(7.21, 51.478, 7.226, 51.488)
    data = {
        "name": bochum.name, "programme": bochum.programme, "legal_basis": "baugb_142", "start_year": 2020,
        "end_year": 2027, "status": bochum.status, "summary": bochum.summary, "mission": bochum.mission,
        "area_name": "Gleisdreieck", "area": shapely.to_geojson(new_area), "area_approximated": "on",
        "area_source": "test", "is_public": "on",
    }
    r = planner_client.post(f"/concepts/{SLUG}/edit/", data)
    assert r.status_code == 302
    bochum.refresh_from_db()
    assert bochum.area.geom_type == "MultiPolygon" and bochum.end_year == 2027
    assert bochum.area_m2 == pytest.approx(geo.area_m2(new_area), rel=1e-6)
    q = bochum.quarters.get(name="Rathausviertel")
    r = planner_client.post(f"/concepts/{SLUG}/quarters/{q.pk}/edit/", {
        "name": "Rathausviertel", "colour": "#112233", "description": "", "approximated": "on", "source": "",
        "geometry": shapely.to_geojson(shapely.box(7.212, 51.479, 7.216, 51.482)),
    })
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.colour == "#112233"


def test_export_downloads(bochum):
    c = client_for(None)
    r = c.get(f"/concepts/{SLUG}/export.gpkg", follow=True)  # the one GeoPackage: the open-data package
    assert r.redirect_chain == [(f"/api/v1/concepts/{SLUG}/export.gpkg", 301)]
    assert r.status_code == 200 and b"".join(r.streaming_content)[:16] == b"SQLite format 3\x00"
    r = c.get(f"/concepts/{SLUG}/export.geojson")
    assert json.loads(b"".join(r.streaming_content))["type"] == "FeatureCollection"


def test_language_switch_to_english(bochum):
    c = client_for(None)
    r = c.get("/language/en/", {"next": f"/concepts/{SLUG}/"})
    assert r.status_code == 302 and r["Location"] == f"/concepts/{SLUG}/"
    assert c.get("/language/en/", {"next": "https://evil.example/"})["Location"] == "/"  # only this site
    body = c.get(f"/concepts/{SLUG}/").content.decode()
    assert '<html lang="en">' in body and "Measures" in body and "Squares &amp; open spaces" in body


def _structure_data(bochum, **extra):
    data = {"f-TOTAL_FORMS": 0, "f-INITIAL_FORMS": 0, "f-MIN_NUM_FORMS": 0, "f-MAX_NUM_FORMS": 1000,
            "g-TOTAL_FORMS": 0, "g-INITIAL_FORMS": 0, "g-MIN_NUM_FORMS": 0, "g-MAX_NUM_FORMS": 1000}
    for i, f in enumerate(bochum.fields_of_action.all()):
        data.update({f"f-{i}-id": f.pk, f"f-{i}-number": f.number, f"f-{i}-name": f.name, f"f-{i}-name_en": f.name_en,
                     f"f-{i}-colour": f.colour, f"f-{i}-description": f.description})
        data["f-TOTAL_FORMS"] = data["f-INITIAL_FORMS"] = i + 1
    for i, g in enumerate(bochum.goals.all()):
        data.update({f"g-{i}-id": g.pk, f"g-{i}-number": g.number, f"g-{i}-title": g.title,
                     f"g-{i}-field_of_action": g.field_of_action_id, f"g-{i}-parent": g.parent_id or "",
                     f"g-{i}-illustrative": "on"})
        data["g-TOTAL_FORMS"] = data["g-INITIAL_FORMS"] = i + 1
    data.update(extra)
    return data


def test_planner_adds_field_of_action_and_sub_goal(planner_client, bochum):
    n_f, n_g = bochum.fields_of_action.count(), bochum.goals.count()
    top = bochum.goals.get(number="2.1")
    data = _structure_data(bochum)
    i, j = data["f-TOTAL_FORMS"], data["g-TOTAL_FORMS"]
    data.update({f"f-{i}-number": 7, f"f-{i}-name": "Klima & Umwelt", f"f-{i}-colour": "#336699", "f-TOTAL_FORMS": i + 1,
                 f"g-{j}-number": "2.1.1", f"g-{j}-title": "Husemannplatz entsiegeln", f"g-{j}-field_of_action": top.field_of_action_id,
                 f"g-{j}-parent": top.pk, "g-TOTAL_FORMS": j + 1})
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert bochum.fields_of_action.count() == n_f + 1 and bochum.goals.count() == n_g + 1
    assert bochum.goals.get(number="2.1.1").parent == top
    page = client_for(None).get(f"/concepts/{SLUG}/").content.decode()
    assert "Husemannplatz entsiegeln" in page and "Klima &amp; Umwelt" in page


def test_renaming_a_field_in_german_only_drops_its_stale_english_name(planner_client, bochum):
    """A field renamed in German while its English name stays as it was would show English readers the
    old field; the English name is emptied (English pages then show the German name) and the page says so."""
    field = bochum.fields_of_action.get(name="Plätze & Freiräume")
    data = _structure_data(bochum)
    i = next(k for k in range(data["f-TOTAL_FORMS"]) if data[f"f-{k}-id"] == field.pk)
    data[f"f-{i}-name"] = "Zentrum am Großen Stern"
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data, follow=True)
    field.refresh_from_db()
    assert field.name == "Zentrum am Großen Stern" and field.name_en == ""
    assert "englische Name von Handlungsfeld 2 wurde geleert" in r.content.decode()
    c = client_for(None)
    c.get("/language/en/", {"next": "/"})
    english = c.get(f"/concepts/{SLUG}/").content.decode()
    assert "Zentrum am Großen Stern" in english and "Squares &amp; open spaces" not in english


def test_renaming_a_field_in_both_languages_keeps_the_new_english_name(planner_client, bochum):
    field = bochum.fields_of_action.get(name="Plätze & Freiräume")
    data = _structure_data(bochum)
    i = next(k for k in range(data["f-TOTAL_FORMS"]) if data[f"f-{k}-id"] == field.pk)
    data.update({f"f-{i}-name": "Zentrum am Großen Stern", f"f-{i}-name_en": "Centre at the Großer Stern"})
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data, follow=True)
    field.refresh_from_db()
    assert (field.name, field.name_en) == ("Zentrum am Großen Stern", "Centre at the Großer Stern")
    assert "wurde geleert" not in r.content.decode()


def test_field_with_measures_cannot_be_deleted(planner_client, bochum):
    data = _structure_data(bochum)
    data["f-1-DELETE"] = "on"  # Plätze & Freiräume carries measures
    before = (bochum.fields_of_action.count(), bochum.goals.count(), ChangeRecord.objects.count())
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 400 and "Handlungsfeld 2 sind noch Maßnahmen zugeordnet (" in r.content.decode()
    assert (bochum.fields_of_action.count(), bochum.goals.count(), ChangeRecord.objects.count()) == before


def test_duplicate_field_numbers_are_rejected(planner_client, bochum):
    data = _structure_data(bochum)
    data["f-1-number"] = 1
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 400
    assert bochum.fields_of_action.get(name="Plätze & Freiräume").number == 2


@pytest.mark.parametrize("query", ["field=2", "status=preparation", "field=6&status=preparation", "field=99"])
def test_the_page_and_the_api_filter_measures_alike(bochum, query):
    """One filter (concepts.services.filtered_measures) behind the concept page and the API."""
    page = {m.number for m in client_for(None).get(f"/concepts/{SLUG}/?{query}").context["measures"]}
    api = client_for(None).get(f"/api/v1/concepts/{SLUG}/measures/?{query}&limit=1000").json()
    assert page == {f["properties"]["number"] for f in api["features"]}


def _structure_page(client) -> dict:
    """The structure page's form as the browser sends it when nothing is touched."""
    r = client.get(f"/concepts/{SLUG}/structure/")
    assert r.status_code == 200
    (data,) = post_forms(r.content.decode())
    return data


def test_structure_page_saves_unchanged_with_its_empty_blocks(planner_client, bochum):
    before = (bochum.fields_of_action.count(), bochum.goals.count())
    data = _structure_page(planner_client)
    assert data["f-TOTAL_FORMS"] == str(before[0] + 1)  # the empty "Neues Handlungsfeld" block is sent
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert (bochum.fields_of_action.count(), bochum.goals.count()) == before


def test_structure_page_adds_only_a_goal(planner_client, bochum):
    data = _structure_page(planner_client)
    j = int(data["g-TOTAL_FORMS"]) - 1  # the empty "Neues Ziel" block
    field = bochum.fields_of_action.get(number=2)
    data.update({f"g-{j}-number": "2.9", f"g-{j}-title": "Plätze beschatten", f"g-{j}-field_of_action": str(field.pk)})
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert bochum.goals.get(number="2.9").field_of_action == field
    assert not bochum.fields_of_action.filter(name="").exists()


def test_new_field_of_action_block_offers_a_colour(planner_client, bochum):
    data = _structure_page(planner_client)
    i = int(data["f-TOTAL_FORMS"]) - 1
    data.update({f"f-{i}-number": "7", f"f-{i}-name": "Klima"})  # colour left as offered
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert bochum.fields_of_action.get(number=7).colour == data[f"f-{i}-colour"]


def test_resubmitted_new_measure_links_to_the_one_with_its_number(planner_client, bochum):
    """Back and send again: the number is taken by the measure just made; the form links to it."""
    field = bochum.fields_of_action.get(number=3)
    data = {"number": "3.2", "title": "Fahrradstraße", "primary_field": field.pk, "priority": 2, "status": "idea",
            "progress": 0, "geometry": "", "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0,
            "ms-MAX_NUM_FORMS": 1000}
    assert planner_client.post(f"/concepts/{SLUG}/measures/new/", data).status_code == 302
    first = Measure.objects.get(concept=bochum, number="3.2")
    r = planner_client.post(f"/concepts/{SLUG}/measures/new/", data)
    page = r.content.decode()
    assert r.status_code == 400 and "Die Nummer 3.2 ist in diesem Konzept schon vergeben." in page
    assert f'<a class="kern-link" href="{first.get_absolute_url()}">' in page and "Maßnahme 3.2 „Fahrradstraße“ öffnen" in page
    assert Measure.objects.filter(concept=bochum, number="3.2").count() == 1


def _tick(data, prefix, number) -> None:
    """Tick "Löschen" on the block of the field of action or goal with this number."""
    (i,) = [k.split("-")[1] for k, v in data.items() if k.startswith(f"{prefix}-") and k.endswith("-number")
            and str(v) == str(number)]
    data[f"{prefix}-{i}-DELETE"] = "on"


def _field_with_goal(bochum):
    field = bochum.fields_of_action.create(number=8, name="Klima", colour="#336699")
    bochum.goals.create(field_of_action=field, number="8.1", title="Hitze mindern")
    return field


def test_field_with_goals_is_not_deleted_alone(planner_client, bochum):
    """A walk: "Löschen" on field 8 deleted its goal 8.1 too, silently. Now it is refused at the field."""
    _field_with_goal(bochum)
    before = (bochum.fields_of_action.count(), bochum.goals.count(), ChangeRecord.objects.count())
    data = _structure_page(planner_client)
    _tick(data, "f", 8)
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    body = r.content.decode()
    assert r.status_code == 400
    assert ("Handlungsfeld 8 hat noch Ziele (8.1 „Hitze mindern“): diese zuerst löschen oder einem anderen "
            "Handlungsfeld zuordnen.") in body
    assert body.rindex("Handlungsfeld 8 hat noch Ziele") > body.index("Handlungsfeld 8</legend>")  # at the field too
    assert (bochum.fields_of_action.count(), bochum.goals.count(), ChangeRecord.objects.count()) == before


def test_field_and_its_goals_ticked_together_are_deleted_and_named(planner_client, bochum):
    _field_with_goal(bochum)
    data = _structure_page(planner_client)
    _tick(data, "f", 8)
    _tick(data, "g", "8.1")
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data, follow=True)
    body = r.content.decode()
    assert "Handlungsfelder und Ziele wurden gespeichert. Gelöscht: Handlungsfeld 8 „Klima“, Ziel 8.1 „Hitze mindern“." in body
    assert not bochum.fields_of_action.filter(number=8).exists() and not bochum.goals.filter(number="8.1").exists()


def test_field_whose_goal_moves_elsewhere_can_go(planner_client, bochum):
    _field_with_goal(bochum)
    other = bochum.fields_of_action.get(number=2)
    data = _structure_page(planner_client)
    _tick(data, "f", 8)
    (i,) = [k.split("-")[1] for k, v in data.items() if k.endswith("-number") and v == "8.1"]
    data[f"g-{i}-field_of_action"] = str(other.pk)
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    moved = bochum.goals.get(title="Hitze mindern")
    assert (moved.field_of_action, moved.number) == (other, "2.2")  # the number follows the field


def test_field_serving_measures_as_further_field_is_not_deleted(planner_client, bochum):
    """Measure 3.1 serves field 2 as a further field: deleting field 2 would drop that silently."""
    field = bochum.fields_of_action.get(number=2)
    measure = bochum.measures.get(number="3.1")
    assert field in measure.further_fields.all()
    data = _structure_page(planner_client)
    _tick(data, "f", 2)
    for g in field.goals.all():
        _tick(data, "g", g.number)
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    body = r.content.decode()
    assert r.status_code == 400
    assert "Handlungsfeld 2 sind noch Maßnahmen zugeordnet (" in body and "3.1 „" in body
    assert field in measure.further_fields.all() and field.goals.exists()


def test_goal_with_sub_goals_or_measures_is_not_deleted_alone(planner_client, bochum):
    top = bochum.goals.get(number="2.1")
    bochum.goals.create(field_of_action=top.field_of_action, parent=top, number="2.1.1", title="Entsiegeln")
    bochum.measures.get(number="2.1").goals.add(top)
    data = _structure_page(planner_client)
    _tick(data, "g", "2.1")
    r = planner_client.post(f"/concepts/{SLUG}/structure/", data)
    body = r.content.decode()
    assert r.status_code == 400
    assert "Ziel 2.1 hat noch Unterziele (2.1.1 „Entsiegeln“)" in body
    assert "Ziel 2.1 sind noch Maßnahmen zugeordnet (2.1 „" in body
    assert bochum.goals.filter(number__in=["2.1", "2.1.1"]).count() == 2


def test_change_log_shows_labels_names_and_choices_not_internals(new_city):
    page = client_for(new_city.roles.get().user).get(f"/concepts/{new_city.slug}/changes/").content.decode()
    changes = " ".join(page[page.index("<tbody"):page.index("</tbody>")].split())
    for internal in ("concept_id", "primary_field_id", "_id:", "False", "True", "planned", "sort_key"):
        assert internal not in changes, internal
    field = new_city.fields_of_action.get(number=4)
    assert f"<strong>Handlungsfeld</strong>: – → {field}" in changes
    assert "<strong>Status</strong>: – → geplant" in changes
    assert "<strong>Verortung angenähert</strong>: – → nein" in changes
    assert "<strong>Titel</strong>: – → Umgestaltung des Marktplatzes" in changes


def test_a_title_over_its_limit_is_refused_with_the_limit(planner_client, bochum):
    """A Krautsand planner's walk: a longer title was cut at 300 characters mid-word without a word."""
    field = bochum.fields_of_action.get(number=3)
    form = planner_client.get(f"/concepts/{SLUG}/measures/new/").content.decode()
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', form).group(0)
    assert 'maxlength="300"' in title_input and "höchstens 300 Zeichen" in form
    assert form.count("höchstens 300 Zeichen") >= 2  # also a milestone's title
    data = {
        "number": "3.2", "title": "Deichvorland " * 25, "primary_field": field.pk, "priority": 2,  # 324 once stripped
        "status": "idea", "progress": 0, "geometry": json.dumps({"type": "Point", "coordinates": [7.216, 51.481]}),
        "ms-TOTAL_FORMS": 0, "ms-INITIAL_FORMS": 0, "ms-MIN_NUM_FORMS": 0, "ms-MAX_NUM_FORMS": 1000,
    }
    page = planner_client.post(f"/concepts/{SLUG}/measures/new/", data).content.decode()
    assert "Der Titel darf höchstens 300 Zeichen lang sein; er hat 324." in page
    assert not Measure.objects.filter(concept=bochum, number="3.2").exists()


@pytest.mark.parametrize("language, council, phase, absent", [
    # a Köln planner read "Council decision Nov. 12, 2026" next to "1.12.2026", and "1. December 2026"
    ("en", "12 November 2026", "1 December 2026 – 31 January 2027", ("Nov. 12, 2026", "1.12.2026", "1. December")),
    ("de", "12. November 2026", "1. Dezember 2026 – 31. Januar 2027", ("1.12.2026",)),
])
def test_dates_are_written_one_way_per_language(db, language, council, phase, absent):
    import datetime

    from django.test import Client
    from django.utils import timezone

    from isek import access
    from isek.participation import services as participation
    from tests.factories import ConceptFactory, legal_texts_filled

    concept = ConceptFactory(council_decision_date=datetime.date(2026, 11, 12))
    legal_texts_filled(concept.city)
    noon = datetime.time(12, tzinfo=timezone.get_current_timezone())
    participation.save_phase(access.Operator("test"), concept, title_de="Ideen",
                             start=datetime.datetime.combine(datetime.date(2026, 12, 1), noon),
                             end=datetime.datetime.combine(datetime.date(2027, 1, 31), noon),
                             themes=[("Plätze", "Squares", "#2e7d32")])
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = c.get(f"/concepts/{concept.slug}/").content.decode()
    assert council in page and phase in page
    header = c.get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert phase in header
    for wrong in absent:
        assert wrong not in page and wrong not in header
