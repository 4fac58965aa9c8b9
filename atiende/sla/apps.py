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
        from atiende.sla.policy_services import AUDIT_ACTIONS as POLICY_ACTIONS

        AUDIT_ACTIONS.update(POLICY_ACTIONS)
        from atiende.sla.internal_services import AUDIT_ACTIONS as INTERNAL_ACTIONS

        AUDIT_ACTIONS.update(INTERNAL_ACTIONS)
        from atiende.sla.escalation_services import AUDIT_ACTIONS as ESCALATION_ACTIONS

        AUDIT_ACTIONS.update(ESCALATION_ACTIONS)
        # The outbox consumer that keeps clocks up to date, and the sweep that marks
        # breaches and warnings when they come due.
        import datetime as dt

        import atiende.sla.consumers  # noqa: F401
        from atiende.core import periodic
        from atiende.sla import escalation  # noqa: F401  (the escalation consumer)
        from atiende.sla.tasks import sweep_clocks

        periodic.register("sla.sweep", every=dt.timedelta(minutes=1), task=sweep_clocks)
