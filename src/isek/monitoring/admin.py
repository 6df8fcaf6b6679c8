from django.contrib import admin

from .models import Indicator, MonitoringMapping, Payment, Report, ReportText, YearNote


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "concept", "code", "kind", "unit", "baseline_value", "baseline_year", "target_value",
                    "target_year", "illustrative")
    list_filter = ("concept", "kind")
    search_fields = ("name", "code")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("measure", "year", "amount", "illustrative")
    list_filter = ("measure__concept", "year")


@admin.register(ReportText)
class ReportTextAdmin(admin.ModelAdmin):
    list_display = ("concept", "section", "illustrative")
    list_filter = ("concept",)


@admin.register(YearNote)
class YearNoteAdmin(admin.ModelAdmin):
    list_display = ("concept", "year", "measure")
    list_filter = ("concept", "year")


@admin.register(MonitoringMapping)
class MonitoringMappingAdmin(admin.ModelAdmin):
    list_display = ("concept", "delimiter", "decimal_comma")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are built by the worker: shown, not edited."""

    list_display = ("concept", "kind", "year", "status", "pages", "created_at", "created_by")
    list_filter = ("concept", "kind", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
