"""Accounts: invitations by e-mail and the one-time link that sets a password; signing staff in
through a city's identity provider (OpenID Connect, accounts.oidc): who they are, which roles the
provider's mapping gives them."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import secrets
import smtplib
import time
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from isek import access
from isek.core.audit import change
from isek.core.rules import invalid

from .models import ExternalIdentity, GroupRole, IdentityProvider, Invitation, LoginEvent

VALID_DAYS = 14
log = logging.getLogger(__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_named(text: str):
    """The account a person means by ``text`` at sign-in (decision 0086): the one of this user name;
    else the one whose user name it is in another case (not where two are); else, for an e-mail
    address, the one active account with it (not where several share it). None otherwise."""
    User = get_user_model()
    text = (text or "").strip()
    if not text:
        return None
    exact = User.objects.filter(username=text).first()
    if exact is not None:
        return exact
    by_name = list(User.objects.filter(username__iexact=text)[:2])
    if len(by_name) == 1:
        return by_name[0]
    if "@" in text and not by_name:
        by_address = list(User.objects.filter(email__iexact=text, is_active=True)[:2])
        if len(by_address) == 1:
            return by_address[0]
    return None


def invite(user, email: str, *, base_url: str, may_start_concepts: bool = True, city=None,
           city_admin: bool = False, authority=None, on_commit: bool = False) -> tuple[Invitation, str]:
    """Invite ``email``: a mail with a one-time link (valid VALID_DAYS days); returns the
    invitation and the link. Someone who already has an account is not invited again. ``city``:
    into that city (its administrator invites into it only) – starting concepts is then allowed
    there only, and ``city_admin`` (the installation's administrator alone) makes the person its
    administrator. ``authority``: onto the staff of that funding authority (the installation's
    administrator alone; decision 0070) – nothing else is given then. ``on_commit``: for a caller
    that invites inside its own transaction (``concepts.services.create_city``) – the mail goes once
    that transaction has committed, and not at all where it is undone (decision 0093); else at once,
    the invitation being in."""
    access.require_site(user, "member", "invite", city)
    if authority is not None:
        access.require_site(user, "authority", "edit")
        may_start_concepts, city, city_admin = False, None, False
    if city_admin and (city is None or not access.allows_site(user, "city", "edit", city)):
        raise invalid(_("Die Administration einer Stadt vergibt nur die Administration von isek, und nur mit einer "
                        "Stadt."), "city_admin_refused", "city_admin")
    email = email.strip().lower()
    if get_user_model().objects.filter(email__iexact=email).exists():
        raise invalid(_("Für %(e)s gibt es schon einen Zugang.") % {"e": email}, "has_account", "email")
    pending = [i for i in Invitation.objects.filter(email__iexact=email, city=city, authority=authority) if i.open]
    if pending:  # a second mail with a second link: refused (decision 0077); withdraw the first to send anew
        raise invalid(_("An %(e)s ist schon eine Einladung unterwegs (gültig bis %(d)s). Sie steht unter „Offene "
                        "Einladungen“; wer sie neu schicken will, zieht sie dort zurück und lädt erneut ein.")
                      % {"e": email, "d": date_format(timezone.localtime(pending[0].expires_at), "SHORT_DATE_FORMAT")},
                      "already_invited", "email")
    token = secrets.token_urlsafe(32)
    with change(user, "web"):
        inv = Invitation.objects.create(
            email=email, token_hash=_hash(token), may_start_concepts=may_start_concepts, city=city, city_admin=city_admin,
            authority=authority,
            created_by=None if user.pk is None else user, expires_at=timezone.now() + datetime.timedelta(days=VALID_DAYS))
    link = base_url.rstrip("/") + reverse("accounts:accept", args=[token])
    subject = _("Einladung zu isek")
    body = (_("Guten Tag,\n\nSie sind zu isek eingeladen, der Plattform für integrierte städtebauliche "
              "Entwicklungskonzepte: %(what)s. Über diesen Link legen Sie Ihren Zugang an (gültig bis %(until)s, nur "
              "einmal):\n\n%(link)s\n\nWenn Sie die Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.")
            % {"what": invited_as(inv), "until": date_format(timezone.localtime(inv.expires_at), "SHORT_DATE_FORMAT"),
               "link": link})
    if on_commit:  # the caller's transaction: undone, it sends nothing (decision 0093)
        def send_once_committed():
            # after the commit the invitation exists: a mail server that fails now must not turn the
            # answer into an error page – the caller reads ``mail_failed`` and says what to do
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            except (OSError, smtplib.SMTPException):
                log.exception("the invitation mail to %s could not be sent", email)
                inv.mail_failed = True

        transaction.on_commit(send_once_committed)
    else:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return inv, link


def invited_as(inv: Invitation) -> str:
    """For which city and role ``inv`` invites, in words (the mail and the acceptance page)."""
    if inv.authority_id is not None:
        return _("für die Bewilligungsbehörde %(a)s, in der Rolle „Prüfung der Bewilligungsbehörde“") % {
            "a": inv.authority.name}
    if inv.city is not None and inv.city_admin and inv.may_start_concepts:  # every role it gives (issue 23)
        return _("für die Stadt %(c)s, in der Rolle „Administration der Stadt“ und mit dem Recht, dort Konzepte "
                 "anzulegen") % {"c": inv.city.name}
    if inv.city is not None and inv.city_admin:
        return _("für die Stadt %(c)s, in der Rolle „Administration der Stadt“") % {"c": inv.city.name}
    if inv.city is not None and inv.may_start_concepts:
        return _("für die Stadt %(c)s, mit dem Recht, dort Konzepte anzulegen") % {"c": inv.city.name}
    if inv.city is not None:
        return _("für die Stadt %(c)s") % {"c": inv.city.name}
    if inv.may_start_concepts:
        return _("für die ganze Installation, mit dem Recht, Konzepte anzulegen")
    return _("für die ganze Installation")


def invitation_for(token: str) -> Invitation | None:
    """The open invitation of ``token`` (None if unknown, used or expired)."""
    inv = Invitation.objects.filter(token_hash=_hash(token)).select_related("city", "authority").first()
    return inv if inv is not None and inv.open else None


def accepted_invitation(token: str) -> Invitation | None:
    """The invitation of ``token`` if it was accepted already (None otherwise): a second tab that
    sends the form again is told so instead of a failed security check (issue 23)."""
    inv = Invitation.objects.filter(token_hash=_hash(token), accepted_at__isnull=False).first()
    return inv


def acceptance_problems(inv: Invitation, username: str, password: str) -> dict[str, list[str]]:
    """What stands against accepting ``inv`` with ``username`` and ``password``, by field: a user
    name taken, a password the validators refuse – all at once, for the form to say together with
    its own (decision 0077; ``accept`` checks them again)."""
    User = get_user_model()
    problems: dict[str, list[str]] = {}
    if username and User.objects.filter(username=username).exists():
        problems["username"] = [_("Den Benutzernamen „%(u)s“ gibt es schon.") % {"u": username}]
    if password:
        try:
            password_validation.validate_password(password, User(username=username, email=inv.email))
        except ValidationError as exc:
            problems["password1"] = exc.messages
    return problems


def accept(token: str, username: str, password: str):
    """Create the invited person's account with their own password; the link is used up. What the
    invitation allowed – starting concepts (in its city, or everywhere), administering its city –
    is given in the same transaction."""
    from isek.concepts import services as concepts

    inv = invitation_for(token)
    if inv is None:
        raise invalid(_("Dieser Link ist ungültig, abgelaufen oder schon benutzt."), "bad_token")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise invalid(_("Den Benutzernamen „%(u)s“ gibt es schon.") % {"u": username}, "duplicate_username", "username")
    candidate = User(username=username, email=inv.email)
    candidate.full_clean(exclude=["password"])
    password_validation.validate_password(password, candidate)
    operator = access.Operator("invitation")  # the invitation was checked when it was made
    with change(None, "invitation"):
        candidate.set_password(password)
        candidate.save()
        if inv.may_start_concepts:
            concepts.allow_starting(operator, candidate, inv.city, True, via="invitation")
        if inv.city_admin and inv.city is not None:
            concepts.grant_city_role(operator, inv.city, candidate, concepts.CityRole.Role.ADMIN, via="invitation")
        if inv.authority_id is not None:
            concepts.grant_authority_role(operator, inv.authority, candidate, via="invitation")
        inv.accepted_at, inv.user = timezone.now(), candidate
        inv.save(update_fields=["accepted_at", "user"])
    return candidate


def withdraw_invitation(user, pk) -> Invitation | None:
    """Withdraw the open invitation ``pk`` – one ``user`` sees among the open invitations (its
    city's administration, or the installation's; onto a funding authority's staff: the
    installation's) – so its link no longer works. None where there is no such open invitation.
    (Invitations are not in the change history, as before: their address is personal data.)"""
    inv = Invitation.objects.filter(pk=pk).select_related("city", "authority").first() if str(pk).isdigit() else None
    if inv is None or not inv.open:
        return None
    if not (access.allows_site(user, "authority", "edit") if inv.authority_id else
            access.allows_site(user, "member", "invite", inv.city)):
        return None  # another city's: as none (it is not listed to them either)
    with transaction.atomic(), change(user, "web"):
        inv.delete()
    return inv


def open_invitations(user):
    """The open invitations ``user`` may see: all for the installation's administrator, those into
    the cities they administer for a city's."""
    cities = access.site_cities(user, "member", "invite")
    found = Invitation.objects.select_related("city", "authority")
    if cities is not None:
        found = found.filter(city__in=cities)
    return [i for i in found[:100] if i.open]


def open_authority_invitations(authority) -> list[Invitation]:
    """The open invitations onto ``authority``'s staff (its page of administration)."""
    return [i for i in Invitation.objects.filter(authority=authority)[:100] if i.open]


def people_of_city(city_id):
    """The ids (a subquery) of the accounts that came to the city ``city_id`` through isek's
    accounts: by accepting an invitation into it, or by signing in through its identity provider
    (who may be added to its concepts' teams, decision 0077)."""
    from django.db.models import Q

    return get_user_model().objects.filter(
        Q(pk__in=Invitation.objects.filter(city_id=city_id, user__isnull=False).values("user"))
        | Q(pk__in=ExternalIdentity.objects.filter(provider__city_id=city_id).values("user"))).values("pk")


def invite_cities(user) -> tuple:
    """(the cities ``user`` may invite into, whether they may invite into the installation as a
    whole: its administrator)."""
    cities = access.site_cities(user, "member", "invite")
    return (access.administered_cities(user), True) if cities is None else (cities, False)


# --- signing in through an identity provider (OpenID Connect) --------------------------------------

IDP_SESSION_KEY = "isek_idp_user"  # the user the identity provider signed in, in this session
_STRENGTH = [GroupRole.Role.REVIEWER, GroupRole.Role.MODERATOR, GroupRole.Role.PLANNER]  # the stronger wins


def checked_issuer(issuer: str) -> str:
    """The issuer as entered, refused without its scheme: isek would not guess it (``127.0.0.1:8020``
    could be http or https, and a wrong guess only shows at sign-in as "unreachable")."""
    if not re.match(r"^https?://", issuer.strip(), re.IGNORECASE):
        # the example from the host alone: "ftp://login.gmuend.de" gave "https://ftp://login.gmuend.de"
        host = re.sub(r"^[a-z][a-z0-9+.-]*:/+", "", issuer.strip(), flags=re.IGNORECASE).split("/")[0].split("?")[0]
        host = host.rsplit("@", 1)[-1][:200] or "login.stadt.example"
        raise invalid(_("Bitte die Adresse mit https:// (oder für einen Test auf diesem Rechner mit http://) angeben, "
                        "z. B. https://%(i)s – isek ergänzt sie nicht.") % {"i": host},
                      "issuer_without_scheme")
    URLValidator(schemes=["http", "https"])(issuer.strip())
    parts = urlsplit(issuer.strip())
    if parts.scheme.lower() == "http" and not _loopback(parts.hostname or ""):
        # the provider's answers (tokens, its keys) would travel unencrypted and unauthenticated (walk 22)
        raise invalid(_("Ein Anbieter mit http:// wird nur auf diesem Rechner angenommen (localhost, 127.0.0.1, ::1, "
                        "für einen Test): sonst reisen Anmeldungen und Schlüssel unverschlüsselt. Bitte die Adresse "
                        "mit https:// angeben, z. B. https://%(h)s.") % {"h": (parts.netloc or "login.stadt.example")[:200]},
                      "issuer_not_https")
    return issuer.strip()


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


DISCOVERY_TIMEOUT = 4  # seconds to read a provider's discovery document when its issuer is saved
DISCOVERY_MAX_BYTES = 64 * 1024  # a discovery document is a few KB; more is not one


def provider_problem(exc: Exception) -> str:
    """What went wrong asking a provider, for the person who sees it: ``unreachable`` – isek got
    no answer (the address is wrong, or a firewall or proxy stands between isek and the provider:
    for the administration), ``outage`` – the provider answered with a server error (it is down
    for a while), ``unusable`` – it answered, but not with a description of an OpenID Connect
    provider (a wrong path of the issuer)."""
    import requests

    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return "unreachable"
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None and response.status_code >= 500:
        return "outage"
    return "unusable"


def read_discovery(issuer: str, *, detail: bool = False) -> dict:
    """The discovery document of ``issuer`` (its /.well-known/openid-configuration), checked: a
    ValidationError (code ``issuer_unreachable`` or ``issuer_differs``, field ``issuer``) where it
    cannot be read in a few seconds or names another issuer (decision 0077). Why it failed – no
    answer, not a provider's, a server error, another issuer – is told to the server log and,
    with ``detail``, to the installation's administrator; anyone else (a city's administration)
    reads one message for every failure, code ``issuer_unreachable`` (decision 0078: the check
    is no probe of the addresses the server reaches)."""
    import requests

    def hidden(reason: str):
        log.warning("Discovery document of issuer %s not accepted: %s", issuer[:500], reason)
        return invalid(_("Unter dieser Adresse fand isek keine OpenID-Connect-Konfiguration des Anbieters. Bitte den "
                         "Aussteller prüfen – oder, wenn der Anbieter von hier aus noch nicht erreichbar ist, „Trotzdem "
                         "speichern“ wählen."), "issuer_unreachable", "issuer")

    url = IdentityProvider(issuer=issuer).discovery_url
    try:
        # read at most DISCOVERY_MAX_BYTES within DISCOVERY_TIMEOUT in all (the timeout of ``get`` is
        # per read: a server that drips or sends without end would hold the worker otherwise)
        deadline = time.monotonic() + DISCOVERY_TIMEOUT
        with requests.get(url, timeout=DISCOVERY_TIMEOUT, allow_redirects=False, stream=True,
                          headers={"Accept": "application/json"}) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(8192):
                body += chunk
                if len(body) > DISCOVERY_MAX_BYTES:
                    raise ValueError("too large for a discovery document")
                if time.monotonic() > deadline:
                    raise requests.Timeout("no whole answer in time")
        document = json.loads(bytes(body))
        if not isinstance(document, dict):
            raise ValueError("not an object")
    except (requests.RequestException, ValueError) as exc:
        problem = provider_problem(exc)
        if not detail:
            raise hidden(f"{problem}: {exc!r}"[:500]) from None
        said = {"unreachable": _("isek bekommt von dort keine Antwort (Adresse falsch, oder eine Firewall bzw. ein "
                                 "Proxy liegt zwischen isek und dem Anbieter)"),
                "outage": _("der Anbieter meldet eine Störung (HTTP %(s)s)") % {
                    "s": getattr(getattr(exc, "response", None), "status_code", "")},
                "unusable": _("dort steht keine Beschreibung eines OpenID-Connect-Anbieters (Pfad des Ausstellers "
                              "prüfen, bei Keycloak z. B. …/realms/<Name>)")}[problem]
        raise invalid(_("Die Beschreibung des Anbieters unter %(u)s ließ sich nicht lesen: %(why)s. Bitte den "
                        "Aussteller prüfen – oder, wenn der Anbieter von hier aus noch nicht erreichbar ist, „Trotzdem "
                        "speichern“ wählen.") % {"u": url, "why": said}, "issuer_unreachable", "issuer") from None
    named = str(document.get("issuer", ""))
    if named.rstrip("/") != url.removesuffix("/.well-known/openid-configuration").rstrip("/"):
        if not detail:
            raise hidden(f"it names another issuer, {named[:300]!r}")
        raise invalid(_("Unter %(u)s beschreibt sich ein anderer Aussteller: „%(n)s“. Bitte genau diese Adresse als "
                        "Aussteller eintragen (sonst lehnt isek jede Anmeldung ab).") % {"u": url, "n": named[:300]},
                      "issuer_differs", "issuer")
    return document


def login_providers() -> list[IdentityProvider]:
    """The identity providers that are switched on."""
    return list(IdentityProvider.objects.filter(enabled=True).select_related("city"))


def _city_of(next_url: str, host: str, chosen: str):
    """The city the sign-in is for: chosen on the page (its AGS), else the one the page to return
    to belongs to (a public concept, /cities/<ags>/, the city's start page /<slug>/), else the city's
    own host name; None if none."""
    from isek.concepts import services as concepts

    if chosen:
        return concepts.city_by_ags(chosen[:12])
    parts = [p for p in (next_url or "").split("?")[0].split("/") if p]
    city = None
    if len(parts) >= 2 and parts[0] == "concepts":
        # a public concept only: the sign-in page is anonymous's, and to anonymous an internal
        # concept is no concept (decision 0074) – its city's button would tell that it exists
        concept = access.visible_concepts(None).filter(slug=parts[1]).first()
        city = concept.city if concept is not None else None
    elif len(parts) >= 2 and parts[0] == "cities":
        city = concepts.city_by_ags(parts[1][:12])
    elif parts:
        city = concepts.city_by_slug(parts[0][:60])
    return city or concepts.city_by_host(host)


class LoginChoice(NamedTuple):
    providers: list  # the buttons to show
    city: object  # the city they are for (None: the installation)
    cities: list  # where more cities have providers and none is in context: the cities to choose from


def login_choice(next_url: str = "", host: str = "", chosen: str = "") -> LoginChoice:
    """Which identity providers the sign-in page offers (walk 22): the installation's own and those of
    the city the sign-in is for, where the page to return to (or the host, or the choice) names a
    city; without a city all of them while at most one city has its own (an installation for one
    city looks as before); else the installation's own
    and those of the city the sign-in is for (``_city_of``), and without a city the choice of the
    cities that have one."""
    every = login_providers()
    own = {p.city_id for p in every if p.city_id}
    city = _city_of(next_url, host, chosen) if own else None
    if len(own) <= 1:
        if city is None:
            return LoginChoice(every, None, [])
        # a page of a known city: never another city's provider, also while only one city has its
        # own (Bochum's people were offered Gotha's, sup22)
        return LoginChoice([p for p in every if p.city_id is None or p.city_id == city.pk],
                           city if city.pk in own else None, [])
    shown = [p for p in every if p.city_id is None or (city is not None and p.city_id == city.pk)]
    if city is not None and city.pk in own:
        return LoginChoice(shown, city, [])
    cities = sorted({p.city_id: p.city for p in every if p.city_id}.values(), key=lambda c: c.name)
    return LoginChoice(shown, None, cities)


def login_provider(pk) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(pk=pk, enabled=True).first()


def claimed_groups(provider: IdentityProvider, claims: dict) -> list[str]:
    """The groups in the provider's claim (a list or one name; a dotted name reaches into an
    object, e.g. Keycloak's ``realm_access.roles``)."""
    value = claims
    for part in provider.groups_claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = [value]
    return [g for g in value if isinstance(g, str)] if isinstance(value, list) else []


def _mapped(provider: IdentityProvider, groups: list[str]) -> tuple[dict, bool]:
    """({concept: role}, may start concepts) that the provider's mapping gives these groups."""
    roles, starter = {}, False
    for line in provider.mappings.filter(group__in=groups).select_related("concept"):
        if line.role == GroupRole.Role.STARTER:
            starter = True
            continue
        targets = [line.concept] if line.concept_id else (
            list(provider.city.concepts.all()) if provider.city_id else [])
        if provider.city_id:  # a city's provider gives roles in that city only (GroupRole.clean says it)
            targets = [c for c in targets if c.city_id == provider.city_id]
        for concept in targets:
            had = roles.get(concept)
            roles[concept] = line.role if had is None or _STRENGTH.index(line.role) > _STRENGTH.index(had) else had
    return roles, starter


def provider_short_name(provider: IdentityProvider) -> str:
    """The provider's name as a part of a user name: "Landkreis Görlitz (Keycloak)" → "landkreis-goerlitz-keycloak"."""
    from django.utils.text import slugify

    name = provider.name.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}))
    return slugify(name)[:40].strip("-") or f"anbieter-{provider.pk}"


