from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "isek.legal"
    label = "legal"
    verbose_name = _("Rechtliche Seiten")

    def ready(self):
        from isek.concepts.services import city_ags_corrected
        from isek.core import audit

        from . import models, services

        audit.track(models.LegalTexts)  # not Feedback: personal data stays out of the change history
        city_ags_corrected.connect(services.follow_corrected_ags, dispatch_uid="isek.legal.city_ags_corrected")
