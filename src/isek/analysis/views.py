"""Platform glue: the analysis page of a concept (start a run, watch its progress, see values,
choose the current run, delete runs)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from isek import access
from isek.core.i18n import pick, unit_label
from isek.core.jobviews import job_action

from . import indicators as ind
from . import services
from .forms import RunForm
from .models import AnalysisRun


@access.concept_view("analysis", "view", post=("analysis", "run"))
def analysis_page(request, concept):
    editable = access.allows(request.user, "analysis", "run", concept)
    form = RunForm(request.POST or None, extracts=services.extract_choices(request.user, concept))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.start_run(request.user, concept, form.cleaned_data["extract"], form.cleaned_data["city_layers"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_error(None, exc)
                else:
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Die Analyse wurde gestartet; der Fortschritt steht unten."))
                return redirect("analysis:analysis", concept.slug)
    latest = services.latest_values(concept)
    sizes = services.area_sizes(concept)  # "Fläche" needs no data: from the boundaries until a run gives it
    for key, ha in sizes.items():
        latest.setdefault("area_ha", {}).setdefault(key, (ha, None, 1, ""))
    quarters = list(concept.quarters.all())
    columns = [("area", _("Fördergebiet"))] + [(q.pk, q.name) for q in quarters]
    rows = []
    for i in ind.REGISTRY.values():
        values = latest.get(i.id, {})
        rows.append({"indicator": i, "label": pick(i.name_de, i.name_en), "unit": unit_label(i.unit), "cells": [values.get(key) for key, _label in columns]})
    runs = services.runs_of(concept)
    return render(request, "analysis/analysis.html", {
        "concept": concept, "form": form, "can_edit": editable, "runs": runs, "rows": rows, "columns": columns,
        "active": any(r.active for r in runs), "current": next((r for r in runs if r.is_current), None),
        "covered_note": services.coverage_note(concept),
        # without an extract and without city layers a run can only fail: no button, what to provide instead
        "no_input": not services.has_input(concept),
    })


@access.concept_view("analysis", "view", ids={"pk": "run"})
def run_status(request, concept, pk):
    run = services.run_state(get_object_or_404(AnalysisRun, concept=concept, pk=pk))
    return JsonResponse({"status": run.status, "progress": run.progress, "message": run.shown_message,
                         "cancel_requested": run.cancel_requested})


@access.concept_view("analysis", "run", methods="POST", ids={"pk": "run"})
def run_job(request, concept, pk, action):
    run = get_object_or_404(AnalysisRun, concept=concept, pk=pk)
    return job_action(request, action, lambda: services.cancel_run(request.user, concept, run),
                      lambda: services.retry_run(request.user, concept, run), reverse("analysis:analysis", args=[concept.slug]))


@access.concept_view("analysis", "run", methods="POST", ids={"pk": "run"})
def run_current(request, concept, pk):
    run = get_object_or_404(AnalysisRun, concept=concept, pk=pk)
    try:
        services.set_current(request.user, concept, run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Der Lauf vom %(date)s ist jetzt die aktuelle Analyse; Berichte und Indikatoren "
                                    "verwenden seine Werte.") % {"date": services.when(run)})
    return redirect("analysis:analysis", concept.slug)


@access.concept_view("analysis", "run", methods=("GET", "POST"), ids={"pk": "run"})
def run_delete(request, concept, pk):
    """GET: what deleting the run means (for the current analysis: which run takes its place);
    POST: delete it."""
    run = get_object_or_404(AnalysisRun, concept=concept, pk=pk)
    if request.method == "POST":
        try:
            messages.success(request, services.delete_run(request.user, concept, run))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("analysis:analysis", concept.slug)
    return render(request, "analysis/run_delete.html", {
        "concept": concept, "run": run, "successor": services.successor(concept, run) if run.is_current else None})
