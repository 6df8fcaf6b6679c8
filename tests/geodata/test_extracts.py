"""A city's OSM extracts (issue 20): a far-away extract is refused when its upload completes,
before any build is queued, with the one coverage check; a build that failed on the extract
itself offers no retry; the extracts a build leaves (the city's, the cut to the concept's area)
are the ones the concept's analysis is offered."""

from __future__ import annotations

import pytest

from isek import access
from isek.analysis import services as analysis
from isek.core import uploads
from isek.core.files import extract_dir
from isek.core.models import Upload
from isek.geodata import jobs, services
from isek.geodata.models import BaseMap, Extract
from tests import osm_files
from tests.factories import member
from tests.geodata.test_basemap import _extract, _upload
from tests.geodata.test_resumable_upload import _send

LAUF = "lauf_an_der_pegnitz_2020-01-15.osm.pbf"
OPERATOR = access.Operator("test")


def _nothing_kept(concept):
    assert not BaseMap.objects.exists() and not Extract.objects.exists()
    assert not any(extract_dir(concept.city.ags).iterdir())


def test_a_far_away_upload_is_refused_when_it_completes(hoyerswerda, client, django_capture_on_commit_callbacks):
    client.force_login(member(hoyerswerda, "planner"))
    with django_capture_on_commit_callbacks() as queued:
        r = _upload(client, hoyerswerda, _extract(LAUF).read_bytes(), LAUF)
    assert r.status_code == 400 and "enthält keine Daten im Fördergebiet" in r.content.decode()
    assert not queued
    _nothing_kept(hoyerswerda)


