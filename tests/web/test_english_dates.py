"""Dates in the language's own format on the pages beyond the main ones (walk 8, Köln): the English
UI showed "05.03.2026 14:30" on the analysis page and "31.12.2024" in an indicator's time series,
written there as "d.m.Y"; German pages keep "05.03.2026". The formats: Django's German ones and
isek.config.formats.en ("5 Mar 2026")."""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone

from isek.analysis.models import AnalysisRun, IndicatorValue
from isek.monitoring.models import Indicator

SLUG = "bochum-innenstadt"


def _page(user, lang, url) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200
    return html.unescape(r.content.decode())


@pytest.fixture
def run(bochum):
    run = AnalysisRun.objects.create(concept=bochum, status="done", progress=100, data_date=datetime.date(2025, 3, 1))
    started = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30))
    AnalysisRun.objects.filter(pk=run.pk).update(created_at=started)
    return run


@pytest.mark.parametrize("lang, started, data", [("en", "5 Mar 2026, 14:30", "1 Mar 2025"),
                                                 ("de", "05.03.2026 14:30", "01.03.2025")])
def test_the_analysis_page_and_its_delete_page_write_dates_in_the_ui_language(users, run, lang, started, data):
    page = _page(users["planner"], lang, f"/concepts/{SLUG}/analysis/")
    row = page.split(f'data-run="{run.pk}"', 1)[1].split("</li>", 1)[0]
    assert started in row and data in row
    if lang == "en":
        assert "05.03.2026" not in page and "01.03.2025" not in page
    page = _page(users["planner"], lang, f"/concepts/{SLUG}/analysis/runs/{run.pk}/delete/")
    assert started in page and data in page


@pytest.mark.parametrize("lang, day", [("en", "31 Dec 2024"), ("de", "31.12.2024")])
def test_an_indicators_time_series_writes_dates_in_the_ui_language(users, bochum, lang, day):
    """A value of the current analysis carries its day, in the UI language; a value entered for a
    year is listed as that year (walk 10)."""
    ind = Indicator.objects.create(concept=bochum, code="laerm_db", name="Lärmpegel", kind="context", unit="dB")
    bochum.analysis_runs.update(is_current=False)
    run = AnalysisRun.objects.create(concept=bochum, status="done", is_current=True)
    IndicatorValue.objects.create(concept=bochum, indicator=ind.code, value=61, date=datetime.date(2024, 12, 31),
                                  source="Messung", run=run)
    IndicatorValue.objects.create(concept=bochum, indicator=ind.code, value=59, date=datetime.date(2023, 12, 31),
                                  source="Zählung")
    page = _page(users["reviewer"], lang, f"/concepts/{SLUG}/indicators/{ind.pk}/")
    table = page.split('id="values-table"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="kern-table__cell">{day}</td>' in table
    assert '<td class="kern-table__cell">2023</td>' in table
    if lang == "en":
        assert "31.12.2024" not in table


@pytest.mark.parametrize("lang, text", [("en", "since 3 Feb 2025"), ("de", "seit 03.02.2025")])
def test_the_dashboards_overdue_milestone_has_its_date_in_the_ui_language(users, bochum, lang, text):
    from isek.concepts.models import Milestone

    measure = bochum.measures.exclude(status="cancelled").first()
    Milestone.objects.create(measure=measure, title="Bauantrag gestellt", due=datetime.date(2025, 2, 3))
    page = _page(users["reviewer"], lang, f"/concepts/{SLUG}/dashboard/")
    assert text in page and "Bauantrag gestellt" in page
