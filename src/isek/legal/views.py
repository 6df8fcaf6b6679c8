"""The legal pages (namespace "legal"): installation-wide below /about/, a city's below
/cities/<ags>/about/; the feedback form on the statement; the page where the texts are edited
and the list of feedback messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from isek import access
from isek.web import abuse
from isek.web.forms import add_errors

from . import services
from .forms import FeedbackForm, TextsForm
from .models import LegalTexts


def _place(ags):
    """(city or None for the installation, url name prefix, url args)."""
    if ags is None:
        return None, "legal:", []
    city = services.city(ags)
    if city is None:
        raise Http404(_("Diese Stadt gibt es hier nicht."))
    return city, "legal:city-", [ags]


def _context(request, city, prefix, args, **extra):
    texts = services.texts_for(city)
    return {"city": city, "texts": texts, "url": lambda name: reverse(prefix + name, args=args),
            "may_edit": services.may_edit(request.user, city),
            "edit_url": reverse(prefix + "edit", args=args), "statement_url": reverse(prefix + "accessibility", args=args),
            **extra}


def _guard(request) -> str | None:
    """The web channel's checks of participation (honeypot, proof of work, rate limit); a message, or None."""
    if request.POST.get("website"):
        return _("Die Nachricht wurde nicht angenommen (ein verstecktes Feld war ausgefüllt).")
    if not abuse.pow_ok(request.POST.get("altcha", "")):
        return _("Die Prüfung gegen automatische Einsendungen fehlt oder ist abgelaufen. Bitte die Seite neu laden "
                 "und erneut senden.")
    if abuse.over_limit(request, "feedback"):
        return _("Von Ihrem Anschluss kamen gerade sehr viele Nachrichten. Bitte in einigen Minuten erneut versuchen.")
    return None


@access.open_view(methods=("GET", "POST"))
def accessibility(request, ags=None):
    city, prefix, args = _place(ags)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST":
        refusal = _guard(request)
        if refusal is None and form.is_valid():
            d = form.cleaned_data
            try:
                sent = services.submit_feedback(request.user, city, name=d["name"], email=d["email"], message=d["message"],
                                                link=request.build_absolute_uri(reverse("legal:feedback")))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Vielen Dank. Ihre Nachricht ist angekommen. Die Stadt %(c)s hat keine Adresse "
                                            "für Rückmeldungen hinterlegt, darum ist sie an den Betrieb der Plattform "
                                            "weitergeleitet; von dort erhalten Sie eine Antwort per E-Mail.")
                                 % {"c": city.name_after_stadt} if sent.to_operator else
                                 _("Vielen Dank. Ihre Nachricht ist angekommen und an die zuständige Verwaltung "
                                   "weitergeleitet; sie antwortet Ihnen per E-Mail.") if sent.notified else
                                 _("Vielen Dank. Ihre Nachricht ist angekommen; die zuständige Verwaltung liest sie in "
                                   "isek und antwortet Ihnen per E-Mail."))
                return redirect(reverse(prefix + "accessibility", args=args) + "#feedback")
    ctx = _context(request, city, prefix, args, form=form, refusal=refusal, assessment=services.assessment(),
                   tested=services.statement_pages(city), challenge_url=reverse("legal:challenge"))
    texts = ctx["texts"]
    ctx.update(body=services.enforcement_body(texts), land_name=texts.get_land_display(), contact=services.contact_email(texts),
               barriers=services.barriers(texts, get_language()),
               barriers_german=services.shows_german(texts, "barriers", get_language()),
               own_assessment=services.in_language(texts, "assessment", get_language()))
    return render(request, "legal/accessibility.html", ctx, status=400 if request.method == "POST" else 200)


@access.open_view()
def easy_language(request, ags=None):
    city, prefix, args = _place(ags)
    ctx = _context(request, city, prefix, args)
    ctx["blocks"] = services.blocks(services.in_language(ctx["texts"], "easy", get_language()))
    ctx["german_only"] = services.shows_german(ctx["texts"], "easy", get_language())
    return render(request, "legal/easy_language.html", ctx)


