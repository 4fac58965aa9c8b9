from django.urls import path

from atiende.catalog import manage_views as views

urlpatterns = [
    path("<slug:slug>/catalog/", views.manage_catalog, name="manage_catalog"),
    path("<slug:slug>/catalog/categories/<int:category_id>/", views.manage_category,
         name="manage_catalog_category"),
    path("<slug:slug>/catalog/departments/<int:department_id>/new/", views.manage_item_new,
         name="manage_catalog_item_new"),
    path("<slug:slug>/catalog/items/<int:item_id>/", views.manage_item,
         name="manage_catalog_item"),
    path("<slug:slug>/catalog/items/<int:item_id>/active/", views.manage_item_active,
         name="manage_catalog_item_active"),
    path("<slug:slug>/catalog/items/<int:item_id>/form/", views.manage_item_form,
         name="manage_catalog_form"),
    path("<slug:slug>/catalog/items/<int:item_id>/plan/", views.manage_item_plan,
         name="manage_catalog_plan"),
]
