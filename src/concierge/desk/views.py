"""The agents' workspace: queues and the ticket as agents work it. Everyone else gets a 404."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from concierge.accounts.models import User
from concierge.core.htmx import render_page_or_partial
from concierge.desk import selectors, services
from concierge.desk.canned import canned_fill, placeholders_for
from concierge.desk.forms import FILTER_KEYS, DeskFilterForm, ReplyForm, SavedViewForm
from concierge.desk.history import history_for
from concierge.tickets import services as ticket_services
from concierge.tickets.choices import TRANSITIONS, Priority, TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import TicketError

# Statuses the workflow sets by itself (approvals), never an agent.
NOT_BY_HAND = {TicketStatus.WAITING_APPROVAL, TicketStatus.REJECTED}


def agent_required(view):
    """Signed in and an agent; anyone else sees no desk at all (404)."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        selectors.require_agent(request.user)
        return view(request, *args, **kwargs)
    return wrapped


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- queues -----------------------------------------------------------------------------------

def _queues(user: User, groups: list[tuple[int, str]]) -> list[dict]:
    queues = [{"key": "mine", "label": _("Assigned to me")},
              {"key": "unassigned", "label": _("Unassigned")}]
    queues += [{"key": f"group-{pk}", "label": name} for pk, name in groups]
    queues.append({"key": "all", "label": _("All tickets")})
    return queues


def _columns(state: dict, sort: str) -> list[dict]:
    """Sortable column heads: a link that sorts by it (again: the other way) and aria-sort."""
    columns = []
    for key, label in [("number", _("Ticket")), ("priority", _("Priority")),
                       ("status", _("Status")), ("due", _("Due")), ("updated", _("Updated"))]:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        following = key if (current and descending) or (not current and key in ("priority",
                                                                                  "due")) \
            else f"-{key}"
        query = "?" + urlencode({**state, "sort": following})
        columns.append({
            "key": key, "label": label, "url": query, "full_url": reverse("desk:index") + query,
            "aria": ("descending" if descending else "ascending") if current else "none"})
    return columns


ROW_SECONDS = 600


def _rows(user: User, tickets: list[Ticket]) -> str:
    """The list's rows as HTML. A row changes only when its ticket or its SLA state does, so
    each is kept in the cache under what it shows and rendered again only when that changes
    (names of people and groups may lag by up to ROW_SECONDS). The desk polls every 20 s."""
    language = translation.get_language()
    keys = [f"desk-row:{t.pk}:{t.updated_at.timestamp()}:{t.status}:{t.priority}:"
            f"{t.assignee_id}:{t.group_id}:{t.sla_state}:"
            f"{t.resolution_due_at.timestamp() if t.resolution_due_at else ''}:{language}:"
            f"{int(user.is_superuser)}" for t in tickets]
    kept = cache.get_many(keys)
    rendered = {key: render_to_string("desk/_ticket_row.html", {"ticket": ticket, "user": user})
                for key, ticket in zip(keys, tickets, strict=True) if key not in kept}
    if rendered:
        cache.set_many(rendered, ROW_SECONDS)
    return mark_safe("".join(kept.get(key) or rendered[key] for key in keys))  # noqa: S308


@agent_required
@require_GET
def ticket_list(request):
    user = request.user
    params = request.GET.copy()
    saved = None
    if selectors.parse_id(params.get("view")) is not None:
        saved = selectors.saved_view_get_for(user, selectors.parse_id(params["view"]))
        for key, value in saved.filters.items():
            if key in FILTER_KEYS and key not in params:
                params[key] = str(value)
    form = DeskFilterForm(params, user=user)
    filters = form.filters()
    groups = selectors.agent_groups(user)
    queues = _queues(user, groups)
    queue = params.get("queue") or "mine"
    if queue not in {q["key"] for q in queues}:
        queue = "mine"
    sort = filters.get("sort") or selectors.DEFAULT_SORT
    tickets = selectors.desk_ticket_list(user, queue=queue, filters=filters, sort=sort)
    page = Paginator(selectors.TicketPage(tickets), selectors.PAGE_SIZE).get_page(
        params.get("page"))
    state = {"queue": queue, **{k: v for k, v in filters.items() if k != "sort"}}
    rows = _rows(user, page.object_list)
    context = {
        "form": form, "filters": {"status": "open", **filters}, "page": page, "rows": rows,
        "queues": queues, "queue": queue, "sort": sort,
        "saved": saved, "saved_views": selectors.saved_views_for(user),
        "state_query": urlencode(state), "sort_query": urlencode({**state, "sort": sort}),
        "view_form": SavedViewForm(),
        "other_agents": [(pk, name) for pk, name in selectors.assignable_agent_choices(user)
                         if pk != user.pk],
        "selects": form.selects({"status": "open", **filters}),
        "statuses": [(s, label) for s, label in TicketStatus.choices if s not in NOT_BY_HAND],
        "list_url": request.get_full_path(),
        "columns": _columns(state, sort),
        "queue_label": next(q["label"] for q in queues if q["key"] == queue),
    }
    return render_page_or_partial(request, "desk/ticket_list.html", context, partial="results")


