"""The Bochum demo shared by consecutive tests (tests/conftest.py, _SharedWorld, decision 0032):
a test sees the demo exactly as loaded, whatever the test before it changed; a test that does not
ask for the demo sees none. The tests run in this order (pytest-django keeps a module's
non-transactional tests in file order)."""

from isek.concepts.models import Concept, Measure
from isek.demo import bochum as demo
from tests.conftest import _SHARED


def _as_loaded(concept):
    assert concept.name == demo.CONCEPT["name"]
    assert Measure.objects.filter(concept=concept).count() == len(demo.measures())
    assert Concept.objects.count() == 1


def test_a_test_changes_the_shared_demo(bochum):
    _as_loaded(bochum)
    Concept.objects.filter(pk=bochum.pk).update(name="geändert")
    Measure.objects.filter(concept=bochum).delete()
    Concept.objects.create(city=bochum.city, name="Zweites", slug="zweites", start_year=2020, end_year=2030)


def test_the_next_sees_it_as_loaded_and_shared(bochum):
    _as_loaded(bochum)
    assert bochum.pk == _SHARED.value_for("bochum")  # loaded once for both


def test_a_test_without_the_demo_sees_none(db):
    assert not Concept.objects.exists() and _SHARED.value is None


def test_the_demo_comes_back_for_the_next_that_asks(bochum):
    _as_loaded(bochum)
