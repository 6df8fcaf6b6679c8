"""The funding procedure's application layer: the city's application for a programme year – a
draft assembled from a frozen KuF version and the council decision, then submitted with its
documents (ISEK, fact sheets, KuF), figures and readiness, never to change again (decision 0053) –
for the pages, the API and the demo.

Writes take the acting user, ask the access policy (``("application", "edit")``; reading
``("application", "view")``, which opens to the district's funding authority only what was
submitted), run in one transaction and are recorded (``core.audit.change``); broken rules raise
``ValidationError`` with a code and the field it concerns, and change nothing.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import json
import tempfile
from pathlib import Path

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isek import access
from isek.core import jobs as core_jobs
from isek.core import numbers, throttle
from isek.core.audit import change
from isek.core.problems import InputError
from isek.core.rules import invalid
from isek.finance import services as finance
from isek.monitoring import services as monitoring

from . import difference as diff
from . import jobs, mail
from .models import (
    BEING_SUBMITTED,
    SUBMITTED_CANNOT_CHANGE,
    Application,
    Approval,
    Document,
    DocumentJob,
    PaymentRequest,
    PaymentRequestItem,
    PaymentRequestLine,
    ProofCheck,
    ProofDocument,
    ProofEntry,
    ProofSubmission,
    Remark,
)

SUBMITTED, SENT = Application.State.SUBMITTED, Application.SENT
SUBMITTING, DRAFT = Application.State.SUBMITTING, Application.State.DRAFT
FIGURES = ("cost", "eligible", *finance.SOURCES)  # the figures an application keeps, in the order shown
# --- reading -------------------------------------------------------------------------------------


def has_submitted(concept) -> bool:
    """Has the concept's city submitted any application (what opens its list to the authority)?"""
    return Application.objects.filter(concept=concept, state__in=SENT).exists()


def is_submitted(concept, application, document=None, remark=None, proof_document=None) -> bool:
    """Is the application with the id ``application`` one of the concept's and submitted (the
    document's, remark's or proof document's id in the URL is the view's to check)?"""
    return Application.objects.filter(concept=concept, pk=application, state__in=SENT).exists()


def applications_of(user, concept) -> list[Application]:
    """The concept's applications ``user`` may see, newest year and version first: all for the
    city's people, the submitted ones for the district's funding authority."""
    access.require(user, "application", "view", concept, submitted=has_submitted)
    found = concept.applications.select_related("finance_version", "submitted_by", "document_job")
    if not access.allows(user, "application", "view", concept):
        found = found.filter(state__in=SENT)
    found = list(found)
    newest: dict[int, int] = {}  # per year, the newest submitted version: it supersedes the older ones
    for a in found:
        if a.state in SENT:
            newest[a.year] = max(newest.get(a.year, 0), a.version)
    in_force = approvals_in_force(found)
    for a in found:
        a.superseded_by = newest[a.year] if a.state in SENT and newest.get(a.year, 0) > a.version else None
        kept = in_force.get((a.concept_id, a.year))
        # the approved version whose Bescheid stands beside a newer one, and the newer versions beside it
        a.keeps_approval = kept if kept and kept["application"].pk == a.pk and a.superseded_by else None
        a.approval_in_force = kept if kept and kept["application"].version < a.version else None
    return found


def approvals_in_force(applications) -> dict[tuple[int, int], dict]:
    """Per (concept id, programme year) of ``applications``: the approval in force for that year –
    the newest approval of its newest approved version – as {"application", "approval", "grant"
    (approved federal and Land share, Decimal)}. A newer version submitted after it does not end
    it: the Bescheid stands until the authority decides on the new version. One query; "named" (a
    callable, for the pages: read only where shown) names it with the Bescheide it amends
    (``bescheid_named``: "Zuwendungsbescheid A vom …, geändert durch Änderungsbescheid B vom …")."""
    keys = {(a.concept_id, a.year) for a in applications}
    if not keys:
        return {}
    which = Q(pk__in=[])
    for concept_id, year in keys:
        which |= Q(application__concept_id=concept_id, application__year=year)
    found = {}
    for approval in (Approval.objects.filter(which, application__state=APPROVED).select_related("application")
                     .order_by("application__version", "created_at", "id")):
        found[(approval.application.concept_id, approval.application.year)] = approval
    return {k: {"application": a.application, "approval": a, "named": functools.partial(bescheid_named, a),
                "grant": sum((decimal.Decimal(x["approved"]) for x in a.lines if x["source"] in GRANT), ZERO)}
            for k, a in found.items()}


def application_of(user, concept, pk) -> Application:
    """The concept's application ``pk`` if ``user`` may see it (Http404 where there is none)."""
    found = Application.objects.filter(concept=concept, pk=pk).select_related("finance_version", "submitted_by").first()
    access.require(user, "application", "view", concept, submitted=found is not None and found.is_submitted)
    if found is None:
        raise Http404
    return found


def document_of(user, concept, application_pk, pk) -> Document:
    """A document of a submitted application, for whoever may see the application; refused
    (ValidationError) where its bytes no longer match the SHA-256 kept when it was submitted."""
    found = application_of(user, concept, application_pk).documents.filter(pk=pk).first()
    if found is None:
        raise Http404
    if not found.intact:
        raise invalid(_("Die Datei stimmt nicht mehr mit der beim Einreichen gespeicherten Prüfsumme überein "
                        "und wird nicht ausgeliefert."), "altered")
    return found


def can_edit(user, concept) -> bool:
    return access.allows(user, "application", "edit", concept)


def previous_of(application: Application) -> Application | None:
    """The version submitted before ``application`` for the same programme year."""
    return (Application.objects.filter(concept_id=application.concept_id, year=application.year, state__in=SENT,
                                       version__lt=application.version).order_by("-version").first())


def difference_of(application: Application) -> tuple[Application, diff.Difference] | None:
    """(the previous version, what changed since) for a submitted application that has one."""
    previous = previous_of(application)
    if previous is None or not application.is_submitted:
        return None
    return previous, diff.difference(previous.snapshot, application.snapshot, FIGURES)


def words_of(concept) -> dict[str, str]:
    """How the pages, the PDF and the mails name the concept's application in its Land:
    "application", "applications", "decision_date" (Bayern: Bedarfsmitteilung; decision 0087)."""
    return finance.application_words(concept)


def words_of_authority(authority) -> dict[str, str]:
    """``words_of`` for the Land of a funding authority (its portfolio)."""
    return finance.application_words_of_land(authority.land)


def figure_labels(concept) -> dict[str, str]:
    return {"cost": _("Kosten"), "eligible": _("förderfähig"), "grant": _("Förderung (Bund und Land)"),
            **finance.source_labels(concept)}


def sums_by_year(*snapshots: dict) -> tuple[list[str], list[dict]]:
    """(the figures' keys, one row per year with their sums over all measures, grant included) of
    what the snapshots of one or more submitted applications hold; the figures that carry no money
    are left out."""
    rows = diff.sums(*snapshots, order=FIGURES)
    for values in rows.values():
        values["grant"] = values["bund"] + values["land"]
    order = ["cost", "eligible", "grant", *finance.SOURCES]
    shown = [w for w in order if w in ("cost", "eligible", "grant") or any(v[w] for v in rows.values())]
    return shown, [{"year": y, "values": [v[w] for w in shown]} for y, v in rows.items()]


def requested_part(snapshot: dict, year: int, taken=None) -> dict:
    """What an application for programme year ``year`` requests of its ``snapshot`` – the frozen KuF
    as submitted, every year of the concept –: the figures (and the kept sums, where it has them)
    of ``year`` and the years after (decision 0058, amended): a programme year's Zuwendungsbescheid
    grants money for that year and the following ones; earlier years were decided by earlier ones.
    ``taken``: the lines (measure, year, source) another application's approval granted first
    (``approved_elsewhere``): not requested again – their grant figure is left out, and so are the
    other figures (cost, eligible cost, other sources) of that measure and year, which that
    application counts (decision 0058, amended: overlapping applications)."""
    taken = set(taken or ())
    pairs = {k[:2] for k in taken}  # of (measure, year, source) and (measure, year) keys: see ``_granted``

    def requested(f) -> bool:
        key = (f["measure"], int(f["year"]))
        return int(f["year"]) >= year and ((*key, f["what"]) not in taken if f["what"] in GRANT else key not in pairs)

    part = {"figures": [f for f in snapshot.get("figures", []) if requested(f)]}
    if snapshot.get("sums") is not None and not taken:
        part["sums"] = {y: row for y, row in snapshot["sums"].items() if int(y) >= year}
    return part


def _granted(concept_ids) -> dict[int, dict[tuple[str, int, str], dict]]:
    """Per concept: per line (measure, year, source) an approval in force grants money for (more
    than 0), who granted it first – {"application" (id), "year" (its programme year), "approval"
    (the approval in force, whose Bescheid the city's financing line cites)}: of the newest approved
    version of each programme year, the one whose first approval is the oldest. Per (measure, year)
    that such an application requested (any figure of its programme year or later), the same: its
    costs and other sources count with it."""
    newest: dict[tuple[int, int], int] = {}
    for pk, concept_id, year in (Application.objects.filter(concept_id__in=concept_ids, state=APPROVED,
                                                            approvals__isnull=False).distinct()
                                 .order_by("concept_id", "year", "-version").values_list("pk", "concept_id", "year")):
        newest.setdefault((concept_id, year), pk)
    of = {pk: key for key, pk in newest.items()}
    first: dict[int, Approval] = {}
    in_force: dict[int, Approval] = {}
    for approval in Approval.objects.filter(application_id__in=list(of)).order_by("created_at", "id"):
        first.setdefault(approval.application_id, approval)
        in_force[approval.application_id] = approval  # the newest amends all before it
    snapshots = dict(Application.objects.filter(pk__in=list(in_force)).values_list("pk", "snapshot"))
    owners: dict[int, dict] = {}
    for pk in sorted(in_force, key=lambda p: (first[p].created_at, first[p].id)):
        concept_id, year = of[pk]
        lines, owner = owners.setdefault(concept_id, {}), {"application": pk, "year": year, "approval": in_force[pk]}
        for line in in_force[pk].lines:
            if line["source"] in GRANT and _decided(line):
                lines.setdefault((line["measure"], int(line["year"]), line["source"]), owner)
        for f in (snapshots.get(pk) or {}).get("figures", []):
            if int(f["year"]) >= year:
                lines.setdefault((f["measure"], int(f["year"])), owner)
    return owners


def _decided(line: dict) -> bool:
    """Whether an approval's line decided the money of its measure, year and source: it grants more
    than 0, or it grants 0 of a requested amount – a cut to nothing is a decision too, which a later
    application does not request again and no payment request asks for (decision 0072, amending
    0058's "a line approved at 0 is not held")."""
    approved = decimal.Decimal(line["approved"])
    return approved > 0 or decimal.Decimal(line.get("requested") or 0) > 0


def zero_lines(application: Application) -> dict[tuple[str, int, str], Approval]:
    """The grant lines (measure, year, source) decided at 0 € for ``application``: by its approval
    in force (a requested amount cut to 0) or by another application's that holds the line first
    (``approved_elsewhere``) – with that approval. A payment request for them is refused by name."""
    found = {k: a for k, a in approved_elsewhere(application).items()
             if any(_line_key(x) == k and not decimal.Decimal(x["approved"]) for x in a.lines)}
    current = current_approval(application)
    for line in current.lines if current else []:
        if line["source"] in GRANT and _decided(line) and not decimal.Decimal(line["approved"]):
            found.setdefault(_line_key(line), current)
    return found


def _line_key(line: dict) -> tuple[str, int, str]:
    return line["measure"], int(line["year"]), line["source"]


def _elsewhere(application: Application, owners: dict, pairs: bool = True) -> dict[tuple, Approval]:
    """Of ``owners`` (``_granted``): what another application of another programme year holds
    first – lines (measure, year, source) and, with ``pairs``, (measure, year)."""
    return {k: o["approval"] for k, o in owners.get(application.concept_id, {}).items()
            if o["application"] != application.pk and o["year"] != application.year and (pairs or len(k) == 3)}


def approved_elsewhere(application: Application) -> dict[tuple[str, int, str], Approval]:
    """The lines (measure, year, source) of ``application``'s concept that an approval in force of
    another of its applications (another programme year) granted first, with that approval: they
    are not requested again nor approvable again by ``application`` (decision 0058, amended)."""
    return _elsewhere(application, _granted([application.concept_id]), pairs=False)


def _day(day: datetime.date) -> str:
    """A date as the active language writes it short: "07.12.2026", "7 Dec 2026" (issue 23: an English
    page said "07.12.2026")."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def bescheid(approval: Approval) -> str:
    """An approval as the city's financing line cites it: "Zuwendungsbescheid … vom …" (in the active
    language: "Approval … of …" on an English page)."""
    return _("Zuwendungsbescheid %(number)s vom %(date)s") % {"number": approval.file_number,
                                                               "date": _day(approval.decided_on)}


def bescheid_named(approval: Approval) -> str:
    """An approval named as the proof of use and the city's financing name it: the original
    Zuwendungsbescheid, and for an amendment the amendments up to it ("Zuwendungsbescheid A vom …,
    geändert durch Änderungsbescheid B vom …")."""
    chain = [approval]
    while chain[-1].amends_id is not None:
        chain.append(chain[-1].amends)
    chain.reverse()
    if len(chain) == 1:
        return bescheid(approval)
    return _("%(original)s, geändert durch %(amendments)s") % {"original": bescheid(chain[0]), "amendments": ", ".join(
        _("Änderungsbescheid %(number)s vom %(date)s") % {"number": a.file_number,
                                                          "date": _day(a.decided_on)} for a in chain[1:])}


def already_approved(concept, application: Application) -> list[dict]:
    """The lines of ``application``'s requested years that another application's approval granted
    first (``approved_elsewhere``), as the application's page marks them: "key", "label", "year",
    "source_label", "amount" (of the snapshot, Decimal), "approval" (its Bescheid: ``bescheid_named``)."""
    taken = approved_elsewhere(application)
    if not taken:
        return []
    labels, sources = _labels(application), finance.source_labels(concept)
    rank = {s: i for i, s in enumerate(GRANT)}
    amounts = {(f["measure"], int(f["year"]), f["what"]): decimal.Decimal(f["amount"])
               for f in application.snapshot.get("figures", []) if f["what"] in GRANT}
    keys = sorted((k for k in taken if k in amounts and k[1] >= application.year),
                  key=lambda k: (diff._order(k[0], labels), k[1], rank[k[2]]))
    return [{"key": f"{m}-{y}-{w}", "label": labels.get(m, m), "year": y, "source_label": sources.get(w, w),
             "amount": amounts[(m, y, w)], "approval": bescheid_named(taken[(m, y, w)]),  # an amendment with its original
             "zero": not any(_line_key(x) == (m, y, w) and decimal.Decimal(x["approved"]) for x in taken[(m, y, w)].lines)}
            for m, y, w in keys]


def plan_differs(concept, version) -> bool:
    """Does the current KuF differ from the frozen ``version`` (the ISEK and the fact sheets show
    the current plan)?"""
    return bool(finance.compare(concept, version, None)[0])


def readiness_now(concept, application: Application | None = None) -> dict:
    """The readiness check of today, in the language of the page; of ``application``'s draft: with
    its date of the council decision."""
    return monitoring.readiness_result(concept, translation.get_language() or "de",
                                       council_decision=application.council_decision if application else None)


def previous_version(concept, year) -> Application | None:
    """The newest application of ``year`` (a number or its text; None for anything else): what a
    new version of that year starts from."""
    year = str(year or "")
    if not (year.isascii() and year.isdigit() and len(year) == 4):
        return None
    return concept.applications.filter(year=int(year)).order_by("-version").first()


def versions_of(concept):
    """The concept's frozen KuF versions, newest first (the form's choice)."""
    return finance.FinanceVersion.objects.filter(concept=concept).order_by("-created_at", "-id")


# --- writing -------------------------------------------------------------------------------------


def no_authority(concept) -> str:
    """Why ``concept``'s city cannot submit: no funding authority's district holds its AGS (an
    application would reach nobody, decision 0085); "" where one does."""
    from isek.concepts.services import authority_of

    city = concept.city
    if authority_of(city) is not None:
        return ""
    return _("Für %(city)s ist in isek keine Bewilligungsbehörde eingerichtet (AGS %(ags)s). Die Administration "
             "der Installation richtet sie unter „Bewilligungsbehörden“ (%(url)s) ein; bis dahin lässt sich kein "
             "Antrag einreichen.") % {"city": city.name, "ags": city.ags, "url": reverse("authority-list")}


def nothing_requested(concept, application: Application, kept: dict | None = None) -> str:
    """Why ``application`` requests no grant at all ("" where it requests some): every line of the
    Städtebauförderung (Bund, Land) from its programme year on is 0 € or approved already by another
    year's approval, at least one of them approved (decision 0085). ``kept``: its snapshot, where
    computed already."""
    kept = kept if kept is not None else snapshot(concept, application)
    taken = approved_elsewhere(application)
    lines = {(f["measure"], int(f["year"]), f["what"]): decimal.Decimal(f["amount"]) for f in kept.get("figures", [])
             if f["what"] in GRANT and int(f["year"]) >= application.year}
    # a KuF without grant lines at all is the readiness check's (its measures' financing), not refused here
    if not set(lines) & set(taken) or any(amount and key not in taken for key, amount in lines.items()):
        return ""
    return _("Dieser Antrag beantragt keine Zuwendung: Jede Zeile der Städtebauförderung (Bund, Land) ab %(year)s "
             "ist 0 € oder schon bewilligt. Nehmen Sie die beantragten Beträge in die KuF auf, frieren Sie sie ein "
             "und wählen Sie diese KuF-Version im Entwurf.") % {"year": application.year}


def _refuse_submitted(application: Application) -> None:
    """Refuse changing a submitted application, or one being submitted (frozen at the click)."""
    stored = Application.objects.filter(pk=application.pk).values_list("state", flat=True).first() \
        if application.pk is not None else None
    if stored == SUBMITTING:
        raise invalid(str(BEING_SUBMITTED), "submitting")
    if stored in SENT:
        raise invalid(str(SUBMITTED_CANNOT_CHANGE), "submitted")


def _problems(concept, year, council_decision, finance_version, freeze_as: str, application) -> dict:
    """{field: message} of what is wrong with a draft's values."""
    errors = {}
    if year is None:
        errors["year"] = _("Bitte das Programmjahr angeben.")
    elif not concept.start_year <= year <= concept.end_year:
        errors["year"] = _("Das Programmjahr muss in der Laufzeit des Konzepts liegen (%(start)s–%(end)s).") % {
            "start": concept.start_year, "end": concept.end_year}
        if year > concept.end_year:  # say how to get there (decision 0065)
            errors["year"] += " " + _("Für %(year)s verlängern Sie zuerst die Laufzeit unter „Konzept bearbeiten“ "
                                      "(Feld „Ende (Jahr)“).") % {"year": year}
    elif (year < timezone.localdate().year  # walk 23d: 2025 was submitted in December 2026
          and getattr(application, "year", None) != year  # a draft of that year made before stays submittable
          and not concept.applications.filter(year=year, state__in=SENT).exists()):  # a next version answers one
        errors["year"] = _("Das Programmjahr %(year)s ist vergangen: ein Antrag gilt dem laufenden Jahr (%(now)s) oder "
                           "einem kommenden.") % {"year": year, "now": timezone.localdate().year}
    else:
        draft = concept.applications.filter(year=year).exclude(state__in=SENT).exclude(
            pk=getattr(application, "pk", None)).first()
        if draft is not None and draft.state == SUBMITTING:
            errors["year"] = _("Version %(version)s für %(year)s wird gerade eingereicht (die Dokumente werden "
                               "erstellt); eine neue Version lässt sich danach anlegen.") % {
                "year": year, "version": draft.version}
        elif draft is not None:
            errors["year"] = _("Für %(year)s gibt es schon einen Entwurf (Version %(version)s); bitte diesen bearbeiten.") % {
                "year": year, "version": draft.version}
    if council_decision is None:
        errors["council_decision"] = _("Bitte das Datum des Ratsbeschlusses angeben.")
    elif council_decision > timezone.localdate():
        errors["council_decision"] = _("Das Datum des Ratsbeschlusses darf nicht in der Zukunft liegen.")
    if finance_version is not None and freeze_as:
        errors["freeze_as"] = _("Bitte entweder eine eingefrorene KuF-Version wählen oder einen Namen für eine neue "
                                "angeben, nicht beides.")
    elif finance_version is None and not freeze_as:
        errors["finance_version"] = _("Bitte eine eingefrorene KuF-Version wählen oder die KuF jetzt einfrieren "
                                      "(Name angeben).")
    elif finance_version is not None and finance_version.concept_id != concept.pk:
        errors["finance_version"] = _("Diese KuF-Version gehört zu einem anderen Konzept.")
    return errors


def save_draft(user, concept, *, year: int | None, council_decision: datetime.date | None, finance_version=None,
               freeze_as: str = "", note: str = "", application: Application | None = None,
               via: str = "web") -> Application:
    """Assemble a draft application for programme year ``year`` (or change ``application``, a
    draft): a frozen KuF version – ``finance_version`` or the current plan frozen now as
    ``freeze_as`` –, the date of the council decision, a note. A new draft of a year that has
    submitted versions is the next version."""
    access.require(user, "application", "edit", concept)
    if application is not None:
        if application.concept_id != concept.pk:
            raise Http404
        _refuse_submitted(application)
    freeze_as = (freeze_as or "").strip()
    if errors := _problems(concept, year, council_decision, finance_version, freeze_as, application):
        raise ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})
    with change(user, via):
        if freeze_as:
            kind = "update" if has_submitted(concept) else "first_application"
            try:
                finance_version = finance.freeze_version(user, concept, freeze_as, kind, via=via)
            except ValidationError as exc:
                raise invalid(" ".join(exc.messages), "duplicate_version", "freeze_as") from None
        if application is None:
            latest = concept.applications.filter(year=year).aggregate(n=Max("version"))["n"] or 0
            application = Application(concept=concept, version=latest + 1, created_by=None if user.pk is None else user)
        application.year, application.council_decision = year, council_decision
        application.finance_version, application.note = finance_version, note or ""
        application.save()
    return application


