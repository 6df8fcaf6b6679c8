from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ExternalIdentity, GroupRole, IdentityProvider, LoginEvent


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """The login log: every attempt, for administrators to read and filter (it cannot be edited)."""

    list_display = ("timestamp", "username", "user", "success", "blocked", "client_key")
    list_filter = ("success", "blocked", "timestamp")
    search_fields = ("username", "client_key")
    date_hierarchy = "timestamp"
    readonly_fields = [f.name for f in LoginEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IdentityProviderForm(forms.ModelForm):
    """The client secret is written, never shown: left empty on a change, the stored one stays. A
    new or changed issuer is checked as on the city's page (``services.read_discovery``, decision
    0078): refused where its discovery document cannot be read, unless "Trotzdem speichern" is
    ticked; never one that names another issuer. The admin is the installation's: it reads why."""

    issuer = forms.CharField(label=IdentityProvider._meta.get_field("issuer").verbose_name, max_length=500,
                            help_text=IdentityProvider._meta.get_field("issuer").help_text)
    client_secret = forms.CharField(label=_("Client-Geheimnis"), required=False, strip=True,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                                    help_text=_("Wird verschlüsselt gespeichert und nie wieder angezeigt; leer lassen, "
                                                "um das gespeicherte zu behalten."))
    unchecked = forms.BooleanField(
        label=_("Trotzdem speichern: der Anbieter ist von hier aus noch nicht erreichbar"), required=False,
        help_text=_("Nur nötig, wenn isek die Beschreibung des Anbieters (/.well-known/openid-configuration) nicht "
                    "lesen kann, zum Beispiel solange die Firewall isek noch nicht durchlässt."))

    class Meta:
        model = IdentityProvider
        fields = ["name", "city", "issuer", "client_id", "client_secret", "scopes", "groups_claim", "enabled", "unchecked"]
        help_texts = {"scopes": _("Durch Leerzeichen getrennt; „openid“ wird immer angefragt. Manche Anbieter senden "
                                  "die Gruppen nur, wenn der Scope „groups“ angefragt wird: dann „groups“ ergänzen.")}

    def clean_issuer(self):
        return services.checked_issuer(self.cleaned_data["issuer"])

    def clean(self):
        data = super().clean()
        issuer = data.get("issuer")
        if issuer and issuer != self.instance.issuer:
            try:
                services.read_discovery(issuer, detail=True)
            except ValidationError as exc:
                problem = exc.error_dict["issuer"][0]
                if not (data.get("unchecked") and problem.code == "issuer_unreachable"):
                    self.add_error("issuer", problem)
        return data

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and not self.instance.client_secret_encrypted:
            raise forms.ValidationError(_("Bitte das Client-Geheimnis angeben, das der Anbieter für isek ausgestellt hat."))
        return secret

    def save(self, commit=True):
        if self.cleaned_data.get("client_secret"):
            self.instance.set_secret(self.cleaned_data["client_secret"])
        return super().save(commit)


class GroupRoleInline(admin.TabularInline):
    model = GroupRole
    extra = 1


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """A city's identity provider and its mapping of groups to isek's roles (decision 0042). The
    address to register at the provider as redirect URI: https://<host>/accounts/oidc/callback/."""

    form = IdentityProviderForm
    inlines = [GroupRoleInline]
    list_display = ("name", "city", "issuer", "client_id", "enabled")
    list_filter = ("enabled", "city")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("provider", "subject", "user", "last_login")
    list_filter = ("provider",)
    search_fields = ("subject", "user__username")
    readonly_fields = ("provider", "subject", "user", "granted", "last_login")

    def has_add_permission(self, request):
        return False
