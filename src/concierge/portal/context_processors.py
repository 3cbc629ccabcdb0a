import functools

from django.conf import settings


def portal(request) -> dict:
    context = {"site_name": settings.SITE_NAME}
    if request.user.is_authenticated:
        from concierge.notifications.selectors import unread_count_for
        from concierge.portal.todo import todo_count

        # Called by the template where it shows the count, and counted once per page.
        context["todo_count"] = functools.cache(lambda: todo_count(request))
        context["unread_count"] = functools.cache(lambda: unread_count_for(request.user))
    if settings.DEMO_MODE and not request.user.is_authenticated:
        from concierge.portal.demo import DEMO_LOGINS, DEMO_PASSWORD

        context["demo_logins"] = DEMO_LOGINS
        context["demo_password"] = DEMO_PASSWORD
    return context
