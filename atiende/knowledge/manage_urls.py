"""The organization admin's knowledge pages, under /manage/<slug>/."""

from django.urls import path

from atiende.knowledge import manage_views as views

urlpatterns = [
    path("<slug:slug>/knowledge/categories/", views.categories,
         name="manage_knowledge_categories"),
    path("<slug:slug>/knowledge/categories/<int:category_id>/", views.category_rename,
         name="manage_knowledge_category_rename"),
    path("<slug:slug>/knowledge/categories/<int:category_id>/delete/", views.category_delete,
         name="manage_knowledge_category_delete"),
]
