"""A measure's own entity tag (decision 0104, amends 0096): the API's If-Match on a measure used the
concept's tag, so any change elsewhere in the concept – an idea, another measure – made a PATCH a
spurious 412; the measure's tag changes with the measure alone, and its state is compared under the
lock of the save."""

import json

from django.test import Client

from isek.api import tokens
from isek.concepts import services as concepts
from isek.concepts.models import Measure
from tests.dbstate import checksum

SLUG = "bochum-innenstadt"


def test_a_change_elsewhere_in_the_concept_is_no_412_and_a_change_of_the_measure_is(users, bochum):
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create(users['planner'], 'Fachverfahren')[1]}"}
    url = f"/api/v1/concepts/{SLUG}/measures/2.1/"
    etag = api.get(url, **headers)["ETag"]
    other = Measure.objects.get(concept=bochum, number="2.2")  # another measure changes: the concept's tag does
    other.description = "anderswo geändert"
    concepts.save_measure(users["planner"], bochum, other)
    assert api.get(url, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 304  # this measure's answer is the same
    first = api.patch(url, json.dumps({"title": "Husemannplatz A"}), content_type="application/json",
                      HTTP_IF_MATCH=etag, **headers)
    assert first.status_code == 200 and first["ETag"] != etag
    assert api.get(url, **headers)["ETag"] == first["ETag"]
    # the measure itself changed since the tag: 412, nothing saved
    before = checksum()
    stale = api.patch(url, json.dumps({"description": "B"}), content_type="application/json", HTTP_IF_MATCH=etag,
                      **headers)
    assert stale.status_code == 412 and checksum() == before
    # one of several tags current: saved
    both = f'{etag}, {first["ETag"]}'
    assert api.patch(url, json.dumps({"description": "B"}), content_type="application/json", HTTP_IF_MATCH=both,
                     **headers).status_code == 200
    assert Measure.objects.get(concept=bochum, number="2.1").description == "B"
