from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.gis import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import AgsField
from .models import (
    AuthorityRole,
    City,
    CityRole,
    Concept,
    ConceptRole,
    FieldOfAction,
    FundingAuthority,
    Goal,
    Measure,
    MeasureSource,
    Milestone,
    Quarter,
)


class RoleInline(admin.TabularInline):
    model = ConceptRole
    extra = 1
    autocomplete_fields = ["user"]


PLEASE_CHOOSE = _("– bitte wählen –")


class CityRoleInline(admin.TabularInline):
    """A city's administrators; the empty row's selects say what to do, not "---------"."""

    model = CityRole
    extra = 1
    # a search for the account, not a select of every account of the installation (decision 0086)
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["empty_label"] = PLEASE_CHOOSE
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        kwargs["choices"] = db_field.get_choices(blank_choice=[("", PLEASE_CHOOSE)])
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class CityAdminForm(forms.ModelForm):
    """The AGS as it is printed ("15 085 135") is read as its 8 digits (the model's field is 8
    characters wide and cut what was pasted)."""

    ags = AgsField()

    class Meta:
        model = City
        exclude = ("accent",)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    """Cities; their look (logo, colour) is set on the city's administration page (checked there)."""

    form = CityAdminForm
    list_display = ("name", "ags", "slug", "host")
    search_fields = ("name", "ags", "slug")
    exclude = ("accent",)
    inlines = [CityRoleInline]


@admin.register(Concept)
class ConceptAdmin(admin.GISModelAdmin):
    list_display = ("name", "city", "programme", "status", "is_public")
    list_filter = ("programme", "status", "is_public")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [RoleInline]
    # The admin's map widget would load tiles from the internet; planners edit geometries on
    # the concept pages (offline map) or by import instead.
    exclude = ("area",)


@admin.register(ConceptRole)
class ConceptRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "concept", "role")
    list_filter = ("role", "concept")


@admin.register(FieldOfAction)
class FieldOfActionAdmin(admin.ModelAdmin):
    list_display = ("concept", "number", "name", "colour")
    list_filter = ("concept",)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("concept", "number", "title", "field_of_action", "parent")
    list_filter = ("concept",)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class SourceInline(admin.TabularInline):
    model = MeasureSource
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """Measures; one is deleted only through ``services.delete_measure``, which refuses a measure the
    funding procedure holds (decision 0095): the delete page says why instead of asking, and there is
    no deletion of many at once, which would pass the service by (decision 0104)."""

    list_display = ("concept", "number", "title", "primary_field", "status")
    list_filter = ("concept", "status")
    search_fields = ("title", "number")
    exclude = ("geometry",)
    inlines = [MilestoneInline, SourceInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        measure = self.get_object(request, unquote(object_id))
        if measure is not None and (held := services.measure_held(measure)):
            self.message_user(request, services.held_refusal(measure, held), messages.ERROR)
            return redirect(reverse("admin:concepts_measure_change", args=[measure.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        try:
            services.delete_measure(request.user, obj.concept, obj, via="admin")
        except ValidationError as exc:  # held since the confirmation page was shown
            raise PermissionDenied(" ".join(exc.messages)) from None


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ("concept", "name", "colour", "approximated")
    exclude = ("geometry",)


class AuthorityForm(forms.ModelForm):
    """A funding authority with its district written as one field ("059" or "051, 053")."""

    prefixes = forms.CharField(
        label=_("AGS-Präfixe des Bezirks"), max_length=200,
        help_text=_("Die Anfänge der Gemeindeschlüssel (AGS) der Städte, für die die Behörde zuständig ist: "
                    "2 bis 5 Ziffern, mehrere durch Komma getrennt; z. B. 059 für den Regierungsbezirk Arnsberg."))
    confirm_narrowing = forms.BooleanField(
        required=False, label=_("Ja, diese Anträge fallen aus dem Bezirk – trotzdem speichern"),
        help_text=_("Nur nötig, wenn Städte mit eingereichten oder bewilligten Anträgen aus dem Bezirk fallen."))

    class Meta:
        model = FundingAuthority
        fields = ["name", "land", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["prefixes"] = ", ".join(self.instance.prefixes.values_list("prefix", flat=True))

    def clean(self):
        cleaned = super().clean()
        if "prefixes" in cleaned and "land" in cleaned:
            cleaned["prefix_list"] = services.district_prefixes(cleaned["prefixes"])
            # the instance gets the form's values only after clean(): ask with the Land chosen
            authority = FundingAuthority(pk=self.instance.pk, land=cleaned["land"])
            for problem in services.district_problems(authority, cleaned["prefix_list"]):
                self.add_error("prefixes", problem)
            if not self.errors and not cleaned.get("confirm_narrowing") and (
                    leaving := services.district_leaving(self.instance, cleaned["prefix_list"])):
                self.add_error("confirm_narrowing", leaving)  # asked, as on the authority's page (decision 0095)
        return cleaned


class AuthorityRoleInline(admin.TabularInline):
    model = AuthorityRole
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(FundingAuthority)
class FundingAuthorityAdmin(admin.ModelAdmin):
    """Funding authorities (decision 0050): the installation's administrator only (access.SITE_POLICY
    authority.edit); saved through concepts.services.save_authority, which checks again."""

    form = AuthorityForm
    list_display = ("name", "land", "district")
    search_fields = ("name", "prefixes__prefix")
    inlines = [AuthorityRoleInline]

    @admin.display(description=_("AGS-Präfixe des Bezirks"))
    def district(self, obj):
        return ", ".join(p.prefix for p in obj.prefixes.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prefixes")

    def _installation_admin(self, request, obj=None):
        from isek import access

        return access.allows_site(request.user, "authority", "edit")

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = _installation_admin
    has_module_permission = _installation_admin

    def save_model(self, request, obj, form, change):
        services.save_authority(request.user, obj, form.cleaned_data["prefix_list"],
                                confirmed=bool(form.cleaned_data.get("confirm_narrowing")))
