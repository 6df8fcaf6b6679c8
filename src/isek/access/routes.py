"""Every URL of isek declares, once and beside its view, the methods it answers and the rule each
method follows – the policy table (``policy.POLICY``) seen from the URLs (decision 0028).

A view says it in one decorator::

    @access.concept_view("kuf", "edit", methods=("GET", "POST"))
    def rates_view(request, concept): ...

which sends anonymous people to the sign-in page, loads the concept the URL's ``slug`` names,
checks the method's cell of the policy once and hands the checked concept to the view (see
``concept_view``). ``site_view``, ``open_view`` and ``account_view`` declare URLs outside a
concept; a JSON API view names its cells in its class's ``route`` (``isek.api.v1.views``); a view
isek does not write (Django's, drf-spectacular's) is declared in its urls.py with ``declare``.

``routes()`` assembles the table of every named URL from these declarations; nothing keeps a
second one. ``MethodMiddleware`` enforces the methods: any other method is answered 405 with an
``Allow`` header before a view runs (HEAD wherever GET is). tests/access/test_matrix.py sends
every method of every URL as every role and compares each answer with the declaration, and
tests/access/test_policy.py finds the request for each cell of the policy among them.

A rule is one of
  ``(resource, action)``   a cell of POLICY on the concept the URL names,
  ``Site(resource, action)`` a cell of SITE_POLICY: of the city the URL's ``ags`` names (of the
                           funding authority its ``authority`` names), of the installation where it names none, or – ``somewhere`` – of at least
                           one city (a page where the city is chosen in the form; the service
                           checks the chosen one),
  ``OPEN``                 anyone (public pages, sign-in, token links, the OGC/API documents),
  ``ACCOUNT``              any signed-in person (their own keys, their second factor).

``login``: anonymous people are sent to the sign-in page (pages for an account) rather than
refused – on a concept's URL only where the concept is public (else 404, as for a slug that names
no concept: decision 0074); ``api``: anonymous writes are answered 401 (the JSON API); ``ids``: what the URL's
numbers name (for the matrix: each filled with a real id of the concept, and with one of
another concept, which must be 404).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, get_resolver

from . import policy

OPEN, ACCOUNT = "open", "account"
MACHINE_PATHS = ("/api/", "/ogc/")  # the JSON API and OGC API – Features


@dataclass(frozen=True)
class Site:
    resource: str
    action: str
    somewhere: bool = False


@dataclass(frozen=True)
class Route:
    methods: dict[str, object]
    login: bool = False
    api: bool = False
    ids: dict[str, str] = field(default_factory=dict)
    # Where a cell's rule is SUBMITTED (policy): has the city submitted what the URL names? Called
    # with the concept and the URL's other values (as the view gets them), only where that rule decides.
    submitted: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        for method, rule in self.methods.items():  # a typo in a declaration fails at import, not in a request
            if isinstance(rule, tuple) and rule not in policy.POLICY:
                raise KeyError(f"{method}: no policy for {rule[0]}.{rule[1]}")
            if isinstance(rule, Site) and (rule.resource, rule.action) not in policy.SITE_POLICY:
                raise KeyError(f"{method}: no site policy for {rule.resource}.{rule.action}")

    def allowed_methods(self) -> list[str]:
        names = list(self.methods)
        if "GET" in names and "HEAD" not in names:
            names.append("HEAD")
        return names

    def rule(self, method: str):
        """The rule ``method`` follows (HEAD that of GET)."""
        return self.methods.get(method, self.methods.get("GET"))

    def submitted_of(self, values: dict) -> Callable | bool:
        """``policy.allows``' ``submitted`` for a request whose URL holds ``values``."""
        if self.submitted is None:
            return False
        return lambda concept: self.submitted(concept, **{k: v for k, v in values.items() if k != "slug"})


def page(get=None, post=None, *, login: bool = True, ids: dict | None = None, **other) -> Route:
    methods = {m: r for m, r in (("GET", get), ("POST", post)) if r is not None}
    methods.update(other)
    return Route(methods, login=login, ids=ids or {})


def public(get, *, ids: dict | None = None, post=None) -> Route:
    """A page or file anyone may ask for (subject to the concept's rule)."""
    return page(get, post, login=False, ids=ids)


def api(get=None, post=None, patch=None, ids: dict | None = None, submitted: Callable | None = None) -> Route:
    methods = {m: r for m, r in (("GET", get), ("POST", post), ("PATCH", patch)) if r is not None}
    return Route(methods, api=True, ids=ids or {}, submitted=submitted)


# --- declaring a view ------------------------------------------------------------------------------


def _declared(view, route: Route):
    """A new function for ``view`` (which stays as it is) that carries ``route`` and sends
    anonymous people to the sign-in page where ``route.login`` – on a concept's URL only where
    the concept is public: for one that is not (or a slug that names none) the answer is 404, as
    on its public pages, so an anonymous request cannot tell a draft from nothing (decision 0074)."""
    if route.login:
        to_sign_in = login_required(view)

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if (not request.user.is_authenticated and "slug" in kwargs
                    and not policy.visible_concepts(None).filter(slug=kwargs["slug"]).exists()):
                raise Http404
            return to_sign_in(request, *args, **kwargs)
    else:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)
    wrapped.route = route
    return wrapped


