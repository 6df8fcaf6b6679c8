"""Who may do what, as one table.

Roles are derived per concept: an administrator (superuser) everywhere; the city's
administrator on every concept of a city where a ``CityRole`` makes them so (decision 0046);
planner, reviewer or moderator where a ``ConceptRole`` grants it; the staff of the funding
authority whose district holds the concept's city (``AuthorityRole``, decision 0050); any other
signed-in person is a citizen; everyone else anonymous. Each cell of ``POLICY`` says, for a
(resource, action), which roles may act: ``YES`` always, ``PUBLIC`` only on a public concept,
``SUBMITTED`` only on what the city has submitted to its funding authority. Whatever is not in the
table is refused.

A refusal answers 404 when the person may not even see the concept (its existence stays
hidden) – or, in the funding procedure, the application asked about (``PROCEDURE``) – and 403
otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, Value
from django.http import Http404

from isek.concepts.models import AuthorityRole, City, CityRole, Concept, ConceptRole, FundingAuthority, ags_prefixes


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"
    REVIEWER = "reviewer"
    PLANNER = "planner"
    MODERATOR = "moderator"
    AUTHORITY = "authority"  # staff of the funding authority of the concept's city (AuthorityRole)
    CITY_ADMIN = "city_admin"  # the administrator of the concept's city (CityRole)
    ADMIN = "admin"


YES, PUBLIC, SUBMITTED = "yes", "public", "submitted"
A, C, R, P, M, ADM = Role.ANONYMOUS, Role.CITIZEN, Role.REVIEWER, Role.PLANNER, Role.MODERATOR, Role.ADMIN
CA, AU = Role.CITY_ADMIN, Role.AUTHORITY

# The administrator of a city may do on its concepts what the installation's administrator may
# (decision 0046): every cell below allows CA where it allows ADM.
# The staff of the district's funding authority see a concept as the public does (AU: PUBLIC where
# C is), except what its city has submitted to them (decision 0050).
_READ = {A: PUBLIC, C: PUBLIC, AU: PUBLIC, M: PUBLIC, R: YES, P: YES, CA: YES, ADM: YES}  # the public plan
_MEMBERS = {R: YES, P: YES, CA: YES, ADM: YES}  # working material of the people on the concept
_PLANNERS = {P: YES, CA: YES, ADM: YES}
_TAKE_PART = {A: PUBLIC, C: PUBLIC, AU: PUBLIC, M: PUBLIC, R: YES, P: YES, CA: YES, ADM: YES}  # while a phase is open (a rule of the service)
_MODERATORS = {M: YES, P: YES, CA: YES, ADM: YES}

POLICY: dict[tuple[str, str], dict[Role, str]] = {
    ("concept", "view"): _READ,
    ("concept", "edit"): _PLANNERS,
    ("concept", "export"): _READ,  # GeoPackage / GeoJSON of the public plan
    # the funding area as XPlanGML 6.0: as the public plan, and for the staff of the district's funding
    # authority also where the city submitted an application to them (the area is part of it: its
    # ``submitted`` says "public, or an application submitted"; decision 0094)
    ("funding_area", "export"): {**_READ, AU: SUBMITTED},
    ("concept", "history"): _MEMBERS,  # the change log
    ("measure", "view"): _READ,
    ("measure", "edit"): _PLANNERS,
    ("measure", "delete"): _PLANNERS,
    ("quarter", "edit"): _PLANNERS,
    ("structure", "edit"): _PLANNERS,  # fields of action and goals
    ("member", "view"): _PLANNERS,  # who has which role on the concept
    ("member", "edit"): _PLANNERS,  # grant reviewer and planner roles
    ("geodata", "import"): _PLANNERS,
    ("reference_layer", "view"): _READ,
    ("reference_layer", "upload"): _PLANNERS,
    ("reference_layer", "delete"): _PLANNERS,
    ("basemap", "view"): _READ,  # the city's base map: tiles, style, build status
    ("basemap", "build"): _PLANNERS,  # upload an OSM extract, build the base map from it
    ("kuf", "view"): _MEMBERS,
    ("kuf", "export"): _MEMBERS,
    ("kuf", "edit"): _PLANNERS,  # costs, financing, rates
    ("kuf", "freeze"): _PLANNERS,
    ("fund", "view"): _MEMBERS,
    ("fund", "edit"): _PLANNERS,
    ("analysis", "view"): _MEMBERS,
    ("analysis", "run"): _PLANNERS,
    ("dashboard", "view"): _MEMBERS,
    ("readiness", "view"): _MEMBERS,  # what is still missing for the funding application
    ("indicator", "view"): _MEMBERS,
    ("indicator", "edit"): _PLANNERS,
    ("payment", "view"): _MEMBERS,
    ("payment", "edit"): _PLANNERS,
    ("report", "view"): _MEMBERS,
    ("report", "create"): _PLANNERS,
    ("report", "delete"): _PLANNERS,
    ("report_text", "edit"): _PLANNERS,
    # participation: phases, citizens' ideas, comments, support, reports; moderation
    ("participation", "view"): _READ,  # the phase, published ideas and comments, public counters
    ("phase", "edit"): _PLANNERS,
    ("idea", "create"): _TAKE_PART,
    ("comment", "create"): _TAKE_PART,
    ("support", "create"): _TAKE_PART,
    ("flag", "create"): _TAKE_PART,  # report a contribution to the moderators
    ("moderation", "view"): _MODERATORS,  # the queue, the log, pending contributions
    ("moderation", "decide"): _MODERATORS,  # approve, reject, hide, merge, answer
    ("idea", "link"): _PLANNERS,  # link an idea to the measure it led to
    ("participation", "statistics"): {R: YES, P: YES, M: YES, CA: YES, ADM: YES},
    ("participation", "export"): _PLANNERS,  # all contributions (no e-mail addresses)
    ("participation", "import"): _PLANNERS,  # contributions collected elsewhere, pending until moderated
    # the funding application (issue #23): the city's people always, the staff of the district's
    # funding authority once the city has submitted it (``allows(..., submitted=True)``)
    ("application", "view"): {R: YES, P: YES, CA: YES, ADM: YES, AU: SUBMITTED},
    ("application", "edit"): _PLANNERS,  # assemble a draft, submit it, delete a draft (decision 0053)
    # the authority's review of a submitted application: comments, change requests, its state (decision 0056)
    ("application", "review"): {AU: SUBMITTED},
    # its approval (Zuwendungsbescheid) and amendments, which turn the city's financing lines into approved ones (decision 0058)
    ("application", "approve"): {AU: SUBMITTED},
    # payments against the approval (Mittelabruf) and the proof of use (decision 0059): the city's
    # planners draft and submit a payment request; the district's authority releases or returns it
    # and checks the proof of use line by line; both read them with ("application", "view")
    ("payment_request", "edit"): _PLANNERS,
    ("payment_request", "release"): {AU: SUBMITTED},
    ("proof", "check"): {AU: SUBMITTED},  # also accept the submitted proof of use or return it (decision 0063)
    # the city answers the authority's queries on the proof of use and submits it (decision 0063)
    ("proof", "edit"): _PLANNERS,
}
ACTIONS = sorted(POLICY)

# Actions on the installation or on one city, outside any concept (cities, new concepts, members).
# Asked with a city (``allows_site(user, resource, action, city)``), CA is the administrator of
# that city; without one (the installation's own pages and texts) nobody is. At this level a
# "planner" is a person allowed to start concepts: everywhere (Django's permission
# concepts.add_concept, given with an invitation of the installation's administrator) or in one
# city (CityRole "starter", given with a city's invitation or by the city's identity provider);
# a person who starts a concept becomes its planner.
SITE_POLICY: dict[tuple[str, str], set[Role]] = {
    ("city", "edit"): {ADM},  # create cities; their name, short name, host name and administrators
    ("city", "look"): {ADM, CA},  # the city's logo and accent colour; its page of administration
    ("concept", "create"): {ADM, CA, P},
    ("concept", "delete"): {ADM},
    ("provider", "edit"): {ADM, CA},  # the city's identity provider and its mapping of groups to roles
    ("member", "invite"): {ADM, CA},  # invite a person by e-mail (a city's administrator: into the city)
    # a city's legal pages (accessibility statement, Leichte Sprache, sign language, Impressum,
    # privacy contact) and the answers to its accessibility feedback
    ("legal", "edit"): {ADM, CA},
    ("authority", "edit"): {ADM},  # funding authorities, their districts and staff (decision 0050)
    # an authority's portfolio: the applications of its district; asked with the authority, AU is its staff
    ("portfolio", "view"): {ADM, AU},
}


SITE_DENIED = "site"  # PermissionDenied's argument where a page of the installation is refused
# PermissionDenied's argument where a moderator of an internal concept asks for more than the
# moderation: they know the concept (they are on its team), the page says what they may do (0077)
MODERATION_ONLY = "moderation-only"
# PermissionDenied's argument where a person who sees the concept asks for what only the funding
# authority does (its review, the approval, the release of payments): the page says who does it
# instead of sending them to the planners (walk of Landshut, decision 0087)
AUTHORITY_ONLY = "authority-only"
# PermissionDenied's argument where a citizen's own account (decision 0078) asks for what staff
# accounts have (the API keys): the page says so instead of sending them to the planners
STAFF_ONLY = "staff-only"
# the resources of the funding procedure (issue #23): whoever may not see the application they
# belong to is answered 404, never 403 (``require``, decision 0087)
PROCEDURE = frozenset({"application", "payment_request", "proof"})


class Operator:
    """The installation acting by itself: the demo loader and commands an operator runs in a shell
    (whoever has the shell has the database). It may do everything; its changes are recorded under
    ``label``, with no user."""

    is_authenticated = True
    is_superuser = True
    is_active = True
    pk = None

    def __init__(self, label: str):
        self.label = label

    def get_username(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"Operator({self.label!r})"

_FROM_CONCEPT_ROLE = {ConceptRole.Role.PLANNER: P, ConceptRole.Role.REVIEWER: R, ConceptRole.Role.MODERATOR: M}
_AUTHORITY = "authority"  # what the query below names a role on the district's funding authority


def role_of(user, concept: Concept) -> Role:
    """The role ``user`` has on ``concept``: the administrator of its city has theirs over any
    role on the concept, a role on the concept over one on the funding authority of the city's
    district (one query for the three)."""
    if user is None or not user.is_authenticated:
        return A
    if user.is_superuser:
        return ADM
    known = concept.__dict__.get("_roles")  # set by concept_for: the roles worked out on this instance
    if known is not None and user.pk in known:
        return known[user.pk]
    granted = set(ConceptRole.objects.filter(concept=concept, user=user).values_list("role", flat=True).union(
        CityRole.objects.filter(city_id=concept.city_id, user=user, role=CityRole.Role.ADMIN).values_list("role", flat=True),
        AuthorityRole.objects.filter(user=user, authority__prefixes__prefix__in=ags_prefixes(concept.city.ags))
        .annotate(kind=Value(_AUTHORITY, output_field=CharField())).values_list("kind", flat=True)))
    role = CA if CityRole.Role.ADMIN in granted else next(
        (_FROM_CONCEPT_ROLE[g] for g in granted if g in _FROM_CONCEPT_ROLE), AU if _AUTHORITY in granted else C)
    if known is not None:
        known[user.pk] = role
    return role


def know_roles(user, concepts) -> list[Concept]:
    """``concepts`` (a list or queryset), each remembering ``user``'s role on it as ``role_of`` works
    it out – found for all of them in three queries, not one per concept: a list that asks
    ``allows`` per row (a city's drafts, one's own) then asks the database once (decision 0103)."""
    concepts = list(concepts)
    if user is None or not user.is_authenticated or user.is_superuser or not concepts:
        return concepts  # role_of answers these without the database
    pks = [c.pk for c in concepts]
    held = dict(ConceptRole.objects.filter(concept_id__in=pks, user=user).values_list("concept_id", "role"))
    administered = set(CityRole.objects.filter(city_id__in={c.city_id for c in concepts}, user=user,
                                               role=CityRole.Role.ADMIN).values_list("city_id", flat=True))
    district = set(AuthorityRole.objects.filter(user=user, authority__prefixes__isnull=False)
                   .values_list("authority__prefixes__prefix", flat=True))
    for c in concepts:
        role = CA if c.city_id in administered else _FROM_CONCEPT_ROLE.get(held.get(c.pk)) or (
            AU if district and district.intersection(ags_prefixes(c.city.ags)) else C)
        c.__dict__.setdefault("_roles", {})[user.pk] = role
    return concepts


def needs_second_factor(user) -> bool:
    """Must ``user`` sign in with a second factor (where the installation requires it)? Those who
    change plans, moderate citizens or administer: administrators (of the installation or a city),
    planners, moderators, and whoever may start concepts."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or site_role(user) in (P, ADM) or CityRole.objects.filter(user=user).exists():
        return True
    return ConceptRole.objects.filter(user=user, role__in=[P.value, M.value]).exists()


