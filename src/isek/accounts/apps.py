from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "isek.accounts"
    label = "accounts"
    verbose_name = _("Zugänge")

    def ready(self):
        from isek.concepts.services import concept_created
        from isek.core import audit

        from . import models, security, services  # noqa: F401  (security: the login log's signal receivers)

        audit.track(models.IdentityProvider, models.GroupRole)  # who set up which sign-in (the secret left out)
        concept_created.connect(services.give_city_wide_roles, dispatch_uid="isek.accounts.concept_created")
