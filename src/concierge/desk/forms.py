from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.accounts.models import Organisation
from concierge.catalog.models import Category
from concierge.core.i18n import localize
from concierge.desk.selectors import DEFAULT_SORT, SORTS
from concierge.sla.engine import AT_RISK, BREACHED, ON_TIME, PAUSED
from concierge.tickets.choices import Priority, TicketStatus
from concierge.tickets.forms import MultipleFileField

SLA_CHOICES = [("", _("Any")), (ON_TIME, _("On time")), (AT_RISK, _("At risk")),
               (BREACHED, _("Breached")), (PAUSED, _("Paused"))]
FILTER_KEYS = ("status", "priority", "category", "organisation", "sla", "q", "sort")


class DeskFilterForm(forms.Form):
    """The list's filters; every value is checked, a bad one is simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("open", _("Open")), ("any", _("Any status")), *TicketStatus.choices])
    priority = forms.ChoiceField(label=_("Priority"), required=False,
                                 choices=[("", _("Any")), *Priority.choices])
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int,
                                      empty_value=None)
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int,
                                          empty_value=None)
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_CHOICES)
    sort = forms.ChoiceField(required=False, choices=[
        (f"{sign}{key}", f"{sign}{key}") for key in SORTS for sign in ("", "-")])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any"))] + [
            (c.pk, localize(c.name)) for c in Category.objects.only("pk", "name")]
        organisations = Organisation.objects.only("pk", "name")
        if user is not None and not user.is_superuser:
            organisations = organisations.filter(pk=user.organisation_id)
        self.fields["organisation"].choices = [("", _("Any"))] + [
            (o.pk, o.name) for o in organisations]

    def selects(self, current: dict) -> list[dict]:
        """The menus of the filter bar: name, label and (value, text, selected) options, the
        organisation menu only for who sees more than one."""
        menus = []
        for name in ("status", "priority", "category", "organisation", "sla"):
            field = self.fields[name]
            if name == "organisation" and len(field.choices) <= 2:
                continue
            chosen = str(current.get(name, ""))
            menus.append({"name": name, "label": str(field.label), "options": [
                (str(value), str(text), str(value) == chosen) for value, text in field.choices]})
        return menus

    def filters(self) -> dict:
        """The valid filters as plain values (for the selector and for saved views)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data[key] for key in FILTER_KEYS if data.get(key) not in (None, "")}

    @property
    def sort_value(self) -> str:
        return self.filters().get("sort") or DEFAULT_SORT


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), required=False, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 5, "id": "reply-body"}))
    files = MultipleFileField(label=_("Attach files"), required=False)
    visibility = forms.ChoiceField(label=_("Who sees it"), initial="public",
                                   widget=forms.RadioSelect, choices=[
                                       ("public", _("Reply to the requester")),
                                       ("internal", _("Internal note (IT team only)"))])


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80)
    shared = forms.BooleanField(label=_("Share with all agents"), required=False)
