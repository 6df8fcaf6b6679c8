"""Importing a funding area on the upload page: said in a planner's words, and asked first when the
new area would leave measures outside it."""

import shapely
from django.test import override_settings

from isek.core import geo
from tests.conftest import client_for

SLUG = "bochum-innenstadt"
# Two small blocks in Bochum's city centre, as a quarters file has them.
QUARTERS = [(shapely.box(7.214, 51.481, 7.216, 51.482), {"name": "Nord"}),
            (shapely.box(7.217, 51.481, 7.219, 51.482), {"name": "Süd"})]


def _upload(client, path, kind="area", slug=SLUG, **extra):
    with open(path, "rb") as fh:
        return client.post(f"/concepts/{slug}/import/", {"kind": kind, "file": fh, "crs": "", **extra})


def _outside(concept, area):
    return sorted(m.number for m in concept.measures.exclude(geometry=None)
                  if not area.buffer(1e-6).contains(geo.from_django(m.geometry)))


def test_first_area_upload_says_the_area_was_taken(db, geofile):
    from tests.factories import ConceptFactory, member

    concept = ConceptFactory(area=None)
    client = client_for(member(concept, "planner"))
    r = _upload(client, geofile("gebiet.geojson", [(shapely.box(7.21, 51.478, 7.225, 51.487), {})]), slug=concept.slug)
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "Import abgeschlossen: Fördergebiet übernommen" in page
    assert "0 angelegt" not in page and "aktualisiert" not in page
    concept.refresh_from_db()
    assert concept.area is not None


def test_area_leaving_measures_outside_is_asked_first(planner_client, bochum, geofile):
    before = bochum.area.wkt
    new_area = shapely.union_all([g for g, _ in QUARTERS])
    outside = _outside(bochum, new_area)
    assert outside  # the demo's measures lie all over the centre
    r = _upload(planner_client, geofile("quartiere.geojson", QUARTERS))
    assert r.status_code == 200
    page = r.content.decode()
    assert f"{len(outside)} Maßnahmen lägen nicht (ganz) im neuen Fördergebiet" in page
    assert "Die Datei hat 2 Flächen; zusammen ergeben sie das Fördergebiet." in page
    for number in outside:
        m = bochum.measures.get(number=number)
        assert f'href="{m.get_absolute_url()}"' in page
    assert "Fördergebiet trotzdem übernehmen" in page and "noch ist nichts gespeichert" in page
    bochum.refresh_from_db()
    assert bochum.area.wkt == before  # nothing stored yet

    r = planner_client.post(f"/concepts/{SLUG}/import/", {"step": "confirm"})
    assert r.status_code == 302
    bochum.refresh_from_db()
    assert geo.from_django(bochum.area).equals(new_area)
    page = planner_client.get(r["Location"]).content.decode()
    assert "Fördergebiet übernommen" in page
    assert f"{len(outside)} Maßnahmen liegen nicht (ganz) im neuen Fördergebiet" in page


def test_area_with_every_measure_inside_is_taken_at_once(planner_client, bochum, geofile):
    big = shapely.box(7.19, 51.46, 7.25, 51.50)
    assert not _outside(bochum, big)
    r = _upload(planner_client, geofile("gross.geojson", [(big, {})]))
    assert r.status_code == 302
    bochum.refresh_from_db()
    assert geo.from_django(bochum.area).equals(big)


def test_confirming_without_a_kept_file_stores_nothing(planner_client, bochum):
    before = bochum.area.wkt
    r = planner_client.post(f"/concepts/{SLUG}/import/", {"step": "confirm"})
    assert r.status_code == 400 and "Die Datei ist nicht mehr vorhanden; bitte erneut hochladen." in r.content.decode()
    bochum.refresh_from_db()
    assert bochum.area.wkt == before


@override_settings(LANGUAGE_CODE="en")
def test_the_question_reads_in_english(users, bochum, geofile):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["planner"])
    r = _upload(client, geofile("quartiere.geojson", QUARTERS))
    page = r.content.decode()
    assert r.status_code == 200 and "would not lie (wholly) in the new funding area:" in page