def snapshot(concept, application: Application) -> dict:
    """What an application keeps of the day it is submitted: its frozen KuF's figures per measure,
    year and figure (cost, eligible cost, each source; amounts as text), the measures, the
    readiness check, the council decision, and whether the current plan differed from the KuF."""
    version = application.finance_version
    result = finance.version_result(version)
    figures = []
    for (measure, year), cell in sorted(result.cells.items()):
        for what, amount in (("cost", cell.cost), ("eligible", cell.eligible), *sorted(cell.sources.items())):
            if amount:
                figures.append({"measure": measure, "year": year, "what": what, "amount": str(amount)})
    kept = {"kuf_version": version.name, "kuf_frozen_at": version.created_at.isoformat(),
            "council_decision": application.council_decision.isoformat(),
            "measures": [{"key": m.key, "number": m.number, "title": m.title} for m in result.measures],
            "figures": figures,
            "readiness": monitoring.readiness_result(concept, council_decision=application.council_decision),
            "current_plan_differs": plan_differs(concept, version)}
    kept["sums"] = diff.totals(kept, FIGURES)  # per year and figure: what the authority's portfolio adds up
    return kept


def submit(user, concept, application: Application, *, via: str = "web") -> Application:
    """Submit a draft to the funding authority. In the request the application is frozen – its
    figures, measures and readiness kept as a snapshot, the state "wird eingereicht" – and its
    documents job queued (procedure.jobs): the job writes the documents, keeps them as bytes with
    their SHA-256 and then moves the application to "eingereicht", which the authority sees (decision
    0079). From the click on nothing of it changes; a second submission is refused."""
    access.require(user, "application", "edit", concept)
    if application.concept_id != concept.pk:
        raise Http404
    _refuse_submitted(application)
    if errors := _problems(concept, application.year, application.council_decision, application.finance_version, "",
                           application):
        raise ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})
    if reason := no_authority(concept):  # it would reach nobody (decision 0085)
        raise invalid(reason, "no_authority")
    kept = snapshot(concept, application)
    if reason := nothing_requested(concept, application, kept):  # a 0 € application (decision 0085)
        raise invalid(reason, "nothing_requested")
    try:
        with change(user, via):
            # frozen once: a second request (double click, another person) finds it no longer a draft
            if not Application.objects.select_for_update().filter(pk=application.pk, state=DRAFT).exists():
                raise IntegrityError
            application.state, application.submitted_at = SUBMITTING, timezone.now()
            application.submitted_by, application.snapshot = (None if user.pk is None else user), kept
            application.save()
            jobs.start(application, user)
    except IntegrityError:  # submitted meanwhile by someone else
        application.refresh_from_db()
        raise invalid(str(BEING_SUBMITTED if application.state == SUBMITTING else SUBMITTED_CANNOT_CHANGE),
                      "submitted") from None
    return application


def documents_job(application: Application) -> DocumentJob | None:
    """The job writing (or that wrote) ``application``'s documents as its page shows it (a job
    whose worker died is failed first: core.jobs.current); None for one submitted before the
    documents were a job, or a draft."""
    found = DocumentJob.objects.filter(application=application).first()
    return core_jobs.current(found)


def retry_documents(user, concept, application: Application, *, via: str = "web") -> DocumentJob:
    """Start the failed documents job of an application being submitted again (whoever may edit
    the concept's applications; the documents are written as they would have been). Refused for
    any other: a running or finished job, a draft, a sent application."""
    access.require(user, "application", "edit", concept)
    if application.concept_id != concept.pk:
        raise Http404
    found = documents_job(application)
    if found is None or not Application.objects.filter(pk=application.pk, state=SUBMITTING).exists():
        raise invalid(_("Dieser Antrag wird nicht eingereicht; es gibt keine Dokumente zu erstellen."), "not_submitting")
    with change(user, via):
        DocumentJob.objects.filter(pk=found.pk).update(created_by=None if user.pk is None else user)
        core_jobs.retry_job(found, lambda: jobs.write_documents.enqueue(found.pk))
    found.refresh_from_db()
    return found


def finish_submission(application: Application) -> Application:
    """Run ``application``'s queued documents job here, in this process (the demo loads its
    applications before its worker starts; tests do as the worker): the application as it then
    is. Refused with the job's message where the documents could not be written."""
    found = DocumentJob.objects.get(application=application)
    jobs.execute(found, beat=False)
    found.refresh_from_db()
    application.refresh_from_db()
    if application.state != SUBMITTED:
        raise invalid(found.shown_message or _("Die Dokumente wurden nicht erstellt."), "documents")
    return application


def submit_new(user, concept, *, kuf_version: str = "", via: str = "api", **values) -> Application:
    """Assemble and submit in one step (the API): the draft of ``save_draft``'s ``values``, with
    the frozen KuF version named ``kuf_version``, submitted at once – or nothing where either is refused."""
    version = None
    if kuf_version:
        version = versions_of(concept).filter(name=kuf_version).first()
        if version is None:
            raise invalid(_("Eine KuF-Version „%(name)s“ gibt es in diesem Konzept nicht.") % {"name": kuf_version},
                          "unknown_version", "kuf_version")
    try:
        with transaction.atomic():
            return submit(user, concept, save_draft(user, concept, finance_version=version, via=via, **values), via=via)
    except ValidationError as exc:  # the API names the version by its name, "kuf_version"
        if hasattr(exc, "error_dict") and "finance_version" in exc.error_dict:
            exc.error_dict["kuf_version"] = exc.error_dict.pop("finance_version")
        raise


def delete_draft(user, concept, application: Application, *, via: str = "web") -> None:
    """Delete a draft; a submitted application is refused and stays."""
    access.require(user, "application", "edit", concept)
    if application.concept_id != concept.pk:
        raise Http404
    _refuse_submitted(application)
    with change(user, via):
        application.delete()


# --- the authority's review (issue #23 point 3, decision 0056) ------------------------------------

REVIEW, CHANGES, APPROVED = Application.State.REVIEW, Application.State.CHANGES, Application.State.APPROVED
OPEN, ANSWERED, CLOSED = Remark.State.OPEN, Remark.State.ANSWERED, Remark.State.CLOSED
# Every move of a submitted application's state: (action, from) -> to. Nothing else moves it.
TRANSITIONS = {
    ("review", SUBMITTED): REVIEW,  # the authority starts its review
    ("request", SUBMITTED): CHANGES,  # a change request (Nachforderung) is opened
    ("request", REVIEW): CHANGES,
    ("request", CHANGES): CHANGES,
    ("resume", CHANGES): REVIEW,  # the authority has closed the version's last change request
    ("approve", REVIEW): APPROVED,  # the authority's approval (Zuwendungsbescheid, decision 0058)
    ("amend", APPROVED): APPROVED,  # an amending approval (Änderungsbescheid)
}


def _refusal(action: str, application: Application) -> str:
    state = application.get_state_display()
    if action == "approve":
        return _("Bewilligen lässt sich nur ein Antrag in Prüfung; dieser ist „%(state)s“.") % {"state": state}
    if action == "amend":
        return _("Ein Änderungsbescheid setzt einen Zuwendungsbescheid voraus; dieser Antrag ist „%(state)s“.") % {
            "state": state}
    if action == "review":
        return _("Die Prüfung kann nur bei einem eingereichten Antrag beginnen; dieser ist „%(state)s“.") % {"state": state}
    return _("Das ist bei einem Antrag im Stand „%(state)s“ nicht möglich.") % {"state": state}


def move(application: Application, action: str) -> Application:
    """Move a submitted application by ``action`` (``TRANSITIONS``), inside the caller's recorded
    change; refused (ValidationError, nothing changed) where the table has no such move."""
    current = Application.objects.filter(pk=application.pk).values_list("state", flat=True).first()
    target = TRANSITIONS.get((action, current))
    if target is None:
        application.state = current or application.state
        raise invalid(_refusal(action, application), "state")
    if target != current:
        application.state = target
        application.save(update_fields=["state"])
    return application


def state_change(application: Application) -> dict:
    """Who set ``application``'s state, and when ("at", "by": a user name): the newest change of its
    state in the change history – the authority's for review, change request and approval, the
    planner's for the submission; the submission's fields where the history holds none."""
    from isek.core.models import ChangeRecord

    record = (ChangeRecord.objects.filter(model=Application._meta.label, object_id=str(application.pk),
                                          changes__has_key="state").order_by("-timestamp", "-id").first())
    if record is not None:
        return {"at": record.timestamp, "by": record.user.get_username() if record.user else record.actor}
    return {"at": application.submitted_at,
            "by": application.submitted_by.get_username() if application.submitted_by else "isek"}


def can_review(user, concept, application: Application) -> bool:
    return access.allows(user, "application", "review", concept, submitted=application.is_submitted)


def newer_of(application: Application) -> Application | None:
    """The newest version submitted after ``application`` for the same programme year."""
    return (Application.objects.filter(concept_id=application.concept_id, year=application.year, state__in=SENT,
                                       version__gt=application.version).order_by("-version").first())


def subjects_of(application: Application) -> list[tuple[str, str]]:
    """(key, label) of what a remark may be about: the application as a whole, its council
    decision, its figures, each of its documents and each measure it holds."""
    subjects = [("application", _("den Antrag insgesamt")), ("council_decision", _("den Ratsbeschluss")),
                ("figures", _("die Zahlen (KuF)"))]
    kinds = dict(Document.Kind.choices)
    subjects += [(f"document:{k}", _("Dokument: %(name)s") % {"name": kinds[k]})
                 for k in application.documents.values_list("kind", flat=True)]
    subjects += [(f"measure:{m['key']}", _("Maßnahme %(number)s %(title)s") % m)
                 for m in application.snapshot.get("measures", [])]
    return subjects


def remarks_of(user, concept, application: Application) -> list[Remark]:
    """The remarks on ``application`` (both sides read them: its ``("application", "view")``)."""
    access.require(user, "application", "view", concept, submitted=application.is_submitted)
    return list(application.remarks.select_related("created_by", "closed_by", "answered_by"))


def earlier_remarks(user, concept, application: Application) -> list[Remark]:
    """The remarks made on the earlier versions of ``application``'s programme year – comments and
    change requests alike – that this version did not answer (those are ``requests_answered_by``),
    oldest version first: its page names the version each was made on ("zu Version 1") and whether
    it was answered (issue 23: a comment on version 1 was not to be found on version 2)."""
    access.require(user, "application", "view", concept, submitted=application.is_submitted)
    return list(Remark.objects.filter(application__concept_id=application.concept_id, application__year=application.year,
                                      application__version__lt=application.version)
                .exclude(answered_by=application)
                .select_related("application", "answered_by", "created_by", "closed_by")
                .order_by("application__version", "created_at", "id"))


def requests_answered_by(application: Application) -> list[Remark]:
    """The change requests ``application`` answered (made on earlier versions of its year)."""
    return list(application.answers.select_related("application"))


def _require_review(user, concept, application: Application) -> None:
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "application", "review", concept, submitted=application.is_submitted)


def _refuse_superseded(application: Application) -> None:
    newer = newer_of(application)
    if newer is not None:
        raise invalid(_("Zu dieser Version gibt es eine neuere (Version %(version)s); bitte prüfen Sie diese.")
                      % {"version": newer.version}, "superseded")


def start_review(user, concept, application: Application, *, via: str = "web") -> Application:
    """The authority starts reviewing a submitted application (state "in Prüfung")."""
    _require_review(user, concept, application)
    _refuse_superseded(application)
    with change(user, via):
        return move(application, "review")


def change_request_refusal(application: Application) -> str:
    """Why the authority cannot ask for changes (Nachforderung) on ``application`` now ("" where it
    can): only before its approval – afterwards a comment, or an amending approval."""
    state = Application.objects.filter(pk=application.pk).values_list("state", flat=True).first() or application.state
    if ("request", state) in TRANSITIONS:
        return ""
    return _("Eine Nachforderung ist nur vor dem Bescheid möglich; dieser Antrag ist „%(state)s“. Schreiben Sie eine "
             "Anmerkung.") % {"state": Application.State(state).label}


def form_token() -> str:
    """A fresh one-time token for a form of the procedure (``once=`` of ``add_remark`` and ``approve``):
    a form sent again after going back in the browser is refused instead of saved twice."""
    return throttle.form_token()


def refuse_resent(scope: str, once: str) -> None:
    """Raise ``ValidationError`` (code "resent") where the form of ``scope`` with the one-time token
    ``once`` was saved already."""
    if once and throttle.spent(scope, once):
        raise invalid(_("Dieses Formular war schon gespeichert; das erneute Senden hat nichts geändert."), "resent")


def _spend(scope: str, once: str) -> None:
    if once and not throttle.spend(scope, once):  # sent twice at once: the first request saves it
        raise invalid(_("Dieses Formular war schon gespeichert; das erneute Senden hat nichts geändert."), "resent")


def add_remark(user, concept, application: Application, *, kind: str, about: str = "application", text: str = "",
               via: str = "web", once: str = "") -> Remark:
    """The authority's comment or change request on the newest version of a submitted
    application; a change request puts the application into "Nachforderung". ``once``: the form's
    one-time token (a second save of the same form is refused, code "resent")."""
    refuse_resent(f"remark:{application.pk}", once)
    _require_review(user, concept, application)
    _refuse_superseded(application)
    subjects = dict(subjects_of(application))
    text = (text or "").strip()
    errors = {}
    if kind not in Remark.Kind.values:
        errors["kind"] = _("Bitte wählen Sie, ob es eine Anmerkung oder eine Nachforderung ist.")
    elif kind == Remark.Kind.REQUEST and (why := change_request_refusal(application)):
        errors["kind"] = why
    if about not in subjects:
        errors["about"] = _("Bitte wählen Sie, was der Vermerk betrifft.")
    if not text:
        errors["text"] = _("Bitte geben Sie einen Text ein.")
    elif len(text) > 4000:
        errors["text"] = _("Der Text darf höchstens 4000 Zeichen lang sein.")
    if errors:
        raise ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})
    with change(user, via):
        _spend(f"remark:{application.pk}", once)
        if kind == Remark.Kind.REQUEST:
            move(application, "request")
        remark = Remark.objects.create(application=application, kind=kind, about=about,
                                       about_label=subjects[about], text=text,
                                       created_by=None if user.pk is None else user)
        if kind == Remark.Kind.REQUEST:  # the city's planners hear of it (decision 0087), of a comment too (0094)
            mail.change_requested(application, remark)
        else:
            mail.commented(application, remark)
    return remark


