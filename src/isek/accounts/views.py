"""Invitations (for administrators) and the page behind the link in the mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from isek import access
from isek.concepts import services as concepts
from isek.web import abuse
from isek.web.forms import add_errors

from . import services
from .forms import (
    AcceptForm,
    CityProviderForm,
    DeleteAccountForm,
    InviteForm,
    PasswordResetRequestForm,
    SignupForm,
    new_password_form,
)


@access.site_view("member", "invite", methods=("GET", "POST"), somewhere=True)
def invite_page(request):
    """The installation's administrator invites anyone (into a city or not); a city's
    administrator invites into their cities only."""
    cities, everywhere = services.invite_cities(request.user)
    if request.method == "POST" and "withdraw" in request.POST:
        gone = services.withdraw_invitation(request.user, request.POST["withdraw"])
        if gone is None:
            messages.error(request, _("Diese Einladung ist nicht (mehr) offen; nichts geändert."))
        else:
            messages.success(request, _("Die Einladung an %(e)s ist zurückgezogen; ihr Link gilt nicht mehr.") % {"e": gone.email})
        return redirect(reverse("accounts:invite") + "#invitations")
    city = request.GET.get("city", "")
    form = InviteForm(request.POST or None, cities=cities, everywhere=everywhere,
                      initial={"city": city, "city_admin": True} if everywhere and city.isdigit() else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inv, _link = services.invite(request.user, d["email"], base_url=request.build_absolute_uri("/"),
                                         may_start_concepts=d["may_start_concepts"], city=d["city"],
                                         city_admin=d.get("city_admin", False))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Die Einladung an %(e)s ist verschickt.") % {"e": inv.email})
            return redirect("accounts:invite")
    # the heading says whom: a city's administration where the installation's administrator invites one (decision 0084)
    admin_of = None
    if everywhere and (bool(request.POST.get("city_admin")) if request.method == "POST" else city.isdigit()):
        chosen = request.POST.get("city", "") if request.method == "POST" else city
        admin_of = cities.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        heading = (_("Administration der Stadt %(c)s einladen") % {"c": admin_of.name_after_stadt} if admin_of
                   else _("Administration einer Stadt einladen"))
    else:
        heading = _("Planerinnen und Planer einladen")
    return render(request, "accounts/invite.html", {"form": form, "invitations": services.open_invitations(request.user),
                                                    "heading": heading}, status=400 if request.method == "POST" else 200)


@access.open_view(methods=("GET", "POST"))
@csrf_exempt  # checked below, after the case of a second tab (issue 23)
def accept_page(request, token):
    if request.method == "POST":
        accepted = services.accepted_invitation(token)
        if accepted is not None:
            # the first tab's sign-in rotated the CSRF token, so the second tab's form would fail its
            # security check ("Formular abgelaufen"); what it asks for is done: say so, change nothing
            return _already_accepted(request, accepted)
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, _checked, (), {})
        if refused is not None:
            return refused
    inv = services.invitation_for(token)
    if inv is None:
        return render(request, "accounts/accept.html", {"invalid": True}, status=404)
    form = AcceptForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST":  # every problem at once: the name taken, the password weak, the two unequal (0077)
        for name, problems in services.acceptance_problems(inv, request.POST.get("username", "").strip(),
                                                           request.POST.get("password1", "")).items():
            if name not in form.errors:
                form.add_error(name, problems)
    if valid and not form.errors:
        try:
            user = services.accept(token, form.cleaned_data["username"], form.cleaned_data["password1"])
        except ValidationError as exc:  # the password validators name no field
            add_errors(form, exc, field="password1")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Willkommen bei isek, %(u)s. Ihr Zugang ist angelegt.") % {"u": user.username})
            return redirect("concept-new" if user.has_perm("concepts.add_concept") else "web:home")
    return render(request, "accounts/accept.html", {"form": form, "email": inv.email, "invited_as": services.invited_as(inv)},
                  status=400 if request.method == "POST" else 200)


def _checked(request):  # a view without csrf_exempt, for the CSRF check of accept_page
    raise AssertionError("never called")


def _already_accepted(request, inv):
    """The page for a second submission of an accepted invitation: where to go on (nothing changes)."""
    user = request.user
    if user.is_authenticated and user.pk == inv.user_id:
        go_on, label = (reverse("concept-new"), _("Weiter: ein Konzept anlegen")) if user.has_perm(
            "concepts.add_concept") else (reverse("web:home"), _("Weiter zur Startseite"))
    else:
        go_on, label = reverse("login"), _("Weiter zur Anmeldung")
    return render(request, "accounts/accept.html", {"accepted": True, "go_on": go_on, "go_on_label": label})


EMPTY_LINES = 3  # empty mapping lines the form offers beside the saved ones


def _posted_lines(request, city_concepts) -> tuple[list, list[services.MappingLine]]:
    """The mapping lines as posted (for the form again) and as the service takes them; a line
    without a group is left out (that removes it)."""
    by_pk = {str(c.pk): c for c in city_concepts}
    shown, lines = [], []
    for group, role, concept in zip(request.POST.getlist("group"), request.POST.getlist("role"),
                                    request.POST.getlist("concept"), strict=False):
        shown.append({"group": group, "role": role, "concept": concept})
        if group.strip():
            if concept and concept not in by_pk:
                raise ValidationError({"mappings": [_("Bitte ein Konzept der Stadt aus der Liste wählen.")]})
            lines.append(services.MappingLine(group, role, by_pk.get(concept)))
    return shown, lines


@access.site_view("provider", "edit", methods=("GET", "POST"))
def city_providers(request, ags):
    """The city's identity providers: its administration adds, changes and removes them and maps
    the provider's groups to roles on the city's concepts (walk 22; decision 0042)."""
    city = concepts.city_by_ags(ags)
    providers = services.city_providers(request.user, city)
    chosen = request.POST.get("provider") or request.GET.get("anbieter", "")
    current = next((p for p in providers if str(p.pk) == chosen), None)
    city_concepts = list(concepts.city_concepts(request.user, city))
    if request.method == "POST" and request.POST.get("action") == "delete":
        gone = services.delete_city_provider(request.user, city, current.pk) if current else None
        if gone is not None:
            messages.success(request, _("Der Anbieter „%(p)s“ ist entfernt.") % {"p": gone.name})
        return redirect("city-providers", city.ags)
    initial = ({f: getattr(current, f) for f in ("name", "issuer", "client_id", "scopes", "groups_claim", "enabled")}
               if current else None)
    form = CityProviderForm(request.POST if request.method == "POST" else None, initial=initial)
    if "unchecked" in request.POST:
        form.offer_unchecked()
    groups = request.POST.getlist("group") if request.method == "POST" else [m.group for m in current.mappings.all()] if current else []
    scopes = (request.POST.get("scopes") if request.method == "POST" else current.scopes if current else "") or ""
    if any(g.strip() for g in groups) and "groups" not in scopes.split():
        # many providers (Keycloak among them) send the groups only for the scope "groups" (decision 0077)
        field = form.fields["groups_claim"]
        field.help_text = f"{field.help_text} " + _("Die Zuordnung nutzt Gruppen, die Scopes nennen „groups“ nicht: viele "
                                                  "Anbieter (z. B. Keycloak) senden die Gruppen nur dann – bitte „groups“ "
                                                  "bei den Scopes ergänzen, falls der Anbieter ihn kennt.")
    shown = [{"group": m.group, "role": m.role, "concept": str(m.concept_id or "")} for m in current.mappings.all()] if current else []
    # A secret typed into a save that was refused is kept, sealed, in the session – never in the page –
    # for the next save of this form (decision 0086); opening the page anew forgets it.
    kept_key = f"isek-provider-secret:{city.pk}:{current.pk if current else 'new'}"
    if request.method != "POST":
        for key in [k for k in request.session.keys() if k.startswith(f"isek-provider-secret:{city.pk}:")]:
            del request.session[key]
    if request.method == "POST":
        typed = request.POST.get("client_secret", "").strip()
        secret = typed or services.unsealed_secret(request.session.get(kept_key, ""))
        try:
            shown, lines = _posted_lines(request, city_concepts)
        except ValidationError as exc:
            add_errors(form, exc)
        if form.is_valid() and not form.errors:
            d = form.cleaned_data
            try:
                pk = current.pk if current else (0 if chosen else None)  # another city's provider: none of this one
                saved = services.save_city_provider(request.user, city, pk, lines=lines, unchecked=bool(d.get("unchecked")),
                                                    client_secret=secret,
                                                    **{k: d[k] for k in ("name", "issuer", "client_id",
                                                                         "scopes", "groups_claim", "enabled")})
            except ValidationError as exc:
                if any(e.code == "issuer_unreachable" for e in getattr(exc, "error_dict", {}).get("issuer", [])):
                    form.offer_unchecked()
                add_errors(form, exc)
            else:
                request.session.pop(kept_key, None)
                said = _("Der Anbieter „%(p)s“ ist gespeichert.") % {"p": saved.name}
                if "groups" in saved.scopes.split() and "groups" not in d["scopes"].split():
                    said += " " + _("Die Zuordnung liest den Anspruch „groups“, darum fragt isek den Anbieter auch nach "
                                    "dem Scope „groups“ (bei den Scopes ergänzt); kennt der Anbieter ihn nicht, den Scope "
                                    "dort wieder entfernen.")
                messages.success(request, said)
                return redirect(f"{reverse('city-providers', args=[city.ags])}?anbieter={saved.pk}")
        if secret:
            request.session[kept_key] = services.sealed_secret(secret)
            form.keep_secret()
    rows = [*shown, *[{"group": "", "role": "", "concept": ""}] * EMPTY_LINES]
    return render(request, "accounts/city_providers.html", {
        "city": city, "providers": providers, "current": current, "form": form, "rows": rows,
        "roles": [(r.value, r.label) for r in services.GRANTABLE], "city_concepts": city_concepts,
        "callback": request.build_absolute_uri(reverse("accounts:oidc-callback")),
        "starters": services.starters_by_provider(city),
    }, status=400 if request.method == "POST" else 200)


# --- citizens' own accounts (decision 0078) ---------------------------------------------------------


def _next(request) -> str:
    """The page to return to (an address of this site only)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}) else ""


