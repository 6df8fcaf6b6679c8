"""Concept pages (public and for reviewers), planner editing, import and export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isek import access
from isek.accounts import services as accounts
from isek.analysis import services as analysis
from isek.core import audit, files
from isek.core.downloads import temporary_download
from isek.core.i18n import pick
from isek.core.models import ChangeRecord
from isek.core.problems import InputError, Problem, gettext_noop
from isek.finance import services as finance
from isek.geodata import services as geodata
from isek.legal import services as legal
from isek.participation import services as participation
from isek.procedure import services as procedure
from isek.web import paging, public
from isek.web.forms import add_errors

from . import exporting, geoio, importing, services
from .forms import (
    AuthorityInviteForm,
    AuthorityPageForm,
    AuthorityStaffForm,
    CityAddressForm,
    CityAdminForm,
    CityAgsForm,
    CityDeleteForm,
    CityLookForm,
    CityNameForm,
    CityNewForm,
    ConceptForm,
    ConceptStartForm,
    FieldOfActionFormSet,
    GoalFormSet,
    ImportForm,
    MeasureForm,
    MemberForm,
    MilestoneFormSet,
    QuarterForm,
)
from .models import FieldOfAction, FundingAuthority, Goal, Measure, Quarter, is_whole_area


def _measures_asked(concept, params):
    """The concept's measures filtered by the page's parameters (field of action, status, quarter,
    search text); what cannot be read is ignored, an unknown quarter leaves none."""
    field, status, quarter = (params.get(k, "") for k in ("field", "status", "quarter"))
    q = services.quarter_of(concept, int(quarter)) if quarter.isdigit() else None
    if quarter.isdigit() and q is None:
        return concept.measures.none()
    return services.filtered_measures(concept, field=int(field) if field.isdigit() else None,
                                      status=status if status in Measure.Status.values else None,
                                      quarter=q, text=params.get("q", "").strip())


@access.concept_view("concept", "view", login=False)
def concept_page(request, concept):
    return public.respond(request, concept, lambda: _concept_page(request, concept),
                          extra=participation.phase_state(concept))


def _concept_page(request, concept):
    measures = _measures_asked(concept, request.GET)
    can_edit = access.allows(request.user, "concept", "edit", concept)
    summary = participation.phase_summary(concept)
    # a phase that has not begun is not "current": its editor still reaches it from here (walk 16)
    upcoming = (participation.phases(request.user, concept).order_by("start").first()
                if can_edit and summary["phase"] is None else None)
    return render(request, "concepts/concept.html", {
        **geodata.map_context(concept, request.user),
        "concept": concept,
        "measures": measures,
        "whole_area_measures": [m for m in measures if is_whole_area(m.geometry, concept.area)],
        "fields": concept.fields_of_action.all(),
        "quarters": concept.quarters.all(),
        "goals": concept.goals.select_related("field_of_action").all(),
        "statuses": Measure.Status.choices,
        "filters": {k: request.GET.get(k, "") for k in ("field", "status", "quarter", "q")},
        "can_edit": can_edit,
        "decision": finance.decision_words(concept),
        "setup_missing": services.setup_missing(concept) if can_edit else [],
        "is_member": access.allows(request.user, "dashboard", "view", concept),
        "todo": procedure.city_todo(request.user, concept),  # what waits for the planners (decision 0067)
        "measure_count": concept.measures.count(),
        **summary, "upcoming_phase": upcoming,
    })


@access.concept_view("measure", "view", login=False, ids={"pk": "measure"})
def measure_page(request, concept, pk):
    return public.respond(request, concept, lambda: _measure_page(request, concept, pk),
                          extra=participation.phase_state(concept))


def _measure_page(request, concept, pk):
    measure = get_object_or_404(Measure.objects.select_related("primary_field"), concept=concept, pk=pk)
    return render(request, "concepts/measure.html", {
        **geodata.map_context(concept, request.user),
        "concept": concept,
        "measure": measure,
        "quarters": measure.quarters,
        "can_edit": access.allows(request.user, "measure", "edit", concept),
        "kuf": finance.measure_summary(request.user, concept, measure),
        "fact_sheet": access.allows(request.user, "report", "view", concept),
        "participation": participation.measure_participation(request.user, measure),
    })


@access.concept_view("concept", "view", login=False)
def concept_geojson(request, concept, layer):
    """Area, quarters or measures of a concept as GeoJSON (WGS84) for the map and for GIS."""
    return public.respond(request, concept, lambda: _concept_geojson(request, concept, layer))


def _concept_geojson(request, concept, layer):
    if layer == "area":
        rows, geoms = exporting.area_rows(concept)
    elif layer == "quarters":
        rows, geoms = exporting.quarter_rows(concept)
    else:
        measures = _measures_asked(concept, request.GET)
        rows, geoms = exporting.measure_rows(concept, measures)
        for row in rows:
            row["url"] = reverse("concepts:measure", args=[concept.slug, row["id"]])
    keep = [(r, g) for r, g in zip(rows, geoms) if g is not None]
    fc = exporting.feature_collection([r for r, _ in keep], [g for _, g in keep], name=f"{concept.slug}-{layer}")
    return HttpResponse(json.dumps(fc, ensure_ascii=False), content_type="application/geo+json")


# --- planner editing -----------------------------------------------------------------------


@access.concept_view("concept", "edit", methods=("GET", "POST"))
def concept_edit(request, concept):
    form = ConceptForm(request.POST or None, instance=concept, decision=finance.decision_words(concept))
    doubts, no_area = [], concept.area is None  # before the form's check puts the posted area on it
    if request.method == "POST" and form.is_valid():
        try:
            services.save_concept(request.user, form.instance, confirmed=form.cleaned_data["confirm_area"])
        except ValidationError as exc:
            doubts = _doubts_or_errors(form, exc)
        else:
            messages.success(request, _("Das Konzept wurde gespeichert."))
            if concept.is_public and (warning := legal.missing_message(concept.city, request.user)):
                messages.warning(request, warning)
            return redirect(concept)
    return render(request, "concepts/geometry_form.html", {
        "concept": concept, "form": form, "geometry": form["area"], "heading": _("Konzept bearbeiten"),
        "map_label": _("Karte zum Zeichnen des Fördergebiets"), "edit_kind": "polygon", "area_hint": no_area,
        "cancel_url": concept.get_absolute_url(), **geodata.map_context(concept, request.user), "doubts": doubts,
        "legal_missing": legal.missing(concept.city), "legal_administration": legal.administration(concept.city, request.user),
        "legal_may_edit": legal.may_edit(request.user, concept.city),
    }, status=400 if request.method == "POST" else 200)


@access.concept_view("measure", "edit", methods=("GET", "POST"), ids={"pk": "measure"})
def measure_edit(request, concept, pk=None):
    measure = get_object_or_404(Measure, concept=concept, pk=pk) if pk else Measure(concept=concept)
    form = MeasureForm(request.POST or None, instance=measure, concept=concept)
    formset = MilestoneFormSet(request.POST or None, instance=measure, prefix="ms")
    taken, doubts = None, []  # the measure that has the number asked for; doubts about its location
    # the state the form was loaded from (decision 0096), kept as sent: a form from before another
    # save stays refused until the page is loaded again
    state = (request.POST.get("state", "")[:64] if request.method == "POST" else
             services.measure_state(measure) if measure.pk else "")
    changed = False
    if request.method == "POST" and measure.pk:
        try:
            services.refuse_changed_measure(measure, state)
        except ValidationError:
            changed = True
    if request.method == "POST" and not changed and form.is_valid() and formset.is_valid():
        try:
            measure = services.save_measure(
                request.user, concept, form.save(commit=False), further_fields=form.cleaned_data["further_fields"],
                goals=form.cleaned_data["goals"], milestones=formset.save(commit=False),
                removed_milestones=formset.deleted_objects, ask=True, confirmed=form.cleaned_data["confirm_area"],
                state=state)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "changed":
                changed = True
            else:
                doubts = _doubts_or_errors(form, exc)
            # e.g. Back and send again: the number is the measure's just made; the form links to it
            taken = Measure.objects.filter(concept=concept, number=form.instance.number).exclude(pk=measure.pk).first()
        else:
            messages.success(request, _("Die Maßnahme %(n)s wurde gespeichert.") % {"n": measure.number})
            if form.fields["geometry"].read_in:
                messages.info(request, _("Die Koordinaten der Verortung waren keine Längen und Breiten, sondern "
                                         "UTM-Koordinaten; sie wurden im amtlichen KBS des Landes gelesen "
                                         "(EPSG:%(srid)s). Bitte die Lage auf der Karte prüfen.")
                              % {"srid": form.fields["geometry"].read_in})
            return redirect(measure)
    heading = (_("Maßnahme %(n)s bearbeiten") % {"n": measure.number}) if measure.pk else _("Maßnahme anlegen")
    return render(request, "concepts/measure_form.html", {
        "concept": concept, "measure": measure, "form": form, "formset": formset,
        "geometry": form["geometry"], "heading": heading, "map_label": _("Karte zum Zeichnen der Verortung"),
        "edit_kind": "any", "measure_id": measure.pk, "taken": taken, "doubts": doubts,
        "doubts_title": _("Bitte prüfen: Liegt die Maßnahme richtig? Noch ist nichts gespeichert."),
        "cancel_url": measure.get_absolute_url() if measure.pk else concept.get_absolute_url(),
        "state": state, "changed": services.measure_changed_message() if changed else "",
        **geodata.map_context(concept, request.user),
    }, status=409 if changed else 400 if request.method == "POST" else 200)


@access.concept_view("measure", "delete", methods="POST", ids={"pk": "measure"})
def measure_delete(request, concept, pk):
    measure = get_object_or_404(Measure, concept=concept, pk=pk)
    try:
        number = services.delete_measure(request.user, concept, measure)
    except ValidationError as exc:  # held by the funding procedure (decision 0095): the form says why
        messages.error(request, " ".join(exc.messages))
        return redirect("concepts:measure-edit", concept.slug, measure.pk)
    messages.success(request, _("Die Maßnahme %(n)s wurde gelöscht.") % {"n": number})
    return redirect(concept)


@access.concept_view("quarter", "edit", methods=("GET", "POST"), ids={"pk": "quarter"})
def quarter_edit(request, concept, pk=None):
    quarter = get_object_or_404(Quarter, concept=concept, pk=pk) if pk else Quarter(concept=concept)
    form = QuarterForm(request.POST or None, instance=quarter)
    doubts = []
    if request.method == "POST" and form.is_valid():
        try:
            services.save_quarter(request.user, concept, form.instance, confirmed=form.cleaned_data["confirm_area"])
        except ValidationError as exc:
            doubts = _doubts_or_errors(form, exc)
        else:
            messages.success(request, _("Der Teilraum wurde gespeichert."))
            return redirect(concept)
    heading = (_("Teilraum %(n)s bearbeiten") % {"n": quarter.name}) if quarter.pk else _("Teilraum anlegen")
    return render(request, "concepts/geometry_form.html", {
        "concept": concept, "form": form, "geometry": form["geometry"], "heading": heading,
        "map_label": _("Karte zum Zeichnen des Teilraums"), "edit_kind": "polygon",
        "cancel_url": concept.get_absolute_url(), **geodata.map_context(concept, request.user), "doubts": doubts,
    }, status=400 if request.method == "POST" else 200)


def _doubts_or_errors(form, exc: ValidationError) -> list[str]:
    """A service's refusal of a form with a geometry: the doubts about the area (code
    ``implausible``, decision 0066), which the page shows with the box to confirm them, or else
    the errors, shown at their fields."""
    errors = [e for es in getattr(exc, "error_dict", {}).values() for e in es]
    if errors and all(e.code == "implausible" for e in errors):
        return [m for e in errors for m in e.messages]
    add_errors(form, exc)
    return []


def _place_errors(exc: ValidationError, forms) -> str:
    """Put each error that names its object (``params["target"]``) at that object's form too;
    return all of them as one line for the top of the page ("Nichts gespeichert: …")."""
    said = []
    for error in getattr(exc, "error_list", [exc]):
        target = (error.params or {}).get("target")
        form = next((f for f in forms if target is not None and f.instance.pk == target.pk
                     and type(f.instance) is type(target)), None)
        if form is not None:
            form.add_error(None, error.messages[0])
        said.extend(error.messages)
    return " ".join(said)


@access.concept_view("structure", "edit", methods=("GET", "POST"))
def structure_edit(request, concept):
    """Fields of action and the goal tree of a concept, edited together."""
    data = request.POST or None
    fields = FieldOfActionFormSet(data, queryset=FieldOfAction.objects.filter(concept=concept), prefix="f")
    goals = GoalFormSet(data, queryset=Goal.objects.filter(concept=concept), prefix="g",
                        form_kwargs={"concept": concept})
    error = None
    if request.method == "POST" and fields.is_valid() and goals.is_valid():
        try:
            deleted = services.save_structure(request.user, concept, fields=fields.save(commit=False),
                                              removed_fields=fields.deleted_objects, goals=goals.save(commit=False),
                                              removed_goals=goals.deleted_objects)
        except ValidationError as exc:
            error = _place_errors(exc, [*fields, *goals])
        else:
            saved = _("Handlungsfelder und Ziele wurden gespeichert.")
            if deleted:
                saved += " " + _("Gelöscht: %(list)s.") % {"list": ", ".join(deleted)}
            for form in fields:
                if form.english_dropped:
                    saved += " " + _("Der englische Name von Handlungsfeld %(number)s wurde geleert, weil nur der "
                                     "deutsche geändert wurde; englische Seiten zeigen den deutschen Namen, bis er "
                                     "übersetzt ist.") % {"number": form.instance.number}
            messages.success(request, saved)
            return redirect(concept)
    status = 400 if request.method == "POST" else 200
    return render(request, "concepts/structure_form.html", {
        "concept": concept, "fields_formset": fields, "goals_formset": goals, "error": error,
    }, status=status)


GEO_IMPORTS = "geo-imports"  # where an uploaded area waits for the planner's confirmation


@access.concept_view("geodata", "import", methods=("GET", "POST"))
def import_view(request, concept):
    """Upload and import a geodata file; a funding area that would leave measures outside it is
    shown first and taken only when the planner confirms (the file waits under GEO_IMPORTS)."""
    form = ImportForm(None if request.POST.get("step") == "confirm" else request.POST or None, request.FILES or None,
                      concept=concept)
    errors = []
    try:
        if request.POST.get("step") == "confirm":
            kept = request.session.get("geo_import") or {}
            path = files.kept_upload(GEO_IMPORTS, kept.get("name", "")) if kept.get("concept") == concept.pk else None
            if path is None:
                raise geoio.GeoFileError([Problem(gettext_noop("Die Datei ist nicht mehr vorhanden; bitte erneut hochladen."))])
            try:
                report = services.import_path(request.user, concept, path, kept["kind"], crs=kept["crs"],
                                              filename=kept["filename"], via="upload", confirmed=True)
            finally:
                path.unlink(missing_ok=True)
                request.session.pop("geo_import", None)
            return _imported(request, concept, report)
        if request.method == "POST" and form.is_valid():
            upload, kind, crs = form.cleaned_data["file"], form.cleaned_data["kind"], form.cleaned_data["crs"] or None
            try:
                report = services.import_upload(request.user, concept, upload, kind, crs=crs, ask_first=True)
            except importing.Unconfirmed as exc:
                request.session["geo_import"] = {"name": files.keep_upload(upload, GEO_IMPORTS), "filename": upload.name,
                                                 "kind": kind, "crs": crs, "concept": concept.pk}
                return render(request, "concepts/import_confirm.html", {
                    "concept": concept, "report": exc.report, "filename": upload.name, "kind": kind,
                    "warnings": [w.render(_) for w in exc.report.warnings]})
            return _imported(request, concept, report)
    except geoio.GeoFileError as exc:
        errors = exc.messages(_, get_language())
    return render(request, "concepts/import.html", {"concept": concept, "form": form, "errors": errors},
                  status=400 if request.method == "POST" else 200)


def _imported(request, concept, report):
    messages.success(request, _("Import abgeschlossen: %(s)s") % {"s": report.summary(_)})
    for w in report.warnings:
        messages.warning(request, w.render(_))
    return redirect(concept)


@access.concept_view("concept", "export", login=False)
def export_view(request, concept, fmt):
    if fmt == "gpkg":  # the one GeoPackage: the open-data package (isek.api.package), for what this person may see
        return redirect(reverse("open-data", args=[concept.slug, "gpkg"]), permanent=True)
    return temporary_download(lambda p: exporting.export_geojson(concept, p), f"{concept.slug}.geojson",
                              "application/geo+json")


@access.concept_view("concept", "history")
def changes_view(request, concept):
    records = ChangeRecord.objects.filter(concept_pk=concept.pk)
    # the participation's records name contributions not published (walk 24: a reviewer read their titles
    # here): only who may see the moderation's queue sees them in the history
    apart = not access.allows(request.user, "moderation", "view", concept)
    if apart:
        records = records.exclude(model__startswith="participation.")
    return render(request, "concepts/changes.html", {"concept": concept, "records": audit.readable(records[:300]),
                                                     "participation_apart": apart})


# --- starting a concept (the wizard) and its team ------------------------------------------


@access.site_view("concept", "create", methods=("GET", "POST"), somewhere=True)
def concept_new(request):
    """The wizard's first step: city and concept, with a structure template or a copy."""
    sources = services.structure_sources(request.user)
    cities = access.site_cities(request.user, "concept", "create")  # None: any city, also a new one
    only = list(cities[:2]) if cities is not None else []
    form = ConceptStartForm(request.POST or None, templates=services.templates().values(), sources=sources,
                            decision_of=finance.decision_words_of_ags,
                            initial={"ags": only[0].ags, "city_name": only[0].name} if len(only) == 1 else None)
    own = None  # the planner's own concept with the short name asked for
    once = request.POST.get("once", "")[:64]  # the page's one-time token: sent twice, or again after going back?
    if request.method == "POST" and not form.is_valid():
        # a short name in use is said together with the other mistakes, not only once they are fixed
        slug = getattr(form, "cleaned_data", {}).get("slug")  # none for an empty POST (unbound form)
        if slug and services.concept_by_slug(slug) is not None:
            form.add_error("slug", _("Der Kurzname „%(s)s“ ist schon vergeben.") % {"s": slug})
    elif request.method == "POST":
        d = form.cleaned_data
        kind, _sep, key = (d["structure"] or "").partition(":")
        try:
            source = next((c for c in sources if c.slug == key), None) if kind == "copy" else None
            if kind == "copy" and source is None:
                raise ValidationError({"structure": _("Dieses Konzept gibt es nicht.")})
            concept = services.start_concept(
                request.user, ags=d["ags"], city_name=d["city_name"], slug=d["slug"], name=d["name"],
                programme=d["programme"], legal_basis=d["legal_basis"], start_year=d["start_year"],
                end_year=d["end_year"], template=key if kind == "template" else "", copy_from=source, once=once)
        except ValidationError as exc:
            taken = services.concept_by_slug(d["slug"])
            if getattr(exc, "code", None) == "resent" and taken is not None:
                # the first request created it: the person goes on there, told so, never "nothing saved"
                messages.info(request, " ".join(exc.messages))
                return redirect("concepts:concept-setup", taken.slug)
            if taken is not None and access.allows(request.user, "concept", "edit", taken):
                own = taken  # the form offers to continue its setup instead
            add_errors(form, exc)  # a short name in use is an error, even for the planner's own concept
        else:
            messages.success(request, _("Das Konzept „%(n)s“ ist angelegt (Entwurf, nicht öffentlich).") % {"n": concept.name}
                             + " " + _("Stadt: %(c)s, Land laut AGS: %(l)s.") % {"c": concept.city.name, "l": concept.city.land})
            return redirect("concepts:concept-setup", concept.slug)
    return render(request, "concepts/concept_new.html", {"form": form, "own": own, "once": services.new_concept_token()},
                  status=400 if request.method == "POST" else 200)


