"""The concept as data: city, concept (Gesamtmaßnahme), funding area, quarters, fields of action,
goals and measures. Geometries are stored in WGS84 (EPSG:4326); areas and lengths are computed
in the official CRS of the city's Land (``Concept.working_srid``, see isek.core.geo)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from isek.core import geo, numbers
from isek.core.i18n import pick
from isek.core.laender import CITY_STATE_KEYS, LAENDER, ags_from, ags_structure_problem, land_of  # noqa: F401  (ags_from re-exported: concepts.forms)
from isek.core.numbering import number_sort_key  # noqa: F401  (re-exported)
from isek.core.rules import MIN_CONTRAST, colour_validator, contrast_on_white  # noqa: F401  (colour_validator re-exported: concepts.importing)


def ags_validator(value: str) -> None:
    """Eight digits whose first two name a Land (01 Schleswig-Holstein … 16 Thüringen), of a structure
    a municipality's key can have (``core.laender.ags_structure_problem``, decision 0086); the one
    rule for every way an AGS comes in (``ags_from`` first removes the spaces and dots of print)."""
    if not value.isascii() or not value.isdigit():
        raise ValidationError(_("Der Amtliche Gemeindeschlüssel besteht nur aus Ziffern; „%(v)s“ enthält andere "
                                "Zeichen. Beispiel: 14625240."), params={"v": value}, code="not_digits")
    if len(value) != 8:
        raise ValidationError(_("Der Amtliche Gemeindeschlüssel hat 8 Ziffern, „%(v)s“ hat %(n)s. Beispiel: 14625240."),
                              params={"v": value, "n": len(value)}, code="length")
    problem = ags_structure_problem(value)
    if problem == "unknown_land":
        raise ValidationError(_("Die ersten beiden Ziffern %(p)s des Gemeindeschlüssels bezeichnen kein Land (01–16)."),
                              params={"p": value[:2]}, code="unknown_land")
    if problem == "not_city_state_key":
        raise ValidationError(_("Der Stadtstaat %(land)s hat nur den Gemeindeschlüssel %(keys)s; „%(v)s“ gibt es nicht."),
                              params={"land": land_of(value), "v": value, "keys": " / ".join(CITY_STATE_KEYS[value[:2]])},
                              code="not_city_state_key")
    if problem == "no_district":
        raise ValidationError(_("„%(v)s“ ist kein Gemeindeschlüssel: die Ziffern 4 und 5 (der Kreis) sind 00, so beginnt "
                                "nur der Schlüssel eines Landes oder Regierungsbezirks. Beispiel: 05911000 für Bochum."),
                              params={"v": value}, code="no_district")
number_validator = RegexValidator(
    r"^\d+(\.\d+)*[a-z]?$", _("Nummer wie „2.3“ angeben (Ziffern, durch Punkte getrennt).")
)


def is_whole_area(geometry, area) -> bool:
    """Whether a measure's location is the concept's funding area: a measure "für das ganze
    Fördergebiet" (Quartiersmanagement), which maps draw as an outline beneath the others."""
    return geometry is not None and area is not None and not geometry.empty and geometry.equals(area)


def outside_of(geometry, concept) -> str:
    """How much of ``geometry`` lies outside the concept's funding area ("ca. 1.240 m² / 18 %
    außerhalb des Fördergebiets"), in the official CRS of the Land; empty when it lies inside
    (parts below 1 m² or 1 m are drawing slivers) or either is missing."""
    out = _outside(geometry, concept)
    if out is None:
        return ""
    part, whole, unit = out
    if unit is None:
        return str(_("liegt außerhalb des Fördergebiets"))
    language = get_language()
    share = numbers.figure(100 * part / whole, language, 0)
    text = (_("ca. %(amount)s m² / %(share)s %% außerhalb des Fördergebiets") if unit == "m²" else
            _("ca. %(amount)s m / %(share)s %% außerhalb des Fördergebiets"))
    return text % {"amount": numbers.figure(part, language, 0), "share": share}


def outside_share(geometry, concept) -> int:
    """The percentage (1–100) of ``geometry`` outside the concept's funding area by the test of
    ``outside_of`` (a point outside: 100); 0 where ``outside_of`` says nothing."""
    out = _outside(geometry, concept)
    if out is None:
        return 0
    part, whole, unit = out
    return 100 if unit is None else min(100, max(1, round(100 * part / whole)))


