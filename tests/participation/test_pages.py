"""The participation pages as citizens, moderators and planners use them (Django's test client):
the channel's guards (proof of work, honeypot, rate limit), the area rule through the form,
photos checked by content, escaped text, the author reading the reason, deletion by link,
exports with neutralised formulas."""

from __future__ import annotations

import io
import json

import altcha
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from isek.concepts import services as concepts
from isek.participation import photos, services
from isek.participation.models import Contributor, Idea, Phase, Status
from tests.factories import member, multipolygon, square

from .conftest import INSIDE, OPERATOR, OUTSIDE, idea


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


def solved(client, concept) -> str:
    """What the ALTCHA widget puts into the form: a solved challenge fetched from isek."""
    data = client.get(f"/concepts/{concept.slug}/participation/challenge/").json()
    challenge = altcha.v2.Challenge.from_dict(data)
    solution = altcha.solve_challenge(challenge)
    return altcha.v2.Payload(challenge, solution).to_base64()


def _idea_data(client, phase, **kw):
    return {"theme": str(phase.themes.first().pk), "title": "Mehr Bäume", "text": "Am Platz fehlt Schatten.",
            "geometry": json.dumps({"type": "Point", "coordinates": [7.2125, 51.4815]}), "altcha": solved(client, phase.concept),
            **kw}


def _post_idea(client, phase, files=None, headers=None, **kw):
    return client.post(f"/concepts/{phase.concept.slug}/participation/ideas/new/",
                       {**_idea_data(client, phase, **kw), **(files or {})}, **(headers or {}))


