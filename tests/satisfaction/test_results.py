"""Satisfaction results by organization, department, team, agent, service and month, on
a known data set; who sees which rows (UI and API); and no query per row."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from atiende.tickets.models import Service

pytestmark = pytest.mark.django_db

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
RESULTS = "/satisfaction/results/"
API_RESULTS = "/api/v1/satisfaction/results"
API_ANSWERS = "/api/v1/satisfaction/answers"


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


@pytest.fixture
def data_set(make_survey, org_cafe, org_other, it, hr, other_it, team_redes, team_nomina,
             team_other_org, agent_ana, agent_nico, agent_bruno_other_department,
             agent_other_org, requester_other_org):
    """Café Montaña IT: 4 surveys (3 answered), HR: 2 (answered, one on October 31st at
    23:30 in Bogotá, which is November in UTC); Clínica Norte: 2 (1 answered)."""
    correo = Service.objects.create(department=it, name="Correo")
    make_survey(organization=org_cafe, department=it, team=team_redes, agent=agent_ana,
                service=correo, sent_at=at(2026, 9, 10), score=5, comment="Excelente")
    make_survey(organization=org_cafe, department=it, team=team_redes, agent=agent_ana,
                service=correo, sent_at=at(2026, 9, 20), score=4)
    make_survey(organization=org_cafe, department=it, team=team_redes, agent=agent_nico,
                sent_at=at(2026, 10, 5), score=2, comment="Lento")
    make_survey(organization=org_cafe, department=it, sent_at=at(2026, 10, 6))
    make_survey(organization=org_cafe, department=hr, team=team_nomina,
                agent=agent_bruno_other_department, sent_at=at(2026, 10, 15), score=1,
                comment="Nadie respondió")
    make_survey(organization=org_cafe, department=hr, team=team_nomina,
                agent=agent_bruno_other_department, sent_at=at(2026, 10, 31, 23, 30),
                score=3)
    make_survey(organization=org_other, department=other_it, team=team_other_org,
                agent=agent_other_org, requester=requester_other_org,
                sent_at=at(2026, 10, 10), score=5, comment="Muy bien, clínica")
    make_survey(organization=org_other, department=other_it, team=team_other_org,
                agent=agent_other_org, requester=requester_other_org,
                sent_at=at(2026, 11, 2))


def _rows(api_client, user, group_by, **params):
    response = api_client(user).get(API_RESULTS, {"group_by": group_by, **params})
    assert response.status_code == 200, response.content
    return [(row["label"], row["sent"], row["answered"], row["average"], row["distribution"],
             row["response_rate"]) for row in response.json()["rows"]]


@pytest.mark.parametrize(("group_by", "expected"), [
    ("organization", [("Café Montaña", 6, 5, 3.0, [1, 1, 1, 1, 1], 0.8333)]),
    ("department", [("Talento Humano", 2, 2, 2.0, [1, 0, 1, 0, 0], 1.0),
                    ("Tecnología", 4, 3, 3.67, [0, 1, 0, 1, 1], 0.75)]),
    ("team", [("Nómina", 2, 2, 2.0, [1, 0, 1, 0, 0], 1.0),
              ("Redes", 3, 3, 3.67, [0, 1, 0, 1, 1], 1.0),
              ("No team", 1, 0, None, [0, 0, 0, 0, 0], 0.0)]),
    ("agent", [("Ana Gómez", 2, 2, 4.5, [0, 0, 0, 1, 1], 1.0),
               ("Bruno Díaz", 2, 2, 2.0, [1, 0, 1, 0, 0], 1.0),
               ("Nicolás Vega", 1, 1, 2.0, [0, 1, 0, 0, 0], 1.0),
               ("No agent", 1, 0, None, [0, 0, 0, 0, 0], 0.0)]),
    ("service", [("Correo", 2, 2, 4.5, [0, 0, 0, 1, 1], 1.0),
                 ("No service", 4, 3, 2.0, [1, 1, 1, 0, 0], 0.75)]),
    ("month", [("2026-09", 2, 2, 4.5, [0, 0, 0, 1, 1], 1.0),
               ("2026-10", 4, 3, 2.0, [1, 1, 1, 0, 0], 0.75)]),
])
def test_results_of_an_organization_admin_by_each_grouping(api_client, admin, data_set,
                                                           group_by, expected):
    admin.language = "en"
    admin.save()
    assert _rows(api_client, admin, group_by) == expected


def test_months_follow_the_viewers_time_zone(api_client, admin, data_set):
    # given: Mateo reads in UTC, where October 31st 23:30 in Bogotá is November
    admin.time_zone = "UTC"
    admin.save()
    rows = _rows(api_client, admin, "month")
    assert [(label, sent) for label, sent, *_rest in rows] == [
        ("2026-09", 2), ("2026-10", 3), ("2026-11", 1)]


def test_the_period_filter_keeps_its_last_day(api_client, admin, data_set):
    rows = _rows(api_client, admin, "organization", since="2026-10-01", until="2026-10-31")
    assert rows == [("Café Montaña", 4, 3, 2.0, [1, 1, 1, 0, 0], 0.75)]


def test_totals_come_with_the_rows(api_client, provider_admin, data_set):
    body = api_client(provider_admin).get(API_RESULTS, {"group_by": "organization"}).json()
    assert [(row["label"], row["sent"]) for row in body["rows"]] == [
        ("Café Montaña", 6), ("Clínica Norte", 2)]
    assert (body["total"]["sent"], body["total"]["answered"], body["total"]["average"]) == (
        8, 6, 3.33)


@pytest.mark.parametrize(("who", "organizations"), [
    ("provider_admin", {"Café Montaña": 6, "Clínica Norte": 2}),
    ("admin", {"Café Montaña": 6}),
    ("admin_other_org", {"Clínica Norte": 2}),
    ("lead_lucia", {"Café Montaña": 4}),  # IT only, not HR
])
def test_each_reader_sees_only_their_organizations_and_departments(
        api_client, data_set, who, organizations, request):
    user = request.getfixturevalue(who)
    rows = _rows(api_client, user, "organization")
    assert {label: sent for label, sent, *_rest in rows} == organizations


@pytest.mark.parametrize("who", ["requester_carla", "requester_other_org", "agent_ana",
                                 "agent_other_org", "agent_bruno_other_department"])
def test_people_who_do_not_lead_see_no_results(api_client, web_client, data_set, who,
                                               request):
    user = request.getfixturevalue(who)
    assert api_client(user).get(API_RESULTS).status_code == 404
    assert api_client(user).get(API_ANSWERS).status_code == 404
    assert web_client(user).get(RESULTS).status_code == 404


def test_anonymous_is_asked_to_sign_in(api_client, web_client, data_set):
    assert api_client(None).get(API_RESULTS).status_code == 401
    response = web_client(None).get(RESULTS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_department_manager_sees_their_department(api_client, data_set, org_cafe, hr):
    from atiende.core.models import Role
    from tests.factories import MembershipFactory, UserFactory

    manager = UserFactory(email="marta@cafemontana.example", organization=org_cafe)
    MembershipFactory(user=manager, organization=org_cafe, department=hr,
                      role=Role.DEPARTMENT_MANAGER)
    rows = _rows(api_client, manager, "department")
    assert [(label, sent) for label, sent, *_rest in rows] == [("Talento Humano", 2)]


def test_the_page_shows_rows_chart_and_comments_of_the_readers_scope(web_client, lead_lucia,
                                                                      data_set):
    lead_lucia.language = "en"
    lead_lucia.save()
    response = web_client(lead_lucia).get(RESULTS, {"group_by": "team"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Redes" in html and "Nómina" not in html and "Clínica" not in html
    assert '<svg class="distribution"' in html and 'class="score-5"' in html
    assert "Excelente" in html and "Lento" in html
    assert "Nadie respondió" not in html and "Muy bien, clínica" not in html


def test_another_organizations_admin_never_reads_its_comments(web_client, api_client,
                                                              admin_other_org, data_set):
    html = web_client(admin_other_org).get(RESULTS).content.decode()
    answers = api_client(admin_other_org).get(API_ANSWERS).json()["results"]
    assert "Muy bien, clínica" in html and "Excelente" not in html
    assert [answer["comment"] for answer in answers] == ["Muy bien, clínica"]


def test_answers_are_listed_newest_first_with_where_they_come_from(api_client, admin,
                                                                    data_set):
    body = api_client(admin).get(API_ANSWERS, {"with_comment": "true"}).json()
    assert [(a["comment"], a["score"], a["department"]["name"],
             (a["team"] or {}).get("name")) for a in body["results"]] == [
        ("Nadie respondió", 1, "Talento Humano", "Nómina"),
        ("Lento", 2, "Tecnología", "Redes"),
        ("Excelente", 5, "Tecnología", "Redes")]


@pytest.mark.parametrize(("params", "field"), [
    ({"group_by": "color"}, "group_by"),
    ({"since": "2026-13-01"}, "since"),
    ({"since": "2026-10-02", "until": "2026-10-01"}, "until"),
])
def test_bad_result_filters_are_refused(api_client, admin, data_set, params, field):
    response = api_client(admin).get(API_RESULTS, params)
    assert response.status_code == 422
    assert field in response.content.decode()


def test_bad_page_filters_are_shown_not_failed(web_client, admin, data_set):
    response = web_client(admin).get(RESULTS, {"since": "2026-10-02", "until": "2026-10-01"})
    assert response.status_code == 422


def _grow(make_survey, org_cafe, it, team_redes, agent_ana, count):
    for day in range(count):
        make_survey(organization=org_cafe, department=it, team=team_redes, agent=agent_ana,
                    sent_at=at(2026, 8, 1 + day % 28), score=1 + day % 5,
                    comment=f"Comentario {day}")


@pytest.mark.parametrize("group_by", ["team", "agent", "month"])
def test_the_page_reads_a_fixed_number_of_queries(web_client, admin, data_set, make_survey,
                                                  org_cafe, it, team_redes, agent_ana,
                                                  django_assert_max_num_queries, group_by):
    # given: many more answers, with comments
    _grow(make_survey, org_cafe, it, team_redes, agent_ana, 40)
    client = web_client(admin)
    # then: the page's queries do not grow with rows or comments
    with django_assert_max_num_queries(10):
        assert client.get(RESULTS, {"group_by": group_by}).status_code == 200


def test_the_api_reads_a_fixed_number_of_queries(api_client, admin, data_set, make_survey,
                                                 org_cafe, it, team_redes, agent_ana,
                                                 django_assert_max_num_queries):
    _grow(make_survey, org_cafe, it, team_redes, agent_ana, 40)
    client = api_client(admin)
    with django_assert_max_num_queries(8):
        assert len(client.get(API_ANSWERS).json()["results"]) > 20
    with django_assert_max_num_queries(8):
        assert client.get(API_RESULTS, {"group_by": "agent"}).status_code == 200
