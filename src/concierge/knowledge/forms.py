from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_ROLES
from concierge.accounts.models import Organisation
from concierge.catalog.models import CatalogItem
from concierge.core.i18n import localize
from concierge.knowledge.choices import ArticleLanguage, ArticleStatus, Audience
from concierge.knowledge.models import Article, Category, normalise_tags
from concierge.knowledge.services import RESERVED_SLUGS


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return localize(obj.name)


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return localize(obj.name)


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.language})"


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        from concierge.accounts.choices import Role

        return Role(obj.name).label if obj.name in Role.values else obj.name


class ArticleForm(forms.Form):
    """An article's fields as a knowledge manager edits them; ``slug`` and ``language`` only
    when creating."""

    slug = forms.SlugField(label=_("Short name"), max_length=120,
                           help_text=_("Part of the address: /help/<short-name>/. Lowercase "
                                       "letters, digits and -. The same in every language."))
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguage.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One or two sentences, shown in lists and results."),
                              widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("Text"), required=False,
        help_text=_("Markdown: ## heading, **bold**, - list, [link](https://…). Pictures: "
                    "upload them under “Pictures” (once the draft is saved) and paste their line. "
                    "A video link on "
                    "a line of its own becomes a player (YouTube without cookies, Vimeo)."),
        widget=forms.Textarea(attrs={"rows": 18, "class": "code-editor", "spellcheck": "true"}))
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.all())
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500,
                           help_text=_("Words people search for, separated by commas."))
    audience = forms.ChoiceField(label=_("Who may read it"), choices=Audience.choices,
                                 widget=forms.RadioSelect, initial=Audience.EVERYONE)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), required=False, queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when “Only some organisations” is chosen."))
    roles = RoleChoiceField(
        label=_("Roles"), required=False, queryset=Group.objects.filter(name__in=GROUP_ROLES),
        widget=forms.CheckboxSelectMultiple, help_text=_("Only when “Only some roles” is chosen."))
    is_faq = forms.BooleanField(label=_("Show among the frequently asked questions"),
                                required=False)
    related_items = ItemChoiceField(
        label=_("Related services"), required=False,
        queryset=CatalogItem.objects.filter(active=True).order_by("slug"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("“Still need help?” offers the first one's form."))
    related_articles = ArticleChoiceField(
        label=_("Related articles"), required=False,
        queryset=Article.objects.exclude(status=ArticleStatus.ARCHIVED).order_by("title"),
        widget=forms.SelectMultiple(attrs={"size": 6}))
    review_by = forms.DateField(label=_("Review by"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"},
                                                       format="%Y-%m-%d"),
                                help_text=_("You get an e-mail when the date has passed."))
    note = forms.CharField(label=_("What did you change?"), required=False, max_length=200,
                           help_text=_("Shown in the version history."))

    def __init__(self, *args, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        if article is not None:
            del self.fields["slug"]
            del self.fields["language"]
            self.fields["related_articles"].queryset = self.fields[
                "related_articles"].queryset.exclude(slug=article.slug)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved; please choose another."))
        return slug

    def clean_tags(self):
        return normalise_tags(self.cleaned_data["tags"])

    def clean(self):
        data = super().clean()
        if data.get("audience") == Audience.ORGANISATIONS and not data.get("organisations"):
            self.add_error("organisations", _("Choose at least one organisation."))
        if data.get("audience") == Audience.ROLES and not data.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        return data

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        return {
            "title": article.title, "summary": article.summary, "body": article.body,
            "category": article.category_id, "tags": ", ".join(article.tags or []),
            "audience": article.audience, "organisations": list(article.organisations.all()),
            "roles": list(article.roles.all()), "is_faq": article.is_faq,
            "related_items": list(article.related_items.all()),
            "related_articles": list(article.related_articles.all()),
            "review_by": article.review_by,
        }

    def values(self) -> dict:
        """The cleaned fields the services take (everything but slug, language and note)."""
        return {name: value for name, value in self.cleaned_data.items()
                if name not in ("slug", "language", "note")}


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label=_("Text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 18, "class": "code-editor"}))


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Picture"),
                            help_text=_("PNG, JPG, GIF or WebP, at most 5 MB."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    alt = forms.CharField(label=_("What the picture shows"), max_length=200,
                          help_text=_("Read out to people who cannot see it."))


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"), choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes")
    comment = forms.CharField(label=_("What was missing or wrong?"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    q = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class ManageFilterForm(forms.Form):
    VIEWS = [("all", _("All")), ("mine", _("Mine")), ("review", _("In review")),
             ("stale", _("Due for review"))]
    view = forms.ChoiceField(label=_("Show"), choices=VIEWS, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *ArticleStatus.choices])
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("Any language")), *ArticleLanguage.choices])
    category = forms.ChoiceField(label=_("Category"), required=False)
    q = forms.CharField(label=_("Title or short name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any category"))] + [
            (category.slug, localize(category.name)) for category in Category.objects.all()]
