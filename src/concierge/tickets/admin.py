from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from concierge.tickets import services
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Activity, Comment, Ticket


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["author", "body", "is_public", "created_at"]
    readonly_fields = fields
    can_delete = False


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["created_at", "actor", "action", "data"]
    readonly_fields = fields
    can_delete = False


def _status_action(status: str, label):
    def action(modeladmin, request, queryset):
        done = 0
        for ticket in queryset:
            try:
                services.ticket_move(ticket=ticket, actor=request.user, status=status)
                done += 1
            except services.TicketError as exc:
                modeladmin.message_user(request, f"{ticket.number}: {exc}", messages.WARNING)
        modeladmin.message_user(request, _("%(n)s ticket(s) changed.") % {"n": done})

    action.__name__ = f"mark_{status}"
    action.short_description = label
    return action


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: tickets change through services (status actions below), never by hand."""

    list_display = ["number", "title", "status", "priority", "requester", "created_at"]
    list_filter = ["status", "kind", "priority", "organisation"]
    list_select_related = ["requester"]
    search_fields = ["title", "requester__email", "requester__display_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [CommentInline, ActivityInline]
    actions = [
        _status_action(TicketStatus.IN_PROGRESS, _("Start work")),
        _status_action(TicketStatus.WAITING_FOR_YOU, _("Wait for the requester")),
        _status_action(TicketStatus.RESOLVED, _("Resolve")),
        _status_action(TicketStatus.CLOSED, _("Close")),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
