"""Participation pages: the public page with map and list, an idea's page with comments, support
and reports, the idea form, deletion through the one-time link, the moderation queue. Views
translate between HTTP and the services; abuse protection of this channel is in ``abuse``."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from isek import access
from isek.concepts import services as concepts
from isek.core import files
from isek.core.jobviews import job_action
from isek.core.problems import InputError
from isek.geodata import services as geodata
from isek.legal import services as legal
from isek.web import abuse, paging, public
from isek.web.forms import add_errors

from . import exporting, identity, mail, photos, services
from .forms import (
    AnswerForm,
    CommentForm,
    DecisionForm,
    FlagForm,
    IdeaForm,
    ImportMappingForm,
    ImportUploadForm,
    PhaseForm,
    SupportForm,
)
from .models import Comment, Idea

known_contributor, remember = identity.known_contributor, identity.remember


def _seconds(seconds: float) -> str:
    """A duration in seconds with one decimal, written in the page's language (fix24g: "0.4 s" on a
    German page that wrote "1,2 s" elsewhere)."""
    return formats.number_format(seconds, 1, use_l10n=True)


def _phase_or_404(concept, phase=False):
    """The concept's current phase (or ``phase``, if already read), else 404."""
    phase = services.current_phase(concept) if phase is False else phase
    if phase is None:
        raise Http404(_("Für dieses Konzept gibt es keine Beteiligung."))
    return phase


def _public_ctx(request, concept, phase):
    may_moderate = access.allows(request.user, "moderation", "view", concept)
    ctx = {"concept": concept, "phase": phase, "counters": services.counters(phase),
           "is_open": phase.is_open(), "may_moderate": may_moderate,
           "open_reports": services.open_reports(request.user, concept) if may_moderate else 0,
           **geodata.map_context(concept, request.user)}
    return ctx


def _phase_links(request, concept) -> dict:
    """All phases of the concept with their pages, for those who edit or evaluate them (issue #24,
    walk 16): a new phase or one without contributions is reachable from the pages, not by guessing."""
    may_edit = access.allows(request.user, "phase", "edit", concept)
    may_evaluate = access.allows(request.user, "moderation", "view", concept)
    listed = services.phases(request.user, concept).order_by("-start") if may_edit or may_evaluate else ()
    return {"phase_list": listed, "may_edit_phase": may_edit, "may_create_phase": may_edit,
            "may_import": _may_import(request, concept)}


def _may_import(request, concept) -> bool:
    """Whether the import of contributions is linked (fix24b: it was only on the phase's edit page)."""
    return access.allows(request.user, "participation", "import", concept)


@access.concept_view("participation", "view", login=False)
def participation_page(request, concept):
    return public.respond(request, concept, lambda: _participation_page(request, concept),
                          extra=services.phase_state(concept))


def _participation_page(request, concept):
    phase = _phase_or_404(concept)
    ideas = services.published_ideas(request.user, phase).order_by("-created_at")
    theme = request.GET.get("theme", "")
    if theme.isdigit():
        ideas = ideas.filter(theme_id=int(theme))
    return render(request, "participation/phase.html", {
        **_public_ctx(request, concept, phase), **_phase_links(request, concept), "ideas": ideas, "theme": theme,
        "themes": phase.themes.all()})


@access.concept_view("participation", "view", login=False)
def ideas_geojson(request, concept):

    def build():
        phase = _phase_or_404(concept)
        fc = services.ideas_features(request.user, phase, lambda i: reverse("participation:idea", args=[concept.slug, i.pk]))
        return HttpResponse(json.dumps(fc, ensure_ascii=False), content_type="application/geo+json")

    return public.respond(request, concept, build, extra=services.phase_state(concept))


@access.concept_view("participation", "view", login=False)
def area_geojson(request, concept):
    return public.respond(request, concept, lambda: HttpResponse(
        json.dumps(services.area_features(_phase_or_404(concept))), content_type="application/geo+json"),
        extra=services.phase_state(concept))


@access.open_view()
@never_cache
def challenge(request, slug):
    """A proof-of-work challenge for the participation forms (ALTCHA). It reveals nothing of the
    concept and is the same for every concept, so it asks no database: one query less for each
    contribution."""
    return JsonResponse(abuse.challenge())


def _guard(request, action: str) -> str | None:
    """The channel's checks before any rule: honeypot, proof of work, rate limit. A message, or None."""
    if request.POST.get("website"):
        return _("Der Beitrag wurde nicht angenommen (ein verstecktes Feld war ausgefüllt).")
    if not abuse.pow_ok(request.POST.get("altcha", "")):
        return _("Die Prüfung gegen automatische Einsendungen fehlt oder ist abgelaufen. Bitte die Seite neu laden "
                 "und erneut senden.")
    if abuse.over_limit(request, action):
        return _("Von Ihrem Anschluss kamen gerade sehr viele Beiträge. Bitte in einigen Minuten erneut versuchen.")
    return None


