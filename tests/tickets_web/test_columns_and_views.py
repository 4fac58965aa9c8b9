"""The queue's columns (chosen per queue, kept in the URL) and saved views: saved per
agent, shared with a team, opened with the same scope as a typed-in filter."""

from __future__ import annotations

import pytest

from atiende.tickets import saved_views, services
from atiende.tickets.models import Kind, SavedView
from tests.web.support import page


def _headers(response) -> list[str]:
    table = page(response).find_all("table", cls="queue-table")[0]
    return [cell.attrs.get("class", "").replace("col-", "")
            for cell in table.find_all("th") if "col-select" not in cell.attrs.get("class", "")]


def _numbers(response) -> list[str]:
    return [row.attrs["data-number"] for row in page(response).find_all("tr", cls="queue-row")]


@pytest.fixture
def hr_ticket(agent_bruno_other_department, requester_carla, org_cafe, hr):
    return services.ticket_create(actor=agent_bruno_other_department, kind=Kind.INCIDENT,
                                  title="Certificado laboral", organization=org_cafe,
                                  department=hr, requester=requester_carla)


def test_the_queue_shows_the_default_columns(incident, web_client, agent_ana):
    response = web_client(agent_ana).get("/tickets/?queue=all")

    assert _headers(response) == ["number", "title", "requester", "where", "priority",
                                  "status", "assignee", "updated"]
    row = page(response).find_all("tr", cls="queue-row")[0]
    assert row.find_all("td", cls="col-title")[0].text == incident.title
    assert row.find_all("td", cls="col-status")[0].text == "Nuevo"


def test_an_agent_chooses_the_columns_and_the_number_always_shows(
        incident, impresoras, web_client, agent_ana):
    services.ticket_update(actor=agent_ana, ticket=incident, version=incident.version,
                           changes={"category": impresoras})

    response = web_client(agent_ana).get(
        "/tickets/?queue=all&col=category&col=channel&col=title&col=nonsense")

    assert _headers(response) == ["number", "title", "category", "channel"]
    row = page(response).find_all("tr", cls="queue-row")[0]
    assert row.find_all("td", cls="col-category")[0].text == "Impresoras"
    assert row.find_all("td", cls="col-channel")[0].text == "Teléfono"
    ticked = [box.attrs["value"] for box in page(response).find_all("input", name="col")
              if "checked" in box.attrs]
    assert ticked == ["title", "category", "channel"]
    # the queue tabs keep the columns
    tab = page(response).find_all("nav", cls="queue-tabs")[0].find_all("a")[0]
    assert "col=category" in tab.attrs["href"]


def test_a_title_with_markup_is_text_in_its_cell(agent_ana, requester_carla, org_cafe, it,
                                                 web_client):
    services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT,
                           title='<img src=x onerror="alert(1)">', organization=org_cafe,
                           department=it, requester=requester_carla)

    response = web_client(agent_ana).get("/tickets/?queue=all")

    assert b"<img src=x" not in response.content
    assert b"&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in response.content


def test_an_agent_saves_a_view_and_opens_it(incident, web_client, agent_ana):
    client = web_client(agent_ana)

    response = client.post("/tickets/views/", {
        "name": "Prioridad alta", "team": "",
        "query": "queue=all&priority=1&col=title&col=priority&after=99"})

    view = SavedView.objects.get(owner=agent_ana)
    assert view.name == "Prioridad alta"
    assert view.query == {"queue": "all", "priority": "1", "col": ["title", "priority"]}
    assert response.status_code == 302
    assert response.url == f"/tickets/?queue=all&priority=1&col=title&col=priority&view={view.pk}"
    opened = client.get(response.url)
    chip = page(opened).find_all("nav", cls="saved-views")[0].find_all("a")[0]
    assert chip.attrs.get("aria-current") == "page"
    assert _headers(opened) == ["number", "title", "priority"]


def test_a_view_shared_with_a_team_shows_each_member_only_their_tickets(
        incident, hr_ticket, web_client, agent_ana, lead_lucia, team_redes,
        agent_bruno_other_department):
    view = saved_views.saved_view_create(actor=agent_ana, name="Todo", query={"queue": "all"},
                                         team=team_redes)
    # Bruno works in HR: not a member of Redes, the view is not his
    bruno = web_client(agent_bruno_other_department).get(f"/tickets/?{view.query_string}")
    assert not page(bruno).find_all("nav", cls="saved-views")
    assert _numbers(bruno) == [hr_ticket.number]

    lucia = web_client(lead_lucia).get(f"/tickets/?{view.query_string}")

    chips = page(lucia).find_all("nav", cls="saved-views")[0].find_all("a")
    assert [chip.text for chip in chips] == ["Todo · Redes"]
    assert _numbers(lucia) == [incident.number]  # not HR's ticket
    # only the owner may change it: Lucía sees no update or delete button
    assert not page(lucia).find_all("form", cls="view-action")


