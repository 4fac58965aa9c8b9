"""The SLA compliance report: exact figures (counts, % met, average and 90th percentile
of business time), who sees which rows on every path (page, CSV, API, drill-down), and
bad input answered with a precise 400 or 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

from atiende.core.models import Role
from atiende.sla.models import SlaClock
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Service, Ticket
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.web.support import page

BOGOTA = ZoneInfo("America/Bogota")
TODAY = dt.datetime(2026, 4, 20, 10, 0, tzinfo=BOGOTA)
MARCH = dt.datetime(2026, 3, 10, 9, 0, tzinfo=BOGOTA)
FEBRUARY = dt.datetime(2026, 2, 10, 9, 0, tzinfo=BOGOTA)
PERIOD = "from=2026-01-01&to=2026-04-20"
# Café IT's first responses: ten stopped clocks, the last two breached.
IT_FIRST_RESPONSES = [600, 1200, 1800, 2400, 3000, 3600, 4200, 4800, 5400, 6000]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def manager_hr(org_cafe, hr):
    """The manager of Café Montaña's HR desk."""
    user = UserFactory(email="marta@cafemontana.example", display_name="Marta Ríos",
                       organization=org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=hr,
                      role=Role.DEPARTMENT_MANAGER)
    return user


def _ticket(actor, requester, organization, department, *, created, team=None,
            service=None, priority=3, title="Sin red"):
    ticket = ticket_services.ticket_create(
        actor=actor, kind=Kind.INCIDENT, title=title, description="",
        organization=organization, department=department, requester=requester,
        channel="phone")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, team=team,
                                               service=service, priority=priority)
    SlaClock.objects.filter(ticket=ticket).delete()
    return Ticket.objects.get(pk=ticket.pk)


def _clock(ticket, policy, metric, state, elapsed, *, stopped=True):
    started = ticket.created_at
    return SlaClock.objects.create(
        ticket=ticket, metric=metric, policy=policy, target_minutes=60,
        calendar_id_used=policy.calendar_id, started_at=started, elapsed_seconds=elapsed,
        state=state, stopped_at=started + dt.timedelta(hours=3) if stopped else None,
        breached_at=started + dt.timedelta(hours=1) if state == "breached" else None,
        # the ticket's grouping facts, as a rebuild copies them
        organization_id=ticket.organization_id, department_id=ticket.department_id,
        team_id=ticket.team_id, service_id=ticket.service_id, priority=ticket.priority,
        ticket_created_at=ticket.created_at)


@pytest.fixture
def desk(cafe_policy, other_policy, agent_ana, agent_bruno_other_department,
         agent_other_org, requester_carla, requester_other_org, org_cafe, org_other, it, hr,
         other_it, team_redes):
    """Clocks in three desks:
    - Café IT (team Redes, March): ten first responses (IT_FIRST_RESPONSES, two
      breached); resolutions: 3 met, 1 breached, 2 still running (not measured);
    - Café IT (no team, February): one breached first response;
    - Café HR (March): two first responses, one breached;
    - Clínica Norte IT (March): three breached first responses."""
    correo = Service.objects.create(department=it, name="Correo")
    it_tickets = []
    for position, elapsed in enumerate(IT_FIRST_RESPONSES):
        ticket = _ticket(agent_ana, requester_carla, org_cafe, it, created=MARCH,
                         team=team_redes, service=correo, priority=2,
                         title=f"Red caída {position}")
        _clock(ticket, cafe_policy, "first_response",
               "breached" if position >= 8 else "met", elapsed)
        it_tickets.append(ticket)
    for position, (state, elapsed, stopped) in enumerate([
            ("met", 3600, True), ("met", 7200, True), ("met", 10800, True),
            ("breached", 36000, True), ("running", 100, False), ("paused", 200, False)]):
        _clock(it_tickets[position], cafe_policy, "resolution", state, elapsed,
               stopped=stopped)
    february = _ticket(agent_ana, requester_carla, org_cafe, it, created=FEBRUARY,
                       title="Impresora")
    _clock(february, cafe_policy, "first_response", "breached", 9000)
    for position in range(2):
        ticket = _ticket(agent_bruno_other_department, requester_carla, org_cafe, hr,
                         created=MARCH, title=f"Nómina {position}")
        _clock(ticket, cafe_policy, "first_response", "breached" if position else "met",
               1800 * (position + 1))
    for position in range(3):
        ticket = _ticket(agent_other_org, requester_other_org, org_other, other_it,
                         created=MARCH, title=f"Clínica {position}")
        _clock(ticket, other_policy, "first_response", "breached", 7200)
    return {"it_tickets": it_tickets, "february": february, "correo": correo}


