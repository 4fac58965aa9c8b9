"""The queues: which tickets each shows and counts, the filters, the sort orders, and
keyset pages of 50 that cost the same number of queries whatever they hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.tickets import services
from atiende.tickets.models import Kind, Ticket
from tests.web.support import page, select_options, speak_english


def _numbers(response) -> list[str]:
    return [row.attrs["data-number"] for row in page(response).find_all("tr", cls="queue-row")]


def _counts(response) -> dict[str, int]:
    tabs = page(response).find_all("nav", cls="queue-tabs")[0].find_all("a")
    return {tab.attrs["href"].split("queue=")[1].split("&")[0]: int(
        tab.find_all("span", cls="count")[0].text) for tab in tabs}


def _ticket(actor, requester, organization, department, title="Algo falla", **extra):
    return services.ticket_create(actor=actor, kind=extra.pop("kind", Kind.INCIDENT),
                                  title=title, organization=organization,
                                  department=department, requester=requester, **extra)


@pytest.fixture
def desk(agent_ana, agent_nico, requester_carla, requester_diego, org_cafe, it, team_redes,
         impresoras):
    """Five tickets of Café Montaña's IT in different hands and states."""
    ana_inc = _ticket(agent_ana, requester_carla, org_cafe, it, "Mío", impact=1, urgency=1)
    services.ticket_assign(actor=agent_ana, ticket=ana_inc, team=team_redes,
                           assignee=agent_ana, version=1)
    team_inc = _ticket(agent_ana, requester_diego, org_cafe, it, "Del equipo",
                       category=impresoras)
    services.ticket_assign(actor=agent_ana, ticket=team_inc, team=team_redes, assignee=None,
                           version=1)
    nico_req = _ticket(agent_nico, requester_diego, org_cafe, it, "De Nicolás",
                       kind=Kind.SERVICE_REQUEST, impact=3, urgency=3)
    services.ticket_assign(actor=agent_nico, ticket=nico_req, team=None, assignee=agent_nico,
                           version=1)
    new_inc = _ticket(agent_ana, requester_carla, org_cafe, it, "Nuevo sin dueño")
    done = _ticket(agent_ana, requester_carla, org_cafe, it, "Ya resuelto")
    services.ticket_transition(actor=agent_ana, ticket=done, to_status="resolved", version=1,
                               resolution_code="fixed", resolution_notes="Listo")
    return {"mine": ana_inc, "team": team_inc, "nico": nico_req, "new": new_inc, "done": done}


def test_each_queue_shows_and_counts_its_open_tickets(desk, web_client, agent_ana):
    client = web_client(agent_ana)

    # when
    pages = {queue: client.get(f"/tickets/?queue={queue}")
             for queue in ("mine", "teams", "unassigned", "all")}

    # then: newest first; resolved tickets are not in the open queues
    assert {queue: _numbers(response) for queue, response in pages.items()} == {
        "mine": ["INC-000001"],
        "teams": ["INC-000002", "INC-000001"],
        "unassigned": ["INC-000003", "INC-000002"],
        "all": ["INC-000003", "REQ-000001", "INC-000002", "INC-000001"],
    }
    assert _counts(pages["mine"]) == {"mine": 1, "teams": 2, "unassigned": 2, "at_risk": 0,
                                    "all": 4}


@pytest.mark.parametrize(("query", "expected"), [
    ("status=any", ["INC-000004", "INC-000003", "REQ-000001", "INC-000002", "INC-000001"]),
    ("status=resolved", ["INC-000004"]),
    ("priority=1", ["INC-000001"]),
    ("kind=service_request", ["REQ-000001"]),
    ("requester=diego", ["REQ-000001", "INC-000002"]),
    ("requester=CARLA%40cafe", ["INC-000003", "INC-000001"]),
    ("assignee={nico}", ["REQ-000001"]),
    ("team={team}", ["INC-000002", "INC-000001"]),
    ("category={category}", ["INC-000002"]),
    ("department={it}", ["INC-000003", "REQ-000001", "INC-000002", "INC-000001"]),
    ("sort=priority", ["INC-000001", "INC-000003", "INC-000002", "REQ-000001"]),
    # A value the actor was not offered is ignored, never an error.
    ("priority=9&team=999999&status=nonsense", ["INC-000003", "REQ-000001", "INC-000002",
                                                "INC-000001"]),
])
def test_filters_and_sorting(desk, web_client, agent_ana, agent_nico, team_redes, impresoras,
                             it, query, expected):
    query = query.format(nico=agent_nico.pk, team=team_redes.pk, category=impresoras.pk,
                         it=it.pk)
    response = web_client(agent_ana).get(f"/tickets/?queue=all&{query}")
    assert response.status_code == 200
    assert _numbers(response) == expected


def test_recently_updated_first(desk, web_client, agent_ana):
    # given: the oldest ticket is touched last
    services.comment_add(actor=agent_ana, ticket=desk["mine"], body="Sigo en ello")

    # when
    response = web_client(agent_ana).get("/tickets/?queue=all&sort=updated")

    # then
    assert _numbers(response)[0] == "INC-000001"


