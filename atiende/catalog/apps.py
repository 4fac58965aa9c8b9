from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "atiende.catalog"
    label = "catalog"
    verbose_name = _("Service catalog")

    def ready(self) -> None:
        # Registers the consumer that moves fulfilment plans on, in every process that
        # dispatches events (web and worker).
        import atiende.catalog.consumers  # noqa: F401
        from atiende.core.models import AUDIT_ACTIONS

        AUDIT_ACTIONS.update({
            "catalog.approval_plan_saved": _("Approval plan of a catalog item changed"),
            "catalog.fulfilment_plan_saved": _("Fulfilment plan of a catalog item changed"),
        })
