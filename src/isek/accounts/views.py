"""Invitations (for administrators) and the page behind the link in the mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from isek import access
from isek.web.forms import add_errors

from . import services
from .forms import AcceptForm, InviteForm


@access.site_view("member", "invite", methods=("GET", "POST"), somewhere=True)
def invite_page(request):
    """The installation's administrator invites anyone (into a city or not); a city's
    administrator invites into their cities only."""
    cities, everywhere = services.invite_cities(request.user)
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
    return render(request, "accounts/invite.html", {"form": form, "invitations": services.open_invitations(request.user)},
                  status=400 if request.method == "POST" else 200)


@access.open_view(methods=("GET", "POST"))
def accept_page(request, token):
    inv = services.invitation_for(token)
    if inv is None:
        return render(request, "accounts/accept.html", {"invalid": True}, status=404)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
