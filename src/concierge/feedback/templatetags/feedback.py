from django import template
from django.utils.translation import gettext as _

from concierge.feedback.choices import RATING_LABELS

register = template.Library()


@register.simple_tag
def rating_choices() -> list[tuple[int, str]]:
    """The scores 1-5 with their words, for the one-click rating buttons."""
    return list(RATING_LABELS.items())


@register.simple_tag
def feedback_periods() -> list[tuple[str, str]]:
    """The periods the results pages offer (see views.PERIODS)."""
    return [("30", _("30 days")), ("90", _("90 days")), ("365", _("A year")),
            ("all", _("All time"))]
