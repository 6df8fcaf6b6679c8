from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeodataConfig(AppConfig):
    name = "isek.geodata"
    label = "geodata"
    verbose_name = _("Referenzebenen")

    def ready(self):
        from isek.core.audit import track

        from .models import ReferenceLayer

        track(ReferenceLayer)
