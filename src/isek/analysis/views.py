"""Platform glue: the analysis page of a concept (start a run, watch its progress, see values)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from isek import access

from . import indicators as ind
from . import jobs
from .forms import RunForm
from .models import AnalysisRun


@login_required
@require_http_methods(["GET", "POST"])
def analysis_page(request, slug):
    concept = access.concept_for(request.user, slug, "analysis", "view")
    editable = access.allows(request.user, "analysis", "run", concept)
    form = RunForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, "analysis", "run", concept)
        if form.is_valid():
            if not form.cleaned_data["extract"] and not form.cleaned_data["city_layers"]:
                messages.error(request, _("Bitte einen Extrakt oder die städtischen Ebenen wählen."))
            else:
                jobs.start(concept, request.user, form.cleaned_data["extract"], form.cleaned_data["city_layers"])
                messages.success(request, _("Die Analyse wurde gestartet; der Fortschritt steht unten."))
                return redirect("analysis:analysis", slug)
    latest = jobs.latest_values(concept)
    quarters = list(concept.quarters.all())
    columns = [("area", _("Fördergebiet"))] + [(q.pk, q.name) for q in quarters]
    rows = []
    for i in ind.REGISTRY.values():
        values = latest.get(i.id, {})
        rows.append({"indicator": i, "cells": [values.get(key) for key, _label in columns]})
    runs = concept.analysis_runs.all()[:10]
    return render(request, "analysis/analysis.html", {
        "concept": concept, "form": form, "can_edit": editable, "runs": runs, "rows": rows, "columns": columns,
        "active": any(r.active for r in runs),
    })


@login_required
def run_status(request, slug, pk):
    concept = access.concept_for(request.user, slug, "analysis", "view")
    run = get_object_or_404(AnalysisRun, concept=concept, pk=pk)
    return JsonResponse({"status": run.status, "progress": run.progress, "message": run.message})
