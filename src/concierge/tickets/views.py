from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.approvals.selectors import approvals_of
from concierge.catalog.pricing import price_for
from concierge.catalog.selectors import item_get_for
from concierge.catalog.wizard import StepForm, answers_problems, peek, wizard_spec
from concierge.core.htmx import is_partial_request, render_page_or_partial
from concierge.core.i18n import localize
from concierge.feedback.selectors import survey_current_for
from concierge.fulfilment.selectors import tasks_of
from concierge.search.selectors import describe_question
from concierge.search.services import deflection_close
from concierge.tickets import selectors, services
from concierge.tickets.forms import CommentForm, StatusForm, TicketFilterForm
from concierge.tickets.progress import ticket_progress
from concierge.tickets.timeline import ticket_timeline

# --- My requests ------------------------------------------------------------------------------


@login_required
@require_GET
def ticket_list(request):
    form = TicketFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.ticket_list_for(request.user, state=filters.get("state") or "open",
                                        query=filters.get("q", ""), kind=filters.get("kind", ""))
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "state": filters.get("state") or "open",
               "drafts": selectors.draft_list_for(request.user)}
    return render_page_or_partial(request, "tickets/ticket_list.html", context, partial="results")


@login_required
@require_GET
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get_for(request.user, pk)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


def _detail_context(request, ticket, *, comment_form=None):
    activities = list(ticket.activities.all())
    comments = ticket.comments.filter(is_public=True).select_related("author") \
        .prefetch_related("attachments")
    return {
        "ticket": ticket,
        "timeline": ticket_timeline(ticket, activities),
        "comments": comments,
        "answers": ticket.answers,
        "files": ticket.attachments.filter(comment__isnull=True),
        "comment_form": comment_form or CommentForm(),
        "status_form": StatusForm(initial={"status": ticket.status}) if request.user.is_agent
        else None,
        "progress": ticket_progress(ticket, approvals_of(ticket), tasks_of(ticket),
                                    user_id=request.user.pk),
        "survey": survey_current_for(request.user, ticket),
        "can_cancel": ticket.can_be_cancelled and request.user.pk in (
            ticket.requester_id, ticket.requested_for_id),
    }


@login_required
@require_POST
def comment_create(request, pk: int):
    ticket = selectors.ticket_get_for(request.user, pk)
    form = CommentForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            services.comment_add(ticket=ticket, author=request.user,
                                 body=form.cleaned_data["body"], files=form.cleaned_data["files"])
        except services.TicketError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("files", exc.messages)
        else:
            if not is_partial_request(request):
                messages.success(request, _("Your message was added."))
                return redirect(ticket.get_absolute_url() + "#comments")
            form = CommentForm()
    if form.errors:
        status = 422 if is_partial_request(request) else 200
    context = _detail_context(request, ticket, comment_form=form)
    return render_page_or_partial(request, "tickets/ticket_detail.html", context,
                                  partial="comments", status=status)


@login_required
@require_POST
def ticket_cancel(request, pk: int):
    ticket = selectors.ticket_get_for(request.user, pk)
    try:
        services.ticket_cancel(ticket=ticket, actor=request.user)
    except services.TicketError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your request was cancelled."))
    return redirect(ticket.get_absolute_url())


@login_required
@require_POST
def ticket_status(request, pk: int):
    """Agents move a ticket along (the full agent desk comes later)."""
    if not request.user.is_agent:
        return HttpResponseForbidden(_("Only agents may change the status."))
    ticket = selectors.ticket_get_for(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_move(ticket=ticket, actor=request.user,
                                 status=form.cleaned_data["status"])
        except services.TicketError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, _("Please choose a valid status."))
    return redirect(ticket.get_absolute_url())


@login_required
@require_GET
def attachment_download(request, key):
    attachment = selectors.attachment_get_for(request.user, key)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The request wizard -----------------------------------------------------------------------


