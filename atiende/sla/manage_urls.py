from django.urls import path

from atiende.sla import policy_views, views

urlpatterns = [
    path("<slug:slug>/calendars/", views.calendar_list, name="manage_calendars"),
    path("<slug:slug>/calendars/new/", views.calendar_new, name="manage_calendar_new"),
    path("<slug:slug>/calendars/subdivisions/", views.calendar_subdivisions,
         name="manage_calendar_subdivisions"),
    path("<slug:slug>/calendars/<int:calendar_id>/", views.calendar_detail,
         name="manage_calendar"),
    path("<slug:slug>/calendars/<int:calendar_id>/days/", views.calendar_day_add,
         name="manage_calendar_day_add"),
    path("<slug:slug>/calendars/<int:calendar_id>/days/<int:day_id>/remove/",
         views.calendar_day_remove, name="manage_calendar_day_remove"),
    path("<slug:slug>/sla/", policy_views.policy_list, name="manage_sla_policies"),
    path("<slug:slug>/sla/new/", policy_views.policy_new, name="manage_sla_policy_new"),
    path("<slug:slug>/sla/<int:policy_id>/", policy_views.policy_detail,
         name="manage_sla_policy"),
]
