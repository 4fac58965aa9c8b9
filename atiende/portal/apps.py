from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "atiende.portal"
    label = "portal"
    verbose_name = _("Self-service portal")

    def ready(self) -> None:
        from atiende.core.models import AUDIT_ACTIONS

        AUDIT_ACTIONS["portal.branding_updated"] = _("Portal look changed")
