"""Desks that let an organization's requesters follow each other's requests: read only,
in the portal and everywhere else the requester looks, never across organizations,
never in desks that keep requests personal, never the desk's internal tasks."""

from __future__ import annotations

import pytest

from atiende.core import services as core_services
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind
from atiende.tickets.selectors import ticket_list
from tests.web.support import page


def _share(admin, department):
    core_services.department_update(actor=admin, department=department,
                                    changes={"requesters_share_tickets": True})


@pytest.fixture
def hr_request(agent_bruno_other_department, requester_carla, org_cafe, hr):
    return ticket_services.ticket_create(
        actor=agent_bruno_other_department, kind=Kind.SERVICE_REQUEST,
        title="Certificado con salario", description="Para el banco",
        organization=org_cafe, department=hr, requester=requester_carla, channel="phone")


def test_a_colleague_follows_a_shared_desks_request_read_only(
        admin, it, incident, requester_diego, web_client):
    _share(admin, it)
    client = web_client(requester_diego)

    listing = client.get("/portal/requests/")
    shown = client.get(f"/portal/requests/{incident.number}/")
    reply = client.post(f"/portal/requests/{incident.number}/reply/", {"body": "Yo también"})
    cancel = client.post(f"/portal/requests/{incident.number}/cancel/",
                         {"version": incident.version})

    links = [a.attrs.get("href") for a in page(listing).find_all("a")]
    assert f"/portal/requests/{incident.number}/" in links
    assert "Carla Rueda" in listing.content.decode()
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "solo quien la pidió y la mesa escriben en ella" in html
    assert 'action="/portal/requests/' not in html  # no reply, cancel or reopen forms
    assert reply.status_code == 403
    assert cancel.status_code == 403
    incident.refresh_from_db()
    assert (incident.status, incident.comments.count()) == ("new", 0)


def test_nothing_is_shared_until_an_admin_turns_it_on_for_a_desk(
        admin, it, incident, requester_diego, web_client):
    client = web_client(requester_diego)
    assert client.get(f"/portal/requests/{incident.number}/").status_code == 404
    assert client.get(f"/tickets/{incident.number}/").status_code == 404

    saved = web_client(admin).post(f"/manage/cafe-montana/departments/{it.pk}/", {
        "name": it.name, "function": it.function, "is_active": "on",
        "requesters_share_tickets": "on"})

    it.refresh_from_db()
    assert saved.status_code == 302 and it.requesters_share_tickets
    assert client.get(f"/portal/requests/{incident.number}/").status_code == 200


def test_sharing_never_crosses_organizations_desks_or_reaches_tasks(
        admin, it, hr, incident, hr_request, requester_diego, requester_other_org,
        agent_ana, web_client, api_client):
    _share(admin, it)
    task = ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.TASK, title="Revisar tóner", description="",
        organization=incident.organization, department=it, requester=incident.requester,
        channel="phone")

    diego_sees = set(ticket_list(actor=requester_diego, filters={})
                     .values_list("number", flat=True))
    other_sees = set(ticket_list(actor=requester_other_org, filters={})
                     .values_list("number", flat=True))

    assert diego_sees == {incident.number}  # not HR's request, not the task
    assert other_sees == set()
    for number in (hr_request.number, task.number):
        assert web_client(requester_diego).get(f"/portal/requests/{number}/").status_code == 404
        assert api_client(requester_diego).get(f"/api/v1/tickets/{number}").status_code == 404
    assert web_client(requester_other_org).get(
        f"/portal/requests/{incident.number}/").status_code == 404