def _new_username(claims: dict, subject: str, provider: IdentityProvider) -> str:
    """The user name of a person the provider signs in for the first time: the name the provider
    sends; where a local account (or another provider's) has it already, that name with the
    provider's short name ("dora-via-landkreis-goerlitz-keycloak"), never a look-alike "dora-2"
    (walk 22, decision 0078); a number only if that is taken too."""
    User = get_user_model()
    wanted = claims.get("preferred_username") or claims.get("email") or subject
    base = re.sub(r"[^\w.@+-]", "_", str(wanted))[:100] or "person"
    if not User.objects.filter(username__iexact=base).exists():
        return base
    base = f"{base}-via-{provider_short_name(provider)}"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def sign_in_providers(user_ids) -> dict:
    """{user id: the names of the identity providers they sign in through} (the team list says so)."""
    found: dict = {}
    for uid, name in ExternalIdentity.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "provider__name"):
        found.setdefault(uid, []).append(name)
    return found


def external_sign_in(provider: IdentityProvider, claims: dict):
    """The person the provider vouches for (its checked ID token's and user info's ``claims``):
    their account – created on their first sign-in, but only where their groups give them a role –
    with exactly the roles the mapping gives them now (those it gave before and gives no more are
    taken back; roles given in isek itself stay)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise invalid(_("Der Identitätsanbieter hat keine Kennung der Person geschickt."), "no_subject")
    groups = claimed_groups(provider, claims)
    roles, starter = _mapped(provider, groups)
    city_wide = _city_wide(provider, groups)
    identity = ExternalIdentity.objects.filter(provider=provider, subject=subject).select_related("user").first()
    if identity is None and not roles and not starter and not city_wide:
        raise _no_role(provider, groups)
    if identity is not None and not identity.user.is_active:
        raise invalid(_("Ihr Zugang zu isek ist gesperrt. Bitte wenden Sie sich an %(who)s.")
                      % {"who": administration(provider.city)}, "inactive")
    with change(None, "oidc"):
        if identity is None:
            user = get_user_model()(username=_new_username(claims, subject, provider), email=str(claims.get("email") or "")[:254],
                                    first_name=str(claims.get("given_name") or "")[:150],
                                    last_name=str(claims.get("family_name") or "")[:150])
            user.set_unusable_password()
            user.save()
            identity = ExternalIdentity.objects.create(provider=provider, subject=subject, user=user)
        _grant(provider, identity, roles, starter)
        if city_wide:  # given on each concept the city creates later too (give_city_wide_roles)
            identity.granted["city"] = city_wide
            # the groups that gave it: a later concept asks the mapping of then (decision 0093)
            identity.granted["city_groups"] = _city_wide_groups(provider, groups)
        identity.last_login = timezone.now()
        identity.save(update_fields=["granted", "last_login"])
    return identity.user


def _city_wide(provider: IdentityProvider, groups: list[str]) -> str:
    """The strongest role a city's provider maps ``groups`` to on every concept of its city ("" for none)."""
    if not provider.city_id:
        return ""
    found = set(provider.mappings.filter(group__in=groups, concept=None).exclude(role=GroupRole.Role.STARTER)
                .values_list("role", flat=True))
    return next((r for r in reversed(_STRENGTH) if r in found), "")


