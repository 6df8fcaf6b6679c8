"""Mails to authors who consented to be written to: what was decided on their contribution and why;
and the link that confirms a support."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import override

from .services.supports import LINK_DAYS


def decision_mail(address: str, target, decision) -> None:
    with override("de"):
        kind = (_("Ihre Idee %(r)s „%(t)s“") % {"r": target.reference, "t": target.title} if hasattr(target, "title")
                else _("Ihr Kommentar %(r)s") % {"r": target.reference})
        what = decision.get_action_display()
        into = getattr(target, "merged_into", None)
        if decision.action == "merge" and into is not None:  # which idea it now belongs to
            what = _("mit Idee %(r)s „%(t)s“ zusammengeführt") % {"r": into.reference, "t": into.title}
        lines = [_("Guten Tag,"), "", _("%(kind)s: %(what)s.") % {"kind": kind, "what": what}]
        if decision.reason:
            lines.append(_("Grund: %(r)s") % {"r": decision.get_reason_display()})
        if decision.text:
            lines += ["", decision.text]
        lines += ["", _("Diese Nachricht erhalten Sie, weil Sie bei Ihrem Beitrag eingewilligt haben, per E-Mail "
                        "Antworten zu bekommen. Über den Löschlink Ihres Beitrags können Sie Ihre Angaben löschen.")]
        send_mail(_("Beteiligung: Entscheidung zu Ihrem Beitrag"), "\n".join(lines), settings.DEFAULT_FROM_EMAIL,
                  [address], fail_silently=True)


def support_mail(address: str, target, link: str, already: bool) -> bool:
    """The link that confirms a support (``already``: this address supports it already; the mail
    says so, and the page that sent it says the same in either case, so that nobody learns there
    who supports what). False if the mail could not be handed to the mail server."""
    with override("de"):
        what = (_("die Idee %(r)s „%(t)s“") % {"r": target.reference, "t": target.title} if hasattr(target, "reference")
                else _("die Maßnahme %(n)s „%(t)s“") % {"n": target.number, "t": target.title})
        if already:
            lines = [_("Guten Tag,"), "", _("mit dieser E-Mail-Adresse unterstützen Sie %(what)s bereits. Jede Adresse "
                                           "zählt einmal; es ist nichts weiter zu tun.") % {"what": what}]
        else:
            lines = [_("Guten Tag,"), "", _("bitte bestätigen Sie Ihre Unterstützung für %(what)s über diesen Link:")
                     % {"what": what}, "", link, "",
                     _("Der Link gilt %(n)d Tage. Ihre Unterstützung zählt, sobald Sie ihn geöffnet und bestätigt "
                       "haben.") % {"n": LINK_DAYS}]
        lines += ["", _("Diese Nachricht erhalten Sie, weil jemand mit dieser Adresse eine Unterstützung angefragt hat. "
                        "Waren Sie es nicht, ignorieren Sie sie einfach: Ohne Bestätigung zählt nichts, und isek "
                        "speichert Ihre Adresse nicht.")]
        try:
            send_mail(_("Beteiligung: Bitte bestätigen Sie Ihre Unterstützung"), "\n".join(lines),
                      settings.DEFAULT_FROM_EMAIL, [address])
        except (OSError, smtplib.SMTPException):
            return False
    return True
