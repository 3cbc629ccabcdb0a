from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.tickets.choices import TicketKind, TicketStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your message"), required=False, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Attach files"), required=False)


class TicketFilterForm(forms.Form):
    STATES = [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Requests and problems")), *TicketKind.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=TicketStatus.choices)
