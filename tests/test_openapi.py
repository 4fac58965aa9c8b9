"""The API describes itself: OpenAPI document and interactive docs."""

from __future__ import annotations


def test_the_openapi_document_lists_every_endpoint_and_both_ways_to_authenticate(client, db):
    # when
    response = client.get("/api/v1/openapi.json")

    # then
    assert response.status_code == 200
    document = response.json()
    assert {
        "/api/v1/me", "/api/v1/organizations", "/api/v1/organizations/{organization_id}",
        "/api/v1/departments", "/api/v1/departments/{department_id}", "/api/v1/teams",
        "/api/v1/teams/{team_id}", "/api/v1/teams/{team_id}/members",
        "/api/v1/teams/{team_id}/members/{user_id}", "/api/v1/users",
        "/api/v1/users/{user_id}", "/api/v1/users/{user_id}/memberships",
        "/api/v1/users/{user_id}/memberships/{membership_id}", "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= set(document["paths"])
    assert set(document["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_the_interactive_docs_are_served_without_any_outside_host(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content and b"unpkg" not in response.content


def test_an_unknown_api_path_and_a_wrong_method_answer_problem_json(client, db):
    # when
    unknown = client.get("/api/v1/nothing-here")
    wrong_method = client.put("/api/v1/tokens")

    # then
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert set(wrong_method["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
