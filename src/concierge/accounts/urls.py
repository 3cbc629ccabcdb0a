from django.urls import path

from concierge.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("people/", views.people_search, name="people-search"),
    path("my-data/", views.data_export, name="data-export"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:session_id>/end/", views.session_end_view, name="session-end"),
    path("sessions/end-others/", views.session_end_others_view, name="session-end-others"),
]
