"""The web pages are checked for the cast of tests/conftest.py plus the admin of the
other organization, who must not reach Café Montaña's administration either."""

from __future__ import annotations

import pytest


@pytest.fixture
def actors(cast, admin_other_org) -> dict:
    """The cast by name, plus the admin of the other organization."""
    return {**cast, "admin_other_org": admin_other_org}
