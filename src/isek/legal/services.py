"""The legal pages of a city or of the installation: the accessibility statement with its feedback
(BITV 2.0 § 7, directive (EU) 2016/2102), the pages in Leichte Sprache and German Sign Language
(BITV 2.0 § 4) and the Impressum (§ 5 DDG).

Who may edit a city's texts and answer its feedback is one cell of the access policy,
("legal", "edit"); every function here that changes something asks it with the city: the
installation's administrator may, and the city's own administrator for its city (decision 0046)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from isek import access
from isek.accounts.services import administration
from isek.concepts.services import City
from isek.core import versions
from isek.core.audit import change
from isek.core.rules import invalid

from . import bodies, defaults
from .models import Compliance, Feedback, LegalTexts

__all__ = ["City", "Compliance", "Feedback", "LegalTexts", "administration"]

AXE_SUMMARY = Path(__file__).with_name("axe_summary.json")


# --- reading -------------------------------------------------------------------------------------


def city(ags: str) -> City | None:
    return City.objects.filter(ags=ags).first()


def texts_for(city: City | None) -> LegalTexts:
    """The city's texts (``None``: the installation's); before the first save an unsaved row with
    the German and English defaults."""
    found = LegalTexts.objects.filter(city=city).first() if city else LegalTexts.objects.filter(city__isnull=True).first()
    if found is not None:
        return found
    return LegalTexts(city=city, land=city.land_key if city else "", compliance=Compliance.PARTIAL,
                      prepared_on=timezone.localdate(), easy_de=defaults.EASY["de"], easy_en=defaults.EASY["en"],
                      barriers_de=defaults.BARRIERS["de"], barriers_en=defaults.BARRIERS["en"])


def imprint_of(texts: LegalTexts, operator: LegalTexts | None = None) -> LegalTexts | None:
    """Whose Impressum a page shows: the city's own, else the installation operator's (``operator``
    where the caller has read it already), else None."""
    if texts.has_imprint:
        return texts
    if texts.city_id:
        operator = operator or texts_for(None)
        if operator.has_imprint:
            return operator
    return None


def privacy_of(texts: LegalTexts, operator: LegalTexts | None = None) -> LegalTexts | None:
    """Whose privacy contact a page names (controller and data protection officer, Art. 13 DSGVO):
    the city's own, else the installation operator's (``operator`` as for ``imprint_of``), else None."""
    if texts.privacy_controller.strip():
        return texts
    if texts.city_id:
        operator = operator or texts_for(None)
        if operator.privacy_controller.strip():
            return operator
    return None


def missing(city: City | None) -> list[dict]:
    """What the legal pages of ``city`` (None: the installation) still lack before a concept or a
    participation goes public: each ``{"key", "text", "url", "blocks"}`` with the part of the edit
    page that fills it in; ``blocks``: a public participation cannot be opened without it (decision
    0045). The administration of the city or of isek fills them in (policy cell ("legal", "edit"))."""
    texts = texts_for(city)
    # the operator's texts read once where the city's lack a part (not once per part)
    operator = texts_for(None) if texts.city_id and not (texts.has_imprint and texts.privacy_controller.strip()) else None
    edit = reverse("legal:city-edit", args=[city.ags]) if city else reverse("legal:edit")
    gaps = []
    if imprint_of(texts, operator) is None:
        gaps.append({"key": "imprint", "text": _("Impressum (Anbieter nach § 5 DDG)"), "url": f"{edit}#imprint",
                     "blocks": True})
    privacy = privacy_of(texts, operator)
    if privacy is None:
        gaps.append({"key": "controller", "text": _("Datenschutz: verantwortliche Stelle"), "url": f"{edit}#privacy",
                     "blocks": True})
    if privacy is None or not privacy.privacy_dpo.strip():
        gaps.append({"key": "dpo", "text": _("Datenschutz: Kontakt der oder des Datenschutzbeauftragten"),
                     "url": f"{edit}#privacy", "blocks": False})
    return gaps


def missing_message(city: City, viewer) -> str:
    """The warning to ``viewer`` after a concept was published or a phase saved while ``city``'s legal
    texts are incomplete (empty when they are complete); the page itself shows legal/_missing.html."""
    gaps = missing(city)
    if not gaps:
        return ""
    return _("Impressum und Datenschutzkontakt der Stadt %(c)s sind nicht vollständig (es fehlen: %(gaps)s). "
             "Eintragen kann das nur %(who)s%(where)s.") % {
        "c": city.name_after_stadt, "gaps": "; ".join(str(g["text"]) for g in gaps), "who": administration(city, viewer),
        "where": _where(city, viewer, gaps)}


def _where(city: City, viewer, gaps) -> str:
    """", unter <the edit page>" for those who may edit the legal texts; "" for the others, who
    cannot open it (issue #23: the page is named only to those the policy allows; decision 0072)."""
    return (_(", unter %(url)s") % {"url": gaps[0]["url"]}) if may_edit(viewer, city) else ""


def require_for_participation(city: City, viewer) -> None:
    """A public participation collects personal data: refused (ValidationError, code
    "legal_missing") while neither ``city`` nor the installation names a provider (§ 5 DDG) and a
    controller (Art. 13 DSGVO) – decision 0045. The data protection officer's contact stays a
    warning."""
    gaps = [g for g in missing(city) if g["blocks"]]
    if gaps:
        raise invalid(_("Eine öffentliche Beteiligung erhebt personenbezogene Daten: Dafür müssen die öffentlichen Seiten "
                        "einen Anbieter (Impressum, § 5 DDG) und die verantwortliche Stelle für den Datenschutz "
                        "(Art. 13 DSGVO) nennen. Für die Stadt %(c)s fehlt noch: %(gaps)s. Eintragen kann das nur "
                        "%(who)s%(where)s. Die Phase wurde nicht gespeichert; eine Phase, die schon vorbei "
                        "ist, kann auch so erfasst werden.") % {
            "c": city.name_after_stadt, "gaps": "; ".join(str(g["text"]) for g in gaps), "who": administration(city, viewer),
            "where": _where(city, viewer, gaps)}, "legal_missing")


def contact_email(texts: LegalTexts) -> str:
    """Where the city's feedback is reported: its own address, else the installation's."""
    return texts.contact_email or (texts_for(None).contact_email if texts.city_id else "")


def enforcement_body(texts: LegalTexts) -> bodies.Body | None:
    return bodies.body_for(texts.land)


def supervisory_authority(city: City | None) -> bodies.Authority | None:
    """Where a person may lodge a complaint about the processing on ``city``'s pages (Art. 77
    DSGVO): the authority for the public bodies of the city's Land, the Federal Commissioner for the
    installation (no city)."""
    return bodies.authority_for(city.land_key if city else "")


DEFAULTS = {"barriers": defaults.BARRIERS, "easy": defaults.EASY}  # the prose that comes with defaults in both languages


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def english_behind(texts: LegalTexts) -> list[str]:
    """The texts (``barriers``, ``easy``) whose German was edited while the English is still isek's
    default: the English would say something else than the German (walk 22, decision 0078)."""
    return [name for name, default in DEFAULTS.items()
            if _norm(getattr(texts, f"{name}_de")) != _norm(default["de"])
            and _norm(getattr(texts, f"{name}_en")) == _norm(default["en"])]


def shows_german(texts: LegalTexts, name: str, language: str) -> bool:
    """Whether an English reader gets the German text of ``name``: no English, or an English that is
    the default beside an edited German (the German is binding; the page says so)."""
    return language == "en" and (not getattr(texts, f"{name}_en") or name in english_behind(texts))


def in_language(texts: LegalTexts, name: str, language: str) -> str:
    """The English text where the UI is English and there is one that is not behind the German
    (``shows_german``), else the German."""
    return getattr(texts, f"{name}_de") if language != "en" or shows_german(texts, name, language) else getattr(texts, f"{name}_en")


def blocks(text: str):
    return defaults.blocks(text)


AXE_CONCEPT = "beispielstadt"  # the concept of the browser test that writes the summary


def assessment() -> dict:
    """isek's own automated check (axe-core over its pages), from the summary the browser test
    writes and checks (tests/browser/test_legal.py; decision 0031)."""
    data = json.loads(AXE_SUMMARY.read_text(encoding="utf-8"))
    data["date"] = datetime.date.fromisoformat(data["date"])
    data["clean"] = sum(1 for p in data["pages"] if not p["violations"])
    return data


def may_edit(user, city: City | None) -> bool:
    return access.allows_site(user, "legal", "edit", city)


def _require(user, city: City | None) -> None:
    access.require_site(user, "legal", "edit", city)


# --- writing -------------------------------------------------------------------------------------


def texts_state(city: City | None) -> str:
    """The token of the stored texts of a city (``None``: the installation's) – of no row before the
    first save: the editing page carries it, ``save_texts`` compares it (decisions 0096, 0102)."""
    rows = LegalTexts.objects.filter(city=city) if city else LegalTexts.objects.filter(city__isnull=True)
    return versions.state_token(rows.order_by("pk").values_list())


def texts_changed_message() -> str:
    return _("Die Texte wurden inzwischen geändert (in einem anderen Fenster oder von einer anderen Person); das "
             "Speichern hätte diese Änderung überschrieben. Bitte die Seite neu laden und die eigene Änderung dann "
             "erneut eintragen.")


def refuse_changed_texts(city: City | None, state: str | None) -> None:
    """Raise ``ValidationError`` (code "changed") if the form was loaded from another state of the
    texts than the stored one; a form without a state is not checked."""
    if state and state != texts_state(city):
        raise invalid(texts_changed_message(), "changed")


def save_texts(user, texts: LegalTexts, *, via: str = "web", state: str | None = None) -> LegalTexts:
    """Save the (changed) texts of a city or of the installation. ``state``: the ``texts_state`` the
    form was loaded from; texts changed since are refused (code "changed"), nothing saved."""
    _require(user, texts.city)
    refuse_changed_texts(texts.city, state)
    texts.full_clean()
    with change(user, via):
        if state:  # again inside the transaction, the row (if any) locked: two saves at once
            list(LegalTexts.objects.select_for_update().filter(pk=texts.pk or 0).values_list("pk", flat=True))
            refuse_changed_texts(texts.city, state)
        texts.save()
    return texts


FEEDBACK_TWICE_MINUTES = 30  # the same message from the same address within this time is not stored again


def submit_feedback(user, city: City | None, *, name: str, email: str, message: str, link: str = "") -> Feedback:
    """Store a message sent with a statement's feedback form and report it to the city's address
    (``link``: where those who answer find it). Anyone may send; the web channel guards the form
    (proof of work, honeypot, rate limit)."""
    feedback = Feedback(city=city, name=name.strip(), email=email.strip(), message=message.strip())
    feedback.full_clean()
    since = timezone.now() - datetime.timedelta(minutes=FEEDBACK_TWICE_MINUTES)
    if Feedback.objects.filter(city=city, email__iexact=feedback.email, message=feedback.message, created_at__gte=since).exists():
        # the form sent again after "back" (decision 0084): the first one is there, a second is not stored
        raise invalid(_("Diese Nachricht ist vor wenigen Minuten schon angekommen; sie wird nicht ein zweites Mal "
                        "gespeichert."), "feedback_twice", "message")
    with change(user, "web"):
        feedback.save()
    addresses, by_city = feedback_route(city)
    feedback.notified = bool(addresses)  # what the thanks may promise
    # a city's message that went to the installation's operator, as the city named nobody: the
    # thanks says so (sup22, point 9)
    feedback.to_operator = bool(addresses) and city is not None and not by_city
    if addresses:
        with override("de"):
            where = city.name if city else _("die Installation")
            lines = [_("Eine neue Rückmeldung zur Barrierefreiheit (%(where)s):") % {"where": where}, "",
                     feedback.message, "", _("Von: %(name)s <%(email)s>") % {"name": feedback.name or "–",
                                                                             "email": feedback.email}]
            if link:
                lines += ["", _("Bitte beantworten und als beantwortet markieren: %(link)s") % {"link": link}]
            EmailMessage(_("Rückmeldung zur Barrierefreiheit"), "\n".join(lines), settings.DEFAULT_FROM_EMAIL,
                         addresses, reply_to=[feedback.email]).send(fail_silently=True)
    return feedback


def feedback_recipients(city: City | None) -> list[str]:
    """Who is told of a feedback on ``city``'s statement (walk 22): the city's feedback address,
    else its administrators, else the installation's address, else its administrators."""
    return feedback_route(city)[0]


def feedback_route(city: City | None) -> tuple[list[str], bool]:
    """``feedback_recipients`` and whether they are the city's own (its address or its
    administrators) – False where a city's feedback goes to the installation's operator."""
    from django.contrib.auth import get_user_model

    from isek.concepts import services as concepts

    own = texts_for(city).contact_email if city else ""
    admins = [u.email for u in concepts.city_people(city, concepts.CityRole.Role.ADMIN) if u.is_active] if city else []
    found = [own] if own else sorted({a for a in admins if a})
    if found:
        return found, city is not None
    found = [texts_for(None).contact_email] if texts_for(None).contact_email else sorted(set(
        get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True)))
    return found, False


