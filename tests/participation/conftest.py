"""A concept with an open participation phase (pre-moderation, two themes), in any city."""

import datetime

import pytest
from django.utils import timezone

from isek import access
from isek.participation import services
from tests.factories import ConceptFactory, legal_texts_filled, square

OPERATOR = access.Operator("test")
# The factory's funding area is a square of 500 m at (7.21, 51.48); these lie inside and outside.
INSIDE = "POINT(7.2125 51.4815)"
OUTSIDE = "POINT(7.30 51.50)"


@pytest.fixture(autouse=True)
def _legal_texts(db):
    """The installation names its provider and controller: public phases may open (decision 0045)."""
    legal_texts_filled()


@pytest.fixture
def concept(db):
    return ConceptFactory()


@pytest.fixture
def phase(concept):
    now = timezone.now()
    return services.save_phase(OPERATOR, concept, title_de="Bo wird Bäm! (Beispiel)", start=now - datetime.timedelta(days=1),
                               end=now + datetime.timedelta(days=30),
                               themes=[("Plätze & Freiräume", "Squares & open spaces", "#2e7d32"),
                                       ("Mobilität", "Mobility", "#1565c0")])


@pytest.fixture
def citizen(phase):
    c, _token = services.contributor_for(None)
    return c


def idea(phase, contributor, user=None, **kw):
    fields = {"theme": phase.themes.first(), "title": "Mehr Bänke", "text": "Auf dem Platz fehlen Bänke.",
              "geometry": INSIDE, **kw}
    return services.submit_idea(user, phase, contributor, **fields)


__all__ = ["INSIDE", "OPERATOR", "OUTSIDE", "idea", "square"]
