"""Tickets through the API: the cast and Carla's incident of tests/conftest.py, and the
API suite's guard against server errors."""

from __future__ import annotations

import pytest

from atiende.tickets.models import Service
from tests.api.conftest import _never_a_server_error, in_english  # noqa: F401


@pytest.fixture
def correo(it):
    """A service of Café Montaña's IT."""
    return Service.objects.create(department=it, name="Correo electrónico")
