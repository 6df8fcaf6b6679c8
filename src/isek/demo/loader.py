"""Load the Bochum demo into the database (idempotent: replaces an earlier demo concept)."""

from __future__ import annotations

import datetime
import math
import secrets

import shapely
from django.contrib.auth import get_user_model
from django.db import transaction

from isek import access
from isek.analysis import services as analysis
from isek.concepts import services as concepts
from isek.concepts.services import Concept, Goal, Measure, MeasureSource, Milestone, Quarter
from isek.core import geo
from isek.core.files import find_data_file
from isek.geodata import services as geodata

from . import bochum, context

PLANNER = "planerin"
REVIEWER = "pruefer"
ADMIN = "verwaltung"
AUTHORITY = "bezreg-arnsberg"  # a reviewer of the Bezirksregierung Arnsberg (Bochum's funding authority)
SAB_USER = "sab-pruefer"  # a reviewer of the Sächsische Aufbaubank (Hoyerswerda's), see procedure.SAB_USER
DEMO = access.Operator("isek demo")  # the demo loads through the services like any channel


def funding_area() -> shapely.MultiPolygon:
    """The approximated Gleisdreieck, scaled about its centroid to 1.25 km² (EPSG:25832)."""
    poly = geo.transform(shapely.Polygon(bochum.AREA_OUTLINE), "EPSG:4326", "EPSG:25832")
    factor = math.sqrt(bochum.AREA_TARGET_M2 / poly.area)
    c = poly.centroid
    scaled = shapely.affinity.scale(poly, factor, factor, origin=c)
    return shapely.MultiPolygon([geo.transform(scaled, "EPSG:25832", "EPSG:4326")])


def quarter_polygons(area: shapely.MultiPolygon) -> list:
    """Four illustrative quarters: the area cut into NW/NE/SW/SE parts at its centroid."""
    work = geo.transform(area, "EPSG:4326", "EPSG:25832")
    c = work.centroid
    x0, y0, x1, y1 = work.bounds
    boxes = [
        shapely.box(x0, c.y, x1, y1),  # north
        shapely.box(x0, y0, c.x, c.y),  # south-west: Rathausviertel
        shapely.box(c.x, y0 + (c.y - y0) * 0.45, x1, c.y),  # east: Bahnhofsviertel
        shapely.box(c.x, y0, x1, y0 + (c.y - y0) * 0.45),  # south-east: Bermuda3eck
    ]
    parts = []
    for b in boxes:
        part = work.intersection(b)
        if part.geom_type == "Polygon":
            part = shapely.MultiPolygon([part])
        parts.append(geo.transform(part, "EPSG:25832", "EPSG:4326"))
    return parts


def _date(s):
    return datetime.date.fromisoformat(s) if s else None


def _replace(slug: str, ags: str, name: str):
    old = concepts.concept_by_slug(slug)
    if old is not None:
        concepts.delete_concept(DEMO, old)
    return concepts.save_city(DEMO, ags, name)


@transaction.atomic
def load(analyse_layers: bool = True) -> Concept:
    city = _replace(bochum.SLUG, bochum.CITY["ags"], bochum.CITY["name"])
    context.register(DEMO, city)
    area = funding_area()
    concept = concepts.create_concept(DEMO, city, area=geo.to_django(area), **bochum.CONCEPT)
    for (name, colour, description), g in zip(bochum.QUARTERS, quarter_polygons(area)):
        concepts.save_quarter(DEMO, concept, Quarter(
            name=name, colour=colour, description=description, geometry=geo.to_django(g), approximated=True,
            source="Illustrativer Teilraum der Demo, keine amtliche Gliederung."))
    # The six theme blocks of the 2018 participation are isek's template "bochum-2018"; the goals are the demo's own.
    concepts.apply_template(DEMO, concept, "bochum-2018", goals=False)
    fields = {f.number: f for f in concept.fields_of_action.all()}
    goals = {number: Goal(field_of_action=fields[field], number=number, title=title, illustrative=True)
             for number, field, title in bochum.GOALS}
    concepts.save_structure(DEMO, concept, goals=list(goals.values()))
    for spec in bochum.measures():
        g = spec.get("geometry")
        measure = Measure(
            number=spec["number"], title=spec["title"], description=spec["description"],
            geometry=geo.to_django(g) if g is not None else None,
            geometry_approximated=g is not None, geometry_source=bochum.GEOM_NOTE if g is not None else "",
            primary_field=fields[spec["field"]], priority=spec["priority"], status=spec["status"],
            lead_body=spec.get("lead_body", ""), start=_date(spec.get("start")), end=_date(spec.get("end")),
            estimated_cost=spec.get("estimated_cost"), figures_source=spec.get("figures_source", ""),
            figures_approximated=False,
        )
        sources = [MeasureSource(statement=statement, url=url, evidence=evidence)
                   for statement, url, evidence in spec["sources"]]
        sources.append(MeasureSource(
            evidence="illustrative",
            statement="Nummerierung, Ziele und Zuordnung zu Handlungsfeldern sind illustrativ (die Maßnahmenliste des ISEK ist nicht öffentlich)."))
        concepts.save_measure(
            DEMO, concept, measure, further_fields=[fields[n] for n in spec["further"]],
            goals=[goals[n] for n in spec["goals"]], sources=sources,
            milestones=[Milestone(title=title, due=_date(due), done=_date(done), source=source)
                        for title, due, done, source in spec.get("milestones", [])])
    from . import finance as finance_demo
    from . import monitoring as monitoring_demo
    from . import participation as participation_demo

    finance_demo.load(DEMO, concept)
    monitoring_demo.load(DEMO, concept)
    participation_demo.load(DEMO, concept)
    if analyse_layers:
        analyse(concept)
    return concept


