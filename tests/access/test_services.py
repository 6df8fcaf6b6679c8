"""The application layer: every write service asks the policy, keeps its rules across rows and
records the change; a refused or broken write changes nothing. Small concepts from factories."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek import access
from isek.accounts import services as accounts
from isek.analysis import services as analysis
from isek.concepts import services as concepts
from isek.core.models import ChangeRecord
from isek.finance import services as finance
from isek.legal import services as legal
from isek.monitoring import services as monitoring
from isek.procedure import services as procedure
from tests.factories import CityFactory, ConceptFactory, FieldFactory, MeasureFactory, UserFactory, city_admin, member

pytestmark = pytest.mark.django_db

OPERATOR = access.Operator("test operator")


@pytest.fixture
def concept():
    return ConceptFactory(is_public=True)


@pytest.fixture
def planner(concept):
    return member(concept, "planner")


@pytest.fixture
def reviewer(concept):
    return member(concept, "reviewer")


def _snapshot():
    return ChangeRecord.objects.count()


# --- the policy is asked --------------------------------------------------------------------------


def _writes(concept, measure):
    """One call per write service, each on valid input."""
    return {
        "save_concept": lambda u: concepts.save_concept(u, concept),
        "save_quarter": lambda u: concepts.save_quarter(u, concept, concepts.Quarter(name="Neu", geometry=concept.area)),
        "save_structure": lambda u: concepts.save_structure(u, concept, goals=[concepts.Goal(
            field_of_action=measure.primary_field, number="9.1", title="Ziel")]),
        "save_measure": lambda u: concepts.save_measure(u, concept, concepts.Measure(
            number="9.9", title="Neu", primary_field=measure.primary_field)),
        "delete_measure": lambda u: concepts.delete_measure(u, concept, measure),
        "set_progress": lambda u: concepts.set_progress(u, concept, measure, 50),
        "save_costs": lambda u: finance.save_costs(u, concept, measure, financings=[finance.Financing(
            year=2025, source="bund", amount=Decimal("10.00"), status="planned")]),
        "save_rates": lambda u: finance.save_rates(u, concept, rates=[finance.FundingRate(year=2025, rate=Decimal("60"))]),
        "freeze_version": lambda u: finance.freeze_version(u, concept, "V1", "update"),
        "save_indicator": lambda u: monitoring.save_indicator(u, concept, monitoring.Indicator(
            code="x", name="X", kind="output", unit="count")),
        "save_payment": lambda u: monitoring.save_payment(u, concept, monitoring.Payment(
            measure=measure, year=2025, amount=Decimal("1.00"))),
        "save_year_notes": lambda u: monitoring.save_year_notes(u, concept, 2025, "Überblick"),
        "save_mapping": lambda u: monitoring.save_mapping(u, concept, "a = b", ";", True),
        "start_run": lambda u: analysis.start_run(u, concept, city_layers=True),
        "start_report": lambda u: monitoring.start_report(u, concept, "isek"),
        "save_draft": lambda u: procedure.save_draft(u, concept, year=max(concept.start_year, timezone.localdate().year),
                                                     freeze_as="Antrag",
                                                     council_decision=datetime.date(2025, 1, 1)),
    }


WRITES = sorted(_writes(None, None))


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("who, refusal", [("anonymous", Http404), ("citizen", PermissionDenied),
                                          ("reviewer", PermissionDenied)])
def test_write_services_refuse_who_may_not(concept, name, who, refusal):
    """Anonymous people on an internal concept get 404 (it stays hidden), the others 403 – except an
    application's pages for who is none of the concept's people (a citizen): 404, so that its numbers
    cannot be probed (decision 0087)."""
    measure = MeasureFactory(concept=concept)
    user = {"anonymous": None, "citizen": UserFactory(), "reviewer": member(concept, "reviewer")}[who]
    if who == "anonymous":
        concept.is_public = False
        concept.save()
    if who == "citizen" and name == "save_draft":
        refusal = Http404
    before = _snapshot()
    with pytest.raises(refusal):
        _writes(concept, measure)[name](user)
    assert _snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_write_services_work_for_the_planner_and_are_recorded(concept, planner, name, settings, tmp_path):
    measure = MeasureFactory(concept=concept)
    if name == "start_run":  # an analysis needs an input: the city's stops (without, it is refused)
        from django.core.files.uploadedfile import SimpleUploadedFile

        from isek.geodata import services as geodata

        settings.VAR_DIR = str(tmp_path)
        point = concept.area.centroid
        stops = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                 "geometry": {"type": "Point", "coordinates": [point.x, point.y]}}]}
        geodata.upload_layer(planner, concept, SimpleUploadedFile("stops.geojson", json.dumps(stops).encode()),
                             name="stops", label_de="Haltestellen", label_en="Stops", licence="CC0",
                             attribution="Test", analysis_input="stops")
    before = ChangeRecord.objects.filter(user=planner).count()
    _writes(concept, measure)[name](planner)
    if name not in ("start_run", "start_report", "save_concept"):  # jobs and an unchanged save record nothing
        assert ChangeRecord.objects.filter(user=planner).count() > before


def test_the_operator_acts_without_a_user_and_is_named(concept):
    measure = MeasureFactory(concept=concept)
    concepts.set_progress(OPERATOR, concept, measure, 30)
    record = ChangeRecord.objects.filter(model="concepts.Measure", object_id=str(measure.pk)).latest("pk")
    assert record.user is None and record.actor == "test operator"
    assert record.changes["progress"][1] == 30


@pytest.mark.parametrize("who", ["planner", "citizen"])
def test_site_actions_are_for_administrators(concept, who):
    user = member(concept, "planner") if who == "planner" else UserFactory()
    with pytest.raises(PermissionDenied):
        concepts.save_city(user, "14625240", "Hoyerswerda")
    with pytest.raises(PermissionDenied):
        concepts.create_concept(user, concept.city, slug="neu", name="Neu", start_year=2025, end_year=2030)
    with pytest.raises(PermissionDenied):
        concepts.delete_concept(user, concept)
    assert concepts.concept_by_slug(concept.slug) == concept
    feedback = legal.Feedback.objects.create(city=concept.city, email="a@example.org", message="Hallo")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        legal.save_texts(user, legal.texts_for(concept.city))
    for action in ("answered", "delete"):
        with pytest.raises(PermissionDenied):
            legal.set_feedback(user, feedback.pk, action)
    with pytest.raises(PermissionDenied):
        legal.feedback_list(user)
    assert _snapshot() == before and not legal.LegalTexts.objects.exists()
    assert legal.Feedback.objects.get().status == "open"


def test_the_administrator_saves_a_citys_legal_texts_recorded(concept):
    admin = UserFactory(is_superuser=True)
    legal.save_texts(admin, legal.texts_for(concept.city))
    assert ChangeRecord.objects.filter(user=admin, model="legal.LegalTexts").exists()


def test_site_policy_rows_are_all_tested():
    assert sorted(access.SITE_POLICY) == [("authority", "edit"), ("city", "edit"), ("city", "look"), ("concept", "create"),
                                          ("concept", "delete"), ("legal", "edit"), ("member", "invite"),
                                          ("portfolio", "view"),  # tests/procedure/test_review.py, the matrix
                                          ("provider", "edit")]


def test_a_city_administrators_site_actions_reach_their_city_only(concept):
    """Decision 0046: the administrator of a city acts in it – its legal texts, its look, who may
    start concepts there, new concepts there – and the installation's administrator keeps the rest."""
    own, other = concept.city, CityFactory(name="Anderswo")
    admin = city_admin(own)
    mine = legal.Feedback.objects.create(city=own, email="a@example.org", message="Hallo")
    theirs = legal.Feedback.objects.create(city=other, email="b@example.org", message="Hallo")
    installations = legal.Feedback.objects.create(city=None, email="c@example.org", message="Hallo")
    newcomer = UserFactory()
    before = _snapshot()
    for refused in (lambda: concepts.save_city(admin, own.ags, "Umbenannt"),
                    lambda: concepts.delete_concept(admin, concept),
                    lambda: concepts.save_city_addresses(admin, own, name=own.name, slug="neu", host=""),
                    lambda: concepts.grant_city_role(admin, own, newcomer, "admin"),
                    lambda: concepts.grant_city_role(admin, other, newcomer, "starter"),
                    lambda: concepts.save_city_look(admin, other, accent="#004b87"),
                    lambda: concepts.create_concept(admin, other, slug="neu", name="Neu", start_year=2025, end_year=2030),
                    lambda: legal.save_texts(admin, legal.texts_for(other)),
                    lambda: legal.save_texts(admin, legal.texts_for(None)),
                    lambda: legal.set_feedback(admin, theirs.pk, "answered"),
                    lambda: legal.set_feedback(admin, installations.pk, "answered"),
                    lambda: accounts.city_providers(admin, other),
                    lambda: accounts.delete_city_provider(admin, other, 1)):
        with pytest.raises(PermissionDenied):
            refused()
    assert _snapshot() == before
    legal.save_texts(admin, legal.texts_for(own))
    concepts.save_city_look(admin, own, accent="#004b87")
    concepts.grant_city_role(admin, own, newcomer, "starter")
    assert concepts.may_start_in(newcomer, own) and not concepts.may_start_in(newcomer, other)
    assert ChangeRecord.objects.filter(user=admin, model="legal.LegalTexts").exists()
    assert list(legal.feedback_list(admin)) == [mine]  # their city's messages only
    legal.set_feedback(admin, mine.pk, "answered")
    assert accounts.city_providers(admin, own) == []  # their city's identity providers (walk 22)


