"""The pages of the funding application: they translate requests to ``services`` and back."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from isek import access
from isek.web.forms import add_errors

from . import services
from .forms import (
    ApplicationForm,
    ApprovalForm,
    PaymentRequestForm,
    ProofReturnForm,
    ProofSubmitForm,
    ReleaseForm,
    RemarkForm,
    ReturnForm,
)

ONE = {"application": "application"}
REVIEW = {"submitted": services.is_submitted, "ids": ONE}  # the authority's writes on a submitted application


def confirm_step(resource: str, action: str, *, ids: dict, submitted):
    """A step that asks first (submit, release, accept): POST follows the cell (``resource``,
    ``action``); a GET – the confirmation page reloaded, or reached again with "back" – is the
    page's reader's and is sent to the page the step belongs to instead of a 405."""
    return access.concept_view("application", "view", methods=("GET", "POST"), post=(resource, action), ids=ids,
                               submitted=submitted)


@access.concept_view("application", "view", submitted=lambda concept: services.has_submitted(concept))
def applications(request, concept):
    return render(request, "procedure/applications.html", {
        "concept": concept, "applications": services.applications_of(request.user, concept),
        "can_edit": services.can_edit(request.user, concept), "todo": services.city_todo(request.user, concept),
        "words": services.words_of(concept)})


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def application_page(request, concept, application):
    return _page(request, concept, services.application_of(request.user, concept, application))


def _page(request, concept, app, remark_form=None, status=200, confirm_submit=False):
    context = {"concept": concept, "app": app, "can_edit": services.can_edit(request.user, concept),
               "confirm_submit": confirm_submit, "words": services.words_of(concept),
               # the Bescheid of the year stands beside a newer version until the authority decides on it
               "in_force": services.approvals_in_force([app]).get((app.concept_id, app.year))}
    if app.is_submitting:  # frozen at the click, its documents being written (decision 0079)
        context["job"] = services.documents_job(app)
        context["readiness"] = app.snapshot.get("readiness", {})
    elif app.is_submitted:
        context["job"] = None
        labels = services.figure_labels(concept)
        shown, context["sums"] = services.sums_by_year(app.snapshot)
        context["headers"] = [labels[w] for w in shown]
        context["already_approved"] = services.already_approved(concept, app)
        context["readiness"] = app.snapshot.get("readiness", {})
        context["difference"] = services.difference_of(app)
        if context["difference"]:
            context["changes"] = [(r, labels.get(r.what, r.what)) for r in context["difference"][1].rows]
        context["documents"] = list(app.documents.defer("content"))
        context["state_change"] = services.state_change(app)
        context.update(_review_context(request, concept, app, remark_form))
    else:
        context["readiness"] = services.readiness_now(concept, app)
        context["plan_differs"] = services.plan_differs(concept, app.finance_version)
        # the confirmation says how much of the readiness is still open, and what (walk 23)
        context["readiness_open"] = [i["label"] for i in context["readiness"]["items"] if i["status"] == "incomplete"]
        # a city without a funding authority cannot submit: said before the click, no button (decision 0085)
        context["no_authority"] = services.no_authority(concept)
        context["nothing_requested"] = services.nothing_requested(concept, app) if (  # a 0 € application (0085)
            confirm_submit and not context["no_authority"] and app.finance_version_id is not None) else ""
    return render(request, "procedure/application.html", context, status=status)


def _review_context(request, concept, app, form=None) -> dict:
    """The review part of a submitted application's page: its remarks, the requests it answered,
    a newer version if there is one, and for the authority the form for a new remark."""
    can_review = services.can_review(request.user, concept, app)
    newer = services.newer_of(app)
    if can_review and form is None and newer is None:
        refusal = services.change_request_refusal(app)
        form = RemarkForm(subjects=services.subjects_of(app), refusal=refusal,
                          initial={"kind": "comment" if refusal else "request"})
    can_approve = services.can_approve(request.user, concept, app) and not services.approval_refusal(app)
    return {"remarks": services.remarks_of(request.user, concept, app), "answered": services.requests_answered_by(app),
            "earlier": services.earlier_remarks(request.user, concept, app),
            "newer": newer, "can_review": can_review, "remark_form": form if newer is None else None,
            "once": services.form_token(),
            "approvals": services.approvals_shown(concept, app),
            "proof_submission": services.proof_states([app]).get(app.pk),
            "approve_url": reverse("procedure:application-approve", args=[concept.slug, app.pk]) if can_approve else ""}


@access.concept_view("application", "edit", methods=("GET", "POST"), ids=ONE)
def application_form(request, concept, application=None):
    app = services.application_of(request.user, concept, application) if application else None
    if app is not None and app.is_frozen:
        messages.error(request, str(services.BEING_SUBMITTED if app.is_submitting else services.SUBMITTED_CANNOT_CHANGE))
        return redirect("procedure:application", concept.slug, app.pk)
    initial = {"year": request.GET.get("year", ""), "council_decision": concept.council_decision_date}
    if app is None and (previous := services.previous_version(concept, initial["year"])) is not None:
        initial["council_decision"] = previous.council_decision  # "Neue Version anlegen" keeps it (decision 0085)
    if app is not None:
        initial = {"year": app.year, "finance_version": app.finance_version_id,
                   "council_decision": app.council_decision, "note": app.note}
    form = ApplicationForm(request.POST or None, initial=initial, versions=services.versions_of(concept))
    form.fields["council_decision"].label = services.words_of(concept)["decision_date"]  # the Land's word (0087)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.save_draft(request.user, concept, application=app, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Der Entwurf des Antrags wurde gespeichert."))
            return redirect("procedure:application", concept.slug, app.pk)
    year = str(app.year if app is not None else form["year"].value() or "")
    in_force = services.approvals_in_force([SimpleNamespace(concept_id=concept.pk, year=int(year))]).get(
        (concept.pk, int(year))) if year.isascii() and year.isdigit() and len(year) == 4 else None
    return render(request, "procedure/application_form.html", {"concept": concept, "form": form, "app": app,
                                                                "in_force": in_force},
                  status=400 if request.method == "POST" else 200)


def _refused(request, concept, app, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect("procedure:application", concept.slug, app.pk)


def _acted(request, concept, app, act, success: str, *done):
    """A step posted without a form: ``act()`` (the service); refused → back to the application
    with the reason; done → ``success`` and to ``done`` (the application's page unless named)."""
    try:
        act()
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, success)
    return redirect(*(done or ("procedure:application", concept.slug, app.pk)))


