from django.urls import path

from concierge.feedback import views

app_name = "feedback"
urlpatterns = [
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/details/", views.survey_details, name="details"),
    path("<int:pk>/reopen/", views.survey_reopen, name="reopen"),
    path("rate/<str:token>/", views.survey_email, name="email"),
    path("mine/", views.results_mine, name="mine"),
    path("groups/", views.results_groups, name="groups"),
]
