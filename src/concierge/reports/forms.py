import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.core.i18n import localize
from concierge.reports.selectors import Filters

PERIODS = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")),
           ("custom", _("Choose the days"))]
DEFAULT_PERIOD = "30"
MAX_DAYS = 731


class ReportFilterForm(forms.Form):
    """The report's period and narrowing, from the query string. A bad value is an error
    message on the form (and a 400), never a silently different report."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False,
                               widget=forms.RadioSelect)
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int,
                                          empty_value=None)
    group = forms.TypedChoiceField(label=_("IT group"), required=False, coerce=int,
                                   empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int,
                                      empty_value=None)

    def __init__(self, data, *, choices: dict):
        data = data.copy()
        if not data.get("period"):
            data["period"] = "custom" if data.get("start") or data.get("end") else DEFAULT_PERIOD
        super().__init__(data)
        self.fields["group"].choices = [("", _("All groups"))] + [
            (group.pk, group.name) for group in choices["groups"]]
        self.fields["category"].choices = [("", _("All categories"))] + [
            (category.pk, localize(category.name)) for category in choices["categories"]]
        if choices["organisations"]:
            self.fields["organisation"].choices = [("", _("All organisations"))] + [
                (org.pk, org.name) for org in choices["organisations"]]
        else:
            del self.fields["organisation"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        period = data.get("period")
        if period and period != "custom":
            data["start"] = today - datetime.timedelta(days=int(period) - 1)
            data["end"] = today
            return data
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if start is None:
            self.add_error("start", _("Give the first day of the period."))
            return data
        end = data["end"] = end or today
        if end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("end", _("Choose a period of at most two years."))
        return data

    def filters(self, *, organisation_id: int | None) -> Filters:
        data = self.cleaned_data
        return Filters(start=data["start"], end=data["end"], organisation_id=organisation_id,
                       group_id=data.get("group"), category_id=data.get("category"))
