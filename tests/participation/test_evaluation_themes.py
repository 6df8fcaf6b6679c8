"""Theme suggestions with active learning (isek.participation.evaluation): what the planner gets
— a theme with its confidence and the citizen's words that led to it, and which contribution to
label next — on small hand-made sets, and a floor on a real corpus measured by the bench."""

import numpy as np
import pytest
from sklearn.metrics import f1_score

from isek.participation.evaluation import Contribution, EvaluationError, Theme, ThemeSuggester, corpora
from tests.data import data_dir

pytestmark = pytest.mark.database_independent

DATA = data_dir("participation")
REQUIRED_DATA = [DATA / corpora.KOELN, DATA / corpora.OTTENSEN]

AMPEL = ["Die Ampel an der Venloer Straße schaltet viel zu langsam auf Grün",
         "Lange Wartezeit an der Ampel, die Ampelschaltung bevorzugt Autos",
         "Grüne Welle für Radfahrer: die Ampeln sind schlecht abgestimmt",
         "Die Bedarfsampel reagiert nicht auf Radfahrer, Ampel umstellen"]
PARKEN = ["Es fehlen Fahrradständer am Bahnhof Ehrenfeld",
          "Mehr Abstellanlagen für Fahrräder vor dem Bürgeramt, alle Fahrradständer sind voll",
          "Fahrradbügel statt Autoparkplatz: Stellplätze für Fahrräder fehlen",
          "Sichere Fahrradständer an der Schule aufstellen"]
LICHT = ["Der Weg durch den Park ist nachts dunkel, eine Laterne fehlt",
         "Beleuchtung am Radweg defekt, es ist abends stockdunkel",
         "Straßenlaterne kaputt, bitte Licht reparieren"]


def engine(texts, themes=("ampel", "parken"), **kw):
    cs = [Contribution(f"c{i}", t) for i, t in enumerate(texts)]
    return ThemeSuggester(cs, [t if isinstance(t, Theme) else Theme(t) for t in themes], seed=0, **kw)


def test_suggests_the_theme_with_the_words_that_led_to_it():
    e = engine(AMPEL + PARKEN).fit({"c0": "ampel", "c1": "ampel", "c4": "parken", "c5": "parken"})
    by_id = {s.id: s for s in e.suggest()}
    assert set(by_id) == {"c2", "c3", "c6", "c7"}  # the labelled ones are the planner's, not suggested
    assert [by_id[c].theme for c in ("c2", "c3", "c6", "c7")] == ["ampel", "ampel", "parken", "parken"]
    assert "Fahrradständer" in by_id["c7"].words and by_id["c7"].runner_up == "ampel"
    assert any(w.startswith("Ampel") for w in by_id["c3"].words)
    assert all(0.5 < s.confidence <= 1 for s in by_id.values())
    # the words are the citizen's own, in the contribution
    for cid, s in by_id.items():
        assert all(w.split(" ")[0].lower() in (AMPEL + PARKEN)[int(cid[1:])].lower() for w in s.words)


def test_the_uncertain_contribution_is_asked_first():
    mixed = "Die Ampel am Bahnhof schaltet langsam und es fehlen Fahrradständer"
    e = engine(AMPEL + PARKEN + [mixed]).fit({"c0": "ampel", "c1": "ampel", "c2": "ampel",
                                               "c4": "parken", "c5": "parken", "c6": "parken"})
    picks = {p.id: p.reason for p in e.next_to_label(2)}
    assert picks.get("c8") == "unsicher"  # between Ampel and Fahrradständer
    assert len(picks) == 2 and picks.keys() & {"c3", "c7"}  # and a likely example of the theme with fewest labels
    assert {p.id for p in ThemeSuggester(e.contributions, e.themes, seed=0, rare=0).fit(e.labels).next_to_label(1)} == {"c8"}