@confirm_step("application", "edit", ids=ONE, submitted=services.is_submitted)
def application_submit(request, concept, application):
    app = services.application_of(request.user, concept, application)
    if request.method != "POST":
        return redirect("procedure:application", concept.slug, app.pk)
    if request.POST.get("confirmed") != "1" and app.state == "draft":
        return _page(request, concept, app, confirm_submit=True)  # the first press asks, without JavaScript too
    try:
        services.submit(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, _("Der Antrag für %(year)s (Version %(version)s) ist eingereicht und unveränderlich. "
                                "Seine Dokumente werden jetzt erstellt; die Bewilligungsbehörde sieht ihn, sobald "
                                "sie fertig sind.") % {"year": app.year, "version": app.version})
    return redirect("procedure:application", concept.slug, app.pk)


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def documents_status(request, concept, application):
    """The documents job's state for the page's poll (web/static/isek/jobs.mjs)."""
    app = services.application_of(request.user, concept, application)
    job = services.documents_job(app)
    if job is None:
        return JsonResponse({"status": "done" if app.is_submitted else "none", "progress": 100 if app.is_submitted else 0})
    return JsonResponse({"status": job.status, "progress": job.progress, "status_label": job.get_status_display(),
                         "message": job.shown_message, "application_state": app.state})


