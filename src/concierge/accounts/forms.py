from django import forms

from concierge.accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "phone", "location"]
        widgets = {
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "location": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
