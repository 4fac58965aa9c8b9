from django.urls import path

from atiende.portal import manage_views

urlpatterns = [
    path("<slug:slug>/portal/", manage_views.manage_portal, name="manage_portal"),
]
