"""Mails on the funding procedure's steps (issue #23, decisions 0087 and 0094), so that nobody has to
look at the pages for news: the staff of the district's funding authority hear when the city submits
an application or a new version (naming the change requests it answers), a payment request or a
proof of use, and when it answers a query on a line of the proof of use; the concept's planners
when the authority comments on an application or asks for changes (Nachforderung), queries a line
of the proof of use, enters its approval, releases or returns a payment request, accepts or
returns a proof of use.

One mail per person and step, each to one address (nobody sees who else got it), in German (isek
keeps no language per person), with the link to the page; sent by Django's configured mail
backend once the step's transaction has committed – a step undone sends nothing – and a mail
server that fails is logged, never the step's failure."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from isek.concepts import services as concepts
from isek.core import numbers

log = logging.getLogger(__name__)

AUTHORITY, PLANNERS = "authority", "planners"  # the side a step's mail goes to


def _addresses(users) -> list[str]:
    """The addresses of ``users`` who can be written to (active, with an address), each once."""
    seen: dict[str, str] = {}
    for user in users:
        address = (user.email or "").strip()
        if user.is_active and address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def recipients(concept, side: str) -> list[str]:
    """Who hears of a step on ``concept``: the staff of the funding authority whose district holds
    its city (``AUTHORITY``), or the people with the planner role on the concept (``PLANNERS``)."""
    if side == AUTHORITY:
        authority = concepts.authority_of(concept.city)
        return _addresses(concepts.authority_staff(authority)) if authority is not None else []
    return _addresses(m.user for m in concepts.members(concept).filter(role="planner"))


def link(name: str, *args) -> str:
    """The absolute address of a page (``ISEK_BASE_URL`` + its path)."""
    return settings.ISEK_BASE_URL.rstrip("/") + reverse(name, args=args)


def _send(addresses: list[str], subject: str, body: str) -> None:
    for address in addresses:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a failing mail server must not fail the step, which has committed
            log.exception("procedure mail %r to %s not sent", subject, address)


def tell(concept, side: str, subject: str, text: str, url: str) -> None:
    """Send ``subject`` and ``text`` (German; the caller builds them in ``override("de")``) with the
    link ``url`` to ``side`` of ``concept`` once the current transaction commits."""
    addresses = recipients(concept, side)
    if not addresses:
        return
    with override("de"):
        why = (_("Sie erhalten diese Nachricht, weil Sie bei der Bewilligungsbehörde für die Städtebauförderung "
                 "von %(city)s zuständig sind.") if side == AUTHORITY else
               _("Sie erhalten diese Nachricht, weil Sie die Planungsrolle im Konzept „%(concept)s“ haben."))
        body = "\n".join([_("Guten Tag,"), "", text, "", _("Zur Seite in isek:"), url, "", "-- ",
                          why % {"city": concept.city.name, "concept": concept.name}])
        subject = f"isek: {subject}"
    transaction.on_commit(lambda: _send(addresses, subject, body), robust=True)


def _named(application) -> dict:
    concept = application.concept
    return {"city": concept.city.name, "concept": concept.name, "year": application.year,
            "version": application.version}


def _euro(value) -> str:
    return numbers.money(value, "de")


# --- the city's steps: to the authority's staff ----------------------------------------------------


def application_submitted(application, answered=()) -> None:
    """The documents of ``application`` are written and the authority sees it (procedure.jobs);
    ``answered``: the change requests of earlier versions it answers (the mail names each)."""
    with override("de"):
        named = _named(application)
        if application.version > 1:
            subject = _("Neue Version %(version)s des Antrags von %(city)s für %(year)s") % named
            text = _("%(city)s hat eine neue Version des Antrags „%(concept)s“ für das Programmjahr %(year)s "
                     "eingereicht (Version %(version)s).") % named
            if answered:
                text += "\n\n" + _("Sie beantwortet die Nachforderungen:") + "\n" + "\n".join(
                    "- " + _("zu Version %(version)s, betreffend %(about)s: %(text)s") % {
                        "version": r.application.version, "about": r.about_label, "text": r.text} for r in answered)
        else:
            subject = _("Antrag von %(city)s für %(year)s eingereicht") % named
            text = _("%(city)s hat den Antrag „%(concept)s“ für das Programmjahr %(year)s eingereicht.") % named
    tell(application.concept, AUTHORITY, subject, text,
         link("procedure:application", application.concept.slug, application.pk))


def query_answered(application, key: str, line: str, answer: str) -> None:
    """The city answered the authority's query on the line ``key`` (``line``: its name) of the proof of use."""
    with override("de"):
        named = {**_named(application), "line": line}
        subject = _("Antwort von %(city)s auf eine Rückfrage zum Verwendungsnachweis") % named
        text = (_("%(city)s hat die Rückfrage zur Zeile „%(line)s“ des Verwendungsnachweises zum Antrag „%(concept)s“ "
                  "(Programmjahr %(year)s) beantwortet:") % named + "\n\n" + answer + "\n\n"
                + _("Prüfen Sie die Zeile oder fragen Sie erneut nach."))
    tell(application.concept, AUTHORITY, subject, text,
         link("procedure:proof", application.concept.slug, application.pk) + f"#line-{key}")


