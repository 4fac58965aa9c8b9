"""Microsoft 365 shared mailboxes read through Microsoft Graph.

`poll_graph_mailbox` runs one delta round over the mailbox's Inbox: it follows
`@odata.nextLink` pages until Graph gives a `@odata.deltaLink`, which is stored on the
mailbox and called the next time (Graph encodes the query in it). Each new message is
fetched as MIME (`/messages/{id}/$value`) and handed to `services.ingest`, the one way
in; only once the desk has stored it (a ticket, a reply, held, ignored, quarantined or
a duplicate) is it marked read or moved, as the mailbox says. A refused message (too
large, empty, or from a stranger a refusing mailbox turns away) is left untouched and
unread in the Inbox for a person to see.

A round that stops half-way (Graph throttling for long, a database that is busy, a
network failure) keeps the previous delta link: the next round asks again from there,
and `ingest` recognises what it already stored. The first round of a mailbox leaves
alone the messages that were already read in Outlook before it was connected.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from atiende.core import secrets
from atiende.mail import services
from atiende.mail.graph_client import (
    Credentials,
    GraphAuthError,
    GraphError,
    graph_url,
    request,
    segment,
)
from atiende.mail.models import GraphAfterProcessing, Mailbox

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
SOURCE = "graph"
MAX_PAGES = 200  # a round never loops forever on a misbehaving server


@dataclass
class PollResult:
    """What one round did: messages seen and what `ingest` made of them."""

    seen: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    skipped_read: int = 0
    completed: bool = False  # the delta link was reached and stored
    error: str = ""
    outcomes: list[str] = field(default_factory=list)

    def describe(self, address: str) -> str:
        """One line for the command line and the logs."""
        line = (f"{address}: {self.seen} seen, {self.stored} stored, {self.duplicates} "
                f"duplicates, {self.refused} refused")
        return f"{line}; {self.error}" if self.error else line


def credentials_of(mailbox: Mailbox) -> Credentials:
    """The application's credentials; GraphAuthError when the stored secret cannot be
    decrypted (the admin types it again)."""
    try:
        client_secret = secrets.reveal(mailbox.graph_client_secret)
    except secrets.SecretUnreadable as error:
        raise GraphAuthError(str(error), code="secret_unreadable") from None
    return Credentials(tenant_id=mailbox.graph_tenant_id, client_id=mailbox.graph_client_id,
                       client_secret=client_secret)


def _user_path(mailbox: Mailbox) -> str:
    return f"/users/{segment(mailbox.address)}"


def _first_round_url(mailbox: Mailbox) -> str:
    return graph_url(f"{_user_path(mailbox)}/mailFolders/inbox/messages/delta", {
        "changeType": "created",
        "$select": "id,isRead,internetMessageId,receivedDateTime,subject",
    })


def _received_at(item: dict) -> datetime | None:
    value = item.get("receivedDateTime")
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and timezone.is_aware(parsed) else None


def _after_processing(mailbox: Mailbox, credentials: Credentials, message_id: str) -> None:
    path = f"{_user_path(mailbox)}/messages/{segment(message_id)}"
    if mailbox.graph_after == GraphAfterProcessing.MOVE and mailbox.graph_move_to:
        request(credentials, "POST", graph_url(f"{path}/move"), expect=(200, 201),
                content_type="application/json",
                body=_json({"destinationId": mailbox.graph_move_to}))
    else:
        request(credentials, "PATCH", graph_url(path), content_type="application/json",
                body=_json({"isRead": True}))


def _json(value: dict) -> bytes:
    return json.dumps(value).encode()


def _take(mailbox: Mailbox, credentials: Credentials, item: dict, result: PollResult) -> None:
    """Fetch one message's MIME, ingest it, then mark or move it once stored."""
    message_id = str(item["id"])
    mime = request(credentials, "GET", graph_url(
        f"{_user_path(mailbox)}/messages/{segment(message_id)}/$value")).body
    outcome = services.ingest(mailbox=mailbox, raw=mime, source=SOURCE,
                              received_at=_received_at(item))
    result.outcomes.append(outcome.action)
    if not outcome.stored:
        result.refused += 1
        logger.info("Graph message in %s refused: %s", mailbox.address, outcome.describe())
        return
    if outcome.action == services.Action.DUPLICATE:
        result.duplicates += 1
    else:
        result.stored += 1
    try:
        _after_processing(mailbox, credentials, message_id)
    except GraphError as error:
        # Stored already: the next round does not offer it again (created only), and
        # a second delivery would be a duplicate. The admin sees why it stays unread.
        logger.warning("Graph message in %s stored but not marked: %s", mailbox.address,
                       error.message)
        result.error = error.message


def poll_graph_mailbox(mailbox: Mailbox) -> PollResult:
    """One delta round over `mailbox`'s Inbox (see the module's docstring). Never
    raises for Graph's failures: they end the round, are kept on the mailbox
    (`graph_last_error`) and returned; a busy database (services.TransientFailure)
    ends it too, to be resumed by the next round."""
    result = PollResult()
    if not (mailbox.graph_enabled and mailbox.is_active):
        return result
    first_round = not mailbox.graph_delta_link
    url = mailbox.graph_delta_link or _first_round_url(mailbox)
    try:
        credentials = credentials_of(mailbox)
        for _page in range(MAX_PAGES):
            page = request(credentials, "GET", url,
                           headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}).json()
            for item in page.get("value") or []:
                if "@removed" in item or not item.get("id"):
                    continue
                result.seen += 1
                if first_round and item.get("isRead"):
                    result.skipped_read += 1
                    continue
                _take(mailbox, credentials, item, result)
            if page.get("@odata.nextLink"):
                url = str(page["@odata.nextLink"])
                continue
            if page.get("@odata.deltaLink"):
                mailbox.graph_delta_link = str(page["@odata.deltaLink"])
                result.completed = True
            else:
                result.error = "Microsoft Graph returned neither a next nor a delta link."
            break
    except GraphError as error:
        result.error = error.message
    except services.TransientFailure as error:
        result.error = f"Database unavailable: {error}"[:500]
    mailbox.graph_polled_at = timezone.now()
    mailbox.graph_last_error = result.error[:2000]
    Mailbox.objects.filter(pk=mailbox.pk).update(
        graph_delta_link=mailbox.graph_delta_link, graph_polled_at=mailbox.graph_polled_at,
        graph_last_error=mailbox.graph_last_error)
    if result.error:
        logger.warning("Graph poll of %s: %s", mailbox.address, result.error)
    return result


def graph_mailboxes(address: str | None = None):
    """The active mailboxes read through Graph (or the one of `address`)."""
    mailboxes = (Mailbox.objects.select_related("organization", "department")
                 .filter(graph_enabled=True, is_active=True, organization__is_active=True)
                 .order_by("id"))
    if address is not None:
        mailboxes = mailboxes.filter(address=address.strip().lower())
    return mailboxes


def poll_graph_mailboxes() -> dict[str, PollResult]:
    """One round over every active mailbox read through Graph, by address."""
    return {mailbox.address: poll_graph_mailbox(mailbox) for mailbox in graph_mailboxes()}
