"""`/api/v1/calendars`: who may read and change which calendar, the arithmetic
endpoints, and the problem documents of bad input.

404 for a calendar the caller may not see (another organization's, or any for a
requester); 403 for a visible calendar the caller may not change; a refused request
changes nothing.
"""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from tests.api.support import field_errors, problem, send

ROLES = ("anonymous", "requester_carla", "agent_other_org", "admin_other_org",
         "agent_bruno_other_department", "agent_ana", "admin", "provider_admin")

# fmt: off
#                                         anon  req  other oadm dept agent admin prov
MATRIX: dict[str, tuple[int, ...]] = {
    "GET /calendars/{cafe}":              (401, 404, 404, 404, 200, 200, 200, 200),
    "GET /calendars/{other}":             (401, 404, 200, 200, 404, 404, 404, 200),
    "POST /calendars":                    (401, 403, 404, 404, 403, 403, 201, 201),
    "PATCH /calendars/{cafe}":            (401, 404, 404, 404, 403, 403, 200, 200),
    "POST /calendars/{cafe}/add":         (401, 404, 404, 404, 200, 200, 200, 200),
    "POST /calendars/{cafe}/between":     (401, 404, 404, 404, 200, 200, 200, 200),
}
# fmt: on

BODIES = {
    "POST /calendars": lambda ids: {"organization_id": ids["org_cafe"], "name": "Soporte 24x7",
                                    "is_24x7": True},
    "PATCH /calendars/{cafe}": lambda ids: {"name": "Oficina principal"},
    "POST /calendars/{cafe}/add": lambda ids: {"start": "2026-01-09T17:00:00-05:00",
                                               "minutes": 120},
    "POST /calendars/{cafe}/between": lambda ids: {"start": "2026-01-09T17:00:00-05:00",
                                                   "end": "2026-01-13T09:00:00-05:00"},
}


