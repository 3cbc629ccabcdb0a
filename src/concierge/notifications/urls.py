from django.urls import path

from concierge.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("read/", views.notification_read_all, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
]
