"""Monitoring pages: planner dashboard, indicator catalogue with values, payments, report texts,
and the reports (background jobs with progress and download)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isek import access
from isek.concepts import services as concepts
from isek.core.downloads import temporary_download
from isek.core.jobviews import job_action
from isek.finance import services as finance
from isek.geodata import services as geodata
from isek.legal import services as legal
from isek.participation import services as participation
from isek.web.forms import add_errors

from . import figures, readiness, reports, services
from .forms import (
    ImportForm,
    IndicatorForm,
    MappingForm,
    PaymentForm,
    ReceiptForm,
    ReportForm,
    ReportTextForm,
    ValueForm,
    YearNotesForm,
)
from .models import Indicator, Payment, Report, ReportText


def _series_json(state: figures.IndicatorState, quarter_names: dict) -> dict:
    ind = state.indicator
    return {
        "unit": ind.unit_label,
        "series": [{"label": _("Fördergebiet") if key == figures.AREA else quarter_names.get(key, str(key)),
                    "points": [[d.isoformat(), v] for d, v, _s in pts]} for key, pts in state.series.items()],
        "baseline": [ind.baseline_year, ind.baseline_value] if ind.baseline_value is not None else None,
        "target": [ind.target_year, ind.target_value] if ind.target_value is not None else None,
        "labels": {"baseline": _("Ausgangswert"), "target": _("Ziel"), "path": _("Zielpfad")},
    }


def _report_notices(user, concept) -> list[figures.Notice]:
    """Citizens' reports no moderator has decided on, for those who moderate (the dashboard only:
    not a notice of the concept's reports)."""
    if not access.allows(user, "moderation", "view", concept):
        return []
    n = participation.open_reports(user, concept)
    if not n:
        return []
    return [figures.Notice("reports", ngettext("%(n)d gemeldeter Beitrag wartet auf die Moderation",
                                               "%(n)d gemeldete Beiträge warten auf die Moderation", n) % {"n": n},
                           reverse("participation:moderation", args=[concept.slug]) + "#reported")]


@access.concept_view("dashboard", "view")
def dashboard(request, concept):
    ov = figures.overview(concept)
    result = ov["result"]
    finance_rows = finance.source_rows(result, finance.source_labels(concept))  # a city-state's own words
    chart = {"years": result.years, "datasets": [
        {"label": str(r["label"]), "colour": figures.SOURCE_COLOURS[r["source"]], "values": [float(v) for v in r["values"]]}
        for r in finance_rows]}
    tree = ov["tree"]
    rows = figures.field_rows(concept, tree, ov["milestones"])
    quarter_names = {q.pk: q.name for q in concept.quarters.all()}
    sparks = [{"state": s, "name": s.indicator.label, "id": f"spark-{s.indicator.pk}", "data_id": f"spark-{s.indicator.pk}-data",
               "data": _series_json(s, quarter_names)} for s in ov["indicators"]]
    return render(request, "monitoring/dashboard.html", {
        "concept": concept, "key": ov["key"], "tree": tree, "field_rows": rows, "finance": chart,
        "finance_rows": finance_rows, "years": result.years, "sparks": sparks,
        "approval_rows": finance.approval_differences(concept), "shortfall_rows": finance.approval_shortfalls(concept),
        "warnings": ov["warnings"] + _report_notices(request.user, concept),
        "spending": ov["spending"], "milestones": ov["milestones"]["concept"], "can_edit": access.allows(request.user, "concept", "edit", concept),
        **geodata.map_context(concept, request.user), "illustrative_progress": concept.measures.filter(progress_illustrative=True).exists(),
        "illustrative_payments": Payment.objects.filter(measure__concept=concept, illustrative=True).exists(),
    })