@access.open_view()
def challenge(request):
    """A proof-of-work challenge for the sign-up form (as the participation's forms fetch theirs)."""
    return JsonResponse(abuse.challenge())


def _automated(request, limit: str, hidden: str, crowded: str) -> str | None:
    """Why a form of an open page (sign-up, password reset) is refused as sent by a machine – its
    hidden field filled (``hidden``), no valid proof of work, or the client over the ``limit``
    (``crowded``) – or None."""
    if request.POST.get("website"):
        return hidden
    if not abuse.pow_ok(request.POST.get("altcha", "")):
        return _("Die Prüfung gegen automatische Einsendungen fehlt oder ist abgelaufen. Bitte die Seite neu laden und "
                 "erneut senden.")
    if abuse.over_limit(request, limit):
        return crowded
    return None


@access.open_view(methods=("GET", "POST"))
def signup_page(request):
    """A citizen signs up: address, optional display name, password; the account works once the
    link in the mail is opened. The answer is the same whether the address has an account or not."""
    if request.user.is_authenticated:
        return redirect(_next(request) or "accounts:account")
    form = SignupForm(request.POST if request.method == "POST" else None)
    next_url = _next(request)
    if request.method == "POST":
        refusal = _automated(
            request, "signup", _("Die Anmeldung wurde nicht angenommen (ein verstecktes Feld war ausgefüllt)."),
            _("Von Ihrem Anschluss kamen gerade sehr viele Anmeldungen. Bitte in einigen Minuten erneut versuchen."))
        valid = form.is_valid()  # every problem at once: the form's and the service's
        for name, problems in services.signup_problems(request.POST.get("email", ""), request.POST.get("password1", "")).items():
            if name not in form.errors:
                form.add_error(name, problems)
        if refusal:
            form.add_error(None, refusal)
        elif valid and not form.errors:
            d = form.cleaned_data
            try:
                services.sign_up(d["email"], d["password1"], d["display_name"], base_url=request.build_absolute_uri("/"),
                                 next_url=next_url)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return render(request, "accounts/signup.html", {"sent": d["email"].strip(), "next": next_url})
    return render(request, "accounts/signup.html", {"form": form, "next": next_url},
                  status=400 if request.method == "POST" else 200)


