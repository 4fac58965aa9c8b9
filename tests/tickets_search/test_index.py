"""Keeping the index in step: the outbox consumer after each change, and `atiende reindex`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from atiende.tickets import outbox, services
from atiende.tickets.models import SearchDocument, Ticket, Visibility
from atiende.tickets.search import index_tickets, search_tickets


def _numbers(actor, query: str) -> list[str]:
    return [ticket.number for ticket in search_tickets(actor=actor, query=query)[:50]]


def test_a_new_ticket_is_found_once_its_transaction_commits(
    make_ticket, agent_ana, django_capture_on_commit_callbacks,
):
    # given / when: the real path (service -> on commit -> dispatch task -> consumer)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket("Monitor sin señal")
    # then
    assert _numbers(agent_ana, "senal monitores") == [ticket.number]


# Below, the outbox is dispatched by hand: inside a test's transaction the dispatch a
# first service scheduled stays pending, and services schedule one dispatch only.


def test_edits_reindex_the_ticket(make_ticket, agent_ana):
    ticket = make_ticket("Monitor sin señal", "<p>Desde el lunes</p>")
    outbox.dispatch()
    # when the title and description change
    services.ticket_update(actor=agent_ana, ticket=ticket, version=ticket.version,
                           changes={"title": "Proyector sin señal",
                                    "description": "<p>Desde el martes</p>"})
    outbox.dispatch()
    # then the new words are found and the old ones are not
    assert _numbers(agent_ana, "proyector martes") == [ticket.number]
    assert _numbers(agent_ana, "monitor") == []
    assert _numbers(agent_ana, "lunes") == []


def test_comments_added_edited_and_deleted_reindex_the_ticket(make_ticket, agent_ana,
                                                              requester_carla):
    ticket = make_ticket("Equipo")
    reply = services.comment_add(actor=requester_carla, ticket=ticket, body="El ventilador suena")
    note = services.comment_add(actor=agent_ana, ticket=ticket, body="Pedir repuesto",
                                visibility=Visibility.INTERNAL)
    outbox.dispatch()
    assert _numbers(requester_carla, "ventilador") == [ticket.number]
    assert _numbers(agent_ana, "repuestos") == [ticket.number]
    assert _numbers(requester_carla, "repuestos") == []
    services.comment_edit(actor=requester_carla, comment=reply, body="El disco suena")
    services.comment_delete(actor=agent_ana, comment=note)
    outbox.dispatch()
    assert _numbers(requester_carla, "ventilador") == []
    assert _numbers(requester_carla, "disco") == [ticket.number]
    assert _numbers(agent_ana, "repuesto") == []


def test_changes_that_touch_no_words_do_not_reindex(make_ticket, agent_ana, team_redes):
    ticket = make_ticket("Equipo")
    outbox.dispatch()
    indexed_at = SearchDocument.objects.get(ticket=ticket).indexed_at
    services.ticket_assign(actor=agent_ana, ticket=ticket, team=team_redes,
                           assignee=agent_ana, version=ticket.version)
    assert outbox.dispatch() == 2  # assigned, status
    assert SearchDocument.objects.get(ticket=ticket).indexed_at == indexed_at


def test_indexing_twice_changes_nothing(make_ticket, agent_ana):
    ticket = make_ticket("Impresora")
    outbox.dispatch()
    assert index_tickets([ticket.pk, ticket.pk]) == 1
    assert index_tickets([ticket.pk, 999_999]) == 1
    assert _numbers(agent_ana, "impresora") == [ticket.number]
    assert SearchDocument.objects.count() == 1


def _forget_everything() -> None:
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tickets_search_fts")
            assert cursor.fetchone()[0] == 0  # the trigger followed the documents


def test_reindex_rebuilds_every_document_in_batches(corpus, agent_ana, capsys):
    # given an index that lost everything (an upgrade, a bulk load)
    _forget_everything()
    assert _numbers(agent_ana, "impresora") == []
    # when
    call_command("reindex", "--batch-size", "2")
    # then
    assert "Search index rebuilt: 6 tickets" in capsys.readouterr().out
    assert SearchDocument.objects.count() == Ticket.objects.count() == 6
    assert set(_numbers(agent_ana, "impresora")) == {
        corpus[name].number for name in ("it_title", "it_comment", "it_internal")}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_reindex_drops_index_rows_without_a_document(corpus):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tickets_search_fts (rowid, title) VALUES (987654, 'x')")
        call_command("reindex", verbosity=0)
        cursor.execute("SELECT count(*) FROM tickets_search_fts")
        assert cursor.fetchone()[0] == 6
