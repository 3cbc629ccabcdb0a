from django import template

from concierge.directory.client import directory_configured
from concierge.directory.selectors import changes_for

register = template.Library()


@register.simple_tag
def directory_connected() -> bool:
    """True when the portal talks to a directory (the self-service links show only then)."""
    return directory_configured()


@register.inclusion_tag("directory/_changes.html", takes_context=True)
def directory_changes(context, ticket):
    """The directory changes made for a request, with undo, for agents."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"changes": changes_for(user, ticket) if user else [], "request": request,
            "csrf_token": context.get("csrf_token")}
