"""The organization admin's notification pages, under /manage/<slug>/."""

from django.urls import path

from atiende.notifications import manage_views as views

urlpatterns = [
    path("<slug:slug>/notifications/", views.templates, name="manage_notifications"),
    path("<slug:slug>/notifications/log/", views.delivery_log,
         name="manage_notification_log"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/", views.template_edit,
         name="manage_notification_template"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/preview/",
         views.template_preview, name="manage_notification_preview"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/reset/",
         views.template_reset, name="manage_notification_reset"),
]