def test_planners_grant_and_revoke_roles_reviewers_may_not(concept, planner, reviewer):
    newcomer = UserFactory()
    with pytest.raises(PermissionDenied):
        concepts.grant_role(reviewer, concept, newcomer, "planner")
    concepts.grant_role(planner, concept, newcomer, "reviewer")
    assert access.role_of(newcomer, concept) == access.Role.REVIEWER
    concepts.revoke_role(planner, concept, newcomer)
    assert access.role_of(newcomer, concept) == access.Role.CITIZEN
    with pytest.raises(ValidationError) as exc:  # the last planner stays
        concepts.revoke_role(planner, concept, planner)
    assert exc.value.code == "last_planner"
    assert access.role_of(planner, concept) == access.Role.PLANNER


def test_administrator_creates_a_city_and_concept_and_grants_a_role():
    admin = UserFactory(is_superuser=True)
    city = concepts.save_city(admin, "14625240", "Hoyerswerda")
    concept = concepts.create_concept(admin, city, slug="hy", name="ISEK Altstadt", programme="lebendige_zentren",
                                      legal_basis="baugb_141", start_year=2025, end_year=2032)
    planner = UserFactory()
    concepts.grant_role(admin, concept, planner, "planner")
    assert access.role_of(planner, concept) == access.Role.PLANNER
    with pytest.raises(ValidationError):
        concepts.save_city(admin, "1462524", "Hoyerswerda")  # seven digits
    with pytest.raises(ValidationError):
        concepts.grant_role(admin, concept, planner, "mayor")
    assert access.role_of(planner, concept) == access.Role.PLANNER


