"""Resumable uploads of a city's extract (tus 1.0, as tus-js-client speaks it): pieces appended
where the last one ended, a broken piece resumed from the bytes that arrived, someone else's
upload invisible, bad requests answered with a status and a message, and the finished upload
handed to the same base-map service as the form's file (moved, not copied)."""

from __future__ import annotations

import base64
import datetime
import gzip

import pytest
from django.utils import timezone

from isek.core import uploads
from isek.core.files import extract_dir
from isek.core.models import Upload
from isek.geodata.models import BaseMap
from tests.factories import UserFactory, member
from tests.geodata.test_basemap import _extract

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"

REQUIRED_DATA = [_extract()]


def _meta(name: str) -> str:
    return "filename " + base64.b64encode(name.encode()).decode() + ",filetype " + base64.b64encode(b"x").decode()


def _start(client, concept, length: int, name="hoyerswerda.osm.pbf"):
    return client.post(f"/concepts/{concept.slug}/basemap/uploads/", HTTP_UPLOAD_LENGTH=str(length),
                       HTTP_UPLOAD_METADATA=_meta(name), **TUS)


def _patch(client, url, offset: int, data: bytes, content_type=OCTETS):
    return client.generic("PATCH", url, data, content_type=content_type, HTTP_UPLOAD_OFFSET=str(offset), **TUS)


def _send(client, concept, data: bytes, piece: int, name="hoyerswerda.osm.pbf") -> str:
    r = _start(client, concept, len(data), name)
    assert r.status_code == 201, r.content
    url = r["Location"]
    at = 0
    while at < len(data):
        r = _patch(client, url, at, data[at:at + piece])
        assert r.status_code == 204, r.content
        at = int(r["Upload-Offset"])
    return url


