"""The city answers the authority's remark in words (issue 23, decision 0098): stored, shown under the
remark on both sides, in the change history, mailed to the district's authority; the authority still
closes it. Bad input – empty, too long, a remark of another version – is refused with a message and
changes nothing."""

from __future__ import annotations

from django.core import mail as outbox

from isek.core.models import ChangeRecord
from isek.procedure import services
from isek.procedure.models import Remark
from tests.conftest import client_for
from tests.procedure import submit


def _reply_state(remark: Remark) -> tuple:
    remark.refresh_from_db()
    return remark.reply, remark.replied_at, remark.replied_by_id, remark.state


def test_the_city_answers_a_remark_in_words_and_the_authority_still_closes_it(world, settings,
                                                                               django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    concept, app, planner, staff = world["concept"], world["app"], world["planner"], world["authority"]
    staff.email = "pruefung@lds.example"
    staff.save()
    request = services.add_remark(staff, concept, app, kind="request", about="figures", text="Bitte die Kosten 2028 belegen.")
    comment = services.add_remark(staff, concept, app, kind="comment", about="application", text="Nur eine Anmerkung.")
    page = f"/concepts/{concept.slug}/applications/{app.pk}/"
    city, authority = client_for(planner), client_for(staff)
    assert f'action="{page}remarks/{request.pk}/reply/"' in city.get(page).content.decode()
    assert "/reply/" not in authority.get(page).content.decode()  # the authority closes, it does not answer
    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        got = city.post(f"{page}remarks/{request.pk}/reply/", {"reply": "  Die Belege folgen mit Version 2.  "})
    assert got.status_code == 302 and got["Location"] == f"{page}#remark-{request.pk}-reply"
    reply, replied_at, replied_by, state = _reply_state(request)
    assert (reply, replied_by, state) == ("Die Belege folgen mit Version 2.", planner.pk, "open")
    assert replied_at is not None
    # mailed to the district's authority, with the remark it answers and the link to it
    [sent] = outbox.outbox
    assert sent.to == ["pruefung@lds.example"] and "Antwort von Hoyerswerda auf Ihren Vermerk" in sent.subject
    assert "Die Belege folgen mit Version 2." in sent.body and "Bitte die Kosten 2028 belegen." in sent.body
    assert f"{page}#remark-{request.pk}" in sent.body
    # in the change history
    record = ChangeRecord.objects.filter(model="procedure.Remark", object_id=str(request.pk)).order_by("id").last()
    assert record.actor == planner.username and record.changes["reply"][1] == "Die Belege folgen mit Version 2."
    # shown under the remark on both sides, in German and in English
    for client in (city, authority):
        html = client.get(page).content.decode()
        shown = html.split(f'id="remark-{request.pk}-reply"')[1].split("</div>")[0]
        assert "Antwort der Stadt" in shown and "Die Belege folgen mit Version 2." in shown
    english = client_for(staff)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "The city's answer" in english.get(page).content.decode().split(f'id="remark-{request.pk}-reply"')[1][:200]
    # the authority can still close it ("erledigt"); a closed remark takes no answer
    services.close_remark(staff, concept, request)
    assert "/reply/" not in city.get(page).content.decode().split(f'id="remark-{request.pk}"')[1].split("</li>")[0]
    before = _reply_state(request)
    refused = city.post(f"{page}remarks/{request.pk}/reply/", {"reply": "Noch etwas"}, follow=True)
    assert "Dieser Vermerk ist schon erledigt." in refused.content.decode() and _reply_state(request) == before
    # bad input: refused with a message, nothing changed, nothing mailed
    outbox.outbox.clear()
    before, records = _reply_state(comment), ChangeRecord.objects.count()
    for text, message in (("   ", "Bitte geben Sie eine Antwort ein."),
                          ("x" * 2001, "Die Antwort darf höchstens 2000 Zeichen lang sein (sie hat 2001).")):
        with django_capture_on_commit_callbacks(execute=True):
            refused = city.post(f"{page}remarks/{comment.pk}/reply/", {"reply": text}, follow=True)
        assert message in refused.content.decode(), message
    assert _reply_state(comment) == before and ChangeRecord.objects.count() == records and outbox.outbox == []
    # a remark of another version of the application, posted to this one's address
    second = submit(planner, concept, name="Programmanmeldung 2027 v2")
    other = f"/concepts/{concept.slug}/applications/{second.pk}/remarks/{comment.pk}/reply/"
    refused = city.post(other, {"reply": "Falsche Seite"}, follow=True)
    assert "Dieser Vermerk gehört zu Version 1 des Antrags, nicht zu dieser" in refused.content.decode()
    assert _reply_state(comment) == before
    # the authority's staff may not answer for the city
    assert authority.post(f"{page}remarks/{comment.pk}/reply/", {"reply": "Von uns"}).status_code in (403, 404)
    assert _reply_state(comment) == before
