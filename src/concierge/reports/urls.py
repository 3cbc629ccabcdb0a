from django.urls import path

from concierge.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report, name="index"),
    path("<slug:section>.csv", views.report_csv, name="csv"),
]
