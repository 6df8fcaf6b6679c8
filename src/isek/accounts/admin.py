from django.contrib import admin

from .models import LoginEvent


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