def _city_wide_groups(provider: IdentityProvider, groups: list[str]) -> list[str]:
    """Those of ``groups`` that a city-wide line of the provider's mapping names (what a later
    concept's role is worked out from: ``city_wide_role``)."""
    named = set(provider.mappings.filter(group__in=groups, concept=None).exclude(role=GroupRole.Role.STARTER)
                .values_list("group", flat=True))
    return sorted(named)


def city_wide_role(identity: ExternalIdentity) -> str:
    """The role the provider's mapping of now gives ``identity`` on every concept of its city, from
    the groups of its last sign-in that gave one ("" for none). Not the role stored at that sign-in:
    the city's administration may have changed the mapping since, and a role it no longer gives is
    not given on a new concept (decision 0093). A sign-in from before the groups were kept gives
    none until the next sign-in."""
    if not identity.granted.get("city"):
        return ""
    return _city_wide(identity.provider, identity.granted.get("city_groups") or [])


def awaited_roles(provider: IdentityProvider, user) -> str:
    """Where the city of ``provider`` has no concept yet: what its mapping will give ``user`` on each
    concept the city creates – the role's name (translated), else "" (decision 0090)."""
    identity = ExternalIdentity.objects.filter(provider=provider, user=user).select_related("provider").first()
    role = city_wide_role(identity) if identity is not None else ""
    if not role or provider.city is None or provider.city.concepts.exists():
        return ""
    return str(GroupRole.Role(role).label)


