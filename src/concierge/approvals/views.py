from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concierge.accounts.selectors import colleague_get_for
from concierge.approvals import selectors, services
from concierge.approvals.choices import Channel, Decision
from concierge.approvals.forms import (
    BulkDecisionForm,
    DecisionForm,
    DelegationForm,
    ReasonForm,
)
from concierge.approvals.models import Delegation
from concierge.feedback.selectors import survey_todo_for
from concierge.fulfilment.selectors import my_tasks_for


@login_required
@require_http_methods(["GET", "POST"])
def vote_list(request):
    """My approvals: everything waiting for a decision, with several decided at once."""
    votes = list(selectors.vote_list_for(request.user))
    form = BulkDecisionForm(request.POST or None, vote_ids=[v.pk for v in votes])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == Decision.REJECTED and not data["reason"].strip():
            form.add_error("reason", _("Please say why you reject them."))
        else:
            chosen = [v for v in votes if v.pk in set(data["votes"])]
            done, problems = services.approval_decide_many(
                votes=chosen, actor=request.user, decision=data["decision"],
                reason=data["reason"])
            for problem in problems:
                messages.error(request, problem)
            if done:
                messages.success(request, _("%(n)s decision(s) saved.") % {"n": done})
            return redirect("approvals:list")
    return render(request, "approvals/vote_list.html", {
        "votes": votes, "form": form, "my_tasks": my_tasks_for(request.user),
        "surveys": survey_todo_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def vote_detail(request, pk: int):
    vote = selectors.vote_get_for(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide(vote=vote, actor=request.user, **form.cleaned_data)
        except services.ApprovalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you, your decision was saved."))
            return redirect("approvals:list")
    return render(request, "approvals/vote_detail.html", _vote_context(vote, form))


def _vote_context(vote, form) -> dict:
    ticket = vote.approval.ticket
    return {"vote": vote, "ticket": ticket, "form": form,
            "stages": selectors.approvals_of(ticket)}


@require_http_methods(["GET", "POST"])
def vote_email(request, token: str):
    """The link from the e-mail: GET shows what will happen, only POST decides."""
    try:
        vote, decision = selectors.vote_from_token(token)
    except selectors.LinkInvalid:
        return render(request, "approvals/link_invalid.html", status=400)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide(vote=vote, actor=vote.approver, channel=Channel.EMAIL,
                                     decision=decision, reason=form.cleaned_data["reason"])
        except services.ApprovalError as exc:
            form.add_error(None, str(exc))
        else:
            done = True
    vote.refresh_from_db()
    context = {**_vote_context(vote, form), "decision": decision, "done": done,
               "token": token}
    return render(request, "approvals/vote_email.html", context,
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delegation_list(request):
    """Out of office: name a deputy who approves for you meanwhile."""
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deputy = colleague_get_for(request.user, form.cleaned_data["deputy_email"])
        if deputy is None:
            form.add_error("deputy_email", _("We could not find that colleague."))
        else:
            try:
                services.delegation_create(user=request.user, deputy=deputy,
                                           starts_on=form.cleaned_data["starts_on"],
                                           ends_on=form.cleaned_data["ends_on"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error("deputy_email" if field == "deputy" else
                                   field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your deputy was saved."))
                return redirect("approvals:delegations")
    delegations = Delegation.objects.filter(user=request.user).select_related("deputy")
    return render(request, "approvals/delegation_list.html",
                  {"form": form, "delegations": delegations})


@login_required
@require_POST
def delegation_delete(request, pk: int):
    delegation = Delegation.objects.filter(pk=pk, user=request.user).first()
    if delegation is None:
        return render(request, "404.html", status=404)
    services.delegation_delete(delegation=delegation)
    messages.success(request, _("The delegation was removed."))
    return redirect("approvals:delegations")

