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

        from isek.concepts.services import base_map_extent

        from .services import base_map_extent as extent_of

        # the doubts about a new funding area ask for the city's base map's extent (decision 0066)
        base_map_extent.connect(lambda sender, city, **kw: extent_of(city), weak=False,
                                dispatch_uid="geodata.base_map_extent")