@access.concept_view("idea", "create", methods=("GET", "POST"), login=False, load=False)
def idea_new(request, slug):
    # The path a crowd takes: what it reads of the concept is kept per process (submission_setting),
    # so it loads and checks the concept itself.
    setting = services.submission_setting(slug)
    if setting is None:
        raise Http404
    concept, phase, themes = setting
    access.require(request.user, "idea", "create", concept)
    phase = _phase_or_404(concept, phase)
    posted = request.method == "POST"
    # The list of places is only needed to show the form or to check a place chosen from it.
    places = services.places(phase) if not posted or request.POST.get("place") else []
    form = IdeaForm(request.POST if posted else None, request.FILES or None, themes=themes, places=places)

    def page(status=200, **extra):
        if not form.places:
            form.set_places(services.places(phase))
        return render(request, "participation/idea_form.html", {
            **_public_ctx(request, concept, phase), "form": form, "geometry": form["geometry"], **extra}, status=status)

    if not phase.is_open() or not phase.ideas_open:
        return page(400 if posted else 200, closed=True)
    if not posted:
        return page()
    refusal = _guard(request, "idea")
    if refusal:
        return page(400, refusal=refusal)
    if not form.is_valid():
        return page(400)
    d = form.cleaned_data
    try:
        sent = services.send_idea(request.user, phase, known_id=identity.known_contributor_id(request), email=d["email"],
                                  email_consent=d["email_consent"], photo=d.get("photo"), photo_rights=d["photo_rights"],
                                  theme=form.themes[d["theme"]], title=d["title"], text=d["text"],
                                  geometry=d["geometry"], name=d["name"])
    except InputError as exc:
        form.add_error("photo", exc.messages(_))
    except ValidationError as exc:
        add_errors(form, exc)
    else:
        idea = sent.contribution
        response = redirect("participation:idea", slug, idea.pk)
        messages.success(request, _("Danke! Ihre Idee %(r)s ist eingegangen.") % {"r": idea.reference}
                         + (" " + _("Sie wird veröffentlicht, sobald die Moderation sie geprüft hat.")
                            if idea.status == services.Status.PENDING else "")
                         + (" " + _("Sie hatten sie schon gesendet; sie ist nur einmal gespeichert.") if idea.resent else "")
                         + (" " + _("Der Löschlink, der nach Ihrem ersten Beitrag angezeigt wurde, löscht auch diesen.")
                            if sent.token is None and not request.user.is_authenticated else ""))
        return remember(response, request, sent.contributor, sent.token)
    return page(400)


def _idea_or_404(request, concept, phase, pk):
    try:
        return services.visible_idea(request.user, phase, pk)
    except Idea.DoesNotExist:
        own = services.idea_for_author(known_contributor(request), phase, pk)
        if own is None:
            raise Http404 from None
        return own


@access.concept_view("participation", "view", login=False, ids={"pk": "idea"})
def idea_page(request, concept, pk):
    phase = _phase_or_404(concept)
    try:
        idea = _idea_or_404(request, concept, phase, pk)
    except Http404:
        # the evaluation pages link contributions of every phase, imported ones wait for moderation:
        # those who moderate open them in the phase they belong to (never the public)
        if not access.allows(request.user, "moderation", "view", concept):
            raise
        other = services.phases(request.user, concept).filter(ideas__pk=pk).first()
        if other is None:
            raise
        phase = other
        idea = _idea_or_404(request, concept, phase, pk)
    return _render_idea(request, concept, phase, idea)


def _render_idea(request, concept, phase, idea, status=200, **forms):
    me = known_contributor(request)
    mine = idea.supports.filter(contributor=me).first() if me is not None else None
    comments = idea.comments.filter(status=services.Status.PUBLISHED).select_related("contributor")
    may_moderate = access.allows(request.user, "moderation", "decide", concept)
    if may_moderate:
        services.attach_reports([idea])
    own = services.pending_feature(request.user, me, idea, reverse("participation:idea", args=[concept.slug, idea.pk]))
    ctx = {
        "own_idea_json": json.dumps(own, ensure_ascii=False) if own else "",
        "pending_for_moderation": bool(own and own["properties"].get("moderation")),
        **_public_ctx(request, concept, phase), "idea": idea, "comments": comments,
        "merged": services.merged_ideas(request.user, idea), "is_author": me is not None and idea.contributor_id == me.pk,
        **_support_ctx(request, phase, mine, forms.get("support_form")),
        "supports": services.supports.counts(idea.supports.all()),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "flag_form": forms.get("flag_form") or FlagForm(),
        "delete_link": request.session.pop("participation_delete_link", None),
        "decisions": services.idea_decisions(request.user, idea) if may_moderate else [],
        "answer_form": AnswerForm(measures=concepts.measures_of(concept), initial={
            "outcome": idea.outcome, "measure": idea.measure_id, "text": idea.answer}) if may_moderate else None,
        "decision_form": DecisionForm() if may_moderate else None,
        "refusal": forms.get("refusal"),
    }
    return render(request, "participation/idea.html", ctx, status=status)


