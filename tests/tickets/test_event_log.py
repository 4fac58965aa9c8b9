"""One event per change, with exact content; tampering fails in the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from atiende.tickets import outbox, services
from atiende.tickets.integrity import event_purge_allowed
from atiende.tickets.models import Event, EventDeliveryFailure


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


def test_a_failing_consumer_is_retried_later_without_holding_back_the_log(
        incident, agent_ana, org_cafe, it, requester_carla):
    # given: a second ticket, and a consumer that fails once, on the first event
    from atiende.tickets.models import Kind

    services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Otro",
                           organization=org_cafe, department=it, requester=requester_carla)
    first_event = Event.objects.filter(ticket=incident).earliest("id")
    seen = []

    @outbox.consumer("test-flaky")
    def flaky(event):
        seen.append(event.pk)
        if seen.count(first_event.pk) == 1 and event.pk == first_event.pk:
            raise RuntimeError("the mail server is down")

    try:
        # when: the log is dispatched, then the failure retried when it is due
        delivered = outbox.dispatch()
        failure = EventDeliveryFailure.objects.get()
        too_early = outbox.retry_failures(now=failure.failed_at)
        retried = outbox.retry_failures(now=failure.next_attempt_at)
    finally:
        outbox._consumers.pop("test-flaky")

    # then: every event was delivered at once; the failing one reached the consumer again
    assert delivered == Event.objects.count()
    assert not Event.objects.filter(delivered_at__isnull=True).exists()
    assert (failure.event_id, failure.consumer, failure.attempts) == (
        first_event.pk, "test-flaky", 1)
    assert "the mail server is down" in failure.last_error
    assert (too_early, retried) == (0, 1)
    assert seen.count(first_event.pk) == 2
    assert not EventDeliveryFailure.objects.exists()


def test_a_consumer_failing_in_the_database_does_not_poison_the_batch(incident, agent_ana,
                                                                      org_cafe, it,
                                                                      requester_carla):
    # given: a second event, and a consumer whose SQL fails on the first event only
    from atiende.tickets.models import Kind

    second = services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Otro",
                                    organization=org_cafe, department=it,
                                    requester=requester_carla)
    first_event = Event.objects.get(ticket=incident)
    taken = []

    @outbox.consumer("test-sql")
    def broken_sql(event):
        if event.pk == first_event.pk:
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
        taken.append(event.pk)

    try:
        # when
        delivered = outbox.dispatch()
    finally:
        outbox._consumers.pop("test-sql")

    # then: the batch went on after the failing event, and its failure is kept
    assert delivered == 2
    assert taken == [Event.objects.get(ticket=second).pk]
    assert not Event.objects.filter(ticket__in=[incident, second],
                                    delivered_at__isnull=True).exists()
    assert EventDeliveryFailure.objects.get().consumer == "test-sql"


def test_a_consumer_that_keeps_failing_is_given_up_after_ten_attempts(incident):
    @outbox.consumer("test-broken")
    def broken(event):
        raise RuntimeError("always")

    try:
        outbox.dispatch()
        for _ in range(20):
            failure = EventDeliveryFailure.objects.get()
            if failure.next_attempt_at is None:
                break
            outbox.retry_failures(now=failure.next_attempt_at)
    finally:
        outbox._consumers.pop("test-broken")

    failure = EventDeliveryFailure.objects.get()
    assert (failure.attempts, failure.next_attempt_at) == (outbox.MAX_ATTEMPTS, None)
