from django.urls import path

from concierge.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.reset_start, name="reset"),
    path("code/", views.reset_code, name="reset-code"),
    path("choose/", views.reset_choose, name="reset-choose"),
    path("done/", views.reset_done, name="reset-done"),
    path("change/", views.password_change, name="change"),
    path("contact/", views.contact, name="contact"),
    path("changes/<int:pk>/undo/", views.change_undo, name="change-undo"),
]
