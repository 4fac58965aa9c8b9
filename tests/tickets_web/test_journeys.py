"""The day's work through the web pages: an agent registers a ticket for Carla, assigns
it, talks with her and resolves it; Carla follows it and sees only what is meant for
her; two agents at once meet the conflict message instead of overwriting each other."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Event, Status, Ticket
from atiende.tickets.search import index_tickets
from tests.tickets_web.support import HTMX, new_events, ticket_state
from tests.web.support import field_errors, page, speak_english


def _sentences(response) -> list[str]:
    """The timeline's sentences, without their relative times."""
    sentences = []
    for node in page(response).find_all("li", cls="event"):
        line = node.find_all("p", cls="event-line")[0]
        parts = [child if isinstance(child, str) else child.text for child in line.children
                 if isinstance(child, str) or child.tag != "time"]
        sentences.append(" ".join("".join(parts).split()))
    return sentences


def _comments(response) -> list[str]:
    return [node.find_all("div", cls="rich")[0].text
            for node in page(response).find_all("div", cls="comment")]


@pytest.fixture
def english(agent_ana, requester_carla, agent_nico):
    speak_english(agent_ana, requester_carla, agent_nico)


def test_an_agent_registers_assigns_replies_and_resolves_while_carla_follows(
    english, web_client, agent_ana, requester_carla, team_redes, impresoras, it
):
    ana, carla = web_client(agent_ana), web_client(requester_carla)

    # when: Ana registers Carla's call
    response = ana.post("/tickets/new/", {
        "requester": "CARLA@cafemontana.example", "kind": "incident", "department": it.pk,
        "title": "No enciende el monitor",
        "description": "Llamó a las 8.\nDice que huele a quemado.", "channel": "phone",
        "category": impresoras.pk, "service": "", "impact": 2, "urgency": 1})

    # then: the ticket exists, for Carla, and Ana lands on it
    ticket = Ticket.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{ticket.number}/")
    assert (ticket.number, ticket.requester, ticket.channel, ticket.category, ticket.priority,
            ticket.description) == (
        "INC-000001", requester_carla, "phone", impresoras, 2,
        "<p>Llamó a las 8.<br>Dice que huele a quemado.</p>")

    # when: she gives it to her team Redes and to herself, replies, and leaves a note
    assert ana.post("/tickets/INC-000001/assign/", {
        "version": 1, "team": team_redes.pk, "assignee": agent_ana.pk}).status_code == 302
    assert ana.post("/tickets/INC-000001/comments/", {
        "body": "Carla, ¿el monitor tiene luz?", "visibility": "public"}).status_code == 302
    assert ana.post("/tickets/INC-000001/comments/", {
        "body": "Probable fuente dañada.", "visibility": "internal"}).status_code == 302
    # and resolves it with a code and notes
    assert ana.post("/tickets/INC-000001/status/", {
        "version": 2, "status": "resolved", "resolution_code": "fixed",
        "resolution_notes": "Cambiamos la fuente."}).status_code == 302

    # then: the ticket is resolved and its timeline reads as sentences
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_code, ticket.resolution_notes) == (
        Status.RESOLVED, "fixed", "<p>Cambiamos la fuente.</p>")
    agent_view = ana.get("/tickets/INC-000001/")
    assert _sentences(agent_view) == [
        "Ana Gómez registered the ticket (phone)",
        "Ana Gómez took the ticket (Redes)",
        "Ana Gómez changed the status from New to Assigned",
        "Ana Gómez replied",
        "Ana Gómez added an internal note",
        "Ana Gómez resolved the ticket (Fixed)",
    ]
    assert _comments(agent_view) == ["Carla, ¿el monitor tiene luz?", "Probable fuente dañada."]

    # and Carla sees the public reply and the resolution, never the internal note
    requester_view = carla.get("/tickets/INC-000001/")
    assert requester_view.status_code == 200
    assert _comments(requester_view) == ["Carla, ¿el monitor tiene luz?"]
    assert "Probable fuente dañada" not in requester_view.content.decode()
    assert "internal note" not in " ".join(_sentences(requester_view))
    assert page(requester_view).find_all("article", cls="resolution")[0].text == (
        "Resolution: Fixed Cambiamos la fuente.")
    # and she may close it or reopen it, nothing else
    assert [node.attrs["value"] for node in page(requester_view).find_all(
        "button", name="status")] == ["in_progress", "closed"]


