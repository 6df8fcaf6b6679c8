"""The evaluation report counts supports by kind (sup22, point 1; decision 0041): the council read
"Unterstützungen 5" where one person had raised the count by clearing cookies. The page, the PDF
and the XLSX say how many were confirmed by e-mail, with an account, and not at all; supports
waiting for their e-mail confirmation count in no number; the themes' column is "Thema bestätigt".
The public idea page explains "nicht bestätigt"."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pytest

from isek.participation import services
from isek.participation.models import Idea, Status, Support

from .test_evaluation_report import _fresh, built_pdf, client_for, evaluated, url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(evaluated):  # noqa: F811  (the imported fixture)
    """On the first published idea: 5 unconfirmed supports (cookies cleared), 2 confirmed by e-mail,
    1 with an account, 1 still waiting for its link."""
    idea = Idea.objects.filter(phase=evaluated, status=Status.PUBLISHED).order_by("number").first()
    C = Support.Confirmation
    for n, kind in enumerate([C.NONE] * 5 + [C.EMAIL] * 2 + [C.ACCOUNT, C.PENDING]):
        contributor, _token = services.contributor_for(None)
        Support.objects.create(phase=evaluated, idea=idea, contributor=contributor, confirmation=kind,
                               email_hash=f"h{n}" if kind in (C.EMAIL, C.PENDING) else "")
    return evaluated, idea


def test_the_report_page_pdf_and_xlsx_count_supports_by_kind(supported, tmp_path):
    phase, _idea = supported
    c = client_for(phase.concept)
    page = c.get(url(phase)).content.decode()
    figure = {k: page.split(f'data-figure="{k}">')[1].split("<")[0] for k in
              ("supports", "supports-email", "supports-account", "supports-none")}
    assert figure == {"supports": "8", "supports-email": "2", "supports-account": "1", "supports-none": "5"}
    assert "davon nicht bestätigt (eine Person kann mehrfach zählen)" in page
    assert '<th scope="col">Thema bestätigt</th>' in page and '<th scope="col">bestätigt</th>' not in page
    path = tmp_path / "r.pdf"
    path.write_bytes(built_pdf(c, phase))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Unterstützungen 8" in text and "davon bestätigt per E-Mail 2" in text
    assert "davon bestätigt mit Konto 1" in text and "davon nicht bestätigt (eine Person kann mehrfach zählen) 5" in text
    wb = openpyxl.load_workbook(io.BytesIO(c.get(url(phase, "report.xlsx")).content))
    assert [cell.value for cell in wb["Themen"][1]][5] == "Thema bestätigt"
    method = dict(wb["Methode"].iter_rows(min_row=2, values_only=True))
    assert (method["Unterstützungen"], method["davon bestätigt per E-Mail"], method["davon bestätigt mit Konto"],
            method["davon nicht bestätigt (eine Person kann mehrfach zählen)"]) == (8, 2, 1, 5)
    c.cookies["django_language"] = "en"
    english = c.get(url(phase), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Theme confirmed" in english and "of which not confirmed" in english


def test_the_public_idea_page_explains_not_confirmed(supported):
    from django.test import Client

    phase, idea = supported
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{phase.concept.slug}/participation/ideas/{idea.pk}/")
    html = page.content.decode()
    assert page.status_code == 200, html[:300]
    assert "8 Unterstützungen, davon 3 bestätigt" in html
    assert "Was heißt „nicht bestätigt“?" in html and "eine Person kann mehrfach zählen" in html
