"""Walk 10 (a planner of Offenbach am Main, Hessen): the wizard, the edit form, "Was fehlt noch?"
and the PDF said "Ratsbeschluss"; in Hessen a town's council is the Stadtverordnetenversammlung
(§ 9 Abs. 1 HGO), as in Brandenburg (§ 27 Abs. 1 BbgKVerf) and Bremerhaven (§ 5 VerfBrhv). The
names are data (finance/fixtures/council_words.json) with their sources; other Länder keep
"Ratsbeschluss"."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client

from isek.finance import land_rules
from isek.monitoring import reports
from tests.finance.test_city_states import _concept

pytestmark = pytest.mark.django_db
DECISION = "Beschluss der Stadtverordnetenversammlung"


@pytest.mark.parametrize("ags", ["06413000", "12054000", "04012000"])  # Offenbach, Potsdam, Bremerhaven
def test_the_council_is_named_as_the_lands_gemeindeordnung_does(ags, tmp_path):
    concept, _m = _concept(ags)
    from tests.factories import member

    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    form = planner.get(f"/concepts/{concept.slug}/edit/").content.decode()
    assert f"{DECISION} am" in form and "Ratsbeschluss" not in form
    assert DECISION in planner.get(f"/concepts/{concept.slug}/").content.decode()
    page = planner.get(f"/concepts/{concept.slug}/readiness/").content.decode()
    assert f"Fördergebiet, Rechtsgrundlage und {DECISION}" in page and "Ratsbeschluss" not in page
    reports.isek_pdf(concept, tmp_path / "isek.pdf")
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "isek.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert DECISION in text and "Ratsbeschluss" not in text
    assert "§" in land_rules.council(ags)["source"]


def test_the_wizard_names_the_stadtverordnetenversammlung_for_a_hessian_ags(db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    starter = UserFactory()
    starter.user_permissions.add(Permission.objects.get(codename="add_concept"))
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(starter)
    html = client.post("/concepts/new/", {"ags": "06413000", "name": ""}).content.decode()
    select = html.split('name="legal_basis"')[1].split("</select>")[0]
    assert f'value="council">{DECISION}</option>' in select.replace("\n", "")


def test_other_laender_keep_ratsbeschluss_and_the_english_ui_says_town_council():
    assert land_rules.wording("05911000", "de") == {}  # Bochum (NRW: der Rat)
    assert land_rules.wording("09162000", "de") == {}  # München
    assert land_rules.wording("04011000", "de")["decision"] == "Senatsbeschluss"  # the city of Bremen: the Senat
    assert land_rules.wording("06413000", "en")["decision"] == "Decision of the town council (Stadtverordnetenversammlung)"
