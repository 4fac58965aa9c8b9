"""Who may call which endpoint: every endpoint of /api/v1/ against every member of the cast.

Targets live in Café Montaña unless the row says otherwise: `it` is its IT desk (Ana's),
`team_redes` Ana's team, `requester_diego` a requester Carla does not see. A few rows
aim at Clínica Norte (`other_it`, `requester_other_org`) to cross the tenant line the
other way.

Expected statuses: 401 anonymous; 404 whatever the caller may not see (never 403 for an
invisible thing); 403 a visible thing the caller may not change; 200/201/204 allowed.
A refused request changes nothing at all; an allowed write records exactly its audit
events, on the "api" channel, by the caller.
"""

from __future__ import annotations

import pytest
from django.core import mail

from atiende.core import services
from atiende.core.models import AuditEvent, Membership
from tests.api.support import database_state, new_audit_actions, problem, send

ROLES = (
    "anonymous",
    "requester_carla",
    "agent_other_org",
    "agent_bruno_other_department",
    "agent_ana",
    "admin",
    "provider_admin",
)

# One row per request, one column per role, in the order of ROLES:
# fmt: off
#                                                  anon  req  other dept  agent admin prov
MATRIX: dict[str, tuple[int, ...]] = {
    "GET /me":                                      (401, 200, 200, 200, 200, 200, 200),
    "PATCH /me":                                    (401, 200, 200, 200, 200, 200, 200),
    "GET /organizations":                           (401, 200, 200, 200, 200, 200, 200),
    "GET /organizations/{org_cafe}":                (401, 200, 404, 200, 200, 200, 200),
    "POST /organizations":                          (401, 403, 403, 403, 403, 403, 201),
    "PATCH /organizations/{org_cafe}":              (401, 403, 404, 403, 403, 200, 200),
    "GET /departments":                             (401, 200, 200, 200, 200, 200, 200),
    "GET /departments/{it}":                        (401, 200, 404, 404, 200, 200, 200),
    "POST /departments":                            (401, 403, 404, 403, 403, 201, 201),
    "PATCH /departments/{it}":                      (401, 403, 404, 404, 403, 200, 200),
    "PATCH /departments/{other_it}":                (401, 404, 403, 404, 404, 404, 200),
    "GET /teams":                                   (401, 200, 200, 200, 200, 200, 200),
    "GET /teams/{team_redes}":                      (401, 404, 404, 404, 200, 200, 200),
    "POST /teams":                                  (401, 403, 404, 404, 403, 201, 201),
    "PATCH /teams/{team_redes}":                    (401, 404, 404, 404, 403, 200, 200),
    "POST /teams/{team_redes}/members":             (401, 404, 404, 404, 403, 201, 201),
    "DELETE /teams/{team_redes}/members/{agent_ana}": (401, 404, 404, 404, 403, 204, 204),
    "GET /users":                                   (401, 200, 200, 200, 200, 200, 200),
    "GET /users/{requester_diego}":                 (401, 404, 404, 200, 200, 200, 200),
    "GET /users/{requester_other_org}":             (401, 404, 200, 404, 404, 404, 200),
    "POST /users":                                  (401, 403, 404, 403, 403, 201, 201),
    "PATCH /users/{requester_diego}":               (401, 404, 404, 403, 403, 200, 200),
    "POST /users/{requester_diego}/memberships":    (401, 404, 404, 404, 403, 201, 201),
    "DELETE /users/{requester_diego}/memberships/{diego_membership}":
                                                    (401, 404, 404, 403, 403, 204, 204),
    "GET /tokens":                                  (401, 200, 200, 200, 200, 200, 200),
    "POST /tokens":                                 (401, 201, 201, 201, 201, 201, 201),
    "DELETE /tokens/{own_token}":                   (401, 204, 204, 204, 204, 204, 204),
    "DELETE /tokens/{carla_token}":                 (401, 204, 404, 404, 404, 404, 404),
}
# fmt: on

