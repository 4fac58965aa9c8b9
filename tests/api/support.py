"""What the API tests share: sending JSON, reading a problem document, and a picture of
the data to prove that a refused request changed nothing."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.test import Client

from atiende.core.models import (
    ApiToken,
    AuditEvent,
    Department,
    Membership,
    Organization,
    Team,
    User,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def send(client: Client, method: str, path: str, body: Any = None, **extra) -> HttpResponse:
    """`method` on `/api/v1{path}`, with `body` as JSON (a str or bytes is sent as is)."""
    call = getattr(client, method.lower())
    if body is None:
        return call(f"/api/v1{path}", **extra)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return call(f"/api/v1{path}", data=data, content_type="application/json", **extra)


def problem(response: HttpResponse, status: int, code: str) -> dict:
    """Assert `response` is an RFC 9457 problem with this status and code; return it."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert set(body) - {"errors"} == PROBLEM_KEYS, body
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"]
    return body


def field_errors(body: dict) -> list[tuple[str, str]]:
    """The (field, code) pairs of a validation problem, after checking their shape."""
    for error in body["errors"]:
        assert set(error) == {"field", "message", "code"}, error
        assert error["message"]
    return [(error["field"], error["code"]) for error in body["errors"]]


def database_state() -> dict[str, list]:
    """Every row of tenancy, people, tokens and the audit trail. A token's "last used"
    time is left out: authenticating with a token is allowed to touch it."""
    token_fields = [f.attname for f in ApiToken._meta.concrete_fields if f.name != "last_used_at"]
    return {
        "organizations": list(Organization.objects.order_by("pk").values_list()),
        "departments": list(Department.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list()),
        "memberships": list(Membership.objects.order_by("pk").values_list()),
        "teams": list(Team.objects.order_by("pk").values_list()),
        "team_members": list(Team.members.through.objects.order_by("pk").values_list()),
        "tokens": list(ApiToken.objects.order_by("pk").values_list(*token_fields)),
        "audit_events": list(AuditEvent.objects.order_by("pk").values_list()),
    }


def new_audit_actions(before: dict[str, list]) -> list[str]:
    """The actions of the audit events written since `before` was taken, in order."""
    known = {row[0] for row in before["audit_events"]}
    return list(
        AuditEvent.objects.exclude(pk__in=known).order_by("pk").values_list("action", flat=True)
    )


def ids(response: HttpResponse) -> set[int]:
    """The ids of one page of a list."""
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def walk(client: Client, path: str, **query) -> list[int]:
    """Every id of a list, following `next` links page by page, in the order served."""
    response = client.get(f"/api/v1{path}", query)
    served: list[int] = []
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        served += [item["id"] for item in page["results"]]
        if page["next"] is None:
            return served
        response = client.get(page["next"])
