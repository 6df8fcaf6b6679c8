"""Summaries in the citizens' own words: per group (or theme) the sentences of its contributions
that say best what the group says – extractive, each sentence exactly as written and with its
contribution; never generated text.

``representative_sentences(contributions, groups)`` splits every contribution into sentences
(title and text; a sentence of 5 to 60 words), weighs their lemmas by TF-IDF over all sentences of
the phase, and scores each sentence by its cosine with the group's centre (the mean of its
contributions, each the normalised sum of its sentences, so a long contribution counts as one).
The best come first – a sentence that begins by pointing back ("An dieser Stelle fehlt sie aber …")
at half its score, so that one standing alone comes first (``stands_alone``) –, at most one per
contribution and none too like one taken (cosine above ``alike``): the summary shows several
voices, not one said twice. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import LIGHT, lemma_ngrams, lemmas
from .themes import Contribution

# a sentence ends at . ! ? before a capital letter or a digit, or at a line end – not after an
# abbreviation ("Venloer Str. 12", "z. B. Busse", "Gr. Brunnenstraße"), a single letter ("A. Müller"),
# an ordinal number ("am 3. Mai") or a word with an inner dot ("z.B.", "u.a."); walk 25
END = re.compile(r"[.!?]+[\"“”»)]*(?=\s+[\"„“«(]?[A-ZÄÖÜ0-9])|\n+")
ABBREVIATIONS = frozenset("""
bzw ca str nr usw etc ggf evtl inkl exkl min max hbf bf dr prof st abs vgl bspw zb tel gr kl hl pl
nö hr fr jh jhd mio mrd tsd geb gem zzgl zzt ff mo di mi do sa so bd lt od sog bzgl insb allg ehem
mind max gegr incl kfz ärztl u o a d h s v ca km std bzgl
""".split())
CONTENT_WORDS = 3  # a quote says something: at least this many words that are no function words
# street suffixes glued to a name ("Subbelratherstr.", "Neumarktpl."): never a sentence's end (fix24)
STREET_SUFFIXES = ("str", "pl")
# words that go on a sentence even when written with a capital letter after a dot ("… Subbelratherstr.
# Und Venloer Str. …"); a quote does not begin with one (fix24)
CONJUNCTIONS = frozenset("und oder bzw sowie sondern beziehungsweise bzw.".split())
# a numbered list's marker "1." … "N." before a capitalised word (the items are found as a run 1, 2, 3 …)
MARKER = re.compile(r"(?:^|(?<=\s))(\d{1,2})\.\s+(?=[\"„“«(]?[A-ZÄÖÜ])")


def _abbreviation(word: str, following: str = "") -> bool:
    """Whether a "." after ``word`` (before ``following``) ends no sentence."""
    w = word.lower().strip("(\"„“»«")
    nxt = following.split(maxsplit=1)[0].lower().rstrip(",;:") if following.split() else ""
    return (len(w) <= 1 or w in ABBREVIATIONS or w.isdigit() or "." in w  # "3. Mai", "z.B.", "u.a."
            or w.endswith(STREET_SUFFIXES)  # "Brunnenstr. 3", "Subbelratherstr. Und …"
            or nxt in CONJUNCTIONS or nxt.rstrip(".") in CONJUNCTIONS)  # "… freigeben. Und …" goes on


def sentences(text: str, shortest: int = 5, longest: int = 60) -> list[str]:
    """The sentences of ``text`` with ``shortest`` to ``longest`` words."""
    return [s for s in _split(text) if shortest <= len(s.split()) <= longest]


def _items(text: str) -> list[str]:
    """``text`` cut at the markers of a numbered list ("1. Radwege ausbessern. … 2. Radwege
    verbreitern 3. …"): each item on its own, without its number. A list is a run of markers 1, 2,
    3 … (at least 1 and 2) in this order; an ordinal ("am 3. Mai") alone is none."""
    run, want = [], 1
    for m in MARKER.finditer(text):
        if int(m.group(1)) == want:
            run.append(m)
            want += 1
    if len(run) < 2:
        return [text]
    parts = [text[:run[0].start()]]
    for m, after in zip(run, [*run[1:], None]):
        parts.append(text[m.end():after.start() if after else len(text)])
    return parts


def _split(text: str) -> list[str]:
    text = text or ""
    return [s for item in _items(text) for s in _split_item(item)]


def _split_item(text: str) -> list[str]:
    out, start = [], 0
    for m in END.finditer(text):
        before = text[start:m.start()].split()
        if m.group(0).startswith(".") and before and _abbreviation(before[-1], text[m.end():].lstrip()):
            continue  # "Str. 12", "z. B.", "Gr. Brunnenstraße" go on
        out.append(text[start:m.end()])
        start = m.end()
    out.append(text[start:])
    return [s for s in (" ".join(p.split()) for p in out) if s]


def quotable(sentence: str) -> bool:
    """A whole sentence with content: it begins as a sentence begins (a capital letter, a digit or
    an opening quote, not a fragment's lower-case word), does not end on an abbreviation, and has
    at least ``CONTENT_WORDS`` words that are no function words ("Wie bei Ottensen macht Platz!"
    has two besides the place's name)."""
    first = sentence.lstrip("\"„“«(»-–• ")
    if not first or not (first[0].isupper() or first[0].isdigit()):
        return False
    if first.split()[0].lower().rstrip(".,;:") in CONJUNCTIONS:
        return False  # "Und Venloer Str. …" – the rest of a sentence
    last = sentence.split()[-1]
    if last.endswith(".") and _abbreviation(last[:-1]):
        return False  # "… in die Gr." – cut off
    return len([w for w in lemmas(sentence) if len(w) > 2 and w not in LIGHT]) >= CONTENT_WORDS


# A sentence that begins by pointing back – a pronoun, a demonstrative, "there", "but", "also",
# "therefore" – reads out of context as a quote ("An dieser Stelle fehlt sie aber besonders, …",
# walk 24): such a sentence counts ``BACK_WEIGHT`` of its score, so one that stands alone comes
# first where the group has one (decision 0081). German and English, lower case, written here.
POINTING_BACK = frozenset("""
sie er es ihr ihre ihren ihrem ihrer ihres sein seine seinen seinem seiner seines dies diese dieser dieses diesem
diesen jene jener jenes jenem jenen derselbe dieselbe dasselbe dort da daher deshalb deswegen darum dadurch dann
aber auch außerdem zudem ebenso ebenfalls trotzdem jedoch allerdings dazu dafür dagegen daran darauf davon
dabei damit hierfür hierzu letztere letzterer letzteres ersteres sonst ansonsten stattdessen somit also
it its they them their this these those there but also so therefore however he she his her
""".split())
# "Es gibt …", "Es fehlt …", "Es wäre schön, wenn …": "es" there points nowhere
EXPLETIVE_ES = frozenset("gibt gäbe fehlt fehlen fehlte wäre wären würde".split())
# a preposition before a demonstrative points back as well ("An dieser Stelle", "In diesem Bereich")
PREPOSITIONS = frozenset("""
an in auf aus bei mit nach von vor zu zur zum für über unter hinter neben zwischen wegen trotz seit durch gegen
ohne um ab at on in from for with by
""".split())
BACK_WEIGHT = 0.5


def stands_alone(sentence: str) -> bool:
    """Whether ``sentence`` can be read without the one before it: it does not begin with a word that
    points back ("sie", "dort", "aber", "deshalb", "this", …) nor with a preposition and a demonstrative
    ("An dieser Stelle …")."""
    words = [w.strip("\"„“«»()–-,;:.!?").lower() for w in sentence.split()[:2]]
    words = [w for w in words if w] + ["", ""]
    first, second = words[0], words[1]
    if first == "es" and second in EXPLETIVE_ES:
        return True
    if first in POINTING_BACK:
        return False
    return not (first in PREPOSITIONS and second.startswith(("dies", "jen", "dersel", "diesel", "dasselb", "this",
                                                              "these", "those", "that")))




@dataclass(frozen=True)
class Quote:
    id: Hashable  # the contribution it is from
    sentence: str  # as written
    score: float  # cosine with the group's centre, 0..1 (× BACK_WEIGHT for a sentence pointing back)


def _candidates(text: str) -> list[str]:
    """The sentences of a contribution that may be quoted: whole sentences with content, of 5 to 60
    words; not the title (its first line) when the contribution has a text besides."""
    lines = (text or "").split("\n", 1)
    body = lines[1] if len(lines) > 1 and lines[1].strip() else lines[0]
    return [s for s in sentences(body) if quotable(s)]


def representative_sentences(contributions: Iterable[Contribution], groups: Mapping[Hashable, Iterable[Hashable]], *,
                             per_group: int = 3, alike: float = 0.6) -> dict[Hashable, list[Quote]]:
    """For each group (key → contribution ids) its ``per_group`` most representative sentences."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    cs = {c.id: c for c in contributions}
    rows: list[tuple[Hashable, str]] = [(c.id, s) for c in cs.values() for s in _candidates(c.text)]
    out: dict[Hashable, list[Quote]] = {key: [] for key in groups}
    if not rows:
        return out
    try:
        S = TfidfVectorizer(analyzer=lemma_ngrams, sublinear_tf=True).fit_transform([s for _, s in rows])
    except ValueError:  # no sentence has a word
        return out
    S = normalize(S)
    of: dict[Hashable, list[int]] = {}
    for j, (cid, _) in enumerate(rows):
        of.setdefault(cid, []).append(j)
    # each contribution: the normalised sum of its sentences
    place = {cid: r for r, cid in enumerate(of)}
    M = sp.csr_matrix((np.ones(len(rows)), ([place[cid] for cid, _ in rows], np.arange(len(rows)))),
                      shape=(len(of), len(rows)))
    C = normalize(M @ S)
    alone = [stands_alone(s) for _, s in rows]
    for key, members in groups.items():
        members = [m for m in members if m in of]
        if not members:
            continue
        centre = np.asarray(C[[place[m] for m in members]].mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        if not norm:
            continue
        js = [j for m in members for j in of[m]]
        scores = S[js] @ (centre / norm)
        scores = scores * np.array([1.0 if alone[j] else BACK_WEIGHT for j in js])
        taken: list[int] = []
        used: set = set()
        for k in np.argsort(-scores, kind="stable"):
            j = js[k]
            cid = rows[j][0]
            if scores[k] <= 0 or len(taken) >= per_group:
                break
            if cid in used or (taken and (S[j] @ S[taken].T).max() > alike):
                continue
            taken.append(j)
            used.add(cid)
            out[key].append(Quote(cid, rows[j][1], float(scores[k])))
    return out
