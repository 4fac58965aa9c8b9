"""One event per change, with exact content; tampering fails in the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from atiende.tickets import outbox, services
from atiende.tickets.integrity import event_purge_allowed
from atiende.tickets.models import Event


def _timeline(ticket):
    return list(Event.objects.filter(ticket=ticket).order_by("id").values_list(
        "kind", "field", "old_value", "new_value", "actor__email", "channel", "ticket_version"))


def test_each_change_appends_exactly_its_events(incident, agent_ana, team_redes, impresoras):
    # when
    assigned = services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                      assignee=agent_ana, version=1)
    classified = services.ticket_update(actor=agent_ana, ticket=assigned, version=2,
                                        changes={"category": impresoras, "impact": 1})

    # then
    ana = "ana@nubeandina.example"
    assert _timeline(classified) == [
        ("created", "", None, {"title": "La impresora del piso 3 no imprime", "status": "new",
                               "priority": 3}, ana, "phone", 1),
        ("assigned", "", {"team": None, "assignee": None},
         {"team": {"id": team_redes.pk, "label": "Redes"},
          "assignee": {"id": agent_ana.pk, "label": "Ana Gómez"}}, ana, "web", 2),
        ("status", "status", "new", "assigned", ana, "web", 2),
        ("changed", "category", None, {"id": impresoras.pk, "label": "Impresoras"}, ana, "web", 3),
        ("changed", "impact", 2, 1, ana, "web", 3),
        ("changed", "priority", 3, 2, ana, "web", 3),
    ]


@pytest.mark.parametrize("statement", [
    "UPDATE tickets_event SET new_value = '\"forged\"'",
    "UPDATE tickets_event SET actor_id = NULL",
    "UPDATE tickets_event SET created_at = created_at",
    "DELETE FROM tickets_event",
])
def test_tampering_with_the_log_fails_in_the_database(incident, statement):
    # when
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    # then
    assert Event.objects.filter(ticket=incident).count() == 1


def test_an_event_is_marked_delivered_once_and_only_once(incident):
    # given
    event = Event.objects.get(ticket=incident)

    # when: the outbox delivers it
    assert outbox.dispatch() == 1

    # then: it stays delivered; marking it again fails in the database
    event.refresh_from_db()
    assert event.delivered_at is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(delivered_at=None)
    assert outbox.dispatch() == 0


def test_a_deliberate_purge_may_delete_events(incident):
    with event_purge_allowed():
        Event.objects.filter(ticket=incident).delete()
    assert not Event.objects.filter(ticket=incident).exists()


def test_a_failing_consumer_leaves_the_event_for_the_next_run(incident, agent_ana):
    # given: a consumer that fails once
    failures = []

    @outbox.consumer("test-flaky")
    def flaky(event):
        if not failures:
            failures.append(event.pk)
            raise RuntimeError("worker died")

    try:
        # when
        first = outbox.dispatch()
        second = outbox.dispatch()
    finally:
        outbox._consumers.pop("test-flaky")

    # then
    assert (first, second) == (0, 1)
    assert not Event.objects.filter(delivered_at__isnull=True).exists()


def test_a_consumer_failing_in_the_database_does_not_poison_the_batch(incident, agent_ana,
                                                                      org_cafe, it,
                                                                      requester_carla):
    # given: a second event, and a consumer whose SQL fails on the first event only
    from atiende.tickets.models import Kind

    second = services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Otro",
                                    organization=org_cafe, department=it,
                                    requester=requester_carla)
    first_event = Event.objects.get(ticket=incident)
    failed = []

    @outbox.consumer("test-sql")
    def broken_sql(event):
        if event.pk == first_event.pk and not failed:
            failed.append(event.pk)
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")

    try:
        # when
        delivered_first = outbox.dispatch()
        delivered_then = outbox.dispatch()
    finally:
        outbox._consumers.pop("test-sql")

    # then: the batch stopped at the failing event, which the next run delivered
    assert (delivered_first, delivered_then) == (0, 2)
    assert not Event.objects.filter(ticket__in=[incident, second],
                                    delivered_at__isnull=True).exists()
