from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "atiende.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        import datetime as dt

        # Registers the outbox consumer that turns ticket events into notifications, in
        # every process that dispatches events (web and worker).
        import atiende.notifications.recipients
        import atiende.notifications.teams  # noqa: F401 (and the Microsoft Teams one)
        from atiende.core import periodic
        from atiende.notifications.tasks import deliver_due_notifications

        # E-mails whose retry time has come (or whose task was lost) are sent again.
        periodic.register("notifications.deliver_due", every=dt.timedelta(minutes=1),
                          task=deliver_due_notifications)
        from atiende.core.models import AUDIT_ACTIONS

        AUDIT_ACTIONS.update({
            "notification_template.saved": _("E-mail template changed"),
            "notification_template.reset": _("E-mail template reset to the default"),
            "outbound_mail.changed": _("E-mail sending changed"),
            "teams_channel.created": _("Microsoft Teams channel added"),
            "teams_channel.updated": _("Microsoft Teams channel changed"),
            "teams_channel.deleted": _("Microsoft Teams channel removed"),
            "teams_channel.tested": _("Microsoft Teams test card sent"),
        })
