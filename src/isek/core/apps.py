from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "isek.core"
    label = "core"
    verbose_name = _("Allgemeines")  # the admin's caption of the change history (decision 0097)
