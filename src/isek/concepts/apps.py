from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConceptsConfig(AppConfig):
    name = "isek.concepts"
    label = "concepts"
    verbose_name = _("Konzepte")

    def ready(self):
        from isek.core import audit

        from . import models

        audit.track(
            models.City, models.CityRole, models.Concept, models.ConceptRole, models.Quarter,
            models.FieldOfAction, models.Goal, models.Measure, models.Milestone,
            models.MeasureSource, models.FundingAuthority, models.AuthorityPrefix, models.AuthorityRole,
        )
