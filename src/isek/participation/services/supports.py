"""Support of an idea or a measure, and how it counts as one person's (decision 0041): each phase
chooses what a support needs – nothing (counted as "nicht bestätigt"), an e-mail address confirmed
through a link (one support per address; of the address only a keyed hash is kept), or an account.
A support given with an account counts as confirmed by it in every phase."""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from isek import access
from isek.concepts.services import Concept, Measure
from isek.core import clients, throttle, versions
from isek.core.rules import invalid

from ..models import Contributor, Idea, Phase, Support
from .contributors import Sent, send
from .rules import require_open, target_phase

Confirmation, Needs = Support.Confirmation, Phase.SupportNeeds
CONFIRMED = (Confirmation.EMAIL, Confirmation.ACCOUNT)
LINK_DAYS = 3  # a confirmation link works this long; asking again sends a new one
LINK_SALT = "isek.participation.support-link"
EMAIL_NEEDED = _lazy("Bitte geben Sie Ihre E-Mail-Adresse an: Sie bekommen einen Link, mit dem Sie die Unterstützung "
                     "bestätigen.")


def mail_available() -> bool:
    """Does this installation send mail (Django's ``EMAIL_*`` settings): any backend but the dummy
    one, SMTP with a host – the demo's, which writes mails to files, included."""
    from django.conf import settings

    backend = settings.EMAIL_BACKEND
    if backend.endswith("dummy.EmailBackend"):
        return False
    return bool(settings.EMAIL_HOST) if backend.endswith("smtp.EmailBackend") else True


def default_needs() -> str:
    """What a new phase's supports need unless the planner chooses otherwise (walk 22, decision
    0102): a confirmed e-mail address where the installation sends mail – nothing counts people less
    well (one browser that drops its cookies supports again) – else nothing."""
    return Needs.EMAIL if mail_available() else Needs.NOTHING


def annotations(path: str = "supports") -> dict:
    """Annotations of the supports under ``path``: ``support_count`` (every support that counts:
    not those still waiting for their e-mail confirmation) and ``supports_confirmed``."""
    return {"support_count": Count(path, filter=~Q(**{f"{path}__confirmation": Confirmation.PENDING}), distinct=True),
            "supports_confirmed": Count(path, filter=Q(**{f"{path}__confirmation__in": CONFIRMED}), distinct=True)}


def counts(supports) -> dict:
    """{"total", "confirmed"} of a queryset of supports (those waiting for confirmation count not)."""
    return supports.aggregate(total=Count("pk", filter=~Q(confirmation=Confirmation.PENDING)),
                              confirmed=Count("pk", filter=Q(confirmation__in=CONFIRMED)))


def address_hash(address: str) -> str:
    """A keyed hash of an e-mail address: the same address gives the same value (one support per
    address), and without the installation's secret no list of addresses finds it back."""
    normal = address.strip().lower()
    return hmac.new(clients.secret("participation-support-address"), normal.encode(), hashlib.sha256).hexdigest()


