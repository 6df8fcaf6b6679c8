"""The concepts app's application layer: what views, commands, the demo loader and the coming API
call to read a concept's parts across apps and to change them.

Each write takes the acting user (a person, or ``access.Operator`` for the demo and shell
commands), asks the access policy, works in one transaction and records the change
(``core.audit.change``). Field checks stay in the forms; rules across rows (unique numbers and
names) live here and come back as ``ValidationError`` — keyed by field where there is one, with a
``code`` — so a form, an API serializer or a command can show them. File input reports
``core.problems`` (``geoio.GeoFileError``).
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, F, ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isek import access
from isek.core import geo, numbering, throttle, versions
from isek.core.audit import change
from isek.core.files import upload_on_disk
from isek.core.laender import ags_from
from isek.core.problems import InputError, too_large
from isek.core.rules import host_name, invalid, keys_after, normalised_colour, repeated

from . import geoio, importing, logos, structures
from .models import (
    AuthorityPrefix,
    AuthorityRole,
    City,
    CityRole,
    Concept,
    ConceptRole,
    FieldOfAction,
    FundingAuthority,
    Goal,
    Measure,
    MeasureSource,
    Milestone,
    Quarter,
    ags_prefixes,
    district_prefix_validator,
    outside_fraction,
    outside_of,
)
from .signals import (
    base_map_extent,
    city_ags_corrected,
    concept_created,
    district_narrowing,
    measure_deleting,
    structure_copied,
    term_changing,
)

# --- reading, for other apps' delivery code ---------------------------------------------------


def concept_by_slug(slug: str) -> Concept | None:
    """The concept with ``slug`` (no access check: for commands, which act as the operator)."""
    return Concept.objects.select_related("city").filter(slug=slug).first()


def measures_of(concept: Concept):
    """The concept's measures in the order of their numbers."""
    return concept.measures.select_related("primary_field").order_by("sort_key")


def quarter_of(concept: Concept, pk: int) -> Quarter | None:
    return concept.quarters.filter(pk=pk).first()


def filtered_measures(concept: Concept, *, field: int | None = None, status: str | None = None,
                      quarter: Quarter | None = None, within=None, changed_since=None, text: str = ""):
    """The concept's measures in the order of their numbers, those of a field of action (main or
    further), a status, touching a quarter or a WGS84 polygon (``within``), created or changed
    since a time (the change history) and matching a search text – each filter only when given.
    The channels read and check their parameters (the pages ignore what they cannot read, the API
    answers 400)."""
    from django.db.models import Q

    from isek.core.models import ChangeRecord

    qs = measures_of(concept).prefetch_related("further_fields")
    if field is not None:
        qs = qs.filter(Q(primary_field__number=field) | Q(further_fields__number=field)).distinct()
    if status is not None:
        qs = qs.filter(status=status)
    if quarter is not None:
        qs = qs.filter(geometry__intersects=quarter.geometry)
    if within is not None:
        qs = qs.filter(geometry__intersects=within)
    if changed_since is not None:
        changed = ChangeRecord.objects.filter(concept_pk=concept.pk, model="concepts.Measure",
                                              timestamp__gte=changed_since)
        qs = qs.filter(pk__in=[int(i) for i in changed.values_list("object_id", flat=True) if i.isdigit()])
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(number__startswith=text)
                       | Q(lead_body__icontains=text))
    return qs


def export_geojson(concept: Concept, path) -> int:
    """Area, quarters and measures as one RFC 7946 FeatureCollection (WGS84); the number written."""
    from . import exporting

    return exporting.export_geojson(concept, path)


def export_xplan(user, concept: Concept, *, submitted=False) -> bytes:
    """The funding area as XPlanGML 6.0 (``SO_Gebiet`` in an ``XPlanAuszug``), its coordinates in
    the official CRS of the Land (``working_srid``, to the millimetre); for whoever may export it
    (``("funding_area", "export")``: ``submitted`` – a bool or a function of the concept – says
    whether the city submitted an application to its district's funding authority, whose staff then
    get it too; decision 0094). A concept without a funding area is refused (``no_area``): no file."""
    import datetime

    from django.utils import translation

    from . import xplan

    access.require(user, "funding_area", "export", concept, submitted=submitted)
    if concept.area is None:
        raise invalid(_("Das Konzept hat noch kein Fördergebiet. Ohne Fördergebiet gibt es keine XPlanung-Datei: "
                        "zeichnen Sie es zuerst auf der Karte oder laden Sie es hoch."), "no_area")
    srid = concept.working_srid
    with translation.override("de"):  # XPlanung is German, whatever the page's language
        legal_basis_text = str(concept.get_legal_basis_display())
    return xplan.xplangml(xplan.FundingArea(
        plan_name=concept.name, area_name=concept.area_name or concept.name, ags=concept.city.ags,
        city=concept.city.name, legal_basis=concept.legal_basis, programme=concept.programme, status=concept.status,
        legal_basis_text=legal_basis_text, geometry=geo.to_working(
            geo.from_django(concept.area), srid), srid=srid, start_year=concept.start_year, end_year=concept.end_year,
        council_decision=concept.council_decision_date, description=concept.summary,
        made_on=datetime.date.today(), key=concept.slug))


def setup_missing(concept: Concept) -> list[str]:
    """The steps of the wizard still open that a concept cannot do without, by name: its area,
    fields of action, measures. (Quarters, the base map and the team are optional.) The concept
    page names them and, with the home page, offers to continue the setup."""
    steps = [(concept.area is None, _("ein Fördergebiet")), (not concept.fields_of_action.exists(), _("Handlungsfelder")),
             (not concept.measures.exists(), _("Maßnahmen"))]
    return [label for missing, label in steps if missing]


def setup_open(concept: Concept) -> bool:
    return bool(setup_missing(concept))


def setups_open(concepts) -> set[int]:
    """The keys of those among ``concepts`` whose setup is open (``setup_open``) – two queries for
    all of them, for the start pages' lists of drafts (decision 0103)."""
    pks = [c.pk for c in concepts]
    if not pks:
        return set()
    with_fields = set(FieldOfAction.objects.filter(concept_id__in=pks).order_by().values_list("concept_id", flat=True).distinct())
    with_measures = set(Measure.objects.filter(concept_id__in=pks).order_by().values_list("concept_id", flat=True).distinct())
    return {c.pk for c in concepts if c.area is None or c.pk not in with_fields or c.pk not in with_measures}


def concept_slugs() -> list[str]:
    return list(Concept.objects.order_by("slug").values_list("slug", flat=True))


# --- the installation: cities, concepts, members ----------------------------------------------


def city_state(city: City) -> str:
    """The token of a stored city's row (name, addresses, colour, logo): the city's settings page
    carries it; ``rename_city`` and ``save_city_look`` compare it (decisions 0096, 0102)."""
    return versions.state_token(City.objects.filter(pk=city.pk).values_list())


def city_changed_message() -> str:
    return _("Die Stadt wurde inzwischen geändert (in einem anderen Fenster oder von einer anderen Person); das "
             "Speichern hätte diese Änderung überschrieben. Bitte die Seite neu laden und die eigene Änderung dann "
             "erneut eintragen.")


def refuse_changed_city(city: City, state: str | None, *, locked: bool = False) -> None:
    """Raise ``ValidationError`` (code "changed") if the city's form was loaded from another state
    than the stored one (``city_state``); a form without a state is not checked. ``locked``: inside
    the saving transaction, the row locked first, so two saves at once cannot both pass."""
    if not state:
        return
    if locked:
        list(City.objects.select_for_update().filter(pk=city.pk).values_list("pk", flat=True))
    if state != city_state(city):
        raise invalid(city_changed_message(), "changed")