def calendar_rows() -> dict:
    return {
        "calendars": list(BusinessCalendar.objects.order_by("pk").values_list()),
        "intervals": list(WorkingInterval.objects.order_by("pk").values_list()),
        "days": list(CalendarDay.objects.order_by("pk").values_list()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


@pytest.mark.parametrize("request_line", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request_line, role, actors, api_client, org_cafe, cafe_calendar,
                           other_calendar):
    # given
    ids = {"org_cafe": org_cafe.pk, "cafe": cafe_calendar.pk, "other": other_calendar.pk}
    method, path = request_line.split(" ")
    client = api_client(actors[role])
    body = BODIES.get(request_line, lambda ids: None)(ids)
    before = calendar_rows()
    expected = MATRIX[request_line][ROLES.index(role)]

    # when
    response = send(client, method, path.format(**ids), body)

    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        problem(response, expected, {401: "not_authenticated", 403: "permission_denied",
                                     404: "not_found"}[expected])
    if expected >= 400 or method == "GET" or path.endswith(("/add", "/between")):
        assert calendar_rows() == before


def test_the_list_shows_each_caller_the_calendars_of_the_organizations_they_work_for(
    actors, api_client, cafe_calendar, other_calendar
):
    def listed(role):
        response = send(api_client(actors[role]), "GET", "/calendars")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert listed("requester_carla") == set()
    assert listed("agent_ana") == {cafe_calendar.pk}
    assert listed("admin_other_org") == {other_calendar.pk}
    assert listed("provider_admin") == {cafe_calendar.pk, other_calendar.pk}
    response = send(api_client(actors["provider_admin"]), "GET",
                    f"/calendars?organization_id={other_calendar.organization_id}")
    assert [item["id"] for item in response.json()["results"]] == [other_calendar.pk]


def test_create_answers_the_whole_calendar(admin, api_client, org_cafe, it):
    # when
    response = send(api_client(admin), "POST", "/calendars", {
        "organization_id": org_cafe.pk, "department_id": it.pk, "name": "Soporte TI",
        "time_zone": "America/Mexico_City", "country": "MX",
        "intervals": [{"weekday": 0, "start": "07:00", "end": "24:00"}],
        "days": [{"date": "2026-12-24", "kind": "closed", "label": "Nochebuena"}],
    })

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    body.pop("updated_at")
    assert body == {
        "id": body["id"], "organization_id": org_cafe.pk, "department_id": it.pk,
        "name": "Soporte TI", "time_zone": "America/Mexico_City", "is_24x7": False,
        "country": "MX", "subdivision": "", "is_default": False,
        "intervals": [{"weekday": 0, "start": "07:00", "end": "24:00"}],
        "days": [{"id": body["days"][0]["id"], "date": "2026-12-24", "kind": "closed",
                  "label": "Nochebuena"}],
    }
    assert AuditEvent.objects.get(action="calendar.created").channel == "api"


def test_add_and_between_answer_in_the_calendars_zone(agent_ana, api_client, cafe_calendar):
    client = api_client(agent_ana)

    # when: Friday 9 January 2026 at 17:00 UTC-5, plus two working hours (an hour on
    # Friday, Saturday 08:00-09:00), and from then to Tuesday 09:00 (Monday is Epiphany)
    added = send(client, "POST", f"/calendars/{cafe_calendar.pk}/add",
                 {"start": "2026-01-09T22:00:00Z", "minutes": 120})
    between = send(client, "POST", f"/calendars/{cafe_calendar.pk}/between",
                   {"start": "2026-01-09T17:00:00-05:00", "end": "2026-01-13T09:00:00-05:00"})

    # then
    assert (added.status_code, added.json()) == (200, {"due": "2026-01-10T09:00:00-05:00"})
    assert (between.status_code, between.json()) == (200, {"minutes": 360.0,
                                                           "seconds": 21600.0})


@pytest.mark.parametrize("path, body, errors", [
    ("add", {"start": "2026-01-09T17:00:00", "minutes": 60}, [("start", "timezone_aware")]),
    ("add", {"start": "2026-01-09T17:00:00-05:00", "minutes": 0}, [("minutes", "not_positive")]),
    ("add", {"start": "2026-01-09T17:00:00-05:00", "minutes": -30},
     [("minutes", "not_positive")]),
    ("add", {"start": "2026-01-09T17:00:00-05:00", "minutes": "60"}, [("minutes", "int_type")]),
    ("add", {"start": "2026-01-09T17:00:00-05:00", "minutes": 10**7}, [("minutes", "too_large")]),
    ("add", {"start": "2300-01-09T17:00:00-05:00", "minutes": 60}, [("start", "out_of_range")]),
    ("add", {"start": "2026-01-09T17:00:00-05:00"}, [("minutes", "missing")]),
    ("between", {"start": "2026-01-09T17:00:00-05:00", "end": "2026-01-10T09:00:00"},
     [("end", "timezone_aware")]),
    ("between", {"start": "2026-01-09T17:00:00-05:00", "end": "2026-01-08T09:00:00-05:00"},
     [("end", "end_before_start")]),
    ("between", {"start": "2000-01-09T17:00:00-05:00", "end": "2026-01-08T09:00:00-05:00"},
     [("end", "too_large")]),
])
def test_bad_questions_are_422_problems(admin, api_client, cafe_calendar, path, body, errors):
    response = send(api_client(admin), "POST", f"/calendars/{cafe_calendar.pk}/{path}", body)
    assert field_errors(problem(response, 422, "validation_failed"
                                if errors[0][1] in ("timezone_aware", "int_type", "missing")
                                else errors[0][1])) == errors


def test_a_naive_start_is_explained(admin, api_client, cafe_calendar, in_english):
    in_english(admin)
    response = send(api_client(admin), "POST", f"/calendars/{cafe_calendar.pk}/add",
                    {"start": "2026-01-09T17:00:00", "minutes": 60})
    assert problem(response, 422, "validation_failed")["errors"][0]["message"] == (
        "Enter a date and time in ISO 8601 format, with its time zone.")


@pytest.mark.parametrize("body, errors", [
    ({"intervals": [{"weekday": 0, "start": "08:00", "end": "12:00"},
                    {"weekday": 0, "start": "11:30", "end": "13:00"}]},
     [("intervals", "overlapping_intervals")]),
    ({"intervals": [{"weekday": 0, "start": "18:00", "end": "08:00"}]},
     [("intervals", "inverted_interval")]),
    ({"intervals": []}, [("intervals", "no_working_time")]),
    ({"country": "QQ"}, [("country", "unknown_country")]),
    ({"is_24x7": False, "intervals": [{"weekday": True, "start": "08:00", "end": "12:00"}]},
     [("intervals.0.weekday", "int_type")]),
    ({"days": [{"date": "2026-02-03", "kind": "maybe"}]}, [("days.0.kind", "literal_error")]),
    ({"department_id": 10**6}, None),
])
def test_refused_writes_change_nothing(admin, api_client, cafe_calendar, body, errors,
                                       in_english):
    # given
    client = api_client(in_english(admin))
    before = calendar_rows()

    # when
    response = send(client, "PATCH", f"/calendars/{cafe_calendar.pk}", body)

    # then
    if errors is None:
        problem(response, 404, "not_found")
    else:
        document = problem(response, 422, errors[0][1] if "." not in errors[0][0]
                           else "validation_failed")
        assert field_errors(document) == errors
    assert calendar_rows() == before


def test_overlap_message_names_the_weekday_and_both_intervals(admin, api_client,
                                                              cafe_calendar, in_english):
    in_english(admin)
    response = send(api_client(admin), "PATCH", f"/calendars/{cafe_calendar.pk}", {
        "intervals": [{"weekday": 4, "start": "08:00", "end": "12:00"},
                      {"weekday": 4, "start": "11:30", "end": "13:00"}]})
    assert problem(response, 422, "overlapping_intervals")["errors"] == [{
        "field": "intervals", "code": "overlapping_intervals",
        "message": "Friday 11:30-13:00 overlaps 08:00-12:00."}]


def test_another_organizations_calendar_is_404_on_every_path(admin, api_client,
                                                             other_calendar):
    client = api_client(admin)
    before = calendar_rows()
    for method, suffix, body in [
        ("GET", "", None), ("PATCH", "", {"name": "Mío"}),
        ("POST", "/add", {"start": "2026-01-09T17:00:00-05:00", "minutes": 60}),
        ("POST", "/between", {"start": "2026-01-09T17:00:00-05:00",
                              "end": "2026-01-10T17:00:00-05:00"}),
    ]:
        problem(send(client, method, f"/calendars/{other_calendar.pk}{suffix}", body), 404,
                "not_found")
    problem(send(client, "POST", "/calendars", {"organization_id": other_calendar.organization_id,
                                                "name": "Intruso", "is_24x7": True}),
            404, "not_found")
    problem(send(client, "GET", "/calendars/99999999"), 404, "not_found")
    assert calendar_rows() == before


def test_the_openapi_document_describes_the_calendar_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/calendars", "/api/v1/calendars/{calendar_id}",
            "/api/v1/calendars/{calendar_id}/add",
            "/api/v1/calendars/{calendar_id}/between"} <= set(document["paths"])
    assert set(document["paths"]["/api/v1/calendars/{calendar_id}"]) == {"get", "patch"}