def _many(agent, requester, organization, department, count):
    for number in range(count):
        _ticket(agent, requester, organization, department, f"Ticket {number}",
                impact=1 + number % 3, urgency=1 + number // 3 % 3)


@pytest.mark.parametrize("sort", ["newest", "priority", "updated"])
def test_keyset_pages_of_fifty_cover_every_ticket_once(agent_ana, requester_carla, org_cafe,
                                                       it, web_client, sort):
    # given
    _many(agent_ana, requester_carla, org_cafe, it, 62)
    client = web_client(agent_ana)

    # when: following "next" from the first page
    first = client.get(f"/tickets/?queue=all&sort={sort}")
    next_link = page(first).find_all("a", rel="next")[0].attrs["href"]
    second = client.get("/tickets/" + next_link)

    # then
    seen = _numbers(first) + _numbers(second)
    assert (len(_numbers(first)), len(_numbers(second))) == (50, 12)
    assert sorted(seen) == sorted(Ticket.objects.values_list("number", flat=True))
    assert page(second).find_all("a", rel="next") == []
    expected = {
        "newest": list(Ticket.objects.order_by("-id").values_list("number", flat=True)),
        "priority": list(Ticket.objects.order_by("priority", "-id").values_list(
            "number", flat=True)),
        "updated": list(Ticket.objects.order_by("-updated_at", "-id").values_list(
            "number", flat=True)),
    }[sort]
    assert seen == expected


def test_a_cursor_the_server_did_not_issue_shows_the_first_page(desk, web_client, agent_ana):
    for cursor in ("abc", "1~x", "2025-13-45~3", "~"):
        for sort in ("newest", "priority", "updated"):
            response = web_client(agent_ana).get(
                f"/tickets/?queue=all&sort={sort}&after={cursor}")
            assert response.status_code == 200
            assert len(_numbers(response)) == 4


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("url", "choices"), [
    ("/tickets/?queue=all", 0), ("/tickets/?queue=mine", 0),
    ("/tickets/?queue=all&sort=priority", 0), ("/tickets/?queue=unassigned&requester=carla", 0),
    ("/tickets/?queue=teams&sort=updated", 0), ("/tickets/?queue=all&priority=3", 5),
    ("/tickets/?queue=all&more=1", 5),
])
def test_a_queue_page_costs_the_same_for_five_tickets_as_for_fifty(
    agent_ana, requester_carla, org_cafe, it, team_redes, web_client, url, choices,
    django_assert_num_queries
):
    # given
    client = web_client(agent_ana)
    _many(agent_ana, requester_carla, org_cafe, it, 5)
    few = _queries(client, url)
    _many(agent_ana, requester_carla, org_cafe, it, 55)

    # then: session, user, scope, watched tickets, the counts, the page's keys, its rows
    # (none to read for an empty page), the stamp, the saved views and the teams a view
    # may be shared with; plus the five filter choices when a folded filter is shown
    with django_assert_num_queries(few):
        client.get(url)
    assert few - choices in (9, 10)


def test_the_ticket_page_costs_the_same_with_many_comments(
    incident, agent_ana, requester_carla, web_client
):
    # given
    client = web_client(agent_ana)
    services.comment_add(actor=requester_carla, ticket=incident, body="Hola")
    few = _queries(client, "/tickets/INC-000001/")
    for number in range(20):
        services.comment_add(actor=agent_ana, ticket=incident, body=f"Respuesta {number}",
                             visibility="internal" if number % 2 else "public")

    # then
    assert _queries(client, "/tickets/INC-000001/") == few


def test_the_requesters_list_shows_their_tickets_in_any_status(desk, web_client,
                                                               requester_carla):
    speak_english(requester_carla)
    response = web_client(requester_carla).get("/tickets/")
    assert [row.find_all("a")[0].text for row in page(response).find_all(
        "tr", cls="queue-row")] == ["INC-000004", "INC-000003", "INC-000001"]
    assert page(response).find_all("h1")[0].text == "My requests"


def test_the_folded_filters_and_the_bulk_agents_load_when_opened(
        desk, web_client, agent_ana, team_redes, impresoras):
    client = web_client(agent_ana)

    page_html = client.get("/tickets/?queue=all").content.decode()
    filters = client.get("/tickets/filters/?queue=all&tag=wifi")
    assign = client.get("/tickets/bulk/assign/")

    # the queue page offers them folded, to load on opening (or with ?more=1 without
    # JavaScript)
    assert 'hx-get="/tickets/filters/?queue=all"' in page_html
    assert 'href="?queue=all&amp;more=1"' in page_html
    assert ("Redes", str(team_redes.pk)) in [
        (label.split(" · ")[0], value) for value, label in select_options(filters, "team")]
    assert ("Hardware / Impresoras", str(impresoras.pk)) in [
        (label, value) for value, label in select_options(filters, "category")]
    offered = [value for value, _label in select_options(assign, "assignee")]
    assert {"me", str(agent_ana.pk)} <= set(offered)


@pytest.mark.parametrize("path", ["/tickets/filters/", "/tickets/bulk/assign/"])
def test_the_folded_choices_are_scoped(path, desk, web_client, agent_other_org,
                                       requester_carla, team_redes):
    other = web_client(agent_other_org).get(path)

    assert other.status_code == 200
    assert "Redes" not in other.content.decode()
    assert web_client(requester_carla).get(path).status_code == 404