def rename_city(user, city: City, name: str, *, state: str | None = None) -> City:
    """The city's administration (or the installation's) changes the city's name – not its AGS –
    with the rules of a new city's name: not empty, no other city's, agreeing with the AGS's Land
    (``City.clean``); in the change history (walk 22, decision 0078). ``state``: the ``city_state``
    the form was loaded from; a city changed since is refused (code "changed"), nothing saved."""
    access.require_site(user, "city", "look", city)
    refuse_changed_city(city, state)
    name = " ".join((name or "").split())
    if not name:
        raise invalid(_("Bitte den Namen der Stadt angeben."), "name_needed", "name")
    namesake = City.objects.exclude(pk=city.pk).filter(name__iexact=name).first()
    if namesake is not None:
        raise invalid(_("%(city)s hat in isek die AGS %(ags)s. Ist Ihre Gemeinde eine andere gleichen Namens, den Namen "
                        "mit seinem amtlichen Zusatz eintragen (z. B. „Neustadt an der Weinstraße“).")
                      % {"city": namesake.name, "ags": ags_printed(namesake.ags)}, "name_of_other_city", "name")
    if name == city.name:
        return city  # nothing to record
    city.name = name
    try:
        city.full_clean(exclude=["slug"])
    except ValidationError as exc:
        raise invalid(" ".join(exc.messages), "bad_name", "name") from None
    with change(user, "web"):
        refuse_changed_city(city, state, locked=True)
        city.save(update_fields=["name"])
    return city


def save_city(user, ags: str, name: str) -> City:
    """Create the city with municipality key ``ags`` or rename it."""
    access.require_site(user, "city", "edit")
    ags = ags_from(ags)
    city = City.objects.filter(ags=ags).first() or City(ags=ags)
    city.name = name
    city.full_clean()
    with change(user, "web"):
        city.save()
    return city


def create_city(user, *, ags: str, name: str, admin_email: str = "", base_url: str = "", via: str = "web"):
    """The installation's administrator creates a city (decision 0086): its AGS (the model's rule:
    a key of a possible structure, not another city's) and its name (``City.clean``: no other city's,
    agreeing with the key's Land); with ``admin_email``, the invitation of its first administrator
    (``accounts.services.invite``: an address with an account or an invitation already is refused).
    All or nothing: refused, neither city nor invitation exists, and no mail went out – the
    invitation's mail goes once the city is committed (decision 0093). Returns the city and the
    invitation (or None)."""
    from isek.accounts import services as accounts

    access.require_site(user, "city", "edit")
    city = City(ags=ags_from(ags), name=" ".join((name or "").split()))
    city.full_clean()
    with change(user, via):
        city.save()
        invitation = None
        if admin_email:
            invitation, _link = accounts.invite(user, admin_email, base_url=base_url, city=city, city_admin=True,
                                                on_commit=True)
    return city, invitation


def create_concept(user, city: City, *, via: str = "web", **fields) -> Concept:
    """A new concept of ``city``; ``fields`` are the model's fields (slug, name, programme, …)."""
    access.require_site(user, "concept", "create", city if city.pk else None)
    concept = Concept(city=city, **fields)
    concept.full_clean()
    with change(user, via):
        concept.save()
        concept_created.send(Concept, concept=concept, via=via)
    return concept


def delete_concept(user, concept: Concept, *, via: str = "web") -> None:
    """Delete a concept with everything in it (its history stays)."""
    access.require_site(user, "concept", "delete")
    with change(user, via):
        concept.delete()


def grant_role(user, concept: Concept, member, role: str, *, via: str = "web") -> ConceptRole:
    """Give ``member`` the ``role`` (planner, reviewer, moderator) on ``concept``."""
    access.require(user, "member", "edit", concept)
    if role not in ConceptRole.Role.values:
        raise invalid(_("Unbekannte Rolle „%(r)s“.") % {"r": role}, "unknown_role", "role")
    if role != ConceptRole.Role.PLANNER:
        _keep_a_planner(concept, member)  # the only planner given another role: nobody left to plan
    with change(user, via):
        grant, _created = ConceptRole.objects.update_or_create(concept=concept, user=member, defaults={"role": role})
    return grant


def _keep_a_planner(concept: Concept, member) -> None:
    """Refuse to take ``member``'s planner role if nobody else plans ``concept``."""
    planners = ConceptRole.objects.filter(concept=concept, role=ConceptRole.Role.PLANNER)
    if planners.filter(user=member).exists() and planners.count() == 1:
        raise invalid(_("Das Konzept braucht mindestens eine Person in der Planung."), "last_planner")


def revoke_role(user, concept: Concept, member, *, via: str = "web") -> None:
    """Take ``member``'s role on ``concept`` away; the last planner stays."""
    access.require(user, "member", "edit", concept)
    grant = ConceptRole.objects.filter(concept=concept, user=member).first()
    if grant is None:
        return
    _keep_a_planner(concept, member)
    with change(user, via):
        grant.delete()


def members(concept: Concept):
    """The concept's team (roles with their people), by role and name: a queryset, to be paged."""
    return ConceptRole.objects.filter(concept=concept).select_related("user").order_by("role", "user__username")


def addable_person(user, concept: Concept, text: str):
    """The account named by ``text`` (user name or e-mail address) that ``user`` may add to
    ``concept``'s team, or None – the same None whether no account has that name or one exists
    that is not of the concept's city, so the form tells no other city's names (decision 0077).
    People of the city: those with a role on one of its concepts or in the city (its
    administrators, those allowed to start concepts there), those who accepted an invitation
    into it and those who signed in through its identity provider. The installation's
    administrator, who sees every account anyway, may add any."""
    from django.contrib.auth import get_user_model

    from isek.accounts import services as accounts

    access.require(user, "member", "edit", concept)
    text = text.strip()
    if not text:
        return None
    candidates = get_user_model().objects.filter(Q(username=text) | Q(email__iexact=text), is_active=True)
    if not user.is_superuser:
        city = concept.city_id
        candidates = candidates.filter(
            Q(pk__in=ConceptRole.objects.filter(concept__city_id=city).values("user"))
            | Q(pk__in=CityRole.objects.filter(city_id=city).values("user"))
            | Q(pk__in=accounts.people_of_city(city)))
    found = list(candidates[:5])
    return next((p for p in found if p.username == text), found[0] if found else None)


def find_person(text: str):
    """The account with this user name or e-mail address, or None."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    text = text.strip()
    return User.objects.filter(username=text).first() or User.objects.filter(email__iexact=text).first()


# --- a city: its administrators, who may start concepts in it, its look and addresses -----------


def city_by_ags(ags: str) -> City | None:
    return City.objects.filter(ags=ags).first()


def city_by_slug(slug: str) -> City | None:
    return City.objects.filter(slug=slug).first()


def city_by_host(host: str) -> City | None:
    """The city whose own host name ``host`` is (the port aside), or None."""
    name = (host or "").rsplit(":", 1)[0].strip().lower().rstrip(".")
    return City.objects.filter(host=name).first() if name else None


def city_concepts(user, city: City):
    """The concepts of ``city`` that ``user`` may see (its administrator: all, drafts included)."""
    return access.visible_concepts(user).filter(city=city).order_by("name")


def cities_of_visible(user) -> list[dict]:
    """The cities with concepts ``user`` may see, by name, each with ``city_name``, ``city_slug``, ``public``
    and ``internal`` (how many of those concepts are public and not) – one query, a row per city:
    the installation's start page of a Land lists its cities, not its thousands of concepts."""
    return list(access.visible_concepts(user).order_by("city__name")
                .values(city_name=F("city__name"), city_slug=F("city__slug"))
                .annotate(public=Count("pk", filter=Q(is_public=True), distinct=True),
                          internal=Count("pk", filter=Q(is_public=False), distinct=True)))


def own_drafts(user):
    """The concepts not public on which ``user`` has a role of their own (planner, reviewer, moderator)."""
    if not user.is_authenticated:
        return Concept.objects.none()
    return access.visible_concepts(user).filter(is_public=False, roles__user=user).order_by("name")


def city_roles(city: City, role: str):
    """The roles ``role`` (CityRole.Role) in ``city`` with their people, by name: a queryset, to be paged."""
    return CityRole.objects.filter(city=city, role=role).select_related("user").order_by("user__username")


class PersonRoles(NamedTuple):
    """What ``roles_of`` gives: a person's roles, for their own account page."""

    concepts: list  # ConceptRole with its concept, by the concept's name
    cities: list  # CityRole with its city, by the city's name and the role
    authorities: list  # AuthorityRole with its authority, by the authority's name
    starts_everywhere: bool  # may start concepts in every city (Django's permission concepts.add_concept)

    def __bool__(self):
        return bool(self.concepts or self.cities or self.authorities or self.starts_everywhere)


