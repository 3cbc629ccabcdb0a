from django.urls import path

from concierge.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("<int:pk>/cancel/", views.ticket_cancel, name="cancel"),
    path("<int:pk>/status/", views.ticket_status, name="status"),
    path("files/<uuid:key>/", views.attachment_download, name="attachment"),
    path("new/<slug:slug>/", views.wizard_start, name="wizard-start"),
    path("new/<slug:slug>/step/<slug:step>/", views.wizard_step, name="wizard-step"),
    path("new/<slug:slug>/step/<slug:step>/fields/", views.wizard_fields, name="wizard-fields"),
    path("new/<slug:slug>/step/<slug:step>/remove/<slug:key>/", views.wizard_remove_upload,
         name="wizard-remove-upload"),
    path("new/<slug:slug>/review/", views.wizard_review, name="wizard-review"),
    path("new/<slug:slug>/discard/", views.wizard_discard, name="wizard-discard"),
]
