"""Platform glue: analysis runs of a concept (background jobs with progress) and the dated
indicator values they store. Every run keeps its extract, data date and values; one finished run
is the concept's current analysis (reports and indicators use it), chosen by the planner (a run
that finishes becomes current). Earlier runs add the older points of the time series."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isek.core.models import BackgroundJob


class AnalysisRun(BackgroundJob):
    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="analysis_runs")
    extract = models.CharField(_("OSM-Extrakt"), max_length=500, blank=True)
    city_layers = models.BooleanField(_("städtische Ebenen"), default=True)
    data_date = models.DateField(_("Datenstand"), null=True, blank=True)
    is_current = models.BooleanField(_("aktuelle Analyse"), default=False)
    # the run failed on its extract (no data in the area): running it again cannot help
    refused = models.BooleanField(default=False)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("Analyselauf")
        verbose_name_plural = _("Analyseläufe")
        constraints = [models.UniqueConstraint(fields=["concept"], condition=models.Q(is_current=True),
                                               name="analysis_one_current_run")]

    def __str__(self):
        return f"{self.concept} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.status}"

    @property
    def retryable(self) -> bool:
        return super().retryable and not self.refused

    @property
    def extract_name(self) -> str:
        return self.extract.rsplit("/", 1)[-1]


class IndicatorValue(models.Model):
    """One indicator of one area (the funding area, or a quarter) at one date."""

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="indicator_values")
    quarter = models.ForeignKey("concepts.Quarter", null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values")
    run = models.ForeignKey(AnalysisRun, null=True, blank=True, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=60, db_index=True)
    value = models.FloatField(null=True)
    date = models.DateField(_("Datum"))
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    # why a value of a run is not available although its inputs were there (German, as run
    # messages): the extract holds none of the objects the indicator counts in the area
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("Indikatorwert")
        verbose_name_plural = _("Indikatorwerte")
