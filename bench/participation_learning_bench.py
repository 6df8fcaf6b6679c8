"""Benchmark: does isek's own theme suggestion get better as the planner decides? (walk 25)

The planner is simulated from the human labels (../shared/data/participation, SOURCES.md there): the
phase has the corpus's themes without descriptions (as after an import), the planner labels the
contributions "Als Nächstes beschriften" proposes, ten at a time, with the human label, and after
N = 0, 20, 40, 80, 160 decisions we measure on the rest: accuracy of isek's own suggestion, the
median probability of the suggested theme (the old confidence figure) and the median calibrated
confidence (``Suggestion.confidence`` as shown now), how often the "few examples" reason was given
for a theme that already had 10 or more decisions, and of the words shown as reasons (ml24) the share
characteristic of the suggested theme by the full human annotation and the share of filler words
(``text.FILLER``), and how many suggestions have a reason at all.

Run:  python bench/participation_learning_bench.py [koeln|ottensen ...]   (data: ISEK_DATA_DIRS)
      python bench/participation_learning_bench.py --variants   (fix24b: the engine's options compared
      in one run – class weights balanced, half, priors; the phase's and place's names and generic
      words as stop words – accuracy and macro-F1 on the rest, beside always answering the largest theme)
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import functools  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402

from isek.participation.evaluation import Theme, ThemeSuggester  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from participation_themes_bench import load  # noqa: E402

STEPS = (0, 20, 40, 80, 160)
warnings.filterwarnings("ignore")


# fix24b: what a phase would pass as its own stop words – its title, the concept's and quarters' names
PLACES = {"koeln": ["Raddialog Ehrenfeld", "Köln", "Ehrenfeld"],
          "ottensen": ["FreiRaum Ottensen", "Hamburg", "Altona", "Ottensen"]}
GENERIC = ["Straße", "machen", "Stadt", "Bereich"]
VARIANTS = {
    "balanced (now)": lambda name: {},
    "half-balanced": lambda name: {"balance": 0.5},
    "priors (no weights)": lambda name: {"balance": 0.0},
    "stop: place names": lambda name: {"stop_words": PLACES[name]},
    "stop: places + generic": lambda name: {"stop_words": PLACES[name] + GENERIC},
    # ml24 (decision 0088): levers the notes listed as not tried
    "one-vs-rest": lambda name: {"ovr": True},
    "density-weighted query": lambda name: {"density": 1.0},
    "prototypes 1.0": lambda name: {"prototype": 1.0},
    "prototypes 2.0": lambda name: {"prototype": 2.0},
    "balanced ** 1.5": lambda name: {"balance": 1.5},
}


def characteristic(cs, labels):
    """Whether a reason (a word or two as shown) is characteristic of a theme by the corpus's full
    human annotation: its words' lemmas together at least 1.5 times as frequent in the theme's
    contributions as in the others' (ml24: the reasons must be content words)."""
    from isek.participation.evaluation.text import lemma, words

    has = {c.id: {lemma(w) for w in words(c.text)} for c in cs}
    size = Counter(labels.values())

    @functools.cache
    def check(reason: str, theme: str) -> bool:
        lms = [lemma(w) for w in reason.split(" ")]
        inside = sum(all(lm in has[c] for lm in lms) for c in has if labels[c] == theme)
        outside = sum(all(lm in has[c] for lm in lms) for c in has if labels[c] != theme)
        return inside / size[theme] >= 1.5 * outside / (len(has) - size[theme])

    return check