def roles_of(person) -> PersonRoles:
    """``person``'s own roles: per concept (planner, reviewer, moderator), per city
    (administrator, may start concepts) and per funding authority (staff); shown to the person
    themselves on their account page (decision 0097)."""
    if not getattr(person, "is_authenticated", False):
        return PersonRoles([], [], [], False)
    return PersonRoles(
        list(ConceptRole.objects.filter(user=person).select_related("concept").order_by("concept__name")),
        list(CityRole.objects.filter(user=person).select_related("city").order_by("city__name", "role")),
        list(AuthorityRole.objects.filter(user=person).select_related("authority").order_by("authority__name")),
        person.has_perm("concepts.add_concept") and not person.is_superuser,
    )


def city_people(city: City, role: str) -> list:
    """The accounts with ``role`` (CityRole.Role) in ``city``."""
    return [r.user for r in city_roles(city, role)]


def _require_city_role_cell(user, city: City, role: str) -> None:
    if role == CityRole.Role.ADMIN:  # a city's administrators are named by the installation's
        access.require_site(user, "city", "edit", city)
    elif role == CityRole.Role.STARTER:  # who may start concepts in the city: the city's administration
        access.require_site(user, "member", "invite", city)
    else:
        raise invalid(_("Unbekannte Rolle „%(r)s“.") % {"r": role}, "unknown_role", "role")


def grant_city_role(user, city: City, person, role: str, *, via: str = "web") -> CityRole:
    """Make ``person`` the administrator of ``city`` (the installation's administrator) or allow
    them to start concepts there (the city's administration)."""
    _require_city_role_cell(user, city, role)
    with change(user, via):
        grant, _created = CityRole.objects.get_or_create(city=city, user=person, role=role)
    return grant


def revoke_city_role(user, city: City, person, role: str, *, via: str = "web") -> None:
    _require_city_role_cell(user, city, role)
    with change(user, via):
        CityRole.objects.filter(city=city, user=person, role=role).delete()


def may_start_in(person, city: City | None) -> bool:
    """May ``person`` start concepts in ``city`` by a grant of its own (None: everywhere, Django's
    permission concepts.add_concept)? Administrators aside."""
    if city is None:
        return person.has_perm("concepts.add_concept")
    return CityRole.objects.filter(city=city, user=person, role=CityRole.Role.STARTER).exists()


def allow_starting(user, person, city: City | None, allowed: bool, *, via: str = "web") -> None:
    """Allow ``person`` to start concepts in ``city`` (None: everywhere) or take it back."""
    from django.contrib.auth.models import Permission

    if city is not None:
        (grant_city_role if allowed else revoke_city_role)(user, city, person, CityRole.Role.STARTER, via=via)
        return
    access.require_site(user, "member", "invite")
    permission = Permission.objects.get(codename="add_concept", content_type__app_label="concepts")
    with change(user, via):
        (person.user_permissions.add if allowed else person.user_permissions.remove)(permission)
    person.__dict__.pop("_perm_cache", None)
    person.__dict__.pop("_user_perm_cache", None)


def save_city_look(user, city: City, *, accent: str, logo=None, remove_logo: bool = False, via: str = "web",
                   state: str | None = None) -> City:
    """The city's accent colour (at least 4.5:1 on white, else a ValidationError naming the ratio)
    and logo (``logo``: bytes or an uploaded file, checked and re-encoded, else InputError); all
    or nothing. ``state``: as ``rename_city``'s."""
    from django.utils import timezone

    access.require_site(user, "city", "look", city)
    refuse_changed_city(city, state)
    city.accent = normalised_colour(accent)  # "ffcc00", "#FFCC00", "#0a5" (decision 0086)
    if logo is not None:
        size = len(logo) if isinstance(logo, bytes) else logo.size
        if size > logos.MAX_BYTES:  # said before the file is read
            raise InputError([too_large(size, logos.MAX_BYTES)])
        city.logo, city.logo_updated = logos.checked_png(logo if isinstance(logo, bytes) else logo.read()), timezone.now()
    elif remove_logo:
        city.logo, city.logo_updated = b"", None
    city.full_clean()
    with change(user, via):
        refuse_changed_city(city, state, locked=True)
        city.save()
    return city


def host_served(host: str) -> bool:
    """Does this installation answer under ``host`` (``settings.ALLOWED_HOSTS``, from
    ``ISEK_ALLOWED_HOSTS``)? A city's own host name that it does not is saved, but Django refuses
    every request for it (400) until the installation's operator adds it (decision 0086)."""
    from django.http.request import validate_host

    return not host or validate_host(host, settings.ALLOWED_HOSTS)


def save_city_addresses(user, city: City, *, name: str, slug: str, host: str, via: str = "web") -> City:
    """The city's name, the short name of its start page (/<slug>/) and its own host name."""
    access.require_site(user, "city", "edit", city)
    city.name, city.slug, city.host = " ".join(name.split()), slug.strip().lower(), host_name(host)  # /<slug>/: one spelling
    city.full_clean()
    with change(user, via):
        city.save()
    return city


def correct_city_ags(user, city: City, ags: str, *, via: str = "web", confirmed: bool = False) -> City:
    """The installation's administrator corrects the AGS of a city created with a wrong one
    (walk 22e, decision 0090), with the rules of a new city's key: its structure, no other city's,
    agreeing with the name's Land (``City.full_clean``); in the change history. Nothing stored
    depends on the key itself: every record points to the city by its id, a funding authority's
    district is a list of prefixes (the city falls into the district of its new key), and the
    files stored under the old key (reference layers, base map) keep their stored paths. A city
    with concepts keeps its Land: the Land decides their funding rules and the CRS their areas
    were measured in. A key that moves a city with submitted or approved applications out of its
    funding authority's district is refused (code "leaves_district", ``district_narrowing`` as for a
    narrowed district) unless ``confirmed`` (decision 0104)."""
    access.require_site(user, "city", "edit", city)
    new = ags_from(ags)
    if new == city.ags:
        return city  # nothing to record
    old = city.ags
    if city.concepts.exists() and new[:2] != old[:2]:
        raise invalid(_("%(c)s hat schon Konzepte; ihr Gemeindeschlüssel kann nur innerhalb des Landes (%(land)s, "
                        "Schlüssel beginnend mit %(p)s) korrigiert werden: das Land bestimmt die Förderregeln der "
                        "Konzepte und das Koordinatensystem ihrer Flächen.")
                      % {"c": city.name, "land": city.land, "p": old[:2]}, "land_of_concepts", "ags")
    city.ags = new
    try:
        city.full_clean()
        if not confirmed and (leaving := _ags_leaving(city, old)):
            raise invalid(leaving, "leaves_district", "ags")
    except ValidationError:
        city.ags = old
        raise
    with change(user, via):
        city.save(update_fields=["ags"])
        city_ags_corrected.send(sender=City, city=city, old=old, user=user)
    return city


def _ags_leaving(city: City, old: str) -> str:
    """What ``city``'s new key (``city.ags``; ``old`` the one before) takes out of its funding
    authority's portfolio: one sentence naming its submitted or approved applications
    (``signals.district_narrowing``) and who serves the new key, "" where it stays in the district
    or has none of them."""
    before = FundingAuthority.objects.filter(prefixes__prefix__in=ags_prefixes(old)).first()
    after = authority_of(city)
    if before is None or before == after:
        return ""
    held = [phrase for _receiver, phrases in district_narrowing.send(FundingAuthority, authority=before, cities=[city])
            for phrase in phrases or ()]
    if not held:
        return ""
    then = (_("künftig zuständig: %(authority)s") % {"authority": after.name} if after is not None
            else _("für den neuen Schlüssel ist in isek keine Bewilligungsbehörde eingerichtet"))
    return _("Mit dem Gemeindeschlüssel %(ags)s fällt %(city)s aus dem Bezirk von %(authority)s (%(then)s): %(held)s. "
             "Ihre Anträge, Mittelabrufe und Verwendungsnachweise stehen dann nicht mehr in dessen Portfolio und "
             "Auswertungen. Ist das gewollt, bestätigen Sie es; sonst den Schlüssel prüfen.") % {
        "ags": ags_printed(city.ags), "city": city.name, "authority": before.name, "then": then, "held": "; ".join(held)}