def _send_comment(request, concept, form, done, **target):
    """A comment form's comment on ``target`` (idea= or measure=): ``done`` (a redirect) with the
    thanks and the browser remembered, or None with the form's or the service's errors on it."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        sent = services.send_comment(request.user, concept, known_contributor(request), text=d["text"], name=d["name"],
                                     email=d["email"], email_consent=d["email_consent"], **target)
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    messages.success(request, _("Danke für Ihren Kommentar.") + (
        " " + _("Er erscheint, sobald die Moderation ihn geprüft hat.")
        if sent.contribution.status == services.Status.PENDING else ""))
    return remember(done, request, sent.contributor, sent.token)


@access.concept_view("comment", "create", methods="POST", login=False, ids={"pk": "idea"})
def idea_comment(request, concept, pk):
    phase = _phase_or_404(concept)
    idea = _idea_or_404(request, concept, phase, pk)
    form = CommentForm(request.POST)
    refusal = _guard(request, "comment")
    if refusal:
        return _render_idea(request, concept, phase, idea, 400, comment_form=form, refusal=refusal)
    try:
        sent = _send_comment(request, concept, form, redirect("participation:idea", concept.slug, pk), idea=idea)
    except Idea.DoesNotExist:
        raise Http404 from None
    return sent or _render_idea(request, concept, phase, idea, 400, comment_form=form)


@access.concept_view("support", "create", methods="POST", login=False, ids={"pk": "idea"})
def idea_support(request, concept, pk):
    phase = _phase_or_404(concept)
    idea = _idea_or_404(request, concept, phase, pk)
    return _send_support(request, concept, phase, reverse("participation:idea", args=[concept.slug, pk]),
                         lambda status, form, refusal=None: _render_idea(request, concept, phase, idea, status,
                                                                         support_form=form, refusal=refusal),
                         _("Sie unterstützen diese Idee."), idea=idea)


def _support_needs(request, phase) -> str:
    """What the phase asks of this person to support: "email", "account", or "" (nothing more)."""
    needs = "" if request.user.is_authenticated or phase is None else phase.support_needs
    return needs if needs != services.Phase.SupportNeeds.NOTHING else ""


def _support_ctx(request, phase, mine, form=None) -> dict:
    """What a support form shows: this browser's or account's support (waiting for its link or
    given), what the phase asks of someone without an account ("email", "account" or "") and where
    to sign in."""
    needs = _support_needs(request, phase)
    pending = mine is not None and mine.confirmation == services.Support.Confirmation.PENDING
    return {"supported": mine is not None and not pending, "support_pending": pending, "support_needs": needs,
            "support_form": form or SupportForm(email_needed=needs == "email"), "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
            "signup_url": f"{reverse('accounts:signup')}?{urlencode({'next': request.path})}"}


def _send_support(request, concept, phase, done_url, refuse, thanks, **target):
    """The support form's support of ``target`` (idea= or measure=): a redirect to ``done_url`` with
    the thanks (or, where the phase asks for a confirmed address, the news that the link is on its
    way), or ``refuse(status, form, refusal)``. Someone without an account where the phase asks for
    one is sent to sign in."""
    needs = _support_needs(request, phase)
    if needs == "account":
        return redirect_to_login(done_url)
    form = SupportForm(request.POST, email_needed=needs == "email")
    refusal = _guard(request, "support")
    if not refusal and not request.user.is_authenticated and abuse.over_limit(
            request, "support_one", "-".join(f"{k}{v.pk}" for k, v in target.items())):
        refusal = _("Von Ihrem Anschluss kamen gerade sehr viele Unterstützungen für dasselbe. Bitte in einigen "
                    "Minuten erneut versuchen.")
    if refusal:
        return refuse(400, form, refusal)
    if not form.is_valid():
        return refuse(400, form)
    address = form.cleaned_data["support_email"] if needs == "email" else ""
    try:
        sent = services.send_support(request.user, concept, known_contributor(request), email=address, **target)
    except (Idea.DoesNotExist, concepts.Measure.DoesNotExist):
        raise Http404 from None
    except ValidationError as exc:
        if "email" in getattr(exc, "error_dict", {}):
            form.add_error("support_email", exc.error_dict["email"])
            return refuse(400, form)
        return refuse(400, form, " ".join(exc.messages))
    given = sent.contribution
    if given.email_hash:  # the phase asks for a confirmed address: the link goes out (again, after a while)
        if not services.supports.link_mail_due(given):
            messages.info(request, _("Wir haben Ihnen bereits einen Link an %(a)s geschickt (er gilt %(n)d Tage); bitte "
                                     "sehen Sie auch im Spam-Ordner nach. Einen neuen schicken wir frühestens in einer "
                                     "Stunde.") % {"a": address, "n": services.supports.LINK_DAYS})
            return remember(redirect(done_url), request, sent.contributor, sent.token)
        link = request.build_absolute_uri(reverse("participation-support", args=[services.support_link_token(given)]))
        if not mail.support_mail(address, next(iter(target.values())), link,
                                 given.confirmation != services.Support.Confirmation.PENDING):
            return refuse(400, form, _("Die E-Mail konnte gerade nicht gesendet werden. Bitte versuchen Sie es "
                                       "später noch einmal."))
        messages.success(request, _("Danke! Wir haben eine E-Mail an %(a)s geschickt. Ihre Unterstützung zählt, "
                                    "sobald Sie den Link darin öffnen (er gilt %(n)d Tage).")
                         % {"a": address, "n": services.supports.LINK_DAYS})
    else:
        messages.success(request, thanks)
    return remember(redirect(done_url), request, sent.contributor, sent.token)


@access.concept_view("flag", "create", methods="POST", login=False, ids={"pk": "idea"})
def idea_flag(request, concept, pk):
    phase = _phase_or_404(concept)
    idea = _idea_or_404(request, concept, phase, pk)
    form = FlagForm(request.POST)
    if request.POST.get("website") or abuse.over_limit(request, "flag"):
        return _render_idea(request, concept, phase, idea, 400, flag_form=form,
                            refusal=_("Die Meldung wurde nicht angenommen."))
    if form.is_valid():
        try:
            sent = services.send_flag(request.user, concept, known_contributor(request),
                                      reason=form.cleaned_data["reason"], text=form.cleaned_data["text"], idea=idea)
        except Idea.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Danke; die Moderation sieht sich den Beitrag an."))
            return remember(redirect("participation:idea", concept.slug, pk), request, sent.contributor, sent.token)
    return _render_idea(request, concept, phase, idea, 400, flag_form=form)


@access.concept_view("participation", "view", login=False, ids={"pk": "idea"})
def idea_photo(request, concept, pk):
    idea = _idea_or_404(request, concept, _phase_or_404(concept), pk)
    path = photos.path_of(idea.photo)
    if path is None:
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- moderation ----------------------------------------------------------------------------------


@access.concept_view("moderation", "view", post=("moderation", "decide"))
def moderation(request, concept):
    error, failed = None, None  # failed: the refused decision, shown at its contribution with the choice kept
    if request.method == "POST":
        kind, pk = request.POST.get("kind"), request.POST.get("pk", "")
        model = {"idea": Idea, "comment": Comment}.get(kind)
        target = model.objects.filter(pk=int(pk), phase__concept=concept).first() if model and pk.isdigit() else None
        if model is not None and pk.isdigit() and target is None:
            raise Http404  # names a contribution this concept does not have
        form = DecisionForm(request.POST)
        if target is None:
            error = _("Bitte einen Beitrag wählen.")
        elif form.is_valid():
            d = form.cleaned_data
            try:
                into = (services.idea_numbered(request.user, target.phase, d["merge_into"])
                        if d["action"] == "merge" and kind == "idea" else None)
                decision = services.decide(request.user, target, d["action"], reason=d["reason"], text=d["text"],
                                           merge_into=into)
            except ValidationError as exc:
                failed = " ".join(exc.messages)
            else:
                messages.success(request, services.decided(target, decision))
                return redirect("participation:moderation", concept.slug)
        else:
            failed = _("Bitte eine Entscheidung wählen.")
        if failed:
            failed = {"kind": kind, "pk": target.pk, "error": failed, "data": request.POST}
    ideas, comments = services.queue(request.user, concept)
    reported = [t for t in ideas + comments if t.open_flags]  # listed first, with their reports
    if failed and not any((t.kind, t.pk) == (failed["kind"], failed["pk"]) for t in ideas + comments):
        error = failed["error"]  # its contribution is not listed (any more): the message goes on top
    unreported = [i for i in ideas if not i.open_flags]  # 100 a page: 697 waiting took 6–8 s (walk 24)
    waiting = paging.page_of(request, unreported, MODERATION_PAGE)
    services.locate(concept, [t for t in reported if t.kind == "idea"] + list(waiting["rows"]))
    return render(request, "participation/moderation.html", {
        "concept": concept, "reported": reported, "ideas": waiting["rows"], "waiting": waiting,
        "waiting_count": len(unreported),
        "comments": [c for c in comments if not c.open_flags], "form": DecisionForm(), "error": error,
        "failed": failed, "log": services.log(request.user, concept), "phases": services.moderated_phases(request.user, concept)},
        status=400 if error or failed else 200)


MODERATION_PAGE = 100  # waiting ideas a page


@access.concept_view("moderation", "decide", methods="POST", login=False, ids={"pk": "idea"})
def idea_answer(request, concept, pk):
    phase = _phase_or_404(concept)
    idea = _idea_or_404(request, concept, phase, pk)
    form = AnswerForm(request.POST, measures=concepts.measures_of(concept))
    if not form.is_valid():
        return _render_idea(request, concept, phase, idea, 400,
                            refusal=" ".join(m for ms in form.errors.values() for m in ms))
    d = form.cleaned_data
    measure = concepts.measures_of(concept).filter(pk=int(d["measure"])).first() if d["measure"] else None
    try:
        services.answer(request.user, idea, text=d["text"], outcome=d["outcome"], measure=measure)
    except ValidationError as exc:
        return _render_idea(request, concept, phase, idea, 400, refusal=" ".join(exc.messages))
    messages.success(request, _("Die Antwort ist veröffentlicht."))
    return redirect("participation:idea", concept.slug, pk)


# --- deletion on request (outside any concept: the link is all a contributor has) ---------------


@access.open_view(methods=("GET", "POST"))
def delete_page(request, token):
    if request.method == "POST":
        counts = services.delete_contributions(token)
        if counts is None:
            return render(request, "participation/delete.html", {"unknown": True}, status=404)
        response = render(request, "participation/delete.html", {"done": counts})
        response.delete_cookie(identity.COOKIE)
        return response
    known = services.deletion_link_known(token)
    return render(request, "participation/delete.html", {"unknown": not known}, status=200 if known else 404)


# --- planners: phases, links, statistics, exports ------------------------------------------------


@access.concept_view("phase", "edit", methods=("GET", "POST"), ids={"pk": "phase"})
def phase_edit(request, concept, pk=None):
    phase = services.phases(request.user, concept).filter(pk=pk).first() if pk else None
    if pk and phase is None:
        raise Http404
    form = PhaseForm(request.POST if request.method == "POST" else None, instance=phase, concept=concept)
    form_fix = None
    refused_not_public = False  # the errors say it already: no notice above them
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in PhaseForm.Meta.fields}
        try:
            saved = services.save_phase(request.user, concept, phase, themes=form.cleaned_data["themes"], **fields)
        except ValidationError as exc:
            add_errors(form, exc)
            refused_not_public = getattr(exc, "code", None) == "not_public"
            if refused_not_public and access.allows(request.user, "concept", "edit", concept):
                # the refusal names the concept's form: a link to it
                form_fix = {"id": "fix-not-public", "url": reverse("concepts:concept-edit", args=[concept.slug]),
                            "label": _("Konzept bearbeiten")}
            elif getattr(exc, "code", None) == "legal_missing" and legal.may_edit(request.user, concept.city):
                # the page that fills the texts in: linked for those who may edit it only (decision 0072)
                gap = legal.missing(concept.city)[0]
                form_fix = {"id": "fix-legal", "url": gap["url"], "label": _("Rechtliche Seiten der Stadt bearbeiten")}
        else:
            messages.success(request, _("Die Beteiligungsphase „%(t)s“ wurde gespeichert.") % {"t": saved.title_de})
            if warning := legal.missing_message(concept.city, request.user):
                messages.warning(request, warning)
            # the participation page shows the current phase and lists all; a phase that has not begun
            # (none current yet) is shown in its form, which lists them too (walk 16)
            if services.current_phase(concept) is None:
                return redirect("participation:phase-edit", concept.slug, saved.pk)
            return redirect(reverse("participation:phase", args=[concept.slug]) + "#phases")
    heading = _("Beteiligungsphase bearbeiten") if phase else _("Beteiligungsphase anlegen")
    gaps = legal.missing(concept.city)
    return render(request, "participation/phase_form.html", {
        "concept": concept, "form": form, "geometry": form["polygon"], "heading": heading, "phase": phase,
        "may_moderate": access.allows(request.user, "moderation", "view", concept), **_phase_links(request, concept),
        "refused_not_public": refused_not_public,
        "map_label": _("Karte zum Zeichnen des Gebiets, in dem Ideen verortet werden können"), "edit_kind": "polygon",
        "cancel_url": reverse("participation:phase", args=[concept.slug]) if phase else concept.get_absolute_url(),
        "form_fix": form_fix, "legal_missing": gaps, "legal_blocks": any(g["blocks"] for g in gaps),
        "legal_administration": legal.administration(concept.city, request.user),
        "legal_may_edit": legal.may_edit(request.user, concept.city), **geodata.map_context(concept, request.user)}, status=400 if request.method == "POST" else 200)


@access.concept_view("idea", "link", methods="POST", ids={"pk": "idea"})
def idea_link(request, concept, pk):
    """A planner links an idea to the measure it led to (the outcome "became measure …")."""
    phase = _phase_or_404(concept)
    idea = _idea_or_404(request, concept, phase, pk)
    measure_id = request.POST.get("measure", "")
    measure = concepts.measures_of(concept).filter(pk=int(measure_id)).first() if measure_id.isdigit() else None
    try:
        services.answer(request.user, idea, text=request.POST.get("text", ""), outcome="measure", measure=measure)
    except ValidationError as exc:
        return _render_idea(request, concept, phase, idea, 400, refusal=" ".join(exc.messages))
    messages.success(request, _("Die Idee ist mit der Maßnahme verknüpft."))
    return redirect("participation:idea", concept.slug, pk)


@access.concept_view("participation", "statistics")
def statistics(request, concept):
    phase = _phase_or_404(concept)
    may_report = access.allows(request.user, "moderation", "view", concept)
    return render(request, "participation/statistics.html", {
        "concept": concept, "phase": phase, "stats": services.statistics(request.user, phase),
        "may_export": access.allows(request.user, "participation", "export", concept),
        # the evaluation report per phase (fix24f: this page counts only the current phase)
        "phases": services.moderated_phases(request.user, concept) if may_report else []})


@access.concept_view("participation", "export")
def export(request, concept, fmt):
    if fmt not in ("csv", "xlsx", "geojson"):
        raise Http404(_("Exporte gibt es als CSV, XLSX und GeoJSON."))
    name = f"{concept.slug}-beteiligung"
    if fmt == "geojson":
        data = json.dumps(services.export_features(request.user, concept), ensure_ascii=False).encode()
        response = HttpResponse(data, content_type="application/geo+json")
    elif fmt == "xlsx":
        rows = services.export_rows(request.user, concept)
        data = exporting.xlsx_bytes(services.EXPORT_COLUMNS, rows, f"{concept.name}: Beteiligung")
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        rows = services.export_rows(request.user, concept)
        response = HttpResponse(exporting.csv_bytes(services.EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- comments and support on measures ------------------------------------------------------------


def _measure_or_404(concept, pk):
    measure = concepts.measures_of(concept).filter(pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def _measure_form(request, concept, measure, action, status=200, form=None, refusal=None):
    me = known_contributor(request)
    heading = _("Maßnahme unterstützen") if action == "support" else _("Kommentar zur Maßnahme")
    mine = measure.supports.filter(contributor=me).first() if me is not None else None
    return render(request, "participation/measure_form.html", {
        "concept": concept, "measure": measure, "action": action, "heading": heading, "refusal": refusal,
        "form": (form if action != "support" else None) or CommentForm(),
        **_support_ctx(request, services.current_phase(concept), mine, form if action == "support" else None),
    }, status=status)


@access.concept_view("comment", "create", methods=("GET", "POST"), login=False, ids={"pk": "measure"})
def measure_comment(request, concept, pk):
    measure = _measure_or_404(concept, pk)
    if request.method != "POST":
        return _measure_form(request, concept, measure, "comment")
    form = CommentForm(request.POST)
    refusal = _guard(request, "comment")
    if refusal:
        return _measure_form(request, concept, measure, "comment", 400, form, refusal)
    sent = _send_comment(request, concept, form, redirect("concepts:measure", concept.slug, pk), measure=measure)
    return sent or _measure_form(request, concept, measure, "comment", 400, form)


@access.concept_view("support", "create", methods=("GET", "POST"), login=False, ids={"pk": "measure"})
def measure_support(request, concept, pk):
    measure = _measure_or_404(concept, pk)
    if request.method != "POST":
        return _measure_form(request, concept, measure, "support")
    return _send_support(request, concept, services.current_phase(concept),
                         reverse("concepts:measure", args=[concept.slug, pk]),
                         lambda status, form, refusal=None: _measure_form(request, concept, measure, "support", status,
                                                                          form, refusal),
                         _("Sie unterstützen diese Maßnahme."), measure=measure)


# --- confirming a support through the link sent by e-mail (outside any concept, like deletion) --


@access.open_view(methods=("GET", "POST"))
def support_confirm(request, token):
    """The link of a support that waits for its e-mail confirmation: the page asks to confirm (a
    program that opens links in mails confirms nothing), the button confirms. A wrong or expired
    link says why and changes nothing."""
    link = services.read_support_link(token)
    ctx = {"link": link, "support": link.support}
    if link.support is None:
        return render(request, "participation/support_confirm.html", ctx, status=404)
    s = link.support
    target_url = (reverse("participation:idea", args=[s.phase.concept.slug, s.idea_id]) if s.idea_id
                  else reverse("concepts:measure", args=[s.phase.concept.slug, s.measure_id]))
    ctx["target_url"] = target_url
    if request.method == "POST":
        try:
            services.confirm_support(token)
        except ValidationError as exc:
            return render(request, "participation/support_confirm.html", {**ctx, "refusal": " ".join(exc.messages)},
                          status=400)
        messages.success(request, _("Danke! Ihre Unterstützung ist bestätigt und zählt jetzt."))
        return redirect(target_url)
    return render(request, "participation/support_confirm.html", ctx)


IMPORTS = "contribution-imports"  # where an uploaded file waits between preview and import


@access.concept_view("participation", "import", methods=("GET", "POST"), ids={"pk": "phase"})
def contribution_import(request, concept, pk):
    """Contributions collected elsewhere into a phase, in three steps: upload, the column mapping
    with a preview of every problem (changed and previewed as often as needed), import – all of
    it or nothing, every contribution waiting for the moderators."""
    phase = services.phases(request.user, concept).filter(pk=pk).first()
    if phase is None:
        raise Http404
    step = request.POST.get("step", "") if request.method == "POST" else ""
    session_key = f"contribution_import_{phase.pk}"
    kept = request.session.get(session_key) or {}
    upload_form = ImportUploadForm()

    def upload_page(status=200, problems=()):
        return render(request, "participation/import.html", {
            "concept": concept, "phase": phase, "upload_form": upload_form, "problems": problems}, status=status)

    if step == "upload":
        upload_form = ImportUploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return upload_page(400)
        upload = upload_form.cleaned_data["file"]
        kept = {"name": files.keep_upload(upload, IMPORTS), "filename": upload.name}
        request.session[session_key] = kept
    elif step not in ("preview", "commit", "swap"):
        return upload_page()
    data = request.POST
    if step == "swap":  # the preview said title and text look swapped: one click swaps them (walk 24)
        data = request.POST.copy()
        data["col_title"], data["col_text"] = request.POST.get("col_text", ""), request.POST.get("col_title", "")
        step = "preview"
    path = files.kept_upload(IMPORTS, kept.get("name", ""))
    if path is None:
        return upload_page(400, [_("Die Datei ist nicht mehr vorhanden; bitte erneut hochladen.")])
    try:
        plan = services.plan_import(request.user, phase, path, kept["filename"])
    except InputError as exc:
        path.unlink(missing_ok=True)
        request.session.pop(session_key, None)
        return upload_page(400, exc.messages(_))
    themes = list(phase.themes.all())
    form = ImportMappingForm(data if step != "upload" else None, header=plan.header, mapping=plan.mapping,
                             themes=themes, yes_no=plan.yes_no,
                             theme_values=plan.column_values.get(
                                 data.get("col_theme", "") if step != "upload" else plan.mapping.columns.get("theme", ""),
                                 []))
    if step != "upload" and form.is_valid():
        plan = services.plan_import(request.user, phase, path, kept["filename"], mapping=form.mapping())
    if step == "commit" and form.is_valid() and not plan.problems:
        try:
            counts = services.commit_import(request.user, phase, plan, via="web")
        except InputError as exc:  # e.g. met another writer: nothing was saved, the page says what to do
            return upload_page(409, exc.messages(_))
        path.unlink(missing_ok=True)
        request.session.pop(session_key, None)
        if counts["create"]:
            messages.success(request, _("Beiträge übernommen: %(summary)s Sie warten auf die Moderation.")
                             % {"summary": services.import_summary(counts, plan)})
        else:  # the same file again (walk 24: "0 neu … Sie warten auf die Moderation")
            messages.success(request, _("Nichts Neues importiert (%(n)s schon vorhanden).") % {"n": counts["unchanged"]})
        return redirect("participation:moderation", concept.slug)
    refused = step == "commit"
    return render(request, "participation/import.html", {
        "concept": concept, "phase": phase, "form": form, "plan": plan, "counts": plan.counts,
        "filename": kept["filename"], "problems": [p.render(_) for p in services.shown_problems(plan.problems)],
        "warnings": [p.render(_) for p in plan.warnings], "refused": refused, "preview": plan.items[:50],
    }, status=400 if refused or form.errors else 200)


@access.concept_view("moderation", "view", post=("moderation", "decide"), ids={"pk": "phase"})
def theme_review(request, concept, pk):
    """The evaluation by theme: isek's suggestion for every idea, what to label next; a person
    confirms (one key) or chooses another theme, one idea per form."""
    phase = services.phases(request.user, concept).filter(pk=pk).first()
    if phase is None:
        raise Http404
    refusal = focus = ""
    changed = False  # decided meanwhile (another tab or person): 409, nothing changed (fix24i)
    if request.method == "POST":
        where = request.POST.get("list") if request.POST.get("list") in ("next", "idea") else ""
        try:
            review = services.confirm_theme(request.user, concept, phase, request.POST.get("idea"),
                                            services.NO_THEME if request.POST.get("no_fit") else request.POST.get("theme"),
                                            shown=request.POST.get("shown"), decided=request.POST.get("decided"))
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
            changed = getattr(exc, "code", None) == "changed"
            idea = request.POST.get("idea", "")
            focus = f"{where or 'idea'}-{idea}" if idea.isdigit() else ""  # the page stays at the row answered
        else:
            messages.success(request, _theme_decided(review))
            ev = services.theme_evaluation(request.user, concept, phase)
            url = reverse("participation:themes", args=[concept.slug, phase.pk])
            return redirect(url + _after_answer(ev, review, where, bool(request.POST.get("change"))))
    ev = services.theme_evaluation(request.user, concept, phase)
    # The list of all, open ones first, in pages of REVIEW_PAGE: a page of 700 rows, each with its
    # theme list, would take longer to build and to send than the answer it follows.
    return render(request, "participation/themes.html", {
        "concept": concept, "phase": phase, "ev": ev, **paging.page_of(request, ev.rows, REVIEW_PAGE),
        "refusal": refusal, "focus": focus, "may_import": _may_import(request, concept)},
        status=409 if changed else 400 if refusal else 200)


REVIEW_PAGE = 100


def _after_answer(ev, review, where: str, changed: bool) -> str:
    """Where the themes page opens after an answer – its page and the row whose first control gets the
    focus (fix24h: the focus went to the top of the page, or was lost on another page). Answered in
    "Als Nächstes beschriften" (``where`` "next"): that list's first row; in the list of all ("idea"):
    the next open contribution after the one answered there (by number, from the first again at the
    end), on the page it is on now; a decided row changed (``changed``), or none open: the row answered."""
    rows = [r.idea.pk for r in ev.rows]
    open_ = [r for r in ev.rows if r.review is None]
    if changed:
        anchor, pk = "idea", review.idea_id
    elif where != "idea" and ev.next:
        return f"#next-{ev.next[0].idea.pk}"
    elif open_:
        number = review.idea.number
        anchor, pk = "idea", next((r for r in open_ if r.idea.number > number), open_[0]).idea.pk
    else:
        anchor, pk = "idea", review.idea_id
    page = rows.index(pk) // REVIEW_PAGE + 1 if pk in rows else 1
    return (f"?seite={page}" if page > 1 else "") + f"#{anchor}-{pk}"


def _theme_decided(review) -> str:
    """The message after a theme decision, in its category (fix24d: "bestätigt" after a correction)."""
    values = {"number": review.idea.number, "theme": getattr(review.theme, "name", "")}
    if review.no_fit:
        return _("I-%(number)s: kein Thema passt (entschieden).") % values
    if review.unsuggested:
        return _("I-%(number)s: Thema „%(theme)s“ gewählt (isek zeigte keinen Vorschlag).") % values
    if review.corrected:
        return _("I-%(number)s: Thema korrigiert zu „%(theme)s“.") % values
    return _("I-%(number)s: Thema „%(theme)s“ bestätigt.") % values


def _evaluated_phase(request, concept, pk):
    phase = services.phases(request.user, concept).filter(pk=pk).first()
    if phase is None:
        raise Http404
    return phase


def _group_decision(request, concept, phase) -> tuple[str, str]:
    """One of the planner's decisions on the page "Auswertung: Gruppen": the message for the page
    and where on it the change is (the changed group's id; walk 24: the page went back to the top)."""
    post, action = request.POST, request.POST.get("action", "")
    user = request.user
    decision = None
    if action == "rename":
        decision = services.rename_group(user, concept, phase, post.get("group"), post.get("name"))
    elif action == "merge":
        decision = services.merge_groups(user, concept, phase, post.get("group"), post.get("into"))
    elif action == "move":
        decision = services.move_ideas(user, concept, phase, post.get("group"), post.getlist("ideas"),
                                       to_pk=post.get("to"), name=post.get("name", ""))
    elif action in ("duplicate", "distinct"):
        review = services.decide_duplicate(user, concept, phase, post.get("a"), post.get("b"), action == "duplicate")
        return str(review) + ".", "duplicates-heading"
    elif action == "recompute":
        seconds = services.recompute(user, concept, phase)
        return _("Gruppen neu berechnet (%(s)s s); Ihre Entscheidungen bleiben.") % {"s": _seconds(seconds)}, "groups-heading"
    else:
        raise ValidationError(_("Unbekannte Entscheidung."))
    group = getattr(decision, "group_pk", None)
    return decision.summary, f"group-{group}" if group else "groups-heading"


CHANGED = "participation_groups_changed"  # the session's note of the last decision: its place and message


@access.concept_view("moderation", "view", post=("moderation", "decide"), ids={"pk": "phase"})
def group_review(request, concept, pk):
    """The evaluation by groups: isek's groups of similar ideas with their words, on a list and on
    the map, and its near-duplicate proposals; the planner merges, splits, renames, moves, and
    confirms or rejects a duplicate. After a decision the page opens at the changed group, with
    the message at the top (messages) and at the group."""
    phase = _evaluated_phase(request, concept, pk)
    refusal = ""
    if request.method == "POST":
        try:
            done, anchor = _group_decision(request, concept, phase)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, done)
            request.session[CHANGED] = {"anchor": anchor, "text": done}
            return redirect(reverse("participation:groups", args=[concept.slug, phase.pk]) + f"#{anchor}")
    changed = request.session.pop(CHANGED, None) or {}
    anchor = str(changed.get("anchor", ""))
    ev = services.group_evaluation(request.user, concept, phase)
    return render(request, "participation/groups.html", {
        "concept": concept, "phase": phase, "ev": ev, "refusal": refusal, "changed_text": changed.get("text", ""),
        "changed_group": int(anchor[6:]) if anchor.startswith("group-") and anchor[6:].isdigit() else None,
        "changed_anchor": anchor,
        "ideas_url": reverse("participation:groups-geojson", args=[concept.slug, phase.pk]),
        **geodata.map_context(concept, request.user)}, status=400 if refusal else 200)


