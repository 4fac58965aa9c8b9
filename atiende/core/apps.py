from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "atiende.core"
    label = "core"
    verbose_name = _("Organizations and people")


class ProviderAdminConfig(admin_apps.AdminConfig):
    """Django's admin, opened to provider admins (not only superusers)."""

    default = False
    default_site = "atiende.core.admin_site.ProviderAdminSite"