class Wizard:
    """Where the person is in an item's form: visible steps, this step, the next and previous."""

    def __init__(self, item, draft, step_key: str | None = None):
        self.item = item
        self.draft = draft
        self.spec = wizard_spec(item)
        self.steps = self.spec.visible_steps(draft.answers)
        self.step = next((s for s in self.steps if s.key == step_key), None)

    @property
    def index(self) -> int:
        return self.steps.index(self.step) if self.step in self.steps else len(self.steps)

    @property
    def total(self) -> int:
        return len(self.steps) + 1  # the review is the last step

    def url(self, step=None) -> str:
        if step is None:
            return reverse("tickets:wizard-review", args=[self.item.slug])
        return reverse("tickets:wizard-step", args=[self.item.slug, step.key])

    def next_url(self, answers: dict) -> str:
        steps = self.spec.visible_steps(answers)
        keys = [s.key for s in steps]
        after = keys.index(self.step.key) + 1 if self.step.key in keys else len(keys)
        return self.url(steps[after]) if after < len(steps) else self.url()

    def previous_url(self) -> str | None:
        return self.url(self.steps[self.index - 1]) if self.index > 0 else None

    def progress(self) -> list[dict]:
        items = [{"title": localize(s.title), "url": self.url(s), "index": i + 1,
                  "state": "done" if i < self.index else "current" if i == self.index
                  else "upcoming"} for i, s in enumerate(self.steps)]
        items.append({"title": _("Check and send"), "url": self.url(), "index": len(items) + 1,
                      "state": "current" if self.step is None else "upcoming"})
        return items


def _step_context(wizard: Wizard, form: StepForm, **extra) -> dict:
    uploads = {a.question_key: a for a in wizard.draft.attachments.all()}
    return {"wizard": wizard, "item": wizard.item, "form": form, "step": wizard.step,
            "uploads": uploads, "progress": wizard.progress(), **extra}


def _step_form(wizard: Wizard, request, answers: dict, *, bound: bool) -> StepForm:
    questions = wizard.spec.visible_in_step(wizard.step, answers)
    uploaded = set(wizard.draft.attachments.values_list("question_key", flat=True))
    return StepForm(questions=questions, viewer=request.user, answers=answers,
                    uploaded_keys=uploaded, controlling_keys=wizard.spec.controlling_keys,
                    refresh_url=reverse("tickets:wizard-fields",
                                        args=[wizard.item.slug, wizard.step.key]),
                    data=request.POST if bound else None,
                    files=request.FILES if bound else None)


def _posted_answers(wizard: Wizard, request) -> dict:
    """The draft's answers with what was just typed on this step (read leniently)."""
    posted = {q.key: peek(q, request.POST) for q in wizard.step.questions
              if q.type != "attachment"}
    return {**wizard.draft.answers, **posted}


def _prefill_description(draft, text: str) -> None:
    """``?describe=`` (from search and "Still need help?"): the text goes into the form's
    "what is wrong, in a few words" question unless the draft already has an answer there."""
    question = describe_question(wizard_spec(draft.item))
    if question is None or draft.answers.get(question.key):
        return
    limit = question.options.get("max_length") or 200
    services.draft_save(draft=draft, step_key=draft.step, answers={question.key: text[:limit]})


@login_required
@require_GET
def wizard_start(request, slug: str):
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    describe = " ".join(request.GET.get("describe", "").split())
    if describe:
        _prefill_description(draft, describe)
    # Back to the step last saved, or the first one (a form without questions: the review).
    wizard = Wizard(item, draft, draft.step)
    step = wizard.step or (wizard.steps[0] if wizard.steps else None)
    return redirect(wizard.url(step))


