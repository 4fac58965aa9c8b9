from django.urls import path

from atiende.satisfaction import manage_views

urlpatterns = [
    path("<slug:slug>/satisfaction/", manage_views.satisfaction_settings,
         name="manage_satisfaction"),
]
