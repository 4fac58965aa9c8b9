"""SLA policies: who may read and change them (API), what bad input is refused with,
and which policy a ticket gets."""

from __future__ import annotations

import pytest
from django.utils import translation

from atiende.core.models import AuditEvent
from atiende.errors import ValidationFailed
from atiende.sla import policy_services
from atiende.sla.matching import PolicyConditions, TicketFacts, match_policy
from atiende.sla.models import SlaPolicy, SlaTarget
from tests.api.support import field_errors, problem, send
from tests.sla.conftest import STANDARD_TARGETS

ROLES = ("anonymous", "requester_carla", "agent_other_org", "admin_other_org",
         "agent_bruno_other_department", "agent_ana", "admin", "provider_admin")

# fmt: off
#                                          anon  req  other oadm dept agent admin prov
MATRIX: dict[str, tuple[int, ...]] = {
    "GET /sla-policies/{cafe}":            (401, 404, 404, 404, 200, 200, 200, 200),
    "GET /sla-policies/{other}":           (401, 404, 200, 200, 404, 404, 404, 200),
    "POST /sla-policies":                  (401, 403, 404, 404, 403, 403, 201, 201),
    "PATCH /sla-policies/{cafe}":          (401, 404, 404, 404, 403, 403, 200, 200),
}
# fmt: on

BODIES = {
    "POST /sla-policies": lambda ids: {
        "organization_id": ids["org_cafe"], "name": "Incidentes", "kind": "incident",
        "calendar_id": ids["calendar"], "targets": [
            {"priority": 1, "first_response_minutes": 15, "resolution_minutes": 120}]},
    "PATCH /sla-policies/{cafe}": lambda ids: {"name": "Estándar TI"},
}


def policy_rows() -> dict:
    return {"policies": list(SlaPolicy.objects.order_by("pk").values_list()),
            "targets": list(SlaTarget.objects.order_by("pk").values_list()),
            "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))}


@pytest.mark.parametrize("request_line", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request_line, role, actors, api_client, org_cafe, cafe_calendar,
                           cafe_policy, other_policy):
    # given
    ids = {"org_cafe": org_cafe.pk, "calendar": cafe_calendar.pk, "cafe": cafe_policy.pk,
           "other": other_policy.pk}
    method, path = request_line.split(" ")
    body = BODIES.get(request_line, lambda ids: None)(ids)
    client = api_client(actors[role])
    before = policy_rows()
    expected = MATRIX[request_line][ROLES.index(role)]

    # when
    response = send(client, method, path.format(**ids), body)

    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        problem(response, expected, {401: "not_authenticated", 403: "permission_denied",
                                     404: "not_found"}[expected])
    if expected >= 400 or method == "GET":
        assert policy_rows() == before


def test_create_answers_the_whole_policy(admin, api_client, org_cafe, it, cafe_calendar):
    # when
    response = send(api_client(admin), "POST", "/sla-policies", {
        "organization_id": org_cafe.pk, "name": "TI críticos", "calendar_id": cafe_calendar.pk,
        "department_id": it.pk, "priorities": [1, 2],
        "targets": [{"priority": 1, "first_response_minutes": 15, "resolution_minutes": 120,
                     "next_response_minutes": 60}]})

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    body.pop("updated_at")
    assert body == {
        "id": body["id"], "organization_id": org_cafe.pk, "name": "TI críticos",
        "calendar_id": cafe_calendar.pk, "department_id": it.pk, "kind": "",
        "service_id": None, "category_id": None, "ticket_channel": "", "priorities": [1, 2],
        "requester_group_id": None, "pause_reasons": ["awaiting_requester"],
        "warning_percentages": [75, 90],
        "is_active": True, "targets": [{"priority": 1, "first_response_minutes": 15,
                                        "resolution_minutes": 120,
                                        "next_response_minutes": 60}]}
    assert AuditEvent.objects.get(action="sla_policy.created").channel == "api"


@pytest.mark.parametrize("changes, field, code", [
    ({"targets": []}, "targets", "no_targets"),
    ({"targets": [{"priority": 1, "first_response_minutes": 0, "resolution_minutes": 60}]},
     "targets", "target_not_positive"),
    ({"targets": [{"priority": 2, "first_response_minutes": 30, "resolution_minutes": -5}]},
     "targets", "target_not_positive"),
    ({"targets": [{"priority": 1, "first_response_minutes": 30, "resolution_minutes": 60},
                  {"priority": 1, "first_response_minutes": 30, "resolution_minutes": 90}]},
     "targets", "duplicate_target"),
    ({"priorities": [1], "targets": [{"priority": 3, "first_response_minutes": 30,
                                      "resolution_minutes": 60}]},
     "targets", "target_outside_priorities"),
    ({"warning_percentages": [75, 100]}, "warning_percentages", "invalid_percentage"),
    ({"pause_reasons": ["lunch"]}, "pause_reasons", "invalid_choice"),
    ({"kind": "holiday"}, "kind", "invalid_choice"),
    ({"name": ""}, "name", "required"),
])
def test_bad_input_is_refused_with_a_precise_message(admin, api_client, cafe_policy, changes,
                                                     field, code):
    # given
    client = api_client(admin)
    before = policy_rows()
    # when
    response = send(client, "PATCH", f"/sla-policies/{cafe_policy.pk}", changes)
    # then
    body = problem(response, 422, code)
    assert field_errors(body) == [(field, code)]
    assert policy_rows() == before


def test_a_zero_target_names_the_priority_and_the_target(admin, org_cafe, cafe_calendar):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        policy_services.sla_policy_create(
            actor=admin, organization=org_cafe, name="Cero", calendar=cafe_calendar,
            targets=[{"priority": 2, "first_response_minutes": 0, "resolution_minutes": 60}])
    assert refused.value.fields == {"targets": "P2, first response: use more than 0 "
                                               "minutes (it is 0)."}


def test_two_policies_as_specific_that_could_match_one_ticket_are_refused(
    admin, org_cafe, it, cafe_calendar, cafe_policy
):
    # given: one policy for IT's tickets
    policy_services.sla_policy_create(actor=admin, organization=org_cafe, name="TI",
                                      calendar=cafe_calendar, department=it,
                                      targets=STANDARD_TARGETS)
    # when: another one condition deep, for incidents (an IT incident matches both)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        policy_services.sla_policy_create(actor=admin, organization=org_cafe,
                                          name="Incidentes", calendar=cafe_calendar,
                                          kind="incident", targets=STANDARD_TARGETS)
    # then
    assert refused.value.code == "overlapping_policies"
    assert "“TI”" in refused.value.fields["conditions"]
    assert not SlaPolicy.objects.filter(name="Incidentes").exists()