def outside_fraction(geometry, concept) -> float:
    """The fraction (0–1) of ``geometry`` outside the concept's funding area by the test of
    ``outside_of`` (a point outside: 1), unrounded; 0 where ``outside_of`` says nothing."""
    out = _outside(geometry, concept)
    return 0.0 if out is None else (1.0 if out[2] is None else out[0] / out[1])


def _outside(geometry, concept) -> tuple[float, float, str | None] | None:
    """(part outside, whole, unit "m²" or "m"; a point outside: unit None) of ``geometry`` against
    the concept's funding area, or None where it lies inside (parts below 1 m² or 1 m are drawing
    slivers) or either is missing."""
    g, area = geo.from_django(geometry), geo.from_django(concept.area)
    if g is None or area is None:
        return None
    if g.geom_type in ("Point", "MultiPoint"):
        return None if area.covers(g) else (1.0, 1.0, None)
    srid = concept.working_srid
    measure = geo.area_m2 if g.geom_type in ("Polygon", "MultiPolygon") else geo.length_m
    part = measure(g.difference(area), srid)
    if part < 1:
        return None
    return part, measure(g, srid), "m²" if measure is geo.area_m2 else "m"


# First parts of a path that belong to isek's own pages: no city's short name (its start page is /<slug>/)
RESERVED_CITY_SLUGS = {"about", "accounts", "admin", "api", "authorities", "cities", "concepts", "i18n", "jsi18n", "language",
                       "media", "ogc", "participation", "static"}


def city_slug_validator(value: str) -> None:
    if value.lower() in RESERVED_CITY_SLUGS:
        raise ValidationError(_("„%(v)s“ ist ein Teil der Adressen von isek selbst und kann kein Kurzname einer Stadt "
                                "sein."), params={"v": value}, code="reserved_slug")