def give_city_wide_roles(sender, concept, via: str = "web", **kwargs) -> None:
    """A new concept of a city (``concepts.services.concept_created``, inside its transaction): the
    people its identity providers signed in with a role on every concept of the city get that role
    on it (decision 0090) – where they have none on it yet (its starter stays its planner). The
    role is the one the mapping gives their groups now (``city_wide_role``, decision 0093), not the
    one stored at their last sign-in. The provider's own, as at a sign-in: taken back when the
    mapping no longer gives it."""
    from isek.concepts import services as concepts

    for identity in ExternalIdentity.objects.filter(provider__city=concept.city_id, provider__enabled=True,
                                                    user__is_active=True).select_related("provider", "user"):
        role = city_wide_role(identity)
        if not role or identity.user.concept_roles.filter(concept=concept).exists():
            continue
        concepts.grant_role(access.Operator(f"oidc {identity.provider.name}"), concept, identity.user, role, via="oidc")
        identity.granted = {**identity.granted, "concepts": {**identity.granted.get("concepts", {}), str(concept.pk): role}}
        identity.save(update_fields=["granted"])


def _no_role(provider: IdentityProvider, groups: list[str]) -> ValidationError:
    """Why the provider's groups give this person no account: mapped to nothing – with the groups
    the provider sent (the refusal is shown to the person alone: it helps them and their
    administration spot a wrong group name), and whom to ask (the city's administration for a
    city's provider; names only, no addresses). A city-wide mapping gives an account also while
    the city has no concept yet (decision 0090)."""
    who = administration(provider.city)
    sent = ", ".join(f"„{g}“" for g in groups[:20]) or _("keine")
    return invalid(_("Ihr Konto bei %(p)s ist keiner Rolle in isek zugeordnet, darum wurde kein Zugang angelegt. "
                     "Geschickte Gruppen: %(g)s. Fehlt hier eine Gruppe, prüfen Sie die Scopes: manche Anbieter senden "
                     "Gruppen nur mit dem Scope „groups“. Bitte wenden Sie sich an %(who)s.")
                   % {"p": provider.name, "g": sent, "who": who}, "no_role")


