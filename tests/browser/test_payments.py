"""Payments against the approval in Chromium with axe-core (issue #23 point 5): the city requests
payments for expenses it has paid, the district's funding authority releases less with a reason,
then checks the proof of use line by line and queries a line; the city answers and submits the
proof of use, the authority accepts it (decision 0063) – in German, and the proof of use in English.
Each side reaches its part from its to-do list (the authority's portfolio, the city's list of
applications; decision 0067)."""

import datetime

import pytest

from tests.factories import authority_staff
from tests.procedure import submit

from .conftest import axe_violations, cut_off, login

pytestmark = pytest.mark.browser


def test_a_payment_request_released_and_the_proof_of_use_checked(pages, kuf_city, live_server):
    from isek import access
    from isek.monitoring import services as monitoring
    from isek.procedure import services
    from isek.procedure.models import PaymentRequest

    concept, base = kuf_city, live_server.url
    planner_user = concept.roles.get(user__username="planer-neu").user
    app = submit(planner_user, concept)
    staff = authority_staff("14", name="Sächsische Aufbaubank")
    staff.set_password("pw-browser-123")
    staff.save()
    services.start_review(staff, concept, app)
    services.approve(staff, concept, app, decided_on=app.submitted_at.date(), file_number="34.1-2027/07")
    measure = concept.measures.get(number="1.1")
    for amount, note, receipt in (("40000.00", "Rechnung Tiefbau 1", "RE-2027-001"), ("12345.67", "Rechnung 2", "")):
        monitoring.save_payment(access.Operator("test"), concept,  # one with the Belegliste's columns (0082)
                                monitoring.Payment(measure=measure, year=2027, amount=amount, note=note, receipt=receipt,
                                                   paid_on=datetime.date(2027, 5, 10) if receipt else None),
                                today=datetime.date(2027, 12, 31))
    url = f"{base}/concepts/{concept.slug}/applications/{app.pk}/"

    planner = pages.new()
    login(planner, base, "planer-neu", "pw-test-123")
    planner.goto(url + "payments/")
    assert axe_violations(planner) == []
    planner.click("#request-new")
    for box in planner.locator("#request-form input[type=checkbox]").all():
        box.check()
    key = f"{measure.pk}-2027-bund"
    planner.fill(f"#id_amount-{key}", "-5")
    planner.click("#request-form button[type=submit]")
    assert "Ein angeforderter Betrag kann nicht negativ sein." in planner.inner_text("main")
    assert axe_violations(planner) == []
    planner.fill(f"#id_amount-{key}", "")
    planner.click("#request-form button[type=submit]")
    assert planner.get_attribute("#request-state", "data-state") == "draft"
    planner.click("#request-submit button")
    planner.click("#request-submit-confirmed")  # it asks first
    assert planner.get_attribute("#request-state", "data-state") == "submitted"
    assert axe_violations(planner) == []
    request = PaymentRequest.objects.get(application=app)
    # the expenses the submitted request cites offer no deletion but name the request (walk 23, decision
    # 0075); the measure's KuF shows the approved lines read-only (decision 0065)
    planner.goto(f"{base}/concepts/{concept.slug}/payments/")
    cited = planner.locator("#payments [data-cited]")
    assert cited.count() == 2 and "Mittelabruf Nr. 1" in cited.first.inner_text()
    assert planner.locator("#payments button[name=delete]").count() == 0
    assert planner.locator("#payments tbody tr").count() == 2
    assert axe_violations(planner) == []
    planner.locator("#payments [data-receipt-link]").nth(1).click()  # the receipt details of the second
    assert axe_violations(planner) == []
    planner.fill("#id_r-receipt", "RE-2027-002")
    planner.click("#receipt-form button[type=submit]")
    assert "RE-2027-002" in planner.inner_text("#payments")
    assert axe_violations(planner) == []
    planner.goto(f"{base}/concepts/{concept.slug}/kuf/measures/{measure.pk}/")
    assert planner.locator("fieldset[data-locked] input[name$=-amount]").first.is_disabled()
    assert axe_violations(planner) == []

    authority = pages.new()
    login(authority, base, staff.username)
    # the authority's page opens with what waits for it: the request, linked (decision 0067)
    from isek.concepts.models import FundingAuthority

    district = FundingAuthority.objects.get(prefixes__prefix="14")
    authority.goto(f"{base}/authorities/{district.pk}/")
    assert authority.url.endswith(f"/authorities/{district.pk}/portfolio/")
    assert authority.locator("#todo-list tr[data-kind=payment_request]").count() == 1
    assert "Zu erledigen (1)" in authority.inner_text("#todo-heading")
    assert axe_violations(authority) == []
    authority.click("#todo-list tr[data-kind=payment_request] a")
    assert authority.url == url + f"payments/{request.number}/"
    assert axe_violations(authority) == []
    authority.fill(f"#id_amount-{key}", "17.000,00")
    authority.click("#release-form button[type=submit]")
    assert "Bitte begründen Sie, warum weniger freigegeben wird als angefordert." in authority.inner_text("main")
    assert axe_violations(authority) == []
    authority.fill(f"#id_reason-{key}", "Rechnung 2 nicht prüffähig")
    authority.click("#release-form button[type=submit]")  # asks first, naming the sum (walk 23)
    assert "wirklich freigeben?" in authority.inner_text("h1") and authority.locator("#release-confirm").count() == 1
    assert authority.locator("#release-form").count() == 0  # the question only, not the form again (0087)
    assert axe_violations(authority) == []
    authority.click("#release-confirmed")
    assert "Freigegeben sind" in authority.inner_text("#release-done")  # short, with the amount (decision 0087)
    assert axe_violations(authority) == []
    authority.click("#release-back")
    assert authority.get_attribute("#request-state", "data-state") == "released"
    authority.set_viewport_size({"width": 1280, "height": 900})
    authority.goto(url + "proof/")
    # walk 23: the table was cut at 1300 px. At 1280 px nothing lies beyond the page or a container
    # that does not scroll, and the proof's tables fit without scrolling (their headers wrap)
    assert cut_off(authority) == []
    assert authority.evaluate("() => [...document.querySelectorAll('main table[id^=proof-]')].filter("
                              "t => t.parentElement.scrollWidth > t.parentElement.clientWidth).map(t => t.id)") == []
    assert axe_violations(authority) == []
    assert "RE-2027-001" in authority.inner_text("#proof-receipts")  # the Belegliste beside the check (0082)
    # the line check: a visible label for the remark, the two buttons side by side or stacked, never overlapping
    assert authority.locator(f"label[for=remark-{key}]").bounding_box()["width"] > 20
    checked, queried = (authority.locator(f"#line-{key} button[value={v}] > .kern-label").bounding_box()
                        for v in ("checked", "queried"))
    assert checked["x"] + checked["width"] <= queried["x"] or checked["y"] + checked["height"] <= queried["y"]
    authority.click(f"#line-{key} button[value=checked]")
    assert authority.get_attribute(f"#line-{key} .isek-proof-check", "data-check") == "checked"
    assert "1 von" in authority.inner_text("#proof-progress")
    land = f"{measure.pk}-2027-land"
    authority.fill(f"#remark-{land}", "Beleg für Rechnung 2 fehlt")
    authority.click(f"#line-{land} button[value=queried]")
    assert authority.get_attribute(f"#line-{land} .isek-proof-check", "data-status") == "queried"
    # the city answers the query and submits the proof of use (decision 0063); its list of
    # applications says what waits for it and leads to the line (decision 0067)
    planner.goto(f"{base}/concepts/{concept.slug}/applications/")
    assert planner.locator("#todo-list li[data-kind=query]").count() == 1
    assert "Beleg für Rechnung 2 fehlt" in planner.inner_text("#todo-list")
    assert axe_violations(planner) == []
    planner.click("#todo-list li[data-kind=query] a")
    assert planner.url == url + f"proof/#line-{land}"
    assert planner.locator(f"#proof-queries a[href='#line-{land}']").count() == 1
    assert planner.locator("#proof-submit-form").count() == 0  # an open query first
    planner.fill(f"#answer-{land}", "Beleg liegt jetzt bei")
    planner.click(f"#line-{land} .isek-proof-answer button")
    assert planner.get_attribute(f"#line-{land} .isek-proof-check", "data-status") == "answered"
    planner.fill("#id_report", "Der Marktplatz ist umgebaut.")
    planner.check("#id_confirmed")
    planner.click("#proof-submit-form button[type=submit]")
    assert planner.get_attribute("#proof-state-now", "data-state") == "submitted"
    assert planner.locator("#proof-submissions a[data-kind=pdf]").count() == 1
    assert axe_violations(planner) == []
    # the authority sees the answer beside its query, checks the line and accepts the proof
    authority.reload()
    assert "Beleg liegt jetzt bei" in authority.inner_text(f"#line-{land}")
    authority.click(f"#line-{land} button[value=checked]")
    assert axe_violations(authority) == []
    authority.click("#proof-accept button")
    assert "Zeilen sind geprüft" in authority.inner_text("#accept-confirm")
    authority.click("#accept-confirmed")
    assert authority.get_attribute("#proof-state-now", "data-state") == "accepted"
    assert axe_violations(authority) == []
    # a returned request is replaced, not corrected: its page says so and starts a new one with its expenses
    late = monitoring.save_payment(access.Operator("test"), concept, monitoring.Payment(
        measure=measure, year=2027, amount="100.00", note="Rechnung 3"), today=datetime.date(2027, 12, 31))
    returned = services.draft_request(planner_user, concept, app, payments=[late.pk])
    services.submit_request(planner_user, concept, returned)
    services.return_request(staff, concept, returned, reason="Rechnung 3 ohne Beleg")
    planner.goto(url + f"payments/{returned.number}/")
    assert "Zurückgegeben: Rechnung 3 ohne Beleg" in planner.inner_text("#request-returned")
    assert axe_violations(planner) == []
    planner.click("#request-renew")
    assert planner.locator(f"#request-form input[value='{late.pk}']").is_checked()
    assert planner.locator("#request-template").count() == 1
    assert axe_violations(planner) == []
    authority.evaluate("() => document.cookie = 'django_language=en; path=/'")
    authority.reload()
    assert "Proof of use" in authority.inner_text("h1")
    assert axe_violations(authority) == []
