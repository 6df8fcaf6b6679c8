"""City-states (walk 4, Bezirksamt Mitte in Berlin): the Land is the Gemeinde, decisions are the
Senat's or a Bezirksamt's. The KuF's pages, PDF and Excel do not say "Eigenanteil der Gemeinde"
or "Städtebauförderung Land", and the concept's pages do not say "Ratsbeschluss" there; the words
are data of the Land's rules (finance.land_rules). Other Länder keep theirs."""

from __future__ import annotations

import subprocess
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import translation

from isek.finance import land_rules
from isek.finance import services as finance
from isek.finance.models import CostItem, FundingRate
from isek.monitoring import readiness
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member

pytestmark = pytest.mark.django_db
GENERIC = ("Eigenanteil der Gemeinde", "Städtebauförderung Land", "Ratsbeschluss")


def _concept(ags):
    concept = ConceptFactory(city__ags=ags, city__name=f"Stadt {ags}", start_year=2026, end_year=2026,
                             council_decision_date="2026-02-03")
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), start="2026-01-01",
                       end="2026-12-31")
    FundingRate.objects.create(concept=concept, year=2026, rate=D(60))
    CostItem.objects.create(measure=m, year=2026, cost_group=finance.CostGroup.of(concept).first(),
                            amount=D("30000"), eligible=D("30000"))
    return concept, m


def _channels(client, concept, m, tmp_path) -> dict[str, str]:
    client.force_login(member(concept, "planner"))
    out = {what: client.get(url).content.decode() for what, url in (
        ("KuF", f"/concepts/{concept.slug}/kuf/"), ("measure KuF", f"/concepts/{concept.slug}/kuf/measures/{m.pk}/"),
        ("concept", f"/concepts/{concept.slug}/"), ("concept form", f"/concepts/{concept.slug}/edit/"),
        ("readiness", f"/concepts/{concept.slug}/readiness/"), ("dashboard", f"/concepts/{concept.slug}/dashboard/"))}
    finance.export_kuf(concept, None, "pdf", tmp_path / "kuf.pdf")
    out["PDF"] = " ".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "kuf.pdf"), "-"], capture_output=True,
                                         text=True, check=True).stdout.split())
    finance.export_kuf(concept, None, "xlsx", tmp_path / "kuf.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "kuf.xlsx")
    out["Excel"] = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    return out


@pytest.mark.parametrize("ags", ["11000000", "02000000", "04011000"])  # Berlin, Hamburg, the city of Bremen
def test_a_city_state_gets_its_own_words_everywhere(ags, client, tmp_path):
    concept, m = _concept(ags)
    words = land_rules.for_ags(ags).city_state.words
    for channel, text in _channels(client, concept, m, tmp_path).items():
        assert not [w for w in GENERIC if w in text], channel
        if channel in ("KuF", "measure KuF", "PDF", "Excel", "dashboard"):
            assert words["municipality"]["de"] in text and words["land"]["de"] in text, channel
        if channel in ("concept", "concept form", "readiness"):
            assert words["decision"]["de"] in text, channel


def test_bremerhaven_and_other_laender_keep_the_municipal_words(client, tmp_path):
    for ags in ("04012000", "05911000"):  # Bremerhaven is a Gemeinde of the Land Bremen; Bochum
        concept, m = _concept(ags)
        text = _channels(client, concept, m, tmp_path)
        assert "Eigenanteil der Gemeinde" in text["KuF"] and "Städtebauförderung Land" in text["KuF"]
        assert "Eigenanteil der Gemeinde" in text["PDF"] and "Eigenanteil der Gemeinde" in text["Excel"]
        decision = "Beschluss der Stadtverordnetenversammlung" if ags == "04012000" else "Ratsbeschluss"  # § 5 VerfBrhv
        assert decision in text["concept"] and f"{decision} am" in text["concept form"]


def test_the_words_are_english_in_the_english_ui():
    concept, _m = _concept("11000000")
    with translation.override("en"):
        labels = finance.source_labels(concept)
        item = next(i for i in readiness.check(concept) if i.key == "area")
    assert labels["municipality"] == land_rules.for_ags("11000000").city_state.words["municipality"]["en"]
    assert "Senate" in str(item.label)


def test_the_isek_pdf_and_the_monitoring_fields_use_a_city_states_words(tmp_path):
    """The ISEK PDF's decision line and the Begleitinformationen's field names follow the Land too."""
    from isek.monitoring import reports

    berlin, _m = _concept("11000000")
    words = land_rules.for_ags("11000000").city_state.words
    reports.isek_pdf(berlin, tmp_path / "isek.pdf")
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "isek.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert words["decision"]["de"] in text and "Ratsbeschluss" not in text
    # the financing table and its shares (walk 9: "Eigenanteil der Gemeinde 95,8 %" for Hamburg)
    assert words["municipality"]["de"] in text and not [w for w in GENERIC if w in text]
    with translation.override("de"):
        described = " ".join(str(label) for label, _get in reports.monitoring_fields(berlin).values())
    assert words["decision"]["de"] in described and words["municipality"]["de"] in described
    assert not [w for w in GENERIC if w in described]
    nrw, _m = _concept("05911000")
    with translation.override("de"):
        described = " ".join(str(label) for label, _get in reports.monitoring_fields(nrw).values())
    assert "Ratsbeschluss" in described and "Eigenanteil der Gemeinde (€)" in described
