from django.urls import path

from concierge.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.task_detail, name="task"),
    path("<int:pk>/claim/", views.task_claim, name="claim"),
    path("<int:pk>/done/", views.task_complete, name="complete"),
]
