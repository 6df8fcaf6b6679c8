"""Indicator values from CSV: checked as a whole, stored all or nothing, clear errors."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from isek import access
from isek.analysis import services as analysis
from isek.analysis.models import IndicatorValue
from isek.monitoring import values
from isek.monitoring.models import Indicator
from tests.factories import member

HEADER = "indicator;area;year;value;unit;source\n"
OPERATOR = access.Operator("test")


def _count(concept):
    return IndicatorValue.objects.filter(concept=concept).count()


def test_import_stores_values_per_area_and_quarter(bochum):
    q = bochum.quarters.first()
    data = (HEADER + "facades_funded;Fördergebiet;2024;14;Gebäude;Stadt Bochum\n"
            f"facades_funded;{q.name};2024;6;Gebäude;Stadt Bochum\n"
            "facade_grants_eur;fördergebiet;2024;\"210.500,50\";€;\n").encode()
    entries = values.parse_csv(bochum, data, default_source="Amt für Stadtplanung")
    assert analysis.store_entered_values(OPERATOR, bochum, entries) == 3
    v = IndicatorValue.objects.get(concept=bochum, indicator="facades_funded", quarter=None, date__year=2024)
    assert (v.value, v.date, v.source) == (14, datetime.date(2024, 12, 31), "Stadt Bochum")
    assert IndicatorValue.objects.get(concept=bochum, indicator="facades_funded", quarter=q).value == 6
    assert IndicatorValue.objects.get(concept=bochum, indicator="facade_grants_eur", date__year=2024).value == 210500.5
    # Entering the same year again replaces the entered value.
    analysis.store_entered_values(OPERATOR, bochum, values.parse_csv(bochum, (HEADER + "facades_funded;Fördergebiet;2024;15;Gebäude;korrigiert\n").encode()))
    assert IndicatorValue.objects.get(concept=bochum, indicator="facades_funded", quarter=None, date__year=2024).value == 15


def test_entered_values_are_written_by_their_owner_which_checks_the_policy(bochum):
    """IndicatorValue belongs to the analysis app: monitoring enters values through its service,
    which refuses whoever may not edit indicators and then changes nothing."""
    reviewer = member(bochum, "reviewer")
    entries = values.parse_csv(bochum, (HEADER + "facades_funded;Fördergebiet;2024;14;Gebäude;x\n").encode())
    analysis.store_entered_values(OPERATOR, bochum, entries)
    before = _count(bochum)
    with pytest.raises(PermissionDenied):
        analysis.store_entered_values(reviewer, bochum, entries)
    with pytest.raises(PermissionDenied):
        analysis.delete_entered_values(reviewer, bochum, "facades_funded")
    assert _count(bochum) == before
    assert analysis.delete_entered_values(OPERATOR, bochum, "facades_funded") >= 1
    assert not analysis.counted_values(bochum, "facades_funded").filter(run__isnull=True).exists()


@pytest.mark.parametrize("rows, message", [
    ("facades_funded;Altstadt Nord;2024;3;Gebäude;x\n", "unbekanntes Gebiet „Altstadt Nord“"),
    ("facades_funded;Fördergebiet;2024;3;Stück;x\n", "Einheit „Stück“ passt nicht zu facades_funded (erwartet „Gebäude“)"),
    ("facades_funded;Fördergebiet;2024;3;Gebäude;x\nfacades_funded;Fördergebiet;2024;4;Gebäude;x\n",
     "Zeile 4: facades_funded für „Fördergebiet“ 2024 steht schon in Zeile 3"),
    ("leerstand;Fördergebiet;2024;3;%;x\n", "unbekannter Indikator „leerstand“"),
    ("facades_funded;Fördergebiet;zwanzig;3;Gebäude;x\n", "ungültiges Jahr „zwanzig“"),
    ("facades_funded;Fördergebiet;2024;viele;Gebäude;x\n", "„viele“ ist keine Zahl"),
    ("facades_funded;Fördergebiet;2024;nan;Gebäude;x\n", "„nan“ ist keine Zahl"),
    ("facades_funded;Fördergebiet;2024;3;Gebäude;\n", "Quelle fehlt"),
])
def test_bad_rows_are_reported_and_nothing_is_stored(bochum, rows, message):
    before = _count(bochum)
    good = "facade_grants_eur;Fördergebiet;2025;1;€;ok\n"
    with pytest.raises(values.ValuesError) as exc:
        values.parse_csv(bochum, (HEADER + good + rows).encode())
    assert any(message in e for e in exc.value.errors), exc.value.errors
    assert _count(bochum) == before


@pytest.mark.parametrize("data, message", [
    (b"", "leer"), ("indicator;area;year\nx;y;2020\n".encode(), "Es fehlen Spalten: value, unit"),
    ("indicator;area;year;value;unit\n".encode(), "keine Werte"), ("Gebäude".encode("utf-16"), "UTF-8"),
])
def test_bad_files(bochum, data, message):
    with pytest.raises(values.ValuesError) as exc:
        values.parse_csv(bochum, data)
    assert message in str(exc.value)


def test_import_page_shows_errors_and_keeps_data(planner_client, bochum):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = _count(bochum)
    f = SimpleUploadedFile("werte.csv", (HEADER + "facades_funded;Mond;2024;3;Gebäude;x\n").encode(), "text/csv")
    r = planner_client.post("/concepts/bochum-innenstadt/indicators/", {"file": f})
    assert r.status_code == 400
    assert "unbekanntes Gebiet „Mond“" in r.content.decode()
    assert _count(bochum) == before


def test_reviewer_may_not_enter_values(reviewer_client, planner_client, bochum):
    ind = Indicator.objects.get(concept=bochum, code="facades_funded")
    url = f"/concepts/bochum-innenstadt/indicators/{ind.pk}/"
    form = {"area": "area", "year": 2025, "value": 21, "source": "Amt 61"}
    assert reviewer_client.post(url, form).status_code == 403
    assert reviewer_client.get(url).status_code == 200
    assert planner_client.post(url, form).status_code == 302
    assert IndicatorValue.objects.get(concept=bochum, indicator="facades_funded", date__year=2025).value == 21


def test_planner_deletes_an_entered_value_and_an_indicator(planner_client, reviewer_client, bochum):
    ind = Indicator.objects.get(concept=bochum, code="facades_funded")
    entered = IndicatorValue.objects.get(concept=bochum, indicator="facades_funded")
    url = f"/concepts/bochum-innenstadt/indicators/{ind.pk}/"
    assert reviewer_client.post(url, {"delete": entered.pk}).status_code == 403
    assert planner_client.post(url, {"delete": entered.pk}).status_code == 302
    assert not IndicatorValue.objects.filter(pk=entered.pk).exists()
    assert reviewer_client.post(url + "delete/").status_code == 403
    assert planner_client.post(url + "delete/").status_code == 302
    assert not Indicator.objects.filter(pk=ind.pk).exists()


def test_an_analysis_rerun_keeps_entered_values(bochum):
    from isek.analysis import jobs as analysis_jobs
    from isek.analysis.models import AnalysisRun

    run = AnalysisRun.objects.create(concept=bochum, city_layers=True, extract="")
    analysis_jobs.execute(run)
    run.refresh_from_db()
    assert run.status == "done", run.message
    entered = IndicatorValue.objects.create(concept=bochum, indicator="playgrounds_count", value=7, date=run.data_date,
                                            source="Zählung des Grünflächenamts")
    again = AnalysisRun.objects.create(concept=bochum, city_layers=True, extract="")
    analysis_jobs.execute(again)
    assert IndicatorValue.objects.filter(pk=entered.pk).exists()
    # Each run keeps its values; of the same data date only the current run's count.
    assert IndicatorValue.objects.filter(run=run).exists()
    from isek.analysis import services as analysis

    counted = analysis.counted_values(bochum).filter(indicator="playgrounds_count", quarter=None)
    assert {(v.run_id, v.pk) for v in counted} == {
        (again.pk, IndicatorValue.objects.get(run=again, indicator="playgrounds_count", quarter=None).pk),
        (None, entered.pk)}


def test_oversized_upload_is_refused(planner_client, bochum, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ISEK_UPLOAD_MAX_BYTES = 100
    before = _count(bochum)
    rows = "".join(f"facades_funded;Fördergebiet;{y};3;Gebäude;x\n" for y in range(2000, 2010))
    r = planner_client.post("/concepts/bochum-innenstadt/indicators/", {"file": SimpleUploadedFile("w.csv", (HEADER + rows).encode())})
    assert r.status_code == 400 and "erlaubt sind höchstens 0.0 MB" in r.content.decode().replace(",", ".")
    assert _count(bochum) == before