def _api(api_client, user, query: str):
    return api_client(user).get(f"/api/v1/sla/compliance?{query}")


def _rows(response) -> dict[str, dict]:
    return {row["label"]: row for row in response.json()["rows"]}


# --- figures --------------------------------------------------------------------------------


def test_figures_per_team_are_exact(desk, admin, api_client, in_english):
    in_english(admin)
    # when: the admin asks for first responses and resolutions per team
    response = _api(api_client, admin, f"grouping=team&organization={admin.organization_id}"
                                       f"&{PERIOD}")
    # then
    assert response.status_code == 200
    rows = _rows(response)
    assert list(rows) == ["Redes", "No team"]
    first = rows["Redes"]["figures"]["first_response"]
    assert first == {"measured": 10, "met": 8, "breached": 2, "percent_met": 80.0,
                     "average_seconds": 3300, "p90_seconds": 5460,
                     "average": "0:55", "p90": "1:31"}
    resolution = rows["Redes"]["figures"]["resolution"]
    assert (resolution["measured"], resolution["met"], resolution["breached"]) == (4, 3, 1)
    assert resolution["average_seconds"] == 14400  # (3600 + 7200 + 10800 + 36000) / 4
    assert resolution["p90_seconds"] == 28440  # 10800 + 0.7 * (36000 - 10800)
    assert rows["No team"]["key"] == "none"
    no_team = rows["No team"]["figures"]["first_response"]
    # HR's two and February's one
    assert (no_team["measured"], no_team["breached"]) == (3, 2)


def test_every_metric_is_reported_and_one_can_be_chosen(desk, admin, api_client):
    everything = _api(api_client, admin, f"grouping=department&{PERIOD}").json()
    assert [metric["value"] for metric in everything["metrics"]][:2] == [
        "first_response", "resolution"]
    only = _api(api_client, admin, f"grouping=department&metric=resolution&{PERIOD}").json()
    assert [metric["value"] for metric in only["metrics"]] == ["resolution"]
    assert list(_rows_of(only)["Tecnología"]["figures"]) == ["resolution"]


def _rows_of(document: dict) -> dict:
    return {row["label"]: row for row in document["rows"]}


def test_months_count_tickets_by_their_creation_in_the_viewers_zone(desk, admin, api_client):
    response = _api(api_client, admin, f"grouping=month&metric=first_response&{PERIOD}")
    rows = response.json()["rows"]
    assert [row["key"] for row in rows] == ["2026-02", "2026-03"]
    assert rows[0]["figures"]["first_response"]["breached"] == 1
    assert rows[1]["figures"]["first_response"]["measured"] == 12


def test_totals_add_counts_and_weigh_averages(desk, admin, api_client):
    totals = _api(api_client, admin, f"grouping=priority&{PERIOD}").json()["totals"]
    assert totals["first_response"]["measured"] == 13
    assert totals["first_response"]["met"] == 9
    assert totals["first_response"]["p90_seconds"] is None


