"""Every write to requests and incidents: drafts, submitting, status, comments, files."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.accounts.selectors import colleague_get_for
from concierge.catalog.models import CatalogItem
from concierge.catalog.pricing import price_for
from concierge.catalog.selectors import handling_group_for
from concierge.catalog.wizard import answer_display, answers_problems, default_answers, wizard_spec
from concierge.core.files import DEFAULT_KINDS, check_upload
from concierge.core.i18n import localize
from concierge.core.worker import enqueue_with_transaction
from concierge.tickets.choices import (
    TRANSITIONS,
    Priority,
    TicketKind,
    TicketStatus,
    priority_for,
)
from concierge.tickets.models import Activity, Attachment, Comment, Draft, Ticket

ENGINE_KEYS = {"for_whom", "requested_for"}

logger = logging.getLogger(__name__)


class TicketError(Exception):
    """A change that is not allowed; the message is meant for the person who tried it."""


class AnswersInvalid(TicketError):
    """Stored answers no longer pass the form (it changed, or a file went missing)."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__(_("Some answers need your attention."))


def activity_log(ticket: Ticket, actor: User | None, action: str, **data) -> Activity:
    """Write one entry of the request's activity (the audit trail every app writes to)."""
    return Activity.objects.create(ticket=ticket, actor=actor, action=action, data=data)


