from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "isek.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring und Berichte")

    def ready(self):
        from isek.core import audit

        from . import models

        audit.track(models.Indicator, models.Payment, models.ReportText, models.MonitoringMapping,
                    models.YearNote)
