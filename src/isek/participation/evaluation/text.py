"""German text for the evaluation: words, their lemmas (simplemma, data shipped in its wheel) and
the surface form to show for a lemma. Pure: no Django, no download, no network."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

# A word: letters with inner hyphens; a gendered form stays one word ("Bürger*innen", "Anwohner:innen",
# "Nutzer_in", "Mitarbeiter/-innen"), not a word and a fragment "innen" (walk 24).
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:(?:[*:_·]|/-?)(?i:innen|in)(?![^\W\d_]))?", re.UNICODE)

# Function words that say nothing about a theme (written for this module; lemmas, lower case).
STOPWORDS = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bitte bzw da dabei
dadurch dafür dagegen daher damit dann darauf daran darin darum das dass davon dazu dem den denn der des dessen dich die
dies diese dieser dieses doch dort du durch ein eine einem einen einer eines einig einmal er es etwa etwas euch euer für
gar geben gibt haben hat hier hin ich ihm ihn ihnen ihr im immer in ins ist ja jede jeder jedes jedoch jetzt kann kein
keine können könnte man manch mehr mein mich mir mit muss müssen nach nicht nichts noch nun nur ob oder ohne schon sehr
sein seine sich sie sind so solch soll sollen sollte sondern sowie um und uns unser unter viel vom von vor wann war
warum was weil welch welche wenn wer werden wie wieder will wir wird wo wollen würde zu zum zur zwar zwischen über
ab weit gut ganz mal eben beid beide sowie ca usw etc z b s o u a d h
""".split())

# Lemmas never shown as a characteristic word (a group's name, the words behind a suggestion;
# minor24): the platforms' anonymisation placeholders ("[Name entfernt]", "xxx") and the pieces of
# web addresses in a text ("https://www.hamburg.de/….html"). They stay features: they say little,
# and the texts' features are not changed for what is shown.
NOT_SHOWN = frozenset("""
name entfernt anonymisiert gelöscht http https www de com org net eu info html htm php aspx
""".split())
_FILLER = re.compile(r"x{2,}")

# Words that carry no content of their own (lemmas, lower case; written for this module): in a quote
# (summaries) and as a reason for a theme (ml24: a stranger saw "toll", "leider", "Straße" as "the
# words that led to" a theme). Opinion and politeness words, general verbs, and nouns and adjectives
# every theme of a town's traffic or open spaces uses.
LIGHT = frozenset("""
machen sagen finden gehen kommen stehen lassen sehen geben tun halten bleiben toll super prima schön
danke gern gerne bitte leider einfach wirklich genau richtig neu alt groß klein platz idee frage
""".split())
FILLER = LIGHT | frozenset("""
gut schlecht besser besonders unbedingt dringend endlich total echt klar eigentlich natürlich sicherlich
vielleicht wichtig sinnvoll nötig notwendig schade furchtbar schrecklich unmöglich extrem völlig komplett
oft häufig selten manchmal meist meistens ständig täglich dauernd wenig weniger viele vieles anderer andere
straße stadt bereich ecke stelle seite richtung ort teil art weise fall problem situation lage zustand
mensch leute person vorschlag anregung wunsch hinweis meinung jahr tag zeit uhr woche monat
sollen dürfen mögen wünschen brauchen nutzen führen bringen stellen liegen heißen meinen denken glauben
deutlich erst gerade bereits zudem außerdem ebenfalls sogar allerdings trotzdem sofort derzeit aktuell momentan
zurzeit weiterhin stets möglich möglichst eher ziemlich recht fast kaum
str strasse
""".split())


# Place names (fix24h): "Vogelsanger" and "Subbelrather" (of "Vogelsanger Straße") were shown as the
# words that led to "Radverkehr" – a planner cannot judge a suggestion by a street's name. A street
# word, alone ("Venloer Str.") or ending a compound ("Kanalstraße", "Max-Brauer-Allee"):
_STREET = r"(?:straße|strasse|str|weg|platz|allee|gasse|ring|ufer|gürtel|damm|chaussee)"
_STREET_WORD = re.compile(_STREET + r"(?:e?s)?", re.IGNORECASE)  # a genitive too: "des Gürtels" (fix24i)
# a genitive of a ring road too: "des Ehrenfeldgürtels", "des Militärrings" (fix24i; not "Gehwegs")
_STREET_END = re.compile(r".{3,}?(" + _STREET + r"|(?:gürtel|ring)s)", re.IGNORECASE)
# a street word that names one street where it stands alone: Köln's "Gürtel" (fix24i)
_ONE_STREET = frozenset({"gürtel"})
# a street word that is a common word too ("ein kurzer Weg"): a name before it only in an "-er" form ("Grüner Weg")
_COMMON_STREET = re.compile(r"(?:weg|platz|ring|ufer|damm|gürtel)(?:e?s)?", re.IGNORECASE)
_ADJECTIVE_STREET = re.compile(r"(?:weg|ring|ufer|damm|gürtel)(?:e?s)?", re.IGNORECASE)  # not "Perfekter Platz"
# after a name, a compound naming a street too ("Ottenser Hauptstraße", "Große Bergstraße"), not a
# common one ending in "weg" or "platz" ("Breiter Radweg", "Mehr Parkplätze")
_NAMED_STREET = re.compile(r".*(?:straße|strasse|str|allee|gasse|chaussee)", re.IGNORECASE)