def _notify_after_commit(activity: Activity) -> None:
    from concierge.tickets.tasks import ticket_notify

    enqueue_with_transaction(ticket_notify, activity.pk)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` plus ``days`` working days (Monday to Friday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


# --- files ------------------------------------------------------------------------------------

def attachment_store(*, upload: UploadedFile, uploaded_by: User, allowed_kinds=DEFAULT_KINDS,
                     max_mb: int | None = None, **links) -> Attachment:
    """Check ``upload`` by its content and keep it; raises ValidationError for the user."""
    checked = check_upload(upload, allowed_kinds=allowed_kinds,
                           max_mb=min(max_mb or settings.ATTACHMENT_MAX_MB,
                                      settings.ATTACHMENT_MAX_MB))
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    attachment = Attachment(name=name, content_type=checked.content_type, size=checked.size,
                            uploaded_by=uploaded_by, **links)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


# --- drafts -----------------------------------------------------------------------------------

def draft_start(*, user: User, item: CatalogItem) -> Draft:
    """The person's draft for ``item``, created with profile defaults when there is none."""
    draft = Draft.objects.filter(user=user, item=item).first()
    if draft is None:
        draft = Draft.objects.create(user=user, item=item,
                                     answers=default_answers(wizard_spec(item), user))
    return draft


@transaction.atomic
def draft_save(*, draft: Draft, step_key: str, answers: dict,
               uploads: dict[str, UploadedFile] | None = None) -> Draft:
    """Merge one step's answers into the draft and keep its uploads.

    Answers of questions that are hidden by the new answers stay in the draft (the person may
    switch back); they are dropped at submit. Raises ValidationError for a rejected file.
    """
    spec = wizard_spec(draft.item)
    for key, upload in (uploads or {}).items():
        question = spec.question(key)
        stored = attachment_store(
            upload=upload, uploaded_by=draft.user, draft=draft, question_key=key,
            allowed_kinds=question.options.get("allowed_types") or DEFAULT_KINDS,
            max_mb=question.options.get("max_size_mb"),
        )
        _attachments_delete(draft.attachments.filter(question_key=key).exclude(pk=stored.pk))
    draft.answers = {**draft.answers, **answers}
    draft.step = step_key
    draft.save(update_fields=["answers", "step", "updated_at"])
    return draft


def _attachments_delete(attachments) -> None:
    """Delete attachment rows and their files (deleting a row leaves its file behind)."""
    for attachment in attachments:
        attachment.file.delete(save=False)
        attachment.delete()


def draft_remove_upload(*, draft: Draft, key: str) -> None:
    _attachments_delete(draft.attachments.filter(question_key=key))


def draft_discard(*, draft: Draft) -> None:
    """Delete the draft with the files uploaded to it."""
    _attachments_delete(draft.attachments.all())
    draft.delete()


# --- submitting -------------------------------------------------------------------------------

@transaction.atomic
def ticket_submit(*, requester: User, item: CatalogItem, answers: dict,
                  draft: Draft | None = None) -> Ticket:
    """Create a request or incident from validated answers.

    Re-validates every visible answer against the item's current form (raises AnswersInvalid),
    keeps question texts, choice labels and prices as they are now, moves the draft's files to
    the ticket, deletes the draft, writes ``tickets.ticket.submitted`` and e-mails the requester
    (and the person it is for) after commit. Routes the ticket to the IT group that handles the
    item (``ticket_route_new``), so it shows in that group's desk queue.
    """
    spec = wizard_spec(item)
    uploads = {a.question_key: a for a in draft.attachments.all()} if draft else {}
    problems = answers_problems(spec, answers, viewer=requester, uploaded_keys=set(uploads))
    if problems:
        raise AnswersInvalid(problems)
    visible = spec.visible_questions(answers)

    requested_for = requester
    if answers.get("for_whom") == "someone_else" and answers.get("requested_for"):
        requested_for = colleague_get_for(requester, str(answers["requested_for"]["id"]))
        if requested_for is None:
            raise AnswersInvalid({spec.steps[0].key: [_("That colleague cannot be found.")]})

    step_of = {q.key: step.key for step in spec.steps for q in step.questions}
    snapshot = []
    for question in visible:
        if question.key in ENGINE_KEYS:
            continue
        if question.type == "attachment":
            upload = uploads.get(question.key)
            value = {"key": upload.key.hex, "name": upload.name} if upload else None
            display = upload.name if upload else ""
        else:
            value = answers.get(question.key)
            display = answer_display(question, value) if value not in (None, "", []) else ""
        snapshot.append({"key": question.key, "type": question.type, "label": question.label,
                         "value": value, "display": display, "step": step_of[question.key]})

    price = price_for(item, spec, answers)
    kind = TicketKind.INCIDENT if item.is_incident else TicketKind.REQUEST
    title = answers.get("summary") or localize(item.name, requester.language)
    now = timezone.now()
    ticket = Ticket.objects.create(
        kind=kind,
        title=str(title)[:200],
        priority=priority_for(answers.get("impact"), answers.get("urgency"))
        if kind == TicketKind.INCIDENT else Priority.MEDIUM,
        requester=requester,
        requested_for=requested_for,
        organisation_id=requester.organisation_id,
        item=item,
        item_name=item.name,
        answers=snapshot,
        price_once=price.once,
        price_monthly=price.monthly,
        delivery_days=item.delivery_days,
        due_at=add_working_days(now, item.delivery_days) if item.delivery_days else None,
    )
    if draft is not None:
        draft.attachments.update(ticket=ticket, draft=None)
        draft.delete()
    activity = activity_log(ticket, requester, "tickets.ticket.submitted")
    _notify_after_commit(activity)
    ticket_route_new(ticket=ticket, group=handling_group_for(item))
    from concierge.approvals.services import approval_start

    if approval_start(ticket=ticket, item=item, answers=answers, price=price):
        ticket.status = TicketStatus.WAITING_APPROVAL
        ticket.save(update_fields=["status", "updated_at"])
        activity_log(ticket, None, "tickets.ticket.status_changed",
                     old=TicketStatus.SUBMITTED, new=TicketStatus.WAITING_APPROVAL)
    else:
        from concierge.fulfilment.services import fulfilment_start

        fulfilment_start(ticket=ticket)
        ticket.refresh_from_db()
    from concierge.sla.services import sla_start

    sla_start(ticket=ticket)
    return ticket


@transaction.atomic
def ticket_route_new(*, ticket: Ticket, group: Group | None) -> Ticket:
    """Give a new ticket to the IT group that handles it, before anyone has routed it.

    Writes ``tickets.ticket.routed`` like the desk's routing does, with no actor (the catalog's
    rule did it). A no-op without a group, or when the ticket already has one (never overrides
    a person's choice). Portal tickets get their item's group (``ticket_submit``); tickets by
    e-mail have no item and stay unrouted unless their channel calls this with a group.
    """
    if group is None or ticket.group_id is not None:
        return ticket
    ticket.group = group
    ticket.save(update_fields=["group", "updated_at"])
    activity_log(ticket, None, "tickets.ticket.routed", old=None, new=group.pk)
    return ticket


# --- after submitting -------------------------------------------------------------------------

@transaction.atomic
def ticket_change_status(*, ticket: Ticket, actor: User | None, status: str,
                         reason: str = "") -> Ticket:
    """Move a ticket to ``status`` if the workflow allows it; e-mails the requester.

    Resolving asks the requester for their verdict (``feedback.services.survey_open``).

    Cancelling withdraws the approvals still open. ``reason`` (a rejection's) goes into the
    activity and the e-mail.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status not in TRANSITIONS.get(ticket.status, set()):
        raise TicketError(_("A ticket that is “%(old)s” cannot become “%(new)s”.") % {
            "old": TicketStatus(ticket.status).label, "new": TicketStatus(status).label})
    old = ticket.status
    ticket.status = status
    fields = ["status", "updated_at"]
    now = timezone.now()
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status in (TicketStatus.CLOSED, TicketStatus.CANCELLED, TicketStatus.REJECTED):
        ticket.closed_at = now
        fields.append("closed_at")
    elif status == TicketStatus.IN_PROGRESS and ticket.resolved_at:
        ticket.resolved_at = None
        fields.append("resolved_at")
    if old == TicketStatus.WAITING_FOR_YOU and ticket.waiting_reminded_at:
        ticket.waiting_reminded_at = None
        fields.append("waiting_reminded_at")
    from concierge.sla.services import sla_on_status

    fields += sla_on_status(ticket=ticket, old=old, new=status, now=now)
    ticket.save(update_fields=fields)
    if status == TicketStatus.CANCELLED:
        from concierge.approvals.services import approval_withdraw

        approval_withdraw(ticket=ticket)
    data = {"old": old, "new": status, **({"reason": reason} if reason else {})}
    activity = activity_log(ticket, actor, "tickets.ticket.status_changed", **data)
    _notify_after_commit(activity)
    if status == TicketStatus.RESOLVED:
        from concierge.feedback.services import survey_open

        survey_open(ticket=ticket)  # the requester's verdict on this resolution
    return ticket


def ticket_move(*, ticket: Ticket, actor: User, status: str) -> Ticket:
    """An agent moves a ticket by hand; it cannot skip an approval, nor resolve or close a
    request whose fulfilment tasks are still open."""
    if ticket.status == TicketStatus.WAITING_APPROVAL:
        raise TicketError(_("This request waits for approval; it moves on by itself once "
                            "approved."))
    from concierge.fulfilment.selectors import has_unfinished_tasks

    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and has_unfinished_tasks(ticket):
        raise TicketError(_("Some of its tasks are not done yet. Please finish them in the "
                            "work queue first."))
    return ticket_change_status(ticket=ticket, actor=actor, status=status)


def ticket_cancel(*, ticket: Ticket, actor: User) -> Ticket:
    """The requester withdraws a ticket that nobody has started working on."""
    if actor.pk not in (ticket.requester_id, ticket.requested_for_id):
        raise TicketError(_("Only the person who asked can cancel this."))
    if not ticket.can_be_cancelled:
        raise TicketError(_("Work on this has already started, so it can no longer be "
                            "cancelled here. Please add a comment instead."))
    return ticket_change_status(ticket=ticket, actor=actor, status=TicketStatus.CANCELLED)


@transaction.atomic
def comment_add(*, ticket: Ticket, author: User, body: str,
                files: Iterable[UploadedFile] = (), is_public: bool = True) -> Comment:
    """Add a comment with files; a closed or cancelled ticket takes no comments.

    A public comment is e-mailed to the requester (``tickets.comment.added``). An internal note
    (``is_public=False``, agents only) is written as ``tickets.note.added`` and reaches nobody
    but agents. The desk's first public answer is its first response (service levels); the
    requester's answer to a ticket waiting for them sends it back to the desk.
    """
    body = (body or "").strip()
    files = list(files)
    if not body and not files:
        raise TicketError(_("Please write a message or add a file."))
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise TicketError(_("This ticket is closed. Please open a new request instead."))
    if not is_public and not author.is_agent:
        raise TicketError(_("Only the IT team can write internal notes."))
    comment = Comment.objects.create(ticket=ticket, author=author, body=body,
                                     is_public=is_public)
    for upload in files:
        attachment_store(upload=upload, uploaded_by=author, ticket=ticket, comment=comment)
    ticket.save(update_fields=["updated_at"])
    if not is_public:
        activity_log(ticket, author, "tickets.note.added", comment=comment.pk)
        return comment
    activity = activity_log(ticket, author, "tickets.comment.added", comment=comment.pk)
    _notify_after_commit(activity)
    from_requester = author.pk in (ticket.requester_id, ticket.requested_for_id)
    if not from_requester and author.is_agent:
        from concierge.sla.services import sla_record_response

        sla_record_response(ticket=ticket, at=comment.created_at)
    elif from_requester and Ticket.objects.filter(
            pk=ticket.pk, status=TicketStatus.WAITING_FOR_YOU).exists():
        ticket_change_status(ticket=ticket, actor=author, status=TicketStatus.IN_PROGRESS)
    return comment


def validate_files(files: Iterable[UploadedFile]) -> list[str]:
    """Messages for files that would be refused, so a form can show them before saving."""
    problems = []
    for upload in files:
        try:
            check_upload(upload, max_mb=settings.ATTACHMENT_MAX_MB)
        except ValidationError as exc:
            problems.extend(exc.messages)
    return problems


# --- tickets from e-mail ----------------------------------------------------------------------

EMAIL_ITEM_NAME = {"en": "E-mail", "de": "E-Mail"}
MESSAGE_LABEL = {"en": "Message", "de": "Nachricht"}


@transaction.atomic
def ticket_create_from_mail(*, requester: User, title: str, body: str,
                            files: Iterable[UploadedFile] = (), message_id: str = "",
                            follow_up_of: Ticket | None = None) -> tuple[Ticket, list[str]]:
    """An incident from an e-mail (``mailin``), made the way ``ticket_submit`` makes one.

    Numbered like every ticket, in the requester's organisation, for the requester, with the
    mail's text as its one answer ("Message") and default priority. Files go through the
    portal's upload checks; those refused are named under the message (in the requester's
    language) and returned, so the caller can record them. Writes ``tickets.ticket.submitted``
    (``channel="email"``, the mail's Message-ID, the closed ticket it follows up), starts the
    service-level clock and confirms to the requester after commit, as the portal does. There
    is no service, so no approval and no fulfilment plan.
    """
    from django.utils import translation

    ticket = Ticket.objects.create(
        kind=TicketKind.INCIDENT, title=(title.strip() or "-")[:200],
        priority=priority_for(None, None), requester=requester, requested_for=requester,
        organisation_id=requester.organisation_id, item=None, item_name=EMAIL_ITEM_NAME,
        answers=[{"key": "description", "type": "textarea", "label": MESSAGE_LABEL,
                  "value": body, "display": body, "step": "email"}])
    refused = []
    for upload in files:
        try:
            attachment_store(upload=upload, uploaded_by=requester, ticket=ticket)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    if refused:
        with translation.override(requester.language or settings.LANGUAGE_CODE):
            note = _("Files that were not accepted:") + "\n" + "\n".join(
                f"- {reason}" for reason in refused)
        text = f"{body}\n\n{note}".strip()
        ticket.answers[0].update(value=text, display=text)
        ticket.save(update_fields=["answers", "updated_at"])
    data = {"channel": "email", "message_id": message_id}
    if follow_up_of is not None:
        data["follow_up_of"] = follow_up_of.pk
    activity = activity_log(ticket, requester, "tickets.ticket.submitted", **data)
    _notify_after_commit(activity)
    from concierge.sla.services import sla_start

    sla_start(ticket=ticket)
    return ticket, refused


# --- retention --------------------------------------------------------------------------------

FILES_RETENTION_BATCH = 100
FILES_DELETED_NOTE = {"en": "Deleted after the request was closed, as the retention rules say",
                      "de": "Nach dem Abschluss der Anfrage gemäß den Aufbewahrungsregeln gelöscht"}


def ticket_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of tickets closed more than ``RETENTION_CLOSED_FILES_DAYS`` ago (0: keep).

    Per ticket, in its own transaction: the files (on a request's answers, the ticket and its
    messages) and their rows go, an answer that held one says it was deleted, and
    ``tickets.ticket.files_deleted`` records how many went and why. Works through the
    tickets a batch at a time and is idempotent (a ticket without files is not looked at
    again); a file already missing from storage is no error. Returns how many files went.
    """
    days = settings.RETENTION_CLOSED_FILES_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    closed = Attachment.objects.filter(
        ticket__status__in=[TicketStatus.CLOSED, TicketStatus.CANCELLED, TicketStatus.REJECTED],
        ticket__closed_at__lt=cutoff)
    deleted, after = 0, 0
    while True:
        ticket_ids = list(closed.filter(ticket_id__gt=after).order_by("ticket_id")
                          .values_list("ticket_id", flat=True).distinct()[:FILES_RETENTION_BATCH])
        if not ticket_ids:
            return deleted
        for ticket_id in ticket_ids:
            try:
                deleted += _ticket_files_delete(ticket_id, days=days)
            except Exception:
                # One ticket whose files cannot go (storage refuses) must not stop the others;
                # it is tried again at the next run.
                logger.exception("retention: the files of ticket %s could not be deleted",
                                 ticket_id)
        after = ticket_ids[-1]


@transaction.atomic
def _ticket_files_delete(ticket_id: int, *, days: int) -> int:
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    files = list(ticket.attachments.only("pk", "key", "name", "file").order_by("pk"))
    if not files:
        return 0
    keys = {attachment.key.hex for attachment in files}
    answers = ticket.answers
    for answer in answers:
        value = answer.get("value")
        if answer.get("type") == "attachment" and isinstance(value, dict) \
                and value.get("key") in keys:
            answer["value"], answer["display"] = None, FILES_DELETED_NOTE
    ticket.answers = answers
    ticket.save(update_fields=["answers"])  # not updated_at: nobody changed the request
    # The note says how many went and why; not their names, which can be personal data too.
    activity_log(ticket, None, "tickets.ticket.files_deleted", days=days, count=len(files))
    # Files first, then the rows in the same transaction: if anything fails the rows stay, and
    # the next run deletes again (deleting a missing file is no error), so none is left behind.
    for attachment in files:
        attachment.file.delete(save=False)
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in files]).delete()
    return len(files)