def remark_replied(application, remark) -> None:
    """The city answered the authority's comment or change request ``remark`` in words (issue 23)."""
    with override("de"):
        named = {**_named(application), "about": remark.about_label, "kind": remark.get_kind_display()}
        subject = _("Antwort von %(city)s auf Ihren Vermerk zum Antrag %(year)s") % named
        text = (_("%(city)s hat auf Ihren Vermerk (%(kind)s, betreffend %(about)s) zum Antrag „%(concept)s“ für das "
                  "Programmjahr %(year)s (Version %(version)s) geantwortet:") % named
                + "\n\n" + remark.reply + "\n\n"
                + _("Ihr Vermerk:") + "\n" + remark.text)
    tell(application.concept, AUTHORITY, subject, text,
         link("procedure:application", application.concept.slug, application.pk) + f"#remark-{remark.pk}")


def request_submitted(request) -> None:
    application = request.application
    with override("de"):
        named = {**_named(application), "number": request.number}
        subject = _("Mittelabruf Nr. %(number)s von %(city)s eingereicht") % named
        text = _("%(city)s hat den Mittelabruf Nr. %(number)s zum Antrag „%(concept)s“ (Programmjahr %(year)s) "
                 "eingereicht.") % named
    tell(application.concept, AUTHORITY, subject, text,
         link("procedure:payment-request", application.concept.slug, application.pk, request.number))


def proof_submitted(application, submission) -> None:
    with override("de"):
        named = {**_named(application), "n": submission.version}
        subject = _("Verwendungsnachweis von %(city)s eingereicht") % named
        text = _("%(city)s hat den Verwendungsnachweis zum Antrag „%(concept)s“ (Programmjahr %(year)s) "
                 "eingereicht (Version %(n)s).") % named
    tell(application.concept, AUTHORITY, subject, text,
         link("procedure:proof", application.concept.slug, application.pk))


# --- the authority's steps: to the city's planners -------------------------------------------------


def change_requested(application, remark) -> None:
    with override("de"):
        named = {**_named(application), "about": remark.about_label}
        subject = _("Nachforderung zum Antrag %(year)s (%(concept)s)") % named
        text = (_("Die Bewilligungsbehörde hat eine Nachforderung zum Antrag „%(concept)s“ für das "
                  "Programmjahr %(year)s (Version %(version)s) gestellt, betreffend %(about)s:") % named
                + "\n\n" + remark.text + "\n\n"
                + _("Beantworten Sie sie mit einer neuen Version des Antrags."))
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:application", application.concept.slug, application.pk))


def commented(application, remark) -> None:
    """The authority's comment (Anmerkung) on ``application``: no change asked, but the city reads it."""
    with override("de"):
        named = {**_named(application), "about": remark.about_label}
        subject = _("Anmerkung zum Antrag %(year)s (%(concept)s)") % named
        text = (_("Die Bewilligungsbehörde hat eine Anmerkung zum Antrag „%(concept)s“ für das Programmjahr %(year)s "
                  "(Version %(version)s) geschrieben, betreffend %(about)s:") % named + "\n\n" + remark.text)
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:application", application.concept.slug, application.pk))


