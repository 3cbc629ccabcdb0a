"""The header's to-do count, kept in the session for a minute.

Every page shows it, and counting it takes the three to-do lists (decisions, the person's own
tasks, ratings): about a millisecond and a half of every page. Kept for TODO_COUNT_FRESH seconds
in the session (which every signed-in request reads anyway), it is counted again at most once a
minute. What the person does themselves shows at once: every POST forgets the count, and all
they can do to a to-do (decide, confirm, pick a slot, rate) is a POST. What others add for them
shows within the minute; the bell shows it at once.
"""

import time

from concierge.portal.selectors import todo_count_for

SESSION_KEY = "concierge_todo_count"
TODO_COUNT_FRESH = 60


def todo_count(request) -> int:
    now = int(time.time())
    kept = request.session.get(SESSION_KEY)
    if kept and kept[0] == request.user.pk and 0 <= now - kept[2] < TODO_COUNT_FRESH:
        return kept[1]
    count = todo_count_for(request.user)
    request.session[SESSION_KEY] = [request.user.pk, count, now]
    return count


class ForgetTodoCountOnPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and hasattr(request, "session"):
            request.session.pop(SESSION_KEY, None)
        return self.get_response(request)
