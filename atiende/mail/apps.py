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
        AUDIT_ACTIONS.update({"mailbox.imap_changed": _("Mailbox IMAP settings changed")})
        # The worker fetches the mail of IMAP mailboxes every minute.
        import datetime as dt

        from atiende.core import periodic
        from atiende.mail.tasks import poll_imap_mailboxes

        periodic.register("mail.imap_poll", every=dt.timedelta(minutes=1),
                          task=poll_imap_mailboxes)
        # ... and those of Microsoft 365 mailboxes read through Microsoft Graph.
        from atiende.mail.graph_tasks import poll_graph_mail

        periodic.register("mail.graph_poll", every=dt.timedelta(minutes=1),
                          task=poll_graph_mail)
        AUDIT_ACTIONS.update({"mailbox.graph_changed": _("Mailbox Microsoft 365 settings "
                                                          "changed")})
