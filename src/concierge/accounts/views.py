from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concierge.accounts.forms import ProfileForm
from concierge.accounts.mfa import mfa_required_for
from concierge.accounts.selectors import colleague_search_for, personal_data_export
from concierge.accounts.services import profile_update
from concierge.accounts.sessions import (
    describe_user_agent,
    session_end,
    session_end_others,
    session_list_for,
)
from concierge.catalog.formspec import KEY_RE


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = profile_update(user=request.user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {
        "form": form, "mfa_enabled": is_mfa_enabled(request.user),
        "mfa_required": mfa_required_for(request.user)})


@login_required
@require_GET
def people_search(request):
    """Suggestions for a person field, as a list of options (htmx)."""
    # The picker sends its own value under the field's name, and that name as ``for``.
    target = request.GET.get("for", "")
    if not KEY_RE.match(target):
        target = "q"
    people = colleague_search_for(request.user, request.GET.get(target, ""))
    return render(request, "accounts/people_suggestions.html",
                  {"people": people, "target": target})


@login_required
def session_list(request):
    """Where the person is signed in, with "end this session" and "end all others"."""
    sessions = [
        {"session": session, "current": session.is_current(),
         "browser": describe_user_agent(session.user_agent)[0],
         "device": describe_user_agent(session.user_agent)[1]}
        for session in session_list_for(request.user)]
    return render(request, "accounts/session_list.html", {"sessions": sessions})


@login_required
@require_POST
def session_end_view(request, session_id: int):
    if session_end(request=request, session_id=session_id):
        return redirect("account_login")
    messages.success(request, _("That session was ended. It is signed out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def session_end_others_view(request):
    session_end_others(request=request)
    messages.success(request, _("All your other sessions were ended."))
    return redirect("accounts:sessions")


@login_required
@require_GET
def data_export(request):
    """"Download my data": everything the portal keeps about the person, as one JSON file."""
    response = StreamingHttpResponse(personal_data_export(request.user),
                                     content_type="application/json; charset=utf-8")
    name = f"my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
