"""Reads of people, scoped to what the viewer may see."""

import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from concierge.accounts.models import User


def colleague_search_for(user: User, query: str, *, limit: int = 8) -> QuerySet[User]:
    """Active people of the viewer's organisation whose name or e-mail matches ``query``."""
    query = (query or "").strip()
    people = User.objects.filter(organisation_id=user.organisation_id, is_active=True)
    if not query:
        return people.none()
    for word in query.split()[:4]:
        people = people.filter(Q(display_name__icontains=word) | Q(email__icontains=word))
    return people.select_related("department").order_by("display_name")[:limit]


def colleague_get_for(user: User, value: str) -> User | None:
    """Resolve what was typed in a person field (an id, e-mail or exact name) to a colleague."""
    value = (value or "").strip()
    if not value:
        return None
    people = User.objects.filter(organisation_id=user.organisation_id, is_active=True)
    if value.isdigit():
        return people.filter(pk=int(value)).first()
    match = people.filter(email__iexact=value).first()
    if match:
        return match
    by_name = list(people.filter(display_name__iexact=value)[:2])
    return by_name[0] if len(by_name) == 1 else None


# --- "Download my data" (right of access) -----------------------------------------------------

EXPORT_CHUNK = 500


def _json_list(rows: Iterable[dict]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n  " + json.dumps(row, cls=DjangoJSONEncoder,
                                                          ensure_ascii=False)
    yield "\n]"


def _ticket_rows(user: User) -> Iterator[dict]:
    """The person's requests (asked by them or for them) with their answers, public messages
    and files; three queries whatever their number, read in step with each other by id.
    Internal notes, and files on them, are never read."""
    from concierge.tickets.models import Attachment, Comment, Ticket

    tickets = (Ticket.objects.filter(Q(requester=user) | Q(requested_for=user))
               .select_related("requester", "requested_for").order_by("pk"))
    ticket_ids = tickets.values("pk")
    comments = iter(Comment.objects.filter(ticket_id__in=ticket_ids, is_public=True)
                    .select_related("author").order_by("ticket_id", "created_at", "pk")
                    .iterator(chunk_size=EXPORT_CHUNK))
    files = iter(Attachment.objects.filter(ticket_id__in=ticket_ids)
                 .filter(Q(comment__isnull=True) | Q(comment__is_public=True))
                 .order_by("ticket_id", "pk")
                 .values("ticket_id", "comment_id", "name", "size", "created_at")
                 .iterator(chunk_size=EXPORT_CHUNK))
    comment, file = next(comments, None), next(files, None)
    for ticket in tickets.iterator(chunk_size=EXPORT_CHUNK):
        messages = []
        while comment is not None and comment.ticket_id <= ticket.pk:
            if comment.ticket_id == ticket.pk:
                messages.append({"at": comment.created_at, "by": comment.author.display_name,
                                 "text": comment.body})
            comment = next(comments, None)
        attached = []
        while file is not None and file["ticket_id"] <= ticket.pk:
            if file["ticket_id"] == ticket.pk:
                attached.append({"name": file["name"], "size": file["size"],
                                 "added_at": file["created_at"],
                                 "with_message": file["comment_id"] is not None})
            file = next(files, None)
        yield {
            "number": ticket.number, "kind": ticket.kind, "title": ticket.title,
            "status": ticket.status, "priority": ticket.priority,
            "service": ticket.item_name, "requested_by": ticket.requester.display_name,
            "requested_for": ticket.requested_for.display_name,
            "submitted_at": ticket.created_at, "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            "price_once": ticket.price_once, "price_monthly": ticket.price_monthly,
            "answers": [{"question": answer.get("label"), "answer": answer.get("display")}
                        for answer in ticket.answers],
            "messages": messages, "files": attached,
        }


