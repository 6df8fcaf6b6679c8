"""The page of a person's API keys: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import tokens


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    new_key, error = None, None
    if request.method == "POST":
        if "revoke" in request.POST:
            pk = request.POST.get("revoke", "")
            if pk.isdigit() and tokens.revoke(request.user, int(pk)):
                messages.success(request, _("Der Schlüssel ist widerrufen."))
            return redirect("api-tokens")
        try:
            _token, new_key = tokens.create(request.user, request.POST.get("name", ""))
        except ValidationError as exc:
            error = exc.messages
    return render(request, "api/tokens.html", {"tokens": tokens.of(request.user), "new_key": new_key, "error": error},
                  status=400 if error else 200)