def test_filters_narrow_the_rows(desk, admin, api_client, team_redes):
    document = _api(api_client, admin, f"grouping=priority&team={team_redes.pk}&priority=2"
                                       f"&service={desk['correo'].pk}&{PERIOD}").json()
    assert [row["key"] for row in document["rows"]] == ["2"]
    assert document["rows"][0]["figures"]["first_response"]["measured"] == 10
    nothing = _api(api_client, admin, "grouping=priority&from=2025-01-01&to=2025-12-31")
    assert nothing.status_code == 200 and nothing.json()["rows"] == []


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "organizations"), [
    ("provider_admin", {"Café Montaña", "Clínica Norte"}),
    ("admin", {"Café Montaña"}),
    ("admin_other_org", {"Clínica Norte"}),
])
def test_each_admin_sees_only_their_organizations(desk, who, organizations, request,
                                                  api_client, org_cafe, org_other):
    user = request.getfixturevalue(who)
    response = _api(api_client, user, f"grouping=organization&{PERIOD}")
    assert response.status_code == 200
    assert {row["label"] for row in response.json()["rows"]} == {
        {"Café Montaña": org_cafe.name, "Clínica Norte": org_other.name}[name]
        for name in organizations}


def test_a_team_lead_and_a_department_manager_see_their_department_only(
        desk, lead_lucia, manager_hr, api_client, it, hr):
    lead = _api(api_client, lead_lucia, f"grouping=department&{PERIOD}").json()
    manager = _api(api_client, manager_hr, f"grouping=department&{PERIOD}").json()
    assert [row["label"] for row in lead["rows"]] == [it.name]
    assert [row["label"] for row in manager["rows"]] == [hr.name]
    breached = api_client(lead_lucia).get(f"/api/v1/sla/compliance/breached?{PERIOD}").json()
    assert {item["department"] for item in breached["results"]} == {it.name}


@pytest.mark.parametrize("who", ["agent_ana", "agent_other_org", "requester_carla",
                                 "requester_other_org"])
@pytest.mark.parametrize("path", ["/sla/compliance/", "/sla/compliance/export.csv",
                                  "/sla/compliance/breached/"])
def test_agents_and_requesters_have_no_report_on_any_page(desk, who, path, request,
                                                          web_client):
    user = request.getfixturevalue(who)
    assert web_client(user).get(f"{path}?{PERIOD}").status_code == 404


@pytest.mark.parametrize("who", ["agent_ana", "requester_carla"])
@pytest.mark.parametrize("path", ["/api/v1/sla/compliance", "/api/v1/sla/compliance/breached"])
def test_agents_and_requesters_have_no_report_in_the_api(desk, who, path, request,
                                                         api_client):
    response = api_client(request.getfixturevalue(who)).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_is_sent_to_sign_in_or_refused(web_client, api_client):
    assert web_client().get("/sla/compliance/").status_code == 302
    assert api_client().get("/api/v1/sla/compliance").status_code == 401


@pytest.mark.parametrize("filter_name", ["organization", "department", "team", "service"])
def test_filtering_by_what_another_organization_owns_is_not_found_everywhere(
        desk, filter_name, admin, web_client, api_client, org_other, other_it,
        team_other_org):
    # given: ids of Clínica Norte's organization, desk, team and a service of its desk
    foreign = {"organization": org_other.pk, "department": other_it.pk,
               "team": team_other_org.pk,
               "service": Service.objects.create(department=other_it, name="Historia").pk}
    query = f"{filter_name}={foreign[filter_name]}&{PERIOD}"
    # then: the same 404 as for an id that does not exist, on every path
    for path in ("/sla/compliance/", "/sla/compliance/export.csv",
                 "/sla/compliance/breached/"):
        assert web_client(admin).get(f"{path}?{query}").status_code == 404, path
    for path in ("/api/v1/sla/compliance", "/api/v1/sla/compliance/breached"):
        assert api_client(admin).get(f"{path}?{query}").status_code == 404, path
    assert web_client(admin).get(f"/sla/compliance/?{filter_name}=999999").status_code == 404


def test_a_team_lead_cannot_filter_by_a_department_where_they_are_not_lead(
        desk, lead_lucia, hr, api_client):
    assert _api(api_client, lead_lucia, f"department={hr.pk}").status_code == 404


