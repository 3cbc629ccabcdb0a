from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from concierge.accounts.models import CostCentre, Department, Organisation, SignInEvent, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "code"]


@admin.register(CostCentre)
class CostCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner", "organisation"]
    list_filter = ["organisation"]
    list_select_related = ["owner", "organisation"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["owner"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "organisation", "department", "is_active"]
    list_filter = ["organisation", "is_active", "is_staff", "groups"]
    list_select_related = ["organisation", "department"]
    search_fields = ["display_name", "email"]
    autocomplete_fields = ["manager", "cost_centre", "department"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "job_title", "phone", "location", "language"]}),
        (_("Organisation"), {"fields": ["organisation", "department", "cost_centre", "manager"]}),
        (_("Roles and access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "organisation",
                                                "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in audit trail: read only."""

    list_display = ["created_at", "login", "method", "outcome", "ip", "reason"]
    list_filter = ["outcome", "method"]
    search_fields = ["login", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
