"""The extract's upload in Debian's Chromium goes up in pieces (tus-js-client against isek's tus
endpoint): a piece lost on the way is sent again, and after a reload the same file resumes where
it stopped instead of starting over; the finished upload becomes the base map's extract."""

from __future__ import annotations

import pytest

from isek.core.files import extract_dir
from isek.core.models import Upload
from isek.geodata.models import BaseMap
from tests.data import data_dir
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

from .conftest import axe_violations, login

pytestmark = pytest.mark.browser

EXTRACT = data_dir("osm") / "osm" / "hoyerswerda_altstadt.osm.pbf"
REQUIRED_DATA = [EXTRACT]
PIECE = 20_000


def test_upload_survives_a_lost_piece_and_a_reload(page, transactional_db, live_server, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    settings.ISEK_UPLOAD_CHUNK_BYTES = PIECE
    concept = ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="hoyerswerda-altstadt",
                             area=multipolygon(square(14.2465, 51.4345, 600)))
    planner = member(concept, "planner", username="planerin")
    assert planner.pk
    size = EXTRACT.stat().st_size
    url = f"{live_server.url}/concepts/{concept.slug}/basemap/"
    sent = []  # (method, Upload-Offset) of each tus request the page made
    page.on("request", lambda r: sent.append((r.method, r.headers.get("upload-offset")))
            if "/basemap/uploads/" in r.url else None)
    patches = {"n": 0}

    def lose_pieces(route, lost):
        if route.request.method == "PATCH":
            patches["n"] += 1
            if (patches["n"] > 3) if lost == "all-after-3" else (patches["n"] in lost):
                return route.abort("connectionreset")
        return route.continue_()

    login(page, live_server.url, "planerin", "pw-test-123")
    page.goto(url)
    assert axe_violations(page) == []

    # 1. The third piece is lost on the way: the client sends it again and the upload goes on.
    page.route("**/basemap/uploads/**", lambda route: lose_pieces(route, {3}))
    page.set_input_files("#id_file", str(EXTRACT))
    page.get_by_role("button", name="Hochladen und Grundkarte erstellen").click()
    page.wait_for_selector("#basemap-state[data-status='queued']", timeout=30000)
    bm = BaseMap.objects.get(city=concept.city)
    assert (extract_dir(concept.city.ags) / EXTRACT.name).read_bytes() == EXTRACT.read_bytes()
    assert bm.extract_name == EXTRACT.name and not Upload.objects.exists()
    offsets = [int(o) for m, o in sent if m == "PATCH"]
    assert offsets.count(2 * PIECE) == 2  # the lost piece, sent twice
    assert sorted(set(offsets)) == list(range(0, size, PIECE))

    # 2. The line drops for good after three pieces; the planner reloads the page and chooses
    #    the same file again: the upload resumes at the bytes that arrived.
    page.unroute("**/basemap/uploads/**")
    BaseMap.objects.all().delete()
    sent.clear()
    patches["n"] = 0
    page.goto(url)
    page.route("**/basemap/uploads/**", lambda route: lose_pieces(route, "all-after-3"))
    page.set_input_files("#id_file", str(EXTRACT))
    page.get_by_role("button", name="Hochladen und Grundkarte erstellen").click()
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 30", timeout=30000)
    upload = Upload.objects.get()
    page.reload()
    page.unroute("**/basemap/uploads/**")
    sent.clear()
    page.set_input_files("#id_file", str(EXTRACT))
    page.get_by_role("button", name="Hochladen und Grundkarte erstellen").click()
    page.wait_for_selector("#basemap-state[data-status='queued']", timeout=30000)
    assert ("POST", None) not in sent  # no new upload was started
    resumed = [int(o) for m, o in sent if m == "PATCH"]
    assert resumed[0] == 3 * PIECE and ("HEAD", None) in sent
    assert (extract_dir(concept.city.ags) / EXTRACT.name).read_bytes() == EXTRACT.read_bytes()
    assert BaseMap.objects.get(city=concept.city).extract_name == EXTRACT.name
    assert not Upload.objects.filter(pk=upload.pk).exists()