# Request bodies, given the ids of the targets.
BODIES = {
    "PATCH /me": lambda ids: {"phone": "+57 601 555 0101"},
    "POST /organizations": lambda ids: {"name": "Ferretería del Sur"},
    "PATCH /organizations/{org_cafe}": lambda ids: {"name": "Café Montaña S.A.S."},
    "POST /departments": lambda ids: {"organization_id": ids["org_cafe"], "name": "Finanzas",
                                      "function": "finance"},
    "PATCH /departments/{it}": lambda ids: {"name": "Tecnología e Innovación"},
    "PATCH /departments/{other_it}": lambda ids: {"name": "Sistemas y Redes"},
    "POST /teams": lambda ids: {"department_id": ids["it"], "name": "Soporte en sitio"},
    "PATCH /teams/{team_redes}": lambda ids: {"description": "Switches, Wi-Fi y VPN"},
    "POST /teams/{team_redes}/members": lambda ids: {"user_id": ids["agent_nico"]},
    "POST /users": lambda ids: {"organization_id": ids["org_cafe"],
                                "email": "elena@cafemontana.example",
                                "display_name": "Elena Castro"},
    "PATCH /users/{requester_diego}": lambda ids: {"phone": "+57 601 555 0199"},
    "POST /users/{requester_diego}/memberships": lambda ids: {
        "organization_id": ids["org_cafe"], "department_id": ids["it"], "role": "agent"},
    "POST /tokens": lambda ids: {"name": "Integración Power BI"},
}

# The audit events an allowed write records.
AUDITED = {
    "PATCH /me": ["user.updated"],
    "POST /organizations": ["organization.created"],
    "PATCH /organizations/{org_cafe}": ["organization.updated"],
    "POST /departments": ["department.created"],
    "PATCH /departments/{it}": ["department.updated"],
    "PATCH /departments/{other_it}": ["department.updated"],
    "POST /teams": ["team.created"],
    "PATCH /teams/{team_redes}": ["team.updated"],
    "POST /teams/{team_redes}/members": ["team.member_added"],
    "DELETE /teams/{team_redes}/members/{agent_ana}": ["team.member_removed"],
    "POST /users": ["user.created", "membership.granted"],
    "PATCH /users/{requester_diego}": ["user.updated"],
    "POST /users/{requester_diego}/memberships": ["membership.granted"],
    "DELETE /users/{requester_diego}/memberships/{diego_membership}": ["membership.revoked"],
    "POST /tokens": ["token.created"],
    "DELETE /tokens/{own_token}": ["token.revoked"],
    "DELETE /tokens/{carla_token}": ["token.revoked"],
}

CASES = [
    pytest.param(request, role, status, id=f"{request} as {role}")
    for request, statuses in MATRIX.items()
    for role, status in zip(ROLES, statuses, strict=True)
]

DENIED_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def test_the_matrix_covers_every_endpoint_of_the_api():
    from atiende.api.main import api

    # given: the endpoints of organizations, people and tokens (tickets have their own)
    core_tags = {"me", "organizations", "departments", "teams", "users", "tokens"}
    routes = {
        (method, path.replace("/api/v1", ""))
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, operation in item.items()
        if set(operation.get("tags", [])) & core_tags
    }

    # when
    covered = set()
    for request in MATRIX:
        method, path = request.split(" ", 1)
        covered |= {(method.lower(), route) for m, route in routes
                    if m == method.lower() and _same_shape(route, path)}

    # then
    assert covered == routes
    assert set(BODIES) <= set(MATRIX)
    assert set(AUDITED) <= set(MATRIX)


def _same_shape(route: str, path: str) -> bool:
    route_parts, path_parts = route.strip("/").split("/"), path.strip("/").split("/")
    return len(route_parts) == len(path_parts) and all(
        r == p or (r.startswith("{") and p.startswith("{"))
        for r, p in zip(route_parts, path_parts, strict=True)
    )


@pytest.fixture
def targets(cast, org_cafe, org_other, it, other_it, team_redes, requester_diego, agent_nico):
    """The ids the matrix's requests aim at (the acting user's own token comes later)."""
    carla_token, _plaintext = services.token_create(actor=cast["requester_carla"],
                                                    name="Hoja de cálculo")
    return {
        "org_cafe": org_cafe.pk,
        "org_other": org_other.pk,
        "it": it.pk,
        "other_it": other_it.pk,
        "team_redes": team_redes.pk,
        "agent_ana": cast["agent_ana"].pk,
        "agent_nico": agent_nico.pk,
        "requester_diego": requester_diego.pk,
        "requester_other_org": cast["requester_other_org"].pk,
        "diego_membership": Membership.objects.get(user=requester_diego).pk,
        "carla_token": carla_token.pk,
    }


