from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from concierge.api import views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("desk/tickets", views.DeskTicketViewSet, basename="desk-ticket")
router.register("catalog/items", views.CatalogItemViewSet, basename="catalog-item")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    re_path(r"^v1/", views.not_found),  # anything else under v1: a JSON 404, not a page
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's local files; its set-up script is a separate
    # request, so the page needs no inline script (our CSP forbids them).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema",
                                                      template_name="api/swagger_ui.html"),
         name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/delete/", views.token_delete, name="token-delete"),
]
