"""Reviewer minors of the funding procedure (issue #23, decision 0104): a draft payment request locks
every application whose requests it reads, the Django admin deletes a measure only through the
service that asks the procedure, and a corrected AGS that moves a city with applications out of its
funding authority's district asks first."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from isek.concepts import services as concepts
from isek.concepts.models import Measure
from isek.core.models import ChangeRecord
from isek.procedure import services
from isek.procedure.models import Application
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import UserFactory
from tests.procedure.test_held_figures import _released


def test_the_admin_deletes_no_measure_the_procedure_holds_and_offers_no_deletion_of_many(paid):
    concept = paid["concept"]
    _released(paid)
    held = concept.measures.get(number="1.1")
    admin = client_for(UserFactory(is_superuser=True, is_staff=True))
    records = ChangeRecord.objects.count()
    url = f"/admin/concepts/measure/{held.pk}/delete/"
    for response in (admin.get(url, follow=True), admin.post(url, {"post": "yes"}, follow=True)):
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == f"/admin/concepts/measure/{held.pk}/change/"
        assert f"Die Maßnahme 1.1 „{held.title}“ kann nicht gelöscht werden: " in page
        assert "Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“)" in page
    assert Measure.objects.filter(pk=held.pk).exists() and ChangeRecord.objects.count() == records
    assert "delete_selected" not in admin.get("/admin/concepts/measure/").content.decode()
    # a measure nothing holds goes, through the service: recorded in the change history
    free = concepts.save_measure(paid["planner"], concept, Measure(number="9.9", title="Neu",
                                                                    primary_field=held.primary_field))
    assert admin.get(f"/admin/concepts/measure/{free.pk}/delete/").status_code == 200
    assert admin.post(f"/admin/concepts/measure/{free.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Measure.objects.filter(pk=free.pk).exists()
    assert ChangeRecord.objects.filter(model="concepts.Measure", object_id=str(free.pk), action="delete").exists()


def test_a_corrected_ags_that_moves_a_city_with_applications_out_of_its_district_asks_first(world):
    city = world["concept"].city  # Hoyerswerda (14625240) in the Landesdirektion Sachsen's 146, applied for 2027
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = client_for(admin)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.correct_city_ags(admin, city, "14522000")
    assert caught.value.error_dict["ags"][0].code == "leaves_district"
    message = caught.value.message_dict["ags"][0]
    assert message.startswith("Mit dem Gemeindeschlüssel 14 522 000 fällt Hoyerswerda aus dem Bezirk von Landesdirektion "
                              "Sachsen (für den neuen Schlüssel ist in isek keine Bewilligungsbehörde eingerichtet): "
                              "Hoyerswerda: Antrag 2027, Version 1, „eingereicht“.")
    city.refresh_from_db()
    assert city.ags == "14625240" and checksum() == before
    url = f"/cities/{city.ags}/administration/"
    assert 'name="confirm_district"' not in client.get(url).content.decode()  # asked only beside the question
    asked = client.post(url, {"correct_ags": "1", "ags": "14522000"})
    page = asked.content.decode()
    assert "fällt Hoyerswerda aus dem Bezirk von Landesdirektion Sachsen" in page and 'name="confirm_district"' in page
    assert checksum() == before
    # within the district: no question; confirmed: corrected
    concepts.correct_city_ags(admin, city, "14625250")
    assert client.post(f"/cities/{city.ags}/administration/",
                       {"correct_ags": "1", "ags": "14522000", "confirm_district": "on"}).status_code == 302
    city.refresh_from_db()
    assert city.ags == "14522000"


@pytest.mark.postgis_only
@pytest.mark.django_db(transaction=True)
def test_a_draft_request_locks_every_application_whose_requests_it_reads(paid):
    """``_taken`` reads the requests of every application of the concept; the draft locked only its
    own, so a draft against another version citing the same payment could pass at the same time."""
    concept, app, planner = paid["concept"], paid["app"], paid["planner"]
    other = Application.objects.create(concept=concept, year=2029, finance_version=app.finance_version,
                                       council_decision=app.council_decision)
    inside, go = threading.Event(), threading.Event()
    original, calls = services._taken, []

    def held(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second reading: inside the draft's transaction, under its lock
            inside.set()
            go.wait(10)
        return original(*args, **kwargs)

    def draft():
        try:
            services.draft_request(planner, concept, app, payments=paid["payments"][:1])
        finally:
            connection.close()

    services._taken = held
    try:
        thread = threading.Thread(target=draft)
        thread.start()
        assert inside.wait(20)
        with pytest.raises(DatabaseError), transaction.atomic():  # the other application's row is locked
            list(Application.objects.select_for_update(nowait=True).filter(pk=other.pk))
    finally:
        go.set()
        thread.join(30)
        services._taken = original