@pytest.mark.parametrize(("request_line", "role", "expected"), CASES)
def test_permission_matrix(request_line, role, expected, cast, targets, api_client):
    # given
    actor = cast[role]
    client = api_client(actor)
    ids = dict(targets)
    ids["own_token"] = (
        services.token_create(actor=actor, name="Portátil viejo")[0].pk
        if actor is not None else targets["carla_token"]
    )
    method, path = request_line.split(" ", 1)
    body = BODIES[request_line](ids) if request_line in BODIES else None
    before = database_state()

    # when
    response = send(client, method, path.format(**ids), body)

    # then
    assert response.status_code == expected, response.content
    if expected in DENIED_CODES:
        problem(response, expected, DENIED_CODES[expected])
    if expected >= 400 or method == "GET":
        assert database_state() == before
        assert mail.outbox == []
    else:
        assert new_audit_actions(before) == AUDITED[request_line]
        written = AuditEvent.objects.exclude(pk__in=[row[0] for row in before["audit_events"]])
        assert {(event.actor_id, event.channel) for event in written} == {(actor.pk, "api")}


# --- beyond the matrix ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path"),
    [("agent_bruno_other_department", "/teams/{team_redes}"),
     ("agent_other_org", "/organizations/{org_cafe}"),
     ("requester_carla", "/users/{requester_diego}"),
     ("admin", "/users/{requester_other_org}"),
     ("agent_ana", "/departments/{other_it}")],
)
def test_an_invisible_thing_looks_exactly_like_a_missing_one(role, path, cast, targets,
                                                             api_client):
    # given
    client = api_client(cast[role])
    missing = {name: 987654 for name in targets}

    # when
    invisible = client.get(f"/api/v1{path.format(**targets)}")
    absent = client.get(f"/api/v1{path.format(**missing)}")

    # then
    assert invisible.status_code == absent.status_code == 404
    assert invisible.json() == absent.json()
    assert invisible["Content-Type"] == absent["Content-Type"]


@pytest.mark.parametrize(
    ("request_line", "body", "expected"),
    [
        ("POST /users/{requester_diego}/memberships",
         lambda ids: {"organization_id": ids["org_cafe"], "role": "provider_admin"}, 403),
        ("POST /users", lambda ids: {"organization_id": ids["org_cafe"], "role": "provider_admin",
                                     "email": "eva@cafemontana.example",
                                     "display_name": "Eva Ruiz"}, 403),
        ("POST /users/{requester_other_org}/memberships",
         lambda ids: {"organization_id": ids["org_cafe"], "role": "organization_admin"}, 404),
        ("POST /users/{requester_diego}/memberships",
         lambda ids: {"organization_id": ids["org_other"], "department_id": ids["other_it"],
                      "role": "agent"}, 404),
        ("POST /departments", lambda ids: {"organization_id": ids["org_other"],
                                           "name": "Finanzas"}, 404),
    ],
    ids=["grant-provider-admin", "create-provider-admin", "grant-to-a-stranger",
         "grant-in-another-organization", "department-in-another-organization"],
)
def test_an_organization_admin_cannot_reach_beyond_their_organization(
    request_line, body, expected, cast, targets, api_client
):
    # given
    client = api_client(cast["admin"])
    method, path = request_line.split(" ", 1)
    before = database_state()

    # when
    response = send(client, method, path.format(**targets), body(targets))

    # then
    problem(response, expected, DENIED_CODES[expected])
    assert database_state() == before


def test_an_admin_cannot_remove_their_own_admin_role(admin, api_client):
    # given
    client = api_client(admin)
    membership = admin.memberships.get()
    before = database_state()

    # when
    response = client.delete(f"/api/v1/users/{admin.pk}/memberships/{membership.pk}")

    # then
    problem(response, 422, "own_admin_role")
    assert database_state() == before
