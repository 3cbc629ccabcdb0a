from django.urls import path

from concierge.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("<slug:slug>/", views.item_detail, name="item"),
]