def declare(route: Route) -> Callable:
    """Give a view its declaration; the view checks its rules itself. For views isek does not
    write (Django's, drf-spectacular's) and for those that find their concept another way (the
    OGC API's collections)."""
    return lambda view: _declared(view, route)


def _methods(methods: Iterable[str] | str, rule, post=None) -> dict:
    table = {m: rule for m in ((methods,) if isinstance(methods, str) else methods)}
    if post is not None:
        table["POST"] = post
    return table


def concept_view(resource: str, action: str, *, methods: Iterable[str] | str = ("GET",), post=None,
                 login: bool = True, ids: dict | None = None, load: bool = True,
                 submitted: Callable | None = None) -> Callable:
    """A view of one concept: each of ``methods`` follows the cell (``resource``, ``action``) –
    POST the cell ``post`` where given. The wrapper sends anonymous people to the sign-in page
    (``login``), loads the concept named by the URL's ``slug`` and checks the request method's
    cell once (404 where the concept may not be seen, 403 otherwise); the view is called with
    ``concept`` instead of ``slug``. Services the view calls check again for their other callers
    (API, commands) – on the same concept object, which remembers the user's role (one query).

    ``load=False``: the view keeps ``slug`` and loads and checks the concept itself (only where
    it must read it another way, and it says why). ``submitted``: see ``Route.submitted``."""
    route = Route(_methods(methods, (resource, action), post), login=login, ids=ids or {}, submitted=submitted)

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, slug, **kwargs):
            concept = policy.concept_for(request.user, slug, *route.rule(request.method),
                                         submitted=route.submitted_of(kwargs))
            return view(request, *args, concept=concept, **kwargs)

        return _declared(checked if load else view, route)

    return decorate


def site_view(resource: str, action: str, *, methods: Iterable[str] | str = ("GET",), somewhere: bool = False) -> Callable:
    """A page of the installation or of a city (outside any concept) for those SITE_POLICY's cell
    allows: in the city the URL's ``ags`` names (404 where there is none), at the funding authority
    its ``authority`` names (404 where there is none; the view gets the authority), else in the installation;
    ``somewhere``: in at least one city (the page's form chooses the city, its service checks it)."""
    route = Route(_methods(methods, Site(resource, action, somewhere)), login=True)

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            city = policy.city_by_ags(kwargs["ags"]) if kwargs.get("ags") is not None else None
            if kwargs.get("authority") is not None:  # an authority's page: the view gets the authority
                kwargs["authority"] = policy.authority_by_pk(kwargs["authority"])
            policy.require_site(request.user, resource, action, city, somewhere=somewhere,
                                authority=kwargs.get("authority"))
            return view(request, *args, **kwargs)

        return _declared(checked, route)

    return decorate


def open_view(*, methods: Iterable[str] | str = ("GET",), ids: dict | None = None) -> Callable:
    """A URL anyone may ask for (public pages, documents, links that carry their own token)."""
    return declare(Route(_methods(methods, OPEN), ids=ids or {}))


def account_view(*, methods: Iterable[str] | str = ("GET",)) -> Callable:
    """A page about the signed-in person themselves (any account)."""
    return declare(Route(_methods(methods, ACCOUNT), login=True))


# --- the table, assembled from the declarations ---------------------------------------------------


def route_of(view) -> Route | None:
    """The declaration of a view function (or of an API view's class)."""
    return getattr(view, "route", None) or getattr(getattr(view, "view_class", None), "route", None)


@functools.cache
def url_table() -> dict[str, tuple[str, Route | None]]:
    """{view name: (route pattern, declaration)} for every named URL outside Django's admin."""
    found = {}

    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p, prefix + str(p.pattern), ":".join(n for n in (namespace, p.namespace) if n))
            elif isinstance(p, URLPattern) and p.name:
                found[":".join(n for n in (namespace, p.name) if n)] = (prefix + str(p.pattern), route_of(p.callback))

    walk(get_resolver(), "", "")
    return found


def url_kwargs(pattern: str) -> list[str]:
    """The names a route pattern captures (``<int:pk>``, ``(?P<fmt>…)``)."""
    return list(dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", pattern)))


@functools.cache
def routes() -> dict[str, Route]:
    """Every declared URL: {view name: Route}, its ``ids`` narrowed to what the URL captures (one
    view may serve "new" without an id and "edit" with one)."""
    table = {}
    for name, (pattern, route) in url_table().items():
        if route is not None:
            kwargs = url_kwargs(pattern)
            table[name] = dataclasses.replace(route, ids={k: v for k, v in route.ids.items() if k in kwargs})
    return table


class MethodMiddleware:
    """405 (with ``Allow``) for a method the URL does not answer, and 404 for an API or OGC URL
    whose values hold a control character, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = route_of(view_func)
        if route is None:
            return None
        if request.method not in route.allowed_methods():
            return HttpResponseNotAllowed(route.allowed_methods())
        if request.path_info.startswith(MACHINE_PATHS) and any(
                isinstance(v, str) and not v.isprintable() for v in view_kwargs.values()):
            # No id, number or code of the API holds a control character; PostgreSQL refuses NUL in a
            # query. (Pages check their own values and say what is wrong: "Dieser Löschlink ist unbekannt".)
            raise Http404
        if request.method == "HEAD" and "HEAD" not in route.methods:
            # HEAD is GET without the body (the server drops it): the view answers it as a GET
            request.method = "GET"
        return None