def test_carla_asks_for_help_herself(english, web_client, requester_carla, it):
    # when
    response = web_client(requester_carla).post("/tickets/new/", {
        "kind": "service_request", "department": it.pk, "title": "Necesito un mouse",
        "description": "El mío se rompió."})

    # then
    ticket = Ticket.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/tickets/REQ-000001/")
    assert (ticket.requester, ticket.organization_id, ticket.channel, ticket.status) == (
        requester_carla, requester_carla.organization_id, "portal", Status.NEW)
    assert [row.find_all("a")[0].text for row in page(web_client(requester_carla).get(
        "/tickets/")).find_all("tr", cls="queue-row")] == ["REQ-000001"]


def test_an_unknown_requester_is_refused_on_the_form(english, web_client, agent_ana, it,
                                                     requester_other_org):
    # when: Ana types someone of another organization
    response = web_client(agent_ana).post("/tickets/new/", {
        "requester": requester_other_org.email, "kind": "incident", "department": it.pk,
        "title": "x", "channel": "phone", "impact": 2, "urgency": 2})

    # then
    assert response.status_code == 200
    assert field_errors(response, "requester") == [
        "Choose a person from the list (search by name or e-mail)."]
    assert not Ticket.objects.exists()


def test_a_stale_version_shows_the_conflict_and_a_reload_link(
    english, web_client, incident, agent_ana, agent_nico, team_redes
):
    # given: Ana opened the ticket at version 1; meanwhile Nicolás took it
    services.ticket_assign(actor=agent_nico, ticket=incident, team=None, assignee=agent_nico,
                           version=1)
    before = ticket_state()
    client = web_client(agent_ana)

    # when: Ana sends her assignment, made on version 1
    response = client.post("/tickets/INC-000001/assign/", {
        "version": 1, "team": team_redes.pk, "assignee": agent_ana.pk})

    # then: refused with who changed what, and a way to reload; nothing written
    assert response.status_code == 409
    notice = page(response).find_all("div", cls="notice")[0]
    assert notice.find_all("p")[0].text == (
        "INC-000001 was changed after you opened it (Nicolás Vega: Assigned, status). "
        "Reload it and apply your change again.")
    assert notice.find_all("a")[0].attrs["href"] == "/tickets/INC-000001/"
    assert ticket_state() == before

    # and with htmx the notice alone comes back, aimed at the notice area, so what Ana
    # typed elsewhere stays on her screen
    response = client.post("/tickets/INC-000001/assign/", {
        "version": 1, "team": team_redes.pk, "assignee": agent_ana.pk}, **HTMX)
    assert response.status_code == 409
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#ticket-notice", "innerHTML")
    assert "Reload the ticket" in response.content.decode()
    assert ticket_state() == before


def test_resolving_without_notes_keeps_the_form_open_with_its_errors(
    english, web_client, incident, agent_ana
):
    # given
    before = ticket_state()

    # when
    response = web_client(agent_ana).post("/tickets/INC-000001/status/", {
        "version": 1, "status": "resolved", "resolution_code": ""}, **HTMX)

    # then
    assert response.status_code == 422
    assert field_errors(response, "resolution_code") == ["Choose a resolution code."]
    assert field_errors(response, "resolution_notes") == ["Describe the resolution."]
    opened = [node for node in page(response).find_all("details", cls="action-menu")
              if "open" in node.attrs]
    assert [node.find_all("summary")[0].text for node in opened] == ["Resolve…"]
    assert ticket_state() == before


