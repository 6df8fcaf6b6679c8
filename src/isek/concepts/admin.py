from django.contrib.gis import admin

from .models import City, CityRole, Concept, ConceptRole, FieldOfAction, Goal, Measure, MeasureSource, Milestone, Quarter


class RoleInline(admin.TabularInline):
    model = ConceptRole
    extra = 1


class CityRoleInline(admin.TabularInline):
    model = CityRole
    extra = 1


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    """Cities; their look (logo, colour) is set on the city's administration page (checked there)."""

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
    list_display = ("concept", "number", "title", "primary_field", "status")
    list_filter = ("concept", "status")
    search_fields = ("title", "number")
    exclude = ("geometry",)
    inlines = [MilestoneInline, SourceInline]


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ("concept", "name", "colour", "approximated")
    exclude = ("geometry",)
