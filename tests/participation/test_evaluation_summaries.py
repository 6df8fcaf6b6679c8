"""Summaries in the citizens' own words (isek.participation.evaluation.summaries): the sentences
that say best what a group says, exactly as written, each with its contribution, several voices."""

import pytest

from isek.participation.evaluation import Contribution
from isek.participation.evaluation.summaries import representative_sentences, sentences

pytestmark = pytest.mark.database_independent

BUSES = {
    "a": "Der Bus fährt viel zu selten zur Haltestelle am Markt. Ich wohne hier seit zwanzig Jahren.",
    "b": "Bitte den Bus öfter fahren lassen, die Haltestelle am Markt ist abends verwaist.",
    "c": "Schöne Grüße an alle! Die Haltestelle am Markt braucht einen häufigeren Bus.",
    "d": "Der Bus fährt wirklich viel zu selten zur Haltestelle am Markt!",
}
BENCHES = {"e": "Auf dem Platz fehlen Bänke zum Sitzen im Schatten.", "f": "Mehr Bänke und Bäume auf dem Platz bitte."}


def corpus():
    return [Contribution(k, v) for k, v in {**BUSES, **BENCHES}.items()]


def test_sentences_keep_abbreviations_and_numbers():
    assert sentences("Radweg an der Venloer Str. 12 ist eng. Bitte z. B. Poller setzen, danke sehr!\nNur kurz") == [
        "Radweg an der Venloer Str. 12 ist eng.", "Bitte z. B. Poller setzen, danke sehr!"]


def test_the_most_representative_sentences_as_written_one_per_contribution():
    quotes = representative_sentences(corpus(), {"bus": list(BUSES), "bench": list(BENCHES)}, per_group=3)
    bus = quotes["bus"]
    assert len(bus) == 3 and len({q.id for q in bus}) == 3  # several voices
    for q in bus:
        assert q.sentence in BUSES[q.id]  # the citizen's own words, unchanged
        assert "Haltestelle" in q.sentence or "Bus" in q.sentence
    assert all(q.sentence != "Ich wohne hier seit zwanzig Jahren." for q in bus)
    assert bus == sorted(bus, key=lambda q: -q.score)
    # "a" and "d" say the same: only one of them
    assert not {"a", "d"} <= {q.id for q in bus}
    assert {q.id for q in quotes["bench"]} == {"e", "f"}


def test_nothing_to_quote():
    assert representative_sentences([], {"g": []}) == {"g": []}
    assert representative_sentences([Contribution("a", "Kurz.")], {"g": ["a"]}) == {"g": []}