def test_a_change_through_htmx_answers_with_the_live_part_and_clears_the_notice(
    english, web_client, incident, agent_ana
):
    # when
    response = web_client(agent_ana).post("/tickets/INC-000001/comments/", {
        "body": "Voy en camino", "visibility": "public"}, **HTMX)

    # then
    assert response.status_code == 200
    html = page(response)
    assert [node.attrs["id"] for node in html.children if not isinstance(node, str)] == [
        "ticket-live", "ticket-notice"]
    assert html.find_all("div", id="ticket-notice")[0].attrs["hx-swap-oob"] == "innerHTML"
    assert _comments(response) == ["Voy en camino"]


def test_the_ticket_page_answers_204_until_something_changes(
    web_client, incident, agent_ana, requester_carla, django_assert_max_num_queries
):
    # given: Carla has her ticket open
    carla = web_client(requester_carla)
    first = carla.get("/tickets/INC-000001/")
    poll_url = page(first).find_all("div", id="ticket-live")[0].attrs["hx-get"]
    assert poll_url == f"/tickets/INC-000001/live/?after={Event.objects.get().pk}"

    # when: nothing changed, the poll is cheap and empty
    with django_assert_max_num_queries(6):
        response = carla.get(poll_url, **HTMX)
    assert (response.status_code, response.content) == (204, b"")

    # when: Ana writes an internal note, Carla's page stays as it is
    services.comment_add(actor=agent_ana, ticket=incident, body="nota", visibility="internal")
    assert carla.get(poll_url, **HTMX).status_code == 204

    # when: Ana replies publicly
    services.comment_add(actor=agent_ana, ticket=incident, body="<p>Ya voy</p>")

    # then: the poll brings the refreshed part, which polls from the new event on
    response = carla.get(poll_url, **HTMX)
    assert response.status_code == 200
    assert _comments(response) == ["Ya voy"]
    newest = Event.objects.filter(kind="commented").latest("pk").pk
    assert page(response).find_all("div", id="ticket-live")[0].attrs["hx-get"] == (
        f"/tickets/INC-000001/live/?after={newest}")


def test_the_queue_answers_204_until_a_ticket_the_agent_sees_changes(
    english, web_client, incident, agent_ana, agent_other_org, requester_other_org, org_other,
    other_it
):
    # given
    client = web_client(agent_ana)
    poll_url = page(client.get("/tickets/?queue=all")).find_all(
        "div", id="queue-live")[0].attrs["hx-get"]
    assert poll_url.startswith("/tickets/live/?queue=all&stamp=")

    # when: a ticket of another organization is created
    from atiende.tickets.models import Kind

    services.ticket_create(actor=agent_other_org, kind=Kind.INCIDENT, title="Otro",
                           organization=org_other, department=other_it,
                           requester=requester_other_org)

    # then: nothing for Ana
    assert web_client(agent_ana).get(poll_url, **HTMX).status_code == 204

    # when: her own ticket changes
    services.ticket_transition(actor=agent_ana, ticket=incident, to_status="in_progress",
                               version=1)

    # then: the queue comes back, with the new status
    response = client.get(poll_url, **HTMX)
    assert response.status_code == 200
    assert [node.text for node in page(response).find_all("span", cls="status")] == [
        "In progress"]


def test_the_timeline_reads_in_the_readers_language(web_client, incident, agent_ana,
                                                    team_redes, requester_carla):
    # given: Ana assigned the ticket to her team
    services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes, assignee=None,
                           version=1)

    # when: Carla reads it in English
    speak_english(requester_carla)
    response = web_client(requester_carla).get("/tickets/INC-000001/")

    # then
    assert _sentences(response)[-1] == "Ana Gómez assigned the ticket to Redes"
    assert page(response).find_all("html")[0].attrs["lang"] == "en"


