from django.urls import path

from atiende.portal import views

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("search/", views.portal_search, name="portal_search"),
    path("catalog/", views.portal_catalog, name="portal_catalog"),
    path("catalog/<int:item_id>/", views.portal_item, name="portal_item"),
    path("answers/<int:article_id>/", views.portal_article, name="portal_article"),
    path("answers/<int:article_id>/solved/", views.portal_article_solved,
         name="portal_article_solved"),
    path("report/", views.portal_report, name="portal_report"),
    path("report/suggestions/", views.portal_suggestions, name="portal_suggestions"),
    path("requests/", views.portal_tickets, name="portal_tickets"),
    path("requests/<str:number>/", views.portal_ticket, name="portal_ticket"),
    path("requests/<str:number>/reply/", views.portal_ticket_reply, name="portal_ticket_reply"),
    path("requests/<str:number>/reopen/", views.portal_ticket_reopen,
         name="portal_ticket_reopen"),
    path("requests/<str:number>/cancel/", views.portal_ticket_cancel,
         name="portal_ticket_cancel"),
    path("logo/<slug:slug>/<str:digest>.png", views.portal_logo, name="portal_logo"),
]
