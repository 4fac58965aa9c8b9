"""A day's work on one ticket through the API: what the detail shows to whom, versions
(ETag, If-Match), the conversation and the timeline, watchers, links and merges."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Event, Kind, Ticket, Visibility
from tests.api.support import problem, send
from tests.tickets_api.support import if_match, new_events, tickets_state


@pytest.fixture
def ana(agent_ana):
    return agent_ana


def _ticket(actor, organization, department, requester, title: str) -> Ticket:
    return services.ticket_create(actor=actor, kind=Kind.INCIDENT, title=title,
                                  organization=organization, department=department,
                                  requester=requester)


# --- the detail ------------------------------------------------------------------------


def test_the_detail_shows_the_ticket_with_its_version(ana, incident, team_redes, api_client):
    # given
    services.ticket_assign(actor=ana, ticket=incident, team=team_redes, assignee=ana,
                           version=1)

    # when
    response = api_client(ana).get("/api/v1/tickets/inc-000001")

    # then
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    ticket = response.json()
    assert {key: ticket[key] for key in ("number", "status", "version", "channel",
                                         "description", "allowed_transitions")} == {
        "number": "INC-000001", "status": "assigned", "version": 2, "channel": "phone",
        "description": "<p>Sale una hoja en blanco.</p>",
        "allowed_transitions": ["new", "in_progress", "pending", "resolved", "cancelled"]}


@pytest.mark.parametrize(("status", "expected"), [("new", ["cancelled"]),
                                                  ("resolved", ["in_progress", "closed"])])
def test_a_requester_is_offered_only_the_transitions_allowed_to_them(status, expected, ana,
                                                                     incident,
                                                                     requester_carla,
                                                                     api_client):
    # given
    if status == "resolved":
        services.ticket_transition(actor=ana, ticket=incident, to_status="resolved", version=1,
                                   resolution_code="fixed", resolution_notes="Tóner nuevo.")

    # when
    response = api_client(requester_carla).get("/api/v1/tickets/INC-000001")

    # then
    assert response.json()["allowed_transitions"] == expected


def test_children_links_and_parent_show_only_tickets_the_caller_may_see(
    ana, admin, incident, org_cafe, it, hr, requester_carla, requester_diego, api_client
):
    # given: Carla's incident is the parent of one of Carla's and one of Diego's, and is
    # linked to an HR ticket of Carla (which Ana may not see) and to one of Diego's.
    mine = _ticket(ana, org_cafe, it, requester_carla, "Piso 3 también")
    diegos = _ticket(ana, org_cafe, it, requester_diego, "Piso 3 sin impresión")
    for child in (mine, diegos):
        services.ticket_update(actor=ana, ticket=child, changes={"parent": incident},
                               version=1)
    payroll = _ticket(admin, org_cafe, hr, requester_carla, "Desprendible de pago")
    services.ticket_link(actor=admin, source=incident, target=payroll)
    services.ticket_link(actor=ana, source=diegos, target=incident, kind="caused_by")

    # when
    as_ana = api_client(ana).get("/api/v1/tickets/INC-000001").json()
    as_carla = api_client(requester_carla).get("/api/v1/tickets/INC-000001").json()
    child_as_carla = api_client(requester_carla).get(f"/api/v1/tickets/{mine.number}").json()

    # then
    assert as_ana["children"] == ["INC-000002", "INC-000003"]
    assert [(link["number"], link["kind"], link["direction"]) for link in as_ana["links"]] == [
        ("INC-000003", "caused_by", "incoming")]
    assert as_carla["children"] == ["INC-000002"]
    assert [(link["number"], link["direction"]) for link in as_carla["links"]] == [
        ("INC-000004", "outgoing")]
    assert child_as_carla["parent"] == "INC-000001"


def test_the_parent_of_a_ticket_the_caller_may_not_see_is_not_named(
    ana, incident, org_cafe, it, requester_diego, api_client
):
    # given: Diego's ticket under Carla's incident
    diegos = _ticket(ana, org_cafe, it, requester_diego, "Piso 3 sin impresión")
    services.ticket_update(actor=ana, ticket=diegos, changes={"parent": incident}, version=1)

    # when
    response = api_client(requester_diego).get(f"/api/v1/tickets/{diegos.number}")

    # then
    assert response.json()["parent"] is None


# --- versions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body"), [
    ("/tickets/INC-000001", {"title": "Otra"}),
    ("/tickets/INC-000001/transitions", {"status": "in_progress"}),
])
def test_an_overwrite_without_if_match_is_refused(path, body, ana, incident, api_client):
    # given
    before = tickets_state()
    method = "PATCH" if path.count("/") == 2 else "POST"

    # when
    response = send(api_client(ana), method, path, body)

    # then
    problem(response, 428, "precondition_required")
    assert tickets_state() == before


@pytest.mark.parametrize("header", ["1", "W/\"1\"", "\"uno\"", "*", "\"1\", \"2\""])
def test_a_malformed_if_match_is_refused(header, ana, incident, api_client):
    # when
    response = send(api_client(ana), "PATCH", "/tickets/INC-000001", {"title": "Otra"},
                    HTTP_IF_MATCH=header)

    # then
    problem(response, 422, "invalid_if_match")
    assert Ticket.objects.get().version == 1


def test_a_stale_update_is_refused_saying_who_changed_what(ana, admin, incident, team_redes,
                                                           in_english, api_client):
    # given: Ana assigns and reclassifies while Mateo's screen shows version 1
    services.ticket_assign(actor=ana, ticket=incident, team=team_redes, assignee=ana,
                           version=1)
    services.ticket_update(actor=ana, ticket=incident, changes={"urgency": 1}, version=2)
    editor = in_english(admin)
    before = tickets_state()

    # when
    response = send(api_client(editor), "PATCH", "/tickets/INC-000001",
                    {"title": "Impresora piso 3"}, **if_match(1))

    # then
    body = problem(response, 412, "stale_version")
    assert body["title"] == "Precondition failed"
    assert body["detail"] == (
        "INC-000001 was changed after you opened it (Ana Gómez: Assigned, status, urgency, "
        "priority). Reload it and apply your change again.")
    assert tickets_state() == before


@pytest.fixture
def mateo(admin):
    return admin


def test_a_stale_transition_is_refused(mateo, ana, incident, api_client):
    # given
    services.ticket_update(actor=ana, ticket=incident, changes={"title": "Piso 3"}, version=1)

    # when
    response = send(api_client(mateo), "POST", "/tickets/INC-000001/transitions",
                    {"status": "cancelled"}, **if_match(1))

    # then
    problem(response, 412, "stale_version")
    assert Ticket.objects.get().status == "new"


def test_an_action_checks_if_match_when_sent(mateo, ana, incident, api_client):
    # given
    services.ticket_update(actor=ana, ticket=incident, changes={"title": "Piso 3"}, version=1)
    client = api_client(mateo)

    # when
    stale = send(client, "POST", "/tickets/INC-000001/escalations", {"reason": "Urgente"},
                 **if_match(1))
    current = send(client, "POST", "/tickets/INC-000001/escalations", {"reason": "Urgente"},
                   **if_match(2))
    without = send(client, "POST", "/tickets/INC-000001/escalations", {"reason": "Más"})

    # then
    problem(stale, 412, "stale_version")
    assert (current.status_code, current.json()["support_line"], current["ETag"]) == (
        200, 2, '"3"')
    assert (without.status_code, without.json()["support_line"]) == (200, 3)


def test_a_patch_changes_only_what_is_sent_and_records_each_field(ana, incident, impresoras,
                                                                  correo, api_client):
    # given
    before = tickets_state()

    # when
    response = send(api_client(ana), "PATCH", "/tickets/INC-000001", {
        "category_id": impresoras.pk, "service_id": correo.pk, "impact": 1, "urgency": 1,
        "tags": ["Piso-3", "impresoras"]}, **if_match(1))

    # then
    assert response.status_code == 200, response.content
    ticket = response.json()
    assert (ticket["category_id"], ticket["service_id"], ticket["priority"],
            ticket["tags"], ticket["title"]) == (
        impresoras.pk, correo.pk, 1, ["impresoras", "piso-3"],
        "La impresora del piso 3 no imprime")
    assert response["ETag"] == '"2"'
    assert [(e.field, e.channel) for e in new_events(before)] == [
        ("category", "api"), ("service", "api"), ("impact", "api"), ("urgency", "api"),
        ("priority", "api"), ("tags", "api")]


def test_a_patch_can_clear_the_category(ana, incident, impresoras, api_client):
    # given
    client = api_client(ana)
    send(client, "PATCH", "/tickets/INC-000001", {"category_id": impresoras.pk}, **if_match(1))

    # when
    response = send(client, "PATCH", "/tickets/INC-000001", {"category_id": None},
                    **if_match(2))

    # then
    assert response.json()["category_id"] is None


# --- a day's work ------------------------------------------------------------------------


def test_an_agent_takes_a_ticket_from_new_to_closed(ana, incident, team_redes,
                                                    requester_carla, api_client):
    # given
    client = api_client(ana)
    path = "/tickets/INC-000001"

    # when
    assigned = send(client, "POST", f"{path}/assignment",
                    {"team_id": team_redes.pk, "assignee_id": ana.pk})
    started = send(client, "POST", f"{path}/transitions", {"status": "in_progress"},
                   **if_match(2))
    waiting = send(client, "POST", f"{path}/transitions",
                   {"status": "pending", "pending_reason": "awaiting_requester"}, **if_match(3))
    replied = send(api_client(requester_carla), "POST", f"{path}/comments",
                   {"body": "Ya la reinicié"})
    resumed = send(client, "POST", f"{path}/transitions", {"status": "in_progress"},
                   **if_match(4))
    resolved = send(client, "POST", f"{path}/transitions",
                    {"status": "resolved", "resolution_code": "fixed",
                     "resolution_notes": "Se cambió el tóner."}, **if_match(5))
    closed = send(api_client(requester_carla), "POST", f"{path}/transitions",
                  {"status": "closed"}, **if_match(6))

    # then
    assert [r.status_code for r in (assigned, started, waiting, replied, resumed, resolved,
                                    closed)] == [200, 200, 200, 201, 200, 200, 200]
    assert waiting.json()["pending_reason"] == "awaiting_requester"
    assert resolved.json()["resolution_code"] == "fixed"
    final = closed.json()
    assert (final["status"], final["version"], final["allowed_transitions"]) == (
        "closed", 7, [])
    assert final["closed_at"] is not None
    assert list(Event.objects.filter(channel="api").values_list("kind", "field")) == [
        ("assigned", ""), ("status", "status"), ("status", "status"), ("status", "status"),
        ("commented", ""), ("status", "status"), ("status", "status"), ("status", "status")]


# --- conversation and timeline -----------------------------------------------------------


@pytest.fixture
def conversation(ana, incident, requester_carla):
    reply = services.comment_add(actor=ana, ticket=incident, body="¿Qué modelo es?")
    note = services.comment_add(actor=ana, ticket=incident, body="Tóner genérico otra vez",
                                visibility=Visibility.INTERNAL)
    answer = services.comment_add(actor=requester_carla, ticket=incident, body="HP 400")
    return {"reply": reply, "note": note, "answer": answer}


def test_a_requester_never_sees_internal_notes(conversation, requester_carla, api_client):
    # given
    client = api_client(requester_carla)

    # when
    comments = client.get("/api/v1/tickets/INC-000001/comments").json()["results"]
    events = client.get("/api/v1/tickets/INC-000001/events").json()["results"]

    # then
    assert [c["body"] for c in comments] == ["¿Qué modelo es?", "HP 400"]
    assert [c["visibility"] for c in comments] == ["public", "public"]
    assert [(e["kind"], e["comment_id"]) for e in events] == [
        ("created", None), ("commented", conversation["reply"].pk),
        ("commented", conversation["answer"].pk)]


def test_staff_see_the_whole_conversation(conversation, ana, api_client):
    # when
    comments = api_client(ana).get("/api/v1/tickets/INC-000001/comments").json()["results"]

    # then
    assert [(c["body"], c["visibility"], c["author"]["display_name"]) for c in comments] == [
        ("¿Qué modelo es?", "public", "Ana Gómez"),
        ("Tóner genérico otra vez", "internal", "Ana Gómez"),
        ("HP 400", "public", "Carla Rueda")]


def test_an_edited_and_a_deleted_comment_stay_in_the_timeline(conversation, ana,
                                                              requester_carla, api_client):
    # given
    client = api_client(ana)
    reply, note = conversation["reply"], conversation["note"]

    # when
    edited = send(client, "PATCH", f"/tickets/INC-000001/comments/{reply.pk}",
                  {"body": "¿Qué modelo de impresora es?"})
    deleted = send(client, "DELETE", f"/tickets/INC-000001/comments/{note.pk}")
    again = send(client, "DELETE", f"/tickets/INC-000001/comments/{note.pk}")

    # then
    assert (edited.status_code, edited.json()["body"]) == (200, "¿Qué modelo de impresora es?")
    assert edited.json()["edited_at"] is not None
    assert deleted.status_code == 204
    problem(again, 404, "not_found")
    staff_events = client.get("/api/v1/tickets/INC-000001/events").json()["results"]
    assert [e["kind"] for e in staff_events][-2:] == ["comment_edited", "comment_deleted"]
    assert staff_events[-1]["old_value"] == "Tóner genérico otra vez"
    carla_events = api_client(requester_carla).get(
        "/api/v1/tickets/INC-000001/events").json()["results"]
    assert "comment_edited" not in {e["kind"] for e in carla_events}
    comments = client.get("/api/v1/tickets/INC-000001/comments").json()["results"]
    assert [c["id"] for c in comments] == [reply.pk, conversation["answer"].pk]


def test_a_requester_edits_only_their_own_comment(conversation, requester_carla, api_client):
    # given
    client = api_client(requester_carla)
    before = tickets_state()

    # when
    others = send(client, "PATCH", f"/tickets/INC-000001/comments/{conversation['reply'].pk}",
                  {"body": "Cambiado"})
    own = send(client, "PATCH", f"/tickets/INC-000001/comments/{conversation['answer'].pk}",
               {"body": "HP LaserJet 400"})

    # then
    problem(others, 403, "permission_denied")
    assert own.status_code == 200
    assert [e.kind for e in new_events(before)] == ["comment_edited"]


def test_a_comment_of_another_ticket_is_not_found_through_this_one(conversation, ana,
                                                                   incident, org_cafe, it,
                                                                   requester_carla,
                                                                   api_client):
    # given
    other = _ticket(ana, org_cafe, it, requester_carla, "Otro")

    # when
    response = send(api_client(ana), "PATCH",
                    f"/tickets/{other.number}/comments/{conversation['reply'].pk}",
                    {"body": "Cambiado"})

    # then
    problem(response, 404, "not_found")


def test_the_first_public_reply_of_staff_sets_the_first_response(ana, incident, api_client):
    # when
    send(api_client(ana), "POST", "/tickets/INC-000001/comments",
         {"body": "Nota", "visibility": "internal"})
    first = api_client(ana).get("/api/v1/tickets/INC-000001").json()["first_response_at"]
    send(api_client(ana), "POST", "/tickets/INC-000001/comments", {"body": "Vamos"})
    second = api_client(ana).get("/api/v1/tickets/INC-000001").json()["first_response_at"]

    # then
    assert first is None and second is not None


def test_events_walk_with_a_cursor(ana, incident, api_client):
    # given
    for number in range(7):
        services.comment_add(actor=ana, ticket=incident, body=f"Avance {number}")
    client = api_client(ana)

    # when
    pages = []
    response = client.get("/api/v1/tickets/INC-000001/events", {"page_size": 3})
    while True:
        page = response.json()
        pages.append([event["id"] for event in page["results"]])
        if page["next"] is None:
            break
        response = client.get(page["next"])

    # then
    assert [len(page) for page in pages] == [3, 3, 2]
    flat = [event_id for page in pages for event_id in page]
    assert flat == sorted(flat) and len(set(flat)) == 8


# --- watchers, links, merge ---------------------------------------------------------------


def test_watchers_are_added_and_removed(ana, incident, requester_diego, agent_nico,
                                        requester_carla, api_client):
    # given
    client = api_client(ana)

    # when
    added = send(client, "POST", "/tickets/INC-000001/watchers", {"user_id": agent_nico.pk})
    twice = send(client, "POST", "/tickets/INC-000001/watchers", {"user_id": agent_nico.pk})
    diego = send(client, "POST", "/tickets/INC-000001/watchers",
                 {"user_id": requester_diego.pk})
    removed = send(client, "DELETE", f"/tickets/INC-000001/watchers/{agent_nico.pk}")

    # then
    assert added.status_code == 201
    assert [w["display_name"] for w in added.json()] == ["Nicolás Vega"]
    assert twice.status_code == 201
    assert [w["display_name"] for w in diego.json()] == ["Diego Torres", "Nicolás Vega"]
    assert removed.status_code == 204
    detail = api_client(requester_carla).get("/api/v1/tickets/INC-000001").json()
    assert detail["watchers"] == [{"id": requester_diego.pk, "display_name": "Diego Torres"}]
    assert list(Event.objects.filter(kind__startswith="watcher").values_list(
        "kind", flat=True)) == ["watcher_added", "watcher_added", "watcher_removed"]


def test_a_link_is_made_and_removed_from_either_end(ana, incident, org_cafe, it,
                                                    requester_diego, api_client):
    # given
    other = _ticket(ana, org_cafe, it, requester_diego, "Piso 3 sin impresión")
    client = api_client(ana)

    # when
    made = send(client, "POST", "/tickets/INC-000001/links",
                {"number": other.number.lower(), "kind": "duplicate"})
    twice = send(client, "POST", f"/tickets/{other.number}/links", {"number": "INC-000001"})
    removed = send(client, "DELETE", f"/tickets/{other.number}/links/{made.json()['id']}")

    # then
    assert made.status_code == 201
    assert {key: made.json()[key] for key in ("number", "kind", "direction")} == {
        "number": "INC-000002", "kind": "duplicate", "direction": "outgoing"}
    problem(twice, 409, "already_linked")
    assert removed.status_code == 204
    assert client.get("/api/v1/tickets/INC-000001").json()["links"] == []


def test_a_link_of_another_ticket_is_not_found_through_this_one(ana, incident, org_cafe, it,
                                                                requester_diego, api_client):
    # given
    first = _ticket(ana, org_cafe, it, requester_diego, "Uno")
    second = _ticket(ana, org_cafe, it, requester_diego, "Dos")
    link = services.ticket_link(actor=ana, source=first, target=second)

    # when
    response = send(api_client(ana), "DELETE", f"/tickets/INC-000001/links/{link.pk}")

    # then
    problem(response, 404, "not_found")


def test_duplicates_are_merged_into_one_ticket(ana, incident, org_cafe, it, requester_diego,
                                               api_client):
    # given
    first = _ticket(ana, org_cafe, it, requester_diego, "Impresora piso 3")
    second = _ticket(ana, org_cafe, it, requester_diego, "No imprime piso 3")
    client = api_client(ana)

    # when
    response = send(client, "POST", "/tickets/INC-000001/merge",
                    {"duplicates": [first.number, second.number, first.number]})

    # then
    assert response.status_code == 200, response.content
    assert response.json()["watchers"] == [{"id": requester_diego.pk,
                                            "display_name": "Diego Torres"}]
    duplicate = client.get(f"/api/v1/tickets/{first.number}").json()
    assert (duplicate["status"], duplicate["resolution_code"], duplicate["merged_into"]) == (
        "cancelled", "duplicate", "INC-000001")