def test_only_the_owner_updates_or_deletes_a_view(incident, web_client, agent_ana, lead_lucia,
                                                   team_redes):
    view = saved_views.saved_view_create(actor=agent_ana, name="Todo", query={"queue": "all"},
                                         team=team_redes)

    refused = [web_client(lead_lucia).post(f"/tickets/views/{view.pk}/",
                                           {"query": "queue=mine"}),
               web_client(lead_lucia).post(f"/tickets/views/{view.pk}/delete/")]

    assert [response.status_code for response in refused] == [403, 403]
    view.refresh_from_db()
    assert view.query == {"queue": "all"}

    client = web_client(agent_ana)
    client.post(f"/tickets/views/{view.pk}/", {"query": "queue=mine&sort=priority"})
    view.refresh_from_db()
    assert (view.name, view.team, view.query) == ("Todo", team_redes,
                                                  {"queue": "mine", "sort": "priority"})
    assert client.post(f"/tickets/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_views_of_other_people_and_organizations_are_not_found(
        web_client, agent_ana, agent_other_org, agent_nico, team_other_org):
    mine = saved_views.saved_view_create(actor=agent_ana, name="Mía", query={})
    theirs = saved_views.saved_view_create(actor=agent_other_org, name="Suya", query={},
                                           team=team_other_org)

    assert web_client(agent_nico).post(f"/tickets/views/{mine.pk}/delete/").status_code == 404
    assert web_client(agent_ana).post(f"/tickets/views/{theirs.pk}/delete/").status_code == 404
    assert web_client(agent_ana).post("/tickets/views/99999999999999999999/").status_code == 404
    assert SavedView.objects.count() == 2


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "query": "queue=all"}, "name", "Este campo es obligatorio."),
    ({"name": "x" * 81, "query": "queue=all"}, "name", "81"),
    ({"name": "Mía", "query": "queue=all"}, "name", "Ya tienes una vista llamada “Mía”."),
])
def test_a_refused_view_shows_why_and_keeps_the_queue(
        incident, web_client, agent_ana, data, field, message):
    saved_views.saved_view_create(actor=agent_ana, name="Mía", query={})

    response = web_client(agent_ana).post("/tickets/views/", data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert _numbers(response) == [incident.number]
    assert SavedView.objects.count() == 1


def test_a_view_cannot_be_shared_with_a_team_the_agent_is_not_in(
        web_client, agent_ana, team_nomina, team_other_org):
    for team in (team_nomina, team_other_org):
        response = web_client(agent_ana).post("/tickets/views/", {
            "name": "Compartida", "team": team.pk, "query": "queue=all"})
        assert response.status_code == 422
    assert not SavedView.objects.exists()


def test_a_requester_has_no_views_to_save(web_client, requester_carla):
    response = web_client(requester_carla).post("/tickets/views/", {"name": "x", "query": ""})

    assert response.status_code == 403
    assert not SavedView.objects.exists()


def test_the_queue_filters_by_organization_service_channel_tag_and_creation_day(
        agent_ana, requester_carla, org_cafe, it, web_client, settings):
    from atiende.tickets.models import Service

    correo = Service.objects.create(department=it, name="Correo")
    by_mail = services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Sin correo",
                                     organization=org_cafe, department=it,
                                     requester=requester_carla, channel="email",
                                     service=correo)
    services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Otro",
                           organization=org_cafe, department=it, requester=requester_carla,
                           channel="phone")
    client = web_client(agent_ana)
    today = by_mail.created_at.astimezone(agent_ana_zone(agent_ana)).date().isoformat()

    for query in (f"service={correo.pk}", "channel=email",
                  f"organization={org_cafe.pk}&channel=email",
                  f"created_from={today}&created_to={today}&channel=email"):
        response = client.get(f"/tickets/?queue=all&{query}")
        assert _numbers(response) == [by_mail.number], query
    assert _numbers(client.get("/tickets/?queue=all&created_to=2000-01-01")) == []
    # a bad date is ignored, as any value the queue did not offer
    for day in ("mañana", "9999-12-31", "0001-01-01"):
        assert len(_numbers(client.get(f"/tickets/?queue=all&created_from={day}"))) == 2
        assert len(_numbers(client.get(f"/tickets/?queue=all&created_to={day}"))) == 2


def agent_ana_zone(user):
    from zoneinfo import ZoneInfo

    return ZoneInfo(user.time_zone)
