from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "atiende.satisfaction"
    label = "satisfaction"
    verbose_name = _("Satisfaction")

    def ready(self) -> None:
        # Registers the outbox consumer that sends surveys on resolution and alerts the
        # team leads of a low score, in every process that dispatches events.
        import atiende.satisfaction.consumers  # noqa: F401
        from atiende.core.models import AUDIT_ACTIONS

        AUDIT_ACTIONS.update({
            "satisfaction_settings.saved": _("Satisfaction settings changed"),
        })
