"""Reads for the portal's frame: what the header shows on every page."""

from concierge.accounts.models import User


def todo_count_for(user: User) -> int:
    """Everything waiting for ``user``: decisions, their tasks and ratings, in one query.

    The header shows it on every page, so it is one UNION ALL of the three lists' ids
    rather than a count per list.
    """
    from concierge.approvals.selectors import vote_list_for
    from concierge.feedback.selectors import survey_todo_for
    from concierge.fulfilment.selectors import my_tasks_for

    first, *rest = [items.order_by().values_list("pk", flat=True) for items in
                    (vote_list_for(user), my_tasks_for(user), survey_todo_for(user))]
    return first.union(*rest, all=True).count()
