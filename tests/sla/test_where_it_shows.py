"""Where service levels show: the queue's SLA column, the "Due soonest" sort, the "at
risk" queue, the ticket page's clocks with their "why", and the timeline's words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.sla import clock_services, policy_services
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Ticket
from tests.sla.conftest import STANDARD_TARGETS
from tests.sla.moments import TUESDAY
from tests.web.support import page


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar):
    return policy_services.sla_policy_create(actor=admin, organization=org_cafe,
                                             name="Estándar", calendar=cafe_calendar,
                                             targets=STANDARD_TARGETS)


def make(agent, requester, organization, department, title, impact=2, urgency=2):
    ticket = ticket_services.ticket_create(
        actor=agent, kind=Kind.INCIDENT, title=title, description="",
        organization=organization, department=department, requester=requester,
        channel="phone", impact=impact, urgency=urgency)
    outbox.dispatch()
    return Ticket.objects.get(pk=ticket.pk)


def numbers(response) -> list[str]:
    return [row.attrs["data-number"] for row in page(response).find_all("tr", cls="queue-row")]


def test_the_sla_column_shows_time_left_coloured(frozen, policy, agent_ana, requester_carla,
                                                 org_cafe, it, web_client):
    # given: P3 (impact and urgency medium): first response in 2 working hours
    make(agent_ana, requester_carla, org_cafe, it, "Lento")
    frozen.move_to(TUESDAY + dt.timedelta(minutes=50))
    # when
    response = web_client(agent_ana).get("/tickets/?queue=all&col=title&col=sla")
    # then
    cell = page(response).find_all("td", cls="col-sla")[0]
    badge = cell.find_all("span")[0]
    assert badge.text.strip() in ("1 h 10 min left", "1 h 10 min restantes",
                                  "quedan 1 h 10 min")
    assert "badge-accent" in badge.attrs["class"]


def test_an_overdue_ticket_says_by_how_much(frozen, policy, agent_ana, requester_carla,
                                            org_cafe, it, web_client):
    make(agent_ana, requester_carla, org_cafe, it, "Lento")
    frozen.move_to(TUESDAY + dt.timedelta(hours=2, minutes=35))
    clock_services.sweep()
    response = web_client(agent_ana).get("/tickets/?queue=all&col=title&col=sla")
    badge = page(response).find_all("td", cls="col-sla")[0].find_all("span")[0]
    assert "35 min" in badge.text
    assert "badge-danger" in badge.attrs["class"]


def test_due_soonest_sorts_by_due_time_and_pages_by_cursor(frozen, policy, agent_ana,
                                                           requester_carla, org_cafe, it,
                                                           web_client):
    # given: 60 tickets with clocks of three priorities, and 3 without clocks
    for number in range(60):
        make(agent_ana, requester_carla, org_cafe, it, f"T{number}", impact=1 + number % 3,
             urgency=1 + number // 3 % 3)
    for number in range(3):
        ticket = make(agent_ana, requester_carla, org_cafe, it, f"Sin reloj {number}")
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=None, sla_state="")
    client = web_client(agent_ana)
    # when
    first = client.get("/tickets/?queue=all&sort=due")
    next_link = page(first).find_all("a", rel="next")[0].attrs["href"]
    second = client.get("/tickets/" + next_link)
    # then
    seen = numbers(first) + numbers(second)
    expected = [number for _due, _id, number in sorted(
        Ticket.objects.values_list("sla_due_at", "id", "number"),
        key=lambda row: (row[0] is None, row[0] or TUESDAY, row[1]))]
    assert seen == expected
    assert len(seen) == 63


def test_the_due_sort_costs_the_same_queries_as_the_newest(frozen, policy, agent_ana,
                                                           requester_carla, org_cafe, it,
                                                           web_client):
    for number in range(5):
        make(agent_ana, requester_carla, org_cafe, it, f"T{number}")
    client = web_client(agent_ana)
    counts = []
    client.get("/tickets/?queue=all")  # the first visit of a session may cost more
    for url in ("/tickets/?queue=all", "/tickets/?queue=all&sort=due&col=sla",
                "/tickets/?queue=at_risk"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_at_risk_queue_holds_tickets_due_within_four_hours_or_breached(
    frozen, policy, agent_ana, requester_carla, org_cafe, it, web_client
):
    # given: a P1 (first response in 30 min), and one due in two days
    urgent = make(agent_ana, requester_carla, org_cafe, it, "Urgente", impact=1, urgency=1)
    calm = make(agent_ana, requester_carla, org_cafe, it, "Tranquilo", impact=3, urgency=3)
    Ticket.objects.filter(pk=calm.pk).update(sla_due_at=TUESDAY + dt.timedelta(days=2))
    # when
    response = web_client(agent_ana).get("/tickets/?queue=at_risk")
    # then
    assert numbers(response) == [urgent.number]
    tabs = page(response).find_all("nav", cls="queue-tabs")[0]
    assert "at_risk" in str(tabs)


def test_the_ticket_page_shows_each_clock_and_why(frozen, policy, agent_ana, requester_carla,
                                                  org_cafe, it, web_client):
    ticket = make(agent_ana, requester_carla, org_cafe, it, "Lento")
    # when
    agent_page = web_client(agent_ana).get(f"/tickets/{ticket.number}/").content.decode()
    requester_page = web_client(requester_carla).get(
        f"/tickets/{ticket.number}/").content.decode()
    # then
    assert 'id="sla-title"' in agent_page
    assert "Estándar" in agent_page
    assert agent_page.count('class="sla-why"') == 2
    assert 'id="sla-title"' not in requester_page


def test_a_breach_reads_in_plain_words_in_the_timeline(frozen, policy, agent_ana,
                                                       requester_carla, org_cafe, it,
                                                       web_client):
    ticket = make(agent_ana, requester_carla, org_cafe, it, "Lento")
    frozen.move_to(TUESDAY + dt.timedelta(hours=3))
    clock_services.sweep()
    agent_ana.language = "en"
    agent_ana.save(update_fields=["language"])
    html = web_client(agent_ana).get(f"/tickets/{ticket.number}/").content.decode()
    assert "First response: the service level target was breached at" in html
