"""A full disk while isek writes a report or an upload: a clear message, nothing half written,
the database consistent. The disk is Linux's /dev/full (every write fails with ENOSPC), put
where isek writes."""

from __future__ import annotations

import pytest

from isek.core.models import Upload
from isek.monitoring import jobs as report_jobs
from isek.monitoring.models import Report
from tests.conftest import client_for


@pytest.mark.parametrize("kind, year", [("monitoring", 2025), ("isek", None)])
def test_a_report_on_a_full_disk_fails_with_a_message(bochum, settings, tmp_path, kind, year):
    settings.VAR_DIR = tmp_path
    report = Report.objects.create(concept=bochum, kind=kind, year=year)
    report_jobs.partial_path(report).symlink_to("/dev/full")  # the disk is full where the report is written
    report_jobs.execute(report)
    report.refresh_from_db()
    assert report.status == "failed" and "Der Speicherplatz ist voll" in report.message and report.file == ""
    assert list(report_jobs.report_dir().iterdir()) == []  # neither a half file nor the partial


def test_an_upload_piece_on_a_full_disk_is_refused_and_the_offset_stays(users, bochum, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = client_for(users["planner"])
    r = client.post("/concepts/bochum-innenstadt/basemap/uploads/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="1000",
                    HTTP_UPLOAD_METADATA="filename YS5vc20ucGJm")
    assert r.status_code == 201
    upload = Upload.objects.get()
    from isek.core import uploads

    part = uploads.part_path(upload)
    part.unlink()
    part.symlink_to("/dev/full")
    r = client.patch(r["Location"], b"x" * 500, content_type="application/offset+octet-stream", HTTP_TUS_RESUMABLE="1.0.0",
                     HTTP_UPLOAD_OFFSET="0")
    assert r.status_code == 507 and "kein Platz mehr" in r.content.decode()
    r = client.head(f"/concepts/bochum-innenstadt/basemap/uploads/{upload.pk}", HTTP_TUS_RESUMABLE="1.0.0")
    assert r.status_code == 200 and r["Upload-Offset"] == "0"
