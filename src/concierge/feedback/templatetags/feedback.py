from django import template

from concierge.feedback.choices import RATING_LABELS

register = template.Library()


@register.simple_tag
def rating_choices() -> list[tuple[int, str]]:
    """The scores 1-5 with their words, for the one-click rating buttons."""
    return list(RATING_LABELS.items())
