from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "atiende.mail"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        # The administration's activity log names the actions and the channel of this
        # app in the reader's language (it falls back to the raw code otherwise).
        from atiende.core.models import AUDIT_ACTIONS, AUDIT_CHANNELS

        AUDIT_ACTIONS.update({
            "mailbox.created": _("Mailbox created"),
            "mailbox.updated": _("Mailbox changed"),
            "mail.retried": _("Held e-mail processed again"),
            "mail.discarded": _("Held e-mail discarded"),
        })
        AUDIT_CHANNELS.setdefault("email", _("E-mail"))