def line_queried(application, key: str, line: str, remark: str) -> None:
    """The authority's query (Rückfrage) on the line ``key`` (``line``: its name) of the proof of use."""
    with override("de"):
        named = {**_named(application), "line": line}
        subject = _("Rückfrage zum Verwendungsnachweis (%(concept)s)") % named
        text = (_("Die Bewilligungsbehörde hat eine Rückfrage zur Zeile „%(line)s“ des Verwendungsnachweises zum "
                  "Antrag „%(concept)s“ (Programmjahr %(year)s) gestellt:") % named + "\n\n" + remark + "\n\n"
                + _("Beantworten Sie sie in der Zeile des Verwendungsnachweises."))
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:proof", application.concept.slug, application.pk) + f"#line-{key}")


def approved(application, approval, reference: str, differs=()) -> None:
    """``differs``: the lines approved at another amount than requested, as (measure label, year,
    source label, requested, approved, reason); the mail names each."""
    with override("de"):
        named = {**_named(application), "bescheid": reference}
        if approval.amends_id:
            subject = _("Änderungsbescheid zum Antrag %(year)s (%(concept)s)") % named
        else:
            subject = _("Zuwendungsbescheid zum Antrag %(year)s (%(concept)s)") % named
        text = _("Die Bewilligungsbehörde hat den %(bescheid)s zum Antrag „%(concept)s“ für das Programmjahr %(year)s "
                 "eingetragen. Die bewilligten Beträge stehen in der KuF.") % named
        if differs:
            text += "\n\n" + _("Abweichend vom Antrag bewilligt:") + "\n" + "\n".join(
                "- " + _("%(measure)s, %(year)s, %(source)s: beantragt %(requested)s €, bewilligt %(approved)s € "
                         "(%(reason)s)") % {"measure": m, "year": y, "source": s, "requested": _euro(r),
                                              "approved": _euro(a), "reason": why}
                for m, y, s, r, a, why in differs)
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:application", application.concept.slug, application.pk))


def request_decided(request, released=None) -> None:
    """``request`` released (``released``: the amount in all) or returned."""
    application = request.application
    with override("de"):
        named = {**_named(application), "number": request.number}
        if released is not None:
            subject = _("Mittelabruf Nr. %(number)s freigegeben") % named
            text = _("Die Bewilligungsbehörde hat den Mittelabruf Nr. %(number)s zum Antrag „%(concept)s“ "
                     "(Programmjahr %(year)s) freigegeben: %(amount)s €.") % {**named, "amount": _euro(released)}
        else:
            subject = _("Mittelabruf Nr. %(number)s zurückgegeben") % named
            text = (_("Die Bewilligungsbehörde hat den Mittelabruf Nr. %(number)s zum Antrag „%(concept)s“ "
                      "(Programmjahr %(year)s) zurückgegeben. Begründung:") % named + "\n\n" + request.reason)
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:payment-request", application.concept.slug, application.pk, request.number))


def proof_decided(application, submission) -> None:
    """``submission`` accepted or returned (its state says which)."""
    with override("de"):
        named = _named(application)
        if submission.reason and submission.state == "returned":
            subject = _("Verwendungsnachweis zurückgegeben (%(concept)s)") % named
            text = (_("Die Bewilligungsbehörde hat den Verwendungsnachweis zum Antrag „%(concept)s“ (Programmjahr "
                      "%(year)s) zurückgegeben. Begründung:") % named + "\n\n" + submission.reason)
        else:
            subject = _("Verwendungsnachweis geprüft (%(concept)s)") % named
            text = _("Die Bewilligungsbehörde hat den Verwendungsnachweis zum Antrag „%(concept)s“ (Programmjahr "
                     "%(year)s) geprüft und angenommen.") % named
    tell(application.concept, PLANNERS, subject, text,
         link("procedure:proof", application.concept.slug, application.pk))