def accent_validator(value: str) -> None:
    """An accent colour must be readable as text and links on white: at least 4.5:1 (WCAG 2.2, 1.4.3).
    A colour not written #RRGGBB has no ratio: the format's own validator says so, alone."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value or ""):
        return
    ratio = contrast_on_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _("Die Farbe %(c)s hat auf Weiß nur ein Kontrastverhältnis von %(r)s:1; nötig sind mindestens 4,5:1 "
              "(WCAG 2.2, Kriterium 1.4.3). Bitte eine dunklere Farbe wählen."),
            params={"c": value, "r": numbers.figure(int(ratio * 100) / 100, get_language(), 2)}, code="low_contrast")


class City(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel (AGS)"), max_length=8, unique=True, validators=[ags_validator]
    )
    slug = models.SlugField(_("Kurzname (Adresse der Startseite)"), max_length=60, unique=True, blank=True,
                            validators=[city_slug_validator],
                            help_text=_("Die Startseite der Stadt ist die Adresse / + Kurzname + /, z. B. /bochum/ für „bochum“; leer: aus dem Namen."))
    host = models.CharField(_("Eigener Hostname"), max_length=253, blank=True, default="",
                            validators=[RegexValidator(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                                                       _("Einen Hostnamen wie „isek.bochum.de“ angeben (Kleinbuchstaben, "
                                                         "ohne https:// und ohne Pfad)."))],
                            help_text=_("Optional: unter diesem Namen zeigt isek die Startseite der Stadt."))
    accent = models.CharField(_("Akzentfarbe"), max_length=7, blank=True, default="",
                              validators=[colour_validator, accent_validator],
                              help_text=_("#RRGGBB, mit mindestens 4,5:1 Kontrast auf Weiß; leer: die Farbe von isek."))
    logo = models.BinaryField(_("Logo (PNG)"), blank=True, default=b"", editable=False)
    logo_updated = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["host"], condition=~models.Q(host=""), name="city_host_unique")]
        verbose_name = _("Stadt")
        verbose_name_plural = _("Städte")

    def __str__(self):
        return self.name

    def clean(self):
        """The name and the AGS's Land agree where the name names a Land (decision 0078): a wrong key
        would silently give the wrong Land, its funding rules and its enforcement body."""
        from isek.core.laender import land_named_in

        self.name = " ".join((self.name or "").split())
        stored = type(self).objects.filter(pk=self.pk).values("name", "ags").first() if self.pk else None
        if stored is not None and " ".join(stored["name"].split()) == self.name and stored["ags"] == self.ags:
            return  # name and key unchanged: saving the look or the addresses is not refused for them
        namesake = self.namesake()
        if namesake is not None:
            raise ValidationError({"name": ValidationError(
                _("%(city)s hat in isek die AGS %(ags)s. Ist Ihre Gemeinde eine andere gleichen Namens, den Namen "
                  "mit seinem amtlichen Zusatz eintragen (z. B. „Neustadt an der Weinstraße“)."),
                params={"city": namesake.name, "ags": f"{namesake.ags[:2]} {namesake.ags[2:5]} {namesake.ags[5:]}"},
                code="name_of_other_city")})
        named = land_named_in(self.name)
        if named and land_of(self.ags) and named != self.ags[:2]:
            raise ValidationError({"ags": ValidationError(
                _("„%(n)s“ liegt in %(named)s, der Gemeindeschlüssel %(a)s beginnt aber mit %(p)s (%(land)s). Bitte den "
                  "Schlüssel prüfen: er bestimmt das Land, seine Förderregeln und die Durchsetzungsstelle."),
                params={"n": self.name, "named": LAENDER[named], "a": self.ags, "p": self.ags[:2], "land": land_of(self.ags)},
                code="land_differs")})

    @property
    def name_after_stadt(self) -> str:
        """The name as it follows "die Stadt …": "Stadt Speyer" gives "Speyer", so that no page says
        "Die Stadt Stadt Speyer" (decision 0084); "Stadtallendorf" and "Hansestadt Rostock" stay."""
        name = " ".join((self.name or "").split())
        return name[6:] if name.startswith("Stadt ") and len(name) > 6 else name

    def namesake(self) -> City | None:
        """Another city of this one's name, case and spaces aside (decision 0084): no two cities of an
        installation bear the same name – whichever form, service or Django's admin names them."""
        mine = " ".join((self.name or "").split()).casefold()
        if not mine:
            return None
        others = City.objects.exclude(pk=self.pk) if self.pk else City.objects.all()
        return next((c for c in others.only("name", "ags") if " ".join(c.name.split()).casefold() == mine), None)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = free_city_slug(self.name, self.ags)
        super().save(*args, **kwargs)

    def unique_error_message(self, model_class, unique_check):
        """isek's own words where a short name or AGS is taken (not Django's "… existiert bereits")."""
        if tuple(unique_check) == ("slug",):
            return ValidationError(_("Den Kurznamen „%(s)s“ hat schon eine andere Stadt; bitte einen anderen wählen."),
                                   params={"s": self.slug}, code="unique")
        if tuple(unique_check) == ("ags",):
            return ValidationError(_("Eine Stadt mit dem Gemeindeschlüssel %(a)s gibt es schon."), params={"a": self.ags},
                                   code="unique")
        return super().unique_error_message(model_class, unique_check)

    def validate_constraints(self, exclude=None):
        # the host name's constraint would answer "Bedingung „city_host_unique“ ist verletzt"
        if self.host and "host" not in (exclude or ()) and City.objects.filter(host=self.host).exclude(pk=self.pk).exists():
            raise ValidationError({"host": ValidationError(
                _("Den Hostnamen „%(h)s“ hat schon eine andere Stadt."), params={"h": self.host}, code="unique")})
        super().validate_constraints(exclude)

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_updated)

    @property
    def land_key(self) -> str:
        """The Land's two-digit key (the first two digits of the AGS), e.g. "05" for NRW."""
        return self.ags[:2]

    @property
    def land(self) -> str:
        return land_of(self.ags) or ""

    @property
    def working_srid(self) -> int:
        """The official CRS of the city's Land, in which its areas and lengths are computed."""
        return geo.official_srid(self.ags)


