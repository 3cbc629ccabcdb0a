from django import forms
from django.utils.translation import gettext_lazy as _


class ResetStartForm(forms.Form):
    login = forms.CharField(
        label=_("Your work e-mail address or user name"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false", "autofocus": True}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=12,
        help_text=_("6 digits, from the text message, the e-mail or your authenticator app."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}))


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("New password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") \
                and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["old_password", "password1", "password2"]


class MobileForm(forms.Form):
    mobile = forms.RegexField(
        label=_("Mobile number"), max_length=40, regex=r"^\+?[0-9 ()/-]{6,30}$",
        error_messages={"invalid": _("Please enter a phone number like +49 170 1234567.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))


class PrivateEmailForm(forms.Form):
    private_email = forms.EmailField(
        label=_("Private e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ContactCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
