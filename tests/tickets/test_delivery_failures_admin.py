"""The provider sees the consumers that failed on an event in the data admin; nobody
else does."""

from __future__ import annotations

from atiende.tickets import outbox
from atiende.tickets.models import EventDeliveryFailure

PAGE = "/data-admin/tickets/eventdeliveryfailure/"


def _one_failure():
    @outbox.consumer("test-webhook")
    def webhook(event):
        raise RuntimeError("connection refused")

    try:
        outbox.dispatch()
    finally:
        outbox._consumers.pop("test-webhook")
    return EventDeliveryFailure.objects.get()


def test_the_provider_admin_sees_a_failure_and_its_error(incident, provider_admin, web_client):
    failure = _one_failure()
    client = web_client(provider_admin)

    listed = client.get(PAGE)
    detail = client.get(f"{PAGE}{failure.pk}/change/")

    assert listed.status_code == 200
    assert "test-webhook" in listed.content.decode()
    assert "connection refused" in detail.content.decode()


def test_nobody_else_reaches_the_failures(incident, admin, agent_ana, web_client):
    _one_failure()

    for person in (admin, agent_ana):
        response = web_client(person).get(PAGE)
        assert response.status_code in (302, 403, 404)
        assert b"test-webhook" not in response.content
