"""Content in several languages, stored as ``{"en": "...", "de": "..."}``.

Catalog texts (and later knowledge articles) are written by people in every language the portal
speaks. They live in one JSON column per text; ``localize`` picks the active language and falls
back to English, then to any text there is, so a missing translation never shows a blank.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.formats import number_format


def localize(value, language: str | None = None) -> str:
    """The text of a translated value in ``language`` (default: the active one)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return str(value)
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return value.get(language) or value.get(settings.LANGUAGE_CODE) or next(
        (text for text in value.values() if text), ""
    )


def choice_label(choices: type[models.Choices], value) -> str:
    """The translated label of one value of ``choices`` (the value itself if unknown).

    Django's ``get_FOO_display`` hashes every (lazily translated) choice on each call, which is
    a translation per choice per row on a list page; this translates the one label."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class TranslatedWidget(forms.MultiWidget):
    """One input per language, labelled with the language's code."""

    template_name = "components/translated_widget.html"

    def __init__(self, base_widget=forms.TextInput, attrs=None):
        widgets = {code: base_widget(attrs=attrs) for code in language_codes()}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value or {}
        if isinstance(value, str):
            return [value] + [""] * (len(self.widgets) - 1)
        return [value.get(code, "") for code in language_codes()]


class TranslatedFormField(forms.MultiValueField):
    """Collects one text per language; English is required when the field is."""

    def __init__(self, *, multiline=False, required=True, max_length=None, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        fields = [forms.CharField(required=False, max_length=max_length) for _ in language_codes()]
        widget = TranslatedWidget(forms.Textarea if multiline else forms.TextInput)
        super().__init__(fields, widget=widget, required=required,
                         require_all_fields=False, **kwargs)

    def compress(self, data_list):
        values = dict(zip(language_codes(), data_list or [], strict=False))
        return {code: text.strip() for code, text in values.items() if text and text.strip()}

    def validate(self, value):
        if self.required and not (value or {}).get(settings.LANGUAGE_CODE):
            raise forms.ValidationError(self.error_messages["required"], code="required")


class TranslatedField(models.JSONField):
    """A text kept in every language (a JSON object keyed by language code)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return TranslatedFormField(
            multiline=self.multiline, required=not self.blank, label=self.verbose_name,
            help_text=self.help_text,
        )


_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def format_money(value, *, sign: bool = False) -> str:
    """``1150`` -> ``€1,150.00`` (English) or ``1.150,00 €`` (German); ``sign`` adds a plus."""
    amount = Decimal(value)
    text = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = _SYMBOLS.get(settings.CURRENCY, settings.CURRENCY)
    german = (translation.get_language() or "en").startswith("de")
    text = f"{text} {symbol}" if german else f"{symbol}{text}"
    prefix = "-" if amount < 0 else "+" if sign else ""
    return f"{prefix}{text}"
