"""Concept pages (public and for reviewers), planner editing, import and export."""

from __future__ import annotations

import json
import os
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from isek.core.downloads import temporary_download
from isek.core.models import ChangeRecord
from isek.demo import context as context_layers

from . import exporting, geoio, importing
from .forms import (
    ConceptForm,
    FieldOfActionFormSet,
    GoalFormSet,
    ImportForm,
    MeasureForm,
    MilestoneFormSet,
    QuarterForm,
)
from .models import FieldOfAction, Goal, Measure, Quarter
from .permissions import can_edit, editable_concept, member_concept, readable_concept, role_of


def filtered_measures(concept, params):
    """The concept's measures filtered by field of action, status, quarter and a search text."""
    qs = concept.measures.select_related("primary_field").prefetch_related("further_fields")
    field = params.get("field", "")
    if field.isdigit():
        qs = qs.filter(Q(primary_field__number=int(field)) | Q(further_fields__number=int(field))).distinct()
    status = params.get("status", "")
    if status in Measure.Status.values:
        qs = qs.filter(status=status)
    quarter = params.get("quarter", "")
    if quarter.isdigit():
        q = Quarter.objects.filter(concept=concept, pk=int(quarter)).first()
        qs = qs.filter(geometry__intersects=q.geometry) if q else qs.none()
    text = params.get("q", "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(number__startswith=text)
                       | Q(lead_body__icontains=text))
    return qs


def _context_info(concept):
    available, missing = [], []
    if concept.city.ags == "05911000":
        for layer, path in context_layers.status():
            (available if path else missing).append(layer)
    return available, missing


def concept_page(request, slug):
    concept = readable_concept(request, slug)
    measures = filtered_measures(concept, request.GET)
    available, missing = _context_info(concept)
    return render(request, "concepts/concept.html", {
        "concept": concept,
        "measures": measures,
        "fields": concept.fields_of_action.all(),
        "quarters": concept.quarters.all(),
        "goals": concept.goals.select_related("field_of_action").all(),
        "statuses": Measure.Status.choices,
        "filters": {k: request.GET.get(k, "") for k in ("field", "status", "quarter", "q")},
        "can_edit": can_edit(request.user, concept),
        "role": role_of(request.user, concept),
        "context_layers": available,
        "missing_layers": missing,
        "measure_count": concept.measures.count(),
    })


def measure_page(request, slug, pk):
    concept = readable_concept(request, slug)
    measure = get_object_or_404(Measure.objects.select_related("primary_field"), concept=concept, pk=pk)
    available, _missing = _context_info(concept)
    return render(request, "concepts/measure.html", {
        "concept": concept,
        "measure": measure,
        "quarters": measure.quarters,
        "can_edit": can_edit(request.user, concept),
        "context_layers": available,
    })


def concept_geojson(request, slug, layer):
    """Area, quarters or measures of a concept as GeoJSON (WGS84) for the map and for GIS."""
    concept = readable_concept(request, slug)
    if layer == "area":
        rows, geoms = exporting.area_rows(concept)
    elif layer == "quarters":
        rows, geoms = exporting.quarter_rows(concept)
    else:
        measures = filtered_measures(concept, request.GET)
        rows, geoms = exporting.measure_rows(concept, measures)
        for row in rows:
            row["url"] = f"/concepts/{concept.slug}/measures/{row['id']}/"
    keep = [(r, g) for r, g in zip(rows, geoms) if g is not None]
    fc = exporting.feature_collection([r for r, _ in keep], [g for _, g in keep], name=f"{concept.slug}-{layer}")
    return HttpResponse(json.dumps(fc, ensure_ascii=False), content_type="application/geo+json")


def context_geojson(request, slug, name):
    concept = readable_concept(request, slug)
    if name not in context_layers.BY_NAME:
        return HttpResponse(status=404)
    bbox = None
    if concept.area is not None:
        x0, y0, x1, y1 = concept.area.extent
        pad = 0.03
        bbox = (round(x0 - pad, 3), round(y0 - pad / 1.6, 3), round(x1 + pad, 3), round(y1 + pad / 1.6, 3))
    if context_layers.BY_NAME[name].basemap:
        bbox = None
    data = context_layers.geojson(name, bbox)
    if data is None:
        return HttpResponse(
            _("Die Kontextebene %(n)s ist nicht vorhanden: bitte „isek data fetch“ ausführen.") % {"n": name},
            status=404, content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- planner editing -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def concept_edit(request, slug):
    concept = editable_concept(request, slug)
    form = ConceptForm(request.POST or None, instance=concept)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Das Konzept wurde gespeichert."))
        return redirect(concept)
    return render(request, "concepts/geometry_form.html", {
        "concept": concept, "form": form, "geometry": form["area"], "heading": _("Konzept bearbeiten"),
        "map_label": _("Karte zum Zeichnen des Fördergebiets"), "edit_kind": "polygon",
        "cancel_url": concept.get_absolute_url(), "context_layers": _context_info(concept)[0],
    })


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, slug, pk=None):
    concept = editable_concept(request, slug)
    measure = get_object_or_404(Measure, concept=concept, pk=pk) if pk else Measure(concept=concept)
    form = MeasureForm(request.POST or None, instance=measure, concept=concept)
    formset = MilestoneFormSet(request.POST or None, instance=measure, prefix="ms")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            measure = form.save()
            formset.instance = measure
            formset.save()
        messages.success(request, _("Die Maßnahme %(n)s wurde gespeichert.") % {"n": measure.number})
        return redirect(measure)
    heading = (_("Maßnahme %(n)s bearbeiten") % {"n": measure.number}) if measure.pk else _("Maßnahme anlegen")
    return render(request, "concepts/measure_form.html", {
        "concept": concept, "measure": measure, "form": form, "formset": formset,
        "geometry": form["geometry"], "heading": heading, "map_label": _("Karte zum Zeichnen der Verortung"),
        "edit_kind": "any", "measure_id": measure.pk,
        "cancel_url": measure.get_absolute_url() if measure.pk else concept.get_absolute_url(),
        "context_layers": _context_info(concept)[0],
    })


