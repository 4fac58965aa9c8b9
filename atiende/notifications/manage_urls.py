"""The organization admin's notification pages, under /manage/<slug>/."""

from django.urls import path

from atiende.notifications import manage_views as views
from atiende.notifications import sending_views, teams_views

urlpatterns = [
    path("<slug:slug>/notifications/", views.templates, name="manage_notifications"),
    path("<slug:slug>/notifications/log/", views.delivery_log,
         name="manage_notification_log"),
    path("<slug:slug>/notifications/sending/", teams_views.sending,
         name="manage_notification_sending"),
    path("<slug:slug>/notifications/sending/smtp/", sending_views.sending_smtp,
         name="manage_notification_smtp"),
    path("<slug:slug>/notifications/sending/test/", sending_views.sending_test,
         name="manage_notification_sending_test"),
    path("<slug:slug>/notifications/teams/", teams_views.channels, name="manage_teams_channels"),
    path("<slug:slug>/notifications/teams/<int:channel_id>/", teams_views.channel_edit,
         name="manage_teams_channel"),
    path("<slug:slug>/notifications/teams/<int:channel_id>/test/", teams_views.channel_test,
         name="manage_teams_channel_test"),
    path("<slug:slug>/notifications/teams/<int:channel_id>/delete/", teams_views.channel_delete,
         name="manage_teams_channel_delete"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/", views.template_edit,
         name="manage_notification_template"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/preview/",
         views.template_preview, name="manage_notification_preview"),
    path("<slug:slug>/notifications/<slug:kind>/<slug:language>/reset/",
         views.template_reset, name="manage_notification_reset"),
]