def delete_city(user, city: City, *, via: str = "web") -> None:
    """The installation's administrator deletes a city that has no concepts yet (walk 22e, decision
    0090) – with its administrators, invitations, legal texts, identity providers and map data; in
    the change history. A city with concepts is refused: they would go with it."""
    access.require_site(user, "city", "edit", city)
    refusal = _city_has_concepts(city)
    if refusal:
        raise refusal
    try:
        with change(user, via):
            city.delete()
    except (ProtectedError, RestrictedError):  # a concept started meanwhile (second reading): nothing is deleted
        raise _city_has_concepts(city) or invalid(_("Die Stadt wird noch verwendet und lässt sich nicht löschen."),
                                                  "city_in_use") from None


def _city_has_concepts(city: City):
    """The refusal to delete ``city`` while it has concepts (None without)."""
    count = city.concepts.count()
    if count:
        return invalid(ngettext("%(c)s hat ein Konzept; eine Stadt mit Konzepten kann nicht gelöscht werden. Zuerst das "
                               "Konzept löschen (Django-Administration) oder es einer anderen Stadt zuordnen.",
                               "%(c)s hat %(n)d Konzepte; eine Stadt mit Konzepten kann nicht gelöscht werden. Zuerst "
                               "die Konzepte löschen (Django-Administration) oder sie einer anderen Stadt zuordnen.", count)
                       % {"c": city.name, "n": count}, "city_has_concepts")
    return None


# --- funding authorities (decision 0050) --------------------------------------------------------


def district_prefixes(text: str) -> list[str]:
    """The prefixes of a district as written: separated by commas, semicolons or spaces."""
    return [p for p in text.replace(",", " ").replace(";", " ").split() if p]


def district_problems(authority: FundingAuthority, prefixes: list[str]) -> list[str]:
    """What is wrong with ``prefixes`` as the district of ``authority`` (German, translated): not
    2 to 5 digits, outside the authority's Land, overlapping each other or another authority's
    district (a city must belong to one authority at most). Empty where all is well."""
    problems = []
    for prefix in prefixes:
        try:
            district_prefix_validator(prefix)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        return problems
    if not prefixes:
        return [_("Mindestens ein AGS-Präfix angeben, z. B. 059 für den Regierungsbezirk Arnsberg.")]
    for prefix in prefixes:
        if authority.land and not prefix.startswith(authority.land):
            problems.append(_("„%(p)s“ liegt nicht in %(land)s: dort beginnt jeder AGS mit %(key)s.")
                            % {"p": prefix, "land": authority.get_land_display(), "key": authority.land})
    for prefix in sorted(set(prefixes)):
        inner = [other for other in set(prefixes) if other != prefix and other.startswith(prefix)]
        if inner:
            problems.append(_("„%(p)s“ enthält schon „%(o)s“: bitte nur eines angeben.")
                            % {"p": prefix, "o": "“, „".join(sorted(inner))})
    others = AuthorityPrefix.objects.exclude(authority_id=authority.pk).select_related("authority")
    for prefix in sorted(set(prefixes)):
        for other in others.filter(Q(prefix__in=_shorter(prefix)) | Q(prefix__startswith=prefix)):
            problems.append(_("„%(p)s“ überschneidet sich mit „%(o)s“ von %(a)s: eine Stadt gehört zu höchstens "
                              "einer Bewilligungsbehörde.") % {"p": prefix, "o": other.prefix, "a": other.authority.name})
    return problems


def _shorter(prefix: str) -> list[str]:
    return [prefix[:n] for n in range(2, len(prefix) + 1)]


def district_leaving(authority: FundingAuthority, prefixes: list[str]) -> str:
    """What narrowing ``authority``'s stored district to ``prefixes`` takes out of its portfolio:
    one sentence naming the cities that leave with their submitted or approved applications
    (``signals.district_narrowing``), "" where none has any (decision 0095)."""
    if authority.pk is None:
        return ""
    before = Q(pk__in=[])
    for prefix in authority.prefixes.values_list("prefix", flat=True):
        before |= Q(ags__startswith=prefix)
    after = Q(pk__in=[])
    for prefix in prefixes:
        after |= Q(ags__startswith=prefix)
    cities = list(City.objects.filter(before).exclude(after).order_by("name"))
    if not cities:
        return ""
    held = [phrase for _receiver, phrases in district_narrowing.send(FundingAuthority, authority=authority, cities=cities)
            for phrase in phrases or ()]
    if not held:
        return ""
    return _("Mit diesen AGS-Präfixen fallen Städte mit eingereichten oder bewilligten Anträgen aus dem Bezirk von "
             "%(authority)s: %(held)s. Ihre Anträge, Mittelabrufe und Verwendungsnachweise stehen dann nicht mehr im "
             "Portfolio und in den Auswertungen des Bezirks. Ist das gewollt (z. B. eine neue Zuständigkeit), "
             "bestätigen Sie es; sonst die Präfixe korrigieren.") % {"authority": authority.name, "held": "; ".join(held)}


def save_authority(user, authority: FundingAuthority, prefixes: list[str], *, via: str = "web",
                   confirmed: bool = False) -> FundingAuthority:
    """Create or change a funding authority and its district (the AGS prefixes it serves): all or
    nothing; a ValidationError keyed by field names every problem. A district narrowed so that
    cities with submitted or approved applications leave it is refused (code "leaves_district",
    ``district_leaving``) unless ``confirmed``."""
    access.require_site(user, "authority", "edit")
    errors = {}
    try:
        authority.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    problems = district_problems(authority, prefixes)
    if problems:
        errors["prefixes"] = problems
    if errors:
        raise ValidationError(errors)
    if not confirmed and (leaving := district_leaving(authority, prefixes)):
        raise invalid(leaving, "leaves_district", "prefixes")
    with change(user, via):
        authority.save()
        authority.prefixes.exclude(prefix__in=prefixes).delete()
        for prefix in sorted(set(prefixes) - set(authority.prefixes.values_list("prefix", flat=True))):
            AuthorityPrefix.objects.create(authority=authority, prefix=prefix)
    return authority


def grant_authority_role(user, authority: FundingAuthority, person, *, via: str = "web") -> AuthorityRole:
    """Make ``person`` a reviewer of ``authority`` (the installation's administrator only)."""
    access.require_site(user, "authority", "edit")
    with change(user, via):
        role, _created = AuthorityRole.objects.get_or_create(authority=authority, user=person)
    return role


def revoke_authority_role(user, authority: FundingAuthority, person, *, via: str = "web") -> bool:
    """Take ``person`` off ``authority``'s staff (the installation's administrator only); False
    where they were not on it (nothing changed)."""
    access.require_site(user, "authority", "edit")
    role = AuthorityRole.objects.filter(authority=authority, user=person).first()
    if role is None:
        return False
    with change(user, via):
        role.delete()
    return True


def authority_staff(authority: FundingAuthority) -> list:
    """The people on ``authority``'s staff, by user name."""
    return [r.user for r in AuthorityRole.objects.filter(authority=authority).select_related("user")
            .order_by("user__username")]


def funding_authorities():
    """Every funding authority with its prefixes and staff counted (the installation's list)."""
    return (FundingAuthority.objects.prefetch_related("prefixes")
            .annotate(staff_count=Count("staff", distinct=True)).order_by("land", "name"))


_NEUTER = ("amt", "ministerium", "büro", "referat")  # the heads of an authority's name that take "das"


def authority_in_sentence(name: str, language: str | None = "de") -> str:
    """An authority's name as the object of a German sentence ("Die Anträge der Stadt prüft …"):
    with its article – "die Regierung von Niederbayern", "das Thüringer Landesverwaltungsamt" –,
    a name that carries one already with it in lower case ("Die Senatorin …" → "die Senatorin …");
    other languages: the name as it is (decision 0085)."""
    if not (language or "de").startswith("de") or not name:
        return name
    first, _sep, rest = name.partition(" ")
    if first.lower() in ("der", "die", "das") and rest:
        return f"{first.lower()} {rest}"
    head = next((w for w in name.split() if w[:1].isupper() and not w.endswith(("er", "e", "es"))), name.split()[0])
    return f"{'das' if head.lower().endswith(_NEUTER) else 'die'} {name}"