def works_for(user, city: City | None) -> bool:
    """Is ``user`` staff of ``city`` – a planner of one of its concepts, its administrator or one
    allowed to start concepts there – or the installation's administrator (``city`` None: only
    they)? Such a person may read how the administration is reached (accounts.administration)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return city is not None and (CityRole.objects.filter(city=city, user=user).exists() or ConceptRole.objects.filter(
        concept__city=city, user=user, role=ConceptRole.Role.PLANNER).exists())


def allows_site(user, resource: str, action: str, city: City | None = None,
                authority: FundingAuthority | None = None) -> bool:
    """May ``user`` do ``action`` on ``resource`` of the installation – or of ``city`` or of the
    funding ``authority`` where the action concerns one (``SITE_POLICY``)?"""
    return site_role(user, city, authority) in SITE_POLICY.get((resource, action), set())


def site_role(user, city: City | None = None, authority: FundingAuthority | None = None) -> Role:
    """The role ``user`` has on the installation, in ``city`` or at ``authority`` (its staff: AU;
    see ``SITE_POLICY``)."""
    if user is None or not user.is_authenticated:
        return A
    if user.is_superuser:
        return ADM
    if authority is not None and AuthorityRole.objects.filter(authority=authority, user=user).exists():
        return AU
    if city is not None:
        roles = set(CityRole.objects.filter(city=city, user=user).values_list("role", flat=True))
        if CityRole.Role.ADMIN in roles:
            return CA
        if CityRole.Role.STARTER in roles:
            return P
    return P if user.has_perm("concepts.add_concept") else C


def site_cities(user, resource: str, action: str):
    """Where ``user`` may do ``action`` on ``resource``: ``None`` for everywhere (the installation's
    administrator; a person allowed to start concepts anywhere), else a queryset of the cities
    (empty where nowhere) – for the pages where a city is chosen in the form."""
    cell = SITE_POLICY[(resource, action)]
    if site_role(user) in cell:
        return None
    if user is None or not user.is_authenticated:
        return City.objects.none()
    roles = [r for r, role in ((CityRole.Role.ADMIN, CA), (CityRole.Role.STARTER, P)) if role in cell]
    return City.objects.filter(roles__user=user, roles__role__in=roles).distinct()


def allows_site_somewhere(user, resource: str, action: str) -> bool:
    """May ``user`` do ``action`` on ``resource`` in the installation or in at least one city?"""
    cities = site_cities(user, resource, action)
    return cities is None or cities.exists()


def require_site(user, resource: str, action: str, city: City | None = None, *, somewhere: bool = False,
                 authority: FundingAuthority | None = None) -> None:
    """PermissionDenied unless ``allows_site`` (``somewhere``: in at least one city)."""
    if (resource, action) not in SITE_POLICY:
        raise KeyError(f"no site policy for {resource}.{action}")
    if not (allows_site_somewhere(user, resource, action) if somewhere
            else allows_site(user, resource, action, city, authority)):
        raise PermissionDenied(SITE_DENIED)  # the error page sends the person to the administration


def allows(user, resource: str, action: str, concept: Concept, *, submitted: bool | Callable = False) -> bool:
    """May ``user`` do ``action`` on ``resource`` of ``concept``? ``submitted``: the thing asked
    about has been submitted by the city to its funding authority (a ``SUBMITTED`` cell) – or a
    function of the concept that says so, asked only where a ``SUBMITTED`` rule decides. A pair
    not in POLICY is a programming error (KeyError), not a refusal: a misspelt cell must not
    silently hide a button."""
    if (resource, action) not in POLICY:
        raise KeyError(f"no policy for {resource}.{action}")
    rule = POLICY[(resource, action)].get(role_of(user, concept))
    if rule == SUBMITTED:
        return bool(submitted(concept) if callable(submitted) else submitted)
    return rule == YES or (rule == PUBLIC and concept.is_public)


def require(user, resource: str, action: str, concept: Concept, *, submitted: bool | Callable = False) -> Concept:
    """``concept`` if allowed; Http404 if the user may not see the concept at all – except its
    moderators, who know it: PermissionDenied(MODERATION_ONLY) –, else PermissionDenied."""
    if allows(user, resource, action, concept, submitted=submitted):
        return concept
    if not allows(user, "concept", "view", concept):
        if role_of(user, concept) is M:
            raise PermissionDenied(MODERATION_ONLY)
        raise Http404
    if resource in PROCEDURE and role_of(user, concept) is not M and not allows(
            user, "application", "view", concept, submitted=submitted):
        # an application, its payment requests and proof of use are the city's and, once submitted,
        # its funding authority's: anyone else – another district's staff, another city's planner,
        # the authority before the submission – gets the 404 of a number that names none, so
        # numbers cannot be probed (decision 0087); the concept's own people are told 403
        raise Http404
    if set(POLICY[(resource, action)]) == {AU}:
        raise PermissionDenied(AUTHORITY_ONLY)
    raise PermissionDenied


def authority_by_pk(pk: int) -> FundingAuthority:
    """The funding authority ``pk`` (Http404 where there is none)."""
    authority = FundingAuthority.objects.filter(pk=pk).first()
    if authority is None:
        raise Http404
    return authority


def city_by_ags(ags: str) -> City:
    """The city with the municipality key ``ags`` (Http404 where there is none)."""
    city = City.objects.filter(ags=ags).first()
    if city is None:
        raise Http404
    return city


def concept_for(user, slug: str, resource: str = "concept", action: str = "view", *,
                submitted: bool | Callable = False) -> Concept:
    """The concept named by ``slug`` if ``user`` may do ``action`` on ``resource`` of it (see
    ``require``; ``submitted`` as for ``allows``).

    The instance is new with each call and remembers the roles worked out on it: the services a
    view hands it to check their cells again without asking the database (a request checks its
    user's role once). Keep it no longer than the request; a role granted meanwhile is not seen."""
    concept = Concept.objects.select_related("city").filter(slug=slug).first()
    if concept is None:
        raise Http404
    concept._roles = {}
    return require(user, resource, action, concept, submitted=submitted)


def visible_concepts(user):
    """The concepts ``user`` may see: public ones, the ones granted to them and those of the cities
    they administer, all for administrators."""
    qs = Concept.objects.select_related("city")
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    if user is not None and user.is_authenticated:
        readers = [k for k, role in _FROM_CONCEPT_ROLE.items() if POLICY[("concept", "view")].get(role) == YES]
        administered = CityRole.objects.filter(user=user, role=CityRole.Role.ADMIN).values("city_id")
        return qs.filter(Q(is_public=True) | Q(roles__user=user, roles__role__in=readers)
                         | Q(city_id__in=administered)).distinct()
    return qs.filter(is_public=True)


def reviewed_authorities(user):
    """The funding authorities whose portfolio ``user`` may see: those on whose staff they are
    (all for the installation's administrator)."""
    if user is None or not user.is_authenticated:
        return FundingAuthority.objects.none()
    if user.is_superuser:
        return FundingAuthority.objects.all()
    return FundingAuthority.objects.filter(staff__user=user).distinct()


def administered_cities(user):
    """The cities ``user`` administers (all for the installation's administrator)."""
    if user is None or not user.is_authenticated:
        return City.objects.none()
    if user.is_superuser:
        return City.objects.all()
    return City.objects.filter(roles__user=user, roles__role=CityRole.Role.ADMIN).distinct()