# the installation's pages a city has its own of, below /cities/<ags>/ (legal.urls, web.urls)
CITY_PAGES = {"/about/accessibility/", "/about/leichte-sprache/", "/about/sign-language/", "/about/imprint/",
              "/about/privacy/"}


def statement_pages(city: City | None) -> list[dict]:
    """The pages of isek's automated check (``assessment``) as they exist here: the test's example
    concept stands for a public concept of ``city`` where it has one (its participation pages only
    while it has a phase), else for "a concept" (walk 22: no address that answers 404 on this
    installation); the legal pages are the city's own."""
    from isek.concepts import services as concepts
    from isek.participation import services as participation

    concept = (concepts.Concept.objects.filter(city=city, is_public=True).order_by("name").first()
               if city is not None else None)
    taking_part = concept is not None and participation.current_phase(concept) is not None
    pages = []
    for p in assessment()["pages"]:
        path = p["path"]
        if path.startswith(f"/concepts/{AXE_CONCEPT}/"):
            shown = concept if concept is not None and (taking_part or "/participation/" not in path) else None
            path = path.replace(f"/concepts/{AXE_CONCEPT}/", f"/concepts/{shown.slug}/" if shown else "/concepts/…/", 1)
        elif city is not None and path in CITY_PAGES:  # the city's own legal pages, the same templates
            path = f"/cities/{city.ags}{path}"
        pages.append({**p, "path": path, "link": "…" not in path})
    return pages