def test_a_citizen_submits_and_reads_the_deletion_link_once(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(client, phase, name="Anna")
    assert r.status_code == 302, r.content.decode()[:2000]
    idea = Idea.objects.get()
    assert idea.status == Status.PENDING and idea.author == "Anna"
    assert "isek_contributor" in r.cookies
    page = client.get(r["Location"]).content.decode()
    assert "noch nicht öffentlich" in page and "/participation/delete/" in page
    assert "/participation/delete/" not in client.get(r["Location"]).content.decode()  # shown once
    # Not public yet: another browser gets 404.
    assert Client().get(r["Location"]).status_code == 404


def test_guards_refuse_without_storing(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{phase.concept.slug}/participation/ideas/new/"
    r = client.post(url, {**_idea_data(client, phase), "altcha": ""})
    assert r.status_code == 400 and "Prüfung gegen automatische Einsendungen" in r.content.decode()
    r = client.post(url, {**_idea_data(client, phase), "website": "http://spam.example"})
    assert r.status_code == 400 and "verstecktes Feld" in r.content.decode()
    data = _idea_data(client, phase)
    assert client.post(url, data).status_code == 302
    r = client.post(url, data)  # the same solved challenge again
    assert r.status_code == 400 and "Prüfung gegen automatische Einsendungen" in r.content.decode()
    forged = json.loads(__import__("base64").b64decode(data["altcha"]))
    forged["solution"]["counter"] += 1
    r = client.post(url, {**data, "altcha": __import__("base64").b64encode(json.dumps(forged).encode()).decode()})
    assert r.status_code == 400
    assert Idea.objects.count() == 1


def test_a_burst_from_one_client_is_slowed_down(phase, settings):
    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "idea": (3, 600)}
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    codes = [_post_idea(client, phase, title=f"Idee {n}").status_code for n in range(5)]
    assert codes == [302, 302, 302, 400, 400]
    assert Idea.objects.count() == 3
    other = Client(HTTP_ACCEPT_LANGUAGE="de", REMOTE_ADDR="192.0.2.7")
    assert _post_idea(other, phase).status_code == 302  # another address is another client
    # Nothing of the address is stored: the counters are keyed by an HMAC of it with today's secret.
    from isek.core.models import RateCount

    keys = list(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 2 and not any("127.0.0.1" in k or "192.0.2.7" in k for k in keys)
    assert {RateCount.objects.get(key=k).count for k in keys} == {5, 1}


def test_outside_the_area_through_the_form(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(client, phase, geometry=json.dumps({"type": "Point", "coordinates": [7.30, 51.50]}))
    assert r.status_code == 400 and "außerhalb des Gebiets dieser Beteiligung" in r.content.decode()
    assert not Idea.objects.exists() and not Contributor.objects.exists()


def test_a_planners_change_reaches_the_next_submission(phase):
    """The submission path keeps what it reads of the concept per process (submission_setting):
    a change to the phase or the concept is seen by the very next submission."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert _post_idea(client, phase).status_code == 302  # read and kept
    services.save_phase(OPERATOR, phase.concept, phase, polygon=multipolygon(square(7.2101, 51.4801, 100)))
    r = _post_idea(client, phase)  # the kept place lies outside the new polygon
    assert r.status_code == 400 and "außerhalb des Gebiets dieser Beteiligung" in r.content.decode()
    services.save_phase(OPERATOR, phase.concept, phase, polygon=None, ideas_open=False)
    assert _post_idea(client, phase).status_code == 400
    assert Idea.objects.count() == 1
    concept = phase.concept
    concept.is_public = False
    concepts.save_concept(OPERATOR, concept)
    assert _post_idea(client, phase).status_code == 404


def test_what_a_submission_keeps_expires_with_time(phase, monkeypatch):
    """Which phase is current changes with time alone, without a write that changes the tag:
    what is kept is read again after SETTING_SECONDS."""
    slug = phase.concept.slug
    assert services.submission_setting(slug)[1] == phase
    Phase.objects.filter(pk=phase.pk).update(title_de="Neu gelesen")  # no change record, no new tag
    assert services.submission_setting(slug)[1].title_de != "Neu gelesen"
    later = services.phase._clock() + services.SETTING_SECONDS + 1
    monkeypatch.setattr(services.phase, "_clock", lambda: later)
    assert services.submission_setting(slug)[1].title_de == "Neu gelesen"
    assert services.submission_setting("no-such-concept") is None


@pytest.mark.django_db(transaction=True)
def test_a_browser_whose_contributions_were_deleted_takes_part_anew(phase):
    """Outside a transaction the browser's contributor is named by its cookie and not read; the
    insert checks it. After the deletion link removed it, the next idea gets a new contributor."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(client, phase)
    assert r.status_code == 302
    first = Contributor.objects.get()
    page = client.get(r["Location"]).content.decode()
    link = page.split('href="http://testserver/participation/delete/')[1].split('"')[0]
    with CaptureQueriesContext(connection) as queries:
        assert _post_idea(client, phase, title="Zweite Idee").status_code == 302
    assert not [q for q in queries.captured_queries if "participation_contributor" in q["sql"]]  # not read
    assert list(Idea.objects.values_list("contributor", flat=True)) == [first.pk, first.pk]
    assert client.post(f"/participation/delete/{link}").status_code == 200
    assert not Contributor.objects.exists() and not Idea.objects.exists()
    r = _post_idea(client, phase, title="Dritte Idee")
    assert r.status_code == 302, r.content.decode()[:2000]
    again = Contributor.objects.get()
    assert again.pk != first.pk and Idea.objects.get().contributor == again
    assert "/participation/delete/" in client.get(r["Location"]).content.decode()  # a new link for the new one


def test_a_place_from_the_list_without_javascript(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    form = client.get(f"/concepts/{phase.concept.slug}/participation/ideas/new/").content.decode()
    assert "Mitte des Gebiets" in form
    place = services.places(phase)[0][0]
    assert _post_idea(client, phase, geometry="", place=place).status_code == 302
    assert phase.area().contains(Idea.objects.get().geometry)


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), "#336699")
    exif = Image.Exif()
    exif[0x010F] = "Kamera"  # Make
    exif[0x8825] = {2: (51.0, 28.0, 53.0)}  # GPS latitude
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_photos_are_checked_by_content_and_lose_their_metadata(phase, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    exe = io.BytesIO(b"MZ\x90\x00\x03" + b"\x00" * 200)
    exe.name = "urlaub.jpg"
    r = _post_idea(client, phase, files={"photo": exe}, photo_rights="on")
    assert r.status_code == 400 and "kein Foto" in r.content.decode()
    photo = io.BytesIO(_jpeg_with_gps())
    photo.name = "platz.jpg"
    r = _post_idea(client, phase, files={"photo": photo})
    assert r.status_code == 400 and "Nutzungsrechte" in r.content.decode()
    assert not Idea.objects.exists() and not any(photos.directory().iterdir())
    photo.seek(0)
    assert _post_idea(client, phase, files={"photo": photo}, photo_rights="on").status_code == 302
    stored = photos.path_of(Idea.objects.get().photo)
    with Image.open(stored) as img:
        assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info


def test_html_is_shown_as_text_everywhere(phase, citizen):
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="<script>alert(1)</script>",
                             text="<img src=x onerror=alert(2)>", geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    for url in (f"/concepts/{phase.concept.slug}/participation/", f"/concepts/{phase.concept.slug}/participation/ideas/{i.pk}/"):
        html = Client().get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
    geo = Client().get(f"/concepts/{phase.concept.slug}/ideas.geojson").json()
    assert geo["features"][0]["properties"]["title"] == "<script>alert(1)</script>"  # data stays data; map.mjs escapes


def test_the_author_reads_why_and_others_do_not_see_it(phase, concept):
    author = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(author, phase)
    idea = Idea.objects.get()
    moderator = Client(HTTP_ACCEPT_LANGUAGE="de")
    moderator.force_login(member(concept, "moderator"))
    queue = moderator.get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert f'data-queue-idea="{idea.pk}"' in queue
    r = moderator.post(f"/concepts/{concept.slug}/moderation/", {"kind": "idea", "pk": idea.pk, "action": "reject"})
    assert r.status_code == 400 and "braucht einen Grund" in r.content.decode()
    r = moderator.post(f"/concepts/{concept.slug}/moderation/", {"kind": "idea", "pk": idea.pk, "action": "reject",
                                                               "reason": "advertising", "text": "Bitte ohne Werbung."})
    assert r.status_code == 302
    page = author.get(f"/concepts/{concept.slug}/participation/ideas/{idea.pk}/").content.decode()
    assert "Werbung oder Spam" in page and "Bitte ohne Werbung." in page
    assert Client().get(f"/concepts/{concept.slug}/participation/ideas/{idea.pk}/").status_code == 404
    public = Client().get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert 'data-counter="rejected">1<' in public and "abgelehnt (Grund: Werbung oder Spam: 1)" in public


def test_a_refused_decision_is_shown_at_its_idea_with_the_choice_kept(phase, concept, citizen):
    first, second = idea(phase, citizen, title="Erste"), idea(phase, citizen, title="Zweite")
    moderator = Client(HTTP_ACCEPT_LANGUAGE="de")
    moderator.force_login(member(concept, "moderator"))
    r = moderator.post(f"/concepts/{concept.slug}/moderation/",
                       {"kind": "idea", "pk": second.pk, "action": "reject", "text": "Gibt es schon."})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="refusal"' not in html  # not at the top of the page
    at_second = html.split(f'data-queue-idea="{second.pk}"')[1].split("</article>")[0]
    at_first = html.split(f'data-queue-idea="{first.pk}"')[1].split("</article>")[0]
    assert "Eine Ablehnung braucht einen Grund aus der Liste." in at_second
    assert "braucht einen Grund" not in at_first
    assert '<option value="reject" selected>' in at_second and "Gibt es schon.</textarea>" in at_second
    assert " selected>" not in at_first
    # One name per control: "Entscheidung" labels the choice once per idea.
    assert at_second.count(">Entscheidung<") == 1 and at_first.count(">Entscheidung<") == 1
    assert Idea.objects.get(pk=second.pk).status == Status.PENDING


def test_the_place_and_the_map_are_marked_as_one_of_the_two(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    html = client.get(f"/concepts/{phase.concept.slug}/participation/ideas/new/").content.decode()
    for label in ("Ort aus einer Liste wählen", "Ort (GeoJSON)"):
        shown = html.split(label)[1].split("</label>")[0]
        assert "– eines von beiden" in shown and "– optional" not in shown
    r = _post_idea(client, phase, geometry="")
    assert r.status_code == 400 and "Bitte einen Ort auf der Karte setzen oder aus der Liste wählen." in r.content.decode()
    assert not Idea.objects.exists()


def test_a_second_idea_says_the_first_deletion_link_covers_it(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    first = client.get(_post_idea(client, phase, name="Anna")["Location"]).content.decode()
    assert "/participation/delete/" in first and "löscht auch diesen" not in first
    second = client.get(_post_idea(client, phase, title="Noch eine", text="Ohne Namen.")["Location"]).content.decode()
    assert "/participation/delete/" not in second
    assert "Der Löschlink, der nach Ihrem ersten Beitrag angezeigt wurde, löscht auch diesen." in second


def test_support_comment_and_report_through_the_page(phase, citizen):
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke", geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    base = f"/concepts/{phase.concept.slug}/participation/ideas/{i.pk}/"
    assert client.post(base + "support/", {"altcha": solved(client, phase.concept)}).status_code == 302
    r = client.post(base + "support/", {"altcha": solved(client, phase.concept)})
    assert r.status_code == 400 and "schon" in r.content.decode()
    r = client.post(base + "comment/", {"text": "Ja!", "altcha": solved(client, phase.concept)})
    assert r.status_code == 302 and i.comments.get().status == Status.PENDING
    assert client.post(base + "flag/", {"reason": "insult"}).status_code == 302
    assert i.supports.count() == 1 and i.flags.count() == 1


def test_deletion_link_removes_everything(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(client, phase, name="Zoe", email="zoe@example.org", email_consent="on")
    page = client.get(r["Location"]).content.decode()
    link = page.split('href="http://testserver/participation/delete/')[1].split('"')[0]
    url = f"/participation/delete/{link}"
    assert "Alles löschen" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    assert not Idea.objects.exists() and not Contributor.objects.exists()
    assert client.post(url).status_code == 404
    assert Client().get("/participation/delete/nonsense/").status_code == 404


def test_exports_keep_formulas_from_running(phase, concept):
    import openpyxl

    c, _t = services.contributor_for(None)
    i = services.submit_idea(None, phase, c, theme=phase.themes.first(), title="+cmd|' /C calc'!A0", text="@SUM(1+1)*cmd|",
                             geometry=INSIDE, name="=HYPERLINK(\"http://evil.example\",\"klick\")")
    services.comment(None, concept, c, text="-2+3", idea=None, measure=__import__("tests.factories", fromlist=["x"]).MeasureFactory(concept=concept))
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    body = planner.get(f"/concepts/{concept.slug}/participation/export.csv").content
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "'+cmd|" in text and "'@SUM(1+1)" in text and "'=HYPERLINK(" in text and ";'-2+3;" in text
    assert "7,21" in text  # decimal comma
    xlsx = planner.get(f"/concepts/{concept.slug}/participation/export.xlsx").content
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value]
    title = next(cell for cell in cells if str(cell.value).startswith("+cmd"))
    assert title.data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells)
    geo = planner.get(f"/concepts/{concept.slug}/participation/export.geojson").json()
    assert geo["features"][0]["properties"]["reference"] == i.reference
    assert "zoe@" not in text and "email" not in json.dumps(geo)
    assert Client().get(f"/concepts/{concept.slug}/participation/export.csv").status_code == 302
    assert planner.get(f"/concepts/{concept.slug}/participation/export.exe").status_code == 404


def test_statistics_per_theme_and_quarter(phase, citizen, concept):
    from tests.factories import QuarterFactory

    QuarterFactory(concept=concept, name="Altstadt")
    services.decide(OPERATOR, services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="A", text="B",
                                                   geometry=INSIDE), "approve")
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    html = planner.get(f"/concepts/{concept.slug}/participation/statistics/").content.decode()
    assert "<th scope=\"row\">Plätze &amp; Freiräume</th><td>1</td><td>1</td>" in html
    assert "<th scope=\"row\">Altstadt</th><td>1</td><td>1</td>" in html


__all__ = ["OUTSIDE"]


def test_measures_take_comments_and_one_support_and_list_the_ideas_behind_them(phase, citizen, concept):
    from tests.factories import MeasureFactory

    measure = MeasureFactory(concept=concept, number="2.3", title="Radwege")
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Radweg", text="Bitte", geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    assert planner.post(f"/concepts/{concept.slug}/participation/ideas/{i.pk}/link/", {"measure": measure.pk}).status_code == 302
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    page = client.get(f"/concepts/{concept.slug}/measures/{measure.pk}/").content.decode()
    base = f"/concepts/{concept.slug}/participation/measures/{measure.pk}/"
    assert f"{i.reference} Radweg" in page and f'href="{base}comment/"' in page and f'href="{base}support/"' in page
    assert "csrfmiddlewaretoken" not in page  # the same page for everyone, so it can be cached
    assert 'id="measure-comment-form"' in client.get(base + "comment/").content.decode()
    assert client.post(base + "support/", {"altcha": solved(client, concept)}).status_code == 302
    r = client.post(base + "support/", {"altcha": solved(client, concept)})
    assert r.status_code == 400 and "schon" in r.content.decode()
    assert 'id="already"' in client.get(base + "support/").content.decode()
    assert measure.supports.count() == 1
    r = client.post(base + "comment/", {"text": "Sehr gut", "altcha": solved(client, concept)}, follow=True)
    assert "Danke für Ihren Kommentar" in r.content.decode() and measure.comments.get().status == Status.PENDING
    r = client.post(base + "comment/", {"text": "Ohne Prüfung"}, follow=True)
    assert "Prüfung gegen automatische Einsendungen" in r.content.decode() and measure.comments.count() == 1
    idea_page = client.get(f"/concepts/{concept.slug}/participation/ideas/{i.pk}/").content.decode()
    assert "wurde zur Maßnahme" in idea_page and "2.3 Radwege" in idea_page


def test_a_planner_sets_up_a_phase_in_the_browser_form(concept):
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/participation/phases/new/"
    assert "Beteiligungsphase anlegen" in planner.get(url).content.decode()
    data = {"title_de": "Ideen für den Platz", "title_en": "Ideas for the square", "start": "2026-11-01T00:00",
            "end": "2027-02-01T00:00", "ideas_open": "on", "comments_open": "on", "support_open": "on",
            "moderation": "before", "report_threshold": "3", "retention_days": "90", "polygon": "",
            "themes": "Plätze | Squares | #2e7d32\nMobilität | Mobility | lila"}
    r = planner.post(url, data)
    assert r.status_code == 400 and "keine Farbe" in r.content.decode() and not concept.phases.exists()
    r = planner.post(url, {**data, "end": "2026-10-01T00:00", "themes": "Plätze | Squares | #2e7d32"})
    assert r.status_code == 400 and "Ende muss nach dem Beginn" in r.content.decode()
    r = planner.post(url, {**data, "themes": "Plätze | Squares | #2e7d32\nMobilität | Mobility | #1565c0"})
    assert r.status_code == 302
    phase = concept.phases.get()
    assert [(t.name_de, t.name_en, t.colour) for t in phase.themes.all()] == [
        ("Plätze", "Squares", "#2e7d32"), ("Mobilität", "Mobility", "#1565c0")]
    edit = planner.get(f"/concepts/{concept.slug}/participation/phases/{phase.pk}/").content.decode()
    assert "Mobilität | Mobility | #1565c0" in edit
    reviewer = Client()
    reviewer.force_login(member(concept, "reviewer"))
    assert reviewer.get(url).status_code == 403
    stats = planner.get(f"/concepts/{concept.slug}/participation/statistics/").content.decode()
    assert 'data-heatmap="true"' in stats


def test_a_bad_answer_is_refused_with_a_message(phase, citizen, concept):
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="A", text="B", geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    moderator = Client(HTTP_ACCEPT_LANGUAGE="de")
    moderator.force_login(member(concept, "moderator"))
    url = f"/concepts/{concept.slug}/participation/ideas/{i.pk}/answer/"
    r = moderator.post(url, {"outcome": "erfunden", "text": "x"})
    assert r.status_code == 400 and 'id="refusal"' in r.content.decode()
    r = moderator.post(url, {"outcome": "", "text": ""})
    assert r.status_code == 400 and "Antwort" in r.content.decode()
    i.refresh_from_db()
    assert (i.answer, i.outcome) == ("", "")


def test_behind_a_proxy_the_configured_header_names_the_citizen(phase, settings):
    from isek.core.models import RateCount

    settings.ISEK_PARTICIPATION_RATE = {**settings.ISEK_PARTICIPATION_RATE, "idea": (1, 600)}
    client = Client(HTTP_ACCEPT_LANGUAGE="de")  # every request from the proxy's 127.0.0.1
    assert _post_idea(client, phase, headers={"HTTP_X_REAL_IP": "198.51.100.1"}).status_code == 302
    assert _post_idea(client, phase, headers={"HTTP_X_REAL_IP": "198.51.100.2"}).status_code == 400  # header not believed
    settings.ISEK_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    RateCount.objects.all().delete()
    assert _post_idea(client, phase, headers={"HTTP_X_REAL_IP": "198.51.100.1"}).status_code == 302
    assert _post_idea(client, phase, headers={"HTTP_X_REAL_IP": "198.51.100.2"}).status_code == 302  # another citizen
    assert _post_idea(client, phase, headers={"HTTP_X_REAL_IP": "198.51.100.1"}).status_code == 400


def test_a_bad_address_on_an_idea_gets_isek_s_own_message(phase):
    r = _post_idea(Client(HTTP_ACCEPT_LANGUAGE="de"), phase, email="anna-at-example", email_consent="on")
    assert r.status_code == 400 and "Bitte eine gültige E-Mail-Adresse angeben." in r.content.decode()
    assert not Idea.objects.exists()


def test_the_idea_page_has_no_duplicate_ids(phase, citizen):
    """A walk in Lauf: the comment's text and the report's text were both `id_text` (and both forms'
    honeypots `id_website`), so a label could name the wrong field."""
    import collections
    import re

    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke am Markt", text="Mehr Bänke",
                             geometry=INSIDE)
    services.decide(OPERATOR, i, "approve")
    html = Client().get(f"/concepts/{phase.concept.slug}/participation/ideas/{i.pk}/").content.decode()
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    assert "id_text" in ids and not [k for k, n in ids.items() if n > 1]


def test_the_moderation_list_of_waiting_ideas_comes_in_pages(phase, citizen, monkeypatch):
    """Walk 24: 697 waiting ideas took 6–8 s on one page; 100 a page, the heading counts them all."""
    from isek.participation import views

    from .conftest import idea

    monkeypatch.setattr(views, "MODERATION_PAGE", 2)
    made = [idea(phase, citizen, title=f"Idee {n}") for n in range(5)]
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(phase.concept, "moderator"))
    url = f"/concepts/{phase.concept.slug}/moderation/"
    first = c.get(url).content.decode()
    assert "5 Ideen warten" in first and "Seite 1 von 3" in first and 'href="?seite=2#waiting-ideas"' in first
    assert first.count("data-queue-idea=") == 2 and f'data-queue-idea="{made[0].pk}"' in first
    last = c.get(url + "?seite=3").content.decode()
    assert last.count("data-queue-idea=") == 1 and f'data-queue-idea="{made[4].pk}"' in last


def test_the_moderation_page_locates_only_its_ideas_in_the_same_queries(phase, citizen, monkeypatch):
    """Walk 24: the quarter of every waiting idea was looked up on each page; now the page's only,
    with one query for the quarters however many ideas wait."""
    from isek.participation import views
    from tests.factories import QuarterFactory

    QuarterFactory(concept=phase.concept, name="Mitte", geometry=multipolygon(square(7.21, 51.48)))
    monkeypatch.setattr(views, "MODERATION_PAGE", 2)
    located = []
    real = services.locate
    monkeypatch.setattr(services, "locate", lambda concept, ideas: (located.append(len(ideas)), real(concept, ideas)))
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(phase.concept, "moderator"))
    url = f"/concepts/{phase.concept.slug}/moderation/"
    counts = []
    for n in (2, 6):
        while Idea.objects.count() < n:
            k = Idea.objects.count()
            idea(phase, citizen, title=f"Idee {k}", text=f"Beitrag Nummer {k} zur Mitte.")
        with CaptureQueriesContext(connection) as queries:
            page = c.get(url).content.decode()
        counts.append(len(queries))
        assert "Teilraum Mitte" in page
    assert counts[0] == counts[1], counts
    assert located == [2, 2]