def _grant(provider: IdentityProvider, identity: ExternalIdentity, roles: dict, starter: bool) -> None:
    from isek.concepts import services as concepts

    user, before = identity.user, identity.granted.get("concepts", {})
    operator = access.Operator(f"oidc {provider.name}")
    current = {r.concept_id: r for r in user.concept_roles.select_related("concept")}
    given = {}
    for concept, role in roles.items():
        had = current.get(concept.pk)
        if had is None or before.get(str(concept.pk)) == had.role:  # none yet, or the provider's own
            if had is None or had.role != role:
                concepts.grant_role(operator, concept, user, role, via="oidc")
            given[str(concept.pk)] = role
    for pk, role in before.items():
        had = current.get(int(pk))
        if pk not in given and had is not None and had.role == role:
            try:
                concepts.revoke_role(operator, had.concept, user, via="oidc")
            except ValidationError:  # the concept's last planner stays (an administrator decides)
                given[pk] = role
    # starting concepts: in the provider's city only; everywhere only through the installation's provider
    has = concepts.may_start_in(user, provider.city)
    if starter and not has:
        concepts.allow_starting(operator, user, provider.city, True, via="oidc")
    elif not starter and has and identity.granted.get("starter"):
        concepts.allow_starting(operator, user, provider.city, False, via="oidc")
    identity.granted = {"concepts": given, "starter": starter and (not has or bool(identity.granted.get("starter")))}


# --- a city's identity provider, set up by its administration (walk 22; decision 0042) ---------------

GRANTABLE = [GroupRole.Role.PLANNER, GroupRole.Role.REVIEWER, GroupRole.Role.MODERATOR, GroupRole.Role.STARTER]


class MappingLine(NamedTuple):
    group: str
    role: str
    concept: object  # a concept of the city, or None: every concept of the city


def city_providers(user, city) -> list[IdentityProvider]:
    """The identity providers of ``city``, for its administration (or the installation's)."""
    access.require_site(user, "provider", "edit", city)
    return list(IdentityProvider.objects.filter(city=city).prefetch_related("mappings__concept"))


def sealed_secret(secret: str) -> str:
    """``secret`` encrypted as a provider's stored secret is (for a session to keep it between a
    refused save and the next: decision 0086)."""
    from .models import _fernet

    return _fernet().encrypt(secret.encode()).decode()


def unsealed_secret(sealed: str) -> str:
    """The secret ``sealed_secret`` sealed ("" where it cannot be read, e.g. after a new ISEK_SECRET_KEY)."""
    from cryptography.fernet import InvalidToken

    from .models import _fernet

    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def save_city_provider(user, city, pk: int | None, *, name: str, issuer: str, client_id: str, client_secret: str,
                       scopes: str, groups_claim: str, enabled: bool, lines: list[MappingLine],
                       unchecked: bool = False) -> IdentityProvider:
    """Create (``pk`` None) or change an identity provider of ``city`` and replace its mapping by
    ``lines``: roles on the city's concepts and the right to start concepts there only – never a
    city's administration or rights on the installation. The client secret is stored encrypted;
    left empty on a change, the stored one stays. A new or changed issuer is checked against its
    discovery document (``read_discovery``); ``unchecked``: saved though the document cannot be
    read from here (a provider not yet reachable from isek); the installation's administrator is
    told every reason and never saves one that names another issuer, a city's administration reads
    one message for every failure (decision 0078).
    All or nothing, recorded in the change history."""
    access.require_site(user, "provider", "edit", city)
    provider = IdentityProvider(city=city) if pk is None else IdentityProvider.objects.filter(city=city, pk=pk).first()
    if provider is None:
        raise invalid(_("Diesen Anbieter gibt es für die Stadt %(c)s nicht (mehr).") % {"c": city.name}, "no_provider")
    before_client = provider.client_id
    provider.name, provider.client_id = " ".join(name.split()), client_id.strip()
    provider.scopes, provider.groups_claim, provider.enabled = scopes.strip() or "openid", groups_claim.strip(), enabled
    if pk is None and lines and provider.groups_claim.split(".")[0] == "groups" and "groups" not in provider.scopes.split():
        # a new provider whose mapping reads the claim "groups": many providers (Keycloak among them)
        # send it only for the scope "groups" (decision 0090; removable on a later save, decision 0077's warning then)
        provider.scopes = f"{provider.scopes} groups"
    before = provider.issuer
    try:
        provider.issuer = checked_issuer(issuer)
    except ValidationError as exc:
        raise invalid(exc.messages[0], "bad_issuer", "issuer") from None
    if provider.issuer != before:
        try:
            # why it failed only to the installation's administration (decision 0078)
            read_discovery(provider.issuer, detail=access.allows_site(user, "city", "edit"))
        except ValidationError as exc:
            if not (unchecked and exc.error_dict["issuer"][0].code == "issuer_unreachable"):
                raise
    if client_secret.strip():
        provider.set_secret(client_secret.strip())
    elif not provider.client_secret_encrypted:
        raise invalid(_("Bitte das Client-Geheimnis angeben, das der Anbieter für isek ausgestellt hat."),
                      "secret_needed", "client_secret")
    provider.full_clean()
    rows = []
    for line in lines:
        if line.role not in GRANTABLE:
            raise invalid(_("Die Rolle „%(r)s“ kann ein Anbieter nicht geben.") % {"r": line.role}, "role_refused", "mappings")
        row = GroupRole(provider=provider, group=line.group.strip(), role=line.role, concept=line.concept)
        try:
            row.full_clean(exclude=["provider"])
        except ValidationError as exc:
            raise invalid(_("Zuordnung „%(g)s“: %(e)s") % {"g": line.group.strip(), "e": " ".join(exc.messages)},
                          "bad_mapping", "mappings") from None
        rows.append(row)
    if client_secret.strip() or provider.client_id != (before_client or provider.client_id):
        provider.last_error, provider.last_error_at = "", None  # the setting the error was about is new
    with transaction.atomic(), change(user, "web"):
        provider.save()
        provider.mappings.all().delete()
        for row in rows:
            row.provider = provider
            row.save()
    return provider


