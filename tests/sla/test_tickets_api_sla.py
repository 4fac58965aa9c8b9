"""SLA fields of the tickets API: `sla_due_at` and `sla_state` in the list and the
detail, the clocks on the detail (staff of the ticket only, never OLA or contract
clocks), at a cost per list that does not grow with its rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.sla import internal_services, policy_services
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Ticket
from tests.sla.moments import TUESDAY


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar):
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=[{"priority": p, "first_response_minutes": 120, "resolution_minutes": 480,
                  "next_response_minutes": 60} for p in range(1, 6)])


def make(agent, requester, organization, department, title="Lento") -> Ticket:
    ticket = ticket_services.ticket_create(
        actor=agent, kind=Kind.INCIDENT, title=title, description="",
        organization=organization, department=department, requester=requester,
        channel="phone")
    outbox.dispatch()
    return Ticket.objects.get(pk=ticket.pk)


def test_the_detail_shows_each_clock_to_staff(frozen, policy, agent_ana, requester_carla,
                                              org_cafe, it, api_client):
    ticket = make(agent_ana, requester_carla, org_cafe, it)
    frozen.move_to(TUESDAY + dt.timedelta(hours=1))
    # when
    body = api_client(agent_ana).get(f"/api/v1/tickets/{ticket.number}").json()
    # then
    assert (body["sla_state"], body["sla_due_at"]) == ("running", "2026-03-03T16:00:00Z")
    clocks = {clock["metric"]: clock for clock in body["sla_clocks"]}
    assert set(clocks) == {"first_response", "resolution"}
    first = clocks["first_response"]
    assert first == {
        "metric": "first_response", "target_minutes": 120,
        "started_at": "2026-03-03T14:00:00Z", "due_at": "2026-03-03T16:00:00Z",
        "elapsed_business_minutes": 60.0, "state": "running", "breached_at": None,
        "stopped_at": None, "paused": False, "cycles_met": 0, "cycles_breached": 0}


def test_requesters_see_the_summary_but_no_clocks(frozen, policy, agent_ana, requester_carla,
                                                  org_cafe, it, api_client, admin, team_redes,
                                                  cafe_calendar):
    internal_services.ola_target_create(actor=admin, organization=org_cafe, team=team_redes,
                                        priority=3, calendar=cafe_calendar,
                                        resolution_minutes=60)
    ticket = make(agent_ana, requester_carla, org_cafe, it)
    # when
    body = api_client(requester_carla).get(f"/api/v1/tickets/{ticket.number}").json()
    # then
    assert body["sla_state"] == "running"
    assert body["sla_clocks"] == []


def test_the_list_carries_the_sla_fields_without_a_query_per_row(
    frozen, policy, agent_ana, requester_carla, org_cafe, it, api_client,
    django_assert_num_queries
):
    # given
    make(agent_ana, requester_carla, org_cafe, it, "Primero")
    client = api_client(agent_ana)
    client.get("/api/v1/tickets")
    with CaptureQueriesContext(connection) as one:
        single = client.get("/api/v1/tickets").json()["results"]
    for number in range(4):
        make(agent_ana, requester_carla, org_cafe, it, f"Otro {number}")
    # when
    with django_assert_num_queries(len(one.captured_queries)):
        many = client.get("/api/v1/tickets").json()["results"]
    # then
    assert (len(single), len(many)) == (1, 5)
    assert {row["sla_state"] for row in many} == {"running"}
    assert all(row["sla_due_at"] == "2026-03-03T16:00:00Z" for row in many)