def authority_of(city: City) -> FundingAuthority | None:
    """The funding authority whose district holds ``city`` (None where none is set up)."""
    return FundingAuthority.objects.filter(prefixes__prefix__in=ags_prefixes(city.ags)).first()


# --- a concept's parts ------------------------------------------------------------------------


def _require_in_germany(geometry, field: str) -> None:
    """Every channel's geometries (the map, a file, the API) lie in Germany (WGS84 bounds)."""
    if geometry is not None and not geometry.empty and not geo.inside_germany(geo.from_django(geometry)):
        raise invalid(_("Die Geometrie liegt außerhalb Deutschlands."), "outside_germany", field)


# A funding area or quarter larger than this is asked about before it is saved (decision 0066);
# the message names the usual size. Both in km², computed in the Land's official CRS.
AREA_DOUBT_KM2 = 20
AREA_USUAL_KM2 = 5


def area_doubts(concept: Concept, geometry) -> list[str]:
    """Why ``geometry`` (WGS84, GEOS or shapely) is unlikely as a funding area or quarter of the
    concept's city, each a sentence in the UI's language; empty when nothing is to be asked: its
    area in km² (in the Land's official CRS) above AREA_DOUBT_KM2; not inside the extent of the
    city's Land (by the AGS, ``core.laender.LAND_BOUNDS``); not inside the extent of the city's base
    map, where it has one."""
    from django.utils.translation import get_language

    from isek.core.laender import LAND_BOUNDS
    from isek.core.numbers import figure

    shape = geo.from_django(geometry) if hasattr(geometry, "srid") else geometry  # GEOS, else shapely
    if shape is None or shape.is_empty:
        return []
    city, doubts = concept.city, []
    srid = geo.official_srid(city.ags)
    km2 = geo.area_m2(shape, srid) / 1e6
    if km2 > AREA_DOUBT_KM2:
        doubts.append(_("Die Fläche ist %(km2)s km² groß (berechnet in EPSG:%(srid)s) – Fördergebiete sind meist unter "
                        "%(usual)s km².") % {"km2": figure(km2, get_language(), 1), "srid": srid, "usual": AREA_USUAL_KM2})
    land = LAND_BOUNDS.get(city.land_key)
    if land is not None and not _within(shape, land):
        doubts.append(_("Die Fläche liegt (teilweise) außerhalb von %(land)s, dem Land der Stadt %(city)s.")
                      % {"land": city.land, "city": city.name})
    extents = [answer for _, answer in base_map_extent.send(sender=City, city=city) if answer]
    if extents and not _within(shape, extents[0]):
        doubts.append(_("Die Fläche liegt (teilweise) außerhalb der Grundkarte der Stadt %(city)s.") % {"city": city.name})
    return doubts


def _within(shape, bounds) -> bool:
    x0, y0, x1, y1 = shape.bounds
    return x0 >= bounds[0] and y0 >= bounds[1] and x1 <= bounds[2] and y1 <= bounds[3]


LOCATION_DOUBT_SHARE = 0.005  # a location this much (or more) beyond the funding area is asked about


def location_doubts(concept: Concept, geometry, kind: str = "measure") -> list[str]:
    """Why ``geometry`` is unlikely as the location of a measure (``kind`` "measure") or a quarter
    ("quarter") of ``concept``: it leaves the funding area (``models.outside_of``: how much). Empty
    where it lies inside or either is missing. Funding goes to the funding area, yet an access road
    or a quarter drawn a little wider may be right: a question, not a refusal (decision 0072)."""
    # under half a percent (what reads "0 %"; the demo's quarters, cut from the area, differ by 2 m²)
    # is the drawing's edge, not a location beyond the area
    if concept.area is None or outside_fraction(geometry, concept) < LOCATION_DOUBT_SHARE:
        return []
    outside = outside_of(geometry, concept)
    if kind == "quarter":
        return [_("Der Teilraum liegt nicht ganz im Fördergebiet (%(outside)s).") % {"outside": outside}]
    return [_("Die Verortung der Maßnahme liegt nicht ganz im Fördergebiet (%(outside)s); gefördert wird "
              "im Fördergebiet.") % {"outside": outside}]


def _require_plausible(concept: Concept, geometry, stored, field: str, confirmed: bool, kind: str = "") -> None:
    """Refuse (code ``implausible``) a new or changed geometry that ``area_doubts`` questions (a
    quarter or measure ``kind``: also ``location_doubts``), unless the person confirmed it; an
    unchanged one is not asked about again."""
    if confirmed or geometry is None or (stored is not None and stored.equals_exact(geometry, 1e-9)):
        return
    doubts = (area_doubts(concept, geometry) if kind != "measure" else []) + (
        location_doubts(concept, geometry, kind) if kind else [])
    if doubts:
        raise ValidationError({field: [ValidationError(d, code="implausible") for d in doubts]})


def save_concept(user, concept: Concept, *, via: str = "web", confirmed: bool = False) -> Concept:
    """Save the changed fields (name, summary, funding area, …) of an existing concept. A new
    funding area that ``area_doubts`` questions is refused (``implausible``) unless ``confirmed``."""
    access.require(user, "concept", "edit", concept)
    _require_in_germany(concept.area, "area")
    stored = Concept.objects.filter(pk=concept.pk).values_list("area", flat=True).first() if concept.pk else None
    _require_plausible(concept, concept.area, stored, "area", confirmed)
    term = Concept.objects.filter(pk=concept.pk).values_list("start_year", "end_year").first() if concept.pk else None
    with change(user, via):
        if term is not None and term != (concept.start_year, concept.end_year):
            term_changing.send(Concept, concept=concept)  # years with approved money stay in the term
        concept.save()
    return concept


def save_quarter(user, concept: Concept, quarter: Quarter, *, via: str = "web", confirmed: bool = False) -> Quarter:
    """Create or update a quarter; its name must be unique within the concept. A new geometry that
    ``area_doubts`` or ``location_doubts`` (beyond the funding area) questions is refused
    (``implausible``) unless ``confirmed``."""
    access.require(user, "quarter", "edit", concept)
    if Quarter.objects.filter(concept=concept, name=quarter.name).exclude(pk=quarter.pk).exists():
        raise invalid(_("Ein Teilraum mit diesem Namen existiert schon."), "duplicate_name", "name")
    _require_in_germany(quarter.geometry, "geometry")
    stored = Quarter.objects.filter(pk=quarter.pk).values_list("geometry", flat=True).first() if quarter.pk else None
    _require_plausible(concept, quarter.geometry, stored, "geometry", confirmed, "quarter")
    quarter.concept = concept
    with change(user, via):
        quarter.save()
    return quarter


def _listed(objs) -> str:
    return ", ".join(f"{o.number} „{o.title if hasattr(o, 'title') else o.name}“" for o in objs)


def _removal_problems(removed_fields, removed_goals, goals) -> list[ValidationError]:
    """Why deleting these fields of action and goals would take along something the planner entered:
    goals or sub-goals not deleted (or moved) in the same save, measures assigned. One error per
    field or goal, its ``params["target"]`` the object it belongs to."""
    gone = {g.pk for g in removed_goals}
    moved = {g.pk: g for g in goals if g.pk}
    after = lambda g: moved.get(g.pk, g)  # noqa: E731
    problems = []

    def problem(target, message, code, objs):
        problems.append(ValidationError(message % {"n": target.number, "list": _listed(objs)}, code=code,
                                        params={"target": target}))

    for field in removed_fields:
        kept = [g for g in field.goals.all() if g.pk not in gone and after(g).field_of_action_id == field.pk]
        if kept:
            problem(field, _("Handlungsfeld %(n)s hat noch Ziele (%(list)s): diese zuerst löschen oder einem "
                             "anderen Handlungsfeld zuordnen."), "field_has_goals", kept)
        used = {m.pk: m for m in (*field.primary_measures.all(), *field.further_measures.all())}
        if used:
            problem(field, _("Handlungsfeld %(n)s sind noch Maßnahmen zugeordnet (%(list)s): diese zuerst einem "
                             "anderen Handlungsfeld zuordnen."), "field_in_use", sorted(used.values(), key=lambda m: m.sort_key))
    for goal in removed_goals:
        kept = [g for g in goal.children.all() if g.pk not in gone and after(g).parent_id == goal.pk]
        if kept:
            problem(goal, _("Ziel %(n)s hat noch Unterziele (%(list)s): diese zuerst löschen oder einem anderen "
                            "Ziel zuordnen."), "goal_has_goals", kept)
        if goal.measures.exists():
            problem(goal, _("Ziel %(n)s sind noch Maßnahmen zugeordnet (%(list)s): diese Zuordnung zuerst in der "
                            "Maßnahme lösen."), "goal_in_use", goal.measures.all())
    return problems