def _address(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise invalid(str(EMAIL_NEEDED), "email_needed", "email")
    try:
        validate_email(email)
    except ValidationError:
        raise invalid(_("„%(a)s“ ist keine gültige E-Mail-Adresse. Bitte prüfen Sie sie (zum Beispiel "
                        "name@beispiel.de).") % {"a": email[:100]}, "email_invalid", "email") from None
    return email


def signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def support(user, concept: Concept, contributor: Contributor, *, idea: Idea | None = None,
            measure: Measure | None = None, email: str = "", now=None) -> Support:
    """One support per person and idea or measure; a second one is refused with a message. What
    the phase asks for decides how it counts: with an account it is confirmed; where the phase
    asks for an e-mail address, it waits for its link (``request_by_email``); where it asks for
    an account, a person without one is refused (code "account_needed")."""
    access.require(user, "support", "create", concept)
    phase = target_phase(concept, idea, measure, now)
    require_open(phase, "support_open", now)
    if signed_in(user):
        confirmation = Confirmation.ACCOUNT
    elif phase.support_needs == Needs.ACCOUNT:
        raise invalid(_("In dieser Beteiligung unterstützen nur angemeldete Personen. Bitte melden Sie sich an."),
                      "account_needed")
    elif phase.support_needs == Needs.EMAIL:
        check_mail_limit(_address(email))
        return _request_by_email(phase, contributor, _address(email), idea=idea, measure=measure)
    else:
        confirmation = Confirmation.NONE
    try:
        with transaction.atomic():
            return Support.objects.create(phase=phase, idea=idea, measure=measure, contributor=contributor,
                                          confirmation=confirmation)
    except IntegrityError:
        raise invalid(_("Sie unterstützen das schon."), "already_supported") from None


def _request_by_email(phase: Phase, contributor: Contributor, address: str, **target) -> Support:
    """The support of ``address`` for the target: the one it already has (waiting or confirmed:
    asked again, the link goes out again; nothing is added), this browser's own waiting one with the
    new address, or a new one waiting for its link."""
    digest = address_hash(address)
    found = Support.objects.filter(email_hash=digest, **target).first()
    if found is not None:
        return found
    own = Support.objects.filter(contributor=contributor, **target).first()
    if own is not None and own.confirmation != Confirmation.PENDING:
        raise invalid(_("Sie unterstützen das schon."), "already_supported")
    try:
        with transaction.atomic():
            if own is not None:  # a new address for this browser's support that waits: the old link stops working
                own.email_hash = digest
                own.save(update_fields=["email_hash"])
                return own
            return Support.objects.create(phase=phase, contributor=contributor, confirmation=Confirmation.PENDING,
                                          email_hash=digest, **target)
    except IntegrityError:  # the same address at the same moment from elsewhere
        return Support.objects.get(email_hash=digest, **target)


MAIL_WINDOW = 3600  # seconds: one link mail per address and target in this time
MAILS_PER_ADDRESS = 5  # link mails to one address (all targets) in MAIL_WINDOW


def link_mail_due(s: Support) -> bool:
    """Whether the link mail of ``s`` (asked for by e-mail) goes out now: once per address and
    target in MAIL_WINDOW (asked again, the mail sent before stands). Counted by the address's
    keyed hash, never the address."""
    if throttle.hit(f"support-mail:{s.email_hash}:{s.idea_id or ''}:{s.measure_id or ''}", MAIL_WINDOW) > 1:
        return False
    throttle.hit(f"support-mail:{s.email_hash}", MAIL_WINDOW)
    return True


def check_mail_limit(address: str) -> None:
    """Refuse before anything is saved once MAILS_PER_ADDRESS link mails went to ``address`` in
    MAIL_WINDOW, whatever they were for (a person's inbox is nobody's to fill)."""
    if throttle.count(f"support-mail:{address_hash(address)}", MAIL_WINDOW) >= MAILS_PER_ADDRESS:
        raise invalid(_("An diese E-Mail-Adresse haben wir gerade schon mehrere Links geschickt. Bitte sehen Sie in "
                        "Ihrem Postfach nach oder versuchen Sie es in einer Stunde erneut."), "mail_limit")


def send_support(user, concept: Concept, known: Contributor | None, *, idea: Idea | None = None,
                 measure: Measure | None = None, email: str = "") -> Sent:
    """A citizen's support (see ``support``) with its contributor, or nothing."""
    return send(user, known, lambda c: support(user, concept, c, idea=idea, measure=measure, email=email))


def support_link_token(s: Support) -> str:
    """The secret of the confirmation link of a waiting support: signed, with its time, bound to
    the address it was asked for (a changed address makes an older link useless). Nothing stored."""
    return signing.dumps({"s": s.pk, "h": s.email_hash[:16]}, salt=LINK_SALT, compress=True)


class Link(NamedTuple):
    """What a confirmation link names: the support (None if the link is wrong or too old), and
    why not (a message for the person who opened it)."""

    support: Support | None
    problem: str


def read_support_link(token: str) -> Link:
    try:
        data = signing.loads(token or "", salt=LINK_SALT, max_age=LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        return Link(None, _("Dieser Bestätigungslink ist abgelaufen (er gilt %(n)d Tage). Bitte unterstützen Sie "
                            "noch einmal mit Ihrer E-Mail-Adresse; Sie bekommen dann einen neuen Link.") % {"n": LINK_DAYS})
    except (signing.BadSignature, ValueError, TypeError):
        data = None
    s = None
    if isinstance(data, dict) and isinstance(data.get("s"), int):
        s = (Support.objects.select_related("phase__concept", "idea", "measure").filter(pk=data["s"]).first())
    if s is None or s.email_hash[:16] != data.get("h") or not s.email_hash:
        return Link(None, _("Diesen Bestätigungslink kennt isek nicht (mehr). Bitte prüfen Sie, ob er vollständig "
                            "kopiert ist, oder unterstützen Sie noch einmal mit Ihrer E-Mail-Adresse."))
    return Link(s, "")


def confirm_support(token: str, now=None) -> Support:
    """Confirm the support a link names (a second time changes nothing); a wrong or expired link,
    or a phase that has closed since, is refused with a message and changes nothing."""
    link = read_support_link(token)
    if link.support is None:
        raise invalid(link.problem, "link")
    s = link.support
    require_open(s.phase, "support_open", now)
    with transaction.atomic():
        changed = Support.objects.filter(pk=s.pk, confirmation=Confirmation.PENDING).update(
            confirmation=Confirmation.EMAIL)
        if changed:
            versions.bump(s.phase.concept_id)  # the public pages show the numbers
    s.refresh_from_db(fields=["confirmation"])
    return s
