from django.urls import path

from concierge.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.ticket_list, name="index"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", views.view_save, name="view-save"),
    path("views/<int:pk>/delete/", views.view_delete, name="view-delete"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/history/", views.ticket_history, name="history"),
    path("tickets/<str:number>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<str:number>/assign/", views.ticket_assign, name="assign"),
    path("tickets/<str:number>/update/", views.ticket_update, name="update"),
    path("tickets/<str:number>/status/", views.ticket_status, name="status"),
    path("tickets/<str:number>/link/", views.ticket_link, name="link"),
    path("tickets/<str:number>/merge/", views.ticket_merge, name="merge"),
    path("tickets/<str:number>/article/", views.ticket_article, name="article"),
]
