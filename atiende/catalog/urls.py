from django.urls import path

from atiende.catalog import views

urlpatterns = [
    path("", views.catalog_index, name="catalog_index"),
    path("<int:item_id>/", views.catalog_item, name="catalog_item"),
]