def analyse(concept: Concept) -> None:
    """The indicators Bochum's real city layers allow (stops, schools, daycare, playgrounds,
    Stolpersteine), stored as dated values; skipped when the layers are missing."""
    if not all(st.available for st in geodata.layers_of(concept.city) if st.layer.analysis_input):
        return
    analysis.start_run(DEMO, concept, city_layers=True, now=True)


def ensure_users(concept: Concept, password: str | None = None, also=()) -> dict[str, str]:
    """Create or reset the demo planner and reviewer (with the same roles on the concepts in
    ``also``) and an administrator; return {username: password}."""
    User = get_user_model()
    out = {}
    for username, role in ((PLANNER, "planner"), (REVIEWER, "reviewer")):
        pw = password or secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(pw)
        user.save()
        for c in (concept, *also):
            concepts.grant_role(DEMO, c, user, role)
        out[username] = pw
    # An administrator, to try the invitations (the mails go to a folder, see `isek demo`).
    pw = password or secrets.token_urlsafe(12)
    admin, _ = User.objects.get_or_create(username=ADMIN)
    admin.is_superuser = admin.is_staff = True
    admin.set_password(pw)
    admin.save()
    out[ADMIN] = pw
    return out


def ensure_authority(password: str | None = None) -> dict[str, str]:
    """Bochum's funding authority, the Bezirksregierung Arnsberg, with its district and a demo
    reviewer (created or reset); return {username: password}."""
    authority = concepts.FundingAuthority.objects.filter(name=bochum.AUTHORITY["name"]).first() or concepts.FundingAuthority()
    for field, value in bochum.AUTHORITY.items():
        if field != "prefixes":
            setattr(authority, field, value)
    concepts.save_authority(DEMO, authority, bochum.AUTHORITY["prefixes"])
    pw = password or secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=AUTHORITY)
    user.set_password(pw)
    user.save()
    concepts.grant_authority_role(DEMO, authority, user)
    return {AUTHORITY: pw}


def ensure_sab(password: str | None = None) -> dict[str, str]:
    """Hoyerswerda's funding authority, the Sächsische Aufbaubank (SAB) for all of Saxony, with a
    demo reviewer (created or reset); return {username: password}."""
    from . import procedure

    return procedure.ensure_sab(DEMO, lambda: password or secrets.token_urlsafe(12))


def load_procedure(concept: Concept, hoyerswerda: Concept | None = None) -> list:
    """The funding procedure on the loaded demo (issue #23 point 7, illustrative): Bochum's
    application 2027 with a change request answered, approved with one measure cut; Hoyerswerda's in
    review at the SAB. A step of its own (``isek demo`` runs it after the users), so the tests that
    load Bochum stay fast; needs ``ensure_users``, ``ensure_authority`` and ``ensure_sab``. Returns
    the applications to look at (Bochum's approved one, Hoyerswerda's in review)."""
    from . import procedure

    return procedure.load(concept, hoyerswerda, planner=PLANNER, reviewer=AUTHORITY)


LAUF_SLUG = "lauf-analyse-beispiel"
LAUF_EXTRACT = "osm/lauf_an_der_pegnitz_2020-01-15.osm.pbf"


