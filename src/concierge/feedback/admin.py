from django.contrib import admin

from concierge.feedback.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["ticket", "requester", "status", "rating", "effort", "agent", "group",
                    "resolved_at", "answered_at"]
    list_filter = ["status", "rating", "effort", "channel", "group"]
    search_fields = ["ticket__title", "requester__email", "comment", "reopen_note"]
    list_select_related = ["ticket", "requester", "agent", "group"]
    raw_id_fields = ["ticket", "requester", "agent"]
    readonly_fields = ["created_at", "answered_at"]