def is_template_source(text: str) -> bool:
    """Whether ``text`` is the source a structure template gave its fields of action (which calls
    the structure a proposal), not one the planner wrote."""
    return bool(text.strip()) and text.strip() in {t.source.strip() for t in structures.templates().values()}


def _goals_follow(concept: Concept, fields, goals, removed_goals) -> list[Goal]:
    """``goals`` to save, with the numbers following their fields of action: a goal moved to
    another field takes that field's next number (2.3 to field 1 → 1.3 after 1.2), its sub-goals
    come along (2.3.1 → 1.3.1), and the goals of a renumbered field take its new number (field 4
    → 9: 4.1 → 9.1) – each unless the planner typed its number in the same save. Returned too:
    goals of a renumbered field that the form did not send. A goal the planner edited (title,
    field, parent) is no longer the template's illustrative proposal."""
    before = {g.pk: g for g in concept.goals.all()}
    old_field = dict(concept.fields_of_action.values_list("pk", "number"))
    new_field = {**old_field, **{f.pk: f.number for f in fields if f.pk}}
    gone = {g.pk for g in removed_goals}
    sent = {g.pk: g for g in goals if g.pk}
    for pk, g in sent.items():
        was = before[pk]
        if was.illustrative and g.illustrative and any(getattr(g, k) != getattr(was, k) for k in (
                "title", "description", "field_of_action_id", "parent_id")):
            g.illustrative = False
    after = sorted((sent.get(pk, g) for pk, g in before.items() if pk not in gone), key=lambda g: numbering.number_sort_key(g.number))
    taken = {g.number for g in (*after, *goals)} | {g.number for g in before.values()}  # never a number freed only now
    current = {g.pk: g for g in after}
    moved: dict[int, tuple[str, int, int]] = {}  # goal pk → (old number, old field, new field) of a renumbered goal
    out = list(goals)
    for g in after:
        was = before[g.pk]
        if g.number != was.number:
            continue  # the planner's own number
        parent = moved.get(g.parent_id)
        top = str(new_field[g.field_of_action_id])
        if parent and numbering.under(g.number, parent[0]):
            if g.field_of_action_id == parent[1]:
                g.field_of_action = concept.fields_of_action.get(pk=parent[2])
            number = numbering.moved_under(g.number, parent[0], current[g.parent_id].number)
        elif g.number.split(".")[0] == top:
            continue
        elif g.field_of_action_id != was.field_of_action_id:
            number = numbering.next_free(top, taken)
        elif numbering.under(g.number, str(old_field[g.field_of_action_id])):
            number = numbering.moved_under(g.number, str(old_field[g.field_of_action_id]), top)
            number = numbering.next_free(top, taken) if number in taken else number
        else:
            continue
        moved[g.pk] = (g.number, was.field_of_action_id, g.field_of_action_id)
        g.number = number
        taken.add(number)
        if g.pk not in sent:
            out.append(g)
    return out


def template_of(concept: Concept) -> structures.Template | None:
    """The structure template whose fields of action the concept still has (none renamed away)."""
    sources = {f.source.strip() for f in concept.fields_of_action.all()}
    return next((t for t in structures.templates().values() if t.source.strip() in sources), None)


def save_structure(user, concept: Concept, *, fields=(), removed_fields=(), goals=(), removed_goals=(),
                   via: str = "web") -> list[str]:
    """Save fields of action and goals together: new and changed ones in ``fields``/``goals``
    (model instances), deleted ones in ``removed_*``. Numbers stay unique and goal numbers follow
    their field (``_goals_follow``); nothing goes along unasked: a field of action or goal is
    deleted only with its goals or sub-goals ticked too (or moved), and not while measures are
    assigned to it. Returns what was deleted, for the planner to read."""
    access.require(user, "structure", "edit", concept)
    goals = _goals_follow(concept, fields, goals, removed_goals)
    number = lambda o: o.number  # noqa: E731
    for numbers in (keys_after(concept.fields_of_action.all(), fields, removed_fields, number),
                    keys_after(concept.goals.all(), goals, removed_goals, number)):
        twice = repeated(numbers)
        if twice:
            raise invalid(_("Jede Nummer darf nur einmal vorkommen (doppelt: %(n)s).") % {"n": ", ".join(twice)}, "duplicate_number")
    problems = _removal_problems(removed_fields, removed_goals, goals)
    if problems:
        raise ValidationError(problems)
    names = dict(concept.fields_of_action.filter(pk__in=[f.pk for f in fields if f.pk]).values_list("pk", "name"))
    try:
        with change(user, via):
            for obj in (*removed_goals, *removed_fields):
                obj.delete()
            for obj in fields:
                if obj.pk in names and names[obj.pk] != obj.name and is_template_source(obj.source):
                    obj.source = ""  # renamed: no longer the template's field of action
                obj.concept = concept
                obj.full_clean(exclude=["concept"], validate_unique=False)
                obj.save()
            for obj in goals:
                obj.concept = concept
                obj.full_clean(validate_unique=False)
                obj.save()
    except (ProtectedError, RestrictedError):
        raise invalid(_("Ein Handlungsfeld, dem noch Maßnahmen zugeordnet sind, kann nicht gelöscht werden."), "field_in_use") from None
    except IntegrityError:
        raise invalid(_("Nummern können nicht in einem Schritt getauscht werden; bitte zuerst eine freie "
                                "Nummer vergeben."), "number_swap") from None
    return ([_("Handlungsfeld %(n)s „%(name)s“") % {"n": f.number, "name": f.name} for f in removed_fields]
            + [_("Ziel %(n)s „%(name)s“") % {"n": g.number, "name": g.title} for g in removed_goals])


def measure_state(measure: Measure) -> str:
    """The token of a stored measure: its row, its further fields of action and goals, its
    milestones. The measure's form carries it; ``save_measure(state=…)`` compares it (decision 0096)."""
    return versions.state_token(Measure.objects.filter(pk=measure.pk).values_list(),
                                measure.further_fields.order_by("pk").values_list("pk"),
                                measure.goals.order_by("pk").values_list("pk"),
                                Milestone.objects.filter(measure_id=measure.pk).order_by("pk").values_list())


def measure_changed_message() -> str:
    return _("Diese Maßnahme wurde inzwischen geändert (in einem anderen Fenster oder von einer anderen Person); "
             "das Speichern hätte diese Änderung überschrieben. Bitte die Seite neu laden und die eigene Änderung "
             "dann erneut eintragen.")


def refuse_changed_measure(measure: Measure, state: str | None) -> None:
    """Raise ``ValidationError`` (code "changed") if the form of the stored ``measure`` was loaded
    from another state than the stored one (``measure_state``); a form without a state is not checked."""
    if state and measure.pk and state != measure_state(measure):
        raise invalid(measure_changed_message(), "changed")


