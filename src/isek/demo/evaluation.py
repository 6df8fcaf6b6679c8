"""An example evaluation of a participation (issue 24): the 366 real contributions of the "Raddialog
Ehrenfeld" (Stadt Köln, 20.9.–24.10.2017) with the place each citizen set, imported from the file
in the data directories (never copied into the repository; CC BY 4.0, each contribution credited by
its URL; theme annotation CIMT corpus, HHU Düsseldorf, CC BY-SA 4.0) into an example phase of an
example concept over Köln-Ehrenfeld, the themes of the annotation in German, a few contributions
per theme sorted as a planner would (from the human labels, through the theme review, so the
change history names the demo), and a few example answers. Concept, quarters, phase and answers are
illustrative and labelled "Beispiel"; the contributions are real."""

from __future__ import annotations

import csv
import datetime
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from django.db import transaction

from isek.concepts import services as concepts
from isek.concepts.services import Concept, Quarter
from isek.core import geo
from isek.core.files import find_data_file
from isek.participation import services

SLUG = "koeln-ehrenfeld-auswertung-beispiel"
BERLIN = ZoneInfo("Europe/Berlin")  # the phase ended on 24.10.2017, as its description says, in Köln's time
POINTS = "participation/raddialog_koeln_ehrenfeld_2017_locations.csv"  # with the place each citizen set
LABELLED = "participation/raddialog_koeln_ehrenfeld_2017_themes.csv"  # with the annotation's theme
LICENCE = "CC BY 4.0 (Beiträge), CC BY-SA 4.0 (Themen-Annotation)"
CREDIT = ("Beiträge: Raddialog Ehrenfeld 2017 (Stadt Köln), CC BY 4.0, je Beitrag verlinkt; Themen-Annotation: "
          "CIMT-Korpus (HHU Düsseldorf, Romberg et al. 2022), CC BY-SA 4.0")
AREA = shapely.box(6.845, 50.935, 6.945, 50.995)  # around every point the citizens set
CENTRE = (6.914, 50.955)
# the annotation's themes as a planner would name them, with a colour each
THEMES = {
    "cycling_traffic_management": ("Radverkehrsführung", "Cycling routes", "#1565c0"),
    "cycle_path_quality": ("Zustand der Radwege", "Condition of cycle paths", "#6a1b9a"),
    "obstacles": ("Hindernisse auf dem Radweg", "Obstacles on cycle paths", "#c62828"),
    "traffic_lights": ("Ampeln", "Traffic lights", "#ef6c00"),
    "signage": ("Beschilderung und Markierung", "Signs and markings", "#00838f"),
    "bicycle_parking": ("Fahrradparken", "Bicycle parking", "#2e7d32"),
    "lighting": ("Beleuchtung", "Lighting", "#ad1457"),
    "misc": ("Sonstiges", "Other", "#4e342e"),
}
PER_THEME = 3  # contributions per theme the example planner sorted
ANSWERS = [  # (theme key, outcome, text): the first sorted contribution of the theme gets it
    ("cycle_path_quality", "examined", "Beispielantwort (nicht der Stadt Köln): Die Stelle wird bei der nächsten "
                                       "Begehung geprüft."),
    ("bicycle_parking", "swot", "Beispielantwort (nicht der Stadt Köln): Fehlende Abstellanlagen sind als Schwäche "
                                "in die Analyse aufgenommen."),
    ("traffic_lights", "examined", "Beispielantwort (nicht der Stadt Köln): Die Schaltung wird mit dem Amt für "
                                   "Straßen und Verkehr abgestimmt."),
]


def _quarters() -> list[tuple[str, str, shapely.Polygon]]:
    x0, y0, x1, y1 = AREA.bounds
    cx, cy = CENTRE
    return [("Nordwest (Beispiel)", "#1565c0", shapely.box(x0, cy, cx, y1)),
            ("Nordost (Beispiel)", "#2e7d32", shapely.box(cx, cy, x1, y1)),
            ("Südwest (Beispiel)", "#ef6c00", shapely.box(x0, y0, cx, cy)),
            ("Südost (Beispiel)", "#6a1b9a", shapely.box(cx, y0, x1, cy))]


