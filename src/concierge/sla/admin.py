from django.contrib import admin

from concierge.sla.models import Calendar, Escalation, Holiday, Target


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "is_default"]
    inlines = [HolidayInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "priority", "item", "category", "response_minutes",
                    "resolution_minutes", "calendar"]
    list_filter = ["priority"]
    autocomplete_fields = ["item"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "deadline", "level", "notified", "created_at"]
    list_filter = ["deadline", "level"]
    readonly_fields = ["ticket", "deadline", "level", "notified", "created_at"]

    def has_add_permission(self, request):
        return False
