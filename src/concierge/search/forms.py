from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.search.choices import EntryKind
from concierge.search.selectors import MAX_QUERY


class SearchForm(forms.Form):
    """The full results page's query and facets; unknown facet values are ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=2000, strip=True)
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Everything")), *EntryKind.choices])
    category = forms.SlugField(label=_("Category"), required=False, max_length=120)
    lang = forms.ChoiceField(label=_("Language"), required=False,
                             choices=[("", _("Any")), ("en", "English"), ("de", "Deutsch")])

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY]
