"""Who may open each workspace page and send each form, for the whole cast.

A ticket of another organization or another department answers 404 (as if it did not
exist); a requester may open their own ticket and do a requester's things on it, and a
refused request changes nothing: no new event, no changed row.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.tickets.models import Event, Ticket
from tests.tickets_web.support import new_events, ticket_state
from tests.web.support import login_redirect, page, template_names

ACTORS = [
    "anonymous",
    "requester_carla",
    "requester_other_org",
    "agent_other_org",
    "agent_bruno_other_department",
    "agent_ana",
    "admin_other_org",
    "admin",
    "provider_admin",
]
SIGNED_IN = ACTORS[1:]
# Who sees Carla's incident in Café Montaña's IT: Carla herself, the IT agent, Café
# Montaña's admin and the provider's admin. Everyone else gets a 404.
SEES_THE_TICKET = {"requester_carla", "agent_ana", "admin", "provider_admin"}
STAFF = {"agent_ana", "admin", "provider_admin"}


@pytest.fixture
def world(actors, incident, second_incident, team_redes, media):
    return actors


def _expect_not_found(response) -> None:
    assert response.status_code == 404
    assert "errors/404.html" in template_names(response)


# --- pages ----------------------------------------------------------------------------

TICKET_PAGES = ["/tickets/INC-000001/", "/tickets/inc-000001/", "/tickets/INC-000001/live/"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url", TICKET_PAGES)
def test_a_ticket_page_opens_only_for_who_may_see_the_ticket(world, web_client, actor, url):
    # when
    response = web_client(world[actor]).get(url)

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    elif actor in SEES_THE_TICKET:
        assert response.status_code == 200
        assert "INC-000001" in page(response).find_all("h1")[0].text
    else:
        _expect_not_found(response)


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_a_ticket_that_does_not_exist_is_a_404_for_everyone(world, web_client, actor):
    response = web_client(world[actor]).get("/tickets/INC-999999/")
    _expect_not_found(response)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url", ["/tickets/", "/tickets/?queue=all&status=any",
                                 "/tickets/new/"])
def test_workspace_pages_open_to_everyone_signed_in(world, web_client, actor, url):
    # when
    response = web_client(world[actor]).get(url)

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_the_queues_list_only_tickets_the_actor_may_see(world, web_client, actor):
    # when
    response = web_client(world[actor]).get("/tickets/?queue=all&status=any")

    # then
    rows = [row.attrs["data-number"] if "data-number" in row.attrs else
            row.find_all("a")[0].text
            for row in page(response).find_all("tr", cls="queue-row")]
    expected = ["INC-000002", "INC-000001"] if actor in SEES_THE_TICKET else []
    assert rows == expected


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_the_agents_of_a_team_are_offered_only_on_a_ticket_of_ones_own_desk(
    world, web_client, team_redes, actor
):
    # when
    response = web_client(world[actor]).get(
        f"/tickets/INC-000001/assignees/?team={team_redes.pk}")

    # then
    if actor in STAFF:
        assert response.status_code == 200
        assert [node.text for node in page(response).find_all("option")][1:] == ["Ana Gómez"]
    elif actor == "requester_carla":
        assert response.status_code == 403
    else:
        _expect_not_found(response)


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_the_requester_search_finds_only_people_the_actor_may_see(world, web_client, actor):
    # when: looking for Carla (Café Montaña) and for Rita (Clínica Norte)
    found = {search: [node.text for node in page(web_client(world[actor]).get(
        f"/tickets/new/people/?requester={search}")).find_all("strong")]
        for search in ("carla", "rita")}

    # then
    sees_cafe = actor in {"requester_carla", "agent_ana", "admin", "provider_admin",
                          "agent_bruno_other_department"}
    sees_norte = actor in {"requester_other_org", "agent_other_org", "admin_other_org",
                           "provider_admin"}
    assert found == {"carla": ["Carla Rueda"] if sees_cafe else [],
                     "rita": ["Rita Salas"] if sees_norte else []}


# --- forms ----------------------------------------------------------------------------

# action: (path under the ticket, data, {actor: status}, event kinds written when done).
# Actors not named answer 404 (they cannot see the ticket); 302 is "done, back to the page".
ACTIONS = {
    "public_reply": ("comments/", {"body": "Gracias", "visibility": "public"},
                     {"requester_carla": 302, "agent_ana": 302, "admin": 302,
                      "provider_admin": 302}, ["commented"]),
    "internal_note": ("comments/", {"body": "Revisar tóner", "visibility": "internal"},
                      {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                       "provider_admin": 302}, ["commented"]),
    # Only agents of the department may hold a ticket: admins are told so on the form.
    "take": ("assign/me/", {"version": 1},
             {"requester_carla": 403, "agent_ana": 302, "admin": 422,
              "provider_admin": 422}, ["assigned", "status"]),
    "assign": ("assign/", {"version": 1, "team": "{team}", "assignee": "{ana}"},
               {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                "provider_admin": 302}, ["assigned", "status"]),
    "start_work": ("status/", {"version": 1, "status": "in_progress"},
                   {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                    "provider_admin": 302}, ["status"]),
    "cancel": ("status/", {"version": 1, "status": "cancelled"},
               {"requester_carla": 302, "agent_ana": 302, "admin": 302,
                "provider_admin": 302}, ["status"]),
    "classify": ("edit/classification/", {"version": 1, "impact": 1, "urgency": 1},
                 {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                  "provider_admin": 302}, ["changed", "changed", "changed"]),
    "retitle": ("edit/title/", {"version": 1, "title": "Impresora del piso 3"},
                {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                 "provider_admin": 302}, ["changed"]),
    "tag": ("edit/tags/", {"version": 1, "tags": "impresora, piso-3"},
            {"requester_carla": 403, "agent_ana": 302, "admin": 302,
             "provider_admin": 302}, ["changed"]),
    # Setting the priority by hand is for leads, managers and admins.
    "priority": ("priority/", {"version": 1, "priority": 1, "reason": "Gerencia"},
                 {"requester_carla": 403, "agent_ana": 403, "admin": 302,
                  "provider_admin": 302}, ["priority_overridden"]),
    "escalate": ("escalate/", {"version": 1, "reason": "Necesita segundo nivel"},
                 {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                  "provider_admin": 302}, ["escalated"]),
    "watch": ("watchers/", {},
              {"requester_carla": 302, "agent_ana": 302, "admin": 302,
               "provider_admin": 302}, ["watcher_added"]),
    "add_watcher": ("watchers/", {"user": "{ana}"},
                    {"requester_carla": 403, "agent_ana": 302, "admin": 302,
                     "provider_admin": 302}, ["watcher_added"]),
    "link": ("links/", {"number": "INC-000002", "kind": "related"},
             {"requester_carla": 403, "agent_ana": 302, "admin": 302,
              "provider_admin": 302}, ["linked", "linked"]),
    "attach": ("files/", {"file": "note.txt"},
               {"requester_carla": 302, "agent_ana": 302, "admin": 302,
                "provider_admin": 302}, ["attached"]),
}


def _data(data: dict, world, team_redes) -> dict:
    values = {"{team}": team_redes.pk, "{ana}": world["agent_ana"].pk}
    sent = {name: values.get(value, value) for name, value in data.items()}
    if "file" in sent:
        sent["file"] = SimpleUploadedFile("nota.txt", b"La impresora dice: sin toner\n",
                                          content_type="text/plain")
    return sent


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_form_of_a_ticket_obeys_who_may_do_what(world, web_client, team_redes, actor,
                                                       action):
    # given
    path, data, allowed, kinds = ACTIONS[action]
    url = f"/tickets/INC-000001/{path}"
    before = ticket_state()

    # when
    response = web_client(world[actor]).post(url, _data(data, world, team_redes))

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    else:
        assert response.status_code == allowed.get(actor, 404), response.content[:400]
    if response.status_code == 302 and actor != "anonymous":
        assert response["Location"] == "/tickets/INC-000001/"
        assert [event.kind for event in new_events(before)] == kinds
        assert {event.actor_id for event in new_events(before)} == {world[actor].pk}
    else:
        if response.status_code == 404:
            assert "errors/404.html" in template_names(response)
        assert ticket_state() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_a_link_or_a_watcher_is_removed_only_by_who_works_the_ticket(
    world, web_client, agent_ana, incident, second_incident, actor
):
    # given: Ana linked the two incidents and watches the first
    from atiende.tickets import services

    link = services.ticket_link(actor=agent_ana, source=incident, target=second_incident)
    services.watcher_add(actor=agent_ana, ticket=incident, user=agent_ana)
    before = ticket_state()
    client = web_client(world[actor])

    # when
    responses = [client.post(f"/tickets/INC-000001/links/{link.pk}/remove/"),
                 client.post(f"/tickets/INC-000001/watchers/{agent_ana.pk}/remove/")]

    # then
    codes = [response.status_code for response in responses]
    if actor == "anonymous":
        assert codes == [302, 302] and ticket_state() == before
    elif actor in STAFF:
        assert codes == [302, 302]
        assert [event.kind for event in new_events(before)] == [
            "unlinked", "unlinked", "watcher_removed"]
    elif actor == "requester_carla":
        assert codes == [403, 403] and ticket_state() == before
    else:
        assert codes == [404, 404] and ticket_state() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_bulk_actions_reach_only_tickets_the_actor_works(world, web_client, actor):
    # given
    before = ticket_state()

    # when: everyone tries to take both of Carla's incidents at once
    response = web_client(world[actor]).post("/tickets/bulk/", {
        "action": "assign", "assignee": "me", "tickets": ["INC-000001:1", "INC-000002:1"],
        "query": "queue=all"})

    # then
    if actor == "anonymous":
        assert response.status_code == 302 and ticket_state() == before
        return
    if actor in {"requester_carla", "requester_other_org"}:
        _expect_not_found(response)
        assert ticket_state() == before
        return
    assert response.status_code == 200
    outcomes = [(node.find_all("a")[0].text, "outcome-done" in node.classes)
                for node in page(response).find_all("li") if node.classes & {
                    "outcome-done", "outcome-failed"}]
    if actor == "agent_ana":
        assert outcomes == [("INC-000001", True), ("INC-000002", True)]
        assert Ticket.objects.filter(assignee=world[actor]).count() == 2
    else:
        # Admins may not hold tickets; anyone else cannot see them: nothing changes.
        assert outcomes == [("INC-000001", False), ("INC-000002", False)]
        assert ticket_state() == before
    assert Event.objects.exclude(pk__in=before["events"]).exclude(
        actor=world[actor]).count() == 0