@access.concept_view("moderation", "view", ids={"pk": "phase"})
def groups_geojson(request, concept, pk):
    phase = _evaluated_phase(request, concept, pk)
    fc = services.groups_features(request.user, concept, phase,
                                  lambda i: reverse("participation:idea", args=[concept.slug, i.pk]))
    return HttpResponse(json.dumps(fc, ensure_ascii=False), content_type="application/geo+json")


def _report_phase(request, concept, pk):
    """The phase of the report; a 404 with a clear message for an unknown one or another concept's."""
    try:
        return services.report_phase(request.user, concept, pk)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None


@access.concept_view("moderation", "view", post=("moderation", "view"), ids={"pk": "phase"})
def evaluation_report(request, concept, pk):
    """The evaluation report ("Auswertung der Beteiligung"): per theme and quarter what was said,
    the citizens' own sentences, the answers, what became of each contribution, the method. Its
    POST starts the PDF in the background (one at a time per phase; the page shows its progress)."""
    phase = _report_phase(request, concept, pk)
    if request.method == "POST" and request.POST.get("action") == "regroup":
        # the GET shows the stored groups and how many contributions came since (decision 0081):
        # grouping again is this POST's, for whoever may decide in the evaluation
        seconds = services.recompute(request.user, concept, phase)
        messages.success(request, _("Gruppen neu berechnet (%(s)s s); Ihre Entscheidungen bleiben.") % {"s": _seconds(seconds)})
        return redirect(reverse("participation:report", args=[concept.slug, phase.pk]) + "#groups-heading")
    if request.method == "POST":
        _job, started = services.start_report_pdf(request.user, concept, phase)
        if started:
            messages.success(request, _("Das PDF wird im Hintergrund erstellt; der Fortschritt steht unten."))
        else:
            messages.info(request, _("Für diese Phase entsteht gerade schon ein PDF; sein Fortschritt steht unten."))
        return redirect(reverse("participation:report", args=[concept.slug, phase.pk]) + "#report-pdfs")
    pdfs = services.report_pdfs_of(phase)
    return render(request, "participation/report.html", {
        "concept": concept, "phase": phase, "r": services.evaluation_report(request.user, concept, phase),
        "method": services.method_text(), "pdfs": pdfs, "pdf_active": any(j.active for j in pdfs),
        "keep_pdfs": services.KEEP_PDFS, "may_import": _may_import(request, concept),
        "may_regroup": access.allows(request.user, "moderation", "decide", concept),
        "ideas_url": reverse("participation:report-file", args=[concept.slug, phase.pk, "geojson"]),
        **geodata.map_context(concept, request.user)})


