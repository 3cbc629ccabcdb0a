from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.approvals.choices import Decision
from concierge.approvals.models import Delegation


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (needed to reject)"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(ReasonForm):
    decision = forms.ChoiceField(choices=[(Decision.APPROVED, _("Approve")),
                                          (Decision.REJECTED, _("Reject"))])


class BulkDecisionForm(DecisionForm):
    votes = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Selected"),
                                           error_messages={
                                               "required": _("Please select at least one.")})

    def __init__(self, *args, vote_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["votes"].choices = [(pk, pk) for pk in vote_ids]


class DelegationForm(forms.ModelForm):
    deputy_email = forms.EmailField(label=_("Deputy's e-mail address"))

    class Meta:
        model = Delegation
        fields = ["starts_on", "ends_on"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
