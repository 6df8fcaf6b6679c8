"""The second factor where the installation requires it (production): planners, moderators and
administrators set up TOTP on their first sign-in and enter a code after that; a backup code
works once; citizens and reviewers are not asked; the API (by key) is not affected."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import ConceptFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _code(user) -> str:
    device = TOTPDevice.objects.filter(user=user).latest("id")
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


# django-otp slows down guessing (a growing delay after each wrong code); off here, where a right
# code follows a wrong one at once.
@override_settings(ISEK_REQUIRE_SECOND_FACTOR=True, OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)
def test_a_planner_sets_it_up_then_uses_a_code_or_a_backup_code():
    concept = ConceptFactory()
    planner = member(concept, "planner")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(planner)
    r = c.get(f"/concepts/{concept.slug}/edit/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/second-factor/?next=")
    page = c.get(r["Location"]).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page and 'id="totp-secret"' in page
    r = c.post("/accounts/second-factor/", {"code": "000000", "next": f"/concepts/{concept.slug}/edit/"})
    assert r.status_code == 400 and "Der Code stimmt nicht" in r.content.decode()
    r = c.post("/accounts/second-factor/", {"code": _code(planner), "next": f"/concepts/{concept.slug}/edit/"})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", r.content.decode())
    assert len(codes) == 10
    assert c.get(f"/concepts/{concept.slug}/edit/").status_code == 200  # verified in this session

    again = Client()
    again.force_login(planner)
    assert again.get(f"/concepts/{concept.slug}/edit/").status_code == 302
    assert "Bitte den Code der Authenticator-App" in again.get("/accounts/second-factor/").content.decode()
    r = again.post("/accounts/second-factor/", {"code": codes[0], "next": f"/concepts/{concept.slug}/edit/"})
    assert r.status_code == 302 and again.get(f"/concepts/{concept.slug}/edit/").status_code == 200
    third = Client()
    third.force_login(planner)
    assert third.post("/accounts/second-factor/", {"code": codes[0]}).status_code == 400  # used up
    assert third.post("/accounts/second-factor/", {"code": "https://evil.example/"}).status_code == 400
    r = third.post("/accounts/second-factor/", {"code": codes[1], "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"  # no redirect to another site


@override_settings(ISEK_REQUIRE_SECOND_FACTOR=True)
def test_who_is_asked():
    concept = ConceptFactory()
    for user, asked in ((UserFactory(), False), (member(concept, "reviewer"), False), (member(concept, "moderator"), True),
                        (UserFactory(is_superuser=True, is_staff=True), True)):
        c = Client()
        c.force_login(user)
        assert (c.get("/").status_code == 302) is asked, user
        assert c.get(f"/api/v1/concepts/{concept.slug}/").status_code == 200  # the API is not behind it


def test_the_demo_does_not_ask():
    concept = ConceptFactory()
    c = Client()
    c.force_login(member(concept, "planner"))
    assert c.get(f"/concepts/{concept.slug}/edit/").status_code == 200


@override_settings(ISEK_REQUIRE_SECOND_FACTOR=True)
def test_a_session_without_the_second_factor_cannot_write_through_the_api():
    import json

    from isek.concepts.models import Milestone
    from tests.factories import MeasureFactory

    concept = ConceptFactory()
    measure = MeasureFactory(concept=concept)
    c = Client()
    c.force_login(member(concept, "planner"))
    r = c.post(f"/api/v1/concepts/{concept.slug}/measures/{measure.number}/milestones/",
               json.dumps({"title": "ohne zweiten Faktor"}), content_type="application/json")
    assert r.status_code == 401 and not Milestone.objects.exists()
