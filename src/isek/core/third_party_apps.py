"""German names for the models of third-party apps that the Django admin lists (decision 0097):
django-otp's devices of the second factor and django-tasks' results. The packages name them in
English without gettext; these AppConfig subclasses stand for them in INSTALLED_APPS (same name
and label, so their migrations and tables stay) and give the apps and models translatable names.
Only ``_meta`` is set, not the models' Meta: the migrations' state sees no change."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpConfig
from django_tasks_db.apps import TasksAppConfig as TasksDatabaseConfig


def _name(app_label: str, model: str, singular, plural) -> None:
    meta = apps.get_model(app_label, model)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural


class OtpTotpConfig(TotpConfig):
    verbose_name = _("Zweiter Faktor: Authenticator-Apps")

    def ready(self):
        super().ready()
        _name(self.label, "TOTPDevice", _("Authenticator-App (TOTP)"), _("Authenticator-Apps (TOTP)"))


class OtpStaticConfig(StaticConfig):
    verbose_name = _("Zweiter Faktor: Ersatzcodes")

    def ready(self):
        super().ready()
        _name(self.label, "StaticDevice", _("Satz Ersatzcodes"), _("Sätze Ersatzcodes"))
        _name(self.label, "StaticToken", _("Ersatzcode"), _("Ersatzcodes"))


class TasksDatabaseAppConfig(TasksDatabaseConfig):
    verbose_name = _("Hintergrundaufgaben")

    def ready(self):
        super().ready()
        _name(self.label, "DBTaskResult", _("Hintergrundaufgabe (Ergebnis)"), _("Hintergrundaufgaben (Ergebnisse)"))
