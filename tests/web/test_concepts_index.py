"""/concepts/, the common part of every concept's address, was a 404 (walk 23): it leads to the
start page's list of the concepts one may see."""

from django.contrib.auth import get_user_model

from isek.concepts.models import Concept


def test_concepts_leads_to_the_start_pages_list_of_visible_concepts(client, db):
    from isek.demo import loader

    concept = loader.load(analyse_layers=False)
    Concept.objects.filter(pk=concept.pk).update(is_public=False)
    answer = client.get("/concepts/")
    assert answer.status_code == 302 and answer["Location"] == "/#concepts"
    start = client.get(answer["Location"]).content.decode()
    assert 'id="concepts"' in start and concept.name not in start  # not public: not for a visitor
    loader.ensure_users(concept, "pw-index-123")
    client.force_login(get_user_model().objects.get(username=loader.PLANNER))
    mine = client.get(client.get("/concepts/")["Location"]).content.decode()
    assert concept.name in mine.split('id="concepts"')[1]  # the planner's own concept, in the list
