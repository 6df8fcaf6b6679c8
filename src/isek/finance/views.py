"""KuF pages for planners and reviewers: table, warnings, scenarios, versions, funds, exports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from isek import access
from isek.core import files, numbers
from isek.core.downloads import temporary_download
from isek.core.problems import InputError

from . import engine, importing, kuf, services
from .forms import (
    RATE_HELP,
    CapForm,
    ConfirmCutForm,
    ConfirmYearsForm,
    CostItemFormSet,
    FinancingFormSet,
    FreezeForm,
    FundApplicationForm,
    FundForm,
    MappingForm,
    RateForm,
    ScenarioForm,
    SpreadsheetForm,
)
from .models import FinanceVersion, Fund, FundingCap, FundingRate
from .presenters import measure_table, table


def _scenario(form: ScenarioForm) -> engine.Scenario | None:
    if not form.is_valid() or not form.is_active():
        return None
    d = form.cleaned_data
    return engine.Scenario(
        shifts={d["shift_measure"]: d["shift_years"]} if d.get("shift_measure") and d.get("shift_years") else {},
        all_rates=d["rate"] / Decimal(100) if d.get("rate") is not None else None,
        dropped=frozenset(d.get("drop") or ()),
    )


def _cash_flow_rows(base: engine.KufResult, other: engine.KufResult):
    years = sorted(set(base.years) | set(other.years))
    rows = []
    for y in years:
        a = {k: base.year_total(y, k) for k in ("cost", "grant", "municipality")}
        b = {k: other.year_total(y, k) for k in ("cost", "grant", "municipality")}
        rows.append({"year": y, "a": a, "b": b, "delta": {k: b[k] - a[k] for k in a}})
    return rows


@access.concept_view("kuf", "view")
def kuf_page(request, concept):
    result = kuf.current(concept)
    measures = concept.measures.all()
    scenario_form = ScenarioForm(request.GET if "scenario" in request.GET else None, measures=measures)
    scenario = _scenario(scenario_form) if "scenario" in request.GET else None
    scenario_rows = None
    if scenario is not None:
        scenario_rows = _cash_flow_rows(result, kuf.current(concept, scenario))
    versions = list(concept.finance_versions.all())
    compare = None
    if "a" in request.GET and "b" in request.GET:
        def pick(v):
            return None if v in ("", "current") else get_object_or_404(FinanceVersion, concept=concept, pk=v)
        va, vb = pick(request.GET["a"]), pick(request.GET["b"])
        changes, names = kuf.compare(concept, va, vb)
        labels = services.source_labels(concept)
        compare = {
            "a": va, "b": vb,
            "rows": [{"change": c, "measure": names.get(c.measure, c.measure),
                      "what": {"cost": _("Kosten"), "eligible": _("förderfähig")}.get(c.what, labels.get(c.what, c.what))}
                     for c in changes],
        }
    hints = kuf.hints(concept, result)
    return render(request, "finance/kuf.html", {
        "concept": concept, "result": result,
        "t": table(result, {str(m.pk): m.estimated_cost for m in measures}, services.source_labels(concept)),
        "hints": hints, "approval_rows": services.approval_differences(concept),
        "shortfall_rows": services.approval_shortfalls(concept),
        **services.land_context(concept),
        "rates": FundingRate.objects.filter(concept=concept), "cap": FundingCap.objects.filter(concept=concept).first(),
        "can_edit": access.allows(request.user, "kuf", "edit", concept), "scenario_form": scenario_form, "scenario_rows": scenario_rows,
        "scenario_query": request.GET.urlencode() if scenario is not None else "",
        "versions": versions, "compare": compare, "freeze_form": FreezeForm(),
        "groups": services.cost_groups(concept), "catalogue": services.cost_catalogue(concept),
        "catalogue_name": services.cost_catalogue(concept).title(translation.get_language() or "de"),
        "catalogue_note": services.cost_catalogue(concept).note_in((translation.get_language() or "de")[:2]),
        "catalogue_source": services.cost_catalogue(concept).source_in((translation.get_language() or "de")[:2]),
    })


@access.concept_view("kuf", "freeze", methods="POST")
def freeze_view(request, concept):
    form = FreezeForm(request.POST)
    measures = concept.measures.all()
    scenario = None
    if request.POST.get("scenario"):
        sform = ScenarioForm(request.POST, measures=measures)
        scenario = _scenario(sform)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.freeze_version(request.user, concept, d["name"], d["kind"], d["note"], scenario=scenario)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Die KuF wurde als Version „%(n)s“ eingefroren.") % {"n": d["name"]})
    else:
        messages.error(request, _("Bitte Name und Art der Version angeben; nichts wurde gespeichert."))
    return redirect("finance:kuf", concept.slug)


ASKED = ("implausible", "below_approval")  # the codes of questions the cost form asks, not refusals


@access.concept_view("kuf", "edit", methods=("GET", "POST"), ids={"pk": "measure"})
def measure_finance(request, concept, pk):
    measure = get_object_or_404(concept.measures, pk=pk)
    once = request.POST.get("once", "")[:64]  # the page's one-time token: sent again after going back?
    # the state of the rows the form was loaded from (decision 0096): kept as sent, so a form from
    # before another save stays refused until the page is loaded again
    state = request.POST.get("state", "")[:64] if request.method == "POST" else services.costs_state(measure)
    changed = False
    if request.method == "POST":
        try:
            services.refuse_resent_costs(measure, once)
        except ValidationError as exc:
            return _costs_resent(request, concept, measure, exc)
        try:
            services.refuse_changed_costs(measure, state)
        except ValidationError:
            changed = True
    costs = CostItemFormSet(request.POST or None, instance=measure, prefix="c", form_kwargs={"measure": measure},
                            initial=services.estimate_line(measure))
    labels = services.source_labels(concept)
    fin = FinancingFormSet(request.POST or None, instance=measure, prefix="f",
                           form_kwargs={"measure": measure, "source_labels": labels})
    error, doubts, cuts = None, [], []
    confirm = ConfirmYearsForm(request.POST or None)
    confirm_cut = ConfirmCutForm(request.POST or None)
    if request.method == "POST" and not changed:
        if costs.is_valid() and fin.is_valid() and confirm.is_valid() and confirm_cut.is_valid():
            try:
                services.save_costs(request.user, concept, measure, cost_items=costs.save(commit=False),
                                    removed_cost_items=costs.deleted_objects, financings=fin.save(commit=False),
                                    removed_financings=fin.deleted_objects, once=once, ask=True,
                                    confirmed=confirm.cleaned_data["confirm_years"],
                                    cut_confirmed=confirm_cut.cleaned_data["confirm_cut"], state=state)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "resent":  # the same page sent twice at once
                    return _costs_resent(request, concept, measure, exc)
                if getattr(exc, "code", None) == "changed":  # another save came between the check and this one
                    changed = True
                elif not hasattr(exc, "error_dict") and all(e.code in ASKED for e in exc.error_list):
                    # asked, not refused: years outside the term (0072), a cut below the approval (0104)
                    doubts = [m for e in exc.error_list if e.code == "implausible" for m in e.messages]
                    cuts = [m for e in exc.error_list if e.code == "below_approval" for m in e.messages]
                else:
                    error = " ".join(exc.messages)
            else:
                messages.success(request, _("Kosten und Finanzierung von %(n)s wurden gespeichert.") % {"n": measure.number})
                return redirect("finance:kuf", concept.slug)
    result = kuf.current(concept)
    status = 409 if changed else 400 if request.method == "POST" else 200
    return render(request, "finance/measure_finance.html", {
        "concept": concept, "measure": measure, "costs": costs, "fin": fin, "error": error, "doubts": doubts,
        "confirm": confirm, "cuts": cuts, "confirm_cut": confirm_cut, "state": state, "changed": services.changed_message() if changed else "",
        "figures": measure_table(result, str(measure.pk), labels), "once": services.cost_form_token(),
    }, status=status)


def _costs_resent(request, concept, measure, exc):
    """The cost form sent again after it was saved (back in the browser): say so and show what is saved."""
    messages.info(request, " ".join(exc.messages))
    return redirect("finance:kuf-measure", concept.slug, measure.pk)


@access.concept_view("kuf", "edit", methods=("GET", "POST"))
def rates_view(request, concept):
    RateFormSet = modelformset_factory(FundingRate, form=RateForm, extra=1, can_delete=True)
    # A hint "no rate for 2030" links here with ?year=2030: the new row starts with that year.
    year = request.GET.get("year", "")
    initial = [{"year": int(year)}] if len(year) == 4 and year.isascii() and year.isdigit() and 1971 <= int(year) <= 2100 else None
    # A concept without any rate: the Land's rule rate as a suggestion, saved only when the planner saves.
    suggestion = services.suggested_rate(concept)
    if suggestion is not None:
        initial = [{**suggestion, **(initial[0] if initial else {})}]
    groups = services.rate_groups(concept)  # a range of years at one rate is one row, changed as one
    rates = RateFormSet(request.POST or None, queryset=FundingRate.objects.filter(pk__in=[first.pk for first, _ in groups]),
                        prefix="r", initial=initial)
    further = {first.pk: rest for first, rest in groups}
    for form in rates.initial_forms:
        form.group = further.get(form.instance.pk, [])
        if form.group:
            form.initial["until_year"] = form.group[-1].year
    cap_instance = FundingCap.objects.filter(concept=concept).first() or FundingCap(concept=concept)
    cap = CapForm(request.POST or None, instance=cap_instance, prefix="cap")
    cap.fields["amount"].required = False
    stale = request.method == "POST" and any(form.instance.pk is None for form in rates.initial_forms)
    if stale:  # a row of a page shown before the rates changed (another tab, or before ranges were one row)
        messages.error(request, _("Die Fördersätze wurden inzwischen geändert. Bitte die Seite neu laden; nichts wurde "
                                  "gespeichert."))
    elif request.method == "POST" and rates.is_valid() and cap.is_valid():
        try:
            saved = rates.save(commit=False)
            form_of = {id(form.instance): form for form in rates.forms}
            changes = [form_of[id(obj)].change() for obj in saved]  # a range: one rate per year
            removed = [*rates.deleted_objects, *(r for form in rates.deleted_forms for r in form.group),
                       *(r for _keep, gone in changes for r in gone)]
            services.save_rates(request.user, concept, rates=[r for keep, _gone in changes for r in keep],
                                removed_rates=removed, cap=cap.instance)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Fördersätze und Förderobergrenze wurden gespeichert."))
            return redirect("finance:kuf", concept.slug)
    status = 400 if request.method == "POST" else 200
    federal = services.federal_share_of(concept)
    return render(request, "finance/rates.html", {
        "concept": concept, "rates": rates, "cap": cap, "suggestion": suggestion, "rate_help": RATE_HELP,
        "federal_share": None if federal is None else numbers.rate(_as_percent(federal), translation.get_language())},
                  status=status)


def _as_percent(fraction: Decimal) -> Decimal:
    """A share stored to 8 places (0.33333333) in percent, a third as a third (33 ⅓ shown, not 33,333333)."""
    percent = fraction * 100
    thirds = (percent * 3).to_integral_value()
    if abs(percent * 3 - thirds) < Decimal("0.0001"):
        return (thirds / 3).quantize(Decimal(1).scaleb(-numbers.RATE_PLACES))
    return percent


@access.concept_view("fund", "view")
def funds_page(request, concept):
    funds = services.fund_summaries(concept)
    return render(request, "finance/funds.html", {"concept": concept, "funds": funds, "can_edit": access.allows(request.user, "fund", "edit", concept)})


@access.concept_view("fund", "edit", methods=("GET", "POST"))
def fund_new(request, concept):
    form = FundForm(request.POST or None, concept=concept)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_fund(request.user, concept, form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Der Fonds wurde angelegt."))
            return redirect("finance:funds", concept.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/fund_new.html", {"concept": concept, "form": form}, status=status)


@access.concept_view("fund", "edit", methods=("GET", "POST"), ids={"fund_pk": "fund", "pk": "fund_application"})
def fund_application(request, concept, fund_pk, pk=None):
    fund = get_object_or_404(Fund, concept=concept, pk=fund_pk)
    instance = get_object_or_404(fund.applications, pk=pk) if pk else None
    form = FundApplicationForm(request.POST or None, instance=instance, fund=fund)
    if request.method == "POST" and form.is_valid():
        services.save_fund_application(request.user, concept, fund, form.instance)
        messages.success(request, _("Der Antrag wurde gespeichert."))
        return redirect("finance:funds", concept.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/fund_application.html", {"concept": concept, "fund": fund, "form": form}, status=status)


@access.concept_view("kuf", "export")
def export_view(request, concept, fmt):
    version = None
    if request.GET.get("version"):
        version = get_object_or_404(FinanceVersion, concept=concept, pk=request.GET["version"])
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "application/pdf"
    return temporary_download(lambda p: services.export_kuf(concept, version, fmt, p), f"kuf-{concept.slug}.{fmt}", ctype)


IMPORTS = "imports"  # where an uploaded measure list waits between preview and commit


@access.concept_view("kuf", "edit", methods=("GET", "POST"))
def measure_import(request, concept):
    """A measure list from a spreadsheet in three steps: upload, preview with the column mapping
    (changed and previewed again as often as needed), commit – all of it or nothing."""
    access.require(request.user, "measure", "edit", concept)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    kept = request.session.get("measure_import") or {}
    upload_form = SpreadsheetForm()

    def upload_page(status=200, problems=()):
        return render(request, "finance/measure_import.html", {
            "concept": concept, "upload_form": upload_form, "problems": problems}, status=status)

    if step == "upload":
        upload_form = SpreadsheetForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return upload_page(400)
        upload = upload_form.cleaned_data["file"]
        kept = {"name": files.keep_upload(upload, IMPORTS), "filename": upload.name}
        request.session["measure_import"] = kept
    elif step not in ("preview", "commit"):
        return upload_page()
    path = files.kept_upload(IMPORTS, kept.get("name", ""))
    if path is None:
        return upload_page(400, [_("Die Datei ist nicht mehr vorhanden; bitte erneut hochladen.")])
    try:
        plan = services.plan_measure_import(request.user, concept, path, kept["filename"])
    except InputError as exc:
        path.unlink(missing_ok=True)
        return upload_page(400, exc.messages(_))
    groups = [(number, f"{number} {name}") for number, name in services.cost_groups(concept).items()]
    years = list(range(concept.start_year, concept.end_year + 1))
    fields = [(str(f.number), f"{f.number} {f.name}") for f in concept.fields_of_action.all()]
    form = MappingForm(request.POST if step != "upload" else None, header=plan.header, mapping=plan.mapping,
                       years=years, groups=groups, fields=fields, values=plan.values, options=plan.options)
    # The form shows every column's meaning, "not imported" where none was recognised; the
    # preview is of what the form shows.
    mapping = form.mapping()
    if not form.errors:
        plan = services.plan_measure_import(request.user, concept, path, kept["filename"], mapping=mapping)
        if plan.values != form.values:  # other columns chosen: other values to map, as remembered so far
            form = MappingForm(request.POST if step != "upload" else None, header=plan.header, mapping=mapping,
                               years=years, groups=groups, fields=fields, values=plan.values, options=plan.options)
    refusals = []
    if step == "commit" and not form.errors and not plan.problems:
        try:
            counts = services.commit_measure_import(request.user, concept, plan, via="web")
        except ValidationError as exc:  # a rule of the services (e.g. costs below what was called off, 0104): nothing
            refusals = exc.messages
        else:
            path.unlink(missing_ok=True)
            request.session.pop("measure_import", None)
            messages.success(request, _("Maßnahmenliste übernommen: %(create)s neu, %(change)s geändert, %(unchanged)s "
                                        "unverändert, %(left_alone)s nicht in der Datei; %(costs)s Kostenpositionen neu "
                                        "oder geändert.") % counts)
            return redirect("finance:kuf", concept.slug)
    refused = step == "commit"
    def shown(value) -> str:
        if isinstance(value, datetime.date):
            return str(value.year)  # the time plan's years
        return "–" if value in (None, "") else str(value)

    for p in plan.measures:
        p.change_text = "; ".join(_("%(what)s: „%(old)s“ → „%(new)s“") % {
            "what": _(importing.LABELS[k]), "old": shown(p.before.get(k)), "new": shown(p.values[k])} for k in p.changes)
    return render(request, "finance/measure_import.html", {
        "concept": concept, "form": form, "plan": plan, "counts": plan.counts, "filename": kept["filename"],
        "problems": [*refusals, *(p.render(_) for p in plan.problems)], "refused": refused,
    }, status=400 if refused or form.errors else 200)
