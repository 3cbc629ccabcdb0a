import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.accounts.choices import Role
from concierge.feedback import selectors, services
from concierge.feedback.choices import Channel
from concierge.feedback.forms import DetailsForm, ReopenForm, SurveyForm


def _survey_context(survey, *, form=None, details_form=None, reopen_form=None) -> dict:
    return {"survey": survey, "ticket": survey.ticket,
            "current": selectors.survey_is_current(survey),
            "reopen_deadline": services.reopen_deadline(survey),
            "can_reopen": survey.is_pending and survey.ticket.status == "resolved"
            and selectors.survey_is_current(survey) and not selectors.reopen_too_late(survey),
            "form": form, "details_form": details_form, "reopen_form": reopen_form}


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request, pk: int):
    """The requester's rating page: one click on a score (from the ticket page or the to-dos)
    saves it; the ease question and a comment are optional, on the same form or after."""
    survey = selectors.survey_get_for(request.user, pk)
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.survey_answer(survey=survey, actor=request.user, **form.cleaned_data)
            except services.FeedbackError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Thank you for your rating!"))
            return redirect(survey.get_absolute_url())
    else:
        form = SurveyForm(initial={"rating": request.GET.get("rating")})
    survey.refresh_from_db()
    details = DetailsForm() if survey.status == "answered" and survey.effort is None \
        and not survey.comment else None
    status = 422 if form.errors else 200
    return render(request, "feedback/survey_detail.html",
                  _survey_context(survey, form=form, details_form=details,
                                  reopen_form=ReopenForm()), status=status)


@login_required
@require_POST
def survey_details(request, pk: int):
    survey = selectors.survey_get_for(request.user, pk)
    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            services.survey_add_details(survey=survey, actor=request.user, **form.cleaned_data)
        except services.FeedbackError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you, that helps us get better."))
            return redirect(survey.get_absolute_url())
    return render(request, "feedback/survey_detail.html",
                  _survey_context(survey, details_form=form, reopen_form=ReopenForm()),
                  status=422 if form.errors else 200)


@login_required
@require_POST
def survey_reopen(request, pk: int):
    """"Not fixed": reopen the ticket with a note (within the reopen period)."""
    survey = selectors.survey_get_for(request.user, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.survey_reopen(survey=survey, actor=request.user, **form.cleaned_data)
        except services.FeedbackError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. We have reopened %(number)s and will get "
                                        "back to you.") % {"number": survey.ticket.number})
            return redirect(survey.ticket.get_absolute_url())
    return render(request, "feedback/survey_detail.html",
                  _survey_context(survey, form=SurveyForm(), reopen_form=form), status=422)


@require_http_methods(["GET", "POST"])
def survey_email(request, token: str):
    """The link from the e-mail: GET shows the chosen score to confirm, only POST saves it."""
    try:
        survey, rating = selectors.survey_from_token(token)
    except selectors.LinkInvalid:
        return render(request, "feedback/link_invalid.html", status=400)
    form = SurveyForm(request.POST if request.method == "POST" else None,
                      initial={"rating": rating})
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(survey=survey, actor=survey.requester, channel=Channel.EMAIL,
                                   **form.cleaned_data)
        except services.FeedbackError as exc:
            form.add_error(None, str(exc))
        else:
            done = True
    survey.refresh_from_db()
    context = {**_survey_context(survey, form=form), "token": token, "done": done,
               "rating": rating}
    return render(request, "feedback/survey_email.html", context,
                  status=422 if form.errors else 200)


PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}


def _period(request) -> tuple[str, dict]:
    """The chosen period (?days=30|90|365|all, default 90) as selector bounds."""
    key = request.GET.get("days", "90")
    if key not in PERIODS:
        key = "90"
    days = PERIODS[key]
    since = timezone.now() - datetime.timedelta(days=days) if days else None
    return key, {"since": since}


@login_required
@require_GET
def results_mine(request):
    """An agent's own results: ratings, ease and reopens of the tickets they resolved."""
    if not request.user.is_agent:
        raise Http404("Agents only")
    key, bounds = _period(request)
    return render(request, "feedback/results_mine.html", {
        "summary": selectors.feedback_summary(agent=request.user, **bounds),
        "recent": selectors.feedback_recent_for(request.user),
        "period": key,
    })


@login_required
@require_GET
def results_groups(request):
    """For administrators: results per group and per agent."""
    if not request.user.has_role(Role.ADMIN):
        raise Http404("Administrators only")
    key, bounds = _period(request)
    return render(request, "feedback/results_groups.html", {
        "summary": selectors.feedback_summary(**bounds),
        "groups": selectors.feedback_by_group(**bounds),
        "agents": selectors.feedback_by_agent(**bounds),
        "period": key,
    })
