from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "atiende.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        # The administration's activity page names every audited action; calendars
        # add theirs to the one list it reads.
        from atiende.core.models import AUDIT_ACTIONS
        from atiende.sla.services import AUDIT_ACTIONS as CALENDAR_ACTIONS

        AUDIT_ACTIONS.update(CALENDAR_ACTIONS)
