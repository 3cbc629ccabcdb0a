"""A ticket's status and service-level badges: on every row of every ticket list, so tags
rather than included templates (an include costs as much as the rest of a row)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from concierge.sla.engine import AT_RISK, BREACHED, ON_TIME

register = template.Library()


@register.simple_tag
def status_badge(ticket) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', ticket.status_colour,
                       ticket.get_status_display())


@register.simple_tag
def sla_badge(ticket) -> str:
    """On time, at risk, breached or paused; nothing for a ticket without a target."""
    state = ticket.sla_state
    if not state:
        return ""
    if state == ON_TIME:
        label = _("On time")
    elif state == AT_RISK:
        label = _("At risk")
    elif state == BREACHED:
        label = _("Breached")
    else:
        label = _("Paused")
    return format_html('<span class="sla-badge sla-badge--{}" title="{}">{}</span>', state,
                       _("Service level"), label)
