from django.urls import path

from concierge.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("<int:pk>/", views.vote_detail, name="detail"),
    path("decide/<str:token>/", views.vote_email, name="email"),
    path("deputies/", views.delegation_list, name="delegations"),
    path("deputies/<int:pk>/delete/", views.delegation_delete, name="delegation-delete"),
]
