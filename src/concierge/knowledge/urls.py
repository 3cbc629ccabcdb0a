from django.urls import path

from concierge.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.knowledge_home, name="home"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.manage_create, name="manage-create"),
    path("manage/preview/", views.manage_preview, name="manage-preview"),
    path("manage/<int:pk>/", views.manage_edit, name="manage-edit"),
    path("manage/<int:pk>/status/", views.manage_transition, name="manage-transition"),
    path("manage/<int:pk>/pictures/", views.manage_image_upload, name="manage-image"),
    path("images/<uuid:key>/", views.image_detail, name="image"),
    path("manage/<int:pk>/history/", views.manage_history, name="manage-history"),
    path("manage/<int:pk>/translate/<str:language>/", views.manage_translate,
         name="manage-translate"),
    path("<slug:slug>/", views.article_detail, name="article"),
    path("<slug:slug>/feedback/", views.feedback_create, name="feedback"),
]