def close_remark(user, concept, remark: Remark, *, via: str = "web") -> Remark:
    """The authority closes a remark (a change request once answered, or withdrawn); when the
    last change request of a version in "Nachforderung" is closed, its review goes on."""
    application = remark.application
    _require_review(user, concept, application)
    if remark.state == CLOSED:
        raise invalid(_("Dieser Vermerk ist schon erledigt."), "closed")
    with change(user, via):
        remark.state, remark.closed_at, remark.closed_by = CLOSED, timezone.now(), None if user.pk is None else user
        remark.save()
        still_open = application.remarks.filter(kind=Remark.Kind.REQUEST).exclude(state=CLOSED).exists()
        if not still_open and Application.objects.filter(pk=application.pk, state=CHANGES).exists():
            move(application, "resume")
    return remark


REPLY_LENGTH = 2000  # characters of the city's answer to a remark


def reply_to_remark(user, concept, application: Application, remark_pk, *, text: str, via: str = "web") -> Remark:
    """The city's answer in words to the authority's remark ``remark_pk`` (a comment or a change
    request) on ``application`` (issue 23): stored under the remark, mailed to the authority's staff;
    a later answer replaces it (the change history keeps each). The remark stays as it is – a change
    request is still answered by a new version and closed by the authority. Refused with a message,
    nothing changed: an empty or too long text, a remark of another application, a closed remark."""
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "application", "edit", concept)
    remark = Remark.objects.filter(pk=remark_pk, application__concept_id=concept.pk).select_related("application").first()
    if remark is None:
        raise Http404
    if remark.application_id != application.pk:
        raise invalid(_("Dieser Vermerk gehört zu Version %(version)s des Antrags, nicht zu dieser; bitte auf "
                        "deren Seite antworten.") % {"version": remark.application.version}, "other_application")
    if remark.state == CLOSED:
        raise invalid(_("Dieser Vermerk ist schon erledigt."), "closed")
    text = (text or "").strip()
    if not text:
        raise invalid(_("Bitte geben Sie eine Antwort ein."), "required", "reply")
    if len(text) > REPLY_LENGTH:
        raise invalid(_("Die Antwort darf höchstens %(n)s Zeichen lang sein (sie hat %(has)s).") % {
            "n": REPLY_LENGTH, "has": len(text)}, "too_long", "reply")
    with change(user, via):
        remark.reply, remark.replied_at = text, timezone.now()
        remark.replied_by = None if user.pk is None else user
        remark.save(update_fields=["reply", "replied_at", "replied_by"])
        mail.remark_replied(application, remark)
    return remark


def remark_of(user, concept, application_pk, pk) -> Remark:
    """A remark of the concept's application, for whoever may see the application."""
    found = application_of(user, concept, application_pk).remarks.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- the approval (Zuwendungsbescheid, issue #23 point 4, decision 0058) ---------------------------

GRANT = ("bund", "land")  # what the funding authority approves: the Städtebauförderung's two parts
CENT = decimal.Decimal("0.01")


def can_approve(user, concept, application: Application) -> bool:
    return access.allows(user, "application", "approve", concept, submitted=application.is_submitted)


def approvals_of(application: Application) -> list[Approval]:
    """The application's approvals, the first and its amendments, oldest first (both sides read them)."""
    return list(application.approvals.select_related("created_by", "amends"))


def approvals_shown(concept, application: Application) -> list[Approval]:
    """``approvals_of`` for the page: each with ``shown``, its lines labelled (measure, source)
    and with the difference of approved and requested (Decimal)."""
    labels = {m["key"]: f"{m['number']} {m['title']}" for m in application.snapshot.get("measures", [])}
    sources = finance.source_labels(concept)
    found = approvals_of(application)
    for approval in found:
        approval.shown = []
        for line in approval.lines:
            requested, approved = decimal.Decimal(line["requested"]), decimal.Decimal(line["approved"])
            approval.shown.append({**line, "key": f"{line['measure']}-{line['year']}-{line['source']}",
                                   "label": labels.get(line["measure"], line["measure"]),
                                   "source_label": sources.get(line["source"], line["source"]),
                                   "requested": requested, "approved": approved, "difference": approved - requested})
    return found


def current_approval(application: Application) -> Approval | None:
    """The approval in force: the newest, which amends all before it."""
    return application.approvals.order_by("-created_at", "-id").first()


def approval_lines(concept, application: Application) -> list[dict]:
    """The lines an approval of ``application`` holds, one per measure, year and grant source its
    snapshot requests – the programme year and the years after (``requested_part``; earlier years
    were decided by earlier approvals) – and per line an approval in force holds (an amendment
    keeps them as they are): "key" (the form's), "measure" (key), "label", "year", "source",
    "source_label", "requested" (Decimal), "approved" – the request, or for an amendment the
    amount in force – and "reason" (for an amendment the reason in force, else "")."""
    labels = {m["key"]: f"{m['number']} {m['title']}" for m in application.snapshot.get("measures", [])}
    sources = finance.source_labels(concept)
    taken = approved_elsewhere(application)  # granted first by another application: not again
    requested = {(f["measure"], int(f["year"]), f["what"]): decimal.Decimal(f["amount"])
                 for f in requested_part(application.snapshot, application.year, taken)["figures"]
                 if f["what"] in GRANT}
    current = current_approval(application)
    in_force, why = {}, {}
    for line in current.lines if current else []:
        key = (line["measure"], int(line["year"]), line["source"])
        if key in taken:  # an approval entered before the overlap was refused: the first approval's line
            continue
        in_force[key], why[key] = decimal.Decimal(line["approved"]), line.get("reason") or ""
        requested.setdefault(key, decimal.Decimal(line["requested"]))  # a line of an earlier year it holds
    rank = {s: i for i, s in enumerate(GRANT)}
    keys = sorted(set(requested) | set(in_force), key=lambda k: (diff._order(k[0], labels), k[1], rank[k[2]]))
    used = _used(application)  # every version's requests: version 1's released money binds version 2's approval
    return [{"key": f"{m}-{y}-{w}", "measure": m, "label": labels.get(m, m), "year": y, "source": w,
             "source_label": sources.get(w, w), "requested": requested.get((m, y, w), diff.ZERO),
             "approved": in_force.get((m, y, w), requested.get((m, y, w), diff.ZERO)),
             "reason": why.get((m, y, w), ""),
             "released": used.get((m, y, w), {}).get("released", diff.ZERO),
             "pending": used.get((m, y, w), {}).get("used", diff.ZERO) - used.get((m, y, w), {}).get("released", diff.ZERO),
             } for m, y, w in keys]


def _amount(text, *, empty: str = "", negative: str = "") -> tuple[decimal.Decimal | None, str]:
    """(the amount, "") of a typed figure in euros, or (None, what is wrong with it); ``empty`` and
    ``negative`` say it in the words of the form (the approval's by default)."""
    if isinstance(text, decimal.Decimal | int) and not isinstance(text, bool):
        value = decimal.Decimal(text)
    else:
        text = str(text if text is not None else "").strip()
        if not text:
            return None, empty or _("Bitte einen Betrag angeben (0, wenn nichts bewilligt wird).")
        try:
            value = numbers.parse(text, translation.get_language(), money=True)
        except InputError as exc:
            return None, " ".join(exc.messages(_, translation.get_language()))
    if not value.is_finite():
        return None, _("Bitte einen Betrag in Euro angeben.")
    if value < 0:
        return None, negative or _("Ein bewilligter Betrag kann nicht negativ sein.")
    if value != value.quantize(CENT, rounding=decimal.ROUND_DOWN):
        return None, _("Bitte auf den Cent genau angeben: höchstens zwei Nachkommastellen.")
    if value >= decimal.Decimal("1e12"):
        return None, _("Dieser Betrag ist zu groß.")
    return value.quantize(CENT), ""


def _requests_of_line(application: Application, line: dict, *, released: bool) -> str:
    """The payment requests that released (or, ``released`` False, that ask and are not yet decided)
    money of an approval's line: "Mittelabruf Nr. 1, Nr. 3"."""
    numbers = list(PaymentRequestLine.objects.filter(
        request__application=application, request__state=R_RELEASED if released else R_SUBMITTED,
        measure=line["measure"], year=line["year"], source=line["source"])
        .order_by("request__number").values_list("request__number", flat=True).distinct())
    return ngettext("Mittelabruf Nr. %(numbers)s", "Mittelabrufe Nr. %(numbers)s", len(numbers)) % {
        "numbers": ", ".join(map(str, numbers))}


def approval_refusal(application: Application) -> str:
    """Why no approval can be entered for ``application`` now ("" where one can)."""
    if application.state in (REVIEW, APPROVED):
        newer = newer_of(application)
        return "" if newer is None else _("Zu dieser Version gibt es eine neuere (Version %(version)s); bitte prüfen "
                                          "Sie diese.") % {"version": newer.version}
    return _refusal("approve", application)


def approve(user, concept, application: Application, *, decided_on: datetime.date | None, file_number: str = "",
            amounts: dict | None = None, reasons: dict | None = None, reason: str = "", via: str = "web",
            once: str = "") -> Approval:
    """The funding authority enters its approval (Zuwendungsbescheid) of an application in review –
    or, once approved, an amending one (Änderungsbescheid, with ``reason``): the date, the file
    number, and per line of ``approval_lines`` (``amounts`` and ``reasons`` by its "key"; a line not
    named keeps its prefilled amount and reason) the approved amount – never more than requested –
    with a reason where it differs from the request. The application becomes "bewilligt", and the city's financing lines take the
    approved amounts (``finance.apply_approval``) – all in one recorded change, or nothing. An
    amendment that changes no amount is refused (decision 0075); ``once``: the form's one-time
    token (the same form sent again is refused, code "resent")."""
    _require_approve(user, concept, application)
    refuse_resent(f"approval:{application.pk}", once)
    _refuse_superseded(application)
    with change(user, via):
        # the application's row first, as a payment request's steps lock it (decision 0093): an amendment
        # and a submit against the approval, or two amendments, wait for each other, and what is checked
        # below – the approval in force, what was released and requested – is read under the lock
        Application.objects.select_for_update().filter(pk=application.pk).values_list("pk", flat=True).first()
        amends = current_approval(application)
        if Application.objects.filter(pk=application.pk).values_list("state", flat=True).first() != (
                APPROVED if amends else REVIEW):
            application.refresh_from_db(fields=["state"])
            raise invalid(_refusal("amend" if amends else "approve", application), "state")
        amounts, reasons = amounts or {}, reasons or {}
        lines = approval_lines(concept, application)
        known = {line["key"] for line in lines}
        errors = {}
        taken = {f"{m}-{y}-{w}": approval for (m, y, w), approval in approved_elsewhere(application).items()}
        twice = sorted((set(amounts) | set(reasons)) & (set(taken) - known))
        unknown = sorted((set(amounts) | set(reasons)) - known - set(twice))
        if twice:
            errors["__all__"] = _("Diese Zeilen sind bereits bewilligt und können nicht noch einmal bewilligt werden: "
                                  "%(lines)s.") % {"lines": "; ".join(
                                      _("%(line)s (%(approval)s)") % {"line": _line_names(concept, application, [k]),
                                                                       "approval": bescheid(taken[k])} for k in twice)}
        elif unknown:
            errors["__all__"] = _("Diese Zeilen gehören nicht zum Antrag (unbekannte Maßnahme, Jahr oder Quelle): "
                                  "%(keys)s.") % {"keys": _line_names(concept, application, unknown)}
        elif not lines and taken:  # walk 23d: every line approved by another Bescheid meanwhile – an empty one said "bewilligt"
            errors["__all__"] = _("Dieser Antrag hat keine Zeile mehr, die bewilligt werden könnte: jede ist schon durch "
                                  "einen anderen Bescheid bewilligt. Ein Bescheid ohne Beträge wird nicht gespeichert.")
        file_number = (file_number or "").strip()
        if decided_on is None:
            errors["decided_on"] = _("Bitte das Datum des Bescheids angeben.")
        elif decided_on > timezone.localdate():
            errors["decided_on"] = _("Das Datum des Bescheids darf nicht in der Zukunft liegen.")
        elif decided_on < application.submitted_at.date():
            errors["decided_on"] = _("Der Bescheid kann nicht vor dem Einreichen des Antrags ergangen sein.")
        if not file_number:
            errors["file_number"] = _("Bitte das Aktenzeichen des Bescheids angeben.")
        elif len(file_number) > 80:
            errors["file_number"] = _("Das Aktenzeichen darf höchstens 80 Zeichen lang sein.")
        reason = (reason or "").strip()
        if amends and not reason:
            errors["reason"] = _("Bitte begründen Sie den Änderungsbescheid.")
        kept = []
        for line in lines:
            key = line["key"]
            value, problem = _amount(amounts.get(key, line["approved"]))
            why = str(reasons.get(key, line["reason"]) or "").strip()  # an amendment keeps the reason in force
            if problem:
                errors[f"amount-{key}"] = problem
            elif value > line["requested"]:  # a Zuwendung never exceeds the application (decision 0058)
                errors[f"amount-{key}"] = _("Mehr als beantragt kann nicht bewilligt werden: beantragt sind "
                                            "%(requested)s €.") % {"requested": _euro(line["requested"])}
            elif value < line["released"]:  # isek knows no repayment (Rückforderung): never below what was paid out
                errors[f"amount-{key}"] = _("Weniger als bereits freigegeben kann nicht bewilligt werden: aus dieser Zeile "
                                            "sind %(released)s € in Mittelabrufen freigegeben (%(requests)s). Bitte "
                                            "mindestens diesen Betrag bewilligen; eine Rückforderung erfasst isek nicht.") % {
                    "released": _euro(line["released"]), "requests": _requests_of_line(application, line, released=True)}
            elif value < line["released"] + line["pending"]:
                errors[f"amount-{key}"] = _("Weniger als bereits abgerufen kann nicht bewilligt werden: aus dieser Zeile "
                                            "sind %(released)s € freigegeben und %(pending)s € in %(requests)s angefordert, "
                                            "noch nicht entschieden. Bitte zuerst über den Mittelabruf entscheiden "
                                            "(freigeben, weniger freigeben oder zurückgeben).") % {
                    "released": _euro(line["released"]), "pending": _euro(line["pending"]),
                    "requests": _requests_of_line(application, line, released=False)}
            elif value != line["requested"] and not why:
                errors[f"reason-{key}"] = _("Bitte begründen Sie, warum der bewilligte Betrag vom Antrag abweicht.")
            elif len(why) > 250:
                errors[f"reason-{key}"] = _("Die Begründung darf höchstens 250 Zeichen lang sein.")
            kept.append({"measure": line["measure"], "year": line["year"], "source": line["source"],
                         "requested": str(line["requested"]), "approved": str(value), "reason": why})
        if amends and not errors and all(
                decimal.Decimal(k["approved"]) == line["approved"] for k, line in zip(kept, lines, strict=True)):
            errors["__all__"] = _("Der Änderungsbescheid ändert keinen bewilligten Betrag; er wurde nicht gespeichert. "
                                  "Ändern Sie mindestens einen Betrag gegenüber %(approval)s.") % {
                                      "approval": bescheid_named(amends)}
        if errors:
            raise ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})
        new = Approval(file_number=file_number, decided_on=decided_on, amends=amends)
        with translation.override("de"):  # kept in the financing lines' reason: German, as the KuF's documents
            reference = bescheid_named(new)
        _spend(f"approval:{application.pk}", once)
        move(application, "amend" if amends else "approve")
        approval = Approval.objects.create(application=application, amends=amends, decided_on=decided_on,
                                           file_number=file_number, reason=reason, lines=kept,
                                           created_by=None if user.pk is None else user)
        finance.apply_approval(user, concept, [
            (k["measure"], k["year"], k["source"], decimal.Decimal(k["requested"]), decimal.Decimal(k["approved"]),
             k["reason"]) for k in kept], reference=reference, via=via)
        labels, sources = _labels(application), finance.source_labels(concept)
        mail.approved(application, approval, reference, differs=[
            (labels.get(k["measure"], k["measure"]), k["year"], sources.get(k["source"], k["source"]),
             decimal.Decimal(k["requested"]), decimal.Decimal(k["approved"]), k["reason"])
            for k in kept if decimal.Decimal(k["approved"]) != decimal.Decimal(k["requested"])])
    return approval


def _require_approve(user, concept, application: Application) -> None:
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "application", "approve", concept, submitted=application.is_submitted)


# --- the authority's portfolio --------------------------------------------------------------------