def curve(name: str, steps=STEPS, batch: int = 10, reasons: bool = False, **options) -> list[dict]:
    from sklearn.metrics import f1_score

    from isek.participation.evaluation.text import FILLER, lemma

    cs, labels, themes = load(name)
    engine = ThemeSuggester(cs, [Theme(t.key) for t in themes], seed=0, **options)  # imported themes: no descriptions
    good = characteristic(cs, labels)
    known: dict = {}
    out = []
    wrong = 0
    for n in steps:
        while len(known) < n:
            picks = engine.next_to_label(min(batch, n - len(known)))
            rare_wrong = sum(1 for p in picks if p.reason == "selten"
                             and sum(1 for v in known.values() if v == getattr(p, "theme", None)) >= 10)
            wrong += rare_wrong
            known.update({p.id: labels[p.id] for p in picks})
            engine.fit(known)
        sug = engine.suggest(top_words=5 if reasons else 0)
        row = {"n": n, "accuracy": None, "median_probability": None, "median_confidence": None, "rare_wrong": wrong}
        if sug:
            row["accuracy"] = sum(labels[s.id] == s.theme for s in sug) / len(sug)
            row["macro_f1"] = f1_score([labels[s.id] for s in sug], [s.theme for s in sug], average="macro",
                                       zero_division=0)
            row["largest"] = Counter(labels[s.id] for s in sug).most_common(1)[0][1] / len(sug)
            row["median_probability"] = statistics.mean(s.confidence for s in sug)
            row["median_confidence"] = statistics.median(s.confidence for s in sug)
            sure = [s for s in sug if s.confidence >= 2 / 3]
            row["sure_share"] = len(sure) / len(sug)
            row["sure_accuracy"] = sum(labels[s.id] == s.theme for s in sure) / len(sure) if sure else None
            unsure = [s for s in sug if s.confidence < 2 / 3]
            row["unsure_accuracy"] = sum(labels[s.id] == s.theme for s in unsure) / len(unsure) if unsure else None
            shown = [(w, s.theme) for s in sug for w in s.words]
            if shown:  # the reasons: characteristic of the theme by the full annotation; filler words among them
                row["reasons_characteristic"] = sum(good(w, t) for w, t in shown) / len(shown)
                row["reasons_filler"] = sum(any(lemma(p) in FILLER or p.lower() in FILLER for p in w.split(" "))
                                            for w, _ in shown) / len(shown)
                row["with_reasons"] = sum(1 for s in sug if s.words) / len(sug)
        out.append(row)
    return out


def fmt(v):
    return "–" if v is None else f"{v:.3f}"


def variants() -> None:
    for name in ("koeln", "ottensen"):
        print(name, " (accuracy / macro-F1 on the rest; 'largest': always answering the rest's largest theme)")
        print(f"{'variant':26s}" + "".join(f"  N={n:<3d} acc   F1  " for n in STEPS[1:]))
        largest = None
        for label, options in VARIANTS.items():
            rows = curve(name, **options(name))[1:]
            largest = largest or rows
            print(f"{label:26s}" + "".join(f"  {fmt(r['accuracy'])} {fmt(r['macro_f1'])}" for r in rows))
        print(f"{'largest theme (now)':26s}" + "".join(f"  {fmt(r['largest'])}      " for r in largest))


if __name__ == "__main__":
    if "--variants" in sys.argv:
        variants()
        sys.exit()
    for name in sys.argv[1:] or ["koeln", "ottensen"]:
        print(name)
        print(" N   accuracy  mean conf  median conf  share ≥2/3  accuracy ≥2/3  accuracy <2/3  'selten' for ≥10"
              "  reasons: characteristic  filler  suggestions with one")
        for r in curve(name, reasons=True):
            print(f"{r['n']:4d}  {fmt(r['accuracy'])}    {fmt(r['median_probability'])}    {fmt(r['median_confidence'])}"
                  f"        {fmt(r.get('sure_share'))}       {fmt(r.get('sure_accuracy'))}          "
                  f"{fmt(r.get('unsure_accuracy'))}          {r.get('rare_wrong', '–'):<3}"
                  f"               {fmt(r.get('reasons_characteristic'))}         {fmt(r.get('reasons_filler'))}   "
                  f"{fmt(r.get('with_reasons'))}")