def free_city_slug(name: str, ags: str = "", taken=None) -> str:
    """A short name for a new city from its name ("Mülheim an der Ruhr" → "muelheim-an-der-ruhr"),
    with its AGS added where the name's is taken or reserved."""
    from django.utils.text import slugify

    base = slugify(name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
                   .replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue"))[:50] or "stadt"
    taken = set(City.objects.values_list("slug", flat=True)) if taken is None else taken
    for candidate in (base, f"{base}-{ags}" if ags else "", *(f"{base}-{n}" for n in range(2, 1000))):
        if candidate and candidate not in taken and candidate not in RESERVED_CITY_SLUGS:
            return candidate
    raise ValueError(name)


class CityRole(models.Model):
    """A person's role in one city: its administrator (invites and manages the people of its
    concepts, edits its legal texts and look, sees all its concepts), or one who may start concepts
    there (given by the city's administrator or the city's identity provider). Granted by the
    installation's administrator (administrator) or the city's (starter)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administration der Stadt")
        STARTER = "starter", _("darf Konzepte der Stadt anlegen")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="roles", verbose_name=_("Stadt"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_roles")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)

    class Meta:
        unique_together = [("city", "user", "role")]
        verbose_name = _("Rolle in einer Stadt")
        verbose_name_plural = _("Rollen in Städten")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.city}"


def district_prefix_validator(value: str) -> None:
    """An AGS prefix of a funding authority's district: 2 to 5 digits (the Land, the
    Regierungsbezirk, the Kreis), e.g. 059 for the Regierungsbezirk Arnsberg."""
    if not (value.isascii() and value.isdigit() and 2 <= len(value) <= 5):
        raise ValidationError(_("„%(v)s“ ist kein AGS-Präfix: nur Ziffern, 2 bis 5 Stellen (z. B. 059 für den "
                                "Regierungsbezirk Arnsberg)."), params={"v": value}, code="prefix")


class FundingAuthority(models.Model):
    """A funding authority (Bewilligungsbehörde: in NRW the Bezirksregierung, in Bayern the
    Regierung, in Sachsen the SAB) with its district: the cities whose AGS starts with one of its
    prefixes (decision 0050). Set up by the installation's administrator."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    land = models.CharField(_("Land"), max_length=2, choices=sorted(LAENDER.items()))
    source = models.TextField(_("Quelle"), blank=True, help_text=_("Woher der Bezirk stammt, z. B. das "
                                                                  "Gemeindeverzeichnis von Destatis."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("Bewilligungsbehörde")
        verbose_name_plural = _("Bewilligungsbehörden")

    def __str__(self):
        return self.name

    def unique_error_message(self, model_class, unique_check):
        """isek's own words where the name is taken (not Django's "… existiert bereits"; walk of Landshut)."""
        if tuple(unique_check) == ("name",):
            return ValidationError(_("Eine Bewilligungsbehörde mit diesem Namen gibt es schon: „%(n)s“. Bitte einen "
                                     "anderen Namen wählen; nichts wurde gespeichert."), params={"n": self.name},
                                   code="unique")
        return super().unique_error_message(model_class, unique_check)

    def serves(self, city: City) -> bool:
        return any(city.ags.startswith(p.prefix) for p in self.prefixes.all())


def ags_prefixes(ags: str) -> list[str]:
    """The prefixes of a district that contain ``ags``: its first 2, 3, 4 and 5 digits."""
    return [ags[:n] for n in range(2, 6)]


class AuthorityPrefix(models.Model):
    """One AGS prefix of an authority's district; no two authorities' prefixes overlap (checked by
    concepts.services.save_authority), so a city belongs to at most one authority."""

    authority = models.ForeignKey(FundingAuthority, on_delete=models.CASCADE, related_name="prefixes")
    prefix = models.CharField(_("AGS-Präfix"), max_length=5, unique=True, validators=[district_prefix_validator])

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("AGS-Präfix des Bezirks")
        verbose_name_plural = _("AGS-Präfixe des Bezirks")

    def __str__(self):
        return self.prefix


class AuthorityRole(models.Model):
    """A person on the staff of a funding authority (granted by the installation's administrator):
    they review what the cities of the district submit to it; of a concept they see nothing else
    than the public does (access.policy, Role.AUTHORITY)."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Prüfung der Bewilligungsbehörde")

    authority = models.ForeignKey(FundingAuthority, on_delete=models.CASCADE, related_name="staff",
                                  verbose_name=_("Bewilligungsbehörde"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authority_roles",
                             verbose_name=_("Person"))
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, default=Role.REVIEWER)

    class Meta:
        unique_together = [("authority", "user")]
        verbose_name = _("Rolle bei einer Bewilligungsbehörde")
        verbose_name_plural = _("Rollen bei Bewilligungsbehörden")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.authority}"


class Concept(models.Model):
    """An ISEK, i.e. the funded overall measure (Gesamtmaßnahme) with its funding area."""

    class Programme(models.TextChoices):
        LEBENDIGE_ZENTREN = "lebendige_zentren", _("Lebendige Zentren")
        SOZIALER_ZUSAMMENHALT = "sozialer_zusammenhalt", _("Sozialer Zusammenhalt")
        WACHSTUM_ERNEUERUNG = "wachstum_erneuerung", _("Wachstum und nachhaltige Erneuerung")
        OTHER = "other", _("anderes Programm")

    class LegalBasis(models.TextChoices):
        SANIERUNGSGEBIET = "baugb_142", _("Sanierungsgebiet (§ 142 BauGB)")
        ENTWICKLUNGSBEREICH = "baugb_165", _("Entwicklungsbereich (§ 165 BauGB)")
        STADTUMBAU = "baugb_171b", _("Stadtumbaugebiet (§ 171b BauGB)")
        SOZIALE_STADT = "baugb_171e", _("Gebiet Soziale Stadt (§ 171e BauGB)")
        ERHALTUNGSGEBIET = "baugb_172", _("Erhaltungsgebiet (§ 172 BauGB)")
        UNTERSUCHUNGSGEBIET = "baugb_141", _("Untersuchungsgebiet (§ 141 BauGB)")
        COUNCIL = "council", _("Ratsbeschluss")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        ADOPTED = "adopted", _("beschlossen")
        IN_PROGRESS = "in_progress", _("in Umsetzung")
        CLOSED = "closed", _("abgeschlossen")

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="concepts", verbose_name=_("Stadt"))
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname (URL)"), max_length=80, unique=True)
    programme = models.CharField(_("Förderprogramm"), max_length=40, choices=Programme.choices)
    legal_basis = models.CharField(_("Rechtsgrundlage des Gebiets"), max_length=20, choices=LegalBasis.choices)
    start_year = models.PositiveSmallIntegerField(_("Beginn (Jahr)"), validators=[MinValueValidator(1971), MaxValueValidator(2100)])
    end_year = models.PositiveSmallIntegerField(_("Ende (Jahr)"), validators=[MinValueValidator(1971), MaxValueValidator(2100)])
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    council_decision_date = models.DateField(_("Ratsbeschluss am"), null=True, blank=True)
    mission = models.TextField(_("Leitbild"), blank=True)
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    area = models.MultiPolygonField(_("Fördergebiet"), srid=geo.STORAGE_SRID, null=True, blank=True)
    area_name = models.CharField(_("Name des Fördergebiets"), max_length=200, blank=True)
    area_approximated = models.BooleanField(
        _("Abgrenzung angenähert"), default=False,
        help_text=_("Die Grenze ist eine Annäherung, nicht die beschlossene Abgrenzung."),
    )
    area_source = models.TextField(_("Quelle der Abgrenzung"), blank=True)
    is_public = models.BooleanField(_("öffentlich sichtbar"), default=False)

    class Meta:
        ordering = ["city__name", "name"]
        verbose_name = _("Konzept (Gesamtmaßnahme)")
        verbose_name_plural = _("Konzepte")

    def __str__(self):
        return self.name

    def audit_concept_id(self):
        return self.pk

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("Das Ende liegt vor dem Beginn.")})

    def get_absolute_url(self):
        return reverse("concepts:concept", args=[self.slug])

    @property
    def working_srid(self) -> int:
        """EPSG code of the official CRS of the city's Land (EPSG:25832 or 25833); by the area's
        longitude only while the concept has no city."""
        if self.city_id:
            return self.city.working_srid
        return geo.srid_of(geo.from_django(self.area))

    @property
    def area_m2(self) -> float:
        """Area of the funding area in m², in the official CRS of the Land (``working_srid``)."""
        return geo.area_m2(geo.from_django(self.area), self.working_srid)

    @property
    def area_km2(self) -> float:
        return self.area_m2 / 1e6


class ConceptRole(models.Model):
    """Permission of one user on one concept: planners edit, reviewers read and comment."""

    class Role(models.TextChoices):
        PLANNER = "planner", _("Planung (bearbeiten)")
        REVIEWER = "reviewer", _("Prüfung (lesen)")
        MODERATOR = "moderator", _("Moderation")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concept_roles")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)

    class Meta:
        unique_together = [("concept", "user")]
        verbose_name = _("Berechtigung")
        verbose_name_plural = _("Berechtigungen")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.concept}"


class Quarter(models.Model):
    """A sub-area (Teilraum) of the funding area: the coloured areas of a vision map."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="quarters")
    name = models.CharField(_("Name"), max_length=200)
    colour = models.CharField(_("Farbe"), max_length=7, default="#6f42c1", validators=[colour_validator])
    geometry = models.MultiPolygonField(_("Fläche"), srid=geo.STORAGE_SRID)
    description = models.TextField(_("Beschreibung"), blank=True)
    approximated = models.BooleanField(_("illustrativ / angenähert"), default=False)
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["name"]
        unique_together = [("concept", "name")]
        verbose_name = _("Teilraum")
        verbose_name_plural = _("Teilräume")

    def __str__(self):
        return self.name

    @property
    def area_m2(self) -> float:
        """Area in m², in the official CRS of the concept's Land."""
        return geo.area_m2(geo.from_django(self.geometry), self.concept.working_srid)

    @property
    def area_ha(self) -> float:
        return self.area_m2 / 10_000

    @property
    def outside(self) -> str:
        """How much of the quarter lies outside the funding area (``outside_of``); empty if none."""
        return outside_of(self.geometry, self.concept)


class FieldOfAction(models.Model):
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="fields_of_action")
    number = models.PositiveSmallIntegerField(_("Nr."))
    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("Name (englisch)"), max_length=200, blank=True)
    colour = models.CharField(_("Farbe"), max_length=7, validators=[colour_validator])
    description = models.TextField(_("Beschreibung"), blank=True)
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["number"]
        unique_together = [("concept", "number")]
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def label(self) -> str:
        """The name in the active language (English where given)."""
        return pick(self.name, self.name_en)


