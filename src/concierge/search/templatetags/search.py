"""Search pieces other apps' templates include: the suggestions beside a request form and the
"This solved it" button on an article opened from one."""

from django import template
from django.urls import reverse

from concierge.search.selectors import describe_question

register = template.Library()


@register.inclusion_tag("search/_deflection_panel.html", takes_context=True)
def deflection_panel(context) -> dict:
    """An empty panel next to the form's "describe it in a few words" question, filled by
    static/js/search.js as the person types (nothing happens without JavaScript)."""
    item, form = context.get("item"), context.get("form")
    if item is None or form is None:
        return {}
    question = describe_question(item.form_spec)
    if question is None or question.key not in form.fields:
        return {}
    return {"field_id": form[question.key].auto_id,
            "url": reverse("search:suggest", args=[item.slug])}


@register.inclusion_tag("search/_solved.html", takes_context=True)
def deflection_solved(context) -> dict:
    request = context.get("request")
    if request is None or request.GET.get("from") != "deflection":
        return {}
    pk = request.GET.get("d", "")
    if not pk.isdigit() or len(pk) > 18:
        return {}
    return {"action": reverse("search:deflection-solved", args=[int(pk)]),
            "csrf_token": context.get("csrf_token")}