@access.concept_view("indicator", "view", post=("indicator", "edit"))
def indicators(request, concept):
    editable = access.allows(request.user, "indicator", "edit", concept)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.import_values(request.user, concept, form.cleaned_data["file"].read(),
                                           form.cleaned_data["source"])
            except services.ValuesError as exc:
                errors = exc.messages(_)
            else:
                messages.success(request, _("%(n)s Werte importiert.") % {"n": n})
                return redirect("monitoring:indicators", concept.slug)
    states = figures.indicator_states(concept)
    for s in states:
        s.name = s.indicator.label
    groups = [(label, [s for s in states if s.indicator.kind == kind]) for kind, label in Indicator.Kind.choices]
    return render(request, "monitoring/indicators.html", {
        "concept": concept, "groups": groups, "form": form, "errors": errors, "can_edit": editable},
        status=400 if request.method == "POST" else 200)


@access.concept_view("indicator", "view", post=("indicator", "edit"), ids={"pk": "indicator"})
def indicator_page(request, concept, pk):
    ind = get_object_or_404(Indicator, concept=concept, pk=pk)
    editable = access.allows(request.user, "indicator", "edit", concept)
    form = ValueForm(request.POST or None, concept=concept)
    if request.method == "POST":
        if "delete" in request.POST:  # only entered values; analysis values belong to their run
            pk = request.POST["delete"]
            if not pk.isdigit() or not services.delete_value(request.user, concept, ind, int(pk)):
                raise Http404
            messages.success(request, _("Wert gelöscht."))
            return redirect(ind.get_absolute_url())
        if form.is_valid():
            d = form.cleaned_data
            quarter = None if d["area"] == "area" else concept.quarters.get(pk=int(d["area"]))
            try:
                entered = services.add_value(request.user, concept, ind, quarter, d["year"], d["value"], d["source"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                said = {"year": d["year"], "area": quarter.name if quarter else _("Fördergebiet")}
                messages.success(request, _("Wert für %(year)s (%(area)s) gespeichert.") % said if entered.replaced is None
                                 else _("Wert für %(year)s (%(area)s) gespeichert; er ersetzt %(old)s %(unit)s.") % {
                                     **said, "old": figures.fmt_number(entered.replaced, ind.digits), "unit": ind.unit_label})
                for warning in entered.warnings:
                    messages.warning(request, warning)
                return redirect(ind.get_absolute_url())
    state = figures.indicator_state(ind)
    quarter_names = {q.pk: q.name for q in concept.quarters.all()}
    rows = services.value_rows(concept, ind)
    return render(request, "monitoring/indicator.html", {
        "concept": concept, "ind": ind, "state": state, "rows": rows, "form": form, "can_edit": editable,
        "chart": _series_json(state, quarter_names), "name": ind.label}, status=400 if request.method == "POST" else 200)


@access.concept_view("indicator", "edit", methods=("GET", "POST"), ids={"pk": "indicator"})
def indicator_edit(request, concept, pk=None):
    ind = get_object_or_404(Indicator, concept=concept, pk=pk) if pk else None
    form = IndicatorForm(request.POST or None, instance=ind, concept=concept)
    if request.method == "POST" and form.is_valid():
        try:
            ind = services.save_indicator(request.user, concept, form.save(commit=False), goals=form.cleaned_data["goals"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Indikator gespeichert."))
            for warning in services.indicator_warnings(ind):
                messages.warning(request, warning)
            return redirect(ind.get_absolute_url())
    return render(request, "monitoring/indicator_form.html", {"concept": concept, "form": form, "ind": ind},
                  status=400 if request.method == "POST" else 200)


@access.concept_view("indicator", "edit", methods="POST", ids={"pk": "indicator"})
def indicator_delete(request, concept, pk):
    ind = get_object_or_404(Indicator, concept=concept, pk=pk)
    services.delete_indicator(request.user, concept, ind)
    messages.success(request, _("Indikator gelöscht."))
    return redirect("monitoring:indicators", concept.slug)


def _payment_saved(request, concept, form, success: str):
    """The payment of a valid ``form`` saved through the service: the redirect to the list with
    ``success``; refused → the refusal onto the form and None (the page shown again)."""
    try:
        services.save_payment(request.user, concept, form.instance)
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect("monitoring:payments", concept.slug)


@access.concept_view("payment", "view", post=("payment", "edit"))
def payments(request, concept):
    editable = access.allows(request.user, "payment", "edit", concept)
    spending = figures.spending(concept, finance.current(concept))
    form = PaymentForm(request.POST or None, concept=concept, spending=spending)
    confirm = receipt_form = None
    if editable and (pk := request.POST.get("receipt_for") or request.GET.get("receipt")):
        # the Belegliste's columns of a recorded payment, filled in later (decision 0082)
        found = services.payment_of(request.user, concept, pk)
        if found is None:
            raise Http404
        form = PaymentForm(None, concept=concept, spending=spending)
        receipt_form = ReceiptForm(request.POST if "receipt_for" in request.POST else None, instance=found, prefix="r")
        if receipt_form.is_bound and receipt_form.is_valid() and (
                done := _payment_saved(request, concept, receipt_form, _("Belegangaben gespeichert."))):
            return done
    elif request.method == "POST":
        if "delete" in request.POST:
            found = services.payment_of(request.user, concept, request.POST["delete"])
            if found is None:
                raise Http404
            if request.POST.get("confirmed") != "1":  # the first press asks (without JavaScript too)
                form, confirm = PaymentForm(None, concept=concept, spending=spending), found
            else:
                try:
                    services.delete_payment(request.user, concept, found.pk)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("Auszahlung gelöscht."))
                return redirect("monitoring:payments", concept.slug)
        elif form.is_valid() and (done := _payment_saved(request, concept, form, _("Auszahlung gespeichert."))):
            return done
    shown = list(Payment.objects.filter(measure__concept=concept).select_related("measure"))
    cited = services.cited_payments(concept) if editable else {}
    for p in shown:  # a payment a payment request cites: no "löschen", but why (decision 0075)
        p.cited = cited.get(p.pk, "")
    return render(request, "monitoring/payments.html", {
        "concept": concept, "form": form, "can_edit": editable, "spending": spending, "confirm": confirm,
        "payments": shown, "receipt_form": receipt_form},
        status=400 if request.method == "POST" and confirm is None else 200)


@access.concept_view("report_text", "edit", methods=("GET", "POST"))
def texts(request, concept):
    existing = {t.section: t for t in concept.report_texts.all()}
    forms_ = []
    for key, label in ReportText.Section.choices:
        inst = existing.get(key) or ReportText(concept=concept, section=key)
        forms_.append((label, ReportTextForm(request.POST or None, instance=inst, prefix=key)))
    if request.method == "POST" and all(f.is_valid() for _l, f in forms_):
        services.save_report_texts(request.user, concept, [f.instance for _l, f in forms_])
        messages.success(request, _("Texte gespeichert."))
        return redirect("monitoring:reports", concept.slug)
    return render(request, "monitoring/texts.html", {"concept": concept, "forms": forms_})


@access.concept_view("report_text", "edit", methods=("GET", "POST"))
def year_notes(request, concept, year):
    if not concept.start_year <= year <= max(concept.end_year, concept.start_year) + 10:
        raise Http404
    form = YearNotesForm(request.POST or None, concept=concept, year=year)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.save_year_notes(request.user, concept, year, d["overview"], d["source"],
                                 {m.pk: d[f"m{m.pk}"] for m in form.measures})
        messages.success(request, _("Erläuterungen gespeichert."))
        return redirect("monitoring:reports", concept.slug)
    return render(request, "monitoring/year_notes.html", {"concept": concept, "form": form, "year": year})


@access.concept_view("report", "view", post=("report", "create"))
def reports_page(request, concept):
    editable = access.allows(request.user, "report", "create", concept)
    form = ReportForm(request.POST or None, prefix="r", concept=concept)
    columns, delimiter, comma = reports.mapping_of(concept)
    mapping = MappingForm(request.POST or None, concept=concept, prefix="m", initial={
        "columns": "\n".join(f"{h} = {k}" for h, k in columns), "delimiter": delimiter, "decimal_comma": comma})
    if request.method == "POST":
        if "r-kind" in request.POST:
            mapping = MappingForm(concept=concept, prefix="m", initial=mapping.initial)
            if form.is_valid():
                services.start_report(request.user, concept, form.cleaned_data["kind"], form.cleaned_data.get("year"),
                                      form.cleaned_data.get("version"))
                messages.success(request, _("Der Bericht wird erstellt; der Fortschritt steht unten."))
                return redirect("monitoring:reports", concept.slug)
        else:
            form = ReportForm(prefix="r", concept=concept)
            if mapping.is_valid():
                d = mapping.cleaned_data
                services.save_mapping(request.user, concept, d["columns"], d["delimiter"], d["decimal_comma"])
                messages.success(request, _("Spaltenzuordnung gespeichert."))
                return redirect("monitoring:reports", concept.slug)
    runs = services.reports_of(concept)
    known = reports.monitoring_fields(concept)
    return render(request, "monitoring/reports.html", {
        "concept": concept, "form": form, "mapping": mapping, "can_edit": editable, "runs": runs,
        "fields": [(k, v[0]) for k, v in known.items()],
        "years": list(range(concept.start_year, concept.end_year + 1)),
        "measures": concepts.measures_of(concept),
        "active": any(r.active for r in runs)})


@access.concept_view("report", "view", ids={"pk": "report"})
def report_status(request, concept, pk):
    r = services.report_state(get_object_or_404(Report, concept=concept, pk=pk))
    return JsonResponse({"status": r.status, "progress": r.progress, "message": r.shown_message, "pages": r.pages,
                         "cancel_requested": r.cancel_requested})


@access.concept_view("report", "view", ids={"pk": "report"})
def report_download(request, concept, pk):
    r = get_object_or_404(Report, concept=concept, pk=pk, status=Report.Status.DONE)
    path = services.report_file(r)
    if path is None:
        raise Http404
    ctype = "text/csv; charset=utf-8" if r.kind == Report.Kind.MONITORING else "application/pdf"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=r.filename, content_type=ctype)


@access.concept_view("report", "view", ids={"pk": "measure"})
def measure_fact_sheet(request, concept, pk):
    """The fact sheet of one measure as PDF (from the measure's page)."""
    measure = get_object_or_404(concepts.measures_of(concept), pk=pk)
    return temporary_download(lambda p: services.measure_fact_sheet(request.user, concept, measure, p),
                              f"{concept.slug}-steckbrief-{measure.number}.pdf", "application/pdf")


@access.concept_view("report", "delete", methods="POST", ids={"pk": "report"})
def report_delete(request, concept, pk):
    services.delete_report(request.user, concept, get_object_or_404(Report, concept=concept, pk=pk))
    return redirect("monitoring:reports", concept.slug)


@access.concept_view("report", "create", methods="POST", ids={"pk": "report"})
def report_job(request, concept, pk, action):
    report = get_object_or_404(Report, concept=concept, pk=pk)
    return job_action(request, action, lambda: services.cancel_report(request.user, concept, report),
                      lambda: services.retry_report(request.user, concept, report), reverse("monitoring:reports", args=[concept.slug]))


@access.concept_view("readiness", "view")
def readiness_page(request, concept):
    """„Was fehlt noch für den Förderantrag?“"""
    items = readiness.check(concept, services.council_decision_of(concept))  # the application's date counts too
    return render(request, "monitoring/readiness.html", {
        "concept": concept, "items": items, "summary": readiness.summary(items),
        # the forms that fill the gaps are the planners': others read what is missing, without links
        "can_edit": access.allows(request.user, "concept", "edit", concept),
        # the city's legal texts are the administration's: a hint with its link for them, the link to the page for planners
        "can_edit_legal": legal.may_edit(request.user, concept.city),
        **finance.land_context(concept)})
