from django import forms

from concierge.notifications.choices import KIND_HELP, Kind


class PreferencesForm(forms.Form):
    """One checkbox per kind: "also by e-mail". The portal always shows everything."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, help_text=KIND_HELP[kind], required=False)

    def email_kinds(self) -> set[str]:
        return {kind for kind in Kind.values if self.cleaned_data.get(kind)}

    @staticmethod
    def initial_for(email_kinds: set[str]) -> dict:
        return {kind: kind in email_kinds for kind in Kind.values}
