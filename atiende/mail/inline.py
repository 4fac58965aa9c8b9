"""Images an e-mail's HTML shows by Content-ID (`<img src="cid:...">`), shown in place on
the ticket's page. The stored text keeps the `cid:` reference (it is what the message
said); when the text is rendered, each one becomes the address of the ticket's
attachment that carries that Content-ID, which answers only to who may see the ticket
(a 404 otherwise). A `cid:` that names no attachment of this ticket is dropped: no
other use of the scheme reaches the page."""

from __future__ import annotations

import nh3
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from atiende.mail.models import InlineImage
from atiende.tickets.models import Ticket
from atiende.tickets.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html


def inline_sources(ticket: Ticket) -> dict[str, str]:
    """Content-ID (lower case) -> the attachment's download address, for `ticket`;
    read once per ticket object (one query, however many comments are rendered)."""
    cached = getattr(ticket, "_inline_sources", None)
    if cached is None:
        cached = {}
        rows = (InlineImage.objects.filter(ticket=ticket).order_by("pk")
                .values_list("content_id", "attachment_id"))
        for content_id, attachment_id in rows:
            cached.setdefault(content_id.lower(), reverse(
                "attachments:download", kwargs={"number": ticket.number,
                                                "attachment_id": attachment_id}))
        ticket._inline_sources = cached
    return cached


def render_with_inline_images(text: str, ticket: Ticket | None) -> SafeString:
    """Stored rich text cleaned as `clean_html` does, with `cid:` images pointing at the
    ticket's attachments (and any other `cid:` reference removed)."""
    text = clean_html(text or "")
    if "cid:" not in text.lower():
        return mark_safe(text)  # noqa: S308 - nh3 output
    sources = inline_sources(ticket) if ticket is not None and ticket.pk else {}

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if value[:4].lower() != "cid:":
            return value
        if tag == "img" and attribute == "src":
            return sources.get(value[4:].strip().strip("<>").lower())
        return None

    cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        attribute_filter=rewrite, url_schemes={"http", "https", "mailto", "cid"},
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    return mark_safe(cleaned.strip())  # noqa: S308 - nh3 output