@login_required
@require_http_methods(["POST"])
def measure_delete(request, slug, pk):
    concept = editable_concept(request, slug)
    measure = get_object_or_404(Measure, concept=concept, pk=pk)
    number = measure.number
    measure.delete()
    messages.success(request, _("Die Maßnahme %(n)s wurde gelöscht.") % {"n": number})
    return redirect(concept)


@login_required
@require_http_methods(["GET", "POST"])
def quarter_edit(request, slug, pk=None):
    concept = editable_concept(request, slug)
    quarter = get_object_or_404(Quarter, concept=concept, pk=pk) if pk else Quarter(concept=concept)
    form = QuarterForm(request.POST or None, instance=quarter)
    if request.method == "POST" and form.is_valid():
        if Quarter.objects.filter(concept=concept, name=form.cleaned_data["name"]).exclude(pk=quarter.pk).exists():
            form.add_error("name", _("Ein Teilraum mit diesem Namen existiert schon."))
        else:
            form.save()
            messages.success(request, _("Der Teilraum wurde gespeichert."))
            return redirect(concept)
    heading = (_("Teilraum %(n)s bearbeiten") % {"n": quarter.name}) if quarter.pk else _("Teilraum anlegen")
    return render(request, "concepts/geometry_form.html", {
        "concept": concept, "form": form, "geometry": form["geometry"], "heading": heading,
        "map_label": _("Karte zum Zeichnen des Teilraums"), "edit_kind": "polygon",
        "cancel_url": concept.get_absolute_url(), "context_layers": _context_info(concept)[0],
    })


@login_required
@require_http_methods(["GET", "POST"])
def structure_edit(request, slug):
    """Fields of action and the goal tree of a concept, edited together."""
    from django.db.models import ProtectedError, RestrictedError

    concept = editable_concept(request, slug)
    data = request.POST or None
    fields = FieldOfActionFormSet(data, queryset=FieldOfAction.objects.filter(concept=concept), prefix="f")
    goals = GoalFormSet(data, queryset=Goal.objects.filter(concept=concept), prefix="g",
                        form_kwargs={"concept": concept})
    error = None
    if request.method == "POST" and fields.is_valid() and goals.is_valid():
        numbers = [f.cleaned_data["number"] for f in fields.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        goal_numbers = [f.cleaned_data["number"] for f in goals.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if len(numbers) != len(set(numbers)) or len(goal_numbers) != len(set(goal_numbers)):
            error = _("Jede Nummer darf nur einmal vorkommen.")
        else:
            try:
                with transaction.atomic():
                    for obj in fields.save(commit=False):
                        obj.concept = concept
                        obj.save()
                    for obj in fields.deleted_objects:
                        obj.delete()
                    for obj in goals.save(commit=False):
                        obj.concept = concept
                        obj.full_clean()
                        obj.save()
                    for obj in goals.deleted_objects:
                        obj.delete()
            except (ProtectedError, RestrictedError):
                error = _("Ein Handlungsfeld, dem noch Maßnahmen zugeordnet sind, kann nicht gelöscht werden.")
            except IntegrityError:
                error = _("Nummern können nicht in einem Schritt getauscht werden; bitte zuerst eine freie Nummer vergeben.")
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Handlungsfelder und Ziele wurden gespeichert."))
                return redirect(concept)
    status = 400 if request.method == "POST" else 200
    return render(request, "concepts/structure_form.html", {
        "concept": concept, "fields_formset": fields, "goals_formset": goals, "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request, slug):
    concept = editable_concept(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, report = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.ISEK_UPLOAD_MAX_BYTES:
            errors = [_("Die Datei ist %(s).1f MB groß; erlaubt sind höchstens %(m).1f MB.")
                      % {"s": upload.size / 1e6, "m": settings.ISEK_UPLOAD_MAX_BYTES / 1e6}]
        else:
            suffix = os.path.splitext(upload.name)[1].lower()[:10]
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    report = importing.import_file(
                        concept, tmp.name, form.cleaned_data["kind"], crs=form.cleaned_data["crs"] or None,
                        filename=upload.name, user=request.user, actor="upload",
                    )
                except geoio.GeoFileError as exc:
                    errors = exc.errors
        if report:
            messages.success(request, _("Import abgeschlossen: %(s)s") % {"s": report.summary()})
            for w in report.warnings:
                messages.warning(request, w)
            return redirect(concept)
    status = 400 if errors else 200
    return render(request, "concepts/import.html", {"concept": concept, "form": form, "errors": errors}, status=status)


def export_view(request, slug, fmt):
    concept = readable_concept(request, slug)
    if fmt == "gpkg":
        return temporary_download(lambda p: exporting.export_gpkg(concept, p), f"{concept.slug}.gpkg",
                                  "application/geopackage+sqlite3")
    return temporary_download(lambda p: exporting.export_geojson(concept, p), f"{concept.slug}.geojson",
                              "application/geo+json")


@login_required
def changes_view(request, slug):
    concept = member_concept(request, slug)
    records = ChangeRecord.objects.filter(concept_pk=concept.pk)[:300]
    return render(request, "concepts/changes.html", {"concept": concept, "records": records})
