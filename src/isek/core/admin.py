from django.contrib import admin

from .models import ChangeRecord


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "actor", "action", "model", "name")
    list_filter = ("action", "model")
    readonly_fields = [*(f.name for f in ChangeRecord._meta.fields), "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
