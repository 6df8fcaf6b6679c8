"""Funding authorities as organisations (issue #23 point 1, decision 0050): an authority with its
district (the AGS prefixes it serves) and its staff, set up by the installation's administrator
only; bad prefixes are refused in German (and English) with nothing saved; the staff see of a
concept only what the public sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from isek import access
from isek.concepts import services
from isek.concepts.models import AuthorityPrefix, AuthorityRole, FundingAuthority
from isek.core.models import ChangeRecord
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import CityFactory, ConceptFactory, UserFactory, authority_staff, city_admin, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def arnsberg(admin):
    return services.save_authority(admin, FundingAuthority(name="Bezirksregierung Arnsberg", land="05"), ["059"])


def _problems(error: ValidationError) -> list[str]:
    return error.message_dict["prefixes"]


def test_a_city_belongs_to_the_authority_whose_prefix_its_ags_starts_with(admin, arnsberg):
    bochum, koeln = CityFactory(ags="05911000", name="Bochum"), CityFactory(ags="05315000", name="Köln")
    assert services.authority_of(bochum) == arnsberg and arnsberg.serves(bochum)
    assert services.authority_of(koeln) is None and not arnsberg.serves(koeln)
    assert ChangeRecord.objects.filter(user=admin, model="concepts.AuthorityPrefix").exists()
    services.save_authority(admin, arnsberg, ["059", "053"])  # the district changed: Köln now in it
    assert services.authority_of(koeln) == arnsberg
    services.save_authority(admin, arnsberg, ["053"])
    assert services.authority_of(bochum) is None
    assert list(arnsberg.prefixes.values_list("prefix", flat=True)) == ["053"]


@pytest.mark.parametrize("prefix", ["05a", "0", "059110", "٠٥٩", "05 9"])
def test_a_prefix_that_is_not_2_to_5_digits_is_refused_in_german_and_nothing_is_saved(admin, prefix):
    before = checksum()
    with pytest.raises(ValidationError) as refused:
        services.save_authority(admin, FundingAuthority(name="Bezirksregierung Arnsberg", land="05"), [prefix])
    assert _problems(refused.value) == [f"„{prefix}“ ist kein AGS-Präfix: nur Ziffern, 2 bis 5 Stellen (z. B. 059 für "
                                        "den Regierungsbezirk Arnsberg)."]
    assert checksum() == before


def test_the_refusal_is_in_english_for_english_users(admin):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.save_authority(admin, FundingAuthority(name="Bezirksregierung Arnsberg", land="05"), ["05a"])
    assert _problems(refused.value) == ["“05a” is not an AGS prefix: digits only, 2 to 5 of them (e.g. 059 for the "
                                        "Regierungsbezirk Arnsberg)."]


@pytest.mark.parametrize("prefix, other", [("0591", "059"), ("05", "059"), ("059", "059")])
def test_a_prefix_overlapping_another_authoritys_district_is_refused_and_nothing_is_saved(admin, arnsberg, prefix, other):
    before = checksum()
    with pytest.raises(ValidationError) as refused:
        services.save_authority(admin, FundingAuthority(name="Bezirksregierung Münster", land="05"), [prefix])
    assert _problems(refused.value) == [
        f"„{prefix}“ überschneidet sich mit „{other}“ von Bezirksregierung Arnsberg: eine Stadt gehört zu höchstens "
        "einer Bewilligungsbehörde."]
    assert checksum() == before


def test_a_prefix_outside_the_land_or_inside_another_of_the_same_district_is_refused(admin):
    with pytest.raises(ValidationError) as refused:
        services.save_authority(admin, FundingAuthority(name="Sächsische Aufbaubank", land="14"), ["059", "14", "146"])
    assert _problems(refused.value) == ["„059“ liegt nicht in Sachsen: dort beginnt jeder AGS mit 14.",
                                        "„14“ enthält schon „146“: bitte nur eines angeben."]
    with pytest.raises(ValidationError) as refused:
        services.save_authority(admin, FundingAuthority(name="Sächsische Aufbaubank", land="14"), [])
    assert _problems(refused.value) == ["Mindestens ein AGS-Präfix angeben, z. B. 059 für den Regierungsbezirk Arnsberg."]
    assert not FundingAuthority.objects.exists()


def test_only_the_installations_administrator_sets_up_authorities(arnsberg):
    city = CityFactory(ags="05911000")
    for user in (UserFactory(), city_admin(city), member(ConceptFactory(city=city), "planner"), authority_staff("059")):
        with pytest.raises(PermissionDenied):
            services.save_authority(user, FundingAuthority(name="Bezirksregierung Köln", land="05"), ["053"])
        with pytest.raises(PermissionDenied):
            services.grant_authority_role(user, arnsberg, user)
    assert list(FundingAuthority.objects.values_list("name", flat=True)) == ["Bezirksregierung Arnsberg"]


def test_the_admin_page_refuses_bad_prefixes_in_german_and_saves_good_ones(admin, arnsberg):
    client = client_for(admin)
    url = "/admin/concepts/fundingauthority/add/"
    form = {"name": "Bezirksregierung Köln", "land": "05", "staff-TOTAL_FORMS": "0", "staff-INITIAL_FORMS": "0"}
    before = checksum()
    for land, prefix, message in (("05", "05x", "„05x“ ist kein AGS-Präfix"),
                                  ("05", "0591", "„0591“ überschneidet sich mit „059“"),
                                  ("14", "053", "„053“ liegt nicht in Sachsen")):
        response = client.post(url, form | {"land": land, "prefixes": prefix})
        assert response.status_code == 200 and message in response.content.decode()
    assert checksum() == before
    planner = UserFactory(username="anna")
    response = client.post(url, form | {"prefixes": "053, 051", "staff-TOTAL_FORMS": "1", "staff-0-user": planner.pk,
                                        "staff-0-role": "reviewer"})
    assert response.status_code == 302
    koeln = FundingAuthority.objects.get(name="Bezirksregierung Köln")
    assert sorted(koeln.prefixes.values_list("prefix", flat=True)) == ["051", "053"]
    assert AuthorityRole.objects.get(user=planner).authority == koeln
    page = client.get(f"/admin/concepts/fundingauthority/{koeln.pk}/change/").content.decode()
    assert 'value="051, 053"' in page
    # changed to another Land: the prefixes are checked against the Land chosen, not the one stored
    response = client.post(f"/admin/concepts/fundingauthority/{koeln.pk}/change/",
                           form | {"land": "14", "prefixes": "053", "staff-TOTAL_FORMS": "0"})
    assert response.status_code == 200 and "„053“ liegt nicht in Sachsen" in response.content.decode()
    assert FundingAuthority.objects.get(pk=koeln.pk).land == "05"


def test_the_admin_page_is_the_installations_administrators_only(arnsberg):
    staff = UserFactory(is_staff=True)  # Django's staff flag alone is not the installation's administrator
    for user in (staff, city_admin(CityFactory(ags="05911000"))):
        assert client_for(user).get("/admin/concepts/fundingauthority/").status_code in (302, 403)
        assert client_for(user).post("/admin/concepts/fundingauthority/add/",
                                     {"name": "X", "land": "05", "prefixes": "053"}).status_code in (302, 403)
    assert FundingAuthority.objects.count() == 1 and AuthorityPrefix.objects.count() == 1


def test_the_authoritys_staff_see_nothing_of_a_concept_but_what_is_public(arnsberg):
    """No submission exists yet (issue #23 point 2): the staff of the district's authority get the
    public pages of a public concept and nothing of an internal one – not the draft, not its KuF."""
    city = CityFactory(ags="05911000", name="Bochum")
    public = ConceptFactory(city=city, is_public=True, status="active")
    draft = ConceptFactory(city=city, is_public=False, status="draft")
    reviewer = authority_staff("059")
    assert access.role_of(reviewer, draft) == access.Role.AUTHORITY
    client = client_for(reviewer)
    assert client.get(f"/concepts/{public.slug}/").status_code == 200
    assert client.get(f"/concepts/{public.slug}/kuf/").status_code == 403
    for path in ("", "kuf/", "kuf.xlsx", "readiness/", "dashboard/"):
        assert client.get(f"/concepts/{draft.slug}/{path}").status_code == 404, path
    assert list(access.visible_concepts(reviewer)) == [public]
    assert not access.allows(reviewer, "application", "view", draft)
    assert access.allows(reviewer, "application", "view", draft, submitted=True)