@login_required
@require_http_methods(["GET", "POST"])
def wizard_step(request, slug: str, step: str):
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    wizard = Wizard(item, draft, step)
    if wizard.step is None:
        # Unknown, or hidden by the answers given so far: go to the first step instead.
        return redirect(wizard.url(wizard.steps[0] if wizard.steps else None))
    if request.method == "GET":
        form = _step_form(wizard, request, draft.answers, bound=False)
        return render(request, "tickets/wizard_step.html", _step_context(wizard, form))

    answers = _posted_answers(wizard, request)
    form = _step_form(wizard, request, answers, bound=True)
    action = request.POST.get("action", "next")
    valid = form.is_valid()
    shown = set(request.POST.getlist("shown"))
    # Without JavaScript, answers on this page can reveal questions the person has not seen.
    revealed = action == "next" and bool(shown) and bool(set(form.fields) - shown)
    if action in ("back", "save") or valid or revealed:
        partial = not valid or revealed
        uploads = {key: request.FILES[key] for key in form.fields if key in request.FILES
                   and (not partial or key in form.cleaned_data)}
        try:
            services.draft_save(draft=draft, step_key=wizard.step.key, uploads=uploads,
                                answers=form.answers(only_valid=partial))
        except ValidationError as exc:
            form.add_error(next(iter(uploads)), exc.messages)
            return render(request, "tickets/wizard_step.html", _step_context(wizard, form))
    if action == "back":
        return redirect(wizard.previous_url() or item.get_absolute_url())
    if action == "save":
        messages.success(request, _("Saved. You can come back to it any time from "
                                    "“My requests”."))
        return redirect("tickets:list")
    if revealed:
        messages.info(request, _("Your answers need a few more details on this page."))
        return redirect(wizard.url(wizard.step))
    if not valid:
        return render(request, "tickets/wizard_step.html", _step_context(wizard, form))
    return redirect(wizard.next_url(draft.answers))


@login_required
@require_POST
def wizard_fields(request, slug: str, step: str):
    """htmx: the step's questions again, shown or hidden by what was just chosen."""
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    wizard = Wizard(item, draft, step)
    if wizard.step is None:
        raise Http404("No such step")
    form = _step_form(wizard, request, _posted_answers(wizard, request), bound=False)
    return render(request, "tickets/wizard_step.html#fields", _step_context(wizard, form))


@login_required
@require_POST
def wizard_remove_upload(request, slug: str, step: str, key: str):
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    services.draft_remove_upload(draft=draft, key=key)
    return redirect("tickets:wizard-step", slug=slug, step=step)


@login_required
@require_http_methods(["GET", "POST"])
def wizard_review(request, slug: str):
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    wizard = Wizard(item, draft)
    if request.method == "POST":
        try:
            ticket = services.ticket_submit(requester=request.user, item=item,
                                            answers=draft.answers, draft=draft)
        except services.AnswersInvalid as exc:
            for problems in exc.problems.values():
                for problem in problems:
                    messages.error(request, problem)
            first = wizard.spec.step(next(iter(exc.problems)))
            return redirect(wizard.url(first))
        deflection_close(user=request.user, item=item, ticket=ticket)
        messages.success(request, _("Thank you! %(number)s was sent. We will keep you posted "
                                    "by e-mail.") % {"number": ticket.number})
        return redirect(ticket.get_absolute_url())
    uploads = {a.question_key: a for a in draft.attachments.all()}
    problems = answers_problems(wizard.spec, draft.answers, viewer=request.user,
                                uploaded_keys=set(uploads))
    sections = []
    for step in wizard.steps:
        rows = []
        for question in wizard.spec.visible_in_step(step, draft.answers):
            value = draft.answers.get(question.key)
            rows.append({"question": question, "value": value,
                         "upload": uploads.get(question.key)})
        sections.append({"step": step, "url": wizard.url(step), "rows": rows,
                         "problems": problems.get(step.key, [])})
    return render(request, "tickets/wizard_review.html", {
        "wizard": wizard, "item": item, "sections": sections, "problems": problems,
        "progress": wizard.progress(), "draft": draft,
        "price": price_for(item, wizard.spec, draft.answers),
    })


@login_required
@require_POST
def wizard_discard(request, slug: str):
    item = item_get_for(request.user, slug)
    draft = services.draft_start(user=request.user, item=item)
    services.draft_discard(draft=draft)
    deflection_close(user=request.user, item=item)
    messages.info(request, _("Your draft was deleted."))
    return redirect(item.get_absolute_url())
