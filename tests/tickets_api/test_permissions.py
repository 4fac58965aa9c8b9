"""Who may call which ticket endpoint: every endpoint of the tickets API against every
member of the cast.

Targets: Carla's incident INC-000001 in Café Montaña's IT (Ana's desk), with a public
reply and an internal note by Ana, Diego watching, and a link to INC-000003; INC-000002
is another of Carla's tickets (merged or linked by the matrix's rows).

Expected statuses: 401 anonymous; 404 whatever the caller may not see (never 403 for an
invisible ticket); 403 a visible ticket the caller may not change; 2xx allowed. A
refused request changes nothing at all (no ticket, comment, link, watcher or event
row); an allowed write records exactly its events, on the "api" channel, by the caller.
"""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Kind, Ticket, Visibility
from tests.api.support import problem, send
from tests.tickets_api.support import if_match, new_events, tickets_state

ROLES = (
    "anonymous",
    "requester_carla",
    "requester_other_org",
    "agent_other_org",
    "agent_bruno_other_department",
    "agent_ana",
    "admin",
    "provider_admin",
)

# One row per request, one column per role, in the order of ROLES. A label in
# parentheses tells two requests to the same endpoint apart.
# fmt: off
#                                                    anon  req  oreq oorg dept  ana admin prov
MATRIX: dict[str, tuple[int, ...]] = {
    "GET /tickets":                                   (401, 200, 200, 200, 200, 200, 200, 200),
    "POST /tickets":                                  (401, 201, 404, 404, 404, 201, 201, 201),
    "GET /tickets/{inc}":                             (401, 200, 404, 404, 404, 200, 200, 200),
    "PATCH /tickets/{inc}":                           (401, 403, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/transitions":                (401, 403, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/transitions (cancel)":       (401, 200, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/assignment":                 (401, 403, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/escalations":                (401, 403, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/priority":                   (401, 403, 404, 404, 404, 403, 200, 200),
    "POST /tickets/{inc}/merge":                      (401, 403, 404, 404, 404, 200, 200, 200),
    "GET /tickets/{inc}/comments":                    (401, 200, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/comments":                   (401, 201, 404, 404, 404, 201, 201, 201),
    "POST /tickets/{inc}/comments (internal)":        (401, 403, 404, 404, 404, 201, 201, 201),
    "PATCH /tickets/{inc}/comments/{reply}":          (401, 403, 404, 404, 404, 200, 403, 403),
    "PATCH /tickets/{inc}/comments/{note}":           (401, 404, 404, 404, 404, 200, 403, 403),
    "DELETE /tickets/{inc}/comments/{reply}":         (401, 403, 404, 404, 404, 204, 403, 403),
    "GET /tickets/{inc}/events":                      (401, 200, 404, 404, 404, 200, 200, 200),
    "POST /tickets/{inc}/watchers":                   (401, 403, 404, 404, 404, 201, 201, 201),
    "POST /tickets/{inc}/watchers (self)":            (401, 201, 404, 404, 404, 201, 201, 201),
    "DELETE /tickets/{inc}/watchers/{requester_diego}": (401, 403, 404, 404, 404, 204, 204, 204),
    "POST /tickets/{inc}/links":                      (401, 403, 404, 404, 404, 201, 201, 201),
    "DELETE /tickets/{inc}/links/{link}":             (401, 403, 404, 404, 404, 204, 204, 204),
    "GET /categories":                                (401, 200, 200, 200, 200, 200, 200, 200),
    "GET /categories?department_id={it}":             (401, 200, 404, 404, 404, 200, 200, 200),
    "GET /services":                                  (401, 200, 200, 200, 200, 200, 200, 200),
    "GET /services?department_id={it}":               (401, 200, 404, 404, 404, 200, 200, 200),
    "GET /ticket-fields":                             (401, 200, 200, 200, 200, 200, 200, 200),
    "GET /ticket-fields?department_id={it}":          (401, 200, 404, 404, 404, 200, 200, 200),
}
# fmt: on

# Request bodies, given the ids of the targets and the caller.
BODIES = {
    "POST /tickets": lambda ids: {"kind": "incident", "title": "No hay internet en caja",
                                  "department_id": ids["it"],
                                  "requester_id": ids["requester_carla"]},
    "PATCH /tickets/{inc}": lambda ids: {"title": "Impresora del piso 3: hojas en blanco"},
    "POST /tickets/{inc}/transitions": lambda ids: {"status": "in_progress"},
    "POST /tickets/{inc}/transitions (cancel)": lambda ids: {"status": "cancelled"},
    "POST /tickets/{inc}/assignment": lambda ids: {"team_id": ids["team_redes"],
                                                   "assignee_id": ids["agent_ana"]},
    "POST /tickets/{inc}/escalations": lambda ids: {"reason": "Necesita segunda línea"},
    "POST /tickets/{inc}/priority": lambda ids: {"priority": 1,
                                                 "reason": "Afecta la facturación"},
    "POST /tickets/{inc}/merge": lambda ids: {"duplicates": ["INC-000002"]},
    "POST /tickets/{inc}/comments": lambda ids: {"body": "¿Ya probaron reiniciarla?"},
    "POST /tickets/{inc}/comments (internal)": lambda ids: {
        "body": "Tóner genérico otra vez", "visibility": "internal"},
    "PATCH /tickets/{inc}/comments/{reply}": lambda ids: {"body": "Vamos en camino."},
    "PATCH /tickets/{inc}/comments/{note}": lambda ids: {"body": "Pedir tóner original."},
    "POST /tickets/{inc}/watchers": lambda ids: {"user_id": ids["agent_nico"]},
    "POST /tickets/{inc}/watchers (self)": lambda ids: {"user_id": ids["caller"]},
    "POST /tickets/{inc}/links": lambda ids: {"number": "INC-000002", "kind": "related"},
}

# Requests that carry the version the caller saw.
VERSIONED = {"PATCH /tickets/{inc}", "POST /tickets/{inc}/transitions",
             "POST /tickets/{inc}/transitions (cancel)"}

# The events an allowed write records, in order.
EVENTS = {
    "POST /tickets": ["created"],
    "PATCH /tickets/{inc}": ["changed"],
    "POST /tickets/{inc}/transitions": ["status"],
    "POST /tickets/{inc}/transitions (cancel)": ["status"],
    "POST /tickets/{inc}/assignment": ["assigned", "status"],
    "POST /tickets/{inc}/escalations": ["escalated"],
    "POST /tickets/{inc}/priority": ["priority_overridden"],
    "POST /tickets/{inc}/merge": ["merged_into", "merged"],
    "POST /tickets/{inc}/comments": ["commented"],
    "POST /tickets/{inc}/comments (internal)": ["commented"],
    "PATCH /tickets/{inc}/comments/{reply}": ["comment_edited"],
    "PATCH /tickets/{inc}/comments/{note}": ["comment_edited"],
    "DELETE /tickets/{inc}/comments/{reply}": ["comment_deleted"],
    "POST /tickets/{inc}/watchers": ["watcher_added"],
    "POST /tickets/{inc}/watchers (self)": ["watcher_added"],
    "DELETE /tickets/{inc}/watchers/{requester_diego}": ["watcher_removed"],
    "POST /tickets/{inc}/links": ["linked", "linked"],
    "DELETE /tickets/{inc}/links/{link}": ["unlinked", "unlinked"],
}

CASES = [
    pytest.param(request, role, status, id=f"{request} as {role}")
    for request, statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
]

DENIED_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def _method_and_path(request_line: str) -> tuple[str, str]:
    method, path = request_line.split(" ", 1)
    return method, path.split(" (")[0]


def test_the_matrix_covers_every_endpoint_of_the_tickets_api():
    from atiende.api.main import api

    # given
    routes = {
        (method, path.replace("/api/v1", ""))
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, operation in item.items()
        if {"tickets", "reference"} & set(operation.get("tags", []))
    }

    # when
    covered = set()
    for request_line in MATRIX:
        method, path = _method_and_path(request_line)
        covered |= {(m, route) for m, route in routes
                    if m == method.lower() and _same_shape(route, path.split("?")[0])}

    # then
    assert covered == routes
    assert set(BODIES) | set(EVENTS) | VERSIONED <= set(MATRIX)


def _same_shape(route: str, path: str) -> bool:
    route_parts, path_parts = route.strip("/").split("/"), path.strip("/").split("/")
    return len(route_parts) == len(path_parts) and all(
        r == p or (r.startswith("{") and p.startswith("{"))
        for r, p in zip(route_parts, path_parts, strict=True)
    )


@pytest.fixture
def targets(cast, incident, it, org_cafe, team_redes, requester_diego, agent_nico):
    ana, carla = cast["agent_ana"], cast["requester_carla"]

    def carla_ticket(title: str) -> Ticket:
        return services.ticket_create(actor=ana, kind=Kind.INCIDENT, title=title,
                                      organization=org_cafe, department=it, requester=carla)

    carla_ticket("Impresora del piso 3 no imprime (otra vez)")
    related = carla_ticket("Sin tóner en el piso 3")
    reply = services.comment_add(actor=ana, ticket=incident, body="Vamos a revisar.")
    note = services.comment_add(actor=ana, ticket=incident, body="Tóner genérico.",
                                visibility=Visibility.INTERNAL)
    services.watcher_add(actor=ana, ticket=incident, user=requester_diego)
    link = services.ticket_link(actor=ana, source=incident, target=related)
    return {
        "inc": incident.number,
        "it": it.pk,
        "team_redes": team_redes.pk,
        "agent_ana": ana.pk,
        "agent_nico": agent_nico.pk,
        "requester_carla": carla.pk,
        "requester_diego": requester_diego.pk,
        "reply": reply.pk,
        "note": note.pk,
        "link": link.pk,
    }


@pytest.mark.parametrize(("request_line", "role", "expected"), CASES)
def test_permission_matrix(request_line, role, expected, cast, targets, api_client):
    # given
    actor = cast[role]
    client = api_client(actor)
    ids = {**targets, "caller": actor.pk if actor else 0}
    method, path = _method_and_path(request_line)
    body = BODIES[request_line](ids) if request_line in BODIES else None
    headers = if_match(Ticket.objects.get(number=targets["inc"]).version) if (
        request_line in VERSIONED) else {}
    before = tickets_state()

    # when
    response = send(client, method, path.format(**ids), body, **headers)

    # then
    assert response.status_code == expected, response.content
    if expected in DENIED_CODES:
        problem(response, expected, DENIED_CODES[expected])
    if expected >= 400 or method == "GET":
        assert tickets_state() == before
    else:
        written = new_events(before)
        assert [event.kind for event in written] == EVENTS[request_line]
        assert {(event.actor_id, event.channel) for event in written} == {(actor.pk, "api")}


# --- beyond the matrix ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["requester_other_org", "agent_other_org",
                                  "agent_bruno_other_department"])
@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/tickets/{number}", None),
    ("GET", "/tickets/{number}/comments", None),
    ("GET", "/tickets/{number}/events", None),
    ("POST", "/tickets/{number}/comments", {"body": "Hola"}),
    ("POST", "/tickets/{number}/transitions", {"status": "cancelled"}),
    ("POST", "/tickets/{number}/watchers", {"user_id": 1}),
])
def test_an_invisible_ticket_looks_exactly_like_a_missing_one(role, method, path, body, cast,
                                                              incident, api_client):
    # given
    client = api_client(cast[role])
    before = tickets_state()

    # when
    invisible = send(client, method, path.format(number=incident.number), body,
                     **if_match(1))
    absent = send(client, method, path.format(number="INC-999999"), body, **if_match(1))

    # then
    problem(invisible, 404, "not_found")
    assert invisible.json() == absent.json()
    assert invisible["Content-Type"] == absent["Content-Type"]
    assert tickets_state() == before


@pytest.mark.parametrize("role", ["requester_carla", "agent_ana"])
def test_the_list_shows_only_what_the_caller_may_see(role, cast, incident, other_it,
                                                     org_other, api_client):
    # given: a ticket of Clínica Norte, and one of Café Montaña's HR
    services.ticket_create(actor=cast["agent_other_org"], kind=Kind.INCIDENT,
                           title="Monitor dañado", organization=org_other,
                           department=other_it, requester=cast["requester_other_org"])

    # when
    response = api_client(cast[role]).get("/api/v1/tickets")

    # then
    assert [ticket["number"] for ticket in response.json()["results"]] == ["INC-000001"]


def test_a_team_lead_sets_the_priority_by_hand(incident, lead_lucia, api_client):
    # when
    response = send(api_client(lead_lucia), "POST", f"/tickets/{incident.number}/priority",
                    {"priority": 2, "reason": "Gerencia sin impresora"})

    # then
    assert response.status_code == 200, response.content
    assert (response.json()["priority"], response.json()["version"]) == (2, 2)
    assert response["ETag"] == '"2"'
