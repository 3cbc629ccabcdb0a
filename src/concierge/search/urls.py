from django.urls import path

from concierge.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="page"),
    path("instant/", views.search_instant, name="instant"),
    path("go/<slug:kind>/<slug:key>/", views.search_go, name="go"),
    path("suggest/<slug:slug>/", views.deflection_suggest, name="suggest"),
    path("deflection/<int:pk>/open/<slug:kind>/<slug:key>/", views.deflection_open,
         name="deflection-open"),
    path("deflection/<int:pk>/solved/", views.deflection_solved, name="deflection-solved"),
    path("analytics/", views.search_analytics, name="analytics"),
]