def load_lauf() -> Concept | None:
    """A second, illustrative concept for the inventory analysis on a real OSM extract: the town of
    Lauf an der Pegnitz with its Altstadt as a quarter, analysed from the 2020 extract."""
    path = find_data_file(LAUF_EXTRACT)
    if path is None:
        return None
    town = shapely.box(11.2474, 49.4995, 11.3079, 49.5304)
    altstadt = shapely.box(11.2735, 49.5055, 11.2815, 49.5095)
    with transaction.atomic():
        city = _replace(LAUF_SLUG, "09574138", "Lauf a.d.Pegnitz")
        concept = concepts.create_concept(
            DEMO, city, name="Lauf a.d.Pegnitz – Beispiel Bestandsanalyse", slug=LAUF_SLUG,
            programme="lebendige_zentren", legal_basis="baugb_141", start_year=2020, end_year=2030, status="draft",
            summary="Illustratives Beispiel für die Bestandsanalyse aus einem echten OSM-Extrakt (Stand Januar 2020). "
                    "Kein ISEK der Stadt Lauf; Gebiet und Teilräume sind Rechtecke um Stadt und Altstadt.",
            area=geo.to_django(shapely.MultiPolygon([town])), area_name="Stadtgebiet (Ausschnitt des Extrakts)",
            area_approximated=True, area_source="Illustrativ: Ausdehnung des OSM-Extrakts.", is_public=True)
        concepts.save_quarter(DEMO, concept, Quarter(
            name="Altstadt", colour="#b0003a", approximated=True,
            geometry=geo.to_django(shapely.MultiPolygon([altstadt])), source="Illustrativ: Rechteck um die Altstadt."))
        concepts.save_quarter(DEMO, concept, Quarter(
            name="Übrige Stadt", colour="#1565c0", approximated=True,
            geometry=geo.to_django(shapely.MultiPolygon([town.difference(altstadt)])), source="Illustrativ."))
    extract = geodata.add_extract(DEMO, concept, path)  # the town's extract, offered to its analysis
    analysis.start_run(DEMO, concept, extract=extract.path, now=True)
    return concept


def load_hoyerswerda() -> Concept | None:
    """The second example city, started as a new city would start it (wizard services, the general
    template), with the base map and the analysis from the real Altstadt extract; None without it."""
    from decimal import Decimal

    from . import hoyerswerda as hy

    extract = find_data_file(hy.EXTRACT)
    if extract is None:
        return None
    with transaction.atomic():
        old = concepts.concept_by_slug(hy.SLUG)
        if old is not None:
            concepts.delete_concept(DEMO, old)
        concept = concepts.start_concept(DEMO, ags=hy.CITY["ags"], city_name=hy.CITY["name"], template="isek-allgemein",
                                         **hy.CONCEPT)
        concept.area = geo.to_django(shapely.MultiPolygon([hy.AREA]))
        concept.area_name, concept.area_approximated, concept.area_source = "Altstadt", True, hy.AREA_SOURCE
        concept.summary, concept.is_public = hy.SUMMARY, True
        concepts.save_concept(DEMO, concept)
        fields = {f.number: f for f in concept.fields_of_action.all()}
        goals = {g.number: g for g in concept.goals.all()}
        for number, title, field, geometry, cost, start, end in hy.MEASURES:
            concepts.save_measure(DEMO, concept, Measure(
                number=number, title=title, description=hy.NOTE, primary_field=fields[field], status="planned",
                geometry=geo.to_django(geometry), geometry_approximated=True, geometry_source=hy.GEOM_NOTE,
                estimated_cost=Decimal(cost), figures_approximated=True, figures_source=hy.NOTE,
                start=_date(start), end=_date(end)),
                goals=[goals[f"{field}.1"]] if f"{field}.1" in goals else [],
                sources=[MeasureSource(evidence="illustrative", statement=hy.NOTE)])
    geodata.start_basemap(DEMO, concept, extract, now=True)
    analysis.start_run(DEMO, concept, extract=str(geodata.cut_extract_of(concept)), now=True)
    return concept


def load_koeln_evaluation() -> Concept | None:
    """The example evaluation of a participation: the Raddialog Ehrenfeld's real contributions in an
    example concept over Köln-Ehrenfeld (see ``evaluation``); None without the files."""
    from . import evaluation

    return evaluation.load(DEMO, _replace)
