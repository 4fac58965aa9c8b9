"""The admin site class, apart from admin.py so that Django can load it first."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from atiende.core.scoping import scope_of


class ProviderAdminSite(admin.AdminSite):
    site_header = _("Atiende — provider data")
    site_title = "Atiende"
    index_title = _("Data administration")

    def has_permission(self, request) -> bool:
        return request.user.is_active and scope_of(request.user).everything
