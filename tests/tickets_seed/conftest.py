"""The demo desk with a few of its tickets, loaded once for the module that asks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

NOW = dt.datetime(2025, 3, 14, 15, 0, tzinfo=dt.UTC)
DEMO_SAMPLE = 240  # tickets: enough for every branch of the stories, quick to load


@pytest.fixture(scope="module")
def demo_desk(django_db_setup, django_db_blocker):
    """`atiende demo` with DEMO_SAMPLE tickets at NOW, rolled back after the module."""
    from atiende.core.demo import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(tickets=DEMO_SAMPLE, now=NOW)
        yield NOW
        transaction.set_rollback(True)
