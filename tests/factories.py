"""Small factories for unit and integration tests: a concept in any city without the Bochum demo.

Geometries are WGS84; ``square(lon, lat, side_m)`` makes a square of about ``side_m`` metres.
"""

from __future__ import annotations

import math

import factory
import shapely
from django.contrib.auth import get_user_model

from isek.concepts import models as cm
from isek.core import geo


def square(lon: float, lat: float, side_m: float = 500.0) -> shapely.Polygon:
    dlat = side_m / 111_320
    dlon = side_m / (111_320 * math.cos(math.radians(lat)))
    return shapely.box(lon, lat, lon + dlon, lat + dlat)


def multipolygon(poly) -> object:
    return geo.to_django(shapely.MultiPolygon([poly]))


def legal_texts_filled(city=None) -> None:
    """``city``'s (None: the installation's) Impressum and privacy controller filled in, as the
    administration would: a public participation phase may then be opened (decision 0045)."""
    from isek.legal.models import LegalTexts

    name = f"Stadt {city.name}" if city else "Betreiber der Installation"
    LegalTexts.objects.update_or_create(city=city, defaults={
        "prepared_on": "2026-01-01", "easy_de": "Text", "easy_en": "Text", "imprint_body": name,
        "privacy_controller": f"{name}, Rathaus", "privacy_dpo": "datenschutz@stadt.example"})


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-test-123")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.City
        django_get_or_create = ("ags",)

    name = "Musterstadt"
    # district part 10–99 (never 00: no municipality's key, decision 0086)
    ags = factory.Sequence(lambda n: f"050{n // 1000 % 90 + 10:02d}{n % 1000:03d}")


class ConceptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Concept

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"ISEK Innenstadt {n}")
    slug = factory.Sequence(lambda n: f"isek-{n}")
    programme = cm.Concept.Programme.LEBENDIGE_ZENTREN
    legal_basis = cm.Concept.LegalBasis.SANIERUNGSGEBIET
    start_year = 2024
    end_year = 2032
    is_public = True
    area = factory.LazyFunction(lambda: multipolygon(square(7.21, 51.48)))


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.FieldOfAction

    concept = factory.SubFactory(ConceptFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Handlungsfeld {n + 1}")
    colour = "#1565c0"


class QuarterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Quarter

    concept = factory.SubFactory(ConceptFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")
    geometry = factory.LazyAttribute(lambda o: o.concept.area)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Measure

    concept = factory.SubFactory(ConceptFactory)
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Maßnahme {n + 1}")
    primary_field = factory.LazyAttribute(lambda o: FieldFactory(concept=o.concept))
    geometry = factory.LazyAttribute(lambda o: o.concept.area.centroid if o.concept.area else None)


def member(concept, role: str, username: str | None = None):
    """A user with ``role`` (planner, reviewer, moderator) on ``concept``."""
    user = UserFactory(username=username) if username else UserFactory()
    cm.ConceptRole.objects.create(concept=concept, user=user, role=role)
    return user


def city_admin(city, username: str | None = None):
    """A user who administers ``city`` (concepts.CityRole "admin", decision 0046)."""
    user = UserFactory(username=username) if username else UserFactory()
    cm.CityRole.objects.create(city=city, user=user, role=cm.CityRole.Role.ADMIN)
    return user


def authority_staff(prefix: str, name: str | None = None, username: str | None = None):
    """A reviewer of a funding authority whose district is ``prefix`` (decision 0050)."""
    known = cm.AuthorityPrefix.objects.filter(prefix=prefix).select_related("authority").first()
    authority = known.authority if known else cm.FundingAuthority.objects.create(
        name=name or f"Bewilligungsbehörde {prefix}", land=prefix[:2])
    if not known:
        cm.AuthorityPrefix.objects.create(authority=authority, prefix=prefix)
    user = UserFactory(username=username) if username else UserFactory()
    cm.AuthorityRole.objects.create(authority=authority, user=user)
    return user


def district_of(city):
    """A funding authority whose district holds ``city`` (its AGS's first three digits), set up
    where none is: without one its applications cannot be submitted (decision 0085)."""
    from isek.concepts.services import authority_of

    found = authority_of(city)
    if found is None:
        found = cm.FundingAuthority.objects.create(name=f"Bewilligungsbehörde {city.ags[:3]}", land=city.ags[:2])
        cm.AuthorityPrefix.objects.create(authority=found, prefix=city.ags[:3])
    return found


def png(width: int = 40, height: int = 20, colour=(0, 75, 135)) -> bytes:
    """A real PNG image (Pillow)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


PNG = png()
