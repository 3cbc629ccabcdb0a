from django.contrib import admin
from django.utils.translation import gettext

from concierge.knowledge.models import (
    Article,
    ArticleImage,
    ArticleVersion,
    Category,
    Feedback,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "icon", "order"]
    list_editable = ["order"]
    search_fields = ["slug", "name"]


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    fields = ["number", "title", "author", "note", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "category", "status", "audience", "is_faq",
                    "owner", "review_by", "view_count"]
    list_filter = ["status", "language", "audience", "is_faq", "category"]
    search_fields = ["title", "slug", "summary"]
    autocomplete_fields = ["owner", "related_items", "related_articles"]
    filter_horizontal = ["organisations", "roles"]
    readonly_fields = ["view_count", "helpful_yes", "helpful_no", "published_at", "created_at",
                       "updated_at"]
    list_select_related = ["category", "owner"]
    inlines = [ArticleVersionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The admin keeps the version history like the portal's editor does.
        if not change or {"title", "summary", "body"} & set(form.changed_data):
            from concierge.knowledge.services import article_version_add

            article_version_add(article=obj, author=request.user,
                                note=gettext("Saved in the admin"))


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "user", "query", "created_at"]
    list_filter = ["helpful"]
    search_fields = ["article__title", "comment", "query"]
    raw_id_fields = ["article", "user"]


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "alt", "content_type", "size", "uploaded_by", "created_at"]
    search_fields = ["name", "slug", "alt"]
    readonly_fields = ["key", "slug", "file", "name", "content_type", "size", "uploaded_by",
                       "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # uploaded on the article's page, where the content is checked
