from django.urls import path

from atiende.catalog import approvals_views as views

urlpatterns = [
    path("", views.approval_list, name="approval_list"),
    path("<int:approval_id>/", views.approval_detail, name="approval_detail"),
    path("link/<str:token>/", views.approval_link, name="approval_link"),
]