def test_bulk_actions_report_each_ticket(english, web_client, incident, second_incident,
                                         agent_ana, agent_nico):
    # given: Nicolás changed the second incident after Ana's queue was drawn
    services.ticket_transition(actor=agent_nico, ticket=second_incident,
                               to_status="in_progress", version=1)
    before = ticket_state()

    # when: Ana puts both on hold, the second at the version she saw
    response = web_client(agent_ana).post("/tickets/bulk/", {
        "action": "status", "status": "pending", "pending_reason": "third_party",
        "tickets": ["INC-000001:1", "INC-000002:1", "INC-000404:1"], "query": "queue=all"})

    # then: the first is done, the others say why not
    assert response.status_code == 200
    outcomes = [node.text for node in page(response).find_all("li") if node.classes & {
        "outcome-done", "outcome-failed"}]
    assert outcomes == [
        "Done INC-000001",
        "Not done INC-000002 — INC-000002 was changed after you opened it (Nicolás Vega: "
        "status). Reload it and apply your change again.",
        "Not done INC-000404 — No such ticket.",
    ]
    assert [(event.ticket.number, event.kind, event.new_value) for event in new_events(
        before)] == [("INC-000001", "status", "pending")]


def test_bulk_merge_folds_the_others_into_the_one_kept(english, web_client, incident,
                                                       second_incident, agent_ana):
    # when
    response = web_client(agent_ana).post("/tickets/bulk/", {
        "action": "merge", "into": "INC-000001",
        "tickets": ["INC-000001:1", "INC-000002:1"], "query": ""})

    # then
    assert response.status_code == 200
    second_incident.refresh_from_db()
    assert (second_incident.status, second_incident.merged_into_id) == (
        Status.CANCELLED, incident.pk)
    outcomes = [node.text for node in page(response).find_all("li") if node.classes & {
        "outcome-done", "outcome-failed"}]
    assert outcomes == ["Done INC-000001 — kept; the others were merged into it",
                        "Done INC-000002 — merged into INC-000001"]


def test_a_bulk_merge_needs_the_ticket_to_keep_among_the_ticked(english, web_client,
                                                                incident, agent_ana):
    before = ticket_state()
    response = web_client(agent_ana).post("/tickets/bulk/", {
        "action": "merge", "into": "INC-000009", "tickets": ["INC-000001:1"]})
    assert response.status_code == 200
    assert [node.text for node in page(response).find_all("p", cls="alert-error")] == [
        "Choose which of the ticked tickets to keep."]
    assert ticket_state() == before


@pytest.mark.parametrize(("query", "found"), [
    ("INC-000001", "jump"),
    ("inc-1", "jump"),
    ("impresoras", ["INC-000001"]),
    ("escaner", ["INC-000002"]),
    ("nada que ver", []),
])
def test_the_search_box_jumps_to_a_number_and_lists_what_words_find(
    english, web_client, incident, second_incident, agent_ana, query, found
):
    # given: the search documents are up to date (the outbox does it after commit)
    index_tickets([incident.pk, second_incident.pk])

    # when
    response = web_client(agent_ana).get("/tickets/search/", {"q": query})

    # then
    if found == "jump":
        assert (response.status_code, response["Location"]) == (302, "/tickets/INC-000001/")
    else:
        assert response.status_code == 200
        assert [node.find_all("strong")[0].text for node in page(response).find_all(
            "li", cls="search-result")] == found


def test_the_search_box_finds_nothing_outside_the_actors_scope(
    web_client, incident, agent_bruno_other_department, agent_other_org
):
    index_tickets([incident.pk])
    for actor in (agent_bruno_other_department, agent_other_org):
        for query in ("INC-000001", "impresora"):
            response = web_client(actor).get("/tickets/search/", {"q": query})
            assert response.status_code == 200
            assert page(response).find_all("li", cls="search-result") == []


@pytest.mark.parametrize(("actor", "offered"), [
    ("agent_ana", True), ("admin", False), ("provider_admin", False),
    ("requester_carla", False),
])
def test_assign_to_me_is_offered_only_to_who_may_hold_the_ticket(
    web_client, incident, cast, actor, offered
):
    response = web_client(cast[actor]).get("/tickets/INC-000001/")
    buttons = page(response).find_all("button", **{"data-shortcut": "a"})
    assert bool(buttons) is offered
