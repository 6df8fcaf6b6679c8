from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isek import access
from isek.access import visible_concepts
from isek.analysis import services as analysis
from isek.concepts import services as concept_services
from isek.geodata import services as geodata
from isek.legal import services as legal
from isek.procedure import services as procedure

from . import public


@access.open_view()
def home(request):
    """The installation's start page (kept for anonymous visitors, web.public) – or, under a city's
    own host name, the city's."""
    city = concept_services.city_by_host(request.get_host())
    if city is not None:
        return _city_home(request, city)
    return public.respond_site(request, lambda: _home(request))


def _home(request):
    """Every concept one may see – or, where they are in more than one city (a Land's installation),
    a row per city with its numbers, linking to its start page, and one's own drafts: the page
    then grows with the cities, not with their concepts."""
    user = request.user
    cities = concept_services.cities_of_visible(user)
    several = len(cities) > 1
    listing = _listing(request, concept_services.own_drafts(user) if several else visible_concepts(user))
    # said here, not by template tags (the template took 30 ms for 150 cities); one ``reverse`` and
    # one sentence per kind of row, not per city (decision 0103)
    url, said = reverse("city", args=[_SLUG]), {}
    for c in cities:
        c["url"] = url.replace(_SLUG, c["city_slug"])
        counts = (c["public"], c["internal"])
        c["numbers"] = said[counts] if counts in said else said.setdefault(counts, _numbers(c))
    return render(request, "web/home.html", listing | {
        "cities": cities if several else [],
        "may_start": access.allows_site_somewhere(user, "concept", "create"),
        "may_invite": access.allows_site_somewhere(user, "member", "invite"),
        # the installation's administrator administers every city: in a Land's list of cities, not twice
        "administered": list(access.administered_cities(user)) if user.is_authenticated
        and not (several and user.is_superuser) else [],
        "authorities": list(access.reviewed_authorities(user)),
        "may_authorities": access.allows_site(user, "authority", "edit"),  # decision 0070
        "may_create_city": access.allows_site(user, "city", "edit"),  # decision 0086
        "todo": procedure.start_todo(user),  # the own to-do lists' counts (decision 0072)
    })


@access.open_view()
def concepts(request):
    """/concepts/, the common part of every concept's address: the concepts one may see are the
    start page's list (public ones, one's own, in a Land's installation per city), so it leads
    there – not a second list to keep the same (walk 23: it was a 404)."""
    return redirect(reverse("web:home") + "#concepts")


@access.open_view()
def city_home(request, city):
    """A city's start page, /<city>/: its public concepts – and, for those who may see them, its
    others (its administrator: all) –, its logo and colour, its legal pages."""
    found = concept_services.city_by_slug(city)
    if found is None:
        raise Http404(_("Diese Seite gibt es nicht."))
    return _city_home(request, found)


def _city_home(request, city):
    return public.respond_site(request, lambda: _render_city_home(request, city), city)


def _render_city_home(request, city):
    user = request.user
    return render(request, "web/home.html", _listing(request, concept_services.city_concepts(user, city)) | {
        "city": city,
        "may_start": access.allows_site(user, "concept", "create", city),
        "may_invite": access.allows_site(user, "member", "invite", city),
        "may_look": access.allows_site(user, "city", "look", city),
        "may_legal": access.allows_site(user, "legal", "edit", city),
    })


_SLUG = "city-slug-here"  # a slug no city has: replaced by each city's own (slugs need no quoting)


def _numbers(city: dict) -> str:
    """"2 öffentliche Konzepte, 1 nicht öffentliches": a row of ``cities_of_visible``."""
    said = [ngettext("%(n)s öffentliches Konzept", "%(n)s öffentliche Konzepte", city["public"]) % {"n": city["public"]}]
    if city["internal"]:
        said.append(ngettext("%(n)s nicht öffentliches", "%(n)s nicht öffentliche", city["internal"]) % {"n": city["internal"]})
    return ", ".join(said)


def _listing(request, concepts) -> dict:
    concepts = list(concepts)
    own = access.know_roles(request.user, [c for c in concepts if not c.is_public])  # one read, not one per row
    editable = [c for c in own if access.allows(request.user, "concept", "edit", c)]
    open_setups = concept_services.setups_open(editable)
    for c in own:  # the setup of a draft can be continued from here
        c.setup_open = c.pk in open_setups
    return {"public_concepts": [c for c in concepts if c.is_public], "own_concepts": own}


@access.open_view()
def data_sources(request):
    return render(request, "web/data_sources.html", {"layers": geodata.all_layers()})


@access.open_view()
def indicators(request):
    """The definitions of the inventory analysis's indicators (docs/indicators.md, from the same
    registry), for everyone who reads the values."""
    return render(request, "web/indicators.html", {"indicators": analysis.definitions()})


@access.open_view()
def guide(request):
    """The user guide in the UI's language, with an anchor per section (isek.web.guide)."""
    from django.http import Http404
    from django.urls import reverse
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    from . import guide as guides

    found = guides.render(get_language(), {"indicators.md": reverse("web:indicators")})
    if found is None:
        raise Http404(_("Das Benutzerhandbuch liegt dieser Installation nicht bei (docs/ fehlt)."))
    return render(request, "web/guide.html", {"guide": found})


@access.open_view()
def privacy(request, ags=None):
    """What isek stores about the people who take part, why, for how long, and how to delete it;
    who is responsible (the city's controller and data protection officer, else the operator's);
    the data subject's rights and the supervisory authority of the city's Land (the Bund's for the
    installation) to complain to."""
    from django.conf import settings
    from django.http import Http404

    city = legal.city(ags) if ags else None
    if ags and city is None:
        raise Http404
    texts = legal.texts_for(city)
    return render(request, "web/privacy.html", {
        "rates": settings.ISEK_PARTICIPATION_RATE, "city": city, "contact": legal.privacy_of(texts),
        "authority": legal.supervisory_authority(city),
        "may_edit": legal.may_edit(request.user, city), "missing": legal.missing(city)})


@access.open_view()
def language(request, code):
    """Switch the UI language (a preference cookie) and go back to the page the person came from."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure(), httponly=False)
    return response