class Goal(models.Model):
    """A goal or sub-goal (a tree), each under a field of action."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="goals")
    field_of_action = models.ForeignKey(FieldOfAction, on_delete=models.CASCADE, related_name="goals", verbose_name=_("Handlungsfeld"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("Oberziel"))
    number = models.CharField(_("Nr."), max_length=20, validators=[number_validator])
    title = models.CharField(_("Ziel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    illustrative = models.BooleanField(_("illustrativ"), default=False)

    class Meta:
        ordering = ["number"]
        unique_together = [("concept", "number")]
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")

    def __str__(self):
        return f"{self.number} {self.title}"

    def clean(self):
        if self.field_of_action_id and self.concept_id and self.field_of_action.concept_id != self.concept_id:
            raise ValidationError(_("Das Handlungsfeld gehört zu einem anderen Konzept."))
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("Ein Ziel kann nicht sein eigenes Oberziel sein.")})
            seen.add(node.pk)
            node = node.parent


class Measure(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idee")
        PLANNED = "planned", _("geplant")
        PREPARATION = "preparation", _("in Vorbereitung")
        CONSTRUCTION = "construction", _("im Bau / in Umsetzung")
        COMPLETED = "completed", _("abgeschlossen")
        CANCELLED = "cancelled", _("entfallen")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("hoch")
        MEDIUM = 2, _("mittel")
        LOW = 3, _("niedrig")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="measures")
    number = models.CharField(_("Nr."), max_length=20, validators=[number_validator])
    sort_key = models.CharField(max_length=60, editable=False, db_index=True, default="")
    title = models.CharField(_("Titel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    geometry = models.GeometryField(_("Verortung"), srid=geo.STORAGE_SRID, null=True, blank=True)
    geometry_approximated = models.BooleanField(
        _("Verortung angenähert"), default=False,
        help_text=_("Lage oder Umriss sind angenähert, nicht aus einer Planunterlage."),
    )
    geometry_source = models.TextField(_("Quelle der Verortung"), blank=True)
    primary_field = models.ForeignKey(
        FieldOfAction, on_delete=models.RESTRICT, related_name="primary_measures", verbose_name=_("Handlungsfeld")
    )
    further_fields = models.ManyToManyField(
        FieldOfAction, blank=True, related_name="further_measures", verbose_name=_("weitere Handlungsfelder")
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="measures", verbose_name=_("Ziele"))
    priority = models.PositiveSmallIntegerField(_("Priorität"), choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    lead_body = models.CharField(_("Federführung"), max_length=200, blank=True)
    partners = models.TextField(_("Partner"), blank=True)
    start = models.DateField(_("Beginn"), null=True, blank=True)
    end = models.DateField(_("Ende"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("Fortschritt (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_illustrative = models.BooleanField(
        _("Fortschritt illustrativ"), default=False,
        help_text=_("Der Fortschritt ist eine illustrative Annahme, kein gemeldeter Stand."),
    )
    progress_weight = models.DecimalField(
        _("Gewicht im Fortschritt"), max_digits=14, decimal_places=2, null=True, blank=True,
        help_text=_("Leer: Gewicht aus den geplanten Kosten."),
    )
    estimated_cost = models.DecimalField(
        _("geschätzte Kosten (€)"), max_digits=14, decimal_places=2, null=True, blank=True,
    )
    figures_approximated = models.BooleanField(
        _("Zahlen illustrativ"), default=False,
        help_text=_("Kosten und Zahlen sind illustrativ, nicht aus einer Quelle."),
    )
    figures_source = models.TextField(_("Quelle der Zahlen"), blank=True)

    class Meta:
        ordering = ["concept", "sort_key"]
        unique_together = [("concept", "number")]
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("concepts:measure", args=[self.concept.slug, self.pk])

    def save(self, *args, **kwargs):
        self.sort_key = number_sort_key(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("Das Ende liegt vor dem Beginn.")
        if self.primary_field_id and self.concept_id and self.primary_field.concept_id != self.concept_id:
            errors["primary_field"] = _("Das Handlungsfeld gehört zu einem anderen Konzept.")
        if self.geometry is not None:
            if self.geometry.empty:
                errors["geometry"] = _("Die Geometrie ist leer.")
            elif not self.geometry.valid:
                errors["geometry"] = _("Die Geometrie ist ungültig: %(reason)s") % {"reason": self.geometry.valid_reason}
        if errors:
            raise ValidationError(errors)

    @property
    def quarters(self):
        """Quarters this measure lies in: always derived by spatial intersection."""
        if self.geometry is None:
            return Quarter.objects.none()
        return Quarter.objects.filter(concept_id=self.concept_id, geometry__intersects=self.geometry)

    @property
    def size(self) -> tuple[str, float] | None:
        """('area', m²) for polygons, ('length', m) for lines, None for points (official CRS of the Land)."""
        g = geo.from_django(self.geometry)
        if g is None:
            return None
        if g.geom_type in ("Polygon", "MultiPolygon"):
            return ("area", geo.area_m2(g, self.concept.working_srid))
        if g.geom_type in ("LineString", "MultiLineString"):
            return ("length", geo.length_m(g, self.concept.working_srid))
        return None

    @property
    def outside(self) -> str:
        """How much of the measure's location lies outside the funding area, as the measure page
        and the check "Was fehlt noch?" say it ("ca. 1.240 m² / 18 % außerhalb des Fördergebiets"),
        computed in the official CRS of the Land; empty when it lies inside (parts below 1 m² or
        1 m are drawing slivers), has no location or the concept no area."""
        return outside_of(self.geometry, self.concept)

    @property
    def outside_share(self) -> int:
        """The percentage of the measure's location outside the funding area (0: inside, or no
        location), by the same test as ``outside``: the KuF checks a grant to such a measure."""
        return outside_share(self.geometry, self.concept)

    @property
    def fields(self):
        """Primary field first, then the further ones."""
        return [self.primary_field] + [f for f in self.further_fields.all() if f.pk != self.primary_field_id]


class Milestone(models.Model):
    audit_parent = "measure"  # the change log files changes under this parent's concept
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("Meilenstein"), max_length=300)
    due = models.DateField(_("geplant"), null=True, blank=True)
    done = models.DateField(_("erreicht"), null=True, blank=True)
    source = models.TextField(_("Quelle"), blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("Meilenstein")
        verbose_name_plural = _("Meilensteine")

    def __str__(self):
        return self.title


class MeasureSource(models.Model):
    """A public source for a measure's facts, with its evidence grade."""
    audit_parent = "measure"  # the change log files changes under this parent's concept

    class Evidence(models.TextChoices):
        OFFICIAL = "official", _("amtlich")
        PRESS = "press", _("Presse")
        UNVERIFIED = "unverified", _("unbestätigt")
        ILLUSTRATIVE = "illustrative", _("illustrativ")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="sources")
    statement = models.TextField(_("Aussage"))
    url = models.URLField(_("Quelle (URL)"), max_length=500, blank=True)
    evidence = models.CharField(_("Beleg"), max_length=20, choices=Evidence.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("Quelle")
        verbose_name_plural = _("Quellen")

    def __str__(self):
        return self.statement[:80]
