"""`atiende poll-mail [--mailbox ADDRESS]`: fetch the new mail of the IMAP and Microsoft
365 (Graph) mailboxes now, as the worker does every minute. Exit status 0 when every
mailbox was polled, 1 when one failed (the error is printed and recorded on the
mailbox), 2 when ADDRESS has no mailbox polled either way."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from atiende.mail.graph import graph_mailboxes, poll_graph_mailbox
from atiende.mail.imap import accounts_to_poll, poll_account


class Command(BaseCommand):
    help = ("Fetch the new mail of the IMAP and Microsoft 365 mailboxes (or of one) and "
            "turn it into tickets and replies; each message is moved or flagged once stored.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", metavar="ADDRESS",
                            help="only the mailbox of this address")
        parser.add_argument("--batch", type=int, default=500,
                            help="at most this many messages per mailbox (default 500)")

    def handle(self, *args, mailbox: str | None, batch: int, **options) -> None:
        accounts = list(accounts_to_poll(mailbox))
        graph = list(graph_mailboxes(mailbox))
        if mailbox is not None and not accounts and not graph:
            raise CommandError(_("No active mailbox with IMAP polling enabled has the "
                                 "address %(address)s.") % {"address": mailbox}, returncode=2)
        failed = 0
        for account in accounts:
            report = poll_account(account, batch=max(1, batch))
            failed += bool(report.error)
            (self.stderr if report.error else self.stdout).write(report.describe())
        for box in graph:
            result = poll_graph_mailbox(box)
            failed += bool(result.error)
            (self.stderr if result.error else self.stdout).write(result.describe(box.address))
        if failed:
            raise CommandError(_("%(count)d mailboxes could not be polled.") % {
                "count": failed}, returncode=1)