def note_setup_error(provider: IdentityProvider, error: str, description: str = "") -> None:
    """The provider refused isek itself (``invalid_client`` at its token endpoint: a wrong client
    secret or ID): kept with its time for the city's administration (decision 0090). A state, not a
    setting: written past the change history, as a sign-in's time is."""
    said = f"{error}: {description}" if description else error
    IdentityProvider.objects.filter(pk=provider.pk).update(last_error=said[:300], last_error_at=timezone.now())


def delete_city_provider(user, city, pk: int) -> IdentityProvider | None:
    """Remove an identity provider of ``city`` (its mapping and who signed in through it go with
    it; the accounts and the roles it gave stay). None if there is none."""
    access.require_site(user, "provider", "edit", city)
    provider = IdentityProvider.objects.filter(city=city, pk=pk).first()
    if provider is not None:
        with transaction.atomic(), change(user, "web"):
            provider.delete()
    return provider


def roles_by_provider(concept, roles) -> dict:
    """{user id: provider} of the people among ``roles`` (ConceptRoles of ``concept``) whose role there
    an identity provider's group mapping gave (as ``_grant`` records it): it returns at their next
    sign-in there (sup22: the team page says so)."""
    held = {r.user_id: r.role for r in roles}
    found = ExternalIdentity.objects.filter(user_id__in=held, provider__enabled=True).select_related("provider")
    return {i.user_id: i.provider for i in found
            if i.granted.get("concepts", {}).get(str(concept.pk)) == held.get(i.user_id)}


def starters_by_provider(city) -> dict:
    """{user id: provider} of the people whose right to start concepts in ``city`` its identity
    provider's mapping gave: taken back in isek, it returns at their next sign-in there (walk 22)."""
    found = ExternalIdentity.objects.filter(provider__city=city, provider__enabled=True).select_related("provider")
    return {i.user_id: i.provider for i in found if i.granted.get("starter")}


def mark_signed_in_by_provider(request, user) -> None:
    """Note in the session that the identity provider signed ``user`` in (its policy stands for
    the second factor: accounts.second_factor)."""
    request.session[IDP_SESSION_KEY] = user.pk


def signed_in_by_provider(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and request.session.get(IDP_SESSION_KEY) == user.pk)


class SecondFactor(NamedTuple):
    """The state of a person's second factor, for their account page (decision 0097)."""

    needed: bool  # must sign in with one where the installation requires it (access.needs_second_factor)
    required: bool  # the installation requires it (ISEK_REQUIRE_SECOND_FACTOR)
    set_up: bool  # an authenticator app is confirmed
    backup_codes: int  # unused backup codes left
    verified: bool  # this session entered a code
    by_provider: bool  # the city's identity provider signed this session in: its policy applies


def second_factor_state(request) -> SecondFactor:
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    return SecondFactor(
        needed=access.needs_second_factor(user), required=bool(settings.ISEK_REQUIRE_SECOND_FACTOR),
        set_up=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        backup_codes=StaticToken.objects.filter(device__user=user).count(),
        verified=bool(getattr(user, "is_verified", lambda: False)()), by_provider=signed_in_by_provider(request))


def sign_in_provider(request) -> IdentityProvider | None:
    """The identity provider that signed this session in (the one of ``request.user``'s identities
    used last), or None where the person signed in with isek's own password."""
    if not signed_in_by_provider(request):
        return None
    identity = (ExternalIdentity.objects.filter(user=request.user).select_related("provider", "provider__city")
                .order_by(F("last_login").desc(nulls_last=True), "-pk").first())
    return identity.provider if identity else None


def administration(city=None, viewer=None) -> str:
    """Who administers isek (policy role ADM: the active superusers) – and, for ``city``, its own
    administration where it has one (decision 0046): for the pages that send a person to them. How
    to reach them (their e-mail addresses, a city administrator's user name) only where ``viewer``
    works for ``city`` (``access.works_for``): a refused or outside person gets the names alone."""
    from isek.concepts import services as concepts

    addresses = access.works_for(viewer, city)
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    emails = sorted({u.email for u in users}) if addresses else []
    if not emails:
        isek = _("die Administration von isek (ein Konto mit Administrationsrechten)")
    else:
        isek = _("die Administration von isek (ein Konto mit Administrationsrechten; erreichbar unter %(emails)s)") % {
            "emails": ", ".join(emails)}
    admins = [u for u in concepts.city_people(city, concepts.CityRole.Role.ADMIN) if u.is_active] if city else []
    if not admins:
        return isek
    if not addresses:
        return _("die Administration der Stadt %(c)s oder %(isek)s") % {"c": city.name, "isek": isek}
    return _("die Administration der Stadt %(c)s (%(who)s) oder %(isek)s") % {
        "c": city.name, "who": ", ".join(sorted(u.email or u.username for u in admins)), "isek": isek}


# --- citizens' own accounts (decision 0078) ---------------------------------------------------------

SIGNUP_LINK_DAYS = 3  # the confirmation link works this long; an account not confirmed by then is removed
SIGNUP_SALT = "isek.accounts.signup"
SIGNUP_MAIL_WINDOW, SIGNUP_MAILS = 3600, 3  # mails to one address in this time, whatever they said


def is_citizen(user) -> bool:
    """Whether ``user`` is a citizen's own account (signed up, no role given by isek)."""
    from .models import CitizenAccount

    return bool(getattr(user, "pk", None)) and CitizenAccount.objects.filter(user_id=user.pk).exists()


def _address_key(address: str) -> str:
    import hmac

    from isek.core import clients

    return hmac.new(clients.secret("accounts-signup-address"), address.lower().encode(), hashlib.sha256).hexdigest()


def signup_problems(email: str, password: str) -> dict[str, list[str]]:
    """What stands against signing up with ``email`` and ``password``, by field – whatever accounts
    exist (an address taken is not among them: ``sign_up`` answers alike for it)."""
    from django.core.validators import validate_email

    User = get_user_model()
    problems: dict[str, list[str]] = {}
    email = (email or "").strip()
    try:
        validate_email(email)
        User.username_validator(email)
        if len(email) > 150:
            raise ValidationError("too long")
    except ValidationError:
        local = email.rsplit("@", 1)[0] if "@" in email else ""
        foreign = "".join(dict.fromkeys(ch for ch in local if not ch.isascii()))
        if foreign:  # walk 22: "Bürger.Müller@example.de" was refused without a reason
            problems["email"] = [_("„%(a)s“ enthält vor dem @ %(c)s. Dort nimmt isek nur Buchstaben ohne Umlaut und "
                                   "ß (a–z), Ziffern und die Zeichen . _ - + an. Bitte die Adresse so angeben, wie Ihr "
                                   "Postfach sie schreibt (oft ue statt ü, ss statt ß).")
                                 % {"a": email[:100], "c": ", ".join(f"„{ch}“" for ch in foreign[:10])}]
        else:
            problems["email"] = [_("„%(a)s“ kann isek nicht als Adresse eines Kontos nutzen. Bitte prüfen Sie sie (zum "
                                   "Beispiel name@beispiel.de).") % {"a": email[:100]}]
    if password:
        try:
            password_validation.validate_password(password, User(username=email, email=email))
        except ValidationError as exc:
            problems["password1"] = exc.messages
    return problems


