"""Mails to authors who consented to be written to: what was decided on their contribution and why."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import override


def decision_mail(address: str, target, decision) -> None:
    with override("de"):
        kind = (_("Ihre Idee %(r)s „%(t)s“") % {"r": target.reference, "t": target.title} if hasattr(target, "title")
                else _("Ihr Kommentar %(r)s") % {"r": target.reference})
        lines = [_("Guten Tag,"), "", _("%(kind)s: %(what)s.") % {"kind": kind, "what": decision.get_action_display()}]
        if decision.reason:
            lines.append(_("Grund: %(r)s") % {"r": decision.get_reason_display()})
        if decision.text:
            lines += ["", decision.text]
        lines += ["", _("Diese Nachricht erhalten Sie, weil Sie bei Ihrem Beitrag eingewilligt haben, per E-Mail "
                        "Antworten zu bekommen. Über den Löschlink Ihres Beitrags können Sie Ihre Angaben löschen.")]
        send_mail(_("Beteiligung: Entscheidung zu Ihrem Beitrag"), "\n".join(lines), settings.DEFAULT_FROM_EMAIL,
                  [address], fail_silently=True)
