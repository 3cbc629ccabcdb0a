from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concierge.accounts.forms import ProfileForm
from concierge.accounts.selectors import colleague_search_for
from concierge.accounts.services import profile_update
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
    return render(request, "accounts/profile.html", {"form": form})


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