# --- rules across rows ---------------------------------------------------------------------------


def test_measure_numbers_are_unique(concept, planner):
    m = MeasureFactory(concept=concept, number="1.1")
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        concepts.save_measure(planner, concept, concepts.Measure(number="1.1", title="x", primary_field=m.primary_field))
    assert exc.value.error_dict["number"][0].code == "duplicate_number"
    assert _snapshot() == before and concept.measures.count() == 1


def test_measure_takes_only_the_concepts_own_fields(concept, planner):
    other = FieldFactory(concept=ConceptFactory())
    with pytest.raises(ValidationError) as exc:
        concepts.save_measure(planner, concept, concepts.Measure(number="2.1", title="x", primary_field=other))
    assert exc.value.code == "foreign_structure"
    assert concept.measures.count() == 0


def test_structure_numbers_are_unique_and_fields_in_use_stay(concept, planner):
    f1, f2 = FieldFactory(concept=concept, number=1), FieldFactory(concept=concept, number=2)
    MeasureFactory(concept=concept, primary_field=f1)
    f2.number = 1
    with pytest.raises(ValidationError) as exc:
        concepts.save_structure(planner, concept, fields=[f2])
    assert exc.value.code == "duplicate_number" and "1" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        concepts.save_structure(planner, concept, removed_fields=[f1])
    assert [e.code for e in exc.value.error_list] == ["field_in_use"]
    assert sorted(concept.fields_of_action.values_list("number", flat=True)) == [1, 2]
    # Deleting 2 and adding a new 2 in the same step works.
    f2.refresh_from_db()
    concepts.save_structure(planner, concept, removed_fields=[f2], fields=[concepts.FieldOfAction(
        number=2, name="Neu", colour="#2e7d32")])
    assert concept.fields_of_action.get(number=2).name == "Neu"


