"""The pages of the funding application: they translate requests to ``services`` and back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from isek import access
from isek.web.forms import add_errors

from . import services
from .forms import ApplicationForm, ApprovalForm, RemarkForm

ONE = {"application": "application"}
REVIEW = {"submitted": services.is_submitted, "ids": ONE}  # the authority's writes on a submitted application


@access.concept_view("application", "view", submitted=lambda concept: services.has_submitted(concept))
def applications(request, concept):
    return render(request, "procedure/applications.html", {
        "concept": concept, "applications": services.applications_of(request.user, concept),
        "can_edit": services.can_edit(request.user, concept)})


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def application_page(request, concept, application):
    return _page(request, concept, services.application_of(request.user, concept, application))


def _page(request, concept, app, remark_form=None, status=200):
    context = {"concept": concept, "app": app, "can_edit": services.can_edit(request.user, concept)}
    if app.is_submitted:
        labels = services.figure_labels(concept)
        shown, context["sums"] = services.sums_by_year(app.snapshot)
        context["headers"] = [labels[w] for w in shown]
        context["readiness"] = app.snapshot.get("readiness", {})
        context["difference"] = services.difference_of(app)
        if context["difference"]:
            context["changes"] = [(r, labels.get(r.what, r.what)) for r in context["difference"][1].rows]
        context["documents"] = list(app.documents.defer("content"))
        context.update(_review_context(request, concept, app, remark_form))
    else:
        context["readiness"] = services.readiness_now(concept)
        context["plan_differs"] = services.plan_differs(concept, app.finance_version)
    return render(request, "procedure/application.html", context, status=status)


def _review_context(request, concept, app, form=None) -> dict:
    """The review part of a submitted application's page: its remarks, the requests it answered,
    a newer version if there is one, and for the authority the form for a new remark."""
    can_review = services.can_review(request.user, concept, app)
    newer = services.newer_of(app)
    if can_review and form is None and newer is None:
        form = RemarkForm(subjects=services.subjects_of(app), initial={"kind": "request"})
    can_approve = services.can_approve(request.user, concept, app) and not services.approval_refusal(app)
    return {"remarks": services.remarks_of(request.user, concept, app), "answered": services.requests_answered_by(app),
            "newer": newer, "can_review": can_review, "remark_form": form if newer is None else None,
            "approvals": services.approvals_shown(concept, app),
            "approve_url": reverse("procedure:application-approve", args=[concept.slug, app.pk]) if can_approve else ""}


@access.concept_view("application", "edit", methods=("GET", "POST"), ids=ONE)
def application_form(request, concept, application=None):
    app = services.application_of(request.user, concept, application) if application else None
    if app is not None and app.is_submitted:
        messages.error(request, str(services.SUBMITTED_CANNOT_CHANGE))
        return redirect("procedure:application", concept.slug, app.pk)
    initial = {"year": request.GET.get("year", ""), "council_decision": concept.council_decision_date}
    if app is not None:
        initial = {"year": app.year, "finance_version": app.finance_version_id,
                   "council_decision": app.council_decision, "note": app.note}
    form = ApplicationForm(request.POST or None, initial=initial, versions=services.versions_of(concept))
    if request.method == "POST" and form.is_valid():
        try:
            app = services.save_draft(request.user, concept, application=app, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Der Entwurf des Antrags wurde gespeichert."))
            return redirect("procedure:application", concept.slug, app.pk)
    return render(request, "procedure/application_form.html", {"concept": concept, "form": form, "app": app},
                  status=400 if request.method == "POST" else 200)


def _refused(request, concept, app, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect("procedure:application", concept.slug, app.pk)


@access.concept_view("application", "edit", methods="POST", ids=ONE)
def application_submit(request, concept, application):
    app = services.application_of(request.user, concept, application)
    try:
        services.submit(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, _("Der Antrag für %(year)s (Version %(version)s) wurde eingereicht.") % {
        "year": app.year, "version": app.version})
    return redirect("procedure:application", concept.slug, app.pk)


@access.concept_view("application", "edit", methods="POST", ids=ONE)
def application_delete(request, concept, application):
    app = services.application_of(request.user, concept, application)
    try:
        services.delete_draft(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, _("Der Entwurf wurde gelöscht."))
    return redirect("procedure:applications", concept.slug)


@access.concept_view("application", "view", ids=ONE | {"document": "application_document"},
                     submitted=services.is_submitted)
def document(request, concept, application, document):
    try:
        found = services.document_of(request.user, concept, application, document)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(bytes(found.content), content_type=_TYPES.get(found.filename.rsplit(".", 1)[-1],
                                                                          "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response["X-Content-SHA256"] = found.sha256
    return response


_TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# --- the authority's review (decision 0056) -------------------------------------------------------


@access.concept_view("application", "review", methods="POST", **REVIEW)
def application_review(request, concept, application):
    app = services.application_of(request.user, concept, application)
    try:
        services.start_review(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, _("Die Prüfung des Antrags hat begonnen."))
    return redirect("procedure:application", concept.slug, app.pk)


@access.concept_view("application", "review", methods="POST", **REVIEW)
def remark_new(request, concept, application):
    app = services.application_of(request.user, concept, application)
    form = RemarkForm(request.POST, subjects=services.subjects_of(app))
    if form.is_valid():
        try:
            remark = services.add_remark(request.user, concept, app, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Die Nachforderung wurde gespeichert; die Stadt sieht sie auf ihrer Seite des Antrags.")
                             if remark.kind == "request" else _("Die Anmerkung wurde gespeichert."))
            return redirect("procedure:application", concept.slug, app.pk)
    return _page(request, concept, app, remark_form=form, status=400)


@access.concept_view("application", "review", methods="POST", ids=ONE | {"remark": "remark"},
                     submitted=services.is_submitted)
def remark_close(request, concept, application, remark):
    found = services.remark_of(request.user, concept, application, remark)
    try:
        services.close_remark(request.user, concept, found)
    except ValidationError as exc:
        return _refused(request, concept, found.application, exc)
    messages.success(request, _("Der Vermerk ist erledigt."))
    return redirect("procedure:application", concept.slug, found.application_id)


# --- the approval (decision 0058) -----------------------------------------------------------------


@access.concept_view("application", "approve", methods=("GET", "POST"), **REVIEW)
def approval_form(request, concept, application):
    app = services.application_of(request.user, concept, application)
    if refusal := services.approval_refusal(app):
        messages.error(request, refusal)
        return redirect("procedure:application", concept.slug, app.pk)
    amending = services.current_approval(app) is not None
    form = ApprovalForm(request.POST or None, lines=services.approval_lines(concept, app), amending=amending,
                        initial={"decided_on": None})
    if request.method == "POST" and form.is_valid():
        try:
            services.approve(request.user, concept, app, **form.values())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not in review, or superseded: nothing to correct in the form
                return _refused(request, concept, app, exc)
            add_errors(form, exc)
        else:
            messages.success(request, _("Der Änderungsbescheid wurde gespeichert.") if amending else _(
                "Der Zuwendungsbescheid wurde gespeichert; die Finanzierung der Stadt zeigt die bewilligten Beträge."))
            return redirect("procedure:application", concept.slug, app.pk)
    return render(request, "procedure/approval_form.html", {"concept": concept, "app": app, "form": form,
                                                             "amending": amending},
                  status=400 if request.method == "POST" else 200)


# --- the authority's portfolio --------------------------------------------------------------------


@access.site_view("portfolio", "view")
def portfolio(request, authority):
    found = services.portfolio(request.user, authority)
    # the areas' GeoJSON as the service wrote it, safe inside <script> as json_script makes it
    found["areas"] = mark_safe(found["areas"].translate(_SCRIPT_SAFE))  # noqa: S308 (escaped just here)
    return render(request, "procedure/portfolio.html", {"authority": authority, **found})


_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
