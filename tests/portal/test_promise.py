"""The service level in plain words, in the reader's language and time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation

from atiende.portal.selectors import sla_promise
from atiende.tickets.models import Status, Ticket

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
# Monday 2 March 2026, 09:00 in Bogotá
NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def _ticket(**fields) -> Ticket:
    return Ticket(**{"status": Status.NEW, "sla_state": "running", **fields})


@pytest.mark.parametrize("language, fields, expected", [
    ("es", {"sla_due_at": dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)},
     "Le responderemos antes del martes 3 a las 10:00"),
    ("en", {"sla_due_at": dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)},
     "We will answer you before Tuesday 3 at 10:00"),
    ("en", {"sla_due_at": dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC),
            "first_response_at": NOW},
     "We expect to solve it before Tuesday 3 at 10:00"),
    ("en", {"sla_due_at": dt.datetime(2026, 4, 20, 15, 0, tzinfo=dt.UTC)},
     "We will answer you before April 20, 2026 at 10:00"),
    ("en", {"status": Status.RESOLVED, "sla_state": "met"}, "Resolved on time"),
    ("en", {"status": Status.CLOSED, "sla_state": "breached"},
     "Resolved, later than we promised"),
    ("en", {"status": Status.PENDING, "sla_state": "paused"},
     "The deadline waits while we wait for you"),
    ("en", {"sla_due_at": dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC),
            "sla_state": "breached"},
     "We are late (the promise was Monday 2 at 08:00); we are on it"),
    ("en", {"status": Status.CANCELLED}, ""),
    ("en", {"sla_state": ""}, ""),
])
def test_promise_in_plain_words(language, fields, expected):
    with translation.override(language), timezone.override(BOGOTA):
        text = sla_promise(_ticket(**fields), now=NOW)
    if language == "es" and not _spanish_catalog_has("We will answer you before %(when)s"):
        pytest.skip("the Spanish catalog is merged later")
    assert text == expected


def _spanish_catalog_has(msgid: str) -> bool:
    with translation.override("es"):
        return translation.gettext(msgid) != msgid
