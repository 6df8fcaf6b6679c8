"""Invitations: an administrator invites a person by e-mail; the link in the mail lets them set
their own password once. Only a hash of the token is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    email = models.EmailField(_("E-Mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    may_start_concepts = models.BooleanField(_("darf Konzepte anlegen"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")

    def __str__(self):
        return self.email

    @property
    def open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class LoginEvent(models.Model):
    """One attempt to sign in: who (as typed), whether it succeeded or was refused for too many
    failures, when, and a daily HMAC of the client's address (no address is kept)."""

    timestamp = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    username = models.CharField(_("Benutzername (eingegeben)"), max_length=150, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name=_("Benutzer"))
    success = models.BooleanField(_("erfolgreich"))
    blocked = models.BooleanField(_("wegen zu vieler Fehlversuche abgewiesen"), default=False)
    client_key = models.CharField(_("Anschluss (Tagesschlüssel)"), max_length=32, blank=True)

    class Meta:
        ordering = ["-timestamp"]
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.username} {'ok' if self.success else 'fehlgeschlagen'}"