def _known(word: str) -> bool:
    """Whether simplemma's German dictionary knows the word or its lemma (a common word such as
    "Radweg", "Autos", "Fahrrad"; "Einbahnstr" and "Fussweg" as "Einbahnstraße" and "Fußweg")."""
    import simplemma

    word = re.split(r"[*:_·/]", word)[0]
    forms = {word, word.capitalize(), re.sub(r"(?i)str$", "straße", word), re.sub(r"(?i)strasse$", "straße", word),
             word.replace("ss", "ß")}
    return any(simplemma.is_known(f, lang="de") or simplemma.is_known(simplemma.lemmatize(f, lang="de"), lang="de")
               for f in forms)


def _common(word: str, street: str = "") -> bool:
    """Whether ``word`` is a common word: known (``_known``), or a compound ending in a known word of
    at least five letters ("Radverkehrsführung", "Wartebereich"; with ``street``, the street word it
    ends in, only "…weg" and "…platz", of which citizens write many compounds: "Bordsteinradweg",
    "Lastenradstellplatz", "Fahradweg" – where "Weinsbergstraße" ends in the known "Bergstraße").
    Not a name's "-er" form ("Vogelsanger" ends in "Anger"). Of a hyphenated word the last part
    counts: "Gehweg-Radweg" is common, "Max-Brauer-Allee" a name."""
    if "-" in word:
        *first, word = word.split("-")
        if _STREET_WORD.fullmatch(word):
            return not all(p[:1].isupper() for p in first)
    if _known(word):
        return True
    if (word.endswith("er") and not street) or (street and street.lower() not in ("weg", "platz")):
        return False
    shortest = max(5, len(street) + 1)
    return any(_known(word[k].upper() + word[k + 1:]) for k in range(2, len(word) - shortest + 1))


def _name_like(word: str, street: str = "") -> bool:
    return word[:1].isupper() and lemma(word) not in STOPWORDS and not _common(word, street)


def place_names(texts, known=()) -> frozenset[str]:
    """The lemmas of place names in ``texts`` (fix24h): a word the texts write before a street word
    ("Vogelsanger" of "Vogelsanger Straße", "Venloer Str.") or a compound ending in one
    ("Kanalstraße", "Subbelratherstr", "Alma-Wartenberg-Platz") – capitalised and unknown to the
    German dictionary, so "Radweg", "Parkplatz", "Einbahnstraße", "Mehr Platz" are no places –, and
    the words of ``known`` names (the street names of the area, e.g. "Venloer Straße") by the same test."""
    out = set()

    def add_name(w):
        """A place name's lemma, and of a hyphenated one each part's but the street word's: "Oskar-Jäger-Str."
        gives "oskar" and "jäger" too, written elsewhere "Oskar Jäger Str" (fix24i)."""
        out.add(lemma(w))
        parts = w.split("-")
        # a street's parts only: "Oskar-Jäger-Str.", "Max-Brauer-Allee", "Alma-Wartenberg-Platz" (names before a
        # "Weg" or "Platz": "Geh-Platz" is none), not "Pkw-Stellplatz" (its "Stellplatz" is a word)
        if len(parts) > 1 and (_NAMED_STREET.fullmatch(parts[-1]) or _STREET_WORD.fullmatch(parts[-1])
                               and (not _COMMON_STREET.fullmatch(parts[-1]) or all(map(_name_like, parts[:-1])))):
            out.update(lemma(p) for p in parts[:-1] if len(p) > 1 and lemma(p) not in STOPWORDS)

    def before_street(ws, j) -> bool:
        """Whether ``ws[j]`` is part of the name of the street word following it (or following a part of
        the name): "Venloer Str.", "Oskar" of "Oskar Venloer Str" – a capitalised word right before a
        street's word that is no common word or an adjective's "-er" form ("Grüner Weg", fix24i; not
        before "Platz": "Perfekter Platz"); before a compound naming a street, a name only."""
        nxt = ws[j + 1] if j + 1 < len(ws) else ""
        w = ws[j]
        if not w[:1].isupper() or lemma(w) in STOPWORDS or _STREET_WORD.fullmatch(w):
            return False
        # an adjective's "-er" form ("Grüner Weg", "Fischer Allee"), not a noun ("Fußgänger Weg", "Radfahrer Str.")
        adjective = w.endswith("er") and len(w) > 3 and nxt[:1].isupper() \
            and (not _known(w) or lemma(w.lower()) + "er" == w.lower())  # not "Fahrräder weg"
        if _COMMON_STREET.fullmatch(nxt):
            return _name_like(w) or bool(_ADJECTIVE_STREET.fullmatch(nxt)) and adjective
        if _STREET_WORD.fullmatch(nxt):
            return _name_like(w) or adjective  # not "Neue Radwege Str."
        if _NAMED_STREET.fullmatch(nxt):  # before a compound: a name ("Ottenser Hauptstraße"), not "Radfahrer Behringstr."
            return _name_like(w)
        # a first name before a name before a street ("Oskar Jäger Str"): only if not a common word
        return j + 2 < len(ws) and _name_like(w) and not _known(w.lower()) and before_street(ws, j + 1)

    def add(ws):
        for j, w in enumerate(ws):
            end = _STREET_END.fullmatch(w)
            if end and _name_like(w, end.group(1)):
                add_name(w)
            elif before_street(ws, j) or j + 1 < len(ws) and _STREET_WORD.fullmatch(ws[j + 1]) \
                    and "-" in w and all(p[:1].isupper() for p in w.split("-")):  # "Oskar-Jäger Str."
                add_name(w)
            elif lemma(w) in _ONE_STREET:
                out.add(lemma(w))

    for t in texts:
        add(words(t))
    for name in known:  # and every word of a street's name the dictionary does not know ("Am Elsterstrand")
        ws = words(name)
        add(ws)
        out.update(lemma(w) for w in ws if len(w) > 2 and w[:1].isupper() and lemma(w) not in STOPWORDS
                   and not _STREET_WORD.fullmatch(w) and not _known(w))
    return frozenset(out)


