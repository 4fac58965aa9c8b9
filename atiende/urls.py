from django.contrib import admin
from django.urls import include, path

from atiende.api.main import api
from atiende.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_list, name="token_list"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("language/", views.language_switch, name="language_switch"),
    path("manage/", include("atiende.core.manage_urls")),
    path("manage/", include("atiende.mail.manage_urls")),
    path("manage/", include("atiende.notifications.manage_urls")),
    path("manage/", include("atiende.sla.manage_urls")),
    path("manage/", include("atiende.catalog.manage_urls")),
    path("manage/", include("atiende.portal.manage_urls")),
    path("tickets/<str:number>/attachments/", include("atiende.tickets.attachment_views")),
    path("tickets/", include("atiende.tickets.urls")),
    path("catalog/", include("atiende.catalog.urls")),
    path("approvals/", include("atiende.catalog.approval_urls")),
    path("notifications/", include("atiende.notifications.urls")),
    path("knowledge/", include("atiende.knowledge.urls")),
    path("sla/", include("atiende.sla.compliance_urls")),
    path("portal/", include("atiende.portal.urls")),
    path("satisfaction/", include("atiende.satisfaction.urls")),
    path("manage/", include("atiende.satisfaction.manage_urls")),
    path("manage/", include("atiende.knowledge.manage_urls")),
    path("health/", views.health, name="health"),
    path("data-admin/", admin.site.urls),
]

handler400 = "atiende.core.views.bad_request"
handler403 = "atiende.core.views.forbidden"
handler404 = "atiende.core.views.not_found"
handler500 = "atiende.core.views.server_error"