def test_a_second_catch_all_ties_with_the_first(admin, org_cafe, cafe_calendar, cafe_policy):
    with pytest.raises(ValidationFailed) as refused:
        policy_services.sla_policy_create(actor=admin, organization=org_cafe, name="Otra",
                                          calendar=cafe_calendar, targets=STANDARD_TARGETS)
    assert refused.value.code == "overlapping_policies"


def test_disjoint_priorities_do_not_tie(admin, org_cafe, cafe_calendar):
    for name, priorities in (("Altas", [1, 2]), ("Bajas", [3, 4, 5])):
        policy_services.sla_policy_create(
            actor=admin, organization=org_cafe, name=name, calendar=cafe_calendar,
            priorities=priorities, targets=[t for t in STANDARD_TARGETS
                                            if t["priority"] in priorities])
    assert SlaPolicy.objects.count() == 2


def test_a_calendar_of_another_organization_is_refused(admin, provider_admin, org_cafe,
                                                       other_calendar):
    with pytest.raises(ValidationFailed) as refused:
        policy_services.sla_policy_create(actor=provider_admin, organization=org_cafe,
                                          name="X", calendar=other_calendar,
                                          targets=STANDARD_TARGETS)
    assert refused.value.code == "invalid_calendar"


def test_the_most_specific_policy_wins_and_says_why():
    # given
    policies = [PolicyConditions(id=1, organization_id=7),
                PolicyConditions(id=2, organization_id=7, department_id=3),
                PolicyConditions(id=3, organization_id=7, department_id=3, kind="incident",
                                 priorities=frozenset({1})),
                PolicyConditions(id=4, organization_id=8)]
    # when / then
    assert match_policy(TicketFacts(organization_id=7, department_id=3, kind="incident",
                                    priority=1), policies) == (
        policies[2], ["organization", "department_id", "kind", "priorities"])
    assert match_policy(TicketFacts(organization_id=7, department_id=3, kind="incident",
                                    priority=2), policies)[0] == policies[1]
    assert match_policy(TicketFacts(organization_id=7, department_id=9), policies)[0] == \
        policies[0]
    assert match_policy(TicketFacts(organization_id=9), policies) == (None, [])