def _signup_link(base_url: str, user, next_url: str) -> str:
    from django.core import signing

    token = signing.dumps({"u": user.pk, "j": int(user.date_joined.timestamp()), "n": next_url[:300]},
                          salt=SIGNUP_SALT, compress=True)
    return base_url.rstrip("/") + reverse("accounts:signup-confirm", args=[token])


def purge_unconfirmed(now=None) -> int:
    """Remove the citizens' accounts whose link ran out unopened; how many."""
    from .models import CitizenAccount

    limit = (now or timezone.now()) - datetime.timedelta(days=SIGNUP_LINK_DAYS)
    stale = CitizenAccount.objects.filter(confirmed_at=None, created_at__lt=limit).values("user")
    return get_user_model().objects.filter(pk__in=stale, is_active=False).delete()[1].get(get_user_model()._meta.label, 0)


def site_for(next_url: str) -> str:
    """What a citizen's mail calls the site (decision 0086): "isek für <city>" where the page the
    citizen came from (``next_url``: a public concept, a city's pages or start page) names a city,
    else "isek"."""
    city = _city_of(next_url or "", "", "")
    return _("isek für %(c)s") % {"c": city.name} if city is not None else "isek"


def _mail_limited(email: str, kind: str = "signup") -> str:
    """The throttle key of the ``kind`` of mails to ``email`` ("signup" or "reset": counted apart, so
    that asking for new passwords for an address cannot use up its sign-up mails – second reading),
    refused with the same words for every address once SIGNUP_MAILS went out within the hour."""
    from isek.core import throttle

    key = f"{kind}-mail:{_address_key(email)}"
    if throttle.count(key, SIGNUP_MAIL_WINDOW) >= SIGNUP_MAILS:
        raise invalid(_("An diese E-Mail-Adresse haben wir gerade schon mehrere E-Mails geschickt. Bitte sehen Sie in "
                        "Ihrem Postfach nach oder versuchen Sie es in einer Stunde erneut."), "mail_limit", "email")
    return key


RESET_VALID_HOURS = 24  # settings.PASSWORD_RESET_TIMEOUT, said in the mail


def resettable_accounts(email: str) -> list:
    """The accounts whose password a link to ``email`` may reset: active, with a password of isek's
    (citizens' and local staff accounts) – not those that sign in through an identity provider,
    whose password is the provider's (decision 0086)."""
    User = get_user_model()
    found = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).exclude(
        pk__in=ExternalIdentity.objects.values("user"))
    return [u for u in found if u.has_usable_password()]


def request_password_reset(email: str, *, base_url: str, next_url: str = "") -> Callable[[], None]:
    """Ask for a link to set a new password for ``email``: the mails to one address are limited
    (``_mail_limited``, apart from the sign-up's), counted for every address asked for – refused
    with the same words for every address. Returns the sending, which the caller runs once its
    answer has gone out (the web channel after the response, decision 0093): it finds the accounts
    ``email`` may reset (``resettable_accounts``) and mails each a link, valid RESET_VALID_HOURS
    hours and once (Django's token: it changes with the password). Until then nothing is looked
    up, so the answer takes the same time whether the address has an account or not; nothing goes
    to an address without one. A mail server that fails is logged."""
    from isek.core import throttle

    email = (email or "").strip()
    key = _mail_limited(email, "reset")
    throttle.hit(key, SIGNUP_MAIL_WINDOW)
    language = translation.get_language() or "de"  # the page's, which the mail speaks as before
    return lambda: _send_password_reset(email, base_url, next_url, language)


def _send_password_reset(email: str, base_url: str, next_url: str, language: str) -> None:
    with translation.override(language):
        _mail_password_reset(email, base_url, next_url)


def _mail_password_reset(email: str, base_url: str, next_url: str) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    site = site_for(next_url)
    for user in resettable_accounts(email):
        link = base_url.rstrip("/") + reverse("accounts:password-reset-confirm", args=[
            urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])
        body = _("Guten Tag,\n\nfür das Konto „%(u)s“ bei %(site)s wurde ein neues Passwort angefordert. Über diesen "
                 "Link setzen Sie es (er gilt %(h)d Stunden und nur einmal):\n\n%(link)s\n\nHaben Sie kein neues "
                 "Passwort angefordert, ignorieren Sie diese E-Mail; Ihr Passwort bleibt, wie es ist.") % {
            "u": user.get_username(), "site": site, "h": RESET_VALID_HOURS, "link": link}
        try:
            send_mail(_("Neues Passwort für Ihr Konto bei %(site)s") % {"site": site}, body, settings.DEFAULT_FROM_EMAIL,
                      [user.email])
        except (OSError, smtplib.SMTPException):  # the answer has gone out: nobody to tell but the log
            log.exception("the password reset mail to account %s could not be sent", user.pk)


