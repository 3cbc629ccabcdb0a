from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_ROLES
from concierge.accounts.models import Department, Organisation
from concierge.catalog.choices import ItemKind
from concierge.catalog.formspec import FormSpec, FormSpecError, parse_form
from concierge.core.i18n import TranslatedField, localize

# The groups that handle tickets (IT groups), never the role groups of the same table.
IT_GROUPS = ~Q(name__in=GROUP_ROLES)
illustration_name = RegexValidator(r"^[a-z0-9-]+$", _("Use lowercase letters, digits and -."))


def _has_surcharges(form) -> bool:
    """Whether answers to the form change the price (cards then say "from")."""
    try:
        spec = parse_form(form)
    except FormSpecError:
        return False
    return any(
        c.price_once or c.price_monthly for q in spec.questions for c in q.choices
    ) or any(q.options.get("price_once") or q.options.get("price_monthly")
             for q in spec.questions)


class Category(models.Model):
    """A group of catalog items shown together ("Computers & phones", "Accessories").

    ``group`` is the IT group that handles its items' tickets unless an item names its own
    (see catalog.selectors.handling_group_for).
    """

    slug = models.SlugField(_("short name"), unique=True)
    name = TranslatedField(_("name"))
    description = TranslatedField(_("description"), blank=True)
    illustration = models.CharField(_("illustration"), max_length=60, default="generic",
                                    validators=[illustration_name])
    position = models.PositiveIntegerField(_("position"), default=100)
    group = models.ForeignKey(
        "auth.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        limit_choices_to=IT_GROUPS, verbose_name=_("IT group"),
        help_text=_("Who handles new tickets for this category's services, unless a service "
                    "names its own group. Empty: they wait in the desk's “Unassigned” queue."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return localize(self.name)

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", args=[self.slug])


class CatalogItem(models.Model):
    """Something an employee can order or report, with its value shown and its form defined.

    ``form`` holds the declarative request form (steps, questions, conditions) described in
    docs/catalog-as-code.md; ``clean()`` rejects a definition the wizard could not run.
    ``group`` is the IT group new tickets for it are routed to (else the category's).
    """

    slug = models.SlugField(_("short name"), unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("category"))
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices,
                            default=ItemKind.REQUEST)
    name = TranslatedField(_("name"))
    summary = TranslatedField(_("what you get"), help_text=_("One line, shown on the card."))
    description = TranslatedField(_("description"), multiline=True, blank=True,
                                  help_text=_("Markdown."))
    keywords = models.JSONField(_("keywords"), default=dict, blank=True,
                                help_text=_("Words people search for, per language."))
    illustration = models.CharField(_("illustration"), max_length=60, default="generic",
                                    validators=[illustration_name])
    picture = models.ImageField(_("picture"), upload_to="catalog/", blank=True,
                                help_text=_("Optional photo; replaces the illustration."))
    video_url = models.URLField(_("video link"), blank=True)
    price_once = models.DecimalField(_("one-time price"), max_digits=10, decimal_places=2,
                                     default=0, validators=[MinValueValidator(0)])
    price_monthly = models.DecimalField(_("monthly price"), max_digits=10, decimal_places=2,
                                        default=0, validators=[MinValueValidator(0)])
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (working days)"), default=3)
    order_for_others = models.BooleanField(_("may be ordered for someone else"), default=False)
    audience_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("only for organisations"))
    audience_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("only for departments"))
    audience_roles = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", verbose_name=_("only for roles"),
        limit_choices_to={"name__in": GROUP_ROLES})
    form = models.JSONField(_("request form"), default=dict, blank=True)
    approval = models.JSONField(_("approval policy"), default=dict, blank=True)
    fulfilment = models.JSONField(_("fulfilment plan"), default=dict, blank=True)
    owner = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_services", verbose_name=_("service owner"))
    group = models.ForeignKey(
        "auth.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        limit_choices_to=IT_GROUPS, verbose_name=_("IT group"),
        help_text=_("Who handles new tickets for this service. Empty: the category's group."))
    search_text = models.TextField(editable=False, default="")
    price_varies = models.BooleanField(editable=False, default=False)
    position = models.PositiveIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__position", "position", "slug"]
        indexes = [models.Index(fields=["active", "category", "position"])]
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")

    def __str__(self) -> str:
        return localize(self.name)

    def save(self, *args, **kwargs):
        # Derived from the row's own texts: what the catalog search matches, in every language.
        parts = [*self.name.values(), *self.summary.values()]
        for words in (self.keywords or {}).values():
            parts.extend(words if isinstance(words, list) else [str(words)])
        self.search_text = " ".join(parts).lower()
        self.price_varies = _has_surcharges(self.form)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "price_varies"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:item", args=[self.slug])

    def clean(self) -> None:
        from concierge.approvals.policy import parse_policy

        try:
            spec = parse_form(self.form)
        except FormSpecError as exc:
            raise ValidationError({"form": exc.problems}) from None
        try:
            parse_policy(self.approval, form=spec)
        except FormSpecError as exc:
            raise ValidationError({"approval": exc.problems}) from None
        from concierge.fulfilment.plan import parse_plan

        try:
            parse_plan(self.fulfilment)
        except FormSpecError as exc:
            raise ValidationError({"fulfilment": exc.problems}) from None

    @cached_property
    def form_spec(self) -> FormSpec:
        return parse_form(self.form)

    @property
    def is_free(self) -> bool:
        return not self.price_once and not self.price_monthly

    @property
    def is_incident(self) -> bool:
        return self.kind == ItemKind.INCIDENT