def save_measure(user, concept: Concept, measure: Measure, *, further_fields=None, goals=None, milestones=(),
                 removed_milestones=(), sources=(), via: str = "web", ask: bool = False,
                 confirmed: bool = False, state: str | None = None) -> Measure:
    """Create or update a measure with its milestones (and, for loaders, its sources). Its number
    is unique within the concept; fields of action and goals must be the concept's own. ``ask``
    (the measure form): a new or changed location beyond the funding area (``location_doubts``) is
    refused with code ``implausible`` unless ``confirmed``; other writers (API, imports) leave it to
    the readiness check (decision 0072). ``state``: the ``measure_state`` the form (or the API's
    If-Match) was loaded from; a measure changed since is refused (code "changed"), nothing saved
    (decision 0096)."""
    access.require(user, "measure", "edit", concept)
    refuse_changed_measure(measure, state)
    if Measure.objects.filter(concept=concept, number=measure.number).exclude(pk=measure.pk).exists():
        raise invalid(_("Die Nummer %(n)s ist in diesem Konzept schon vergeben.") % {"n": measure.number}, "duplicate_number", "number")
    related = [measure.primary_field] if measure.primary_field_id else []
    related += list(further_fields or ()) + list(goals or ())
    if any(obj.concept_id != concept.pk for obj in related):
        raise invalid(_("Handlungsfelder und Ziele müssen zu diesem Konzept gehören."), "foreign_structure")
    _require_in_germany(measure.geometry, "geometry")
    if ask:
        stored = Measure.objects.filter(pk=measure.pk).values_list("geometry", flat=True).first() if measure.pk else None
        _require_plausible(concept, measure.geometry, stored, "geometry", confirmed, "measure")
    measure.concept = concept
    with change(user, via):
        if state and measure.pk:  # again inside the transaction, the row locked: two saves at once
            list(Measure.objects.select_for_update().filter(pk=measure.pk).values_list("pk", flat=True))
            refuse_changed_measure(measure, state)
        measure.save()
        if further_fields is not None:
            measure.further_fields.set(further_fields)
        if goals is not None:
            measure.goals.set(goals)
        for m in removed_milestones:
            if m.measure_id == measure.pk:
                m.delete()
        for m in milestones:
            m.measure = measure
            m.save()
        for s in sources:
            s.measure = measure
            s.save()
    return measure


def delete_measure(user, concept: Concept, measure: Measure, *, via: str = "web") -> str:
    """Delete a measure of ``concept``; returns its number. Refused (code "held", nothing deleted)
    where the funding procedure holds it – lines an approval wrote, payments or amounts of a payment
    request (``signals.measure_deleting``; decision 0095): deleting it would take approved and paid
    money out of the KuF, the reports and the proof of use while the Bescheid still grants it. The
    way out is the status "entfallen"."""
    access.require(user, "measure", "delete", concept)
    if measure.concept_id != concept.pk:
        raise Measure.DoesNotExist
    number = measure.number
    with change(user, via):
        if held := measure_held(measure):
            raise invalid(held_refusal(measure, held), "held")
        measure.delete()
    return number


def measure_held(measure: Measure) -> list[str]:
    """What of the funding procedure holds ``measure`` (the phrases of ``signals.measure_deleting``'s
    receivers; empty where nothing does): the Django admin asks before it offers the deletion."""
    return [phrase for _receiver, phrases in measure_deleting.send(Measure, measure=measure) for phrase in phrases or ()]


def held_refusal(measure: Measure, held: list[str]) -> str:
    """Why ``measure`` cannot be deleted (``held``: the phrases of ``measure_deleting``'s receivers),
    with the way out: the status "entfallen", unless it has it already."""
    words = {"n": measure.number, "title": measure.title, "held": "; ".join(held),
             "cancelled": Measure.Status.CANCELLED.label}
    if Measure.objects.filter(pk=measure.pk, status=Measure.Status.CANCELLED).exists():
        return _("Die Maßnahme %(n)s „%(title)s“ kann nicht gelöscht werden: %(held)s. Sie ist bereits "
                 "„%(cancelled)s“ und bleibt so mit ihren bewilligten und ausgezahlten Beträgen nachvollziehbar; "
                 "eine Änderung des Bescheids ist Sache der Bewilligungsbehörde.") % words
    return _("Die Maßnahme %(n)s „%(title)s“ kann nicht gelöscht werden: %(held)s. Wenn sie nicht mehr umgesetzt "
             "wird, setzen Sie unter „Maßnahme bearbeiten“ ihren Status auf „%(cancelled)s“; bewilligte und "
             "ausgezahlte Beträge bleiben so erhalten. Eine Änderung des Bescheids ist Sache der "
             "Bewilligungsbehörde.") % words


def set_progress(user, concept: Concept, measure: Measure, percent: int, *, illustrative: bool = False,
                 via: str = "web") -> Measure:
    """Record how far a measure has got (0–100 %)."""
    access.require(user, "measure", "edit", concept)
    if measure.concept_id != concept.pk:
        raise Measure.DoesNotExist
    if not 0 <= percent <= 100:
        raise invalid(_("Der Fortschritt liegt zwischen 0 und 100 %."), "progress_range", "progress")
    measure.progress, measure.progress_illustrative = percent, illustrative
    with change(user, via):
        measure.save(update_fields=["progress", "progress_illustrative"])
    return measure


# --- geodata import ---------------------------------------------------------------------------


def import_path(user, concept: Concept, path, kind: str, *, crs=None, layer=None, filename=None,
                via: str = "isek import", ask_first: bool = False, confirmed: bool = False,
                listed: int | None = None) -> importing.ImportReport:
    """Import a geodata file as the concept's area, quarters or measure locations (all or nothing).
    With ``ask_first``, an area that would leave measures outside, or an area or quarter that
    ``area_doubts`` questions, raises importing.Unconfirmed; without it such doubts refuse the file
    (GeoFileError) unless ``confirmed`` (the command's --confirm-area). ``listed``: how many quarters
    or measures a message names at most (the command's terminal; None: all)."""
    access.require(user, "geodata", "import", concept)
    return importing.import_file(concept, path, kind, crs=crs, layer=layer, filename=filename,
                                 user=user, actor=via, ask_first=ask_first, confirmed=confirmed, listed=listed,
                                 doubt=lambda g: area_doubts(concept, g) + (
                                     location_doubts(concept, geo.to_django(g), "quarter") if kind == "quarters" else []))


def import_upload(user, concept: Concept, upload, kind: str, *, crs=None, via: str = "upload",
                  ask_first: bool = False) -> importing.ImportReport:
    """Import an uploaded file (anything with ``name``, ``size`` and ``chunks()``, e.g. Django's
    UploadedFile); refuses files above ISEK_UPLOAD_MAX_BYTES before reading them."""
    access.require(user, "geodata", "import", concept)
    limit = settings.ISEK_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise geoio.GeoFileError([too_large(upload.size, limit)])
    with upload_on_disk(upload) as path:
        return import_path(user, concept, path, kind, crs=crs, filename=upload.name, via=via, ask_first=ask_first)


# --- starting a concept ------------------------------------------------------------------------


RESERVED_SLUGS = {"new"}  # /concepts/new/ is the wizard


def templates() -> dict[str, structures.Template]:
    """The structure templates (fields of action with goals) a new concept can start from."""
    return structures.templates()


def ags_printed(ags: str) -> str:
    """An AGS as people read it: "05 911 000" (Land, Regierungsbezirk and Kreis, Gemeinde)."""
    return f"{ags[:2]} {ags[2:5]} {ags[5:]}"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def city_for(ags: str, name: str) -> City:
    """The city with the municipality key ``ags`` – which must then bear ``name`` (case and spaces
    aside) – or a new one (not saved yet) named ``name``. A key that belongs to a city of another
    name is refused, naming that city, and so is a name isek knows with another key: a second
    municipality of that name enters it with its official addition ("Neustadt an der Weinstraße"),
    so that no two cities in isek bear the same name."""
    ags, name = ags_from(ags), " ".join((name or "").split())
    city = City.objects.filter(ags=ags).first()
    if city is not None:
        if not _same_name(city.name, name):
            raise invalid(_("Die AGS %(ags)s gehört zu %(city)s. Bitte die AGS Ihrer Stadt prüfen, oder „%(city)s“ "
                            "als Stadt eintragen.") % {"ags": ags_printed(ags), "city": city.name}, "ags_of_other_city", "ags")
        return city
    namesake = next((c for c in City.objects.only("name", "ags") if _same_name(c.name, name)), None)
    if namesake is not None:
        raise invalid(_("%(city)s hat in isek die AGS %(ags)s. Bitte die AGS prüfen; ist Ihre Gemeinde eine andere "
                        "gleichen Namens, den Namen mit seinem amtlichen Zusatz eintragen (z. B. „Neustadt an der "
                        "Weinstraße“).") % {"city": namesake.name, "ags": ags_printed(namesake.ags)}, "name_of_other_city",
                      "city_name")
    city = City(ags=ags, name=name)
    city.full_clean()
    return city


