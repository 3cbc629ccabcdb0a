from django.contrib import admin

from concierge.desk.models import CannedResponse, GroupProfile, SavedView


@admin.register(GroupProfile)
class GroupProfileAdmin(admin.ModelAdmin):
    list_display = ["group", "lead"]
    autocomplete_fields = ["lead"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title"]
    search_fields = ["title", "body"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "shared"]
    list_filter = ["shared"]
