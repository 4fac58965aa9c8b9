"""The ticket list: scoped, filtered, newest first, walked page by page with cursors,
at a fixed number of queries whatever the page size; and the reference lists."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import (
    Category,
    CustomField,
    DeskSettings,
    Kind,
    Service,
    Ticket,
)
from tests.api.support import problem, walk


@pytest.fixture
def desk(cast, incident, org_cafe, it, team_redes, impresoras, correo, requester_diego,
         agent_nico):
    """Café Montaña's IT desk with five tickets (INC-000001 is Carla's printer):

    | number     | kind            | requester | team  | assignee | status      | other        |
    |------------|-----------------|-----------|-------|----------|-------------|--------------|
    | INC-000001 | incident        | Carla     |       |          | new         | phone        |
    | INC-000002 | incident        | Diego     | Redes | Ana      | in_progress | P1, wifi     |
    | REQ-000001 | service request | Carla     |       | Nico     | assigned    | correo       |
    | INC-000003 | incident        | Diego     | Redes |          | pending     | impresoras   |
    | REQ-000002 | service request | Diego     |       |          | new         | email, wifi  |
    """
    ana = cast["agent_ana"]

    def create(**fields):
        values = {"actor": ana, "kind": Kind.INCIDENT, "organization": org_cafe,
                  "department": it, "requester": requester_diego, "channel": "portal"}
        values.update(fields)
        return services.ticket_create(**values)

    wifi = create(title="Sin wifi en bodega", team=team_redes, assignee=ana, impact=1,
                  urgency=1, tags=["wifi"])
    services.ticket_transition(actor=ana, ticket=wifi, to_status="in_progress", version=1)
    create(kind=Kind.SERVICE_REQUEST, title="Buzón para practicante", assignee=agent_nico,
           requester=cast["requester_carla"], service=correo)
    pending = create(title="Impresora atascada", team=team_redes, category=impresoras)
    services.ticket_transition(actor=ana, ticket=pending, to_status="pending", version=1,
                               pending_reason="third_party")
    create(kind=Kind.SERVICE_REQUEST, title="Wifi para visitantes", channel="email",
           tags=["Wifi", "visitantes"])
    return {"team_redes": team_redes, "impresoras": impresoras, "correo": correo,
            "diego": requester_diego, "nico": agent_nico, "ana": ana}


def _numbers(client, **query) -> list[str]:
    response = client.get("/api/v1/tickets", query)
    assert response.status_code == 200, response.content
    return [ticket["number"] for ticket in response.json()["results"]]


@pytest.mark.parametrize(("query", "expected"), [
    ({}, "REQ-000002 INC-000003 REQ-000001 INC-000002 INC-000001"),
    ({"kind": "service_request"}, "REQ-000002 REQ-000001"),
    ({"status": "new"}, "REQ-000002 INC-000001"),
    ({"status": ["pending", "in_progress"]}, "INC-000003 INC-000002"),
    ({"priority": 1}, "INC-000002"),
    ({"priority": [1, 3]}, "REQ-000002 INC-000003 REQ-000001 INC-000002 INC-000001"),
    ({"team_id": "team_redes"}, "INC-000003 INC-000002"),
    ({"assignee_id": "me"}, "INC-000002"),
    ({"assignee_id": "nico"}, "REQ-000001"),
    ({"unassigned": "true"}, "REQ-000002 INC-000003 INC-000001"),
    ({"requester_id": "diego"}, "REQ-000002 INC-000003 INC-000002"),
    ({"category_id": "impresoras"}, "INC-000003"),
    ({"service_id": "correo"}, "REQ-000001"),
    ({"channel": "email"}, "REQ-000002"),
    ({"tag": "wifi"}, "REQ-000002 INC-000002"),
    ({"tag": "visitantes", "kind": "incident"}, ""),
    ({"unassigned": "true", "status": "new", "kind": "incident"}, "INC-000001"),
])
def test_filters(query, expected, desk, api_client):
    # given
    client = api_client(desk["ana"])
    named = {"team_redes", "nico", "impresoras", "correo", "diego"}
    query = {name: desk[value].pk if value in named else value
             for name, value in query.items() if not isinstance(value, list)} | {
        name: value for name, value in query.items() if isinstance(value, list)}

    # when
    numbers = _numbers(client, **query)

    # then
    assert numbers == expected.split()


@pytest.mark.parametrize(("query", "field"), [
    ({"assignee_id": "9" * 19}, "assignee_id"), ({"assignee_id": "9" * 25}, "assignee_id"),
    ({"team_id": "9" * 25}, "team_id"), ({"department_id": "-" + "9" * 25}, "department_id"),
])
def test_an_id_filter_beyond_any_id_is_a_field_error(query, field, desk, api_client):
    # when
    response = api_client(desk["ana"]).get("/api/v1/tickets", query)

    # then
    assert [error["field"] for error in problem(response, 422, response.json()["code"])[
        "errors"]] == [field]


@pytest.mark.parametrize("path", ["/categories", "/services", "/ticket-fields"])
def test_a_reference_list_of_a_department_beyond_any_id_is_a_field_error(path, cast,
                                                                         api_client):
    # when
    response = api_client(cast["agent_ana"]).get(f"/api/v1{path}",
                                                 {"department_id": "9" * 25})

    # then
    assert [error["field"] for error in problem(response, 422, "validation_failed")[
        "errors"]] == ["department_id"]


def test_a_long_tag_filter_finds_nothing(desk, api_client):
    # when
    response = api_client(desk["ana"]).get("/api/v1/tickets", {"tag": "ñ" * 300})

    # then
    assert response.status_code == 200 and response.json()["results"] == []


def test_filters_by_organization_and_department(desk, cast, hr, org_cafe, it, api_client):
    # given
    client = api_client(cast["admin"])
    services.ticket_create(actor=cast["admin"], kind=Kind.SERVICE_REQUEST,
                           title="Certificado laboral", organization=org_cafe, department=hr,
                           requester=cast["requester_carla"])

    # then
    assert _numbers(client, department_id=hr.pk) == ["REQ-000003"]
    assert len(_numbers(client, department_id=it.pk)) == 5
    assert len(_numbers(client, organization_id=org_cafe.pk)) == 6
    assert _numbers(client, organization_id=987654) == []


@pytest.mark.parametrize(("query", "field"), [
    ({"assignee_id": "ella"}, "assignee_id"),
    ({"assignee_id": "²"}, "assignee_id"),
    ({"priority": "alta"}, "priority"),
    ({"priority": ["1", "9"]}, "priority"),
    ({"status": ["new", "abierto"]}, "status"),
    ({"status": "new\x00"}, "status"),
    ({"team_id": "redes"}, "team_id"),
    ({"unassigned": "quizás"}, "unassigned"),
    ({"cursor": "no-es-un-cursor"}, "cursor"),
    ({"created_after": "2026-11-01T00:00:00"}, "created_after"),
    ({"created_before": "ayer"}, "created_before"),
])
def test_a_bad_filter_is_a_field_error(query, field, desk, api_client):
    # when
    response = api_client(desk["ana"]).get("/api/v1/tickets", query)

    # then
    body = problem(response, 422, response.json()["code"])
    assert [error["field"] for error in body["errors"]] == [field]


def test_filters_by_creation_moment(desk, api_client):
    client = api_client(desk["ana"])
    third = Ticket.objects.get(number="INC-000003").created_at.isoformat()

    assert _numbers(client, created_after=third) == ["REQ-000002", "INC-000003"]
    assert _numbers(client, created_before=third) == ["REQ-000001", "INC-000002",
                                                      "INC-000001"]
    assert _numbers(client, created_after="2000-01-01T00:00:00-05:00",
                    created_before="2000-01-02T00:00:00-05:00") == []


def test_the_cursor_walks_every_ticket_once_newest_first(desk, cast, org_cafe, it,
                                                         api_client):
    # given: 17 tickets in all
    for number in range(12):
        services.ticket_create(actor=desk["ana"], kind=Kind.INCIDENT,
                               title=f"Equipo {number:02}", organization=org_cafe,
                               department=it, requester=desk["diego"])
    client = api_client(desk["ana"])
    expected = sorted(
        (ticket["id"] for ticket in client.get("/api/v1/tickets").json()["results"]),
        reverse=True)

    # when
    served = walk(client, "/tickets", page_size=5)
    filtered = walk(client, "/tickets", page_size=4, requester_id=desk["diego"].pk)

    # then
    assert len(expected) == 17
    assert served == expected
    assert len(filtered) == 15 and filtered == sorted(filtered, reverse=True)


def test_a_previous_link_goes_back_one_page(desk, api_client):
    # given
    client = api_client(desk["ana"])
    first = client.get("/api/v1/tickets", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    # when
    back = client.get(second["previous"]).json()

    # then
    assert [t["number"] for t in back["results"]] == [t["number"] for t in first["results"]]
    assert [t["number"] for t in second["results"]] == ["REQ-000001", "INC-000002"]


def test_a_list_row_carries_what_a_queue_shows(desk, api_client):
    # when
    row = api_client(desk["ana"]).get("/api/v1/tickets", {"tag": "wifi",
                                                          "kind": "incident"}).json()

    # then
    ticket = row["results"][0]
    assert {key: ticket[key] for key in ("number", "status", "priority", "impact", "urgency",
                                         "tags", "channel", "version")} == {
        "number": "INC-000002", "status": "in_progress", "priority": 1, "impact": 1,
        "urgency": 1, "tags": ["wifi"], "channel": "portal", "version": 2}
    assert ticket["assignee"] == {"id": desk["ana"].pk, "display_name": "Ana Gómez"}
    assert ticket["team"] == {"id": desk["team_redes"].pk, "name": "Redes"}
    assert ticket["requester"] == {"id": desk["diego"].pk, "display_name": "Diego Torres"}


# --- queries ---------------------------------------------------------------------------


@pytest.fixture
def sixty_tickets(desk, cast, org_cafe, it):
    ana = desk["ana"]
    for number in range(60):
        services.ticket_create(
            actor=ana, kind=Kind.INCIDENT if number % 2 else Kind.SERVICE_REQUEST,
            title=f"Caso {number:02}", organization=org_cafe, department=it,
            requester=desk["diego"] if number % 3 else cast["requester_carla"],
            team=desk["team_redes"] if number % 4 else None,
            assignee=ana if number % 5 else None, category=desk["impresoras"],
            service=desk["correo"], tags=[f"etiqueta-{number % 7}", "piso-3"],
        )


@pytest.mark.parametrize("role", ["agent_ana", "admin", "provider_admin", "requester_carla"])
def test_the_list_costs_the_same_for_five_or_fifty_rows(role, cast, sixty_tickets, api_client,
                                                        django_assert_num_queries):
    # given
    client = api_client(cast[role])
    client.get("/api/v1/tickets")  # the token's first use is written once
    with django_assert_num_queries(5 if role == "provider_admin" else 6) as few:
        small = client.get("/api/v1/tickets", {"page_size": 5})

    # when
    with django_assert_num_queries(len(few.captured_queries)):
        large = client.get("/api/v1/tickets", {"page_size": 50})

    # then: authenticate the token, build the scope, the watched tickets (not for a
    # provider admin, who sees everything), the page's keys, its rows, their tags
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == (50 if role != "requester_carla" else 22)


# Token, scope, ticket, the page; for comments also their attachments.
@pytest.mark.parametrize(("path", "queries"), [("/tickets/INC-000002/events", 5),
                                               ("/tickets/INC-000002/comments", 6)])
def test_the_timeline_and_conversation_cost_the_same_for_five_or_fifty_rows(
    path, queries, desk, api_client, django_assert_num_queries
):
    # given
    ana = desk["ana"]
    ticket = Ticket.objects.get(number="INC-000002")
    for number in range(60):
        services.comment_add(actor=ana, ticket=ticket, body=f"Avance {number}",
                             visibility="internal" if number % 2 else "public")
    client = api_client(ana)
    client.get(f"/api/v1{path}")
    with django_assert_num_queries(queries) as few:
        small = client.get(f"/api/v1{path}", {"page_size": 5})

    # when
    with django_assert_num_queries(len(few.captured_queries)):
        large = client.get(f"/api/v1{path}", {"page_size": 50})

    # then
    assert (len(small.json()["results"]), len(large.json()["results"])) == (5, 50)


def test_the_detail_costs_a_fixed_number_of_queries(desk, api_client,
                                                    django_assert_max_num_queries):
    # given
    client = api_client(desk["ana"])
    client.get("/api/v1/tickets/INC-000002")

    # then: token, scope, ticket, tags, watchers, children, links out, links in
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/tickets/INC-000002")
    assert response.status_code == 200


# --- reference lists ---------------------------------------------------------------------


def test_categories_are_a_flat_tree_with_paths(cast, it, hr, impresoras, api_client):
    # given
    hardware = impresoras.parent
    Category.objects.create(department=it, parent=impresoras, name="Láser")
    Category.objects.create(department=it, name="Accesos")
    Category.objects.create(department=hr, name="Nómina")

    # when
    response = api_client(cast["agent_ana"]).get("/api/v1/categories",
                                                 {"department_id": it.pk})

    # then
    assert response.status_code == 200
    assert [(c["path"], c["parent_id"]) for c in response.json()] == [
        ("Accesos", None),
        ("Hardware", None),
        ("Hardware / Impresoras", hardware.pk),
        ("Hardware / Impresoras / Láser", impresoras.pk),
    ]


@pytest.mark.parametrize(("role", "expected"), [
    ("requester_carla", {"Hardware", "Hardware / Impresoras", "Nómina"}),
    ("agent_ana", {"Hardware", "Hardware / Impresoras"}),
    ("agent_bruno_other_department", {"Nómina"}),
    ("agent_other_org", set()),
])
def test_categories_without_a_department_are_those_the_caller_may_see(role, expected, cast, hr,
                                                                      impresoras, api_client):
    # given
    Category.objects.create(department=hr, name="Nómina")

    # when
    response = api_client(cast[role]).get("/api/v1/categories")

    # then
    assert {category["path"] for category in response.json()} == expected


def test_services_of_a_department(cast, it, hr, correo, api_client):
    # given
    Service.objects.create(department=hr, name="Nómina")
    Service.objects.create(department=it, name="Accesos VPN", is_active=False)

    # when
    response = api_client(cast["requester_carla"]).get("/api/v1/services",
                                                        {"department_id": it.pk})

    # then
    assert [(s["name"], s["is_active"]) for s in response.json()] == [
        ("Accesos VPN", False), ("Correo electrónico", True)]


def test_ticket_fields_describe_lifecycles_and_the_department_matrix(cast, it, api_client):
    # given
    DeskSettings.objects.create(department=it, priority_matrix={"3,3": 4},
                                reopen_window_days=10)
    CustomField.objects.create(department=it, key="activo", label="Activo fijo",
                               field_type="text", is_required=False)
    client = api_client(cast["agent_ana"])

    # when
    general = client.get("/api/v1/ticket-fields").json()
    of_it = client.get("/api/v1/ticket-fields", {"department_id": it.pk}).json()

    # then
    assert [kind["value"] for kind in general["kinds"]] == ["incident", "service_request",
                                                            "task"]
    assert general["transitions"]["incident"]["resolved"] == ["in_progress", "closed"]
    assert general["transitions"]["service_request"]["closed"] == []
    assert [p["value"] for p in general["priorities"]] == [1, 2, 3, 4, 5]
    assert general["priority_matrix"] is None and general["custom_fields"] is None
    matrix = {(cell["impact"], cell["urgency"]): cell["priority"]
              for cell in of_it["priority_matrix"]}
    assert matrix == {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): 2, (2, 2): 3, (2, 3): 4,
                      (3, 1): 3, (3, 2): 4, (3, 3): 4}
    assert of_it["reopen_window_days"] == 10
    assert [field["key"] for field in of_it["custom_fields"]] == ["activo"]