def structure_sources(user) -> list[Concept]:
    """The concepts whose structure a new concept of ``user`` may copy: those with fields of action
    that are public or that ``user`` has a role in – not every draft an administrator may read."""
    from django.db.models import Q

    return list(access.visible_concepts(user).filter(Q(is_public=True) | Q(roles__user=user.pk))
                .filter(fields_of_action__isnull=False).distinct().order_by("city__name", "name"))


def start_concept(user, *, ags: str, city_name: str, slug: str, name: str, programme: str, legal_basis: str,
                  start_year: int, end_year: int, template: str = "", copy_from: Concept | None = None,
                  via: str = "web", once: str = "") -> Concept:
    """A new concept, as its starter sees it: the city (created when isek does not know it yet),
    the concept as an internal draft, its starter as its planner and, if asked, the fields of
    action and goals of a template, or those of ``copy_from`` (a concept the starter may read)
    together with what other apps keep of it (``signals.structure_copied``: monitoring copies the
    indicator catalogue). All or nothing; a slug in use or an unknown template is an error with
    its field, and so is an AGS and a city name that do not agree (``city_for``). ``once``: the
    wizard page's one-time token; the same page sent again after it created the concept (a double
    click, back in the browser) is refused with the code "resent" and changes nothing."""
    access.require_site(user, "concept", "create", somewhere=True)
    if once and throttle.spent(f"concept-new:{slug}", once):
        raise _resent_concept(slug)
    if not legal_basis:  # never a default: the city chooses it (decision 0105)
        raise invalid(_("Bitte wählen Sie die Rechtsgrundlage des Gebiets (z. B. Sanierungsgebiet nach § 142 BauGB "
                        "oder Ratsbeschluss); isek wählt sie nicht vor."), "legal_basis_missing", "legal_basis")
    if template and template not in structures.templates():
        raise invalid(_("Die Vorlage „%(t)s“ gibt es nicht; vorhanden: %(all)s.")
                      % {"t": template, "all": ", ".join(structures.templates())}, "unknown_template", "template")
    if slug in RESERVED_SLUGS or Concept.objects.filter(slug=slug).exists():
        raise invalid(_("Der Kurzname „%(s)s“ ist schon vergeben.") % {"s": slug}, "duplicate_slug", "slug")
    city = city_for(ags, city_name)
    if not access.allows_site(user, "concept", "create", city if city.pk else None):
        cities = access.site_cities(user, "concept", "create")
        raise invalid(_("Sie dürfen Konzepte nur für %(cities)s anlegen.") % {
            "cities": ", ".join(f"{c.name} ({ags_printed(c.ags)})" for c in cities)}, "city_not_allowed", "ags")
    concept = Concept(city=city, slug=slug, name=name, programme=programme, legal_basis=legal_basis,
                      start_year=start_year, end_year=end_year, status=Concept.Status.DRAFT, is_public=False)
    concept.full_clean(exclude=["city"])
    with change(user, via):
        if once and not throttle.spend(f"concept-new:{slug}", once):  # the first request is saving it now
            raise _resent_concept(slug)
        city.save()
        concept.city = city
        concept.save()
        if user.pk is not None and not user.is_superuser:
            ConceptRole.objects.create(concept=concept, user=user, role=ConceptRole.Role.PLANNER)
        if template:
            _apply(concept, structures.templates()[template])
        if copy_from is not None:
            copy_structure(user, concept, copy_from, via=via)
            structure_copied.send(Concept, user=user, concept=concept, source=copy_from, via=via)
        concept_created.send(Concept, concept=concept, via=via)
    return concept


def new_concept_token() -> str:
    """A fresh one-time token for the wizard's page (``start_concept(once=…)``)."""
    return throttle.form_token()


def _resent_concept(slug: str) -> ValidationError:
    return invalid(_("Das Konzept mit dem Kurznamen „%(s)s“ wurde mit diesem Formular schon angelegt; das erneute "
                     "Senden hat nichts geändert.") % {"s": slug}, "resent")


def apply_template(user, concept: Concept, key: str, *, goals: bool = True, via: str = "web") -> None:
    """Give a concept without fields of action those of a template (and its goals, as illustrative)."""
    access.require(user, "structure", "edit", concept)
    template = structures.templates().get(key)
    if template is None:
        raise invalid(_("Die Vorlage „%(t)s“ gibt es nicht; vorhanden: %(all)s.")
                      % {"t": key, "all": ", ".join(structures.templates())}, "unknown_template", "template")
    if concept.fields_of_action.exists():
        raise invalid(_("Das Konzept hat schon Handlungsfelder; eine Vorlage gilt nur für ein leeres Konzept."),
                      "has_structure", "template")
    with change(user, via):
        _apply(concept, template, goals=goals)


def _apply(concept: Concept, template: structures.Template, goals: bool = True) -> None:
    for f in template.fields:
        field = FieldOfAction.objects.create(concept=concept, number=f.number, name=f.name, name_en=f.name_en,
                                             colour=f.colour, source=template.source)
        if goals:
            for number, title in f.goals:
                Goal.objects.create(concept=concept, field_of_action=field, number=number, title=title,
                                    illustrative=template.goals_illustrative)


def copy_structure(user, concept: Concept, source: Concept, *, via: str = "web") -> None:
    """Copy the fields of action and the goal tree of ``source`` (which ``user`` may read) into a
    concept without fields; no measures, no money."""
    access.require(user, "structure", "edit", concept)
    access.require(user, "concept", "view", source)
    if concept.fields_of_action.exists():
        raise invalid(_("Das Konzept hat schon Handlungsfelder; kopiert wird nur in ein leeres Konzept."),
                      "has_structure", "copy_from")
    with change(user, via):
        fields = {}
        for f in source.fields_of_action.all():
            fields[f.pk] = FieldOfAction.objects.create(concept=concept, number=f.number, name=f.name, name_en=f.name_en,
                                                        colour=f.colour, description=f.description, source=f.source)
        goals, pending = {}, list(source.goals.order_by("pk"))
        while pending:  # a goal after its parent, however deep the tree
            ready = [g for g in pending if g.parent_id is None or g.parent_id in goals]
            for g in ready:
                goals[g.pk] = Goal.objects.create(concept=concept, field_of_action=fields[g.field_of_action_id],
                                                  parent=goals.get(g.parent_id), number=g.number, title=g.title,
                                                  description=g.description, illustrative=g.illustrative)
            pending = [g for g in pending if g.pk not in goals]
            if not ready:
                break  # a cycle cannot be stored; nothing more to place


def read_geofile(path, **options) -> geoio.GeoFile:
    """A geodata file read and checked as the concept import checks it (format, CRS, validity,
    inside Germany, size); GeoFileError lists every problem. Other apps' uploads use it too."""
    return geoio.read(path, **options)


GeoFileError = geoio.GeoFileError


# The entity types other apps may construct and read; they change them only through the functions above.
__all__ = [
    "City", "CityRole", "Concept", "city_by_ags", "city_by_slug", "city_by_host", "cities_of_visible", "city_concepts", "city_people", "city_roles", "own_drafts", "PersonRoles", "roles_of",
    "grant_city_role", "revoke_city_role", "may_start_in", "allow_starting", "save_city_look", "save_city_addresses", "correct_city_ags", "delete_city", "GeoFileError", "read_geofile", "FieldOfAction", "Goal", "Measure", "MeasureSource", "Milestone", "Quarter",
    "concept_by_slug", "concept_slugs", "setup_missing", "export_geojson", "create_concept", "delete_concept", "delete_measure", "measure_held", "grant_role",
    "import_path", "import_upload", "revoke_role", "members", "find_person", "addable_person", "save_city", "rename_city", "city_state", "city_changed_message", "refuse_changed_city", "save_concept", "save_measure", "measure_state", "measure_changed_message", "refuse_changed_measure", "save_quarter",
    "save_structure", "set_progress", "start_concept", "structure_sources", "new_concept_token", "city_for", "ags_printed", "template_of", "apply_template", "copy_structure", "templates",
    "structure_copied", "base_map_extent", "term_changing", "city_ags_corrected", "concept_created", "measure_deleting", "district_narrowing",
]
