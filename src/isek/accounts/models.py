"""Invitations: an administrator – of the installation, or of a city into that city – invites a
person by e-mail; the link in the mail lets them set their own password once. Only a hash of the
token is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    email = models.EmailField(_("E-Mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    may_start_concepts = models.BooleanField(_("darf Konzepte anlegen"), default=True)
    city = models.ForeignKey("concepts.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("Stadt"), help_text=_("Leer: für die ganze Installation."))
    city_admin = models.BooleanField(_("Administration der Stadt"), default=False)
    # an invitation onto a funding authority's staff (decision 0070): accepted, it grants the role
    authority = models.ForeignKey("concepts.FundingAuthority", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("Bewilligungsbehörde"))
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
        return f"{timezone.localtime(self.timestamp):%Y-%m-%d %H:%M} {self.username} {'ok' if self.success else 'fehlgeschlagen'}"


class IdentityProvider(models.Model):
    """A city's (or the installation's) identity provider, through which staff sign in with
    OpenID Connect (accounts.oidc, decision 0042). The client secret is kept encrypted with a key
    derived from ISEK_SECRET_KEY and never shown again."""

    name = models.CharField(_("Name des Anbieters"), max_length=100,
                            help_text=_("Auf der Anmeldeseite steht „Mit (Name des Anbieters) anmelden“, z. B. „Mit Stadt Bochum (Keycloak) anmelden“."))
    city = models.ForeignKey("concepts.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("Stadt"), help_text=_("Leer: für die ganze Installation."))
    issuer = models.URLField(_("Aussteller (Issuer)"), max_length=500,
                             help_text=_("Die Adresse des Anbieters mit https://, z. B. https://login.stadt.example/realms/stadt; isek liest "
                                         "dort /.well-known/openid-configuration."))
    client_id = models.CharField(_("Client-ID"), max_length=255)
    client_secret_encrypted = models.TextField(editable=False, blank=True)
    scopes = models.CharField(_("Scopes"), max_length=255, default="openid profile email",
                              help_text=_("Durch Leerzeichen getrennt; „openid“ wird immer angefragt."))
    groups_claim = models.CharField(_("Anspruch (Claim) mit den Gruppen"), max_length=100, default="groups",
                                    help_text=_("Keycloak: groups, ADFS: group oder role, Entra ID: groups oder roles."))
    enabled = models.BooleanField(_("aktiv"), default=True)
    # the last sign-in the provider refused for isek's own settings (invalid_client at its token
    # endpoint: a wrong client secret or ID), for the city's administration (decision 0090)
    last_error = models.CharField(_("Letzter Fehler der Einrichtung"), max_length=300, blank=True, default="", editable=False)
    last_error_at = models.DateTimeField(_("Zeitpunkt des letzten Fehlers"), null=True, blank=True, editable=False)
    audit_hidden = ("client_secret_encrypted", "last_error", "last_error_at")

    class Meta:
        ordering = ["name"]
        verbose_name = _("Identitätsanbieter (OpenID Connect)")
        verbose_name_plural = _("Identitätsanbieter (OpenID Connect)")

    def __str__(self):
        return self.name

    @property
    def discovery_url(self) -> str:
        issuer = self.issuer.rstrip("/")
        return issuer if issuer.endswith("/.well-known/openid-configuration") else issuer + "/.well-known/openid-configuration"

    @property
    def scope(self) -> str:
        names = self.scopes.split()
        return " ".join(["openid", *(n for n in dict.fromkeys(names) if n != "openid")])

    def set_secret(self, secret: str) -> None:
        self.client_secret_encrypted = _fernet().encrypt(secret.encode()).decode()

    def secret(self) -> str:
        """The client secret; cryptography.fernet.InvalidToken where ISEK_SECRET_KEY changed since."""
        return _fernet().decrypt(self.client_secret_encrypted.encode()).decode() if self.client_secret_encrypted else ""


def _fernet():
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    key = hashlib.sha256(b"isek identity provider secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class GroupRole(models.Model):
    """One line of a provider's mapping: members of ``group`` get ``role`` – on ``concept``, or,
    left empty, on every concept of the provider's city. Nothing else gives a role."""

    class Role(models.TextChoices):
        STARTER = "starter", _("darf Konzepte anlegen")
        PLANNER = "planner", _("Planung (bearbeiten)")
        REVIEWER = "reviewer", _("Prüfung (lesen)")
        MODERATOR = "moderator", _("Moderation")

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="mappings")
    group = models.CharField(_("Gruppe"), max_length=255, help_text=_("Genau wie im Anspruch des Anbieters."))
    role = models.CharField(_("Rolle in isek"), max_length=20, choices=Role.choices)
    concept = models.ForeignKey("concepts.Concept", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("Konzept"), help_text=_("Leer: jedes Konzept der Stadt des Anbieters."))

    class Meta:
        ordering = ["group", "role"]
        verbose_name = _("Zuordnung Gruppe → Rolle")
        verbose_name_plural = _("Zuordnungen Gruppe → Rolle")

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role == self.Role.STARTER and self.concept_id:
            raise ValidationError({"concept": _("„Darf Konzepte anlegen“ gilt für kein einzelnes Konzept: bitte leer lassen.")})
        # the provider may not be saved yet (the admin's add form checks its lines before): the one in hand counts
        provider = self.provider if self.provider_id or GroupRole.provider.is_cached(self) else None
        if self.role != self.Role.STARTER and not self.concept_id and provider is not None and provider.city_id is None:
            raise ValidationError({"concept": _("Der Anbieter gehört zu keiner Stadt: bitte ein Konzept wählen.")})
        if self.concept_id and provider is not None and provider.city_id and self.concept.city_id != provider.city_id:
            raise ValidationError({"concept": _("Das Konzept gehört nicht zur Stadt des Anbieters.")})


class ExternalIdentity(models.Model):
    """A person as the identity provider knows them (its ``sub``), and the roles its mapping gave
    them at their last sign-in (taken back when the mapping no longer gives them)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    granted = models.JSONField(default=dict, blank=True)  # {"concepts": {"<id>": "<role>"}, "starter": bool}
    last_login = models.DateTimeField(null=True, blank=True)

    class Meta:
        unique_together = [("provider", "subject")]
        verbose_name = _("Anmeldung über einen Identitätsanbieter")
        verbose_name_plural = _("Anmeldungen über Identitätsanbieter")

    def __str__(self):
        return f"{self.provider}: {self.subject} → {self.user}"


class CitizenAccount(models.Model):
    """A citizen's own account (decision 0078): signed up with an e-mail address and a password,
    for the participation's supports that need an account. It gives no role; it is usable once the
    link mailed to the address was opened (``confirmed_at``; until then the user is inactive). What
    isek keeps of the person is the address, an optional display name and the password's hash –
    not in the change history; deleting the account removes them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen")
    display_name = models.CharField(_("Anzeigename"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Bürgerkonto")
        verbose_name_plural = _("Bürgerkonten")

    def __str__(self):
        return self.display_name or str(self.pk)