def test_cold_start_asks_for_a_typical_contribution_of_each_group():
    e = engine(AMPEL + PARKEN + LICHT, themes=("ampel", "parken", "licht"))
    assert e.suggest() == []  # nothing to suggest from yet
    picks = e.next_to_label(3)
    assert {p.reason for p in picks} == {"kaltstart"}
    groups = {int(p.id[1:]) // 4 if int(p.id[1:]) < 8 else 2 for p in picks}
    assert groups == {0, 1, 2}


def test_theme_descriptions_suggest_before_the_first_label():
    themes = [Theme("ampel", "Ampel, Ampelschaltung, Wartezeit an der Ampel"),
              Theme("parken", "Fahrradständer und Abstellanlagen für Fahrräder")]
    by_id = {s.id: s.theme for s in engine(AMPEL + PARKEN, themes).fit({}).suggest()}
    assert [by_id[f"c{i}"] for i in range(8)] == ["ampel"] * 4 + ["parken"] * 4


def test_a_single_theme_labelled_suggests_it_with_similarity_as_confidence():
    e = engine(AMPEL + PARKEN).fit({"c0": "ampel"})
    by_id = {s.id: s for s in e.suggest()}
    assert {s.theme for s in by_id.values()} == {"ampel"}
    assert by_id["c1"].confidence > by_id["c7"].confidence  # the other Ampel text is the more similar one
    assert by_id["c1"].words and by_id["c1"].runner_up is None
    assert len(e.next_to_label(2)) == 2


def test_empty_texts_get_a_suggestion_without_words():
    e = engine(AMPEL + PARKEN + ["", "   "]).fit({"c0": "ampel", "c4": "parken"})
    by_id = {s.id: s for s in e.suggest()}
    assert by_id["c8"].words == () and by_id["c9"].words == ()
    assert by_id["c8"].theme in ("ampel", "parken") and by_id["c8"].confidence < 0.75
    assert len(e.next_to_label(10)) == 8


def test_bad_input_gets_a_clear_error():
    with pytest.raises(EvaluationError, match="mehrfach vor: c1"):
        ThemeSuggester([Contribution("c1", "Ampel"), Contribution("c1", "Fahrradständer")], [Theme("a")])
    with pytest.raises(EvaluationError, match="kein Thema"):
        engine(AMPEL, themes=())
    with pytest.raises(EvaluationError, match="Thema ist mehrfach"):
        engine(AMPEL, themes=("a", "a"))
    with pytest.raises(EvaluationError, match="enthält Wörter"):
        engine(["", "123"])
    e = engine(AMPEL + PARKEN).fit({"c0": "ampel", "c4": "parken"})
    with pytest.raises(EvaluationError, match="Thema 'licht'"):
        e.fit({"c0": "licht"})
    with pytest.raises(EvaluationError, match="Beitrag c99"):
        e.update("c99", "ampel")
    assert e.labels == {"c0": "ampel", "c4": "parken"}  # a refused answer changes nothing


def test_a_correction_is_learnt_at_once():
    e = engine(AMPEL + PARKEN).fit({"c0": "ampel", "c4": "parken"})
    assert "c1" in {s.id for s in e.suggest()}
    e.update("c1", "parken")  # the planner corrects: this one is about parking after all
    assert e.labels["c1"] == "parken" and "c1" not in {s.id for s in e.suggest()}


def test_the_same_seed_gives_the_same_questions_and_suggestions():
    texts = AMPEL + PARKEN + LICHT
    runs = [engine(texts, themes=("ampel", "parken", "licht")) for _ in range(2)]
    assert runs[0].next_to_label(3) == runs[1].next_to_label(3)
    for r in runs:
        r.fit({"c0": "ampel", "c4": "parken", "c8": "licht"})
    assert runs[0].suggest() == runs[1].suggest()
    assert runs[0].next_to_label(3) == runs[1].next_to_label(3)


def test_on_the_koeln_corpus_ten_percent_chosen_by_isek_sort_most_contributions():
    """Raddialog Köln-Ehrenfeld: the planner labels 10 % as isek asks (batches of 4); the
    suggestions for the rest. Floors from the bench (bench/README.md, 2026-12-06): there, over 3
    seeds, accuracy 0.66 and macro-F1 0.51, the reference trained on 80 % 0.51; here accuracy ≥ 0.60
    (a blind guess of the largest theme gets 0.53) and macro-F1 ≥ 0.45 (the bar: 90 % of 0.51)."""
    cs, truth = corpora.read_koeln(DATA / corpora.KOELN)
    themes = [Theme(k, corpora.KOELN_THEMES[k]) for k in sorted(set(truth.values()))]
    e = ThemeSuggester(cs, themes, seed=0)
    labels = {}
    while len(labels) < len(cs) // 10:
        labels.update({p.id: truth[p.id] for p in e.next_to_label(4)})
        e.fit(labels)
    sug = e.suggest()
    right = sum(s.theme == truth[s.id] for s in sug) / len(sug)
    assert len(sug) == len(cs) - len(labels)
    assert right >= 0.60
    assert f1_score([truth[s.id] for s in sug], [s.theme for s in sug], average="macro", zero_division=0) >= 0.45
    assert len({truth[c] for c in labels}) >= 6  # isek asked across the themes, not only the big one


def test_the_same_answers_give_the_same_suggestions_however_they_were_learnt():
    """Walk 24 (1): two processes' engines – one taught answer by answer, one built afresh with the
    same answers given in another order – suggest exactly the same (themes, confidences, words), so a
    page's counts do not flip between loads."""
    texts = AMPEL + PARKEN + LICHT + ["Die Ampel am Bahnhof schaltet langsam und es fehlen Fahrradständer",
                                      "Laterne an der Ampel defekt"]
    themes = ("ampel", "parken", "licht")
    answers = {"c0": "ampel", "c4": "parken", "c8": "licht", "c1": "ampel", "c5": "parken", "c9": "licht"}
    warm = engine(texts, themes=themes).fit(dict(list(answers.items())[:3]))
    warm.suggest()
    for cid, theme in list(answers.items())[3:]:
        warm.update(cid, theme)
    fresh = engine(texts, themes=themes).fit(dict(reversed(answers.items())))
    assert warm.suggest() == fresh.suggest()
    assert warm.next_to_label(3) == fresh.next_to_label(3)


def test_on_ottensen_isek_learns_from_the_decisions_it_asks_for():
    """Walk 25 (1): isek's own suggestions must get better as the planner decides. FreiRaum Ottensen
    as imported (12 themes without descriptions); the planner labels what "Als Nächstes beschriften"
    proposes, 10 at a time. Bench (bench/participation_learning_bench.py, decision 0068): accuracy
    on the rest 0.27 after 20 decisions, 0.50 after 80, 0.64 after 160; here after 80 ≥ 0.45 and
    0.15 above the 20's (a cold engine, or one that stopped learning, stays near 0.27). "selten" (few examples) only for a theme with fewer than 5 decisions."""
    cs, truth = corpora.read_ottensen(DATA / corpora.OTTENSEN)
    e = ThemeSuggester(cs, [Theme(k) for k in sorted(set(truth.values()))], seed=0)
    labels, accuracy, confidence = {}, {}, {}
    for n in (20, 80):
        while len(labels) < n:
            for p in e.next_to_label(10):
                if p.reason == "selten":
                    assert sum(v == p.theme for v in labels.values()) < e.few, p
                labels[p.id] = truth[p.id]
            e.fit(labels)
        sug = e.suggest(top_words=0)
        accuracy[n] = sum(s.theme == truth[s.id] for s in sug) / len(sug)
        confidence[n] = sum(s.confidence for s in sug) / len(sug)
    assert accuracy[80] >= 0.45 and accuracy[80] >= accuracy[20] + 0.15, accuracy
    # calibrated on the decisions (from 40): never sharper than the model's own probabilities, and not
    # overconfident (bench: mean 0.19 for 0.50 right; the decisions isek asks for are its hardest)
    raw = e.probabilities(e._unlabelled(), calibrated=False).max(axis=1).mean()
    assert e.temperature >= 1 and raw - 1e-9 <= confidence[80] <= accuracy[80] + 0.1, (raw, confidence, accuracy)


def test_a_decision_from_the_40th_on_does_not_refit_the_calibration_each_time(monkeypatch):
    """Walk Köln-Ehrenfeld (fix24): one decision took 0.5 s at decisions 6–10 and 5.5–8.5 s at 40–50 –
    from 40 decisions on, every decision refitted the calibration (three cross-validated fits). Now
    it is fitted at 40, 50, 60 … and kept in between; the suggestions do not change with it."""
    from isek.participation.evaluation import themes as module

    cs, truth = corpora.read_koeln(DATA / corpora.KOELN)
    e = ThemeSuggester(cs, [Theme(t) for t in sorted(set(truth.values()))])
    order = [c.id for c in cs]
    e.fit({c: truth[c] for c in order[:39]})
    calls = []
    real = module.ThemeSuggester._calibrate
    monkeypatch.setattr(module.ThemeSuggester, "_calibrate", lambda self, *a: calls.append(len(a[1])) or real(self, *a))
    for c in order[39:51]:
        e.update(c, truth[c])
    assert calls == [40, 50]
    assert e.temperature > 1 and e.calibrated_at == 5


def test_the_model_is_fitted_with_blas_on_one_thread(monkeypatch):
    """minor24: a fit took 0.2 s at 10 decisions and 0.5 s at 50 on 2 shared cores; most of it was
    OpenBLAS handing L-BFGS-B's small vector operations to its threads and waiting for them. The
    model's fits (and the calibration's) run with BLAS on one thread; the suggestions are the same."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_info, threadpool_limits

    threads = []
    real = LogisticRegression.fit

    def fit(self, *a, **kw):
        threads.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        return real(self, *a, **kw)

    monkeypatch.setattr(LogisticRegression, "fit", fit)
    labels = {"c0": "ampel", "c1": "ampel", "c4": "parken", "c5": "parken"}
    with threadpool_limits(2, user_api="blas"):  # as on a city's 2 cores
        e = engine(AMPEL + PARKEN).fit(labels)
    assert threads == [{1}]
    assert [s.theme for s in e.suggest()] == ["ampel", "ampel", "parken", "parken"]


def test_fix24b_the_benchs_options_stop_words_of_a_phase_and_the_class_weights():
    """The options `bench/participation_learning_bench.py --variants` compares (fix24b, decision
    0076): a phase's own stop words leave the word features (lemmatised, title-cased names too),
    and ``balance`` 0 trains without class weights; the defaults (no stop words, balanced) are
    what the services use."""
    texts = AMPEL + PARKEN
    plain = engine(texts)
    stopped = engine(texts, stop_words=["Venloer Straße", "Ehrenfeld"])
    names, kept = set(plain.features.names), set(stopped.features.names)
    assert {"venloer", "straße", "ehrenfeld"} <= names and not {"venloer", "straße", "ehrenfeld"} & kept
    assert names - kept >= {"venloer", "straße", "ehrenfeld"} and "ampel" in kept
    labels = {"c0": "ampel", "c4": "parken", "c5": "parken", "c6": "parken"}  # three to one
    balanced, priors = engine(texts).fit(labels), engine(texts, balance=0.0).fit(labels)
    p_balanced = {s.id: s.probabilities["ampel"] for s in balanced.suggest(top_words=0)}
    p_priors = {s.id: s.probabilities["ampel"] for s in priors.suggest(top_words=0)}
    assert all(p_priors[c] < p_balanced[c] for c in p_balanced)  # without weights the larger theme pulls


def test_ml24_filler_words_and_words_of_every_theme_are_no_reasons():
    """A stranger's Ottensen walk: "the words that led to it" included "toll", "leider", "Straße".
    The reasons are content words (no filler of ``text.FILLER``) that are characteristic of the
    suggested theme among the decisions (at least twice as frequent in its decided contributions as
    in the others'); the model still learns from every word."""
    texts = ["Leider schaltet die Ampel an der Straße viel zu langsam",
             "Leider lange Wartezeit an der Ampel, die Ampelschaltung an der Kreuzung bevorzugt Autos",
             "Leider schaltet die Ampel an der Straße nie auf Grün für Radfahrer, Kreuzung gefährlich",
             "Die Bedarfsampel an der Kreuzung reagiert leider nicht, Ampel umstellen",
             "Toll wären Fahrradständer an der Kreuzung",
             "Die Fahrradständer an der Straße sind immer voll, toll wären mehr Abstellanlagen an der Kreuzung",
             "Toll wären Fahrradständer an der Straße vor dem Bürgeramt",
             "Sichere Fahrradständer an der Schule wären toll"]
    e = engine(texts).fit({"c0": "ampel", "c1": "ampel", "c4": "parken", "c5": "parken"})
    by_id = {s.id: s for s in e.suggest()}
    assert [by_id[c].theme for c in ("c2", "c3", "c6", "c7")] == ["ampel", "ampel", "parken", "parken"]
    shown = {w for s in by_id.values() for phrase in s.words for w in phrase.split(" ")}
    assert "Ampel" in shown and "Fahrradständer" in shown, by_id
    # filler words, though each came only with one theme's decisions (the model weighs them) …
    assert not {"Leider", "leider", "Toll", "toll", "Straße"} & shown, by_id
    # … and "Kreuzung", in the decided contributions of both themes alike
    assert "Kreuzung" not in shown, by_id
    assert e.model.coef_[0][list(e.features.names).index("leider")] != 0  # still a feature


def test_ml24_a_theme_with_few_decisions_is_suggested():
    """A stranger's walk: themes with only 2–3 decisions were never suggested. Two decisions of a
    theme beside ten of each of two others: a contribution like those two is suggested under it, with
    its words, because each theme weighs the same in training (class weights, ``balance``); with the
    themes' priors instead (``balance=0``) the larger themes pull it away."""
    ampel = AMPEL + ["Ampel an der Kreuzung schaltet zu spät", "Ampelschaltung verbessern, Radfahrer warten lange",
                     "Die Ampel für Radfahrer ist zu kurz grün", "Ampel am Gürtel: grüne Welle für Räder",
                     "Zu lange Rotphase an der Ampel", "Ampel ohne Kontaktschleife für Fahrräder"]
    parken = PARKEN + ["Fahrradständer am Rathaus fehlen", "Mehr Fahrradbügel in der Fußgängerzone",
                       "Abstellanlage für Lastenräder", "Fahrradständer am Bahnhof sind voll",
                       "Fahrradparkhaus am Bahnhof", "Fahrradständer vor der Bücherei"]
    texts = ampel + parken + LICHT[:2] + ["Der Radweg zum Bahnhof ist abends dunkel, keine Beleuchtung"]
    labels = {f"c{i}": "ampel" for i in range(10)} | {f"c{10 + i}": "parken" for i in range(10)}
    labels |= {"c20": "licht", "c21": "licht"}
    themes = ("ampel", "parken", "licht")
    s = {x.id: x for x in engine(texts, themes=themes).fit(labels).suggest()}["c22"]
    assert s.theme == "licht" and s.probability > 0.5, s
    assert {"Beleuchtung", "dunkel"} <= set(s.words), s
    priors = {x.id: x for x in engine(texts, themes=themes, balance=0.0).fit(labels).suggest()}["c22"]
    assert priors.theme != "licht", priors


def test_ml24b_self_training_learns_a_word_only_undecided_contributions_have():
    """Semi-supervised lever (decision 0100, off by default): "Grünphase" is in no decided
    contribution, only in undecided ones that also speak of the Ampel. With self-training those join
    as examples of their likeliest theme, so the last contribution, "Grünphase" with no word of a
    decided one, is likelier Ampel than with the plain model, with "Grünphase" as its reason."""
    texts = AMPEL + PARKEN + ["Die Grünphase der Ampel an der Venloer Straße ist zu kurz",
                              "Ampel: längere Grünphase für Radfahrer", "Grünphase an der Ampel verlängern",
                              "Grünphase zu kurz, man schafft es nicht über die Kreuzung"]
    labels = {"c0": "ampel", "c1": "ampel", "c4": "parken", "c5": "parken"}
    plain = {x.id: x for x in engine(texts).fit(labels).suggest()}["c11"]
    taught = {x.id: x for x in engine(texts, self_train=1.0).fit(labels).suggest()}["c11"]
    assert taught.theme == "ampel" and taught.probability > plain.probability + 0.02, (plain, taught)
    assert "Grünphase" in taught.words and "Grünphase" not in plain.words
    # the LSA space of all texts as further features: the model sees more columns, suggests the same themes
    lsa = engine(texts, lsa=1.0).fit(labels)
    assert lsa.M.shape[1] > lsa.X.shape[1]
    assert [s.theme for s in lsa.suggest()] == [s.theme for s in engine(texts).fit(labels).suggest()]


def test_ml24b_a_covering_start_asks_for_what_is_least_like_the_decisions():
    """Option ``cover`` (decision 0100, off by default): while fewer than that share is decided, isek
    asks for the contributions least similar to all decided ones (k-center), not the uncertain ones –
    here a street light after an Ampel and a Fahrradständer decision, each next one less far off."""
    texts = AMPEL + PARKEN + LICHT
    labels = {"c0": "ampel", "c4": "parken"}
    picks = engine(texts, themes=("ampel", "parken", "licht"), cover=1.0, rare=0).fit(labels).next_to_label(2)
    assert picks[0].id in {"c8", "c9", "c10"} and picks[0].reason == "unerkundet", picks
    assert picks[1].id != picks[0].id and picks[1].score <= picks[0].score, picks
    plain = engine(texts, themes=("ampel", "parken", "licht"), rare=0).fit(labels).next_to_label(2)
    assert [p.id for p in plain] != [p.id for p in picks]


VOGELSANG = ["Die Ampel an der Vogelsanger Straße schaltet zu langsam",
             "Vogelsanger Straße: Ampel für Radfahrer ewig rot",
             "An der Vogelsanger Str. wartet man an der Ampel zu lange",
             "Vogelsanger Straße Ecke Gürtel: die Ampel bevorzugt Autos",
             "Fahrradständer am Bahnhof fehlen", "Mehr Fahrradständer vor dem Bürgeramt",
             "Fahrradständer an der Schule sind voll", "Abstellanlagen und Fahrradständer am Markt",
             "Ewig rot an der Vogelsanger, Radfahrer warten zu lange"]


def test_fix24h_street_names_are_no_reasons_but_stay_features():
    """A stranger's Köln walk: "Vogelsanger", "Subbelrather" (of "Vogelsanger Straße") were shown as the
    words that led to a theme. Every Ampel contribution decided is on the Vogelsanger Straße: the
    street's name is the strongest word of the last one for Ampel, yet no reason; the model still weighs it."""
    labels = {"c0": "ampel", "c1": "ampel", "c2": "ampel", "c3": "ampel", "c4": "parken", "c5": "parken",
              "c6": "parken"}
    e = engine(VOGELSANG, char_weight=0).fit(labels)
    s = {x.id: x for x in e.suggest()}["c8"]
    assert s.theme == "ampel" and s.words, s
    assert not any("Vogelsanger" in w for w in s.words), s
    ampel = e.classes.index("ampel")
    assert "vogelsanger" in e.places and e._word_weights()[ampel][list(e.features.names).index("vogelsanger")] > 0
    # without the places, the street's name was the first reason
    e.places, e._content = frozenset(), None
    assert {x.id: x for x in e.suggest()}["c8"].words[0] == "Vogelsanger"
    # drop_places (a lever the bench measured, off): not a word feature either
    assert "vogelsanger" not in engine(VOGELSANG, drop_places=True).features.names


def test_fix24h_place_names_of_the_texts_and_of_the_area():
    """Place names: the word before a street word, a compound ending in one, the words of the area's
    street names – not common words that end in one or stand before one."""
    from isek.participation.evaluation.text import place_names

    texts = ["Radweg auf der Venloer Str. zu schmal", "Die Kanalstraße und die Max-Brauer-Allee",
             "Mehr Platz für Räder, Parkplätze in der Einbahnstraße", "Ottenser Hauptstraße autofrei",
             "Der Bordsteinradweg ist holprig, Breiter Radweg gewünscht", "Ampel Ecke Subbelrather"]
    found = place_names(texts)
    assert {"venloer", "kanalstraße", "max-brauer-allee", "ottenser"} <= found, found
    assert not {"radweg", "mehr", "platz", "parkplatz", "einbahnstraße", "bordsteinradweg", "breit", "breiter",
                "subbelrather", "ampel"} & found, found
    # the area's street names (e.g. from the city's OSM extract) name what the texts write without a street word
    assert "subbelrather" in place_names(texts, ["Subbelrather Straße", "Am Radweg"])
    assert "radweg" not in place_names(texts, ["Subbelrather Straße", "Am Radweg"])
    e = engine(VOGELSANG, places=["Bahnhofstraße", "Radweg"])
    assert "bahnhofstraße" in e.places and "radweg" not in e.places
    assert "gürtel" in engine(VOGELSANG, places=["Gürtel"]).places  # Köln's Gürtel is a street (fix24i)


DESCRIBED = [Theme("ampel", "Ampel, Ampelschaltung, Wartezeit an der Ampel"),
             Theme("parken", "Fahrradständer und Abstellanlagen für Fahrräder"),
             Theme("licht", "Beleuchtung, Laterne, dunkel")]


def test_ml24c_a_described_theme_without_a_decision_is_asked_for_by_its_description():
    """Option ``describe`` (decision 0106, off by default): each batch first asks, per described theme
    without a decision, the undecided contribution nearest to its description – before any decision
    one of each theme; a theme with a decision is not asked for so again, and one whose ``describe``
    nearest were all decided otherwise is given up."""
    texts = AMPEL + PARKEN + LICHT
    picks = engine(texts, DESCRIBED, describe=3, rare=0).next_to_label(3)
    assert [(p.reason, p.theme) for p in picks] == [("selten", "ampel"), ("selten", "parken"), ("selten", "licht")]
    assert [int(p.id[1:]) // 4 for p in picks] == [0, 1, 2]  # each a contribution of its theme
    after = engine(texts, DESCRIBED, describe=3, rare=0).fit({"c0": "ampel"}).next_to_label(3)
    assert [p.theme for p in after if p.reason == "selten"] == ["parken", "licht"]
    nearest = picks[2].id  # the planner answers "ampel" for the one nearest to the street lights
    given_up = engine(texts, DESCRIBED, describe=1, rare=0).fit({"c0": "ampel", nearest: "ampel"}).next_to_label(3)
    assert [p.theme for p in given_up if p.reason == "selten"] == ["parken"], given_up
    assert engine(texts, DESCRIBED, rare=0).next_to_label(3)[0].reason == "kaltstart"  # off: as before
    half = engine(texts, DESCRIBED, describe=3, describe_share=0.5, rare=0).next_to_label(3)  # at most 2 of 3
    assert [p.reason for p in half] == ["selten", "selten", "kaltstart"], half


def test_ml24c_per_theme_the_uncertain_picks_go_round_the_themes():
    """Option ``per_theme`` (decision 0106, off by default): class-balanced uncertainty – the picks take
    turns over the themes isek suggests, the themes with the fewest decisions first, in each the least
    sure contribution – not the least sure of all first."""
    texts = AMPEL + PARKEN + LICHT
    labels = {"c0": "ampel", "c1": "ampel", "c4": "parken", "c8": "licht", "c9": "licht", "c10": "licht"}
    themes = ("ampel", "parken", "licht")
    e = engine(texts, themes, per_theme=True, rare=0).fit(labels)
    suggested = {s.id: s.theme for s in e.suggest(top_words=0)}
    picks = e.next_to_label(3)
    # parken (1 decision), ampel (2), licht (3): each time the least sure of those suggested the theme
    assert [suggested[p.id] for p in picks] == ["parken", "ampel", "licht"], (picks, suggested)
    plain = engine(texts, themes, rare=0).fit(labels).next_to_label(1)
    assert plain[0].id == picks[2].id and plain[0].score > picks[0].score  # off: the least sure of all first


def test_ml24c_label_spreading_mixes_the_neighbours_votes_into_the_probabilities():
    """Option ``spread`` (decision 0106, off by default): the probabilities are (1 - spread) × the
    model's + spread × label spreading's over the graph of nearest neighbours. One decision per theme:
    each other contribution is suggested its own theme, surer than by the model alone, and the mix
    is exactly that weighted mean."""
    texts = AMPEL + PARKEN + LICHT
    labels = {"c0": "ampel", "c4": "parken", "c8": "licht"}
    themes = ("ampel", "parken", "licht")
    spread = engine(texts, themes, spread=1.0, spread_k=3).fit(labels)
    plain = engine(texts, themes).fit(labels)
    s, p = {x.id: x for x in spread.suggest(top_words=0)}, {x.id: x for x in plain.suggest(top_words=0)}
    assert {c: x.theme for c, x in s.items()} == {c: ("ampel", "parken", "licht")[min(int(c[1:]) // 4, 2)] for c in s}
    assert all(s[c].probability > p[c].probability for c in s)
    rows = spread._unlabelled()
    assert np.allclose(spread._spread_p[rows].sum(axis=1), 1.0)
    half = engine(texts, themes, spread=0.5, spread_k=3).fit(labels)
    assert np.allclose(half.probabilities(rows), 0.5 * plain.probabilities(rows) + 0.5 * spread.probabilities(rows))


def test_ml24c_a_typical_start_asks_for_the_centre_of_a_group_without_a_decision():
    """Option ``typical`` (decision 0106, off by default; TypiClust): while fewer than that share is
    decided, isek asks for the most typical contribution of the largest groups without a decision – here
    the street lights after an Ampel and a Fahrradständer decision."""
    labels = {"c0": "ampel", "c4": "parken"}
    picks = engine(AMPEL + PARKEN + LICHT, ("ampel", "parken", "licht"), typical=1.0, rare=0).fit(labels).next_to_label(2)
    assert picks[0].id in {"c8", "c9", "c10"} and picks[0].reason == "unerkundet", picks
    assert len({p.id for p in picks}) == 2 and not {p.id for p in picks} & set(labels)