def sign_up(email: str, password: str, display_name: str = "", *, base_url: str, next_url: str = "") -> None:
    """A citizen signs up: a new account, inactive until the link mailed to ``email`` is opened
    (``confirm_signup``). Whether the address has an account already is not said: the answer is the
    same, and the mail tells its owner – an account there (sign in), or a link not opened yet (sent
    again with the newest sign-up's password and name; the older links stop working). At most SIGNUP_MAILS mails an hour go to one
    address (refused with a message that is the same for every address). No role is given."""
    from isek.core import throttle

    from .models import CitizenAccount

    email = (email or "").strip()
    problems = signup_problems(email, password)
    if problems:
        raise ValidationError(problems)
    display_name = " ".join((display_name or "").split())[:60]
    key = _mail_limited(email)
    site = site_for(next_url)  # the city the citizen came from, named in the mail (decision 0086)
    purge_unconfirmed()
    login_url = base_url.rstrip("/") + reverse("login") + (f"?next={next_url}" if next_url else "")
    existing, created = _citizen_for(email, password, display_name)
    if not created and (existing.is_active or citizen_account(existing) is None):
        body = _("Guten Tag,\n\nmit dieser E-Mail-Adresse gibt es schon ein Konto bei %(site)s. Sie können sich damit "
                 "anmelden (Passwort vergessen? Auf der Anmeldeseite können Sie ein neues setzen):\n\n%(link)s\n\n"
                 "Waren Sie es nicht, der ein Konto anlegen wollte, ignorieren Sie diese E-Mail; es ist nichts "
                 "geändert.") % {"link": login_url, "site": site}
    else:
        if not created:
            # a sign-up not confirmed yet: the newest password and name count, the older links
            # stop working (they carry the moment of joining), and confirming asks for the
            # password – so whoever signed up first with another's address gains nothing
            with transaction.atomic():
                existing.set_password(password)
                existing.date_joined = timezone.now()
                existing.save(update_fields=["password", "date_joined"])
                CitizenAccount.objects.filter(user=existing).update(display_name=display_name)
        body = _("Guten Tag,\n\nbitte bestätigen Sie Ihr Konto bei %(site)s über diesen Link (er gilt %(n)d Tage):\n\n"
                 "%(link)s\n\nErst danach können Sie sich anmelden und unterstützen. Haben Sie kein Konto angelegt, "
                 "ignorieren Sie diese E-Mail: ohne Bestätigung wird es nach %(n)d Tagen gelöscht.") % {
            "n": SIGNUP_LINK_DAYS, "link": _signup_link(base_url, existing, next_url), "site": site}
        if not created:  # walk 22: the second sign-up replaced the first without a word
            body += "\n\n" + _("Mit dieser Adresse wurde schon vorher ein Konto angelegt und noch nicht bestätigt. Diese "
                                "Anmeldung ersetzt die frühere: es gelten das zuletzt angegebene Passwort und der zuletzt "
                                "angegebene Name, der Link in der früheren E-Mail gilt nicht mehr.")
    throttle.hit(key, SIGNUP_MAIL_WINDOW)
    send_mail(_("Ihr Konto bei %(site)s") % {"site": site}, body, settings.DEFAULT_FROM_EMAIL, [email])


def _citizen_for(email: str, password: str, display_name: str):
    """The account with ``email`` and False; else a new citizen's account, inactive until confirmed,
    and True. Where the same address signs up at the same moment elsewhere, the other's new account
    is found once its row is in (the insert meets the unique name) and this sign-up counts as the
    newer one: (it, False) – not an error."""
    from .models import CitizenAccount

    User = get_user_model()
    found = User.objects.filter(models_q(email)).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            user = User(username=email.lower(), email=email.lower(), is_active=False)
            user.set_password(password)
            user.save()
            CitizenAccount.objects.create(user=user, display_name=display_name)
    except IntegrityError:
        return User.objects.get(models_q(email)), False
    return user, True


def models_q(email: str):
    from django.db.models import Q

    return Q(email__iexact=email) | Q(username__iexact=email)


def read_signup_link(token: str):
    """The CitizenAccount a confirmation link names and the page to return to; a ValidationError
    with the reason where the link is wrong or expired (nothing is changed)."""
    from django.core import signing

    from .models import CitizenAccount

    try:
        data = signing.loads(token or "", salt=SIGNUP_SALT, max_age=SIGNUP_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise invalid(_("Dieser Bestätigungslink ist abgelaufen (er gilt %(n)d Tage). Bitte legen Sie das Konto noch "
                        "einmal an.") % {"n": SIGNUP_LINK_DAYS}, "expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        data = None
    account = None
    if isinstance(data, dict) and isinstance(data.get("u"), int):
        account = CitizenAccount.objects.filter(user_id=data["u"]).select_related("user").first()
    if account is None or int(account.user.date_joined.timestamp()) != data.get("j"):
        raise invalid(_("Diesen Bestätigungslink kennt isek nicht (mehr). Bitte prüfen Sie, ob er vollständig kopiert "
                        "ist, oder legen Sie das Konto noch einmal an."), "unknown_link")
    return account, str(data.get("n") or "")


class LinkUsed(ValidationError):
    """A confirmation link of an account confirmed already: it signs nobody in again (decision 0084)."""


def signup_link_used(account) -> LinkUsed:
    return LinkUsed(_("Dieser Link wurde schon verwendet – bitte melden Sie sich an."), code="link_used")


def confirm_signup(token: str, password: str):
    """The account a confirmation link names, confirmed, and the page to return to; a wrong or
    expired link is refused with a message and changes nothing. The link is good once: for an
    account confirmed already it raises ``LinkUsed`` and signs nobody in (decision 0084) – else
    whoever got hold of the mail could sign in as its owner for the link's whole life. Confirming
    asks for the account's password: the mailbox alone does not confirm an account someone else
    signed up with that address (decision 0084, second reading)."""
    from .models import CitizenAccount

    account, next_url = read_signup_link(token)
    if account.confirmed_at is not None:
        raise signup_link_used(account)
    if not account.user.check_password(password or ""):
        raise invalid(_("Das Passwort passt nicht zu diesem Konto. Geben Sie das Passwort ein, mit dem Sie das Konto "
                        "angelegt haben – oder legen Sie das Konto noch einmal an."), "wrong_password", "password")
    with transaction.atomic():
        first = CitizenAccount.objects.filter(pk=account.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        if not first:
            raise signup_link_used(account)
        account.user.is_active = True
        account.user.save(update_fields=["is_active"])
    return account.user, next_url


def may_hold_api_keys(user) -> bool:
    """API keys are for staff accounts (invited, given roles by the administration): a citizen's
    own account (decision 0078) gets none – the page is not offered and creating one is refused
    (decision 0084); what is public needs no key."""
    return bool(getattr(user, "is_authenticated", False)) and not is_citizen(user)


def citizen_account(user):
    """``user``'s CitizenAccount, or None (a staff account)."""
    from .models import CitizenAccount

    return CitizenAccount.objects.filter(user_id=getattr(user, "pk", None)).first()


def delete_citizen_account(user, password: str, *, contributions: bool) -> dict:
    """A citizen deletes their own account (decision 0078), confirmed with the password: the
    address, display name and password go, and the login log's lines of it; with
    ``contributions`` everything given with it too, else the supports keep counting and ideas and
    comments stay, without name, address or any link to the person (participation.forget_account).
    Staff accounts are not deleted here (their administration does)."""
    from isek.participation import services as participation

    account = citizen_account(user)
    if account is None:
        raise invalid(_("Dieses Konto verwaltet die Administration; es lässt sich hier nicht löschen."), "not_citizen")
    if not user.check_password(password or ""):
        raise invalid(_("Das Passwort stimmt nicht; das Konto ist nicht gelöscht."), "wrong_password", "password")
    with transaction.atomic():
        counts = participation.forget_account(user, contributions=contributions)
        LoginEvent.objects.filter(user=user).delete()
        LoginEvent.objects.filter(username__iexact=user.username).delete()
        user.delete()
    return counts
