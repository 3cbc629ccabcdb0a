"""Template helpers used across the portal: translated content, Markdown, money."""

import datetime
import html

from django import template
from django.templatetags.static import static
from django.utils.safestring import mark_safe

from concierge.core.i18n import format_money, localize
from concierge.core.markdown import render_markdown

register = template.Library()


@register.filter
def tr(value) -> str:
    """The active language's text of a translated value: ``{{ item.name|tr }}``."""
    return localize(value)


@register.filter
def markdown(value) -> str:
    return render_markdown(localize(value))


@register.filter
def money(value) -> str:
    """``{{ 1150|money }}`` -> ``€1,150.00`` (en) / ``1.150,00 €`` (de)."""
    if value in (None, ""):
        return ""
    return format_money(value)


@register.simple_tag
def illustration(name: str) -> str:
    return static(f"catalog/illustrations/{name or 'generic'}.svg")


@register.filter
def is_choice_list(bound_field) -> bool:
    """Radios and checkbox lists are rendered as a fieldset with a legend."""
    widget = bound_field.field.widget
    return getattr(widget, "input_type", "") in ("radio", "checkbox") and hasattr(
        widget, "choices") and widget.__class__.__name__ != "CheckboxInput"


@register.filter
def initials(user) -> str:
    name = getattr(user, "display_name", "") or getattr(user, "email", "?")
    parts = [part for part in name.replace(".", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def lookup(mapping, key):
    """``{{ uploads|lookup:name }}``: a dict's value by a key held in a variable."""
    return mapping.get(key) if mapping else None


@register.filter
def choice_label(question, value):
    """The label of one of a question's choices (a translated value)."""
    return question.choice_label(value)


@register.filter
def isodate(value):
    """``"2026-12-01"`` as a date, so templates can format it for the reader's language."""
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return value


@register.simple_tag
def options(choices, selected=None) -> str:
    """The <option>s of a menu from (value, text) pairs, the one whose value is ``selected``
    marked; (value, text, is_selected) triples say it themselves. Long menus (agents, groups,
    filters) render many times faster than a template loop."""
    chosen = None if selected is None else str(selected)
    rows = []
    for choice in choices:
        value = str(choice[0])
        is_selected = choice[2] if len(choice) > 2 else value == chosen
        rows.append(f'<option value="{html.escape(value)}"{" selected" if is_selected else ""}>'
                    f"{html.escape(str(choice[1]))}</option>")
    return mark_safe("".join(rows))  # noqa: S308 - every value and text is escaped above
