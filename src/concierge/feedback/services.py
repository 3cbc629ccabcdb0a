"""Every write to the requester's verdict: asking after a resolution, answering, reopening.

Rules: one survey per resolution of a ticket; only its requester answers it, once; it can be
answered while the ticket is still in that resolution (resolved, or closed after it). "Not
fixed" reopens the ticket with a note, within FEEDBACK_REOPEN_DAYS of the resolution; later
the requester is asked to open a new request instead.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.worker import enqueue_with_transaction
from concierge.feedback.choices import SCORES, Channel, SurveyStatus
from concierge.feedback.models import Survey
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import activity_log

TOKEN_SALT = "concierge.feedback.rate"


class FeedbackError(Exception):
    """An answer that cannot be taken; the message is meant for the requester."""


class ReopenTooLate(FeedbackError):
    """The reopen period is over: the requester should open a new request."""


def survey_open(*, ticket: Ticket) -> Survey | None:
    """Ask the requester for their verdict on the resolution the ticket just reached.

    Called by ``tickets.services.ticket_change_status`` when a ticket becomes resolved (inside
    its transaction). Idempotent per resolution. Its task tells the requester that the ticket
    is resolved, with the rating links, in one message (``feedback.notify``).
    """
    if ticket.resolved_at is None:
        return None
    survey, created = Survey.objects.get_or_create(
        ticket=ticket, resolved_at=ticket.resolved_at,
        defaults={"requester_id": ticket.requester_id,
                  "agent_id": ticket.assignee_id, "group_id": ticket.group_id})
    if created:
        from concierge.feedback.tasks import survey_notify

        enqueue_with_transaction(survey_notify, survey.pk)
    return survey


def survey_token(survey: Survey, rating: int) -> str:
    """A signed link for one score on one survey, for its requester (checked by the view)."""
    return signing.dumps({"survey": survey.pk, "user": survey.requester_id, "rating": rating},
                         salt=TOKEN_SALT, compress=True)


def _is_current(survey: Survey, ticket: Ticket) -> bool:
    return ticket.resolved_at == survey.resolved_at and ticket.status in (
        TicketStatus.RESOLVED, TicketStatus.CLOSED)


def reopen_deadline(survey: Survey) -> datetime.datetime:
    return survey.resolved_at + datetime.timedelta(days=settings.FEEDBACK_REOPEN_DAYS)


def _parse_score(value, *, required: bool, message: str) -> int | None:
    if value in (None, ""):
        if required:
            raise FeedbackError(message)
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise FeedbackError(message) from None
    if score not in SCORES:
        raise FeedbackError(message)
    return score


def _locked(survey: Survey, actor: User) -> tuple[Survey, Ticket]:
    # Lock in the order ticket, survey (as every ticket write does), so a double click and an
    # agent reopening at the same instant end in one outcome.
    ticket = Ticket.objects.select_for_update().get(pk=survey.ticket_id)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if actor.pk != survey.requester_id:
        raise FeedbackError(_("Only the person who asked can rate this."))
    if not survey.is_pending:
        raise FeedbackError(_("Thank you, this was already answered. Nothing was changed."))
    if not _is_current(survey, ticket):
        raise FeedbackError(_("This was reopened meanwhile, so there is nothing to rate "
                              "right now. Nothing was changed."))
    return survey, ticket


@transaction.atomic
def survey_answer(*, survey: Survey, actor: User, rating, effort=None, comment: str = "",
                  channel: str = Channel.PORTAL) -> Survey:
    """Record the requester's rating (1-5, required), ease (1-5, optional) and comment.

    Raises FeedbackError for a score out of range, someone else's survey, a second answer, or
    a ticket that was reopened meanwhile. Writes ``feedback.survey.answered``.
    """
    rating = _parse_score(rating, required=True, message=_("Please choose a rating from 1 to 5."))
    effort = _parse_score(effort, required=False,
                          message=_("Please choose how easy it was, from 1 to 5."))
    survey, ticket = _locked(survey, actor)
    survey.rating, survey.effort = rating, effort
    survey.comment = (comment or "").strip()[:4000]
    survey.status, survey.channel, survey.answered_at = (SurveyStatus.ANSWERED, channel,
                                                         timezone.now())
    survey.save(update_fields=["rating", "effort", "comment", "status", "channel",
                               "answered_at"])
    activity_log(ticket, actor, "feedback.survey.answered", rating=rating, effort=effort,
                 channel=channel)
    return survey


@transaction.atomic
def survey_add_details(*, survey: Survey, actor: User, effort=None, comment: str = "") -> Survey:
    """After a one-click rating: add how easy it was and a comment, once."""
    effort = _parse_score(effort, required=False,
                          message=_("Please choose how easy it was, from 1 to 5."))
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    comment = (comment or "").strip()[:4000]
    if actor.pk != survey.requester_id:
        raise FeedbackError(_("Only the person who asked can rate this."))
    if survey.status != SurveyStatus.ANSWERED or survey.effort is not None or survey.comment:
        raise FeedbackError(_("Thank you, this was already answered. Nothing was changed."))
    if effort is None and not comment:
        raise FeedbackError(_("Please choose how easy it was or write a comment."))
    survey.effort, survey.comment = effort, comment
    survey.save(update_fields=["effort", "comment"])
    return survey


@transaction.atomic
def survey_reopen(*, survey: Survey, actor: User, note: str,
                  channel: str = Channel.PORTAL) -> Survey:
    """"Not fixed": reopen the ticket with the requester's note (required).

    Only within FEEDBACK_REOPEN_DAYS of the resolution and while the ticket is resolved (a
    closed ticket stays closed); raises ReopenTooLate otherwise. Adds the note as a message,
    moves the ticket back to "in progress" (the team is told) and writes
    ``feedback.survey.reopened``; the next resolution asks again.
    """
    from concierge.tickets.services import comment_add, ticket_change_status

    note = (note or "").strip()
    if not note:
        raise FeedbackError(_("Please tell us what is still not working."))
    survey, ticket = _locked(survey, actor)
    if ticket.status != TicketStatus.RESOLVED or timezone.now() > reopen_deadline(survey):
        raise ReopenTooLate(_("This can no longer be reopened. Please open a new request and "
                              "mention %(number)s.") % {"number": ticket.number})
    survey.status, survey.reopen_note, survey.channel = SurveyStatus.REOPENED, note[:4000], channel
    survey.answered_at = timezone.now()
    survey.save(update_fields=["status", "reopen_note", "channel", "answered_at"])
    comment_add(ticket=ticket, author=actor, body=_("Not fixed: %(note)s") % {"note": note})
    ticket_change_status(ticket=ticket, actor=actor, status=TicketStatus.IN_PROGRESS,
                         reason=note)
    activity_log(ticket, actor, "feedback.survey.reopened", channel=channel)
    return survey