def test_a_far_away_resumable_upload_is_refused_when_it_completes(hoyerswerda, client, django_capture_on_commit_callbacks):
    client.force_login(member(hoyerswerda, "planner"))
    data = _extract(LAUF).read_bytes()
    _send(client, hoyerswerda, data, piece=len(data) // 3 + 1, name=LAUF)
    upload = Upload.objects.get()
    with django_capture_on_commit_callbacks() as queued:
        r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": str(upload.pk)})
    assert r.status_code == 400 and "enthält keine Daten im Fördergebiet" in r.content.decode()
    assert not queued and not Upload.objects.exists() and not any(uploads.directory().iterdir())
    _nothing_kept(hoyerswerda)


NO_DATA = "enthält keine Daten im Fördergebiet"


def test_an_upload_without_nodes_in_the_area_is_refused_though_its_boxes_cover_it(
        hoyerswerda, client, tmp_path, django_capture_on_commit_callbacks):
    """The Bayreuth walk: the header's box (and the data's box) cover the funding area, the nodes lie
    3 km north. Refused when the upload completes, with where its data lie; nothing is queued or kept."""
    client.force_login(member(hoyerswerda, "planner"))
    data = osm_files.beside(tmp_path / "nord.osm.pbf", 14.2465, 51.4345).read_bytes()
    with django_capture_on_commit_callbacks() as queued:
        r = _upload(client, hoyerswerda, data, "nord.osm.pbf")
    page = r.content.decode()
    assert r.status_code == 400 and NO_DATA in page and "seine Daten liegen bei 14,236 / 51,408" in page
    assert not queued
    _nothing_kept(hoyerswerda)


def test_where_the_data_lie_is_written_in_the_notation_of_the_language(hoyerswerda, client, tmp_path):
    """A usability tester (Bautzen) read "51.2, 14.4" in the German UI: German decimal commas, English points."""
    client.force_login(member(hoyerswerda, "planner"))
    data = osm_files.beside(tmp_path / "nord.osm.pbf", 14.2465, 51.4345).read_bytes()
    page = _upload(client, hoyerswerda, data, "nord.osm.pbf").content.decode()
    assert "seine Daten liegen bei 14,236 / 51,408 – 14,257 / 51,462." in page and "14.236" not in page
    client.get("/language/en/")
    page = _upload(client, hoyerswerda, data, "nord.osm.pbf").content.decode()
    assert "its data lie at 14.236, 51.408 – 14.257, 51.462." in page, page[:3000]


def test_a_build_whose_cut_has_no_nodes_in_the_area_fails_without_retry_and_keeps_no_cut(hoyerswerda, client, tmp_path):
    """Had the build started (a record from before this check): the cut holds no node of the area,
    so the build fails on the extract, offers no "erneut starten", keeps no cut and starts no analysis."""
    client.force_login(member(hoyerswerda, "planner"))
    path = osm_files.beside(tmp_path / "nord.osm.pbf", 14.2465, 51.4345)
    bm = BaseMap.objects.create(city=hoyerswerda.city, extract=str(path), extract_name=path.name, concept=hoyerswerda)
    jobs.execute(bm.pk, hoyerswerda.pk, analyse=True)
    bm.refresh_from_db()
    assert bm.status == BaseMap.Status.FAILED and bm.refused and NO_DATA in bm.message and not bm.path
    page = client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()
    assert NO_DATA in page and "erneut starten" not in page
    assert not jobs.cut_path(hoyerswerda.city.ags, hoyerswerda.slug).exists()
    assert not Extract.objects.exists() and not analysis.runs_of(hoyerswerda)


def test_a_failure_of_the_extract_itself_offers_no_retry(hoyerswerda, client):
    """Had the build started (the file changed, or an older record): it fails on the extract, and
    "erneut starten" is not offered, since the same file would fail again."""
    planner = member(hoyerswerda, "planner")
    client.force_login(planner)
    bm = BaseMap.objects.create(city=hoyerswerda.city, extract=str(_extract(LAUF)), extract_name=LAUF,
                                concept=hoyerswerda)
    jobs.execute(bm.pk, hoyerswerda.pk)
    bm.refresh_from_db()
    assert bm.status == BaseMap.Status.FAILED and bm.refused and "enthält keine Daten im Fördergebiet" in bm.message
    page = client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()
    assert "enthält keine Daten im Fördergebiet" in page and "erneut starten" not in page
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/retry/", follow=True)
    assert "bitte einen passenden Extrakt hochladen" in r.content.decode()
    assert BaseMap.objects.get().status == BaseMap.Status.FAILED
    # A cancelled build may be started again.
    BaseMap.objects.update(status=BaseMap.Status.CANCELLED, refused=False)
    assert "erneut starten" in client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode()


def test_the_build_leaves_the_citys_extract_and_the_cut_for_the_analysis(hoyerswerda):
    services.start_basemap(OPERATOR, hoyerswerda, _extract(), now=True)
    city = Extract.objects.get(city=hoyerswerda.city, concept=None)
    cut = Extract.objects.get(city=hoyerswerda.city, concept=hoyerswerda)
    assert city.path == str(_extract().resolve()) and city.data_date.startswith("2024-08-12")
    assert cut.path == str(services.cut_extract_of(hoyerswerda).resolve())
    planner = member(hoyerswerda, "planner")
    assert {path for path, _label in analysis.extract_choices(planner, hoyerswerda)} == {city.path, cut.path}
    # the cut belongs to its concept: another concept of the same city is offered the city's extract only
    from tests.factories import ConceptFactory, multipolygon, square

    other = ConceptFactory(city=hoyerswerda.city, slug="hoyerswerda-neustadt", area=multipolygon(square(14.25, 51.43, 400)))
    assert [p for p, _label in analysis.extract_choices(member(other, "planner"), other)] == [city.path]


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_planners_see_the_citys_extracts(hoyerswerda, role):
    services.add_extract(OPERATOR, hoyerswerda, _extract())
    from django.contrib.auth.models import AnonymousUser

    user = member(hoyerswerda, role) if role else AnonymousUser()
    assert analysis.extract_choices(user, hoyerswerda) == []
    with pytest.raises(Exception) as exc:
        services.extracts_for(user, hoyerswerda)
    assert type(exc.value).__name__ in ("PermissionDenied", "Http404")


@pytest.mark.parametrize("language, shown", [("de", "Höchstens 2,0 GB."), ("en", "At most 2.0 GB.")])
def test_the_size_limit_is_shown_in_a_readable_unit(hoyerswerda, client, settings, language, shown):
    settings.ISEK_EXTRACT_MAX_BYTES = 2 * 1024 ** 3
    client.force_login(member(hoyerswerda, "planner"))
    client.get(f"/language/{language}/")
    assert shown in client.get(f"/concepts/{hoyerswerda.slug}/basemap/").content.decode().replace("\xa0", " ")
