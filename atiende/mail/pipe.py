"""Delivery by pipe: a mail server (Postfix `pipe`, Exim `pipe` transport, procmail)
runs `atiende ingest-mail --mailbox ADDRESS` with the message on standard input and
reads the exit status (sysexits.h):

| status | meaning | the mail server |
|---|---|---|
| 0 | stored: a ticket, a reply, held, ignored, quarantined, or a duplicate | forgets it |
| 64 (EX_USAGE) | wrong arguments (no --mailbox) | bounces it |
| 65 (EX_DATAERR) | refused: empty, or larger than MAIL_MAX_MB | bounces it |
| 67 (EX_NOUSER) | no active mailbox has this address | bounces it |
| 75 (EX_TEMPFAIL) | the database is unavailable or busy; nothing stored | tries again later |
| 77 (EX_NOPERM) | refused: unknown sender on a mailbox that refuses them | bounces it |

One line on standard output says what happened (standard error when refused); mail
servers put it in their logs and in the bounce.
"""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import gettext as _

from atiende.errors import NotFound
from atiende.mail import selectors
from atiende.mail.services import Action, Outcome, TransientFailure, ingest, reason_label

logger = logging.getLogger(__name__)

EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75
EX_NOPERM = 77

_REFUSAL_STATUS = {"empty": EX_DATAERR, "too_large": EX_DATAERR}


def exit_status(outcome: Outcome) -> int:
    if outcome.action != Action.REFUSED:
        return EX_OK
    return _REFUSAL_STATUS.get(outcome.reason, EX_NOPERM)


def deliver(address: str, raw: bytes, *, source: str = "pipe") -> tuple[int, str]:
    """Ingest `raw` into the mailbox of `address`; the exit status and the line to
    print. What `atiende ingest-mail` does, callable in-process (benchmarks, tests)."""
    mailbox = selectors.mailbox_for_address(address)
    if mailbox is None:
        return EX_NOUSER, _("No active mailbox has the address %(address)s.") % {
            "address": address}
    with translation.override(mailbox.organization.language):
        try:
            outcome = ingest(mailbox=mailbox, raw=raw, source=source)
        except TransientFailure as error:
            logger.warning("Transient failure ingesting mail for %s: %s", address, error)
            return EX_TEMPFAIL, _("Temporary failure, try again later: %(error)s") % {
                "error": error}
        except NotFound:
            return EX_NOUSER, _("No active mailbox has the address %(address)s.") % {
                "address": address}
        status = exit_status(outcome)
        if status != EX_OK:
            return status, _("Refused: %(reason)s") % {"reason": reason_label(outcome.reason)}
        return status, outcome.describe()
