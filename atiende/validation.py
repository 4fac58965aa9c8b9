"""Checks every service applies to plain values, with one message each."""

from __future__ import annotations

import ipaddress
from collections.abc import Container
from typing import Any

from django.utils.translation import gettext as _

from atiende.errors import ValidationFailed


def text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    """`value` as trimmed text, refused when empty (if required), too long, or holding a
    NUL character (which PostgreSQL cannot store)."""
    cleaned = str(value or "").strip()
    if "\x00" in cleaned:
        raise ValidationFailed({field: _("Remove the NUL character from the text.")},
                               code="nul_character")
    if required and not cleaned:
        raise ValidationFailed({field: _("This field is required.")}, code="required")
    if len(cleaned) > max_length:
        raise ValidationFailed({field: _("Use at most %(count)d characters.")
                                % {"count": max_length}}, code="too_long")
    return cleaned


def choice(value: Any, field: str, allowed: Container) -> Any:
    """`value` when it is one of `allowed`."""
    if value not in allowed:
        raise ValidationFailed({field: _("“%(value)s” is not a valid choice.")
                                % {"value": value}}, code="invalid_choice")
    return value


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 in brackets or not) is this machine."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