def test_the_drill_down_hides_a_ticket_moved_out_of_reach_before_its_clocks_follow(
        desk, manager_hr, api_client, it, hr):
    # given: an HR ticket now in IT, its clocks not rebuilt yet (they still say HR)
    moved = Ticket.objects.filter(department=hr, sla_clocks__state="breached").first()
    Ticket.objects.filter(pk=moved.pk).update(department=it)
    # then: HR's manager no longer finds it among the breached tickets
    breached = api_client(manager_hr).get(f"/api/v1/sla/compliance/breached?{PERIOD}").json()
    assert moved.number not in {item["ticket_number"] for item in breached["results"]}


def test_a_drill_down_key_of_another_organization_finds_nothing(desk, admin, org_other,
                                                                api_client):
    response = api_client(admin).get(
        f"/api/v1/sla/compliance/breached?grouping=organization&key={org_other.pk}&{PERIOD}")
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "field"), [
    ("grouping=colour", "grouping"),
    ("metric=happiness", "metric"),
    ("priority=9", "priority"),
    ("priority=alta", "priority"),
    ("from=2026-04-01&to=2026-03-01", "to"),
    ("from=1999-12-31", "from"),
    ("to=2999-01-01", "to"),
    ("from=2026-13-01", "from"),
    ("from=20260101", "from"),
    ("from=2020-01-01&to=2026-01-01", "to"),
    ("organization=uno", "organization"),
    ("team=-1", "team"),
    ("grouping=%00", "grouping"),
])
def test_bad_values_are_a_400_naming_the_field(desk, admin, query, field, api_client,
                                               web_client):
    response = _api(api_client, admin, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_report_request"
    assert [error["field"] for error in body["errors"]] == [field]
    assert web_client(admin).get(f"/sla/compliance/?{query}").status_code == 400
    assert web_client(admin).get(f"/sla/compliance/export.csv?{query}").status_code == 400
    assert web_client(admin).get(f"/sla/compliance/breached/?{query}").status_code == 400


def test_an_inverted_period_says_so(desk, admin, api_client, in_english):
    in_english(admin)
    response = _api(api_client, admin, "from=2026-04-01&to=2026-03-01")
    assert response.json()["errors"][0]["message"] == (
        "The end of the period must not come before its start.")


@pytest.mark.parametrize("key", ["abc", "2026-3", "1e3"])
def test_a_malformed_drill_down_key_is_a_400(desk, admin, key, api_client):
    grouping = "month" if key.startswith("2026") else "team"
    response = api_client(admin).get(
        f"/api/v1/sla/compliance/breached?grouping={grouping}&key={key}")
    assert response.status_code == 400


def test_a_forged_cursor_is_refused(desk, admin, api_client):
    response = api_client(admin).get("/api/v1/sla/compliance/breached?cursor=bm9wZQ")
    assert response.status_code == 422


# --- the page, the drill-down and the CSV ---------------------------------------------------


def test_the_page_shows_chart_table_and_links_to_the_breached_tickets(
        desk, admin, web_client, django_assert_max_num_queries):
    client = web_client(admin)
    # session and person, scope, four lists of choices, figures, group names, chart (and
    # on PostgreSQL a savepoint and a setting around each aggregate): none per row
    with django_assert_max_num_queries(18):
        response = client.get(f"/sla/compliance/?grouping=team&{PERIOD}")
    assert response.status_code == 200
    document = page(response)
    assert "80,0 %" in response.content.decode()  # Redes' first responses
    links = [a.attrs["href"] for a in document.find_all("a")
             if a.attrs.get("href", "").startswith("/sla/compliance/breached/")]
    assert len(links) == 3  # Redes (both measures) and "No team" (first response)
    drill = client.get(links[0])
    assert drill.status_code == 200
    numbers = {a.text for a in page(drill).find_all("a")
               if a.attrs.get("href", "").startswith("/tickets/")}
    assert desk["it_tickets"][8].number in numbers
    assert desk["february"].number not in numbers  # of no team
    assert all(a.attrs["href"] == f"/tickets/{a.text}/" for a in page(drill).find_all("a")
               if a.attrs.get("href", "").startswith("/tickets/INC"))


def test_the_chart_has_a_bar_per_month_of_the_period(desk, admin, web_client):
    response = web_client(admin).get(f"/sla/compliance/?{PERIOD}")
    bars = [node for node in page(response).walk()
            if "compliance-bar" in getattr(node, "classes", set())]
    assert len(bars) == 4  # January to April
    assert bars[0].attrs["style"] == "height: 0%"


def test_the_first_visit_shows_the_last_six_months(desk, admin, web_client):
    response = web_client(admin).get("/sla/compliance/")
    assert response.status_code == 200
    assert 'value="2025-11-01"' in response.content.decode()


def test_the_nav_shows_the_report_to_those_who_have_it(desk, admin, lead_lucia, agent_ana,
                                                       web_client):
    assert "/sla/compliance/" in web_client(admin).get("/").content.decode()
    assert "/sla/compliance/" in web_client(lead_lucia).get("/").content.decode()
    assert "/sla/compliance/" not in web_client(agent_ana).get("/").content.decode()


def test_the_csv_has_the_figures_and_no_formula(desk, admin, web_client, it):
    # given: a team whose name a spreadsheet would run as a formula
    hostile = TeamFactory(department=it, name="=HYPERLINK(\"http://x\",\"y\")")
    Ticket.objects.filter(pk=desk["february"].pk).update(team=hostile)
    SlaClock.objects.filter(ticket=desk["february"]).update(team_id=hostile.pk)
    # when
    response = web_client(admin).get(f"/sla/compliance/export.csv?grouping=team&{PERIOD}")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    labels = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in labels
    redes = next(row for row in rows if row[0] == "Redes" and row[2] in (
        "First response", "Primera respuesta"))
    assert redes[3:] == ["10", "8", "2", "80.0", "0:55", "1:31", "3300", "5460"]


def test_the_drill_down_pages(desk, admin, web_client, api_client, org_cafe, cafe_policy,
                              agent_ana, requester_carla, it):
    for position in range(55):
        ticket = _ticket(agent_ana, requester_carla, org_cafe, it, created=MARCH,
                         title=f"Más {position}")
        _clock(ticket, cafe_policy, "resolution", "breached", 100)
    query = f"grouping=organization&key={org_cafe.pk}&metric=resolution&{PERIOD}"
    first = web_client(admin).get(f"/sla/compliance/breached/?{query}")
    assert first.status_code == 200
    assert "page=2" in first.content.decode()
    listed = api_client(admin).get(f"/api/v1/sla/compliance/breached?{query}").json()
    assert len(listed["results"]) > 0 and listed["next"]
    assert {item["metric"] for item in listed["results"]} == {"resolution"}


# --- on real clocks -------------------------------------------------------------------------


def test_a_ticket_answered_in_time_counts_as_met(cafe_policy, agent_ana, requester_carla,
                                                 org_cafe, it, admin, api_client):
    from atiende.tickets import outbox

    with time_machine.travel(dt.datetime(2026, 4, 14, 9, 0, tzinfo=BOGOTA), tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo", description="",
            organization=org_cafe, department=it, requester=requester_carla,
            channel="phone")
        outbox.dispatch()
    with time_machine.travel(dt.datetime(2026, 4, 14, 9, 20, tzinfo=BOGOTA), tick=False):
        ticket_services.comment_add(actor=agent_ana, ticket=Ticket.objects.get(pk=ticket.pk),
                                    body="<p>Lo revisamos.</p>", visibility="public")
        outbox.dispatch()
    document = _api(api_client, admin, "grouping=department&metric=first_response").json()
    figures = document["rows"][0]["figures"]["first_response"]
    assert (figures["measured"], figures["met"], figures["average"]) == (1, 1, "0:20")


@pytest.mark.parametrize("grouping", ["month", "organization"])
def test_the_chart_is_the_same_whatever_the_grouping(desk, admin, web_client, grouping):
    # March: first responses 12 measured, 9 met; resolutions 4 measured, 3 met
    response = web_client(admin).get(f"/sla/compliance/?grouping={grouping}&{PERIOD}")
    bars = [node.attrs["style"] for node in page(response).walk()
            if "compliance-bar" in getattr(node, "classes", set())]
    assert bars == ["height: 0%", "height: 0%", "height: 75.0%", "height: 0%"]


def test_the_report_follows_a_ticket_moved_to_another_team_priority_and_service(
        cafe_policy, agent_ana, requester_carla, org_cafe, it, admin, team_redes,
        api_client, in_english):
    from atiende.tickets import outbox

    in_english(admin)
    correo = Service.objects.create(department=it, name="Correo")
    with time_machine.travel(dt.datetime(2026, 4, 14, 9, 0, tzinfo=BOGOTA), tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo", description="",
            organization=org_cafe, department=it, requester=requester_carla,
            channel="phone")
        outbox.dispatch()
    first_response = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert (first_response.team_id, first_response.service_id) == (None, None)
    # when: the ticket goes to team Redes, its priority is raised and its service set
    with time_machine.travel(dt.datetime(2026, 4, 14, 9, 10, tzinfo=BOGOTA), tick=False):
        ticket = ticket_services.ticket_assign(
            actor=agent_ana, ticket=ticket, team=team_redes, assignee=None,
            version=ticket.version)
        outbox.dispatch()
        ticket = ticket_services.ticket_set_priority(
            actor=admin, ticket=Ticket.objects.get(pk=ticket.pk), priority=1,
            reason="Toda la oficina", version=Ticket.objects.get(pk=ticket.pk).version)
        outbox.dispatch()
        ticket = Ticket.objects.get(pk=ticket.pk)
        ticket_services.ticket_update(actor=agent_ana, ticket=ticket,
                                      changes={"service": correo}, version=ticket.version)
        outbox.dispatch()
    with time_machine.travel(dt.datetime(2026, 4, 14, 9, 20, tzinfo=BOGOTA), tick=False):
        ticket_services.comment_add(actor=agent_ana, ticket=Ticket.objects.get(pk=ticket.pk),
                                    body="<p>Lo revisamos.</p>", visibility="public")
        outbox.dispatch()
    # then: its clocks carry the new facts and the report counts it under each of them
    query = "grouping={}&metric=first_response&from=2026-04-01&to=2026-04-20"
    clock = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert (clock.team_id, clock.priority, clock.service_id) == (team_redes.pk, 1, correo.pk)
    assert set(_rows(_api(api_client, admin, query.format("team")))) == {"Redes"}
    assert set(_rows(_api(api_client, admin, query.format("service")))) == {"Correo"}
    by_priority = _api(api_client, admin, query.format("priority")).json()["rows"]
    assert [row["key"] for row in by_priority] == ["1"]
    assert by_priority[0]["figures"]["first_response"]["met"] == 1


def test_a_functional_escalation_moves_the_clocks_to_the_new_team(
        cafe_policy, agent_ana, requester_carla, org_cafe, it, team_redes):
    from atiende.tickets import outbox

    soporte = team_redes.department.teams.create(name="Soporte en sitio")
    ticket = ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="Sin red", description="",
        organization=org_cafe, department=it, requester=requester_carla, channel="phone")
    ticket = ticket_services.ticket_assign(actor=agent_ana, ticket=ticket, team=team_redes,
                                           assignee=None, version=ticket.version)
    outbox.dispatch()

    ticket_services.ticket_escalate(actor=agent_ana, ticket=ticket, team=soporte,
                                    reason="Es del cableado", version=ticket.version)
    outbox.dispatch()

    assert set(SlaClock.objects.filter(ticket=ticket).values_list("team_id", flat=True)) == {
        soporte.pk}