def _report_pdf(concept, phase, job_pk):
    job = services.ReportPdf.objects.select_related("phase__concept").filter(phase=phase, pk=job_pk).first()
    if job is None:  # fix24d: not Django's "No ReportPdf matches the given query."
        raise Http404(_("Diese PDF-Auswertung gibt es nicht (mehr): Ältere werden gelöscht, sobald neuere erstellt "
                        "sind. Bitte auf der Seite „Auswertung der Beteiligung“ eine neue erstellen."))
    return job


@access.concept_view("moderation", "view", ids={"pk": "phase", "job": "report_pdf"})
def report_pdf_status(request, concept, pk, job):
    phase = _report_phase(request, concept, pk)
    j = services.report_pdf_state(_report_pdf(concept, phase, job))
    return JsonResponse({"status": j.status, "status_label": j.get_status_display(), "progress": j.progress,
                         "message": j.shown_message, "pages": j.pages, "cancel_requested": j.cancel_requested})


def _pdf_response(path, job):
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename, content_type="application/pdf")


@access.concept_view("moderation", "view", ids={"pk": "phase", "job": "report_pdf"})
def report_pdf_download(request, concept, pk, job):
    phase = _report_phase(request, concept, pk)
    j = _report_pdf(concept, phase, job)
    path = services.report_pdf_file(request.user, concept, j)
    if path is None:
        raise Http404(_("Dieses PDF ist (noch) nicht fertig oder nicht mehr vorhanden; bitte neu erstellen."))
    return _pdf_response(path, j)