@access.concept_view("application", "edit", methods="POST", ids=ONE)
def documents_retry(request, concept, application):
    app = services.application_of(request.user, concept, application)
    return _acted(request, concept, app, lambda: services.retry_documents(request.user, concept, app),
                  _("Die Dokumente werden erneut erstellt."))


@access.concept_view("application", "edit", methods="POST", ids=ONE)
def application_delete(request, concept, application):
    app = services.application_of(request.user, concept, application)
    return _acted(request, concept, app, lambda: services.delete_draft(request.user, concept, app),
                  _("Der Entwurf wurde gelöscht."), "procedure:applications", concept.slug)


@access.concept_view("application", "view", ids=ONE | {"document": "application_document"},
                     submitted=services.is_submitted)
def document(request, concept, application, document):
    return _download(lambda: services.document_of(request.user, concept, application, document))


_TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(find):
    """A stored document as an attachment (an application's, a proof of use's): its bytes with their
    SHA-256; what ``find`` refuses as a plain-text 409."""
    try:
        found = find()
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(bytes(found.content), content_type=_TYPES.get(found.filename.rsplit(".", 1)[-1],
                                                                          "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response["X-Content-SHA256"] = found.sha256
    return response


# --- the authority's review (decision 0056) -------------------------------------------------------


@access.concept_view("application", "review", methods="POST", **REVIEW)
def application_review(request, concept, application):
    app = services.application_of(request.user, concept, application)
    return _acted(request, concept, app, lambda: services.start_review(request.user, concept, app),
                  _("Die Prüfung des Antrags hat begonnen."))


@access.concept_view("application", "review", methods="POST", **REVIEW)
def remark_new(request, concept, application):
    app = services.application_of(request.user, concept, application)
    once = request.POST.get("once", "")[:64]  # the page's one-time token: sent again after going back?
    try:
        services.refuse_resent(f"remark:{app.pk}", once)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect("procedure:application", concept.slug, app.pk)
    form = RemarkForm(request.POST, subjects=services.subjects_of(app), refusal=services.change_request_refusal(app))
    if form.is_valid():
        try:
            remark = services.add_remark(request.user, concept, app, **form.cleaned_data, once=once)
        except ValidationError as exc:
            if getattr(exc, "code", "") == "resent":  # the same form sent twice at once
                messages.info(request, " ".join(exc.messages))
                return redirect("procedure:application", concept.slug, app.pk)
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


@access.concept_view("application", "edit", methods="POST", ids=ONE | {"remark": "remark"})
def remark_reply(request, concept, application, remark):
    """The city answers a remark in words (issue 23); refused: back to the page with the reason."""
    app = services.application_of(request.user, concept, application)
    try:
        services.reply_to_remark(request.user, concept, app, remark, text=request.POST.get("reply", ""))
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    messages.success(request, _("Die Antwort ist gespeichert; die Bewilligungsbehörde erhält sie per E-Mail."))
    return redirect(reverse("procedure:application", args=[concept.slug, app.pk]) + f"#remark-{remark}-reply")


# --- the approval (decision 0058) -----------------------------------------------------------------


@access.concept_view("application", "approve", methods=("GET", "POST"), **REVIEW)
def approval_form(request, concept, application):
    app = services.application_of(request.user, concept, application)
    if refusal := services.approval_refusal(app):
        messages.error(request, refusal)
        return redirect("procedure:application", concept.slug, app.pk)
    once = request.POST.get("once", "")[:64]  # the page's one-time token: sent again after going back?
    if request.method == "POST":
        try:
            services.refuse_resent(f"approval:{app.pk}", once)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect("procedure:application", concept.slug, app.pk)
    amending = services.current_approval(app) is not None
    form = ApprovalForm(request.POST or None, lines=services.approval_lines(concept, app), amending=amending,
                        initial={"decided_on": None})
    if request.method == "POST" and form.is_valid():
        try:
            services.approve(request.user, concept, app, **form.values(), once=once)
        except ValidationError as exc:
            if getattr(exc, "code", "") == "resent":  # the same form sent twice at once
                messages.info(request, " ".join(exc.messages))
                return redirect("procedure:application", concept.slug, app.pk)
            if not hasattr(exc, "error_dict"):  # not in review, or superseded: nothing to correct in the form
                return _refused(request, concept, app, exc)
            add_errors(form, exc)
        else:
            messages.success(request, _("Der Änderungsbescheid wurde gespeichert.") if amending else _(
                "Der Zuwendungsbescheid wurde gespeichert; die Finanzierung der Stadt zeigt die bewilligten Beträge."))
            return redirect("procedure:application", concept.slug, app.pk)
    return render(request, "procedure/approval_form.html", {"concept": concept, "app": app, "form": form,
                                                             "amending": amending, "once": services.form_token(),
                                                             "already_approved": services.already_approved(concept, app)},
                  status=400 if request.method == "POST" else 200)


# --- the authority's portfolio --------------------------------------------------------------------


@access.site_view("portfolio", "view")
def portfolio(request, authority):
    found = services.portfolio(request.user, authority)
    # the areas' GeoJSON as the service wrote it, safe inside <script> as json_script makes it
    found["areas"] = mark_safe(found["areas"].translate(_SCRIPT_SAFE))  # noqa: S308 (escaped just here)
    return render(request, "procedure/portfolio.html", {"authority": authority, **found,
                                                        "words": services.words_of_authority(authority),
                                                        "todo": services.authority_todo(request.user, authority)})


@access.site_view("portfolio", "view")
def authority_home(request, authority):
    """/authorities/<id>/: the authority's page is its portfolio, with what waits for it at the top."""
    return redirect("authority:portfolio", authority.pk)


_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@access.site_view("portfolio", "view")
def district_monitoring_csv(request, authority):
    """The federal monitoring data of the district's approved concepts in one CSV (decision 0062)."""
    with tempfile.TemporaryDirectory(prefix="isek-district-") as tmp:
        path = Path(tmp) / "monitoring.csv"
        services.write_district_monitoring_csv(request.user, authority, path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bezirk-{authority.pk}-begleitinformationen.csv"'
    return response


@access.site_view("portfolio", "view")
def district_totals_xlsx(request, authority):
    """The district's requested and approved grant per programme, programme year and year (decision 0062)."""
    with tempfile.TemporaryDirectory(prefix="isek-district-") as tmp:
        path = Path(tmp) / "totals.xlsx"
        services.write_district_totals_xlsx(request.user, authority, path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type=_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="bezirk-{authority.pk}-summen.xlsx"'
    return response


# --- payment requests and the proof of use (decision 0059) ------------------------------------------

ONE_REQUEST = ONE | {"payment_request": "payment_request"}


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def payment_requests(request, concept, application):
    app = services.application_of(request.user, concept, application)
    can_request = services.can_request(request.user, concept)
    return render(request, "procedure/payment_requests.html", {
        "concept": concept, "app": app, "requests": services.requests_of(request.user, concept, app),
        "can_request": can_request and not services.request_refusal(app),
        "refusal": services.request_refusal(app), "approved": services.current_approval(app) is not None,
        "opens": services.request_opens(app)})


@access.concept_view("payment_request", "edit", methods=("GET", "POST"), ids=ONE)
def payment_request_new(request, concept, application):
    app = services.application_of(request.user, concept, application)
    if refusal := services.request_refusal(app):
        messages.error(request, refusal)
        return redirect("procedure:payment-requests", concept.slug, app.pk)
    offered = services.available_payments(concept, app)
    initial, template = {}, None
    # a returned request opened as a new draft: its payments, amounts and reason (decisions 0067, 0105);
    # sent along with the form, so that a refused save still shows why the authority returned it
    renews = request.GET.get("from") if request.method == "GET" else request.POST.get("renews")
    if renews:
        try:
            template = services.returned_request_payments(request.user, concept, app, renews)
        except ValidationError as exc:
            if request.method == "GET":  # posted, it only shows the reason: the draft's own checks decide
                messages.error(request, " ".join(exc.messages))
        else:
            initial = {"payments": [str(pk) for pk in template["payments"]],
                       "note": _("Neu gestellt nach der Rückgabe von Mittelabruf Nr. %(number)s.") % {
                           "number": template["request"].number}}
    form = PaymentRequestForm(request.POST or None, payments=offered, initial=initial,
                              requested=template["amounts"] if template else None,
                              lines=services.request_lines(concept, app, offered))
    if request.method == "POST" and form.is_valid():
        try:
            found = services.draft_request(request.user, concept, app, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Der Entwurf von Mittelabruf Nr. %(number)s wurde gespeichert; prüfen Sie ihn "
                                        "und reichen Sie ihn ein.") % {"number": found.number})
            return redirect("procedure:payment-request", concept.slug, app.pk, found.number)
    return render(request, "procedure/payment_request_form.html", {
        "concept": concept, "app": app, "form": form, "offered": offered, "template": template,
        "labels": {str(p.pk): p for p in offered}, "opens": services.request_opens(app)}, status=400 if request.method == "POST" else 200)


def _request_page(request, concept, found, release_form=None, return_form=None, confirm_release=None,
                  confirm_submit=False):
    app = found.application
    can_release = (services.can_release(request.user, concept, app) and found.state == "submitted")
    shown = services.request_shown(concept, found)
    if can_release:  # a form whose post was refused: as it was sent, with its messages (_after_error)
        release_form = release_form or _kept(request, f"release-{found.pk}", lambda data: ReleaseForm(
            data, lines=shown["lines"])) or ReleaseForm(lines=shown["lines"])
        return_form = return_form or _kept(request, f"return-{found.pk}", ReturnForm)
    context = {
        "concept": concept, "app": app, "pr": found, **shown,
        "can_edit": services.can_request(request.user, concept) and found.state == "draft",
        # a returned request is not corrected: the city makes a new one, prefilled with its expenses (decision 0067)
        "can_renew": found.state == "returned" and services.can_request(request.user, concept)
        and not services.request_refusal(app),
        # "Stellen Sie einen neuen Mittelabruf …" is the city's to follow, not the authority's (issue 23)
        "city_side": services.can_request(request.user, concept),
        "release_form": release_form if can_release else None,
        "return_form": (return_form or ReturnForm()) if can_release else None, "confirm_release": confirm_release,
        "confirm_submit": confirm_submit}
    return render(request, "procedure/payment_request.html", context)


@access.concept_view("application", "view", ids=ONE_REQUEST, submitted=services.request_is_submitted)
def payment_request_page(request, concept, application, payment_request):
    found = services.request_of(request.user, concept, application, payment_request)
    if request.GET.get("released") and found.state == "released" and services.can_release(
            request.user, concept, found.application):
        return _release_page(request, concept, found, confirm=False)  # just released: the short confirmation
    return _request_page(request, concept, found)


def _request_refused(request, concept, found, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect("procedure:payment-request", concept.slug, found.application_id, found.number)


@confirm_step("payment_request", "edit", ids=ONE_REQUEST, submitted=services.request_is_submitted)
def payment_request_submit(request, concept, application, payment_request):
    found = services.request_of(request.user, concept, application, payment_request)
    if request.method != "POST":
        return redirect("procedure:payment-request", concept.slug, found.application_id, found.number)
    if request.POST.get("confirmed") != "1" and found.state == "draft":
        return _request_page(request, concept, found, confirm_submit=True)  # the first press asks, as an application's
    try:
        services.submit_request(request.user, concept, found)
    except ValidationError as exc:
        return _request_refused(request, concept, found, exc)
    messages.success(request, _("Mittelabruf Nr. %(number)s wurde eingereicht.") % {"number": found.number})
    return redirect("procedure:payment-request", concept.slug, found.application_id, found.number)


@access.concept_view("payment_request", "edit", methods="POST", ids=ONE_REQUEST)
def payment_request_delete(request, concept, application, payment_request):
    found = services.request_of(request.user, concept, application, payment_request)
    try:
        services.delete_request(request.user, concept, found)
    except ValidationError as exc:
        return _request_refused(request, concept, found, exc)
    messages.success(request, _("Der Entwurf von Mittelabruf Nr. %(number)s wurde gelöscht.") % {"number": found.number})
    return redirect("procedure:payment-requests", concept.slug, found.application_id)


RELEASE = {"ids": ONE_REQUEST, "submitted": services.request_is_submitted}


@confirm_step("payment_request", "release", **RELEASE)
def payment_request_release(request, concept, application, payment_request):
    found = services.request_of(request.user, concept, application, payment_request)
    if request.method != "POST":
        return redirect("procedure:payment-request", concept.slug, found.application_id, found.number)
    lines = services.request_shown(concept, found)["lines"]
    form = ReleaseForm(request.POST, lines=lines)
    if form.is_valid() and request.POST.get("confirmed") != "1":
        # the first press asks (without JavaScript too): the amounts as typed, their sum, released on "yes"
        try:
            total = services.release_total(request.user, concept, found, **form.values())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _request_refused(request, concept, found, exc)
            add_errors(form, exc)
            return _after_error(request, f"release-{found.pk}", form, reverse(
                "procedure:payment-request", args=[concept.slug, found.application_id, found.number]) + "#release-form")
        # a short page: the sum and yes or back, not the whole form again (decision 0087)
        return _release_page(request, concept, found, confirm=True, total=total, fields=[
            (k, v) for k in request.POST if k not in ("csrfmiddlewaretoken", "confirmed") for v in request.POST.getlist(k)])
    page = reverse("procedure:payment-request", args=[concept.slug, found.application_id, found.number])
    return _posted(request, form, lambda: services.release(request.user, concept, found, **form.values()),
                   refused=lambda exc: _request_refused(request, concept, found, exc), success="",
                   done=page + "?released=1", kept=f"release-{found.pk}", back=page + "#release-form")


def _release_page(request, concept, found, **context):
    """The release's short pages: its question (``confirm``) and, once released, its confirmation."""
    shown = services.request_shown(concept, found)
    return render(request, "procedure/payment_request_release.html", {
        "concept": concept, "app": found.application, "pr": found, "words": services.words_of(concept),
        "requested": shown["requested"], "released": shown["released"], **context})


@access.concept_view("payment_request", "release", methods="POST", **RELEASE)
def payment_request_return(request, concept, application, payment_request):
    found = services.request_of(request.user, concept, application, payment_request)
    form = ReturnForm(request.POST)
    page = reverse("procedure:payment-request", args=[concept.slug, found.application_id, found.number])
    return _posted(request, form, lambda: services.return_request(request.user, concept, found,
                                                                  reason=form.cleaned_data["reason"]),
                   refused=lambda exc: _request_refused(request, concept, found, exc),
                   success=_("Mittelabruf Nr. %(number)s wurde an die Stadt zurückgegeben.") % {"number": found.number},
                   done=page, kept=f"return-{found.pk}", back=page + "#return-form")


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def proof(request, concept, application):
    return _proof_page(request, concept, services.application_of(request.user, concept, application))


def _proof_page(request, concept, app, confirm_accept=False):
    try:
        found = services.proof_of(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    can_edit = services.can_edit_proof(request.user, concept)
    can_check = services.can_check_proof(request.user, concept, app)
    last = found["submission"]
    refusal = services.proof_submit_refusal(found) if can_edit else ""
    pending = last is not None and last.state == "submitted"
    closed = last is not None and last.closes  # an accepted interim proof leaves room for the next (0085)
    return render(request, "procedure/proof.html", {
        "concept": concept, "app": app, **found, "can_check": can_check and not closed,
        "can_answer": can_edit and not closed, "can_submit": can_edit and not refusal, "submit_refusal": refusal,
        "submit_form": (_kept(request, f"proof-submit-{app.pk}", ProofSubmitForm) or ProofSubmitForm())
        if can_edit and not refusal else None,
        "decide": can_check and pending, "confirm_accept": confirm_accept and can_check and pending,
        "unchecked": found["lines"] - found["checked"],
        "return_form": (_kept(request, f"proof-return-{app.pk}", ProofReturnForm) or ProofReturnForm())
        if can_check and pending else None,
        "interim": services.is_interim(found), "closed": last if closed else None,
        "interim_accepted": last if last is not None and last.state == "accepted" and not last.closes else None})


def _proof_file(request, concept, application, ending: str):
    import tempfile
    from pathlib import Path

    app = services.application_of(request.user, concept, application)
    try:
        services.proof_of(request.user, concept, app)
    except ValidationError as exc:
        return _refused(request, concept, app, exc)
    with tempfile.TemporaryDirectory(prefix="isek-proof-") as tmp:
        path = Path(tmp) / f"proof.{ending}"
        (services.write_proof_xlsx if ending == "xlsx" else services.write_proof_pdf)(concept, app, path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type=_TYPES[ending])
    response["Content-Disposition"] = (f'attachment; filename="{concept.slug}-verwendungsnachweis-{app.year}-'
                                       f'v{app.version}.{ending}"')
    return response


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def proof_xlsx(request, concept, application):
    return _proof_file(request, concept, application, "xlsx")


@access.concept_view("application", "view", ids=ONE, submitted=services.is_submitted)
def proof_pdf(request, concept, application):
    return _proof_file(request, concept, application, "pdf")


@access.concept_view("proof", "check", methods="POST", **REVIEW)
def proof_check(request, concept, application):
    app = services.application_of(request.user, concept, application)
    key = request.POST.get("key", "")
    try:
        services.check_proof_line(request.user, concept, app, key=key, state=request.POST.get("state", ""),
                                  remark=request.POST.get("remark", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("procedure:proof", args=[concept.slug, app.pk]) + "#proof-grant")
    messages.success(request, _("Die Prüfung der Zeile wurde gespeichert."))
    return redirect(reverse("procedure:proof", args=[concept.slug, app.pk]) + f"#line-{key}")


# --- the city's answers, the submitted proof of use and the authority's decision (decision 0063) -----


def _after_error(request, name: str, form, url: str):
    """Post/redirect/get for a form posted to an action's URL: what was typed and what is wrong
    with it are kept in the session for the next showing of the page the form belongs to, and the
    browser goes there – a reload shows that page again, it does not post the form again."""
    request.session[f"isek-form-{name}"] = {
        "data": {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"},
        "errors": {f: [str(e) for e in errors] for f, errors in form.errors.items()}}
    return redirect(url)


def _posted(request, form, act, *, refused, success, done: str, kept: str, back: str):
    """The shape of a form posted to an action's URL: valid → ``act()`` (the service); refused as a
    whole → ``refused(exc)``; refused at fields → the errors onto the form; done → ``success`` (a
    message, or a function of what ``act`` returned) and to ``done``; else the form and its errors
    kept for the page at ``back`` (``_after_error``: post/redirect/get)."""
    if form.is_valid():
        try:
            result = act()
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return refused(exc)
            add_errors(form, exc)
        else:
            if success:  # "": the page it goes to says it (the release's confirmation)
                messages.success(request, success(result) if callable(success) else success)
            return redirect(done)
    return _after_error(request, kept, form, back)


def _kept(request, name: str, make):
    """The form ``name`` as ``_after_error`` kept it (bound, with its errors), once; else None."""
    kept = request.session.pop(f"isek-form-{name}", None)
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    form = make(data)
    form.is_valid()
    for field, errors in kept["errors"].items():
        new = [e for e in errors if e not in form.errors.get(field, [])]
        if new:
            form.add_error(None if field == NON_FIELD_ERRORS else field, new)
    return form


def _proof_url(concept, app, anchor: str = "") -> str:
    return reverse("procedure:proof", args=[concept.slug, app.pk]) + (f"#{anchor}" if anchor else "")


@access.concept_view("proof", "edit", methods="POST", ids=ONE)
def proof_answer(request, concept, application):
    app = services.application_of(request.user, concept, application)
    key = request.POST.get("key", "")
    try:
        services.answer_query(request.user, concept, app, key=key, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_proof_url(concept, app, f"line-{key}" if key else "proof-queries"))
    messages.success(request, _("Die Antwort wurde gespeichert; die Bewilligungsbehörde sieht sie bei ihrer Rückfrage."))
    return redirect(_proof_url(concept, app, f"line-{key}"))


@access.concept_view("proof", "edit", methods="POST", ids=ONE)
def proof_submit(request, concept, application):
    app = services.application_of(request.user, concept, application)
    form = ProofSubmitForm(request.POST)
    return _posted(request, form, lambda: services.submit_proof(request.user, concept, app, **form.cleaned_data),
                   refused=lambda exc: _proof_refused(request, concept, app, exc),
                   success=lambda found: _("Der Verwendungsnachweis (Version %(version)s) wurde eingereicht.") % {
                       "version": found.version},
                   done=_proof_url(concept, app, "proof-state"), kept=f"proof-submit-{app.pk}",
                   back=_proof_url(concept, app, "proof-submit-form"))


@confirm_step("proof", "check", **REVIEW)
def proof_accept(request, concept, application):
    app = services.application_of(request.user, concept, application)
    if request.method != "POST":
        return redirect(_proof_url(concept, app, "proof-state"))
    if request.POST.get("confirmed") != "1":  # the first press asks, naming the lines not checked
        return _proof_page(request, concept, app, confirm_accept=True)
    try:
        accepted = services.accept_proof(request.user, concept, app)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Der Verwendungsnachweis ist geprüft und abgeschlossen.") if accepted.closes else
                         _("Der Zwischennachweis ist angenommen; der nächste Nachweis umfasst alle Ausgaben bis dahin."))
    return redirect(_proof_url(concept, app, "proof-state"))


@access.concept_view("proof", "check", methods="POST", **REVIEW)
def proof_return(request, concept, application):
    app = services.application_of(request.user, concept, application)
    form = ProofReturnForm(request.POST)
    return _posted(request, form, lambda: services.return_proof(request.user, concept, app, reason=form.cleaned_data["reason"]),
                   refused=lambda exc: _proof_refused(request, concept, app, exc),
                   success=_("Der Verwendungsnachweis wurde an die Stadt zurückgegeben."),
                   done=_proof_url(concept, app, "proof-state"), kept=f"proof-return-{app.pk}",
                   back=_proof_url(concept, app, "proof-return-form"))


def _proof_refused(request, concept, app, exc):
    """A step of the proof of use refused as a whole: the reason at the top of the proof's state."""
    messages.error(request, " ".join(exc.messages))
    return redirect(_proof_url(concept, app, "proof-state"))


@access.concept_view("application", "view", ids=ONE | {"proof_document": "proof_document"},
                     submitted=services.is_submitted)
def proof_document(request, concept, application, proof_document):
    return _download(lambda: services.proof_document_of(request.user, concept, application, proof_document))
