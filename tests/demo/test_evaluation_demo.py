"""The demo's example evaluation (issue 24): the Raddialog Ehrenfeld's real contributions imported
from the data directory into an example phase labelled "Beispiel", each credited by its URL, a few
themes sorted through the theme review, and the report showing it with its attribution."""

from __future__ import annotations

import csv
import datetime
import re
from collections import Counter

from django.test import Client
from django.utils import timezone

from isek.demo import evaluation, loader
from isek.participation.models import Idea, ThemeReview
from tests.data import data_dir
from tests.factories import member

REQUIRED_DATA = [data_dir("participation") / evaluation.POINTS, data_dir("participation") / evaluation.LABELLED]


def test_the_example_evaluation_with_real_contributions_credited_and_labelled(db):
    concept = loader.load_koeln_evaluation()
    phase = concept.phases.get()
    assert phase.illustrative and "Beispiel" in phase.title_de and "Beispiel" in concept.name
    ideas = Idea.objects.filter(phase=phase)
    assert ideas.count() == 366 and ideas.exclude(geometry=None).count() == 365  # one point in the file is broken
    e1453 = ideas.get(source_key="id:E1453")
    assert e1453.source_url == "https://www.raddialog-ehrenfeld.koeln/dialoge/ehrenfelder-raddialog/bruecke-endlich-bauen"
    assert e1453.source.licence == evaluation.LICENCE and "je Beitrag verlinkt" in e1453.source.credit
    reviews = ThemeReview.objects.filter(idea__phase=phase)
    with open(REQUIRED_DATA[1], encoding="utf-8", newline="") as f:
        per_label = Counter(r["main_category_level1"] for r in csv.DictReader(f))
    assert len(per_label) == len(evaluation.THEMES)  # every theme of the annotation is one of the phase
    assert reviews.count() == sum(min(evaluation.PER_THEME, n) for n in per_label.values())  # "lighting" has one
    assert set(reviews.values_list("by_name", flat=True)) == {"isek demo"}

    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(concept, "moderator"))
    page = c.get(f"/concepts/{concept.slug}/participation/phases/{phase.pk}/report/").content.decode()
    assert 'id="example-label">Beispiel<' in page and "Raddialog Ehrenfeld 2017 (Stadt Köln)" in page
    assert "CIMT-Korpus" in page and 'href="https://www.raddialog-ehrenfeld.koeln/' in page
    assert '<td data-figure="ideas">366</td>' in page
    # fix24c: the file has no themes (the import's fallback "misc"): the first choices, before isek
    # suggests, are "gewählt ohne Vorschlag", neither confirmed nor corrected
    kinds = Counter(r.state for r in reviews)
    assert kinds["unsuggested"] >= 5 and kinds["unsuggested"] + kinds["confirmed"] + kinds["corrected"] == reviews.count()
    for kind in ("confirmed", "corrected", "unsuggested"):
        assert f'<td data-figure="{kind}">{kinds[kind]}</td>' in page, kind

    # fix24h: each contribution has the date it was written in 2017 (the annotated file's "created",
    # joined by its id), not the day of the demo's import
    assert e1453.source_date == datetime.datetime(2017, 9, 20, 10, 17, 56, tzinfo=datetime.UTC)
    first, last = datetime.datetime(2017, 9, 20, tzinfo=datetime.UTC), datetime.datetime(2017, 10, 25, tzinfo=datetime.UTC)
    assert ideas.filter(source_date__gte=first, source_date__lt=last).count() == 366
    page = c.get(f"/concepts/{concept.slug}/moderation/").content.decode()
    dates = re.findall(r'<span data-idea-date="(\w+)">([^<]*)</span>', page)
    assert dates and all(kind == "own" and ".2017 " in d for kind, d in dates), dates
    assert "Import am" not in page
    # walk 24c: the phase's dates are those its description gives (20.9.–24.10.2017), not 25.10.
    phase.refresh_from_db()
    assert (timezone.localtime(phase.start).date(), timezone.localtime(phase.end).date()) == (
        datetime.date(2017, 9, 20), datetime.date(2017, 10, 24)) and "20.9.–24.10.2017" in phase.description