@access.concept_view("concept", "edit")
def setup_page(request, concept):
    """The wizard's steps for a concept, each with its state; every step can be left and resumed."""
    basemap = geodata.base_map_of(concept.city)
    template = services.template_of(concept)
    return render(request, "concepts/setup.html", {
        "concept": concept, "quarters": concept.quarters.count(), "fields": concept.fields_of_action.count(),
        "goals": concept.goals.count(), "measures": concept.measures.count(), "basemap": basemap,
        # the city's base map may exist before this concept has any analysis (another concept of the city)
        "analysed": analysis.current_run(concept) is not None,
        "members": services.members(concept).count(), "land": concept.city.land,
        "template": pick(template.label_de, template.label_en) if template else "",
    })


@access.concept_view("member", "view", post=("member", "edit"))
def members_page(request, concept):
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                # among the team only: another account's name gets the same answer as none (decision 0077)
                person = services.members(concept).filter(user__username=request.POST["revoke"].strip()).first()
                person = person.user if person is not None else None
                if person is not None:
                    services.revoke_role(request.user, concept, person)
                    messages.success(request, _("%(u)s gehört nicht mehr zum Team.") % {"u": person.username})
                return redirect("concepts:concept-members", concept.slug)
            if form.is_valid():
                person = services.addable_person(request.user, concept, form.cleaned_data["person"])
                if person is None:  # no such account, or one not of the city: one answer (decision 0077)
                    raise ValidationError({"person": _("Keinen Zugang mit diesem Namen oder dieser E-Mail in der Stadt "
                                                       "%(c)s gefunden; die Verwaltung der Stadt kann die Person "
                                                       "einladen.") % {"c": concept.city.name}})
                services.grant_role(request.user, concept, person, form.cleaned_data["role"])
                messages.success(request, _("%(u)s ist jetzt im Team.") % {"u": person.username})
                return redirect("concepts:concept-members", concept.slug)
        except ValidationError as exc:
            add_errors(form, exc)
    members = paging.page_of(request, services.members(concept))
    via = accounts.sign_in_providers(m.user_id for m in members["rows"])  # whose account a provider signs in (0078)
    by_provider = accounts.roles_by_provider(concept, members["rows"])
    for m in members["rows"]:  # each row's own, not a loop over all of them per row (decision 0103)
        m.via, m.provider = via.get(m.user_id, []), by_provider.get(m.user_id)
    return render(request, "concepts/members.html", {"concept": concept, "members": members, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- a city: its look, its administrators (decision 0046) ----------------------------------------


@access.site_view("city", "look", methods=("GET", "POST"))
def city_settings(request, ags):
    """The city's administration: its logo and accent colour; links to its concepts, its legal
    texts and invitations into it."""
    city = services.city_by_ags(ags)
    renaming = request.method == "POST" and "rename" in request.POST
    name_form = CityNameForm(request.POST if renaming else None, initial={"name": city.name})
    form = CityLookForm(None if renaming else (request.POST or None), request.FILES or None, initial={"accent": city.accent})
    # the state both forms were loaded from (decisions 0096, 0102), kept as sent: a form from before
    # another save (another tab) stays refused until the page is loaded again; nothing is saved
    state = request.POST.get("state", "")[:64] if request.method == "POST" else services.city_state(city)
    changed = False
    if request.method == "POST":
        try:
            services.refuse_changed_city(city, state)
        except ValidationError:
            changed = True
    if changed:
        name_form.is_valid(), form.is_valid()  # the sent values shown as sent
        return _city_settings_page(request, city, form, name_form, state, changed=True)
    if renaming and name_form.is_valid():
        old_name = city.name
        try:
            services.rename_city(request.user, city, name_form.cleaned_data["name"], state=state)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "changed":
                return _city_settings_page(request, city, form, name_form, state, changed=True)
            add_errors(name_form, exc)
            city.refresh_from_db()
        else:
            if city.name == old_name:
                messages.info(request, _("Der Name ist unverändert; nichts geändert."))
            else:
                messages.success(request, _("Die Stadt heißt jetzt %(c)s (vorher %(o)s).") % {"c": city.name, "o": old_name})
            return redirect("city-settings", city.ags)
    before = (city.accent, city.logo_updated)
    if request.method == "POST" and not renaming and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_city_look(request.user, city, accent=d["accent"], remove_logo=d["remove_logo"], logo=d["logo"],
                                    state=state)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "changed":
                city.refresh_from_db()
                return _city_settings_page(request, city, form, name_form, state, changed=True)
            add_errors(form, exc)
        except InputError as exc:
            form.add_error("logo", exc.messages(_))
        else:
            messages.success(request, _look_saved(city, *before))
            return redirect("city-settings", city.ags)
        city.refresh_from_db()
    logo = request.FILES.get("logo") if request.method == "POST" and not renaming else None
    if logo is not None and form.errors and set(form.errors) == {"accent"} and not request.POST.get("remove_logo"):
        # the colour refused, the logo fine: the logo is saved alone, and the page says so (walk 22e)
        logo.seek(0)
        try:
            services.save_city_look(request.user, city, accent=city.accent, logo=logo, state=state)
        except ValidationError as exc:  # changed in between: nothing saved
            add_errors(form, exc)
        except InputError as exc:
            form.add_error("logo", exc.messages(_))
        else:
            messages.success(request, _("Das Logo der Stadt %(c)s ist gespeichert, die Farbe nicht: bitte die Farbe "
                                        "korrigieren.") % {"c": city.name})
            logo = None
        city.refresh_from_db()
    if logo is not None and form.errors and "logo" not in form.errors:
        form.add_error("logo", _("Die gewählte Datei wurde nicht gespeichert; ein Browser behält sie nach einem Fehler "
                                 "nicht: bitte nach dem Korrigieren erneut wählen."))
    return _city_settings_page(request, city, form, name_form, state)


def _city_settings_page(request, city, form, name_form, state: str, changed: bool = False):
    starters = paging.page_of(request, services.city_roles(city, services.CityRole.Role.STARTER), param="personen")
    by_provider = accounts.starters_by_provider(city)
    for r in starters["rows"]:  # each row's own provider, not a loop over all of them per row (decision 0103)
        r.provider = by_provider.get(r.user_id)
    return render(request, "concepts/city_settings.html", {
        "city": city, "form": form, "concepts": paging.page_of(request, services.city_concepts(request.user, city), param="konzepte"),
        "administrators": services.city_people(city, services.CityRole.Role.ADMIN), "starters": starters,
        "legal_missing": legal.missing(city), "may_edit_city": access.allows_site(request.user, "city", "edit", city),
        "name_form": name_form, "land": city.land, "state": state,
        "changed": services.city_changed_message() if changed else "",
    }, status=409 if changed else 400 if request.method == "POST" else 200)


def _look_saved(city, accent_before: str, logo_before) -> str:
    """What a save of the city's look changed, exactly (walk 22e: "Logo und Farbe … gespeichert"
    where only the colour had changed)."""
    colour, logo = city.accent != accent_before, city.logo_updated != logo_before
    removed = logo and city.logo_updated is None
    if colour and logo:
        return (_("Die Farbe der Stadt %(c)s ist gespeichert und ihr Logo entfernt.") if removed else
                _("Logo und Farbe der Stadt %(c)s sind gespeichert.")) % {"c": city.name}
    if logo:
        return (_("Das Logo der Stadt %(c)s ist entfernt.") if removed else
                _("Das Logo der Stadt %(c)s ist gespeichert.")) % {"c": city.name}
    if colour:
        return _("Die Farbe der Stadt %(c)s ist gespeichert.") % {"c": city.name}
    return _("Logo und Farbe sind unverändert; nichts geändert.")


@access.site_view("member", "invite", methods=("POST",))
def city_starter_revoke(request, ags):
    """The city's administration takes back "may start concepts in the city" from a person."""
    city = services.city_by_ags(ags)
    person = services.find_person(request.POST.get("person", ""))
    if person is None or not services.may_start_in(person, city):
        messages.error(request, _("„%(u)s“ darf in %(c)s keine Konzepte anlegen; nichts geändert.")
                       % {"u": request.POST.get("person", ""), "c": city.name})
    else:
        services.allow_starting(request.user, person, city, False)
        said = _("%(u)s darf in %(c)s keine Konzepte mehr anlegen.") % {"u": person.username, "c": city.name}
        provider = accounts.starters_by_provider(city).get(person.pk)
        if provider is not None:
            said += " " + _("Das Recht kam über die Gruppen-Zuordnung des Identitätsanbieters „%(p)s“ und kommt bei der "
                            "nächsten Anmeldung dort wieder, solange die Zuordnung es gibt.") % {"p": provider.name}
        messages.success(request, said)
    return redirect(reverse("city-settings", args=[city.ags]) + "#city-starters")


def _host_not_served(host: str) -> str:
    return _("Diese Installation nimmt den Hostnamen %(h)s noch nicht an: der Betrieb der Installation muss ihn in "
             "ISEK_ALLOWED_HOSTS eintragen (und das Zertifikat und den Webserver für ihn einrichten). Bis dahin "
             "antwortet isek unter %(h)s nur mit „Bad Request (400)“.") % {"h": host}


@access.site_view("city", "edit", methods=("GET", "POST"))
def city_administration(request, ags):
    """The installation's administrator: the city's name, short name and host name, and who
    administers it."""
    city = services.city_by_ags(ags)
    addresses = CityAddressForm(request.POST if "save" in request.POST else None, instance=city)
    person_form = CityAdminForm(request.POST if "grant" in request.POST else None)
    ags_form = CityAgsForm(request.POST if "correct_ags" in request.POST else None, initial={"ags": city.ags})
    delete_form = CityDeleteForm(request.POST if "delete" in request.POST else None)
    if request.method == "POST":
        try:
            if "correct_ags" in request.POST and ags_form.is_valid():
                old = city.ags
                services.correct_city_ags(request.user, city, ags_form.cleaned_data["ags"],
                                          confirmed=ags_form.cleaned_data["confirm_district"])
                if city.ags == old:
                    messages.info(request, _("Der Gemeindeschlüssel ist unverändert; nichts geändert."))
                else:
                    messages.success(request, _("Der Gemeindeschlüssel von %(c)s ist jetzt %(a)s (vorher %(o)s); die "
                                                "Seiten der Stadt haben damit neue Adressen.")
                                     % {"c": city.name, "a": services.ags_printed(city.ags), "o": services.ags_printed(old)})
                return redirect("city-administration", city.ags)
            if "delete" in request.POST and delete_form.is_valid():
                name = city.name
                services.delete_city(request.user, city)
                messages.success(request, _("Die Stadt %(c)s ist gelöscht.") % {"c": name})
                return redirect("web:home")
            if "revoke" in request.POST:
                person = services.find_person(request.POST["revoke"])
                if person is not None:
                    services.revoke_city_role(request.user, city, person, services.CityRole.Role.ADMIN)
                    messages.success(request, _("%(u)s administriert %(c)s nicht mehr.") % {"u": person.username, "c": city.name})
                return redirect("city-administration", city.ags)
            if "grant" in request.POST and person_form.is_valid():
                person = services.find_person(person_form.cleaned_data["person"])
                if person is None:
                    raise ValidationError({"person": _("Keinen Zugang mit diesem Namen oder dieser E-Mail gefunden; "
                                                       "laden Sie die Person ein.")})
                services.grant_city_role(request.user, city, person, services.CityRole.Role.ADMIN)
                messages.success(request, _("%(u)s administriert jetzt %(c)s.") % {"u": person.username, "c": city.name})
                return redirect("city-administration", city.ags)
            if "save" in request.POST and addresses.is_valid():
                services.save_city_addresses(request.user, city, **{k: addresses.cleaned_data[k] for k in ("name", "slug", "host")})
                messages.success(request, _("Die Angaben der Stadt sind gespeichert."))  # a host not served: the page says so
                return redirect("city-administration", city.ags)
        except ValidationError as exc:
            ags_form.asked = "leaves_district" in {e.code for e in getattr(exc, "error_dict", {}).get("ags", ())}
            add_errors(ags_form if "correct_ags" in request.POST else delete_form if "delete" in request.POST
                       else person_form if "grant" in request.POST else addresses, exc)
        city.refresh_from_db()
    return render(request, "concepts/city_administration.html", {
        "city": city, "addresses": addresses, "person_form": person_form, "ags_form": ags_form,
        "delete_form": delete_form, "concept_count": city.concepts.count(),
        "host_not_served": "" if services.host_served(city.host) else _host_not_served(city.host),
        "administrators": services.city_people(city, services.CityRole.Role.ADMIN),
        "authority": (authority := services.authority_of(city)),
        "authority_named": authority and services.authority_in_sentence(authority.name, get_language())},
        status=400 if request.method == "POST" else 200)


@access.site_view("city", "edit", methods=("GET", "POST"))
def city_new(request):
    """The installation's administrator creates a city: name, AGS and, optionally, the address of
    its first administrator, who is invited (decision 0086)."""
    form = CityNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            city, invitation = services.create_city(request.user, ags=d["ags"], name=d["name"], admin_email=d["email"],
                                                    base_url=request.build_absolute_uri("/"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            said = _("Die Stadt %(c)s ist angelegt.") % {"c": city.name} + " " + _(
                "Ihren Gemeindeschlüssel %(a)s hat isek nur im Aufbau geprüft, nicht im Verzeichnis: bitte mit dem "
                "Gemeindeverzeichnis GV-ISys von Destatis vergleichen (ist er falsch: „Gemeindeschlüssel korrigieren“ auf der "
                "Seite der Stadt).") % {"a": services.ags_printed(city.ags)}
            if invitation is not None and getattr(invitation, "mail_failed", False):
                messages.warning(request, said + " " + _(
                    "Die Einladung an %(e)s konnte nicht verschickt werden: der Mailserver hat sie nicht angenommen. "
                    "Ziehen Sie sie unter „Offene Einladungen“ zurück und laden Sie erneut ein, sobald der Mailserver "
                    "wieder erreichbar ist.") % {"e": invitation.email})
                return redirect("city-administration", city.ags)
            if invitation is not None:
                said += " " + _("Die Einladung an %(e)s als Administration der Stadt ist verschickt.") % {"e": invitation.email}
            messages.success(request, said)
            return redirect("city-administration", city.ags)
    return render(request, "concepts/city_new.html", {"form": form}, status=400 if request.method == "POST" else 200)


# --- funding authorities: the installation's administrator (decision 0070) -------------------------


@access.site_view("authority", "edit")
def authority_list(request):
    """Every funding authority with its district (AGS prefixes) and the number of its staff."""
    return render(request, "concepts/authority_list.html", {"authorities": services.funding_authorities()})


def _save_authority(request, authority: FundingAuthority, form: AuthorityPageForm) -> bool:
    """Save ``form`` onto ``authority`` through the service; False (the problems on the form) where refused."""
    if not form.is_valid():
        return False
    try:
        services.save_authority(request.user, form.instance, services.district_prefixes(form.cleaned_data["prefixes"]),
                                confirmed=form.cleaned_data["confirm_narrowing"])
    except ValidationError as exc:
        if any(e.code == "leaves_district" for e in getattr(exc, "error_dict", {}).get("prefixes", ())):
            form.ask_narrowing()
        add_errors(form, exc)
        return False
    return True


@access.site_view("authority", "edit", methods=("GET", "POST"))
def authority_new(request):
    """A new funding authority: name, Land, district and source."""
    form = AuthorityPageForm(request.POST or None, instance=FundingAuthority())
    if request.method == "POST" and _save_authority(request, form.instance, form):
        messages.success(request, _("Die Bewilligungsbehörde %(a)s ist angelegt; jetzt die Personen der Prüfung "
                                    "hinzufügen.") % {"a": form.instance.name})
        return redirect("authority-administration", form.instance.pk)
    return render(request, "concepts/authority_edit.html", {"form": form, "authority": None},
                  status=400 if request.method == "POST" else 200)


@access.site_view("authority", "edit", methods=("GET", "POST"))
def authority_administration(request, authority):
    """One funding authority: its name, Land, district and source; who reviews for it (granted by
    user name, taken back, or invited by e-mail)."""
    posted = request.POST if request.method == "POST" else {}
    form = AuthorityPageForm(posted if "save" in posted else None, instance=authority)
    staff_form = AuthorityStaffForm(posted if "grant" in posted else None)
    invite_form = AuthorityInviteForm(posted if "invite" in posted else None)
    here = redirect("authority-administration", authority.pk)
    if request.method == "POST":
        if "save" in posted and _save_authority(request, authority, form):
            messages.success(request, _("Die Angaben der Bewilligungsbehörde sind gespeichert."))
            return here
        if "revoke" in posted:
            person = services.find_person(posted["revoke"])
            if person is not None and services.revoke_authority_role(request.user, authority, person):
                messages.success(request, _("%(u)s gehört nicht mehr zur Prüfung von %(a)s.")
                                 % {"u": person.username, "a": authority.name})
                return here
            messages.error(request, _("„%(u)s“ gehört nicht zur Prüfung von %(a)s; nichts geändert.")
                           % {"u": posted["revoke"], "a": authority.name})
        if "grant" in posted and staff_form.is_valid():
            person = services.find_person(staff_form.cleaned_data["person"])
            if person is None:
                staff_form.add_error("person", _("Keinen Zugang mit diesem Namen oder dieser E-Mail gefunden; laden Sie "
                                                 "die Person per E-Mail ein."))
            else:
                services.grant_authority_role(request.user, authority, person)
                messages.success(request, _("%(u)s gehört jetzt zur Prüfung von %(a)s.")
                                 % {"u": person.username, "a": authority.name})
                return here
        if "invite" in posted and invite_form.is_valid():
            try:
                inv, _link = accounts.invite(request.user, invite_form.cleaned_data["email"],
                                             base_url=request.build_absolute_uri("/"), authority=authority)
            except ValidationError as exc:
                add_errors(invite_form, exc)
            else:
                messages.success(request, _("Die Einladung an %(e)s ist verschickt.") % {"e": inv.email})
                return here
        if "save" in posted:  # refused: the form shows what was posted, the page the stored authority
            authority = FundingAuthority.objects.get(pk=authority.pk)
    return render(request, "concepts/authority_edit.html", {
        "authority": authority, "form": form, "staff_form": staff_form, "invite_form": invite_form,
        "staff": services.authority_staff(authority), "invitations": accounts.open_authority_invitations(authority),
    }, status=400 if request.method == "POST" else 200)


@access.open_view()
def city_logo(request, ags):
    """The city's logo (a PNG re-encoded by isek), for every page of the city and its concepts."""
    city = services.city_by_ags(ags)
    if city is None or not city.has_logo:
        raise Http404(_("Diese Stadt hat kein Logo."))
    response = HttpResponse(bytes(city.logo), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
