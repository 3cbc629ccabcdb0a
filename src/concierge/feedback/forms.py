from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.feedback.choices import EFFORT_LABELS, RATING_LABELS


def _choices(labels) -> list[tuple[str, str]]:
    return [(str(score), label) for score, label in labels.items()]


class _Scores(forms.Form):
    effort = forms.TypedChoiceField(
        label=_("How easy was it to get this solved?"), choices=_choices(EFFORT_LABELS),
        coerce=int, empty_value=None, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything you would like to tell us?"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class SurveyForm(_Scores):
    rating = forms.TypedChoiceField(
        label=_("How happy are you with how we solved it?"), choices=_choices(RATING_LABELS),
        coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a rating from 1 to 5."),
                        "invalid_choice": _("Please choose a rating from 1 to 5.")})
    field_order = ["rating", "effort", "comment"]


class DetailsForm(_Scores):
    """Two optional questions after a one-click rating."""


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("What is still not working?"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Please tell us what is still not "
                                                         "working.")})