def barriers(texts: LegalTexts, language: str) -> list[str]:
    """The lines of the statement's barriers, without the default line "no sign-language video yet"
    once the city has given one (walk 22)."""
    lines = [line for line in in_language(texts, "barriers", language).splitlines() if line.strip()]
    if texts.sign_video_url:
        said = {defaults.BARRIERS[lang].splitlines()[2] for lang in ("de", "en")}
        lines = [line for line in lines if line.strip() not in said]
    return lines


def feedback_list(user):
    """The messages ``user`` answers, open ones first: every one for the installation's
    administrator, those of their cities for a city's administrator."""
    access.require_site(user, "legal", "edit", somewhere=True)
    cities = access.site_cities(user, "legal", "edit")
    found = Feedback.objects.select_related("city")
    return found if cities is None else found.filter(city__in=cities)


def set_feedback(user, pk: int, action: str) -> Feedback | None:
    """Mark a message answered or open again, or delete it (``action``); None if there is no such message."""
    feedback = Feedback.objects.select_related("city").filter(pk=pk).first()
    if feedback is None:
        return None
    _require(user, feedback.city)
    with change(user, "web"):
        if action == "delete":
            feedback.delete()
        else:
            feedback.status = Feedback.Status.ANSWERED if action == "answered" else Feedback.Status.OPEN
            feedback.answered_at = timezone.now() if action == "answered" else None
            feedback.save()
    return feedback


def video_origin(url: str) -> str:
    """The origin ("https://www.speyer.de") of the city's sign-language video where the page can play
    it – an MP4 or WebM file over https – else "" (the page links it). The sign-language page's
    Content-Security-Policy allows media from this origin alone (decision 0084); the host name is
    checked strictly, so that nothing from the address can add to the policy."""
    import re
    from urllib.parse import urlsplit

    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if (parts.scheme.lower() != "https" or parts.username or parts.password
            or not re.fullmatch(r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?", host)
            or not parts.path.lower().endswith((".mp4", ".webm"))):
        return ""
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")


def follow_corrected_ags(sender, city, old: str, **kwargs) -> None:
    """The city's AGS was corrected (``concepts.services.city_ags_corrected``, decision 0090): where
    its enforcement procedure was the old key's Land, it becomes the new key's (inside the
    correction's recorded transaction)."""
    if old[:2] == city.ags[:2]:
        return
    for texts in LegalTexts.objects.filter(city=city, land=old[:2]):
        texts.land = city.ags[:2]
        texts.save(update_fields=["land"])
