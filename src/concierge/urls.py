from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Concierge administration")
admin.site.site_title = _("Concierge administration")
admin.site.index_title = _("Configuration")
# The admin signs in through allauth too: same lock-out, second factor and audit.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("concierge.portal.urls")),
    path("services/", include("concierge.catalog.urls")),
    path("requests/", include("concierge.tickets.urls")),
    path("approvals/", include("concierge.approvals.urls")),
    path("work/", include("concierge.fulfilment.urls")),
    path("feedback/", include("concierge.feedback.urls")),
    path("api/", include("concierge.api.urls")),
    path("desk/", include("concierge.desk.urls")),
    path("reports/", include("concierge.reports.urls")),
    path("profile/", include("concierge.accounts.urls")),
    path("search/", include("concierge.search.urls")),
    path("help/", include("concierge.knowledge.urls")),
    path("notifications/", include("concierge.notifications.urls")),
    path("password/", include("concierge.directory.urls")),
    # allauth's unstyled sessions page: ours (profile/sessions/) lists and ends them, through
    # the same allauth.usersessions models. Every method is sent there; nothing is ended here.
    path("accounts/sessions/", RedirectView.as_view(pattern_name="accounts:sessions",
                                                    permanent=True)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