@access.open_view(methods=("GET", "POST"))
def signup_confirm(request, token):
    """The link in the sign-up mail: the page asks to confirm (a program that opens links in mails
    confirms nothing), the button confirms, signs the person in and returns to where they came from.
    A wrong or expired link: 404 with the reason, nothing changed; a link used already: 410, it
    asks to sign in and signs nobody in (decision 0084)."""
    try:
        account, _next = services.read_signup_link(token)
        if account.confirmed_at is not None:
            raise services.signup_link_used(account)
        if request.method == "POST":
            user, next_url = services.confirm_signup(token, request.POST.get("password", ""))
    except services.LinkUsed as exc:
        return render(request, "accounts/signup_confirm.html", {
            "used": " ".join(exc.messages),
            "next": _next if _next.startswith("/") and url_has_allowed_host_and_scheme(_next, {request.get_host()}) else ""},
            status=410)
    except ValidationError as exc:
        if "password" in getattr(exc, "error_dict", {}):  # the link is good, the password not: try again
            return render(request, "accounts/signup_confirm.html", {"password_error": " ".join(exc.messages)}, status=400)
        return render(request, "accounts/signup_confirm.html", {"refusal": " ".join(exc.messages)}, status=404)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Ihr Konto ist bestätigt, Sie sind angemeldet."))
        return redirect(next_url if next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, {request.get_host()})
                        else "accounts:account")
    return render(request, "accounts/signup_confirm.html", {})


