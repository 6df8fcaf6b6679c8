from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "isek.api"
    label = "api"
    verbose_name = _("Schnittstellen")
    default_auto_field = "django.db.models.BigAutoField"
