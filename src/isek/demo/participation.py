"""The Bochum demo's participation: an open phase with the six theme blocks of the city's 2018
online participation "Bo wird Bäm!" and a few example ideas, comments and decisions. Phase and
contributions are illustrative (labelled so); the theme blocks are real (see the template's source)."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from isek.participation import services

THEMES_EN = {
    "Stadtbild & Image": "Townscape & image", "Plätze & Freiräume": "Squares & open spaces", "Mobilität": "Mobility",
    "Wohnen & Quartier": "Housing & neighbourhood", "Handel & Kultur": "Retail & culture",
    "Gesundheit & Bildung": "Health & education",
}

# (theme, title, text, author name, what the moderation does, comment)
IDEAS = [
    ("Plätze & Freiräume", "Mehr Schatten am Platz", "Bäume und Sitzgelegenheiten, damit man im Sommer bleiben mag.",
     "Anna (Beispiel)", ("answer", "examined", "Die Stadt prüft Baumstandorte im Rahmen der Platzgestaltung."),
     "Unbedingt, und Trinkwasser dazu!"),
    ("Mobilität", "Sichere Radwege zur Innenstadt", "Durchgehende, vom Autoverkehr getrennte Radwege vom Ring in die Innenstadt.",
     "", ("link", None, "Die Idee ist in die Maßnahme eingeflossen."), "Am Ring fehlt eine sichere Querung."),
    ("Handel & Kultur", "Leerstände für Kultur öffnen", "Leere Ladenlokale befristet an Kulturschaffende vermieten.",
     "Ben (Beispiel)", ("answer", "swot", "Leerstand ist als Schwäche in die Analyse aufgenommen."), ""),
    ("Wohnen & Quartier", "Innenhöfe begrünen", "Förderung für Hofbegrünung und Entsiegelung in den Wohnblöcken.",
     "", None, ""),
    ("Stadtbild & Image", "Lichtkonzept für die Fußgängerzone", "Abends wirkt die Fußgängerzone dunkel und wenig einladend.",
     "", ("pending",), ""),
    ("Gesundheit & Bildung", "Tolles Angebot – jetzt kaufen!", "Werbung für einen Online-Shop.",
     "", ("reject", "advertising", "Werbung gehört nicht in die Beteiligung."), ""),
]


def load(operator, concept) -> None:
    now = timezone.now()
    fields = list(concept.fields_of_action.order_by("number"))
    themes = [(f.name, THEMES_EN.get(f.name, f.name_en), f.colour) for f in fields]
    phase = services.save_phase(
        operator, concept, title_de="Beteiligung zum ISEK (Beispiel nach „Bo wird Bäm!“)",
        title_en="Participation in the ISEK (example after “Bo wird Bäm!”)",
        description="Illustrative Beteiligungsphase der Demo mit den sechs Themenblöcken der Online-Beteiligung "
                    "„Bo wird Bäm!“ (6.11.2018–4.1.2019). Die Beiträge sind Beispiele, keine echten Beiträge.",
        start=now - datetime.timedelta(days=14), end=now + datetime.timedelta(days=60), illustrative=True,
        themes=themes)
    places = [json.loads(p) for p, _label in services.places(phase)]
    measures = list(concept.measures.exclude(geometry=None).order_by("sort_key"))
    by_theme = {t.name_de: t for t in phase.themes.all()}
    for n, (theme, title, text, name, decision, comment) in enumerate(IDEAS):
        author, _token = services.contributor_for(None)
        place = places[(n + 1) % len(places)]
        idea = services.submit_idea(operator, phase, author, theme=by_theme[theme], title=title, text=text,
                                    name=name, geometry=json.dumps(place), illustrative=True)
        if decision is None:
            services.decide(operator, idea, "approve")
        elif decision[0] == "pending":
            pass
        elif decision[0] == "reject":
            services.decide(operator, idea, "reject", reason=decision[1], text=decision[2])
        else:
            services.decide(operator, idea, "approve")
            if decision[0] == "link" and measures:
                services.answer(operator, idea, text=decision[2], outcome="measure", measure=measures[0])
            else:
                services.answer(operator, idea, text=decision[2], outcome=decision[1])
        if comment and idea.status == services.Status.PUBLISHED:
            other, _t = services.contributor_for(None)
            c = services.comment(operator, concept, other, text=comment, idea=idea, illustrative=True)
            services.decide(operator, c, "approve")
