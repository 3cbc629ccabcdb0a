from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concierge.notifications import selectors, services
from concierge.notifications.forms import PreferencesForm


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list_for(request.user), 30).get_page(
        request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Mark the notification read and go where it points (always inside the portal)."""
    notification = get_object_or_404(selectors.notification_list_for(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, pk=notification.pk)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect("notifications:list")
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial=PreferencesForm.initial_for(
        selectors.email_kinds_for(request.user)))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, email_kinds=form.email_kinds())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
