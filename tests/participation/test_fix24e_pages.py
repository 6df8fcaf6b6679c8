"""A stranger's walk with the DIPAS file of Hamburg-Ottensen (fix24e), the pages: the evaluation
report names the paper a city-state's council decides on, not a "Ratsvorlage"; the phase's area
is labelled as needed where the concept has no funding area."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from isek.concepts.models import City
from isek.participation import services
from isek.participation.models import Phase
from isek.participation.services.report import council_paper
from tests.factories import ConceptFactory, member

from .conftest import OPERATOR
from .test_bayreuth_walk import _phase_form


def test_the_report_names_the_paper_of_a_city_state_and_a_ratsvorlage_elsewhere(phase):
    """Walk (fix24e): Hamburg has no Stadtrat; the report said "zum Anhängen an … eine Ratsvorlage"."""
    assert council_paper("02000000") == "Drucksache für die Bezirksversammlung"
    assert council_paper("11000000") == "Vorlage für die Bezirksverordnetenversammlung"
    assert council_paper("04011000") == "Vorlage für die Stadtbürgerschaft"
    assert council_paper("04012000") == "Vorlage für die Stadtverordnetenversammlung"  # Bremerhaven
    assert council_paper("05911000") == council_paper("") == "Ratsvorlage"
    with translation.override("en"):
        assert council_paper("02000000") == "paper for the district assembly (Drucksache für die Bezirksversammlung)"
        assert council_paper("05911000") == "council paper"
    City.objects.filter(pk=phase.concept.city_id).update(ags="02000000")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(phase.concept, "moderator"))
    page = c.get(f"/concepts/{phase.concept.slug}/participation/phases/{phase.pk}/report/").content.decode()
    assert "zum Anhängen an das ISEK oder eine Drucksache für die Bezirksversammlung:" in page
    assert "Ratsvorlage" not in page and "Rat " not in page
    phase.concept.city.refresh_from_db()
    report = services.evaluation_report(OPERATOR, phase.concept, phase)
    with translation.override("de"):
        pdf = render_to_string("participation/report_pdf.html", {"r": report, "method": "", "map": None})
    assert "zur Anlage an das ISEK oder eine Drucksache für die Bezirksversammlung." in pdf and "Ratsvorlage" not in pdf


def _label(html: str) -> str:
    import re

    return re.search(r'<label class="kern-label" for="id_polygon">(.*?)</label>', html, re.S).group(1)


def test_the_phase_area_is_labelled_as_needed_where_the_concept_has_no_funding_area(db):
    """Walk (fix24e): "Gebiet für Ideen – optional", then refused as needed when the concept has no funding area."""
    concept = ConceptFactory(area=None)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    new = f"/concepts/{concept.slug}/participation/phases/new/"
    label = _label(planner.get(new).content.decode())
    assert "nötig, das Konzept hat kein Fördergebiet" in label and "– optional" not in label and "leer: das Fördergebiet" not in label
    r = planner.post(new, _phase_form("%Y-%m-%dT%H:%M"))
    assert r.status_code == 400 and not Phase.objects.exists()
    assert "Ohne Fördergebiet braucht die Phase ein eigenes Gebiet für Ideen." in r.content.decode()
    # with a funding area it is optional (empty: the funding area)
    with_area = ConceptFactory()
    planner.force_login(member(with_area, "planner"))
    label = _label(planner.get(f"/concepts/{with_area.slug}/participation/phases/new/").content.decode())
    assert "– optional" in label and "nötig" not in label
