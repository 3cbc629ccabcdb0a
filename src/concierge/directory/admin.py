from django.contrib import admin

from concierge.directory.models import AuditEvent, DirectoryChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records are evidence: nobody adds, edits or deletes them in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "result", "login", "user", "address"]
    list_filter = ["result", "action"]
    search_fields = ["login", "dn", "address"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]


@admin.register(DirectoryChange)
class DirectoryChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "kind", "dn", "group", "status", "due_on"]
    list_filter = ["status", "kind"]
    search_fields = ["dn", "group"]
    list_select_related = ["ticket"]
