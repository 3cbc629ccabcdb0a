from django.urls import path

from concierge.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("people/", views.people_search, name="people-search"),
]
