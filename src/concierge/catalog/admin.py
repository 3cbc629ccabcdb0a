import yaml
from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concierge.approvals.policy import parse_policy
from concierge.catalog.formspec import FormSpecError, parse_form
from concierge.catalog.models import CatalogItem, Category
from concierge.catalog.services import catalog_to_yaml
from concierge.catalog.wizard import field_for
from concierge.core.i18n import localize
from concierge.fulfilment.plan import parse_plan


def _checked_yaml(text: str, check) -> dict:
    """YAML from one of the admin's editors, checked by ``check``; raises ValidationError
    listing every problem."""
    try:
        data = yaml.safe_load(text or "") or {}
    except yaml.YAMLError as exc:
        raise forms.ValidationError(
            _("This is not valid YAML: %(error)s") % {"error": exc}) from None
    try:
        check(data)
    except FormSpecError as exc:
        raise forms.ValidationError(exc.problems) from None
    return data


def _parse_yaml_form(text: str) -> dict:
    return _checked_yaml(text, parse_form)


def _yaml_field(label, help_text, *, rows: int) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField code-editor",
                                     "spellcheck": "false"}))


# Item fields kept as data (JSON), edited as YAML: model field -> form field.
YAML_FIELDS = {"form": "form_yaml", "approval": "approval_yaml", "fulfilment": "fulfilment_yaml"}


class CatalogItemForm(forms.ModelForm):
    form_yaml = _yaml_field(
        gettext_lazy("Request form (YAML)"),
        gettext_lazy("Steps and questions; see docs/catalog-as-code.md. The preview beside it "
                     "updates as you type."), rows=28)
    approval_yaml = _yaml_field(
        gettext_lazy("Approval policy (YAML)"),
        gettext_lazy("Ordered stages: who approves and when; see docs/catalog-as-code.md. "
                     "Empty: no approval."), rows=10)
    fulfilment_yaml = _yaml_field(
        gettext_lazy("Fulfilment plan (YAML)"),
        gettext_lazy("Tasks for IT groups, for the employee and automatic ones; see "
                     "docs/catalog-as-code.md. Empty: agents move it by hand."), rows=10)

    class Meta:
        model = CatalogItem
        fields = ["slug", "category", "kind", "active", "position", "name", "summary",
                  "description", "illustration", "picture", "video_url", "keywords",
                  "price_once", "price_monthly", "delivery_days", "order_for_others",
                  "audience_organisations", "audience_departments", "audience_roles", "owner",
                  "group"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for model_field, form_field in YAML_FIELDS.items():
            value = getattr(self.instance, model_field)
            if value and not self.is_bound:
                self.initial[form_field] = catalog_to_yaml(value)

    def clean_form_yaml(self):
        return _parse_yaml_form(self.cleaned_data.get("form_yaml", ""))

    def clean_approval_yaml(self):
        # The policy may test answers, so it is checked against the form being saved.
        form = self.cleaned_data.get("form_yaml") or {}
        return _checked_yaml(self.cleaned_data.get("approval_yaml", ""),
                             lambda data: parse_policy(data, form=parse_form(form)))

    def clean_fulfilment_yaml(self):
        return _checked_yaml(self.cleaned_data.get("fulfilment_yaml", ""), parse_plan)

    def save(self, commit=True):
        for model_field, form_field in YAML_FIELDS.items():
            setattr(self.instance, model_field, self.cleaned_data.get(form_field) or {})
        return super().save(commit)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "group", "position"]
    list_editable = ["position"]
    list_select_related = ["group"]
    search_fields = ["slug"]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    form = CatalogItemForm
    list_display = ["__str__", "category", "kind", "group", "price_once", "price_monthly",
                    "delivery_days", "active"]
    list_filter = ["active", "kind", "category"]
    list_select_related = ["category", "group"]
    search_fields = ["slug", "search_text"]
    filter_horizontal = ["audience_organisations", "audience_departments", "audience_roles"]
    autocomplete_fields = ["owner"]
    change_form_template = "admin/catalog/catalogitem/change_form.html"
    fieldsets = [
        (None, {"fields": ["slug", "category", "kind", "active", "position"]}),
        (gettext_lazy("What people see"), {"fields": ["name", "summary", "description",
                                                      "illustration", "picture", "video_url",
                                                      "keywords"]}),
        (gettext_lazy("Price and delivery"), {"fields": ["price_once", "price_monthly",
                                                         "delivery_days"]}),
        (gettext_lazy("Who may order"), {"fields": ["order_for_others", "audience_organisations",
                                                    "audience_departments", "audience_roles"]}),
        (gettext_lazy("Request form"), {"fields": ["form_yaml"]}),
        (gettext_lazy("Approval"), {"fields": ["owner", "approval_yaml"]}),
        (gettext_lazy("Fulfilment"), {"fields": ["group", "fulfilment_yaml"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "audience_departments":
            kwargs["queryset"] = db_field.related_model.objects.select_related("organisation")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_urls(self):
        preview = self.admin_site.admin_view(form_preview)
        return [path("preview/", preview, name="catalog_catalogitem_preview"), *super().get_urls()]


@staff_member_required
@require_POST
def form_preview(request):
    """The request form as employees will see it, from the YAML being edited (htmx)."""
    steps, problems = [], []
    try:
        spec = parse_form(_parse_yaml_form(request.POST.get("form_yaml", "")))
    except forms.ValidationError as exc:
        problems = exc.messages
    else:
        for step in spec.steps:
            fields = []
            for question in step.questions:
                bound = forms.Form()
                bound.fields[question.key] = field_for(question, viewer=request.user)
                conditions = [f"{c.question} {c.operator} {c.operand}"
                              for c in question.conditions]
                fields.append({"field": bound[question.key], "conditions": conditions})
            steps.append({"title": localize(step.title), "fields": fields})
    return render(request, "admin/catalog/catalogitem/preview.html",
                  {"steps": steps, "problems": problems})
