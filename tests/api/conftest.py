"""API-wide checks and helpers (the cast itself is in tests/conftest.py)."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(autouse=True)
def _never_a_server_error(caplog):
    """Whatever a test sends, the API never answers 500: an unhandled error is logged
    by the API's error mapping, and that log fails the test."""
    yield
    unhandled = [record.getMessage() for record in caplog.get_records("call")
                 if record.levelno >= logging.ERROR
                 and record.name in ("atiende.api.errors", "django.request")]
    assert unhandled == [], "the API answered with a server error"


@pytest.fixture
def in_english():
    """Make a person prefer English, so messages are the source strings."""

    def make(user):
        user.language = "en"
        user.save(update_fields=["language"])
        return user

    return make
