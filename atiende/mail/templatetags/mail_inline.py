"""`{{ text|rich_inline:ticket }}`: the `rich` filter of tickets, with the images an
e-mail showed by Content-ID pointing at the ticket's attachments."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from atiende.mail.inline import render_with_inline_images

register = template.Library()


@register.filter
def rich_inline(text: str, ticket) -> SafeString:
    return render_with_inline_images(text, ticket)
