from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "isek.legal"
    label = "legal"
    verbose_name = _("Rechtliche Seiten")

    def ready(self):
        from isek.core import audit

        from . import models

        audit.track(models.LegalTexts)  # not Feedback: personal data stays out of the change history
