from django.urls import path

from atiende.tickets import views

urlpatterns = [
    path("", views.ticket_queue, name="ticket_queue"),
    path("live/", views.ticket_queue_live, name="ticket_queue_live"),
    path("bulk/", views.ticket_bulk, name="ticket_bulk"),
    path("search/", views.ticket_search, name="ticket_search"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("new/people/", views.ticket_new_people, name="ticket_new_people"),
    path("<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("<str:number>/live/", views.ticket_live, name="ticket_live"),
    path("<str:number>/edit/<slug:group>/", views.ticket_edit, name="ticket_edit"),
    path("<str:number>/priority/", views.ticket_priority, name="ticket_priority"),
    path("<str:number>/status/", views.ticket_status, name="ticket_status"),
    path("<str:number>/assign/", views.ticket_assign, name="ticket_assign"),
    path("<str:number>/assign/me/", views.ticket_take, name="ticket_take"),
    path("<str:number>/assignees/", views.ticket_assignees, name="ticket_assignees"),
    path("<str:number>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("<str:number>/comments/", views.ticket_comment, name="ticket_comment"),
    path("<str:number>/watchers/", views.ticket_watch, name="ticket_watch"),
    path("<str:number>/watchers/<int:user_id>/remove/", views.ticket_unwatch,
         name="ticket_unwatch"),
    path("<str:number>/links/", views.ticket_link_add, name="ticket_link_add"),
    path("<str:number>/links/<int:link_id>/remove/", views.ticket_link_remove,
         name="ticket_link_remove"),
    path("<str:number>/files/", views.ticket_attach, name="ticket_attach"),
]
