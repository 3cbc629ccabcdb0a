"""Who hears about what happens to a ticket, and with which message."""

from concierge.notifications.services import email_send
from concierge.tickets.models import Activity, Comment

TEMPLATES = {
    "tickets.ticket.submitted": "ticket_submitted",
    "tickets.ticket.status_changed": "ticket_status_changed",
    "tickets.comment.added": "ticket_comment_added",
}


def ticket_activity_emails(activity: Activity) -> int:
    """Send the activity's e-mail to the requester and the person it is for, not the actor.

    The requester does get the confirmation of their own submission.
    """
    template = TEMPLATES.get(activity.action)
    if template is None:
        return 0
    ticket = activity.ticket
    recipients = {ticket.requester, ticket.requested_for}
    if activity.action != "tickets.ticket.submitted":
        recipients.discard(activity.actor)
    context = {"ticket": ticket, "activity": activity}
    if activity.action == "tickets.comment.added":
        context["comment"] = Comment.objects.filter(pk=activity.data.get("comment")).first()
        if context["comment"] is None or not context["comment"].is_public:
            return 0
    sent = 0
    for person in sorted(recipients, key=lambda p: p.pk):
        sent += email_send(key=f"activity:{activity.pk}:{person.pk}", recipient=person,
                           template=template, context=context)
    return sent
