from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "isek.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring und Berichte")

    def ready(self):
        from isek.concepts.services import structure_copied
        from isek.core import audit

        from . import models, services

        audit.track(models.Indicator, models.Payment, models.ReportText, models.MonitoringMapping,
                    models.YearNote)
        structure_copied.connect(services.copy_catalogue_along, dispatch_uid="isek.monitoring.structure_copied")