def portfolio(user, authority) -> dict:
    """The newest submitted version of every application of ``authority``'s district (the cities
    whose AGS starts with one of its prefixes), per programme and programme year, with the grant
    each requests (federal and Land share of its programme year and the years after:
    ``requested_part``) and its readiness; and the sums of what all of them request per year and
    source. For its staff and the installation's administrator."""
    access.require_site(user, "portfolio", "view", authority=authority)
    found = (Application.objects.filter(_district(authority), state__in=SENT).select_related("concept__city")
             .only("concept__name", "concept__slug", "concept__programme", "concept__city__name", "concept__city__ags",
                   "year", "version", "state", "submitted_at")
             .annotate(kept_sums=KeyTransform("sums", "snapshot"),
                       done=KeyTransform("done", KeyTransform("readiness", "snapshot")),
                       total=KeyTransform("total", KeyTransform("readiness", "snapshot")),
                       area_json=AsGeoJSON("concept__area", precision=6))
             .order_by("concept__programme", "year", "concept__city__name", "concept__name", "concept_id", "-version"))
    newest, seen = [], set()
    for app in found:
        if (app.concept_id, app.year) not in seen:
            seen.add((app.concept_id, app.year))
            newest.append(app)
    # applications submitted before their snapshot kept its sums: from their figures
    # lines another application granted first count with that one (decision 0058, amended): from the figures
    owners = _granted({a.concept_id for a in newest})
    taken = {a.pk: _elsewhere(a, owners) for a in newest}
    older = dict(Application.objects.filter(pk__in=[a.pk for a in newest if a.kept_sums is None or taken[a.pk]])
                 .values_list("pk", "snapshot"))
    snapshots = {a.pk: requested_part(older[a.pk] if a.pk in older else {"sums": a.kept_sums}, a.year, taken[a.pk])
                 for a in newest}
    groups: dict[tuple, dict] = {}
    proofs = proof_states(newest)  # the submitted proof of use, where there is one (decision 0063)
    in_force = approvals_in_force(newest)  # a newer version does not end the Bescheid of an older one
    approved_by_year: dict[int, decimal.Decimal] = {}
    for app in newest:
        by_year = diff.sums(snapshots[app.pk], order=finance.SOURCES)
        grant = sum((row["bund"] + row["land"] for row in by_year.values()), diff.ZERO)
        kept = in_force.get((app.concept_id, app.year))
        approved = _approved_lines(kept["approval"], taken[app.pk]) if kept else None
        group = groups.setdefault((app.concept.programme, app.year), {
            "programme": app.concept.get_programme_display(), "year": app.year, "rows": [], "grant": diff.ZERO,
            "approved": diff.ZERO})
        group["rows"].append({"app": app, "grant": grant, "done": app.done or 0, "total": app.total or 0,
                              "proof": proofs.get(app.pk),
                              "approved": sum(approved.values(), diff.ZERO) if approved is not None else None,
                              "in_force": kept if kept and kept["application"].pk != app.pk else None})
        group["grant"] += grant
        for year, amount in (approved or {}).items():
            group["approved"] += amount
            approved_by_year[year] = approved_by_year.get(year, diff.ZERO) + amount
    shown, sums = sums_by_year(*snapshots.values())
    labels = {"cost": _("Kosten"), "eligible": _("förderfähig"), "grant": _("Förderung (Bund und Land)"),
              **finance.SOURCE_LABELS}  # the district's cities' own words differ: the usual ones
    headers = [str(labels.get(w, w)) for w in shown]
    if approved_by_year:  # beside the requested grant, the approved one of each year (decision 0072)
        headers.append(str(_("bewilligt (Bund und Land)")))
        years = {row["year"] for row in sums}
        sums += [{"year": y, "values": [diff.ZERO] * len(shown)} for y in approved_by_year if y not in years]
        sums.sort(key=lambda row: row["year"])
        for row in sums:
            row["values"] = [*row["values"], approved_by_year.get(row["year"], diff.ZERO)]
    return {"groups": list(groups.values()), "applications": newest, "headers": headers,
            "sums": sums, "areas": _areas(newest), "approved": _approved(authority).distinct().count()}


def _approved_lines(approval: Approval, taken) -> dict[int, decimal.Decimal]:
    """Per year, the grant (Bund and Land) ``approval`` approves, without the lines another
    application's approval granted first (``taken``: ``_elsewhere``) – a line counts once, with the
    application it belongs to, as in the district's totals (decision 0058, amended; 0072)."""
    years: dict[int, decimal.Decimal] = {}
    for line in approval.lines:
        if line["source"] in GRANT and (line["measure"], int(line["year"]), line["source"]) not in taken:
            years[int(line["year"])] = years.get(int(line["year"]), ZERO) + decimal.Decimal(line["approved"])
    return years


def _district(authority) -> Q:
    """The applications of ``authority``'s district: of the cities whose AGS starts with one of its prefixes."""
    district = Q(pk__in=[])
    for prefix in authority.prefixes.values_list("prefix", flat=True):
        district |= Q(concept__city__ags__startswith=prefix)
    return district


# --- the district's exports (issue #23 point 6, decision 0062) --------------------------------------


def _approved(authority):
    """The ids of the district's concepts with an approved application (one with an approval in force)."""
    return (Application.objects.filter(_district(authority), state=Application.State.APPROVED, approvals__isnull=False)
            .values("concept_id"))



def approved_concepts(user, authority) -> list:
    """The concepts of ``authority``'s district with an approved application (one with an approval
    in force), by city and name."""
    access.require_site(user, "portfolio", "view", authority=authority)
    ids = _approved(authority)
    from isek.concepts.services import Concept

    return list(Concept.objects.filter(pk__in=ids).select_related("city").order_by("city__name", "name", "pk"))


def write_district_monitoring_csv(user, authority, path) -> int:
    """The federal monitoring data (Begleitinformationen) of every concept of the district with an
    approved application in one CSV (isek.monitoring.reports.district_monitoring_csv); the row count
    (0: a header only)."""
    return monitoring.district_monitoring_csv(approved_concepts(user, authority), path)


TOTALS = ("requested", "approved")


def district_totals(user, authority) -> list[dict]:
    """The district's totals per programme, programme year and year: the grant requested by source
    (the newest submitted version of each application, from its programme year on: as the
    portfolio) and the grant approved by source (the approval in force of the newest approved
    version of each concept and programme year). Rows: {"programme", "programme_label", "year"
    (programme year), "in" (year), "requested": {source: Decimal}, "approved": {source: Decimal}}."""
    access.require_site(user, "portfolio", "view", authority=authority)
    found = (Application.objects.filter(_district(authority), state__in=SENT).select_related("concept")
             .only("concept__programme", "year", "version", "state", "snapshot")
             .order_by("concept_id", "year", "-version"))
    requested, approved_app = {}, {}
    for app in found:
        if (app.concept_id, app.year) not in requested:
            requested[(app.concept_id, app.year)] = app
        if app.state == Application.State.APPROVED and (app.concept_id, app.year) not in approved_app:
            approved_app[(app.concept_id, app.year)] = app
    in_force: dict[int, Approval] = {}
    for approval in Approval.objects.filter(application__in=list(approved_app.values())).order_by("created_at", "id"):
        in_force[approval.application_id] = approval  # the newest amends all before it
    cells: dict[tuple, dict] = {}

    def cell(app, year):
        return cells.setdefault((app.concept.programme, app.year, year), {
            "programme": app.concept.programme, "programme_label": app.concept.get_programme_display(),
            "year": app.year, "in": year, **{t: dict.fromkeys(GRANT, ZERO) for t in TOTALS}})

    owners = _granted({app.concept_id for app in requested.values()})  # each line counts once: with who granted it first
    for app in requested.values():
        for f in requested_part(app.snapshot, app.year, _elsewhere(app, owners))["figures"]:
            if f["what"] in GRANT:
                cell(app, int(f["year"]))["requested"][f["what"]] += decimal.Decimal(f["amount"])
    for app in approved_app.values():
        if (approval := in_force.get(app.pk)) is not None:
            taken = _elsewhere(app, owners)  # as the portfolio's approved column (``_approved_lines``)
            for line in approval.lines:
                if line["source"] in GRANT and (line["measure"], int(line["year"]), line["source"]) not in taken:
                    cell(app, int(line["year"]))["approved"][line["source"]] += decimal.Decimal(line["approved"])
    return [cells[k] for k in sorted(cells)]


def write_district_totals_xlsx(user, authority, path) -> int:
    """The district's totals (``district_totals``) as an Excel workbook of values, headers in the
    active language; the row count."""
    import xlsxwriter

    rows = district_totals(user, authority)
    labels = finance.SOURCE_LABELS
    head = [_("Programm"), _("Programmjahr"), _("Jahr")]
    head += [_("beantragt: %(source)s (€)") % {"source": labels[s]} for s in GRANT] + [_("beantragt gesamt (€)")]
    head += [_("bewilligt: %(source)s (€)") % {"source": labels[s]} for s in GRANT] + [_("bewilligt gesamt (€)")]
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(_("Summen"))
    sheet.write(0, 0, _("%(authority)s: beantragte und bewilligte Förderung je Programm und Programmjahr") % {
        "authority": authority.name}, bold)
    for col, text in enumerate(head):
        sheet.write(2, col, str(text), bold)
    for r, row in enumerate(rows, start=3):
        sheet.write(r, 0, str(row["programme_label"]))
        sheet.write_number(r, 1, row["year"])
        sheet.write_number(r, 2, row["in"])
        col = 3
        for total in TOTALS:
            for value in [*(row[total][s] for s in GRANT), sum(row[total].values(), ZERO)]:
                sheet.write_number(r, col, float(value), money)
                col += 1
    sheet.set_column(0, 0, 28)
    sheet.set_column(3, len(head) - 1, 18)
    book.close()
    return len(rows)


