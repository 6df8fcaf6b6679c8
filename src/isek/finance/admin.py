from django.contrib import admin

from .models import (
    CostGroup,
    CostItem,
    FinanceVersion,
    Financing,
    Fund,
    FundApplication,
    FundingCap,
    FundingProgramme,
    FundingRate,
)


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "land", "federal_share", "rate_standard", "rate_min", "rate_max", "rate_step")


@admin.register(CostGroup)
class CostGroupAdmin(admin.ModelAdmin):
    list_display = ("catalogue", "number", "name", "parent", "illustrative")
    list_filter = ("catalogue",)
    ordering = ("catalogue", "sort_key")


@admin.register(FundingRate)
class FundingRateAdmin(admin.ModelAdmin):
    list_display = ("concept", "year", "rate", "illustrative")
    list_filter = ("concept",)


@admin.register(FundingCap)
class FundingCapAdmin(admin.ModelAdmin):
    list_display = ("concept", "amount", "illustrative")


@admin.register(CostItem)
class CostItemAdmin(admin.ModelAdmin):
    list_display = ("measure", "year", "cost_group", "amount", "eligible", "basis")
    list_filter = ("measure__concept", "year", "cost_group")


@admin.register(Financing)
class FinancingAdmin(admin.ModelAdmin):
    list_display = ("measure", "year", "source", "amount", "status", "reason")
    list_filter = ("measure__concept", "source", "status")


@admin.register(FinanceVersion)
class FinanceVersionAdmin(admin.ModelAdmin):
    list_display = ("concept", "name", "kind", "created_at", "created_by")
    readonly_fields = [f.name for f in FinanceVersion._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApplicationInline(admin.TabularInline):
    model = FundApplication
    extra = 0
    exclude = ("location",)


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("name", "concept", "kind", "budget", "grant_rate", "max_per_m2")
    inlines = [ApplicationInline]
