"""Directory self-service pages: reset or unlock from the sign-in page (four screens), change
the password while signed in, confirm a mobile number and private e-mail, undo a change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concierge.directory import selectors, services
from concierge.directory.client import (
    DirectoryError,
    DirectoryUnavailable,
    PasswordRejected,
    directory_configured,
    get_directory,
)
from concierge.directory.forms import (
    CodeForm,
    ContactCodeForm,
    MobileForm,
    NewPasswordForm,
    PasswordChangeForm,
    PrivateEmailForm,
    ResetStartForm,
)

SESSION_KEY = "directory_reset"
DONE_KEY = "directory_reset_done"


def _address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _not_connected(request):
    return render(request, "directory/not_connected.html", status=503)


@require_http_methods(["GET", "POST"])
def reset_start(request):
    """Screen 1 of 4: who are you? The answer never tells whether the account exists."""
    if not directory_configured():
        return _not_connected(request)
    form = ResetStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                challenge = services.reset_start(login=form.cleaned_data["login"],
                                                 address=_address(request))
            except services.RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except DirectoryUnavailable as exc:
                form.add_error(None, str(exc))
                status = 503
            else:
                request.session[SESSION_KEY] = str(challenge.pk)
                return redirect("directory:reset-code")
    return render(request, "directory/reset_start.html", {"form": form, "step": 1},
                  status=status)


@require_http_methods(["GET", "POST"])
def reset_code(request):
    """Screen 2 of 4: the code from the text message, e-mail or authenticator app."""
    challenge_id = request.session.get(SESSION_KEY)
    if not challenge_id or not directory_configured():
        return redirect("directory:reset")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_verify(challenge_id=challenge_id, code=form.cleaned_data["code"],
                                  address=_address(request))
        except services.ResetError as exc:
            form.add_error("code", str(exc))
        else:
            return redirect("directory:reset-choose")
    login = selectors.reset_login(challenge_id)
    return render(request, "directory/reset_code.html",
                  {"form": form, "login": login, "step": 2},
                  status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def reset_choose(request):
    """Screen 3 of 4: unlock only, or a new password."""
    challenge_id = request.session.get(SESSION_KEY)
    try:
        challenge = services.reset_verified(challenge_id) if challenge_id else None
    except services.ResetError as exc:
        messages.error(request, str(exc))
        challenge = None
    if challenge is None:
        return redirect("directory:reset")
    form = NewPasswordForm(request.POST if request.POST.get("action") == "password" else None)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unlock":
                services.reset_unlock(challenge_id=challenge.pk, address=_address(request))
                request.session[DONE_KEY] = "unlocked"
                return redirect("directory:reset-done")
            if form.is_valid():
                services.reset_set_password(challenge_id=challenge.pk,
                                            password=form.cleaned_data["password1"],
                                            address=_address(request))
                request.session[DONE_KEY] = "password"
                return redirect("directory:reset-done")
        except PasswordRejected as exc:
            errors = exc.messages
        except (DirectoryError, services.ResetError) as exc:
            errors = [str(exc)]
    try:
        person = get_directory().get_user(challenge.dn)
    except DirectoryError as exc:
        person, errors = None, [*errors, str(exc)]
    return render(request, "directory/reset_choose.html",
                  {"form": form, "person": person, "errors": errors, "step": 3,
                   "policy": selectors.policy_text()},
                  status=422 if errors or form.errors else 200)


@require_http_methods(["GET"])
def reset_done(request):
    """Screen 4 of 4: done; sign in again."""
    outcome = request.session.pop(DONE_KEY, None)
    request.session.pop(SESSION_KEY, None)
    if outcome is None:
        return redirect("directory:reset")
    return render(request, "directory/reset_done.html", {"outcome": outcome, "step": 4})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change the directory password while signed in (the current one is required)."""
    if not directory_configured():
        return _not_connected(request)
    form = PasswordChangeForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password1"], address=_address(request),
                keep_session_key=request.session.session_key)
        except PasswordRejected as exc:
            errors = exc.messages
        except DirectoryError as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("Your password was changed. Use it everywhere from "
                                        "now on; other devices were signed out."))
            return redirect("accounts:profile")
    return render(request, "directory/password_change.html",
                  {"form": form, "errors": errors, "policy": selectors.policy_text()},
                  status=422 if errors or form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def contact(request):
    """The mobile number and private e-mail address codes for a reset go to, confirmed."""
    user = request.user
    forms_by_field = {"mobile": MobileForm, "private_email": PrivateEmailForm}
    field = request.POST.get("field", "")
    bound = {name: form_class(request.POST if field == name and
                              request.POST.get("action") == "send" else None,
                              initial={name: getattr(user, name)})
             for name, form_class in forms_by_field.items()}
    code_form = ContactCodeForm(request.POST if request.POST.get("action") == "verify"
                                else None)
    error, status = "", 200
    if request.method == "POST":
        if field not in forms_by_field:
            return redirect("directory:contact")
        try:
            if request.POST.get("action") == "verify":
                if code_form.is_valid():
                    services.contact_verify(user=user, field=field, session=request.session,
                                            code=code_form.cleaned_data["code"])
                    messages.success(request, _("Thank you, that is confirmed."))
                    return redirect("directory:contact")
                status = 422
            elif bound[field].is_valid():
                services.contact_code_send(user=user, field=field, session=request.session,
                                           value=bound[field].cleaned_data[field])
                messages.info(request, _("We sent a code. Please enter it below."))
                return redirect("directory:contact")
            else:
                status = 422
        except services.ResetError as exc:
            error, status = str(exc), 422
    pending = {name for name in forms_by_field
               if request.session.get(f"directory-contact-{name}") and getattr(user, name)}
    return render(request, "directory/contact.html",
                  {"forms": bound, "code_form": code_form, "pending": pending, "error": error,
                   "error_field": field}, status=status)


@login_required
@require_POST
def change_undo(request, pk: int):
    """An agent undoes (or cancels) one directory change made for a request."""
    change = selectors.change_get_for(request.user, pk)
    try:
        services.change_undo(change=change, actor=request.user)
    except (services.ResetError, DirectoryError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Undone. The request's activity records it."))
    return redirect(change.ticket.get_absolute_url())