def _areas(applications: list[Application]) -> str:
    """The funding areas of the portfolio's concepts as a GeoJSON text (WGS 84, to about 10 cm; as
    the database writes it, not parsed again), each with its city, concept and the URL of its
    application: for the page's map (``json_script``-safe: the page escapes it)."""
    features, done = [], set()
    for app in applications:
        concept = app.concept
        if not app.area_json or concept.pk in done:
            continue
        done.add(concept.pk)
        properties = json.dumps({"city": concept.city.name, "concept": concept.name,
                                 "url": reverse("procedure:application", args=[concept.slug, app.pk])})
        features.append(f'{{"type":"Feature","geometry":{app.area_json},"properties":{properties}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


# --- payment requests (Mittelabruf, issue #23 point 5, decision 0059) ------------------------------

R_DRAFT, R_SUBMITTED = PaymentRequest.State.DRAFT, PaymentRequest.State.SUBMITTED
R_RELEASED, R_RETURNED = PaymentRequest.State.RELEASED, PaymentRequest.State.RETURNED
COUNTING = (R_SUBMITTED, R_RELEASED)  # the requests whose amounts count against the approval
HOLDING = (R_DRAFT, R_SUBMITTED, R_RELEASED)  # the requests whose payments no other request may cite
ZERO = diff.ZERO


def _errors(errors: dict) -> ValidationError:
    return ValidationError({k: [ValidationError(v, code="invalid")] for k, v in errors.items()})


def _euro(value: decimal.Decimal) -> str:
    """An amount as the messages show it, in the language of the request."""
    return numbers.money(value, translation.get_language())


def can_request(user, concept) -> bool:
    return access.allows(user, "payment_request", "edit", concept)


def can_release(user, concept, application: Application) -> bool:
    return access.allows(user, "payment_request", "release", concept, submitted=application.is_submitted)


def can_check_proof(user, concept, application: Application) -> bool:
    return access.allows(user, "proof", "check", concept, submitted=application.is_submitted)


def request_is_submitted(concept, application, payment_request, **_ids) -> bool:
    """Is the payment request numbered ``payment_request`` (its number in the application, as its
    URLs name it; decision 0072) one of the concept's application ``application``, and has the city
    submitted both (what opens it to the district's funding authority)?"""
    return PaymentRequest.objects.filter(number=payment_request, application_id=application, application__concept=concept,
                                         application__state__in=SENT, state__in=PaymentRequest.SENT).exists()


def request_refusal(application: Application) -> str:
    """Why the city cannot request payments against ``application`` now ("" where it can)."""
    if application.state != APPROVED or current_approval(application) is None:
        return _("Mittel lassen sich nur für einen bewilligten Antrag abrufen; dieser ist „%(state)s“.") % {
            "state": application.get_state_display()}
    return ""


def _first_year(approval: Approval) -> int:
    """The first year an approval grants money for (its application's programme year where no line does)."""
    return min((int(x["year"]) for x in approval.lines if decimal.Decimal(x["approved"] or 0) > 0),
               default=approval.application.year)


def request_opens(application: Application, today: datetime.date | None = None) -> int | None:
    """The year from which the city can request payments against ``application``'s approval in
    force, where that is after the current year (None otherwise, and without an approval): a paid
    expense is recorded in the year it is paid and never ahead (decision 0065), so an approval for
    2027 received in December 2026 can cite none before 2027."""
    current = current_approval(application)
    if current is None:
        return None
    first = _first_year(current)
    return first if first > (today or timezone.localdate()).year else None


def _basis(application: Application) -> dict[tuple[str, int], dict]:
    """Per (measure, year) of the approval in force: the planned cost of the submitted snapshot (its
    eligible cost where it has no cost) and the approved amount per grant source."""
    costs: dict[tuple[str, int], dict[str, decimal.Decimal]] = {}
    for f in application.snapshot.get("figures", []):
        if f["what"] in ("cost", "eligible"):
            costs.setdefault((f["measure"], int(f["year"])), {})[f["what"]] = decimal.Decimal(f["amount"])
    current = current_approval(application)
    taken = approved_elsewhere(application) if current else {}  # another approval's lines are not this one's
    basis: dict[tuple[str, int], dict] = {}
    for line in current.lines if current else []:
        key = (line["measure"], int(line["year"]))
        if (*key, line["source"]) in taken:
            continue
        planned = costs.get(key, {})
        entry = basis.setdefault(key, {"cost": planned.get("cost") or planned.get("eligible") or ZERO, "approved": {}})
        entry["approved"][line["source"]] = decimal.Decimal(line["approved"])
    return basis


def _used(application: Application, exclude=None) -> dict[tuple[str, int, str], dict[str, decimal.Decimal]]:
    """Per (measure, year, source): what the city's submitted and released requests asked for
    ("requested"), what was released ("released") and what counts against the approval ("used": the
    released amount of a released request, the requested one of a request not yet decided) – under
    every version of the application (its programme year): money released against the Bescheid of
    version 1 counts against that of version 2 once the authority approves it."""
    used: dict[tuple[str, int, str], dict[str, decimal.Decimal]] = {}
    lines = PaymentRequestLine.objects.filter(request__application__concept_id=application.concept_id,
                                              request__application__year=application.year,
                                              request__state__in=COUNTING)
    if exclude is not None:
        lines = lines.exclude(request_id=exclude)
    for line in lines.select_related("request"):
        row = used.setdefault((line.measure, line.year, line.source), {"requested": ZERO, "released": ZERO, "used": ZERO})
        row["requested"] += line.requested
        if line.request.state == R_RELEASED:
            row["released"] += line.released or ZERO
            row["used"] += line.released or ZERO
        else:
            row["used"] += line.requested
    return used


def _left(application: Application, exclude=None) -> dict[tuple[str, int, str], decimal.Decimal]:
    """Per (measure, year, source) of the approval: approved minus what is released or requested."""
    used = _used(application, exclude)
    return {(m, y, s): amount - used.get((m, y, s), {}).get("used", ZERO)
            for (m, y), entry in _basis(application).items() for s, amount in entry["approved"].items()}


def _lock_applications(concept) -> None:
    """Inside a step's transaction: lock the rows of every application of ``concept``, in the order of
    their ids (two such steps never wait for each other crosswise), before reading what the requests
    of all of them hold (``_taken``)."""
    list(Application.objects.select_for_update().filter(concept_id=concept.pk).order_by("pk").values_list("pk", flat=True))


def _taken(concept) -> set[int]:
    """The ids of the concept's payments a draft, submitted or released request cites."""
    return set(PaymentRequestItem.objects.filter(request__application__concept=concept, request__state__in=HOLDING,
                                                 payment__isnull=False).values_list("payment_id", flat=True))


def available_payments(concept, application: Application) -> list:
    """isek's payments (monitoring) the city may cite in a new request against ``application``: of
    a measure and year the approval in force grants money for, cited by no other request (a
    returned request gives its payments back)."""
    basis = {k for k, entry in _basis(application).items() if any(entry["approved"].values())}
    if not basis:
        return []
    found = (monitoring.Payment.objects.filter(measure__concept=concept, measure_id__in={int(m) for m, _y in basis})
             .exclude(pk__in=_taken(concept)).select_related("measure").order_by("measure__sort_key", "year", "id"))
    return [p for p in found if (str(p.measure_id), p.year) in basis]


def _labels(application: Application) -> dict[str, str]:
    return {m["key"]: f"{m['number']} {m['title']}" for m in application.snapshot.get("measures", [])}


def _line_names(concept, application: Application, keys) -> str:
    """Lines by their keys ("<measure>-<year>-<source>") as a person reads them: measure number and
    title, year, source label – the key itself where it names no measure of the application."""
    labels, sources = _labels(application), finance.source_labels(concept)
    names = []
    for key in keys:
        parts = str(key).rsplit("-", 2)
        if len(parts) == 3 and parts[0] in labels:
            names.append(f"{labels[parts[0]]}, {parts[1]}, {sources.get(parts[2], parts[2])}")
        else:
            names.append(str(key))
    return "; ".join(names)


def _numbers(application: Application) -> dict[str, str]:
    return {m["key"]: m["number"] for m in application.snapshot.get("measures", [])}


def request_lines(concept, application: Application, payments: list) -> list[dict]:
    """The lines a request citing ``payments`` holds, one per measure, year and grant source the
    approval grants money for: "key", "measure", "label", "year", "source", "source_label",
    "expenses" (the cited payments), "share" (the approval's share of them: the expenses times
    approved over planned cost – over the sum approved where the planned cost is 0, missing or
    below it –, the whole share rounded once to the cent, the Land the rest of it (decision 0091):
    ``difference.split_share``), "left" (approved minus released or requested so far)
    and "requested" (the share, at most what is left)."""
    basis, left = _basis(application), _left(application)
    expenses: dict[tuple[str, int], decimal.Decimal] = {}
    for p in payments:
        key = (str(p.measure_id), p.year)
        expenses[key] = expenses.get(key, ZERO) + p.amount
    labels, sources = _labels(application), finance.source_labels(concept)
    rank = {s: i for i, s in enumerate(GRANT)}
    lines = []
    for (m, y), paid in sorted(expenses.items(), key=lambda kv: (diff._order(kv[0][0], labels), kv[0][1])):
        entry = basis[(m, y)]
        granted = {s: entry["approved"][s] for s in sorted(entry["approved"], key=lambda s: rank.get(s, 9))
                   if entry["approved"][s]}
        shares = diff.split_share(paid, entry["cost"], granted)
        for s, approved in granted.items():
            share = shares[s]
            remaining = max(left.get((m, y, s), ZERO), ZERO)
            lines.append({"key": f"{m}-{y}-{s}", "measure": m, "label": labels.get(m, m), "year": y, "source": s,
                          "source_label": sources.get(s, s), "expenses": paid, "approved": approved, "share": share,
                          "left": remaining, "requested": min(share, remaining)})
    return lines


def _zero_of_payments(application: Application, zero: dict, pks) -> list[tuple[str, int, str]]:
    """Of the payments ``pks`` not offered, the lines decided at 0 € (``zero``) of those whose
    measure and year the approval grants nothing else for – why they are not offered."""
    if not zero or not pks:
        return []
    granted = {k for k, entry in _basis(application).items() if any(entry["approved"].values())}
    pairs = {(str(m), y) for m, y in monitoring.Payment.objects.filter(pk__in=pks).values_list("measure_id", "year")}
    return [k for k in zero if k[:2] in pairs and k[:2] not in granted]


def _split_key(key) -> tuple:
    """A line's key "<measure>-<year>-<source>" as (measure, year, source); () where it is none."""
    parts = str(key).rsplit("-", 2)
    return (parts[0], int(parts[1]), parts[2]) if len(parts) == 3 and parts[1].isdigit() else ()


def _zero_refusal(concept, application: Application, zero: dict, keys) -> str:
    """Why a payment request cannot ask for the lines ``keys`` (measure, year, source), decided at
    0 € (``zero``: ``zero_lines``), naming each with its Bescheid; "" where there are none."""
    named = [_("%(line)s (%(approval)s)") % {"line": _line_names(concept, application, [f"{k[0]}-{k[1]}-{k[2]}"]),
                                             "approval": bescheid(zero[k])} for k in sorted(set(keys))]
    if not named:
        return ""
    return _("Dafür lässt sich kein Mittelabruf stellen: mit 0 € bewilligt – %(lines)s. Eine Bewilligung von 0 € "
             "ist eine Entscheidung; mehr Mittel gibt es nur mit einem Änderungsbescheid.") % {"lines": "; ".join(named)}


def _require_request(user, concept, application: Application) -> None:
    access.require(user, "payment_request", "edit", concept)
    if application.concept_id != concept.pk:
        raise Http404


def draft_request(user, concept, application: Application, *, payments=(), amounts: dict | None = None,
                  note: str = "", via: str = "web") -> PaymentRequest:
    """The city's draft payment request against the approval of ``application``: the paid expenses
    it cites (ids of ``available_payments``) and per line of ``request_lines`` the amount it
    requests (``amounts`` by the line's key; a line not named requests its share, at most what is
    left). A typed amount may not be negative, above the share of the cited expenses or above what
    is left of the approval, and the sources of a measure and year together not above its cited
    expenses. Refused with a message, changing nothing, where anything is wrong."""
    _require_request(user, concept, application)
    if refusal := request_refusal(application):
        raise invalid(refusal, "state")
    amounts, errors = dict(amounts or {}), {}
    wanted: set[int] = set()
    for pk in payments or ():
        try:
            wanted.add(int(pk))
        except (TypeError, ValueError):
            errors["payments"] = _("Bitte wählen Sie bezahlte Ausgaben aus der Liste.")
    offered = {p.pk: p for p in available_payments(concept, application)}
    zero = zero_lines(application) if wanted - set(offered) or amounts else {}
    if not wanted and "payments" not in errors:
        errors["payments"] = _("Bitte wählen Sie mindestens eine bezahlte Ausgabe.")
    elif refused := _zero_refusal(concept, application, zero, _zero_of_payments(application, zero, wanted - set(offered))):
        errors["payments"] = refused
    elif wanted - set(offered):
        errors["payments"] = _("Diese Ausgaben lassen sich nicht abrufen – schon abgerufen, nicht bewilligt oder "
                               "unbekannt: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in sorted(wanted - set(offered)))}
    chosen = [offered[pk] for pk in sorted(wanted & set(offered))]
    lines = request_lines(concept, application, chosen) if "payments" not in errors else []
    known = {line["key"] for line in lines}
    zeroed = [_split_key(k) for k in set(amounts) - known if _split_key(k) in zero]
    if "payments" not in errors and zeroed:
        errors["__all__"] = _zero_refusal(concept, application, zero, zeroed)
    elif "payments" not in errors and (unknown := sorted(set(amounts) - known)):
        errors["__all__"] = _("Diese Zeilen gehören nicht zum Mittelabruf – für sie ist keine bezahlte Ausgabe gewählt: "
                              "%(lines)s. Bitte wählen Sie die Ausgabe oder leeren Sie den Betrag.") % {
            "lines": _line_names(concept, application, unknown)}
    asked: dict[tuple[str, int], decimal.Decimal] = {}  # per measure and year: all sources together
    for line in lines:
        typed = amounts.get(line["key"])
        if typed is None or (isinstance(typed, str) and not typed.strip()):
            asked[(line["measure"], line["year"])] = asked.get((line["measure"], line["year"]), ZERO) + line["requested"]
            continue
        value, problem = _amount(typed, empty=_("Bitte einen Betrag angeben."),
                                 negative=_("Ein angeforderter Betrag kann nicht negativ sein."))
        asked[(line["measure"], line["year"])] = asked.get((line["measure"], line["year"]), ZERO) + (
            line["requested"] if problem else value)
        if not problem and value > line["left"]:
            problem = _("Mehr als noch verfügbar: bewilligt %(approved)s €, davon noch verfügbar %(left)s €.") % {
                "approved": _euro(line["approved"]), "left": _euro(line["left"])}
        elif not problem and value > line["share"]:
            problem = _("Mehr als der Förderanteil der gewählten Ausgaben (%(share)s €).") % {"share": _euro(line["share"])}
        if problem:
            errors[f"amount-{line['key']}"] = problem
        else:
            line["requested"] = value
    paid = {(line["measure"], line["year"]): line["expenses"] for line in lines}
    over = [(key, amount) for key, amount in asked.items() if amount > paid[key]]
    if over and "__all__" not in errors:
        labels = _labels(application)
        errors["__all__"] = _("Zusammen mehr als die bezahlten Ausgaben: %(lines)s. Bund und Land zusammen "
                              "fordern je Maßnahme und Jahr höchstens die bezahlten Ausgaben an.") % {
            "lines": "; ".join(_("%(measure)s, %(year)s: bezahlt %(paid)s €, angefordert %(asked)s €") % {
                "measure": labels.get(m, m), "year": y, "paid": _euro(paid[(m, y)]), "asked": _euro(amount)}
                for (m, y), amount in over)}
    if lines and not errors and not any(line["requested"] for line in lines):
        errors["__all__"] = _("Der Mittelabruf fordert nichts an: von der Bewilligung ist für diese Ausgaben nichts "
                              "mehr verfügbar.")
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = _("Die Anmerkung darf höchstens 2000 Zeichen lang sein.")
    if errors:
        raise _errors(errors)
    with change(user, via):
        # another draft at once may have cited the same payments: checked again under the lock (0093) –
        # of every application of the concept, as ``_taken`` reads the requests of them all: a draft
        # against another version or year citing the same payment waits for this one (decision 0104)
        _lock_applications(concept)
        if taken := sorted({p.pk for p in chosen} & _taken(concept)):
            raise _errors({"payments": _("Diese Ausgaben lassen sich nicht abrufen – schon abgerufen, nicht bewilligt "
                                         "oder unbekannt: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in taken)}})
        number = (application.payment_requests.aggregate(n=Max("number"))["n"] or 0) + 1
        request = PaymentRequest.objects.create(application=application, number=number, note=note,
                                                created_by=None if user.pk is None else user)
        for p in chosen:  # one by one: the change history records each
            PaymentRequestItem.objects.create(request=request, payment=p, measure=str(p.measure_id), year=p.year,
                                              amount=p.amount, note=p.note)
        for line in lines:
            PaymentRequestLine.objects.create(request=request, measure=line["measure"], year=line["year"],
                                              source=line["source"], expenses=line["expenses"], share=line["share"],
                                              requested=line["requested"])
    return request


def _request_state(request: PaymentRequest) -> str:
    return PaymentRequest.objects.filter(pk=request.pk).values_list("state", flat=True).first() or request.state


def _lock_request(request: PaymentRequest) -> None:
    """Inside a step's transaction: lock the row of the application ``request`` is against, then the
    request's own, until the step commits (decision 0093). A second submit, release or return of
    the same request waits for the first and then finds its state changed; a submit of another
    request against the same approval waits and then counts what this one took – nothing is
    counted twice. Every step locks in this order (application, request), so two never wait for
    each other. PostgreSQL locks the rows; SQLite's transactions take the database's write lock
    at their start (settings.SQLITE_OPTIONS), which serialises them the same way."""
    Application.objects.select_for_update().filter(pk=request.application_id).values_list("pk", flat=True).first()
    PaymentRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk", flat=True).first()


def submit_request(user, concept, request: PaymentRequest, *, via: str = "web") -> PaymentRequest:
    """The city submits its draft payment request to the funding authority; from then on only the
    authority's decision changes it. Refused where it is submitted already, where the application
    is no longer approved, or where a line asks more than is left of the approval now – checked
    with the rows locked (``_lock_request``), so two submits at once cannot both pass."""
    application = request.application
    _require_request(user, concept, application)
    with change(user, via):
        _lock_request(request)
        if _request_state(request) != R_DRAFT:
            request.state = _request_state(request)
            raise invalid(_("Dieser Mittelabruf ist schon eingereicht (Stand „%(state)s“); er lässt sich nicht noch "
                            "einmal einreichen.") % {"state": request.get_state_display()}, "submitted")
        application.refresh_from_db()
        if refusal := request_refusal(application):
            raise invalid(refusal, "state")
        if refusal := _over_left(concept, application, request):
            raise invalid(refusal, "over_left")
        request.state, request.submitted_at = R_SUBMITTED, timezone.now()
        request.submitted_by = None if user.pk is None else user
        request.save()
        mail.request_submitted(request)
    return request


def _over_left(concept, application: Application, request: PaymentRequest) -> str:
    """Why ``request`` cannot be submitted because another request took part of the same lines
    meanwhile (overlapping drafts): once, naming each measure and year with what is left per
    source ("1.1 Titel, 2027: Bund noch 0,00 € verfügbar, Land noch 0,00 € verfügbar"); "" where
    every line fits."""
    left = _left(application, exclude=request.pk)
    labels, sources = _labels(application), finance.source_labels(concept)
    over: dict[tuple[str, int], list[str]] = {}
    for line in request.lines.all():
        rest = left.get((line.measure, line.year, line.source), ZERO)
        if line.requested > rest:
            over.setdefault((line.measure, line.year), []).append(
                _("%(source)s noch %(left)s € verfügbar (angefordert %(requested)s €)") % {
                    "source": sources.get(line.source, line.source), "left": _euro(max(rest, ZERO)),
                    "requested": _euro(line.requested)})
    if not over:
        return ""
    named = "; ".join(f"{labels.get(m, m)}, {y}: {', '.join(parts)}"
                      for (m, y), parts in sorted(over.items(), key=lambda kv: (diff._order(kv[0][0], labels), kv[0][1])))
    return _("Mehr als noch verfügbar – ein anderer Mittelabruf hat inzwischen von denselben Zeilen angefordert: "
             "%(lines)s. Bitte legen Sie den Mittelabruf neu an.") % {"lines": named}


def submit_new_request(user, concept, application: Application, *, via: str = "api", **values) -> PaymentRequest:
    """Draft and submit in one step (the API), or nothing where either is refused."""
    with transaction.atomic():
        return submit_request(user, concept, draft_request(user, concept, application, via=via, **values), via=via)


def delete_request(user, concept, request: PaymentRequest, *, via: str = "web") -> None:
    """Delete a draft payment request; a submitted one is refused and stays."""
    _require_request(user, concept, request.application)
    with change(user, via):
        _lock_request(request)  # a submit of the same request in another tab waits, or this waits for it
        if _request_state(request) != R_DRAFT:
            raise invalid(str(_("Ein eingereichter Mittelabruf kann nicht mehr geändert oder gelöscht werden.")),
                          "submitted")
        request.delete()


def refuse_cited_payment(sender, *, payment, new, **_kwargs) -> None:
    """``monitoring.payment_changing``: a payment a draft, submitted or released request cites is
    not deleted, nor changed in amount, measure or year (its note may change; decision 0065). A
    submitted or released request keeps what it asked for; a draft is refused too rather than
    silently recomputed – the planner deletes the draft and makes it again."""
    if new is not None and (new.measure_id, new.year, new.amount) == (payment.measure_id, payment.year, payment.amount):
        _refuse_changed_receipt(payment, new)
        return
    request = _citing_request(payment, HOLDING)
    if request is None:
        _refuse_payment_in_a_proof(payment)
        return
    words = {"number": request.number, "year": request.application.year, "version": request.application.version,
             "state": request.get_state_display()}
    if request.state == R_DRAFT:
        message = _("Diese Auszahlung ist Teil des Entwurfs von Mittelabruf Nr. %(number)s (Antrag %(year)s, Version "
                    "%(version)s). Bitte löschen Sie zuerst diesen Entwurf; danach lässt sich die Auszahlung ändern "
                    "oder löschen und der Mittelabruf neu anlegen.")
    else:
        message = _("Diese Auszahlung ist Teil von Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s, "
                    "„%(state)s“) und kann weder gelöscht noch in Betrag, Maßnahme oder Jahr geändert werden. Eine "
                    "Korrektur ist mit der Bewilligungsbehörde abzustimmen.")
    raise invalid(message % words, "cited_payment")


def _proofs_listing(concept_id: int):
    """(proof, ids of the payments its Belegliste lists) for each submitted or accepted proof of use of
    the concept, by programme year and version: what neither deletes nor changes a payment."""
    for proof in (ProofSubmission.objects.filter(application__concept_id=concept_id, state__in=(
            ProofSubmission.State.SUBMITTED, ProofSubmission.State.ACCEPTED))
                  .select_related("application").order_by("application__year", "version")):
        yield proof, {r["payment"] for r in proof.snapshot.get("receipts") or () if r.get("payment") is not None}


def _refuse_payment_in_a_proof(payment) -> None:
    """A payment the Belegliste of a submitted or accepted proof of use lists is not deleted, nor
    changed in amount, measure or year, even where no payment request cites it (walk of Landshut:
    a receipt with an open query on its line was deleted while the authority checked the proof, which
    was then accepted with a receipt that no longer existed). A returned proof frees it."""
    for proof, listed in _proofs_listing(payment.measure.concept_id):
        if payment.pk in listed:
            raise invalid(_("Diese Auszahlung steht in der Belegliste des Verwendungsnachweises (Antrag %(year)s, "
                            "Version %(version)s, „%(state)s“) und kann weder gelöscht noch in Betrag, Maßnahme oder "
                            "Jahr geändert werden. Eine Korrektur ist mit der Bewilligungsbehörde abzustimmen; gibt sie "
                            "den Nachweis zurück, lässt sich die Auszahlung danach ändern.") % {
                "year": proof.application.year, "version": proof.version, "state": proof.get_state_display()},
                "cited_payment")


def requests_holding(sender, *, measure, **_kwargs) -> list[str]:
    """``concepts.signals.measure_deleting``: a measure is not deleted while a draft, submitted or
    released payment request cites its payments or a submitted or released one requests money for
    it – the request would keep amounts of a measure that is gone, and the proof of use would lose
    the paid expenses (decision 0095). One phrase naming the requests, or none."""
    cited = PaymentRequestItem.objects.filter(payment__measure=measure, request__state__in=HOLDING).values("request")
    lines = PaymentRequestLine.objects.filter(measure=str(measure.pk), request__state__in=COUNTING).values("request")
    found = list(PaymentRequest.objects.filter(Q(pk__in=cited) | Q(pk__in=lines))
                 .select_related("application").order_by("application__year", "application__version", "number"))
    if not found:
        return []
    return [_("ihre Auszahlungen sind Teil von %(requests)s") % {"requests": ", ".join(
        _("Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s, „%(state)s“)") % {
            "number": r.number, "year": r.application.year, "version": r.application.version,
            "state": r.get_state_display()} for r in found)}]


def called_off(sender, *, measure, years, **_kwargs) -> list[dict]:
    """``finance.services.costs_cutting``: per submitted or released payment request that requests
    money for ``measure`` in one of ``years``, per year, what counts against the approval – the
    released amount of a released request, the requested one of a request not yet decided (as
    ``_used``), Bund and Land together – with the request's name (decision 0104). Within a transaction
    (the save's second check) read with the rows of the applications those requests are against locked
    (the order of 0093: application first), so a release or another submit on those applications waits
    for the cost save; outside one (the save's first check, before its transaction) without a lock –
    ``select_for_update`` needs a transaction on PostgreSQL. Not covered: a submit on an application
    with no counting line yet for this measure and year, and a submit does not compare against the
    costs (decision 0104's known limit)."""
    lines = PaymentRequestLine.objects.filter(measure=str(measure.pk), year__in=list(years), request__state__in=COUNTING,
                                              request__application__concept_id=measure.concept_id)
    held = sorted(set(lines.values_list("request__application_id", flat=True)))
    if not held:
        return []
    if connection.in_atomic_block:  # the check within the save's transaction; the first one, before it, reads only
        list(Application.objects.select_for_update().filter(pk__in=held).order_by("pk").values_list("pk", flat=True))
    found: dict[tuple[int, int], dict] = {}
    for line in lines.select_related("request__application").order_by(
            "year", "request__application__year", "request__application__version", "request__number"):
        r = line.request
        row = found.setdefault((line.year, r.pk), {"year": line.year, "amount": ZERO, "request": _(
            "Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s, „%(state)s“)") % {
            "number": r.number, "year": r.application.year, "version": r.application.version,
            "state": r.get_state_display()}})
        row["amount"] += (line.released or ZERO) if r.state == R_RELEASED else line.requested
    return [row for row in found.values() if row["amount"]]


def applications_leaving(sender, *, authority, cities, **_kwargs) -> list[str]:
    """``concepts.signals.district_narrowing``: per city leaving ``authority``'s district, its
    submitted, reviewed or approved applications ("Speyer: Antrag 2027, Version 1, „bewilligt“"), which
    the authority's portfolio would no longer list (decision 0095)."""
    found: dict[str, list[str]] = {}
    sent = list(Application.objects.filter(concept__city__in=cities, state__in=SENT)
                .select_related("concept__city").order_by("concept__city__name", "year", "version"))
    newest: dict[tuple[int, int], int] = {}
    for a in sent:
        newest[(a.concept_id, a.year)] = max(newest.get((a.concept_id, a.year), 0), a.version)
    for a in sent:
        # a version a newer one replaced is that, not the state it was left in ("Nachforderung"; walk of
        # Landshut, decision 0105) – an approved one stays "bewilligt": its Bescheid is still in force
        newer = newest[(a.concept_id, a.year)]
        state = (_("ersetzt durch Version %(version)s") % {"version": newer}
                 if newer > a.version and a.state != APPROVED else a.get_state_display())
        found.setdefault(a.concept.city.name, []).append(
            _("Antrag %(year)s, Version %(version)s, „%(state)s“") % {
                "year": a.year, "version": a.version, "state": state})
    return [f"{city}: {', '.join(parts)}" for city, parts in found.items()]


def _citing_request(payment, states):
    """The newest payment request in one of ``states`` that cites ``payment`` (None where none does)."""
    item = (PaymentRequestItem.objects.filter(payment_id=payment.pk, request__state__in=states)
            .select_related("request__application").order_by("-request__number").first())
    return None if item is None else item.request


def _refuse_changed_receipt(payment, new) -> None:
    """A payment a submitted or released request cites keeps the date, payee and receipt number the
    authority received with it: what is blank may be filled in, what was given not changed
    (decision 0082). A draft reads them as they are now."""
    changed = [f for f in RECEIPT_FIELDS if getattr(payment, f) not in (None, "") and getattr(new, f) != getattr(payment, f)]
    if not changed:
        return
    request = _citing_request(payment, COUNTING)
    if request is None:
        return
    raise invalid(_("Diese Auszahlung ist Teil von Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s, "
                    "„%(state)s“): Datum der Zahlung, Empfänger und Belegnummer hat die Bewilligungsbehörde so "
                    "erhalten. Fehlende Angaben lassen sich ergänzen, gegebene nicht ändern; eine Korrektur ist mit "
                    "der Bewilligungsbehörde abzustimmen.") % {
        "number": request.number, "year": request.application.year, "version": request.application.version,
        "state": request.get_state_display()}, "cited_receipt")


def council_decision_given(sender, *, concept, **_kwargs) -> datetime.date | None:
    """``monitoring.council_decision_given``: the council decision's date the newest application of
    ``concept`` gives (every application must give one; decision 0075)."""
    return (Application.objects.filter(concept=concept, council_decision__isnull=False)
            .order_by("-year", "-version").values_list("council_decision", flat=True).first())


def cited_payments(sender, *, concept, **_kwargs) -> dict[int, str]:
    """``monitoring.payments_cited``: per payment of ``concept`` a draft, submitted or released request
    cites, why the payments page offers no "löschen" for it (decision 0075; the refusal itself is
    ``refuse_cited_payment``)."""
    found = {}
    for item in (PaymentRequestItem.objects.filter(request__application__concept=concept, payment_id__isnull=False,
                                                   request__state__in=HOLDING)
                 .select_related("request__application").order_by("request__number")):
        request = item.request
        words = {"number": request.number, "year": request.application.year, "version": request.application.version,
                 "state": request.get_state_display()}
        found[item.payment_id] = (
            _("Teil des Entwurfs von Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s): erst den "
              "Entwurf löschen, dann lässt sich die Auszahlung löschen.") if request.state == R_DRAFT else
            _("Teil von Mittelabruf Nr. %(number)s (Antrag %(year)s, Version %(version)s, „%(state)s“): nicht "
              "löschbar; eine Korrektur ist mit der Bewilligungsbehörde abzustimmen.")) % words
    # in the Belegliste of a submitted or accepted proof of use (``_refuse_payment_in_a_proof``): said at the row,
    # not only after "Ja, löschen" (walk 23d)
    for proof, listed in _proofs_listing(concept.pk):
        for payment in listed - set(found):
            found[payment] = _("In der Belegliste des Verwendungsnachweises (Antrag %(year)s, Version "
                               "%(version)s, „%(state)s“): nicht löschbar; eine Korrektur ist mit der "
                               "Bewilligungsbehörde abzustimmen.") % {
                    "year": proof.application.year, "version": proof.version, "state": proof.get_state_display()}
    return found


def _require_release(user, concept, request: PaymentRequest) -> None:
    application = request.application
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "payment_request", "release", concept, submitted=application.is_submitted and request.is_submitted)
    if _request_state(request) != R_SUBMITTED:
        request.state = _request_state(request)
        raise invalid(_("Entscheiden lässt sich nur über einen eingereichten Mittelabruf; dieser ist „%(state)s“.") % {
            "state": request.get_state_display()}, "state")


def release(user, concept, request: PaymentRequest, *, amounts: dict | None = None, reasons: dict | None = None,
            via: str = "web") -> PaymentRequest:
    """The funding authority releases a submitted payment request, line by line: per line (by its
    key) the amount released – the requested amount where none is named, never more, and less
    only with a reason."""
    _require_release(user, concept, request)
    with change(user, via):
        _lock_request(request)  # a second release at once waits, then is refused: not released twice (0093)
        decided = _release_decided(user, concept, request, amounts, reasons)
        for line, value, why in decided:
            line.released, line.reason = value, why
            line.save(update_fields=["released", "reason"])
        request.state, request.decided_at = R_RELEASED, timezone.now()
        request.decided_by = None if user.pk is None else user
        request.save()
        mail.request_decided(request, released=sum((value for _line, value, _why in decided), ZERO))
    return request


def release_total(user, concept, request: PaymentRequest, *, amounts: dict | None = None,
                  reasons: dict | None = None) -> decimal.Decimal:
    """What ``release`` with these amounts would release in all (its confirmation asks about it);
    refused as ``release`` refuses, nothing changed either way."""
    return sum((value for _line, value, _why in _release_decided(user, concept, request, amounts, reasons)),
               decimal.Decimal(0))


def _release_decided(user, concept, request: PaymentRequest, amounts, reasons) -> list:
    """The lines of ``request`` with the amounts and reasons to release: checked (ValidationError)."""
    _require_release(user, concept, request)
    amounts, reasons, errors = amounts or {}, reasons or {}, {}
    lines = list(request.lines.all())
    if unknown := sorted((set(amounts) | set(reasons)) - {line.key for line in lines}):
        errors["__all__"] = _("Diese Zeilen gehören nicht zum Mittelabruf: %(keys)s.") % {
            "keys": _line_names(concept, request.application, unknown)}
    decided = []
    for line in lines:
        typed = amounts.get(line.key)
        if typed is None or (isinstance(typed, str) and not typed.strip()):
            typed = line.requested
        value, problem = _amount(typed, empty=_("Bitte einen Betrag angeben."),
                                 negative=_("Ein freigegebener Betrag kann nicht negativ sein."))
        why = str(reasons.get(line.key) or "").strip()
        if not problem and value > line.requested:
            problem = _("Mehr als angefordert (%(requested)s €) lässt sich nicht freigeben.") % {
                "requested": _euro(line.requested)}
        if problem:
            errors[f"amount-{line.key}"] = problem
        elif value < line.requested and not why:
            errors[f"reason-{line.key}"] = _("Bitte begründen Sie, warum weniger freigegeben wird als angefordert.")
        elif len(why) > 250:
            errors[f"reason-{line.key}"] = _("Die Begründung darf höchstens 250 Zeichen lang sein.")
        decided.append((line, value, why))
    if errors:
        raise _errors(errors)
    return decided


def _return_reason(reason: str, missing: str) -> str:
    """The reason of a return, stripped: refused where it is empty (``missing``) or over 2000 characters."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid(missing, "invalid", "reason")
    if len(reason) > 2000:
        raise invalid(_("Die Begründung darf höchstens 2000 Zeichen lang sein."), "invalid", "reason")
    return reason


def return_request(user, concept, request: PaymentRequest, *, reason: str = "", via: str = "web") -> PaymentRequest:
    """The funding authority returns a submitted payment request with a reason; its payments may
    be cited again by a new request."""
    _require_release(user, concept, request)
    reason = _return_reason(reason, _("Bitte begründen Sie, warum der Mittelabruf zurückgegeben wird."))
    with change(user, via):
        _lock_request(request)  # not returned while a release of it commits, nor returned twice (0093)
        _require_release(user, concept, request)  # its state again, now that it is locked
        request.state, request.reason, request.decided_at = R_RETURNED, reason, timezone.now()
        request.decided_by = None if user.pk is None else user
        request.save()
        mail.request_decided(request)
    return request


def requests_of(user, concept, application: Application) -> list[PaymentRequest]:
    """The payment requests against ``application``, newest first: all for the city's people, the
    submitted ones for the district's funding authority."""
    access.require(user, "application", "view", concept, submitted=application.is_submitted)
    found = application.payment_requests.select_related("submitted_by", "decided_by").order_by("-number")
    if not access.allows(user, "application", "view", concept):
        found = found.filter(state__in=PaymentRequest.SENT)
    return list(found)


def request_of(user, concept, application_pk, number) -> PaymentRequest:
    """The payment request numbered ``number`` of the concept's application (its number, "Nr. 2",
    is what its URLs and pages name – never its id; decision 0072), for whoever may see it (the
    authority: a submitted one)."""
    application = application_of(user, concept, application_pk)
    found = application.payment_requests.filter(number=number).select_related("application", "submitted_by", "decided_by").first()
    if found is None or (not found.is_submitted and not access.allows(user, "application", "view", concept)):
        raise Http404
    return found


RECEIPT_FIELDS = ("paid_on", "payee", "receipt")  # the Belegliste's columns of a payment (decision 0082)


def _receipt_of(payment) -> dict:
    """Datum der Zahlung, Empfänger and Belegnummer of a cited payment (blank where it gives none or
    is gone): the item reads them from the payment; once a submitted request cites it, they are
    filled in where blank but not changed (``refuse_cited_payment``)."""
    if payment is None:
        return {"paid_on": None, "payee": "", "receipt": ""}
    return {"paid_on": payment.paid_on, "payee": payment.payee, "receipt": payment.receipt}


def request_shown(concept, request: PaymentRequest) -> dict:
    """A payment request for its page and the API: its lines labelled (with approved and left as of
    now), its cited payments, and the sums."""
    application = request.application
    labels, sources, numbers_ = _labels(application), finance.source_labels(concept), _numbers(application)
    basis = _basis(application)
    left = _left(application, exclude=request.pk)
    lines = []
    for line in request.lines.all():
        lines.append({"key": line.key, "measure": line.measure, "number": numbers_.get(line.measure, line.measure),
                      "label": labels.get(line.measure, line.measure), "year": line.year, "source": line.source,
                      "source_label": sources.get(line.source, line.source), "expenses": line.expenses,
                      "share": line.share, "requested": line.requested, "released": line.released,
                      "reason": line.reason,
                      "approved": basis.get((line.measure, line.year), {}).get("approved", {}).get(line.source, ZERO),
                      "left": max(left.get((line.measure, line.year, line.source), ZERO), ZERO)})
    items = [{"no": n, "payment": i.payment_id, "measure": i.measure, "number": numbers_.get(i.measure, i.measure),
              "label": labels.get(i.measure, i.measure), "year": i.year, "amount": i.amount, "note": i.note,
              **_receipt_of(i.payment)}
             for n, i in enumerate(request.items.select_related("payment"), start=1)]
    released = [line["released"] for line in lines if line["released"] is not None]
    return {"lines": lines, "items": items, "expenses": sum((i["amount"] for i in items), ZERO),
            "requested": sum((line["requested"] for line in lines), ZERO),
            "released": sum(released, ZERO) if request.state == R_RELEASED else None}


# --- the proof of use (Verwendungsnachweis) ---------------------------------------------------------

PROOF_GRANT = ("approved", "requested", "released", "left")
PROOF_EXPENSES = ("cost", "expenses", "cited", "grant", "own")


def years_until(application: Application) -> int | None:
    """The first programme year after ``application``'s that another approved application of the
    concept covers (None where none does): the proof of use of ``application`` lists the expenses
    of its programme year up to that year, the later ones are the later application's (decision 0065)."""
    return (Application.objects.filter(concept_id=application.concept_id, year__gt=application.year, state=APPROVED)
            .order_by("year").values_list("year", flat=True).first())


def proof_of_use(concept, application: Application) -> dict:
    """The numerical proof of use of ``application``'s approval, from the same rows as everything
    else: ``grant`` – per measure, year and grant source of the approval in force: approved,
    requested (by submitted and released requests), released, approved minus released ("left");
    ``expenses`` – per measure and year: the planned cost (as submitted), the expenses paid (isek's
    payments), those cited by submitted or released requests, the income from the grant (released,
    Bund and Land) and the rest, the city's own and third parties' funds (expenses minus grant);
    their totals; each line's check by the authority (``checks``, by key); the Sachberichte."""
    current = current_approval(application)
    labels, numbers_, sources = _labels(application), _numbers(application), finance.source_labels(concept)
    used = _used(application)
    grant = []
    for line in approval_lines(concept, application) if current else []:
        k = (line["measure"], line["year"], line["source"])
        counted = used.get(k, {})
        released = counted.get("released", ZERO)
        grant.append({"key": line["key"], "measure": line["measure"], "number": numbers_.get(line["measure"], ""),
                      "label": line["label"], "year": line["year"], "source": line["source"],
                      "source_label": line["source_label"], "approved": line["approved"],
                      "requested": counted.get("requested", ZERO), "released": released,
                      "left": line["approved"] - released})
    until = years_until(application)
    basis = {k: v for k, v in _basis(application).items() if until is None or k[1] < until}
    measures = {m for m, _y in _basis(application)}
    paid: dict[tuple[str, int], decimal.Decimal] = {}
    payments = monitoring.Payment.objects.filter(  # of the years the approval covers and no later application
        measure__concept=concept, measure_id__in={int(m) for m in measures}, year__gte=application.year)
    if until is not None:
        payments = payments.filter(year__lt=until)
    listed = []  # the Belegliste: every payment with its date, payee, purpose and receipt number (0082)
    for pk, measure_id, year, amount, paid_on, payee, receipt, note in payments.values_list(
            "pk", "measure_id", "year", "amount", "paid_on", "payee", "receipt", "note"):
        paid[(str(measure_id), year)] = paid.get((str(measure_id), year), ZERO) + amount
        listed.append({"payment": pk, "key": f"{measure_id}-{year}", "measure": str(measure_id),
                       "number": numbers_.get(str(measure_id), ""), "label": labels.get(str(measure_id), str(measure_id)),
                       "year": year, "paid_on": paid_on, "payee": payee, "receipt": receipt, "note": note,
                       "amount": amount})
    listed.sort(key=lambda r: (diff._order(r["measure"], labels), r["year"], r["paid_on"] or datetime.date.max,
                               r["payment"]))
    for n, row in enumerate(listed, start=1):
        row["no"] = n
    cited: dict[tuple[str, int], decimal.Decimal] = {}
    for item in PaymentRequestItem.objects.filter(request__application=application, request__state__in=COUNTING):
        cited[(item.measure, item.year)] = cited.get((item.measure, item.year), ZERO) + item.amount
    received: dict[tuple[str, int], decimal.Decimal] = {}
    for row in grant:
        received[(row["measure"], row["year"])] = received.get((row["measure"], row["year"]), ZERO) + row["released"]
    schedule = {str(pk): (start.year if start else None, end.year if end else None)  # the measures' Beginn/Ende
                for pk, start, end in concept.measures.filter(pk__in={int(m) for m, _y in (*basis, *paid)})
                .values_list("pk", "start", "end")}
    expenses = []
    for m, y in sorted(set(basis) | set(paid), key=lambda k: (diff._order(k[0], labels), k[1])):
        spent, income = paid.get((m, y), ZERO), received.get((m, y), ZERO)
        cost = basis.get((m, y), {}).get("cost", ZERO)
        expenses.append({"key": f"{m}-{y}", "measure": m, "number": numbers_.get(m, ""), "label": labels.get(m, m),
                         "year": y, "cost": cost, "expenses": spent,
                         "cited": cited.get((m, y), ZERO), "grant": income, "own": spent - income,
                         "flags": _expense_flags(spent, cost, y, *schedule.get(m, (None, None)))})
    submissions = list(application.proof_submissions.select_related("submitted_by", "decided_by")
                       .prefetch_related(Prefetch("documents", ProofDocument.objects.defer("content"))))
    last = submissions[-1] if submissions else None
    # submitted, or accepted as the final proof: its figures, the expenses recorded since apart (decision
    # 0075); an accepted interim proof keeps its own figures and leaves the page to the next proof (0085)
    frozen = last if last is not None and (last.state == P_SUBMITTED or last.closes) else None
    later: list[dict] = []
    receipts: list[dict] | None = listed
    if frozen is not None:
        grant, expenses, later = _as_submitted(frozen.snapshot, grant, expenses, sources)
        receipts = _receipts_as_submitted(frozen.snapshot)  # None: kept before the Belegliste (0082)
    by_line: dict[str, list[dict]] = {}
    for row in receipts or ():
        by_line.setdefault(row["key"], []).append(row)
    for row in expenses:
        row["receipts"] = by_line.get(row["key"], [])
    # a round of checks begins with each accepted interim proof: its checks and queries were about its
    # figures, so the next proof's lines are checked afresh; the older words stay in the line's history,
    # marked ``earlier`` (said "zum Zwischennachweis"), and count for nothing now
    begun = max((s.decided_at for s in submissions if s.state == P_ACCEPTED and s.interim and s.decided_at),
                default=None)
    checks = {c.key: c for c in application.proof_checks.select_related("checked_by")
              if begun is None or c.checked_at > begun}
    history: dict[str, list[ProofEntry]] = {}
    for entry in application.proof_entries.select_related("created_by"):
        entry.earlier = begun is not None and entry.created_at <= begun
        history.setdefault(entry.key, []).append(entry)
    for row in (*grant, *expenses):
        row["check"] = checks.get(row["key"])
        row["history"] = history.get(row["key"], [])
        now = [e for e in row["history"] if not e.earlier]
        row["status"] = now[-1].kind if now else ""  # the newest word of this round stands
    reports = [r for r in monitoring.reports_of(concept, 50) if r.kind == "sachbericht" and r.status == "done"]
    rows = (*grant, *expenses)
    return {"approval": current, "bescheid": bescheid_named(current) if current else "", "grant": grant, "expenses": expenses, "checks": checks,
            "frozen": frozen, "later": later,
            "queries": [r for r in rows if r["status"] == ProofEntry.Kind.QUERIED],
            "answered": [r for r in rows if r["status"] == ProofEntry.Kind.ANSWERED],
            "submissions": submissions, "submission": submissions[-1] if submissions else None,
            "last_year": max((r["year"] for r in grant), default=None),
            "grant_total": {w: sum((r[w] for r in grant), ZERO) for w in PROOF_GRANT},
            "expenses_total": {w: sum((r[w] for r in expenses), ZERO) for w in PROOF_EXPENSES},
            "sources": sources, "sachberichte": reports, "until": until, "receipts": receipts,
            "receipts_total": sum((r["amount"] for r in receipts or ()), ZERO),
            "checked": sum(1 for r in (*grant, *expenses) if r["check"] and r["check"].state == ProofCheck.State.CHECKED),
            "lines": len(grant) + len(expenses), "flagged": sum(1 for r in expenses if r["flags"])}


def _as_submitted(kept: dict, grant: list[dict], expenses: list[dict], sources: dict) -> tuple[list, list, list]:
    """The rows of the proof of use as the submission ``kept`` them (its snapshot: figures, flags),
    and the expense lines whose paid expenses differ now ("later": recorded after the submission,
    shown apart and never counted into the submitted figures)."""
    live = {r["key"]: r for r in (*grant, *expenses)}

    def rows(kept_rows: list[dict], figures: tuple[str, ...]) -> list[dict]:
        out = []
        for r in kept_rows:
            row = {**live.get(r["key"], {}), **{k: v for k, v in r.items() if k != "status"},
                   **{w: decimal.Decimal(r[w]) for w in figures}}
            row.setdefault("measure", r["key"].split("-", 1)[0])
            row.setdefault("label", r["label"])
            if "source" in r:
                row["source_label"] = sources.get(r["source"], r["source"])
            out.append(row)
        return out

    kept_expenses = {r["key"]: decimal.Decimal(r["expenses"]) for r in kept.get("expenses", [])}
    later = [{"key": r["key"], "number": r["number"], "label": r["label"], "year": r["year"],
              "before": kept_expenses.get(r["key"], ZERO), "now": r["expenses"],
              "delta": r["expenses"] - kept_expenses.get(r["key"], ZERO)}
             for r in expenses if r["expenses"] != kept_expenses.get(r["key"], ZERO)]
    return rows(kept.get("grant", []), PROOF_GRANT), rows(kept.get("expenses", []), PROOF_EXPENSES), later


def _receipts_as_submitted(kept: dict) -> list[dict] | None:
    """The Belegliste as a submitted proof of use kept it (None where it kept none: submitted before
    decision 0082 – its figures stand without one)."""
    if "receipts" not in kept:
        return None
    return [{**r, "paid_on": datetime.date.fromisoformat(r["paid_on"]) if r.get("paid_on") else None,
             "amount": decimal.Decimal(r["amount"])} for r in kept["receipts"]]


def _expense_flags(spent, cost, year: int, start: int | None, end: int | None) -> list[str]:
    """What the authority should look at in an expense line of the proof of use: expenses paid
    above the planned cost, a year outside the measure's time plan (Beginn–Ende, where set)."""
    flags = []
    if spent > cost:
        flags.append(_("über den geplanten Kosten"))
    if spent and ((start is not None and year < start) or (end is not None and year > end)):
        flags.append(_("außerhalb des Zeitplans der Maßnahme (%(start)s–%(end)s)") % {
            "start": start or "", "end": end or ""})
    return flags


def proof_of(user, concept, application: Application, *, empty: bool = False) -> dict:
    """``proof_of_use`` for whoever may see the application; refused where it has no approval
    (``empty``: then a proof without lines, for the API)."""
    access.require(user, "application", "view", concept, submitted=application.is_submitted)
    if current_approval(application) is None and not empty:
        raise invalid(_("Einen Verwendungsnachweis gibt es erst zu einem bewilligten Antrag."), "state")
    return proof_of_use(concept, application)


def check_proof_line(user, concept, application: Application, *, key: str, state: str, remark: str = "",
                     via: str = "web") -> ProofCheck:
    """The funding authority marks one line of the proof of use checked, or queries it with a remark."""
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "proof", "check", concept, submitted=application.is_submitted)
    if current_approval(application) is None:
        raise invalid(_("Einen Verwendungsnachweis gibt es erst zu einem bewilligten Antrag."), "state")
    proof = proof_of_use(concept, application)
    remark, errors = (remark or "").strip(), {}
    if key not in {row["key"] for row in (*proof["grant"], *proof["expenses"])}:
        errors["key"] = _("Diese Zeile gibt es im Verwendungsnachweis nicht.")
    if state not in ProofCheck.State.values:
        errors["state"] = _("Bitte wählen Sie „geprüft“ oder „Rückfrage“.")
    elif state == ProofCheck.State.QUERIED and not remark:
        errors["remark"] = _("Bitte schreiben Sie zur Rückfrage, was zu klären ist.")
    if len(remark) > 2000:
        errors["remark"] = _("Der Vermerk darf höchstens 2000 Zeichen lang sein.")
    if errors:
        raise _errors(errors)
    if refusal := _closed(proof):
        raise invalid(refusal, "accepted")
    with change(user, via):
        check = ProofCheck.objects.filter(application=application, key=key).first() or ProofCheck(
            application=application, key=key)
        check.state, check.remark, check.checked_by = state, remark, None if user.pk is None else user
        check.save()
        ProofEntry.objects.create(application=application, key=key, kind=state, text=remark,
                                  created_by=check.checked_by)
        if state == ProofCheck.State.QUERIED:  # the city's planners hear of the query (decision 0094)
            mail.line_queried(application, key, _line_in_german(application, key), remark)
    return check


# --- the city's answers and the submitted proof of use (decision 0063) ---------------------------------

P_SUBMITTED, P_RETURNED, P_ACCEPTED = (ProofSubmission.State.SUBMITTED, ProofSubmission.State.RETURNED,
                                       ProofSubmission.State.ACCEPTED)


def can_edit_proof(user, concept) -> bool:
    return access.allows(user, "proof", "edit", concept)


def _closed(proof: dict) -> str:
    """Why nothing on the proof of use may change any more ("" while it may): it was accepted as the
    final proof (an accepted interim proof leaves room for the next one, decision 0085)."""
    if proof["submission"] is not None and proof["submission"].closes:
        return _("Der Verwendungsnachweis ist geprüft und abgeschlossen; an ihm ändert sich nichts mehr.")
    return ""


def _row_name(row: dict) -> str:
    return ", ".join(str(x) for x in (row["label"], row["year"], row.get("source_label")) if x)


def _require_proof(user, concept, application: Application, cell: str) -> dict:
    """The proof of use of ``application`` for ``user`` acting on ``cell`` ("edit": the city, "check":
    the authority); refused where the application has no approval."""
    if application.concept_id != concept.pk:
        raise Http404
    access.require(user, "proof", cell, concept, submitted=application.is_submitted)
    if current_approval(application) is None:
        raise invalid(_("Einen Verwendungsnachweis gibt es erst zu einem bewilligten Antrag."), "state")
    return proof_of_use(concept, application)


def answer_query(user, concept, application: Application, *, key: str, text: str = "",
                 via: str = "web") -> ProofEntry:
    """The city answers the authority's open query on one line of the proof of use; the authority
    then checks the line or queries it again. A line without an open query (none, already answered,
    or checked) is refused, as is an empty answer."""
    proof = _require_proof(user, concept, application, "edit")
    rows = {row["key"]: row for row in (*proof["grant"], *proof["expenses"])}
    text, errors = (text or "").strip(), {}
    if refusal := _closed(proof):
        raise invalid(refusal, "accepted")
    if key not in rows:
        errors["key"] = _("Diese Zeile gibt es im Verwendungsnachweis nicht.")
    elif rows[key]["status"] == ProofEntry.Kind.ANSWERED:
        errors["key"] = _("Diese Rückfrage ist schon beantwortet; die Bewilligungsbehörde prüft die Antwort.")
    elif rows[key]["status"] != ProofEntry.Kind.QUERIED:
        errors["key"] = _("Zu dieser Zeile gibt es keine offene Rückfrage.")
    if not text:
        errors["text"] = _("Bitte schreiben Sie eine Antwort auf die Rückfrage.")
    elif len(text) > 2000:
        errors["text"] = _("Die Antwort darf höchstens 2000 Zeichen lang sein.")
    if errors:
        raise _errors(errors)
    with change(user, via):
        entry = ProofEntry.objects.create(application=application, key=key, kind=ProofEntry.Kind.ANSWERED, text=text,
                                          created_by=None if user.pk is None else user)
        mail.query_answered(application, key, _line_in_german(application, key), text)  # the authority hears (0094)
    return entry


def proof_submit_refusal(proof: dict) -> str:
    """Why the city cannot submit the proof of use now ("" where it can): one is waiting for the
    authority's decision or was accepted, or a query is not answered yet."""
    last = proof["submission"]
    if last is not None and last.state == P_SUBMITTED:
        return _("Der Verwendungsnachweis (Version %(version)s) ist eingereicht und wird geprüft; eine neue Version "
                 "lässt sich erst einreichen, wenn die Bewilligungsbehörde ihn zurückgibt.") % {"version": last.version}
    if refusal := _closed(proof):
        return refusal
    if proof["queries"]:
        return _("Bitte beantworten Sie zuerst die offenen Rückfragen der Bewilligungsbehörde: %(lines)s.") % {
            "lines": "; ".join(_row_name(r) for r in proof["queries"])}
    return ""


def _proof_snapshot(proof: dict) -> dict:
    """What a submitted proof of use keeps of its figures: every line and total as text, with the
    line's state (the newest word on it) at the time, and the Belegliste (decision 0082)."""
    def plain(row, figures):
        return {"key": row["key"], "number": row["number"], "label": row["label"], "year": row["year"],
                **({"source": row["source"]} if "source" in row else {}), **{w: str(row[w]) for w in figures},
                "flags": row.get("flags", []), "status": row["status"]}

    approval = proof["approval"]
    return {"approval": approval.file_number, "decided_on": approval.decided_on.isoformat(),
            "grant": [plain(r, PROOF_GRANT) for r in proof["grant"]],
            "grant_total": {w: str(v) for w, v in proof["grant_total"].items()},
            "expenses": [plain(r, PROOF_EXPENSES) for r in proof["expenses"]],
            "expenses_total": {w: str(v) for w, v in proof["expenses_total"].items()},
            "receipts": [{"no": r["no"], "payment": r["payment"], "key": r["key"], "number": r["number"],
                          "label": r["label"], "year": r["year"],
                          "paid_on": r["paid_on"].isoformat() if r["paid_on"] else "", "payee": r["payee"],
                          "receipt": r["receipt"], "note": r["note"], "amount": str(r["amount"])}
                         for r in proof["receipts"] or ()]}


def is_interim(proof: dict, today: datetime.date | None = None) -> bool:
    """Would a proof submitted ``today`` be a Zwischennachweis: the approval still grants money for
    this year or a later one (decision 0085)? Accepted, it leaves room for the next proof."""
    return proof["last_year"] is not None and proof["last_year"] >= (today or timezone.localdate()).year


def submit_proof(user, concept, application: Application, *, report: str = "", confirmed: bool = False,
                 via: str = "web", today: datetime.date | None = None) -> ProofSubmission:
    """The city submits the proof of use: its Sachbericht (text) and its confirmation that the
    figures are complete and right; the figures are kept as a snapshot, the PDF and the Excel
    workbook as bytes with their SHA-256 – from then on nothing of it changes. The next version
    follows a return only."""
    proof = _require_proof(user, concept, application, "edit")
    if refusal := proof_submit_refusal(proof):
        raise invalid(refusal, "state")
    report, errors = (report or "").strip(), {}
    if not report:
        errors["report"] = _("Bitte schreiben Sie den Sachbericht: was mit der Zuwendung erreicht wurde.")
    elif len(report) > 20000:
        errors["report"] = _("Der Sachbericht darf höchstens 20.000 Zeichen lang sein.")
    if not confirmed:
        errors["confirmed"] = _("Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind.")
    if errors:
        raise _errors(errors)
    version = (proof["submission"].version if proof["submission"] else 0) + 1
    stem = f"{concept.slug}-verwendungsnachweis-{application.year}-v{application.version}-n{version}"
    written = []
    with tempfile.TemporaryDirectory(prefix="isek-proof-") as tmp:
        for kind, write in ((ProofDocument.Kind.PDF, lambda path: write_proof_pdf(concept, application, path, report)),
                            (ProofDocument.Kind.XLSX, lambda path: write_proof_xlsx(concept, application, path))):
            path = Path(tmp) / f"proof.{kind}"
            pages = write(path)
            data = path.read_bytes()
            written.append(ProofDocument(kind=kind, filename=f"{stem}.{kind}", content=data, size=len(data),
                                         sha256=hashlib.sha256(data).hexdigest(),
                                         pages=pages if isinstance(pages, int) else None))
    try:
        with change(user, via):
            submission = ProofSubmission.objects.create(
                application=application, version=version, report=report, snapshot=_proof_snapshot(proof),
                interim=is_interim(proof, today), submitted_by=None if user.pk is None else user)
            for document in written:
                document.submission = submission
                document.save()
            mail.proof_submitted(application, submission)
    except IntegrityError:  # submitted meanwhile by someone else
        raise invalid(_("Der Verwendungsnachweis wurde inzwischen schon eingereicht."), "submitted") from None
    return submission


def _pending(user, concept, application: Application) -> tuple[dict, ProofSubmission]:
    proof = _require_proof(user, concept, application, "check")
    last = proof["submission"]
    if last is None or last.state != P_SUBMITTED:
        state = last.get_state_display() if last else _("nicht eingereicht")
        raise invalid(_("Entscheiden lässt sich nur über einen eingereichten Verwendungsnachweis; dieser ist "
                        "„%(state)s“.") % {"state": state}, "state")
    return proof, last


def accept_proof(user, concept, application: Application, *, via: str = "web") -> ProofSubmission:
    """The authority accepts the submitted proof of use ("geprüft und abgeschlossen"); refused while
    a line's newest word is a query or the city's answer to one (check it, or return the proof)."""
    proof, last = _pending(user, concept, application)
    if unsettled := [*proof["queries"], *proof["answered"]]:
        raise invalid(_("Noch nicht geklärt: %(lines)s. Bitte prüfen Sie diese Zeilen (geprüft) oder geben Sie den "
                        "Verwendungsnachweis zurück.") % {"lines": "; ".join(_row_name(r) for r in unsettled)},
                      "unsettled")
    with change(user, via):
        last.state, last.decided_at, last.decided_by = P_ACCEPTED, timezone.now(), None if user.pk is None else user
        last.save(update_fields=["state", "decided_at", "decided_by"])
        mail.proof_decided(application, last)
    return last


def return_proof(user, concept, application: Application, *, reason: str = "", via: str = "web") -> ProofSubmission:
    """The authority returns the submitted proof of use with a reason; the city submits a new version."""
    _proof, last = _pending(user, concept, application)
    reason = _return_reason(reason, _("Bitte begründen Sie, warum der Verwendungsnachweis zurückgegeben wird."))
    with change(user, via):
        last.state, last.reason, last.decided_at = P_RETURNED, reason, timezone.now()
        last.decided_by = None if user.pk is None else user
        last.save(update_fields=["state", "reason", "decided_at", "decided_by"])
        mail.proof_decided(application, last)
    return last


def proof_document_of(user, concept, application_pk, pk) -> ProofDocument:
    """A document of a submitted proof of use, for whoever may see the application; refused
    (ValidationError) where its bytes no longer match the SHA-256 kept when it was submitted."""
    app = application_of(user, concept, application_pk)
    found = ProofDocument.objects.filter(submission__application=app, pk=pk).first()
    if found is None:
        raise Http404
    if not found.intact:
        raise invalid(_("Die Datei stimmt nicht mehr mit der beim Einreichen gespeicherten Prüfsumme überein "
                        "und wird nicht ausgeliefert."), "altered")
    return found


def proof_states(applications) -> dict[int, ProofSubmission]:
    """The newest submitted proof of use of each of ``applications`` (by the application's id)."""
    found = {}
    for submission in ProofSubmission.objects.filter(application__in=applications).order_by("version"):
        found[submission.application_id] = submission
    return found


def proof_title(concept, application: Application) -> str:
    return _("Verwendungsnachweis %(concept)s, Antrag %(year)s (Version %(version)s)") % {
        "concept": concept.name, "year": application.year, "version": application.version}


def write_proof_xlsx(concept, application: Application, path) -> None:
    """The proof of use as an Excel workbook: every figure a value (the sums a formula with its
    value cached), sheets "Zuwendung", "Ausgaben" and "Belegliste" as on the page."""
    import xlsxwriter
    from xlsxwriter.utility import xl_rowcol_to_cell

    with translation.override("de"):  # the document for the authority, as the KuF and the Sachbericht
        _write_proof_xlsx(concept, application, path, xlsxwriter, xl_rowcol_to_cell)


def _write_proof_xlsx(concept, application: Application, path, xlsxwriter, xl_rowcol_to_cell) -> None:
    proof = proof_of_use(concept, application)
    approval = proof["approval"]
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    heads = {
        "Zuwendung": ([_("Nr."), _("Maßnahme"), _("Jahr"), _("Quelle"), _("bewilligt (€)"), _("angefordert (€)"),
                       _("freigegeben (€)"), _("verbleibend (€)"), _("Prüfung"), _("Vermerk"), _("Hinweis")],
                      proof["grant"], PROOF_GRANT, "source_label", proof["grant_total"]),
        "Ausgaben": ([_("Nr."), _("Maßnahme"), _("Jahr"), _("geplante Kosten (€)"), _("bezahlte Ausgaben (€)"),
                      _("davon abgerufen (€)"), _("Einnahmen: Zuwendung (€)"), _("Eigen- und Drittmittel (€)"),
                      _("Prüfung"), _("Vermerk"), _("Hinweis")],
                     proof["expenses"], PROOF_EXPENSES, None, proof["expenses_total"]),
    }
    for name, (head, rows, figures, extra, total) in heads.items():
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, proof_title(concept, application), bold)
        if approval is not None:
            sheet.write(1, 0, proof["bescheid"])
        for col, text in enumerate(head):
            sheet.write(3, col, text, bold)
        first = 4
        for r, row in enumerate(rows, start=first):
            cells = [row["number"], row["label"], row["year"]] + ([row[extra]] if extra else [])
            for col, value in enumerate(cells):
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
            start = len(cells)
            for i, w in enumerate(figures):
                sheet.write_number(r, start + i, float(row[w]), money)
            check = row["check"]
            sheet.write_string(r, start + len(figures), str(check.get_state_display()) if check else "")
            sheet.write_string(r, start + len(figures) + 1, check.remark if check else "")
            sheet.write_string(r, start + len(figures) + 2, "; ".join(row.get("flags", ())))
        last = first + len(rows)
        sheet.write(last, 0, _("Summe"), bold)
        start = 4 if extra else 3
        for i, w in enumerate(figures):
            col = start + i
            formula = f"=SUM({xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(max(last - 1, first), col)})" if rows \
                else "=0"
            sheet.write_formula(last, col, formula, money_bold, float(total[w]))
        sheet.set_column(1, 1, 40)
        sheet.set_column(start, start + len(figures) - 1, 16)
    _write_receipts_sheet(book, proof, proof_title(concept, application), bold, money, money_bold, xl_rowcol_to_cell)
    book.close()


def _write_receipts_sheet(book, proof: dict, title: str, bold, money, money_bold, xl_rowcol_to_cell) -> None:
    """The sheet "Belegliste": every paid expense with its laufende Nummer, the date (an Excel date),
    payee, purpose, receipt number and amount; its sum is the sheet "Ausgaben"'s (decision 0082)."""
    sheet = book.add_worksheet(_("Belegliste"))
    sheet.write(0, 0, title, bold)
    if proof["receipts"] is None:
        sheet.write(2, 0, _("Die eingereichte Version enthält keine Belegliste: Sie wurde eingereicht, bevor isek "
                            "Datum, Empfänger und Belegnummer je Ausgabe führte."))
        return
    head = [_("lfd. Nr."), _("Nr."), _("Maßnahme"), _("Jahr"), _("Datum der Zahlung"), _("Empfänger"),
            _("Grund der Zahlung (Gegenstand)"), _("Belegnummer"), _("Betrag (€)")]
    for col, text in enumerate(head):
        sheet.write(3, col, text, bold)
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    first = 4
    for r, row in enumerate(proof["receipts"], start=first):
        sheet.write_number(r, 0, row["no"])
        sheet.write_string(r, 1, str(row["number"]))
        sheet.write_string(r, 2, str(row["label"]))
        sheet.write_number(r, 3, row["year"])
        if row["paid_on"]:
            sheet.write_datetime(r, 4, datetime.datetime.combine(row["paid_on"], datetime.time()), day)
        for col, field in ((5, "payee"), (6, "note"), (7, "receipt")):
            if row[field]:  # not given: an empty cell
                sheet.write_string(r, col, row[field])
        sheet.write_number(r, 8, float(row["amount"]), money)
    last = first + len(proof["receipts"])
    sheet.write(last, 0, _("Summe"), bold)
    formula = f"=SUM({xl_rowcol_to_cell(first, 8)}:{xl_rowcol_to_cell(last - 1, 8)})" if proof["receipts"] else "=0"
    sheet.write_formula(last, 8, formula, money_bold, float(proof["receipts_total"]))
    sheet.set_column(2, 2, 40)
    sheet.set_column(4, 4, 12)
    sheet.set_column(5, 6, 30)
    sheet.set_column(7, 8, 16)


def write_proof_pdf(concept, application: Application, path, report: str = "") -> int:
    """The proof of use as a PDF (core.pdf, as the Sachbericht and the KuF): the same two tables,
    the approval, the queries with their answers, the Sachbericht (``report``: the text the city
    submits with it) and the measures' titles."""
    from isek.core import pdf

    proof = proof_of_use(concept, application)
    if not report and proof["frozen"] is not None:  # the live PDF of a submitted proof: the Sachbericht it has
        report = proof["frozen"].report
    with translation.override("de"):
        return pdf.write("procedure/proof_pdf.html", {
            "concept": concept, "app": application, "title": proof_title(concept, application), "report": report,
            **proof}, path)


# --- what waits for whom: the authority's and the city's to-do lists (decision 0067) ---------------

TODO_KINDS = ("application", "payment_request", "proof", "answer")  # the authority's, in the order they are counted
CITY_TODO_KINDS = ("change_request", "returned_request", "query", "returned_proof", "approval")


def _newest_words():
    """The entries of the proof of use that are the newest word on their line (no later entry on it)."""
    later = ProofEntry.objects.filter(application=OuterRef("application"), key=OuterRef("key")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id")))
    return ProofEntry.objects.filter(~Exists(later))


def _item(kind: str, app: Application, since, url: str, what: str, detail: str = "") -> dict:
    concept = app.concept
    return {"kind": kind, "city": concept.city.name, "concept": concept.name, "slug": concept.slug,
            "application": app.pk, "year": app.year, "version": app.version, "since": since, "url": url,
            "what": what, "detail": detail}


def _line_in_german(app: Application, key: str) -> str:
    """``_line_name`` in German, as the procedure's mails write it."""
    with translation.override("de"):
        return _line_name(app, key)


def _line_name(app: Application, key: str) -> str:
    """A line of the proof of use ("<measure>-<year>[-<source>]") as a person reads it."""
    parts = key.split("-")
    labels = _labels(app)
    if len(parts) >= 2 and parts[0] in labels:
        source = finance.SOURCE_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else ""
        return ", ".join(str(x) for x in (labels[parts[0]], parts[1], source) if x)
    return key


def authority_todo(user, authority) -> dict:
    """What waits for ``authority`` in its district, oldest first: applications submitted and not
    yet in review (the newest version of each programme year), payment requests submitted and not
    yet released or returned, proofs of use submitted and not yet decided, and the city's answers
    to its queries on the proof of use not yet checked (one entry per line whose newest word is the
    city's answer). ``items``: {"kind", "city", "concept", "slug", "application", "year",
    "version", "since", "url", "what", "detail"}; ``counts`` per kind (``TODO_KINDS``), ``total``.
    A fixed number of queries, whatever the district holds."""
    access.require_site(user, "portfolio", "view", authority=authority)
    prefixes = list(authority.prefixes.values_list("prefix", flat=True))

    def district(path: str) -> Q:
        found = Q(pk__in=[])
        for prefix in prefixes:
            found |= Q(**{f"{path}concept__city__ags__startswith": prefix})
        return found

    items = []
    newer = Application.objects.filter(concept=OuterRef("concept"), year=OuterRef("year"), state__in=SENT,
                                       version__gt=OuterRef("version"))
    for app in (Application.objects.filter(district(""), state=SUBMITTED).filter(~Exists(newer))
                .select_related("concept__city")):
        items.append(_item("application", app, app.submitted_at,
                           reverse("procedure:application", args=[app.concept.slug, app.pk]),
                           _("Antrag %(year)s (Version %(version)s) prüfen") % {"year": app.year, "version": app.version}))
    for pr in (PaymentRequest.objects.filter(district("application__"), state=R_SUBMITTED)
               .select_related("application__concept__city")):
        app = pr.application
        items.append(_item("payment_request", app, pr.submitted_at,
                           reverse("procedure:payment-request", args=[app.concept.slug, app.pk, pr.number]),
                           _("Mittelabruf Nr. %(number)s freigeben oder zurückgeben") % {"number": pr.number},
                           _("Antrag %(year)s, Version %(version)s") % {"year": app.year, "version": app.version}))
    for proof in (ProofSubmission.objects.filter(district("application__"), state=P_SUBMITTED)
                  .select_related("application__concept__city")):
        app = proof.application
        items.append(_item("proof", app, proof.submitted_at, reverse("procedure:proof", args=[app.concept.slug, app.pk])
                           + "#proof-state", _("Verwendungsnachweis (Version %(version)s) prüfen") % {
                               "version": proof.version},
                           _("Antrag %(year)s, Version %(version)s") % {"year": app.year, "version": app.version}))
    for entry in (_newest_words().filter(district("application__"), kind=ProofEntry.Kind.ANSWERED)
                  .select_related("application__concept__city")):
        app = entry.application
        items.append(_item("answer", app, entry.created_at,
                           reverse("procedure:proof", args=[app.concept.slug, app.pk]) + f"#line-{entry.key}",
                           _("Antwort auf die Rückfrage prüfen: %(line)s") % {"line": _line_name(app, entry.key)},
                           _("Antrag %(year)s, Version %(version)s") % {"year": app.year, "version": app.version}
                           + f" – {entry.text}"))
    return _todo(items, TODO_KINDS)


TODO_WORDS = {  # how a count of each kind reads in the heading
    "application": lambda n: ngettext("%(n)s Antrag", "%(n)s Anträge", n),
    "payment_request": lambda n: ngettext("%(n)s Mittelabruf", "%(n)s Mittelabrufe", n),
    "proof": lambda n: ngettext("%(n)s Verwendungsnachweis", "%(n)s Verwendungsnachweise", n),
    "answer": lambda n: ngettext("%(n)s Antwort auf eine Rückfrage", "%(n)s Antworten auf Rückfragen", n),
    "change_request": lambda n: ngettext("%(n)s Nachforderung", "%(n)s Nachforderungen", n),
    "returned_request": lambda n: ngettext("%(n)s zurückgegebener Mittelabruf", "%(n)s zurückgegebene Mittelabrufe", n),
    "query": lambda n: ngettext("%(n)s Rückfrage", "%(n)s Rückfragen", n),
    "returned_proof": lambda n: ngettext("%(n)s zurückgegebener Verwendungsnachweis",
                                         "%(n)s zurückgegebene Verwendungsnachweise", n),
    "approval": lambda n: ngettext("%(n)s Bescheid", "%(n)s Bescheide", n),
}


def _todo(items: list[dict], kinds) -> dict:
    """The to-do list: ``items`` oldest first, the count per kind, the total and the counts as words
    ("2 Anträge, 1 Mittelabruf") for the heading."""
    items.sort(key=lambda i: (i["since"] is None, i["since"] or timezone.now(), i["city"], i["concept"]))
    counts = {k: sum(1 for i in items if i["kind"] == k) for k in kinds}
    summary = ", ".join(TODO_WORDS[k](n) % {"n": n} for k, n in counts.items() if n)
    return {"items": items, "counts": counts, "total": len(items), "summary": summary}


def start_todo(user) -> list[dict]:
    """The start page's hint (decision 0072): per to-do list of decision 0067 that is the signed-in
    ``user``'s own – the portfolio of each funding authority on whose staff they are, the list of
    applications of each concept they hold a role in that has a submitted application and on which
    they may act – {"label", "url" (the list, at its "Zu erledigen"), "total"}. The installation's
    administrator, who reads every authority, is on no staff: no counts. Each list costs its own
    fixed number of queries; a concept without a submitted application costs none."""
    if user is None or not user.is_authenticated:
        return []
    from isek.concepts.services import Concept, FundingAuthority

    found = []
    for authority in FundingAuthority.objects.filter(staff__user=user).distinct().order_by("name"):
        found.append({"label": authority.name, "total": authority_todo(user, authority)["total"],
                      "url": reverse("authority:portfolio", args=[authority.pk]) + "#todo"})
    concepts = Concept.objects.filter(roles__user=user, applications__state__in=SENT).distinct().order_by("name")
    for concept in concepts.select_related("city"):
        if (todo := city_todo(user, concept)) is not None:
            found.append({"label": f"{concept.name} ({concept.city.name})", "total": todo["total"],
                          "url": reverse("procedure:applications", args=[concept.slug]) + "#todo"})
    return found


def city_todo(user, concept, today: datetime.date | None = None) -> dict | None:
    """What waits for the city's planners on ``concept``, oldest first – each only for those who
    may act on it: change requests (Nachforderungen) not yet answered by a new version, payment
    requests the authority returned (with its reason) and not yet followed by a new one, queries on
    the proof of use not yet answered, a returned proof of use not yet followed by a new version,
    and an approval received with no payment request since. As ``authority_todo``; None where
    ``user`` may act on none of them. A fixed number of queries.

    An approval whose first year is still ahead (``today``: the day to judge it by, the tests'; the
    pages never pass it) is not a task yet – no paid expense of that year can be recorded: it is a
    note ("Mittelabruf ab 2027 möglich"), in ``notes``, not counted."""
    today = today or timezone.localdate()
    notes = []
    may = {"edit": access.allows(user, "application", "edit", concept),
           "request": access.allows(user, "payment_request", "edit", concept),
           "proof": access.allows(user, "proof", "edit", concept)}
    if not any(may.values()):
        return None
    items = []

    def label(app):
        return _("Antrag %(year)s, Version %(version)s") % {"year": app.year, "version": app.version}

    if may["edit"]:
        for remark in (Remark.objects.filter(application__concept=concept, kind=Remark.Kind.REQUEST, state=OPEN)
                       .select_related("application__concept__city")):
            app = remark.application
            items.append(_item("change_request", app, remark.created_at,
                               reverse("procedure:application", args=[concept.slug, app.pk]) + "#review",
                               _("Nachforderung beantworten: %(about)s") % {"about": remark.label},
                               f"{label(app)} – {remark.text}"))
    if may["request"]:
        later = PaymentRequest.objects.filter(application=OuterRef("application"), created_at__gt=OuterRef("decided_at"))
        for pr in (PaymentRequest.objects.filter(application__concept=concept, state=R_RETURNED).filter(~Exists(later))
                   .select_related("application__concept__city")):
            app = pr.application
            items.append(_item("returned_request", app, pr.decided_at,
                               reverse("procedure:payment-request", args=[concept.slug, app.pk, pr.number]),
                               _("Mittelabruf Nr. %(number)s zurückgegeben: neu stellen") % {"number": pr.number},
                               _("%(application)s – Begründung: %(reason)s") % {"application": label(app),
                                                                                "reason": pr.reason}))
        newer_approval = Approval.objects.filter(application=OuterRef("application"), created_at__gt=OuterRef("created_at"))
        requested = PaymentRequest.objects.filter(application=OuterRef("application"),
                                                  created_at__gt=OuterRef("created_at"))
        for approval in (Approval.objects.filter(application__concept=concept, application__state=APPROVED)
                         .filter(~Exists(newer_approval), ~Exists(requested))
                         .select_related("application__concept__city")):
            app = approval.application
            if (first := _first_year(approval)) > today.year:
                notes.append({"kind": "approval", "application": app.pk,
                              "url": reverse("procedure:payment-requests", args=[concept.slug, app.pk]),
                              "what": (_("Änderungsbescheid %(number)s erhalten") if approval.amends_id else
                                       _("Zuwendungsbescheid %(number)s erhalten")) % {"number": approval.file_number},
                              "detail": _("Mittelabruf ab %(year)s möglich (bezahlte Ausgaben werden im Jahr der Zahlung "
                                          "erfasst)") % {"year": first}})
                continue
            items.append(_item("approval", app, approval.created_at,
                               reverse("procedure:payment-requests", args=[concept.slug, app.pk]),
                               (_("Änderungsbescheid %(number)s erhalten: Mittel abrufen") if approval.amends_id else
                                _("Zuwendungsbescheid %(number)s erhalten: Mittel abrufen")) % {
                                   "number": approval.file_number},
                               _("%(application)s – Bescheid vom %(date)s") % {
                                   "application": label(app), "date": _day(approval.decided_on)}))
    if may["proof"]:
        for entry in (_newest_words().filter(application__concept=concept, kind=ProofEntry.Kind.QUERIED)
                      .select_related("application__concept__city")):
            app = entry.application
            items.append(_item("query", app, entry.created_at,
                               reverse("procedure:proof", args=[concept.slug, app.pk]) + f"#line-{entry.key}",
                               _("Rückfrage zum Verwendungsnachweis beantworten: %(line)s") % {
                                   "line": _line_name(app, entry.key)}, f"{label(app)} – {entry.text}"))
        newer_proof = ProofSubmission.objects.filter(application=OuterRef("application"), version__gt=OuterRef("version"))
        for proof in (ProofSubmission.objects.filter(application__concept=concept, state=P_RETURNED)
                      .filter(~Exists(newer_proof)).select_related("application__concept__city")):
            app = proof.application
            items.append(_item("returned_proof", app, proof.decided_at,
                               reverse("procedure:proof", args=[concept.slug, app.pk]) + "#proof-state",
                               _("Verwendungsnachweis (Version %(version)s) zurückgegeben: neue Version einreichen") % {
                                   "version": proof.version},
                               _("%(application)s – Begründung: %(reason)s") % {"application": label(app),
                                                                                "reason": proof.reason}))
    return _todo(items, CITY_TODO_KINDS) | {"notes": notes}


def returned_request_payments(user, concept, application: Application, number) -> dict:
    """What a new draft in place of the returned request numbered ``number`` starts with – the
    returned request opened as a new draft (decision 0067: a returned request is never corrected and
    submitted again; it stays as the authority returned it, and the city corrects a copy, decision 0105):
    {"request": the returned request, "reason": why it was returned, "payments": the ids of its
    payments that may be cited again, "missing": the labels of those that may not (cited meanwhile by
    another request, or deleted), "amounts": per line key ("<measure>-<year>-<source>") the amount it
    requested – for the lines whose payments are all still free (a line that lost one asks its new
    share)}. Refused with a message where ``number`` names no returned request of ``application``."""
    _require_request(user, concept, application)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = None
    found = (application.payment_requests.filter(number=number).first() if number is not None else None)
    if found is None or found.state != R_RETURNED:
        raise invalid(_("Nur ein zurückgegebener Mittelabruf dieses Antrags lässt sich als Vorlage verwenden."),
                      "not_returned")
    offered = {p.pk for p in available_payments(concept, application)}
    labels = _labels(application)
    payments, missing, lost = [], [], set()
    for item in found.items.all():
        if item.payment_id in offered:
            payments.append(item.payment_id)
        else:
            lost.add((item.measure, item.year))
            missing.append(f"{labels.get(item.measure, item.measure)}, {item.year}: {_euro(item.amount)} €"
                           + (f" – {item.note}" if item.note else ""))
    amounts = {line.key: line.requested for line in found.lines.all() if (line.measure, line.year) not in lost}
    return {"request": found, "reason": found.reason, "payments": payments, "missing": missing, "amounts": amounts}