@access.open_view()
def sign_language(request, ags=None):
    city, prefix, args = _place(ags)
    ctx = _context(request, city, prefix, args)
    origin = services.video_origin(ctx["texts"].sign_video_url)
    ctx["playable"] = bool(origin)
    response = render(request, "legal/sign_language.html", ctx)
    if origin:  # this page alone may load media, and only from the city's video's origin (decision 0084)
        response._csp_update = {"media-src": ["'self'", origin]}
    return response


@access.open_view()
def imprint(request, ags=None):
    city, prefix, args = _place(ags)
    ctx = _context(request, city, prefix, args)
    ctx["imprint"] = services.imprint_of(ctx["texts"])
    return render(request, "legal/imprint.html", ctx)


@access.open_view()
@never_cache
def challenge(request):
    """A proof-of-work challenge for the feedback form (ALTCHA, participation's)."""
    return JsonResponse(abuse.challenge())


@access.site_view("legal", "edit", methods=("GET", "POST"))
def edit(request, ags=None):
    city, prefix, args = _place(ags)
    texts = services.texts_for(city)
    form = TextsForm(request.POST if request.method == "POST" else None, instance=texts)
    # the state the form was loaded from (decisions 0096, 0102), kept as sent: a form from before
    # another save (another tab) stays refused until the page is loaded again; nothing is saved
    state = request.POST.get("state", "")[:64] if request.method == "POST" else services.texts_state(city)
    changed = False
    if request.method == "POST":
        try:
            services.refuse_changed_texts(city, state)
        except ValidationError:
            changed = True
    if request.method == "POST" and not changed and form.is_valid():
        try:
            services.save_texts(request.user, form.save(commit=False), state=state)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "changed":
                changed = True
            else:
                add_errors(form, exc)
        else:
            messages.success(request, _("Die Texte sind gespeichert."))
            return redirect(reverse(prefix + "edit", args=args))
    # no feedback address of the city's own: say where its feedback goes (sup22, point 9)
    route = services.feedback_route(city)
    no_address = city is not None and not texts.contact_email
    return render(request, "legal/edit.html", {"city": city, "form": form, "saved": texts.pk is not None,
                                               "no_feedback_address": no_address, "feedback_to_operator": not route[1],
                                               "english_behind": [str(LegalTexts._meta.get_field(f"{n}_en").verbose_name)
                                                                  for n in services.english_behind(texts)],
                                               "statement_url": reverse(prefix + "accessibility", args=args),
                                               "easy_url": reverse(prefix + "leichte-sprache", args=args),
                                               "sign_url": reverse(prefix + "sign-language", args=args),
                                               "imprint_url": reverse(prefix + "imprint", args=args),
                                               "state": state, "reload_url": reverse(prefix + "edit", args=args),
                                               "changed": services.texts_changed_message() if changed else ""},
                  status=409 if changed else 400 if request.method == "POST" else 200)


@access.site_view("legal", "edit", methods=("GET", "POST"), somewhere=True)
def feedback(request):
    """The messages sent with the feedback forms, to be answered (by e-mail) and marked so."""
    if request.method == "POST":
        pk, action = request.POST.get("pk", ""), request.POST.get("action", "")
        if not pk.isdigit() or action not in ("answered", "open", "delete"):
            messages.error(request, _("Unbekannte Nachricht oder Aktion; nichts geändert."))
            return render(request, "legal/feedback.html", {"items": services.feedback_list(request.user)}, status=400)
        if services.set_feedback(request.user, int(pk), action) is None:
            messages.error(request, _("Diese Nachricht gibt es nicht mehr; nichts geändert."))
        else:
            messages.success(request, {"answered": _("Als beantwortet markiert."), "open": _("Wieder offen."),
                                       "delete": _("Die Nachricht ist gelöscht.")}[action])
        return redirect("legal:feedback")
    return render(request, "legal/feedback.html", {"items": services.feedback_list(request.user)})
