"""Template helpers of the reports: who sees them (for the header), shares and durations."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from concierge.reports.selectors import may_see_reports as _may_see_reports

register = template.Library()


@register.filter
def may_see_reports(user) -> bool:
    return _may_see_reports(user)


@register.filter
def percent(share) -> str:
    """A share (0..1) as a whole percentage, ``—`` when there is none."""
    return "—" if share is None else f"{round(100 * share)} %"


@register.filter
def duration(value) -> str:
    """A timedelta for people: ``45 min``, ``5.5 h``, ``3.2 days``; ``—`` when there is none."""
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return _("%(minutes)s min") % {"minutes": number_format(round(minutes))}
    if minutes < 48 * 60:
        return _("%(hours)s h") % {"hours": number_format(minutes / 60, 1)}
    return _("%(days)s days") % {"days": number_format(minutes / 1440, 1)}
