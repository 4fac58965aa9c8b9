"""Two clients at once: the same Idempotency-Key sent twice concurrently creates one
ticket, and two editors of the same version cannot both win."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from atiende.core import services as core_services
from atiende.tickets import services
from atiende.tickets.models import Event, Kind, Ticket
from tests.api.support import send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _a_database_where_writers_wait_for_each_other():
    """SQLite's shared in-memory test database answers "table is locked" at once instead
    of waiting like a database file does; give SQLite a file to test it
    (TEST_SQLITE_NAME=/tmp/atiende-test.sqlite3)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a SQLite file (TEST_SQLITE_NAME)")


def _at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call))
               for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _client(user):
    from django.test import Client

    _token, plaintext = core_services.token_create(actor=user, name="concurrencia")
    return Client(headers={"Authorization": f"Bearer {plaintext}"})


def test_the_same_key_sent_twice_at_once_creates_one_ticket(agent_ana, requester_carla, it):
    # given
    body = {"kind": "incident", "title": "Caja 3 sin red", "department_id": it.pk,
            "requester_id": requester_carla.pk}
    clients = [_client(agent_ana), _client(agent_ana)]

    # when
    responses = _at_once(*[
        lambda client=client: send(client, "POST", "/tickets", body,
                                   HTTP_IDEMPOTENCY_KEY="caja-3")
        for client in clients])

    # then
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert Ticket.objects.count() == 1
    assert Event.objects.count() == 1


def test_two_editors_of_the_same_version_do_not_both_win(agent_ana, admin, requester_carla,
                                                         org_cafe, it):
    # given
    services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Impresora",
                           organization=org_cafe, department=it, requester=requester_carla)
    editors = [(_client(agent_ana), "Impresora piso 3"), (_client(admin), "Impresora HP")]

    # when
    responses = _at_once(*[
        lambda client=client, title=title: send(client, "PATCH", "/tickets/INC-000001",
                                                {"title": title}, HTTP_IF_MATCH='"1"')
        for client, title in editors])

    # then
    assert sorted(response.status_code for response in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.version) == (winner["title"], 2)
    assert Event.objects.filter(kind="changed").count() == 1
