from django.contrib import admin

from concierge.knowledge.models import Article, ArticleVersion, Category, Feedback


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


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "user", "query", "created_at"]
    list_filter = ["helpful"]
    search_fields = ["article__title", "comment", "query"]
    raw_id_fields = ["article", "user"]
