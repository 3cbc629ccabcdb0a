from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concierge.mailin.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what arrived and what became of it (agents and administrators)."""

    list_display = ["received_at", "from_address", "subject", "status", "reason", "ticket"]
    list_filter = ["status", "received_at"]
    search_fields = ["from_address", "subject", "message_id", "reason"]
    list_select_related = ["ticket"]
    exclude = ["raw"]
    readonly_fields = ["message_id", "from_address", "envelope_from", "recipients", "subject",
                       "status", "reason", "sender", "ticket", "comment", "size", "received_at",
                       "raw_deleted_at", "source"]
    date_hierarchy = "received_at"

    @admin.display(description=_("message as received"))
    def source(self, obj: InboundMessage) -> str:
        from django.utils.html import format_html

        if obj.raw_deleted_at:
            return _("Deleted after the retention period.")
        text = bytes(obj.raw or b"")[:50000].decode("utf-8", errors="replace")
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
