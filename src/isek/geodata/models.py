"""Reference layers per city: schools, stops, districts, transit routes, anything a city supplies.

A layer is a record (city, names, kind, style, licence, attribution) with its file and checksum.
Uploaded layers are stored once as RFC 7946 GeoJSON (WGS84) in the installation's layer store;
layers registered from a data directory (the demo's real open data) keep their original file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from isek.core import osmtime
from isek.core.i18n import pick
from isek.core.models import JobState
from isek.core.rules import colour_validator


class ReferenceLayer(models.Model):
    class Kind(models.TextChoices):
        POINT = "point", _("Punkte")
        LINE = "line", _("Linien")
        POLYGON = "polygon", _("Flächen")

    class Storage(models.TextChoices):
        UPLOAD = "upload", _("hochgeladen (Ebenenspeicher)")
        DATA = "data", _("Datenverzeichnis (Datenmanifest)")

    class AnalysisInput(models.TextChoices):
        NONE = "", _("keine")
        STOPS = "stops", _("Haltestellen")
        SCHOOLS = "schools", _("Schulen")
        DAYCARE = "daycare", _("Kitas")
        PLAYGROUNDS = "playgrounds", _("Spielplätze")
        HERITAGE = "heritage", _("Denkmäler, Gedenkorte")
        TREES = "trees", _("Bäume")

    city = models.ForeignKey("concepts.City", on_delete=models.CASCADE, related_name="reference_layers", verbose_name=_("Stadt"))
    name = models.SlugField(_("Kurzname"), max_length=60)
    label_de = models.CharField(_("Name (deutsch)"), max_length=200)
    label_en = models.CharField(_("Name (englisch)"), max_length=200, blank=True)
    kind = models.CharField(_("Geometrieart"), max_length=10, choices=Kind.choices)
    colour = models.CharField(_("Farbe"), max_length=7, validators=[colour_validator], default="#555555")
    basemap = models.BooleanField(_("als Hintergrund zeichnen"), default=False,
                                  help_text=_("Unter Fördergebiet und Maßnahmen, z. B. Bezirksgrenzen oder Linien."))
    analysis_input = models.CharField(_("Eingang der Bestandsanalyse"), max_length=20, blank=True,
                                      choices=AnalysisInput.choices, default="")
    name_field = models.CharField(_("Namensfeld"), max_length=60, blank=True)
    licence = models.CharField(_("Lizenz"), max_length=60)
    attribution = models.CharField(_("Namensnennung"), max_length=300)
    storage = models.CharField(max_length=10, choices=Storage.choices, default=Storage.UPLOAD, editable=False)
    path = models.CharField(max_length=500, editable=False)  # relative to the layer store or a data directory
    sha256 = models.CharField(max_length=64, editable=False)
    size_bytes = models.PositiveBigIntegerField(default=0, editable=False)
    feature_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["city__name", "-basemap", "label_de"]
        unique_together = [("city", "name")]
        verbose_name = _("Referenzebene")
        verbose_name_plural = _("Referenzebenen")

    def __str__(self):
        return f"{self.label_de} ({self.city})"

    @property
    def label(self) -> str:
        """The name in the active language (English where given)."""
        return pick(self.label_de, self.label_en)


class BaseMap(JobState):
    """A city's offline base map: vector tiles (MBTiles) built by isek from its OSM extract.

    One per city; a new build replaces the previous one when it has succeeded.
    """

    city = models.OneToOneField("concepts.City", on_delete=models.CASCADE, related_name="base_map", verbose_name=_("Stadt"))
    extract = models.CharField(_("Extrakt"), max_length=500)  # the uploaded or given .osm.pbf (absolute path)
    extract_name = models.CharField(max_length=200)
    extract_date = models.CharField(max_length=40, blank=True)  # the data's time (isek.core.osmtime), ISO 8601
    path = models.CharField(max_length=500, blank=True)  # the MBTiles file, relative to the base-map store
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    tiles = models.PositiveIntegerField(default=0)
    bounds = models.JSONField(default=list, blank=True)  # [min lon, min lat, max lon, max lat]
    minzoom = models.PositiveSmallIntegerField(default=10)
    maxzoom = models.PositiveSmallIntegerField(default=14)
    attribution = models.CharField(max_length=300, default="© OpenStreetMap contributors, ODbL 1.0")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)

    @property
    def extract_day(self):
        """The day of the extract's data, None when unknown."""
        return osmtime.day(self.extract_date)

    # what a retry needs: the concept whose area it was cut to, and whether its analysis follows
    concept = models.ForeignKey("concepts.Concept", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    analyse = models.BooleanField(default=False)
    # the build failed on the extract itself (not a .osm.pbf, damaged, empty, far from the area):
    # building again from the same file cannot help, so no retry is offered
    refused = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Grundkarte")
        verbose_name_plural = _("Grundkarten")

    def __str__(self):
        return f"{_('Grundkarte')} {self.city}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def retryable(self) -> bool:
        return super().retryable and not self.refused

    @property
    def ready(self) -> bool:
        """Tiles are there to draw (also while a rebuild runs)."""
        return bool(self.path) and self.tiles > 0


class Extract(models.Model):
    """An OpenStreetMap extract that belongs to a city: uploaded for it (the base map's source),
    named from a data directory by an operator, or the city's extract cut to one concept's area
    (``concept``). The analysis of the city's concepts offers these, and only these."""

    city = models.ForeignKey("concepts.City", on_delete=models.CASCADE, related_name="extracts", verbose_name=_("Stadt"))
    concept = models.ForeignKey("concepts.Concept", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("Konzept"))  # a cut to this concept's area, offered only there
    path = models.CharField(max_length=500)  # absolute
    name = models.CharField(_("Name"), max_length=200)
    bbox = models.JSONField(default=list, blank=True)  # [min lon, min lat, max lon, max lat] of its data
    data_date = models.CharField(_("Datenstand"), max_length=40, blank=True)  # newest object (ISO 8601)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["city", "path"], name="geodata_extract_city_path")]
        verbose_name = _("OSM-Extrakt")
        verbose_name_plural = _("OSM-Extrakte")

    def __str__(self):
        return f"{self.name} ({self.city})"