@access.account_view(methods=("GET", "POST"))
def account_page(request):
    """The signed-in person's own account: what isek keeps of a citizen's account, and its deletion;
    of a staff account its roles, how it signed in and its second factor (decision 0097)."""
    account = services.citizen_account(request.user)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and account is not None and form.is_valid():
        try:
            counts = services.delete_citizen_account(request.user, form.cleaned_data["password"],
                                                     contributions=form.cleaned_data["contributions"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            logout(request)
            messages.success(request, _("Ihr Konto ist gelöscht (%(i)d Ideen, %(c)d Kommentare, %(s)d Unterstützungen "
                                        "%(what)s).") % {**{k[0]: v for k, v in counts.items()},
                                                         "what": _("mit gelöscht") if form.cleaned_data["contributions"]
                                                         else _("bleiben ohne Bezug zu Ihnen")})
            return redirect("web:home")
    staff = {} if account is not None else {
        "roles": concepts.roles_of(request.user), "second_factor": services.second_factor_state(request),
        "provider": services.sign_in_provider(request)}
    return render(request, "accounts/account.html", {"account": account, "form": form, **staff},
                  status=400 if request.method == "POST" else 200)


# --- a new password by mail: citizens' and local staff accounts (decision 0086) --------------------


@access.open_view(methods=("GET", "POST"))
def password_reset(request):
    """The address to send a link for a new password to. The answer is the same for every address
    (one with an account, one without, one that signs in through an identity provider)."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    next_url = _next(request)
    if request.method == "POST":
        refusal = _automated(  # the limit: one client, many addresses
            request, "password-reset", _("Die Anfrage wurde nicht angenommen (ein verstecktes Feld war ausgefüllt)."),
            _("Von Ihrem Anschluss kamen gerade sehr viele Anfragen. Bitte in einigen Minuten erneut versuchen."))
        valid = form.is_valid()
        if refusal:
            form.add_error(None, refusal)
        elif valid:
            try:
                send = services.request_password_reset(form.cleaned_data["email"],
                                                       base_url=request.build_absolute_uri("/"), next_url=next_url)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                # the mail goes once the answer is out: its time is the same for every address (decision 0093)
                return abuse.after_response(render(request, "accounts/password_reset.html", {
                    "sent": form.cleaned_data["email"], "next": next_url, "hours": services.RESET_VALID_HOURS}), send)
    return render(request, "accounts/password_reset.html", {"form": form, "next": next_url},
                  status=400 if request.method == "POST" else 200)


def _password_reset_confirm_view():
    from django.contrib.auth.views import PasswordResetConfirmView

    class Confirm(PasswordResetConfirmView):
        """Django's: the link checked (valid RESET_VALID_HOURS, once), a new password set; a wrong or
        used link is 404 with the reason; done, to the sign-in page with a message."""

        template_name = "accounts/password_reset_confirm.html"
        form_class = new_password_form()

        def get_success_url(self):
            return reverse("login")

        def form_valid(self, form):
            response = super().form_valid(form)
            messages.success(self.request, _("Ihr neues Passwort ist gesetzt. Bitte melden Sie sich damit an."))
            return response

        def dispatch(self, *args, **kwargs):
            response = super().dispatch(*args, **kwargs)
            if getattr(response, "context_data", {}).get("validlink") is False:
                response.status_code = 404
            return response

    return access.open_view(methods=("GET", "POST"))(Confirm.as_view())


password_reset_confirm = _password_reset_confirm_view()