def load(operator, replace) -> Concept | None:
    """The example concept with its evaluated phase; None when the Raddialog files are missing."""
    points, labelled = find_data_file(POINTS), find_data_file(LABELLED)
    if points is None or labelled is None:
        return None
    with open(labelled, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    labels = {r["ID"]: r["main_category_level1"].removeprefix("level1_") for r in rows}
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic():
        points = _dated(points, {r["ID"]: r["created"] for r in rows}, {r["URL"]: r["created"] for r in rows},
                        Path(tmp))
        city = replace(SLUG, "05315000", "Köln")
        concept = concepts.create_concept(
            operator, city, name="Köln-Ehrenfeld – Beispiel Auswertung der Beteiligung", slug=SLUG,
            programme="lebendige_zentren", legal_basis="baugb_141", start_year=2017, end_year=2027, status="draft",
            summary="Beispiel für die Auswertung einer Beteiligung mit echten Beiträgen: die 366 Beiträge des "
                    "Raddialogs Ehrenfeld 2017 (Stadt Köln). Kein ISEK der Stadt Köln; Gebiet, Teilräume, "
                    "Zuordnungen und Antworten sind Beispiele.",
            area=geo.to_django(shapely.MultiPolygon([AREA])), area_name="Stadtbezirk Ehrenfeld (Ausschnitt, Beispiel)",
            area_approximated=True, area_source="Beispiel: Rechteck um die Orte der Beiträge.", is_public=False)
        # the example's quarters are quarters of a rectangle around the contributions, knowingly larger
        # than a funding area's (decision 0066): confirmed
        for name, colour, box in _quarters():
            concepts.save_quarter(operator, concept, confirmed=True, quarter=Quarter(
                name=name, colour=colour, approximated=True, geometry=geo.to_django(shapely.MultiPolygon([box])),
                source="Beispiel: ein Viertel des Rechtecks, keine amtliche Gliederung."))
        phase = services.save_phase(
            operator, concept, title_de="Raddialog Ehrenfeld 2017 (Beispiel-Auswertung)",
            title_en="Cycling dialogue Ehrenfeld 2017 (example evaluation)",
            description="Beispiel einer Auswertung: die echten Beiträge des Raddialogs Ehrenfeld (Stadt Köln, "
                        "20.9.–24.10.2017), importiert mit ihrem Ort und der Adresse des Originals. " + CREDIT + ".",
            start=datetime.datetime(2017, 9, 20, tzinfo=datetime.UTC), end=datetime.datetime(2017, 10, 24, 23, 59, 59, tzinfo=BERLIN),
            illustrative=True, themes=list(THEMES.values()))
        plan = services.plan_import(operator, phase, points)
        m = plan.mapping
        m.source, m.licence, m.credit = "Raddialog Ehrenfeld 2017 (Stadt Köln)", LICENCE, CREDIT
        m.default_theme, m.without_bad_places = THEMES["misc"][0], True
        services.commit_import(operator, phase, services.plan_import(operator, phase, points, mapping=m))
        # In one transaction (isek learns the answers when it commits: learning each in turn took 6 s of
        # the demo's load for three more suggestions kept of 22).
        _sort_some(operator, concept, phase, labels)
    return concept


def _dated(points: Path, by_id: dict[str, str], by_url: dict[str, str], folder: Path) -> Path:
    """The locations file with the date each contribution was written (fix24h): the file has none, so
    the import took the import's day; the annotated file has it ("created"), joined by the
    contribution's id, else its address. Written to ``folder`` under the file's own name (the import
    records it), in UTF-8."""
    with open(points, encoding="cp1252", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        header, rows = list(reader.fieldnames or []), list(reader)
    out = folder / Path(points).name
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [*header, "created"], delimiter=";")
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, "created": by_id.get(r["document_id"]) or by_url.get(r["url"], "")})
    return out


def _sort_some(operator, concept: Concept, phase, labels: dict[str, str]) -> None:
    """A few contributions per theme sorted by the example planner (the annotation's label), the
    first of some themes answered; the rest stay open for the visitor to sort."""
    themes = {t.name_de: t for t in phase.themes.all()}
    ideas = {i.source_key.removeprefix("id:"): i for i in services.Idea.objects.filter(phase=phase).order_by("number")}
    chosen: dict[str, list] = {}
    for key, i in ideas.items():
        label = labels.get(key)
        if label in THEMES and len(chosen.setdefault(label, [])) < PER_THEME:
            chosen[label].append(i)
    for round_ in range(PER_THEME):  # one per theme, then a second: as a planner works through the themes
        for label, sorted_ideas in chosen.items():
            if round_ < len(sorted_ideas):
                services.confirm_theme(operator, concept, phase, sorted_ideas[round_].pk, themes[THEMES[label][0]].pk)
    for label, outcome, text in ANSWERS:
        if chosen.get(label):
            i = services.Idea.objects.get(pk=chosen[label][0].pk)
            services.decide(operator, i, "approve")
            services.answer(operator, services.Idea.objects.get(pk=i.pk), text=text, outcome=outcome)