def test_quarter_names_are_unique(concept, planner):
    concepts.save_quarter(planner, concept, concepts.Quarter(name="Altstadt", geometry=concept.area))
    with pytest.raises(ValidationError) as exc:
        concepts.save_quarter(planner, concept, concepts.Quarter(name="Altstadt", geometry=concept.area))
    assert "name" in exc.value.error_dict
    assert concept.quarters.count() == 1


def test_one_financing_row_per_year_and_source(concept, planner):
    m = MeasureFactory(concept=concept)
    row = dict(year=2025, source="bund", amount=Decimal("5.00"), status="planned")
    finance.save_costs(planner, concept, m, financings=[finance.Financing(**row)])
    with pytest.raises(ValidationError) as exc:
        finance.save_costs(planner, concept, m, financings=[finance.Financing(**row)])
    assert exc.value.code == "duplicate_financing"
    assert m.financing.count() == 1


def test_one_rate_per_year_and_unique_version_names(concept, planner):
    with pytest.raises(ValidationError) as exc:
        finance.save_rates(planner, concept, rates=[finance.FundingRate(year=2025, rate=Decimal("60")),
                                                    finance.FundingRate(year=2025, rate=Decimal("70"))])
    assert exc.value.code == "duplicate_rate" and finance.FundingRate.objects.filter(concept=concept).count() == 0
    finance.freeze_version(planner, concept, "Antrag", "first_application")
    with pytest.raises(ValidationError) as exc:
        finance.freeze_version(planner, concept, "Antrag", "update")
    assert "name" in exc.value.error_dict
    assert finance.version_names(concept) == ["Antrag"]


def test_indicator_codes_are_unique(concept, planner):
    monitoring.save_indicator(planner, concept, monitoring.Indicator(code="a", name="A", kind="output", unit="count"))
    with pytest.raises(ValidationError) as exc:
        monitoring.save_indicator(planner, concept, monitoring.Indicator(code="a", name="B", kind="output", unit="count"))
    assert "code" in exc.value.error_dict
    assert concept.indicators.count() == 1


def test_analysis_needs_an_input_and_a_released_extract(concept, planner):
    with pytest.raises(ValidationError) as exc:
        analysis.start_run(planner, concept)
    assert exc.value.code == "no_input"
    with pytest.raises(ValidationError) as exc:
        analysis.start_run(planner, concept, extract="/etc/passwd")
    assert "extract" in exc.value.error_dict
    assert concept.analysis_runs.count() == 0


def test_payment_of_another_concepts_measure_is_refused(concept, planner):
    foreign = MeasureFactory(concept=ConceptFactory())
    with pytest.raises(ValidationError):
        monitoring.save_payment(planner, concept, monitoring.Payment(measure=foreign, year=2025, amount=Decimal("1")))
    assert monitoring.Payment.objects.count() == 0