@agent_required
@require_POST
def bulk(request):
    """Assign, or change the status of, the ticked tickets, one by one through the services."""
    back = _back(request, reverse("desk:index"))
    ids = [selectors.parse_id(i) for i in request.POST.getlist("ids")[:200]]
    ids = [i for i in ids if i is not None]
    tickets = list(Ticket.objects.filter(selectors.desk_scope(request.user), pk__in=ids))
    action = request.POST.get("action", "")
    if not tickets:
        messages.error(request, _("Please tick at least one ticket."))
        return redirect(back)
    try:
        apply = _bulk_action(request, action)
    except TicketError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    done, problems = 0, []
    for ticket in tickets:
        try:
            apply(ticket)
        except TicketError as exc:
            problems.append(f"{ticket.number}: {exc}")
        else:
            done += 1
    if done:
        messages.success(request, ngettext("%(n)d ticket changed.", "%(n)d tickets changed.",
                                           done) % {"n": done})
    for problem in problems[:10]:
        messages.error(request, problem)
    return redirect(back)


def _bulk_action(request, action: str):
    actor = request.user
    if action == "assign":
        value = request.POST.get("assignee", "")
        if value == "me":
            assignee = actor
        elif value == "none":
            assignee = None
        elif selectors.parse_id(value) is not None:
            assignee = selectors.assignable_agents(actor).filter(
                pk=selectors.parse_id(value)).first()
            if assignee is None:
                raise TicketError(_("Please choose an agent."))
        else:
            raise TicketError(_("Please choose an agent."))
        return lambda t: services.ticket_assign(ticket=t, actor=actor, assignee=assignee)
    if action == "status":
        status = request.POST.get("status", "")
        if status not in TicketStatus.values:
            raise TicketError(_("Please choose a valid status."))
        return lambda t: ticket_services.ticket_move(ticket=t, actor=actor, status=status)
    raise TicketError(_("Please choose what to do with the ticked tickets."))


@agent_required
@require_POST
def view_save(request):
    form = SavedViewForm(request.POST)
    filters = DeskFilterForm(request.POST, user=request.user).filters()
    if not form.is_valid():
        messages.error(request, _("Please give the view a name (up to 80 characters)."))
        return redirect(_back(request, reverse("desk:index")))
    view = services.saved_view_save(owner=request.user, name=form.cleaned_data["name"],
                                    filters=filters, shared=form.cleaned_data["shared"])
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(f"{reverse('desk:index')}?view={view.pk}&queue=all")


@agent_required
@require_POST
def view_delete(request, pk: int):
    view = selectors.saved_view_get_for(request.user, pk)
    try:
        services.saved_view_delete(view=view, actor=request.user)
    except TicketError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The view was deleted."))
    return redirect("desk:index")


# --- one ticket -------------------------------------------------------------------------------

def _ticket_context(request, ticket: Ticket, *, reply_form=None, canned_note=None) -> dict:
    comments = (ticket.comments.select_related("author").prefetch_related("attachments"))
    return {
        "ticket": ticket,
        "answers": ticket.answers,
        "comments": comments,
        "files": ticket.attachments.filter(comment__isnull=True),
        "recent": selectors.requester_recent(ticket, request.user),
        "children": ticket.children.only("pk", "kind", "title", "status"),
        "duplicates": ticket.duplicates.only("pk", "kind", "title", "status"),
        "reply_form": reply_form or ReplyForm(),
        "canned": [(response.pk, response.title) for response in selectors.canned_responses()],
        "canned_note": canned_note,
        "agents": selectors.assignable_agent_choices(request.user),
        "groups": list(selectors.assignable_groups().values_list("pk", "name")),
        "priorities": Priority.choices,
        "next_statuses": [(s, TicketStatus(s).label) for s in TicketStatus.values
                          if s in TRANSITIONS.get(ticket.status, set())
                          and s not in NOT_BY_HAND],
        "knowledge": _knowledge_available(),
    }


def _knowledge_available() -> bool:
    from django.apps import apps

    return apps.is_installed("concierge.knowledge")