@access.concept_view("moderation", "view", methods="POST", ids={"pk": "phase", "job": "report_pdf"})
def report_pdf_job(request, concept, pk, job, action):
    phase = _report_phase(request, concept, pk)
    j = _report_pdf(concept, phase, job)
    return job_action(request, action, lambda: services.cancel_report_pdf(request.user, concept, j),
                      lambda: services.retry_report_pdf(request.user, concept, j),
                      reverse("participation:report", args=[concept.slug, phase.pk]) + "#report-pdfs")


REPORT_TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "geojson": "application/geo+json"}


@access.concept_view("moderation", "view", ids={"pk": "phase"})
def evaluation_report_file(request, concept, pk, fmt):
    """The evaluation report as PDF or XLSX (German, to attach), and its map's points (GeoJSON)."""
    if fmt not in REPORT_TYPES:
        raise Http404(_("Die Auswertung gibt es als PDF und XLSX."))
    phase = _report_phase(request, concept, pk)
    name = services.report_filename(concept.slug, phase.pk, get_language(), fmt)
    if fmt == "pdf":  # built in the background (decision 0061): the newest finished one, else where to start it
        job = services.newest_report_pdf(request.user, concept, phase)
        path = services.report_pdf_file(request.user, concept, job) if job is not None else None
        if path is None:
            return redirect(reverse("participation:report", args=[concept.slug, phase.pk]) + "#report-pdfs")
        return _pdf_response(path, job)
    if fmt == "xlsx":
        response = HttpResponse(services.report_xlsx(request.user, concept, phase), content_type=REPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    fc = services.report_features(request.user, concept, phase,
                                  lambda i: reverse("participation:idea", args=[concept.slug, i.pk]))
    return HttpResponse(json.dumps(fc, ensure_ascii=False), content_type=REPORT_TYPES[fmt])
