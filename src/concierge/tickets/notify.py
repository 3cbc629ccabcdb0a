"""Who hears about what happens to a ticket, and with which message."""

from concierge.mailin.outbound import ticket_mail_headers, ticket_mail_history
from concierge.notifications.choices import Kind
from concierge.notifications.services import notify
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Activity, Comment

TEMPLATES = {
    "tickets.ticket.submitted": ("ticket_submitted", Kind.REQUESTS),
    "tickets.ticket.status_changed": ("ticket_status_changed", Kind.REQUESTS),
    "tickets.comment.added": ("ticket_comment_added", Kind.COMMENTS),
}


def ticket_activity_emails(activity: Activity) -> int:
    """Tell the requester and the person it is for about the activity, not the actor.

    The requester does get the confirmation of their own submission.
    """
    if activity.action not in TEMPLATES:
        return 0
    template, kind = TEMPLATES[activity.action]
    ticket = activity.ticket
    recipients = {ticket.requester, ticket.requested_for}
    if activity.action != "tickets.ticket.submitted":
        recipients.discard(activity.actor)
    context = {"ticket": ticket, "activity": activity}
    if activity.action == "tickets.ticket.status_changed":
        # The status this activity moved to, not where the ticket is by the time we send.
        status = activity.data.get("new", ticket.status)
        context["status"] = status
        context["status_label"] = TicketStatus(status).label if status in TicketStatus.values \
            else status
        if status == TicketStatus.RESOLVED:
            # The requester hears of the resolution once, in feedback's "resolved, how did we
            # do?" message with the rating links (feedback.notify); the person it is for, here.
            recipients.discard(ticket.requester)
    if activity.action == "tickets.comment.added":
        context["comment"] = Comment.objects.filter(pk=activity.data.get("comment")).first()
        if context["comment"] is None or not context["comment"].is_public:
            return 0
        context["history"] = ticket_mail_history(context["comment"])
    # Threaded, with a Reply-To that brings the answer back to this ticket (see mailin).
    headers = ticket_mail_headers(ticket)
    sent = 0
    for person in sorted(recipients, key=lambda p: p.pk):
        sent += notify(key=f"activity:{activity.pk}:{person.pk}", recipient=person, kind=kind,
                       template=template, context=context, url=ticket.get_absolute_url(),
                       headers=headers)
    return sent