@agent_required
@require_GET
def ticket_detail(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    reply_form, canned_note = None, None
    canned_id = request.GET.get("canned", "")
    if selectors.parse_id(canned_id) is not None:
        response = next((c for c in selectors.canned_responses()
                         if c.pk == selectors.parse_id(canned_id)), None)
        if response is not None:
            filled = canned_fill(response.body, placeholders_for(ticket, request.user))
            reply_form = ReplyForm(initial={"body": filled.text, "visibility": "public"})
            if filled.unknown:
                canned_note = _("Not filled in (unknown placeholders): %(names)s") % {
                    "names": ", ".join("{" + name + "}" for name in filled.unknown)}
    context = _ticket_context(request, ticket, reply_form=reply_form, canned_note=canned_note)
    return render_page_or_partial(request, "desk/ticket_detail.html", context, partial="reply")


@agent_required
@require_GET
def ticket_history(request, number: str):
    """Everything that happened to the ticket, in words: its own page, or (htmx) loaded into
    the ticket view when the agent asks for it."""
    ticket = selectors.desk_ticket_get(request.user, number)
    return render_page_or_partial(request, "desk/ticket_history.html",
                                  {"ticket": ticket, "entries": history_for(ticket)},
                                  partial="history")


def _done(request, ticket: Ticket, message: str):
    messages.success(request, message)
    return redirect(_back(request, reverse("desk:ticket", args=[ticket.number])))


def _failed(request, ticket: Ticket, message: str):
    messages.error(request, message)
    return redirect(reverse("desk:ticket", args=[ticket.number]))


@agent_required
@require_POST
def ticket_reply(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        public = form.cleaned_data["visibility"] == "public"
        try:
            ticket_services.comment_add(ticket=ticket, author=request.user,
                                        body=form.cleaned_data["body"],
                                        files=form.cleaned_data["files"], is_public=public)
        except TicketError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("files", exc.messages)
        else:
            return _done(request, ticket, _("Your reply was sent.") if public
                         else _("Your internal note was added."))
    context = _ticket_context(request, ticket, reply_form=form)
    return render(request, "desk/ticket_detail.html", context, status=422)


@agent_required
@require_POST
def ticket_assign(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    value = request.POST.get("assignee", "")
    if value == "me":
        assignee = request.user
    elif value in ("", "none"):
        assignee = None
    else:
        assignee = selectors.assignable_agents(request.user).filter(
            pk=selectors.parse_id(value) or 0).first()
        if assignee is None:
            return _failed(request, ticket, _("Please choose an agent."))
    try:
        services.ticket_assign(ticket=ticket, actor=request.user, assignee=assignee)
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    if assignee is None:
        return _done(request, ticket, _("Nobody is assigned now."))
    return _done(request, ticket, _("Assigned to %(name)s.") % {"name": assignee.display_name})


@agent_required
@require_POST
def ticket_update(request, number: str):
    """Priority and group, from one small form."""
    ticket = selectors.desk_ticket_get(request.user, number)
    priority, group_id = request.POST.get("priority", ""), request.POST.get("group", "")
    group = None
    if group_id:
        group = selectors.assignable_groups().filter(
            pk=selectors.parse_id(group_id) or 0).first()
        if group is None:
            return _failed(request, ticket, _("Please choose a group."))
    try:
        if priority:
            ticket = services.ticket_set_priority(ticket=ticket, actor=request.user,
                                                  priority=priority)
        services.ticket_route(ticket=ticket, actor=request.user, group=group)
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    return _done(request, ticket, _("Saved."))


@agent_required
@require_POST
def ticket_status(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    status = request.POST.get("status", "")
    if status not in TicketStatus.values:
        return _failed(request, ticket, _("Please choose a valid status."))
    try:
        ticket_services.ticket_move(ticket=ticket, actor=request.user, status=status)
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    return _done(request, ticket, _("The status is now “%(status)s”.")
                 % {"status": TicketStatus(status).label})


@agent_required
@require_POST
def ticket_link(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    if request.POST.get("remove"):
        try:
            services.ticket_unlink(ticket=ticket, actor=request.user,
                                   kind=request.POST["remove"])
        except TicketError as exc:
            return _failed(request, ticket, str(exc))
        return _done(request, ticket, _("The link was removed."))
    other = _other_ticket(request)
    if other is None:
        return _failed(request, ticket, _("No ticket with that number."))
    try:
        services.ticket_link(ticket=ticket, actor=request.user, other=other,
                             kind=request.POST.get("kind", ""))
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    return _done(request, ticket, _("Linked with %(number)s.") % {"number": other.number})


def _other_ticket(request) -> Ticket | None:
    from django.http import Http404

    try:
        return selectors.desk_ticket_get(request.user, request.POST.get("other", ""))
    except Http404:
        return None


@agent_required
@require_POST
def ticket_merge(request, number: str):
    ticket = selectors.desk_ticket_get(request.user, number)
    keep = _other_ticket(request)
    if keep is None:
        return _failed(request, ticket, _("No ticket with that number."))
    try:
        services.ticket_merge(duplicate=ticket, keep=keep, actor=request.user)
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    return _done(request, keep, _("%(dup)s was merged into this ticket.")
                 % {"dup": ticket.number})


@agent_required
@require_POST
def ticket_article(request, number: str):
    """Hand the ticket's question and resolution to the knowledge base as a draft."""
    ticket = selectors.desk_ticket_get(request.user, number)
    if not _knowledge_available():
        return _failed(request, ticket, _("The knowledge base is not set up."))
    from concierge.desk.knowledge import article_from_ticket

    try:
        url = article_from_ticket(ticket=ticket, actor=request.user)
    except TicketError as exc:
        return _failed(request, ticket, str(exc))
    if url.startswith(reverse("desk:ticket", args=[ticket.number])):
        messages.success(request, _("A draft article was made from %(number)s; a knowledge "
                                    "manager will look at it.") % {"number": ticket.number})
    else:
        messages.success(request, _("A draft article was made from %(number)s. Edit it here.")
                         % {"number": ticket.number})
    return redirect(url)