def personal_data_export(user: User) -> Iterator[str]:
    """Everything the portal keeps about ``user``, as JSON text in pieces (for streaming).

    Their profile, their requests with answers, public messages and file names (never
    internal notes), their ratings, the approvals they decided, their notifications, sign-ins
    and sessions (never a session key). Only rows that belong to ``user``; a fixed number of
    queries, each read in chunks, so a long history neither multiplies queries nor memory.
    """
    from allauth.usersessions.models import UserSession

    from concierge.accounts.models import SignInEvent
    from concierge.approvals.choices import Decision
    from concierge.approvals.models import Vote
    from concierge.feedback.models import Survey
    from concierge.notifications.models import Notification, Preference

    person = User.objects.select_related("organisation", "department", "cost_centre",
                                         "manager").get(pk=user.pk)
    profile = {
        "email": person.email, "name": person.display_name,
        "organisation": person.organisation.name,
        "department": person.department.name if person.department else None,
        "cost_centre": str(person.cost_centre) if person.cost_centre else None,
        "manager": person.manager.display_name if person.manager else None,
        "job_title": person.job_title, "location": person.location, "phone": person.phone,
        "mobile": person.mobile, "mobile_confirmed_at": person.mobile_verified_at,
        "private_email": person.private_email,
        "private_email_confirmed_at": person.private_email_verified_at,
        "language": person.language, "joined_at": person.date_joined,
        "last_sign_in_at": person.last_login,
        "email_wanted": {row.kind: row.email for row in Preference.objects.filter(user=person)},
    }
    sections = {
        "tickets": _ticket_rows(person),
        "ratings": (
            {"ticket": survey.ticket.number, "resolved_at": survey.resolved_at,
             "status": survey.status, "rating": survey.rating, "ease": survey.effort,
             "comment": survey.comment, "not_fixed_note": survey.reopen_note,
             "answered_by": survey.channel, "answered_at": survey.answered_at}
            for survey in Survey.objects.filter(requester=person).select_related("ticket")
            .order_by("pk").iterator(chunk_size=EXPORT_CHUNK)),
        "approvals_decided": (
            {"ticket": vote.approval.ticket.number, "title": vote.approval.ticket.title,
             "stage": vote.approval.title, "decision": vote.decision, "reason": vote.reason,
             "on_behalf_of": vote.on_behalf_of.display_name if vote.on_behalf_of else None,
             "answered_by": vote.channel, "decided_at": vote.decided_at}
            for vote in Vote.objects.filter(approver=person,
                                            decision__in=[Decision.APPROVED, Decision.REJECTED])
            .select_related("approval__ticket", "on_behalf_of").order_by("pk")
            .iterator(chunk_size=EXPORT_CHUNK)),
        "notifications": (
            {"kind": row["kind"], "title": row["title"], "link": row["url"],
             "at": row["created_at"], "read_at": row["read_at"]}
            for row in Notification.objects.filter(recipient=person).order_by("pk")
            .values("kind", "title", "url", "created_at", "read_at")
            .iterator(chunk_size=EXPORT_CHUNK)),
        "sign_ins": (
            {"at": row["created_at"], "method": row["method"], "outcome": row["outcome"],
             "address": row["ip"], "browser": row["user_agent"], "reason": row["reason"]}
            for row in SignInEvent.objects.filter(user=person).order_by("pk")
            .values("created_at", "method", "outcome", "ip", "user_agent", "reason")
            .iterator(chunk_size=EXPORT_CHUNK)),
        "sessions": (
            {"signed_in_at": row["created_at"], "last_seen_at": row["last_seen_at"],
             "address": row["ip"], "browser": row["user_agent"]}
            for row in UserSession.objects.filter(user=person).order_by("pk")
            .values("created_at", "last_seen_at", "ip", "user_agent")
            .iterator(chunk_size=EXPORT_CHUNK)),
    }
    yield "{\n\"exported_at\": " + json.dumps(timezone.now(), cls=DjangoJSONEncoder)
    yield ",\n\"profile\": " + json.dumps(profile, cls=DjangoJSONEncoder, ensure_ascii=False)
    for name, rows in sections.items():
        yield f",\n{json.dumps(name)}: "
        yield from _json_list(rows)
    yield "\n}\n"