def test_server_says_what_it_supports(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    r = client.options(f"/concepts/{hoyerswerda.slug}/basemap/uploads/")
    assert r.status_code == 204 and r["Tus-Version"] == "1.0.0"
    assert r["Tus-Extension"] == "creation,termination" and int(r["Tus-Max-Size"]) == 2 * 1024 ** 3


def test_extract_in_pieces_becomes_the_base_map(hoyerswerda, client, django_capture_on_commit_callbacks):
    client.force_login(member(hoyerswerda, "planner"))
    data = _extract().read_bytes()
    url = _send(client, hoyerswerda, data, piece=len(data) // 5 + 1)
    assert url.startswith(f"/concepts/{hoyerswerda.slug}/basemap/uploads/")
    upload = Upload.objects.get()
    assert client.head(url, **TUS)["Upload-Offset"] == str(len(data)) and uploads.complete(upload)

    with django_capture_on_commit_callbacks() as queued:
        r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": str(upload.pk)})
    assert r.status_code == 302
    bm = BaseMap.objects.get(city=hoyerswerda.city)
    assert bm.status == BaseMap.Status.QUEUED and bm.extract_name == "hoyerswerda.osm.pbf" and queued
    stored = extract_dir(hoyerswerda.city.ags) / "hoyerswerda.osm.pbf"
    assert stored.read_bytes() == data  # the same bytes, moved into place
    assert not Upload.objects.exists() and not any(uploads.directory().iterdir())


def test_a_broken_piece_resumes_from_what_arrived(hoyerswerda, client):
    """The connection broke in the middle of a piece: the bytes that came are kept, HEAD tells the
    client where to go on, and a piece sent for the old offset is refused with the right one."""
    client.force_login(member(hoyerswerda, "planner"))
    data = _extract().read_bytes()
    url = _start(client, hoyerswerda, len(data))["Location"]
    assert _patch(client, url, 0, data[:1000])["Upload-Offset"] == "1000"
    upload = Upload.objects.get()
    with open(uploads.part_path(upload), "ab") as fh:  # 500 bytes of the next piece, then the line dropped
        fh.write(data[1000:1500])
    assert client.head(url, **TUS)["Upload-Offset"] == "1500"
    r = _patch(client, url, 1000, data[1000:3000])
    assert r.status_code == 409 and r["Upload-Offset"] == "1500"
    assert _patch(client, url, 1500, data[1500:])["Upload-Offset"] == str(len(data))
    assert uploads.part_path(upload).read_bytes() == data


@pytest.mark.parametrize("headers, status, message", [
    ({"HTTP_UPLOAD_LENGTH": "viel"}, 400, "Länge des Uploads"),
    ({"HTTP_UPLOAD_LENGTH": str(3 * 1024 ** 3)}, 413, "erlaubt sind höchstens"),
    ({"HTTP_UPLOAD_LENGTH": "10", "HTTP_TUS_RESUMABLE": "0.2.2"}, 412, "tus-Protokoll 1.0.0"),
])
def test_bad_starts_are_refused_and_store_nothing(hoyerswerda, client, headers, status, message):
    client.force_login(member(hoyerswerda, "planner"))
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/uploads/", **{**TUS, **headers})
    assert r.status_code == status and message in r.content.decode()
    assert not Upload.objects.exists()


def test_bad_pieces_are_refused(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    url = _start(client, hoyerswerda, 10)["Location"]
    r = _patch(client, url, 0, b"0123456789", content_type="application/json")
    assert r.status_code == 415
    r = _patch(client, url, 0, b"0123456789ABC")
    assert r.status_code == 400 and "mehr Daten" in r.content.decode()
    assert client.generic("PATCH", url, b"x", content_type=OCTETS, **TUS).status_code == 400  # no offset
    assert client.head(url, **TUS)["Upload-Offset"] == "0"


def test_only_the_sender_sees_the_upload_and_reviewers_may_not_start_one(hoyerswerda, client):
    planner = member(hoyerswerda, "planner")
    client.force_login(planner)
    url = _start(client, hoyerswerda, 10)["Location"]
    client.force_login(member(hoyerswerda, "planner"))  # a second planner of the same concept
    assert client.head(url, **TUS).status_code == 404
    assert _patch(client, url, 0, b"0123456789").status_code == 404
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": url.rsplit("/", 1)[1]})
    assert r.status_code == 400 and "nicht gefunden" in r.content.decode()
    client.force_login(member(hoyerswerda, "reviewer"))
    assert _start(client, hoyerswerda, 10).status_code == 403
    client.force_login(UserFactory())
    assert _start(client, hoyerswerda, 10).status_code in (403, 404)
    assert Upload.objects.count() == 1


def test_unfinished_or_bad_uploads_do_not_become_a_base_map(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    url = _start(client, hoyerswerda, 10)["Location"]
    _patch(client, url, 0, b"01234")
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": url.rsplit("/", 1)[1]})
    assert r.status_code == 400 and "noch nicht vollständig" in r.content.decode()
    _patch(client, url, 5, b"56789")
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": url.rsplit("/", 1)[1]})
    assert r.status_code == 400 and "kein OpenStreetMap-Extrakt" in r.content.decode()
    assert not BaseMap.objects.exists() and not any(extract_dir(hoyerswerda.city.ags).iterdir())
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": "not-a-uuid"})
    assert r.status_code == 400 and "nicht gefunden" in r.content.decode()
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {})
    assert r.status_code == 400 and "Bitte eine Datei wählen" in r.content.decode()


def test_finished_upload_above_a_lowered_limit_is_refused_and_removed(hoyerswerda, client, settings):
    client.force_login(member(hoyerswerda, "planner"))
    data = _extract().read_bytes()
    url = _send(client, hoyerswerda, data, piece=len(data))
    settings.ISEK_EXTRACT_MAX_BYTES = 1000  # lowered by the operator while it was on its way
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": url.rsplit("/", 1)[1]})
    assert r.status_code == 400 and "erlaubt sind höchstens" in r.content.decode()
    assert not Upload.objects.exists() and not any(uploads.directory().iterdir())
    assert not BaseMap.objects.exists()


def test_giving_up_and_stale_uploads_remove_the_bytes(hoyerswerda, client):
    client.force_login(member(hoyerswerda, "planner"))
    url = _start(client, hoyerswerda, 10)["Location"]
    _patch(client, url, 0, b"01234")
    assert client.delete(url, **TUS).status_code == 204
    assert not Upload.objects.exists() and not any(uploads.directory().iterdir())
    _start(client, hoyerswerda, 10)
    Upload.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert uploads.purge_stale() == 1 and not any(uploads.directory().iterdir())


def test_a_full_disk_is_a_message_and_keeps_what_arrived(hoyerswerda, client, monkeypatch):
    import errno
    import os

    client.force_login(member(hoyerswerda, "planner"))
    url = _start(client, hoyerswerda, 10)["Location"]
    _patch(client, url, 0, b"01234")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    r = _patch(client, url, 5, b"56789")
    monkeypatch.undo()
    assert r.status_code == 507 and "kein Platz" in r.content.decode()
    assert client.head(url, **TUS)["Upload-Offset"] == "5"


def test_a_refused_upload_in_pieces_says_how_to_convert_and_the_file_stays_required(hoyerswerda, client):
    """The Berlin tester's gzipped OSM XML, uploaded in pieces (as the page does with JavaScript):
    the message gives the osmium command, and the file field is not "optional" afterwards."""
    client.force_login(member(hoyerswerda, "planner"))
    url = _send(client, hoyerswerda, gzip.compress(b"<?xml version='1.0'?><osm></osm>"), 1000, name="berlin.osm.gz")
    r = client.post(f"/concepts/{hoyerswerda.slug}/basemap/", {"upload": url.rsplit("/", 1)[1]})
    html = r.content.decode()
    assert r.status_code == 400 and "Umwandeln z. B. mit: osmium cat berlin.osm.gz -o berlin.osm.pbf" in html
    label = html.split('id="extract-form"')[1].split("</label>")[0]
    assert "OpenStreetMap-Extrakt (.osm.pbf)" in label and "optional" not in label
    assert not BaseMap.objects.exists()
