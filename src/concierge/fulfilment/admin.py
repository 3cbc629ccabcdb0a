from django.contrib import admin

from concierge.fulfilment.models import Slot, Task


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    """IT groups offer appointments here (e.g. to hand over a new laptop)."""

    list_display = ["group", "starts_at", "ends_at", "location", "task"]
    list_filter = ["group"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["task"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["ticket", "key", "kind", "status", "group", "assignee", "due_at"]
    list_filter = ["status", "kind", "group"]
    list_select_related = ["ticket", "group", "assignee"]
    readonly_fields = [f.name for f in Task._meta.fields]

    def has_add_permission(self, request):
        return False