def shown(feature: str) -> bool:
    """Whether a word feature (a lemma or two) may be shown as characteristic: none of its lemmas
    is a placeholder or a piece of an address (``NOT_SHOWN``, "xx", "xxx" …)."""
    return not any(p in NOT_SHOWN or _FILLER.fullmatch(p) for p in feature.split(" "))


def content(feature: str, written: str = "") -> bool:
    """Whether a word feature may be given as a reason for a theme: shown (``shown``) and none of its
    lemmas a filler word (``FILLER``: "toll", "leider", "Straße" …), nor any word of the form it is
    shown in (``written``) or that word's lemma in lower case (simplemma gives "tolle" the lemma
    "tollen", a lower-case "bitte" "bitten")."""
    if not shown(feature) or any(p in FILLER for p in feature.split(" ")):
        return False
    return not any(w.lower() in FILLER or lemma(w.lower()) in FILLER for w in words(written))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lower-case lemma of one German word (simplemma's dictionary and rules, cached)."""
    import simplemma

    return simplemma.lemmatize(word, lang="de").lower()


def words(text: str) -> list[str]:
    """The words of ``text`` as written (letters and inner hyphens; numbers and signs dropped)."""
    return WORD.findall(text or "")


def lemmas(text: str, stop: frozenset = frozenset()) -> list[str]:
    """The lemmas of ``text`` without function words (and ``stop``): what the word features are made of."""
    out = []
    for w in words(text):
        lm = lemma(w)
        if len(lm) > 1 and lm not in STOPWORDS and lm not in stop:
            out.append(lm)
    return out


def lemma_ngrams(text: str, stop: frozenset = frozenset()) -> list[str]:
    """The lemmas of ``text`` and each pair of neighbours ("radweg", "radweg schmal"): the word features."""
    ls = lemmas(text, stop)
    return ls + [f"{a} {b}" for a, b in zip(ls, ls[1:])]


class SurfaceForms:
    """For each lemma the form citizens wrote most often, so reasons read as their words
    ("Radwege", not "radweg"); of the forms that differ only by case the most frequent spelling
    ("Verkehr" for the lemma "verkehren" of a lower-case "verkehr" too; walk 24)."""

    def __init__(self, texts):
        seen: dict[str, Counter] = defaultdict(Counter)
        spellings: dict[str, Counter] = defaultdict(Counter)
        for t in texts:
            for w in words(t):
                seen[lemma(w)][w.casefold()] += 1
                spellings[w.casefold()][w] += 1
        self._best = {lm: spellings[c.most_common(1)[0][0]].most_common(1)[0][0] for lm, c in seen.items()}

    def __call__(self, feature: str) -> str:
        return " ".join(self._best.get(p, p) for p in feature.split(" "))
