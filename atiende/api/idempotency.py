"""`Idempotency-Key`: a create that is retried with the same key gets the first answer
again instead of making a second record.

A key is kept 24 hours per user and endpoint. The same key with the same body answers
the stored status and body; with another body it is refused (422,
`idempotency_key_reused`). Only successful answers are stored: a refused request
stores nothing, so it can be corrected and sent again with the same key.

This is the API's own bookkeeping of its answers, not domain state, so it lives with
the API and writes its one table itself. The body is stored as the JSON text that was
sent (a JSON string), because PostgreSQL's `jsonb` would reorder an object's keys and
the replay would no longer be the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.models import IdempotencyKey, User
from atiende.errors import ValidationFailed

HEADER = "Idempotency-Key"
KEPT_FOR = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255


def body_hash(body: Any) -> str:
    """A fingerprint of a parsed request body: equal bodies, however they were spelled
    (key order, spacing), have equal fingerprints."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def checked_key(value: str | None) -> str | None:
    """The header's key, or None without one. A key must be 1 to 255 visible ASCII
    characters."""
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            {HEADER: _("Send a key of 1 to %(count)d visible ASCII characters.")
             % {"count": KEY_MAX_LENGTH}},
            code="invalid_idempotency_key",
        )
    return key


def once(*, user: User, key: str, endpoint: str, fingerprint: str,
         run: Callable[[], tuple[int, str]]) -> tuple[int, str]:
    """`run()`'s `(status, body text)`, or the stored answer of an earlier request with this
    key. Runs in one transaction with `run()`: the key is claimed first (a concurrent
    request with the same key waits for this one, then replays its answer), and it is
    released again when `run()` raises."""
    with transaction.atomic():
        IdempotencyKey.objects.filter(user=user, endpoint=endpoint, key=key,
                                      created_at__lt=timezone.now() - KEPT_FOR).delete()
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(
                    user=user, endpoint=endpoint, key=key, request_hash=fingerprint,
                    response_status=0, response_body="",
                )
        except IntegrityError:
            earlier = IdempotencyKey.objects.get(user=user, endpoint=endpoint, key=key)
            if earlier.request_hash != fingerprint:
                raise ValidationFailed(
                    {HEADER: _("This key was already used for a different request.")},
                    _("This Idempotency-Key was already used with another body. Use a new "
                      "key for a new request."),
                    code="idempotency_key_reused",
                ) from None
            return earlier.response_status, earlier.response_body
        status, body = run()
        claim.response_status, claim.response_body = status, body
        claim.save(update_fields=["response_status", "response_body"])
        return status, body
