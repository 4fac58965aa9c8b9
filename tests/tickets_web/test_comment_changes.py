"""Editing and deleting comments on a ticket's page: only the author may, each change is
an event the timeline shows ("edited", "deleted by"), agents may read the text before,
and the requester never reads an internal note nor a deleted text. A refusal is a clear
message in the page and changes nothing."""

from __future__ import annotations

import pytest

from atiende.tickets import services
from atiende.tickets.models import Comment, Event, Visibility
from tests.tickets_web.support import HTMX, new_events, ticket_state
from tests.web.support import field_errors, login_redirect, page, speak_english, template_names

REPLY = "<p>Carla, ¿la impresora muestra algún error?</p>"
NOTE = "<p>Sospecho del fusor.</p>"


@pytest.fixture
def english(agent_ana, agent_nico, requester_carla, agent_other_org, admin, provider_admin):
    speak_english(agent_ana, agent_nico, requester_carla, agent_other_org, admin,
                  provider_admin)


@pytest.fixture
def conversation(incident, agent_ana, requester_carla) -> dict[str, Comment]:
    """Ana's public reply and internal note, and Carla's answer."""
    return {
        "reply": services.comment_add(actor=agent_ana, ticket=incident, body=REPLY),
        "note": services.comment_add(actor=agent_ana, ticket=incident, body=NOTE,
                                     visibility=Visibility.INTERNAL),
        "answer": services.comment_add(actor=requester_carla, ticket=incident,
                                       body="<p>Dice «atasco de papel»</p>"),
    }


def _state() -> dict[str, list]:
    """Everything `ticket_state` compares, and when each comment was edited or deleted."""
    return {**ticket_state(), "comment_changes": list(Comment.objects.order_by("pk")
                                                      .values_list("pk", "edited_at",
                                                                   "deleted_at"))}


def _comment(response, comment: Comment):
    found = page(response).find_all("div", id=f"comment-{comment.pk}")
    return found[0] if found else None


def _text(node) -> str:
    """A comment's shown text (not its earlier versions)."""
    return next(child for child in node.children if not isinstance(child, str)
                and child.tag == "div" and "rich" in child.classes).text


def _notice(response) -> str:
    """The message of the notice (without its reload link)."""
    return " ".join(node.find_all("p")[0].text
                    for node in page(response).find_all("div", cls="notice"))


def _url(comment: Comment, action: str) -> str:
    return f"/tickets/INC-000001/comments/{comment.pk}/{action}/"


# --- the author edits and deletes ----------------------------------------------------------


def test_the_author_edits_her_reply_in_place_and_the_timeline_says_so(
    english, web_client, conversation, agent_ana, requester_carla
):
    # given: Ana's page offers Edit on her reply
    reply = conversation["reply"]
    client = web_client(agent_ana)
    shown = _comment(client.get("/tickets/INC-000001/"), reply)
    edit = shown.find_all("a", **{"data-comment-edit": ""})[0]
    assert (edit.attrs["href"], edit.attrs["hx-get"], edit.attrs["hx-target"]) == (
        f"{_url(reply, 'edit')}#comment-{reply.pk}", _url(reply, "edit"),
        f"#comment-{reply.pk}")
    before = _state()

    # when: she opens the editor (htmx swaps the comment in place)
    opened = client.get(_url(reply, "edit"), **HTMX)

    # then: the comment alone comes back, its text in a box, the revision she saw kept
    assert opened.status_code == 200
    assert template_names(opened)[0] == "tickets/_comment.html"
    editor = page(opened).find_all("form", cls="comment-editor")[0]
    assert editor.find_all("textarea")[0].text == "Carla, ¿la impresora muestra algún error?"
    assert editor.find_all("input", name="revision")[0].attrs["value"] == "original"
    assert (editor.attrs["hx-post"], editor.attrs["hx-target"]) == (
        _url(reply, "edit"), "#ticket-live")

    # when: she saves a new text
    response = client.post(_url(reply, "edit"), {
        "body": "Carla, ¿qué error muestra la impresora?\nUna foto ayuda.",
        "revision": "original"}, **HTMX)

    # then: the live part shows the new text, marked as edited by her
    assert response.status_code == 200
    shown = _comment(response, reply)
    assert _text(shown) == "Carla, ¿qué error muestra la impresora?Una foto ayuda."  # <br>
    assert shown.find_all("p", cls="comment-edited")[0].text.startswith("Edited by Ana Gómez ·")
    # and agents may read the text before
    assert [node.text for node in shown.find_all("li", cls="comment-old")] == [
        "Carla, ¿la impresora muestra algún error?"]
    # and one event holds the text before and after
    reply.refresh_from_db()
    assert reply.body == "<p>Carla, ¿qué error muestra la impresora?<br>Una foto ayuda.</p>"
    assert [(event.kind, event.actor, event.comment_id, event.old_value, event.new_value)
            for event in new_events(before)] == [
        ("comment_edited", agent_ana, reply.pk, REPLY, reply.body)]

    # and Carla reads the new text and that Ana edited it, never the old words
    carla_view = web_client(requester_carla).get("/tickets/INC-000001/")
    shown = _comment(carla_view, reply)
    assert _text(shown) == "Carla, ¿qué error muestra la impresora?Una foto ayuda."  # <br>
    assert shown.find_all("p", cls="comment-edited")[0].text.startswith("Edited by Ana Gómez ·")
    assert "muestra algún error" not in carla_view.content.decode()


def test_without_javascript_the_editor_opens_on_the_page_and_saving_goes_back_to_it(
    english, web_client, conversation, agent_ana
):
    # given
    reply = conversation["reply"]
    client = web_client(agent_ana)

    # when
    opened = client.get(_url(reply, "edit"))

    # then: the whole page, with the editor in the comment's place, as a plain form
    assert opened.status_code == 200
    editor = _comment(opened, reply).find_all("form", cls="comment-editor")[0]
    assert (editor.attrs["method"], editor.attrs["action"]) == ("post", _url(reply, "edit"))
    assert page(opened).find_all("form", id="reply-form")  # the rest of the page is there

    # when
    response = client.post(_url(reply, "edit"), {"body": "¿Qué error?", "revision": "original"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/tickets/INC-000001/")
    assert Comment.objects.get(pk=reply.pk).body == "<p>¿Qué error?</p>"


def test_the_author_deletes_her_reply_and_a_placeholder_stays(
    english, web_client, conversation, agent_ana, requester_carla
):
    # given
    reply = conversation["reply"]
    client = web_client(agent_ana)
    before = _state()

    # when
    response = client.post(_url(reply, "delete"), **HTMX)

    # then: in its place, who deleted it; agents may still unfold the text
    assert response.status_code == 200
    shown = _comment(response, reply)
    assert shown.find_all("p", cls="comment-placeholder")[0].text.startswith(
        "Comment deleted by Ana Gómez ·")
    assert [node.text for node in shown.find_all("div", cls="comment-old")] == [
        "Carla, ¿la impresora muestra algún error?"]
    assert not shown.find_all("a", **{"data-comment-edit": ""})
    assert [(event.kind, event.actor, event.comment_id, event.old_value)
            for event in new_events(before)] == [("comment_deleted", agent_ana, reply.pk, REPLY)]
    assert Comment.objects.get(pk=reply.pk).deleted_at is not None

    # and Carla sees the placeholder, never the text
    carla_view = web_client(requester_carla).get("/tickets/INC-000001/")
    shown = _comment(carla_view, reply)
    assert shown.text.startswith("Comment deleted by Ana Gómez ·")
    assert not shown.find_all("div", cls="rich")
    assert "muestra algún error" not in carla_view.content.decode()


def test_the_requester_edits_and_deletes_her_own_answer(
    english, web_client, conversation, requester_carla
):
    # given
    answer = conversation["answer"]
    client = web_client(requester_carla)
    before = _state()

    # when
    edited = client.post(_url(answer, "edit"), {"body": "Dice «atasco de papel» en la bandeja 2",
                                                "revision": "original"})
    deleted = client.post(_url(answer, "delete"))

    # then
    assert (edited.status_code, deleted.status_code) == (302, 302)
    assert [event.kind for event in new_events(before)] == ["comment_edited", "comment_deleted"]
    assert {event.actor for event in new_events(before)} == {requester_carla}


def test_the_requesters_open_page_learns_of_a_deleted_reply_not_of_a_changed_note(
    web_client, conversation, agent_ana, requester_carla
):
    # given: Carla has her ticket open; it polls from the newest change she may know of
    carla = web_client(requester_carla)
    poll_url = page(carla.get("/tickets/INC-000001/")).find_all(
        "div", id="ticket-live")[0].attrs["hx-get"]

    # when: Ana edits her internal note
    services.comment_edit(actor=agent_ana, comment=conversation["note"], body="Es el fusor")

    # then: nothing for Carla
    assert carla.get(poll_url, **HTMX).status_code == 204

    # when: Ana deletes her public reply
    services.comment_delete(actor=agent_ana, comment=conversation["reply"])

    # then: Carla's page comes back with the placeholder, and polls from there on
    response = carla.get(poll_url, **HTMX)
    assert response.status_code == 200
    assert _comment(response, conversation["reply"]).find_all("p", cls="comment-placeholder")
    newest = page(response).find_all("div", id="ticket-live")[0].attrs["hx-get"]
    assert newest == f"/tickets/INC-000001/live/?after={Event.objects.latest('pk').pk}"
    assert carla.get(newest, **HTMX).status_code == 204


# --- refusals ------------------------------------------------------------------------------


def test_another_agent_may_not_change_anas_comment_and_is_told_so(
    english, web_client, conversation, agent_nico
):
    # given: Nicolás works in the same desk and reads Ana's reply, without Edit or Delete
    reply = conversation["reply"]
    client = web_client(agent_nico)
    assert not _comment(client.get("/tickets/INC-000001/"), reply).find_all(
        "div", cls="comment-actions")
    before = _state()

    # when: he tries anyway, with and without htmx
    responses = [client.get(_url(reply, "edit")),
                 client.post(_url(reply, "edit"), {"body": "Cambiado", "revision": "original"}),
                 client.post(_url(reply, "delete")),
                 client.post(_url(reply, "edit"), {"body": "Cambiado", "revision": "original"},
                             **HTMX)]

    # then: refused with a message in the page; nothing changed
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert [_notice(response) for response in responses] == [
        "Only the author can change a comment."] * 4
    assert (responses[3]["HX-Retarget"], responses[3]["HX-Reswap"]) == (
        "#ticket-notice", "innerHTML")
    assert _state() == before


def test_the_requester_never_sees_internal_note_edits_nor_deleted_text(
    english, web_client, conversation, agent_ana, requester_carla
):
    # given: Ana edits her internal note, then deletes it
    note = conversation["note"]
    ana = web_client(agent_ana)
    assert ana.post(_url(note, "edit"), {"body": "El fusor está roto.",
                                         "revision": "original"}).status_code == 302
    agent_view = ana.get("/tickets/INC-000001/")
    assert _text(_comment(agent_view, note)) == "El fusor está roto."
    assert ana.post(_url(note, "delete")).status_code == 302
    carla = web_client(requester_carla)
    before = _state()

    # when
    response = carla.get("/tickets/INC-000001/")
    attempts = [carla.get(_url(note, "edit")), carla.post(_url(note, "delete"))]

    # then: not a word of it, and the note does not exist for her
    html = response.content.decode()
    assert response.status_code == 200
    assert "fusor" not in html and _comment(response, note) is None
    assert [attempt.status_code for attempt in attempts] == [404, 404]
    assert _state() == before
    # while Ana sees the placeholder and may unfold the deleted text
    shown = _comment(ana.get("/tickets/INC-000001/"), note)
    assert shown.find_all("p", cls="comment-placeholder")[0].text.startswith(
        "Comment deleted by Ana Gómez")
    assert [node.text for node in shown.find_all("div", cls="comment-old")] == [
        "El fusor está roto."]


def test_an_agent_of_another_organization_gets_404_and_nothing_changes(
    english, web_client, conversation, agent_other_org
):
    # given
    reply = conversation["reply"]
    client = web_client(agent_other_org)
    before = _state()

    # when
    responses = [client.get(_url(reply, "edit")),
                 client.post(_url(reply, "edit"), {"body": "x", "revision": "original"}),
                 client.post(_url(reply, "delete"), **HTMX)]

    # then
    assert [response.status_code for response in responses] == [404, 404, 404]
    assert all("errors/404.html" in template_names(response) for response in responses)
    assert _state() == before


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_text_is_refused_on_the_editor(english, web_client, conversation, agent_ana,
                                                body):
    # given
    reply = conversation["reply"]
    before = _state()

    # when
    response = web_client(agent_ana).post(_url(reply, "edit"),
                                          {"body": body, "revision": "original"}, **HTMX)

    # then: the editor stays open with the message; nothing changed
    assert response.status_code == 422
    assert field_errors(response, "body") == ["This field is required."]
    assert _comment(response, reply).find_all("form", cls="comment-editor")
    assert _state() == before


def test_an_edit_of_an_older_text_is_refused_with_a_reload_link(
    english, web_client, conversation, agent_ana
):
    # given: Ana opened the editor; in another window she edited the reply since
    reply = conversation["reply"]
    client = web_client(agent_ana)
    seen = page(client.get(_url(reply, "edit"), **HTMX)).find_all(
        "input", name="revision")[0].attrs["value"]
    services.comment_edit(actor=agent_ana, comment=reply, body="Otra versión")
    before = _state()

    # when
    response = client.post(_url(reply, "edit"), {"body": "Mi versión", "revision": seen},
                           **HTMX)

    # then
    assert response.status_code == 409
    assert _notice(response) == (
        "This comment was edited after you opened it. Reload the ticket to see its new "
        "text, then edit it again.")
    assert page(response).find_all("a", **{"data-reload": ""})
    assert _state() == before


def test_a_deleted_comment_can_no_longer_be_edited(english, web_client, conversation,
                                                   agent_ana):
    # given: deleted in another window while the editor was open
    reply = conversation["reply"]
    services.comment_delete(actor=agent_ana, comment=reply)
    client = web_client(agent_ana)
    before = _state()

    # when
    responses = [client.post(_url(reply, "edit"), {"body": "Tarde", "revision": "original"}),
                 client.post(_url(reply, "delete"), **HTMX)]

    # then
    assert [response.status_code for response in responses] == [409, 409]
    assert [_notice(response) for response in responses] == [
        "This comment has been deleted; it can no longer be changed."] * 2
    assert _state() == before


# --- who may, for the whole cast -------------------------------------------------------------

# Who sees Carla's incident may read Ana's reply; only Ana, its author, may change it.
SEES_THE_TICKET = {"requester_carla", "agent_ana", "admin", "provider_admin"}
EVENT_OF = {"edit": "comment_edited", "delete": "comment_deleted"}


@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize("actor", ["anonymous", "requester_carla", "requester_other_org",
                                   "agent_other_org", "agent_bruno_other_department",
                                   "agent_ana", "admin_other_org", "admin", "provider_admin"])
def test_only_the_author_changes_a_comment(english, web_client, conversation, actors, actor,
                                           action):
    # given
    reply = conversation["reply"]
    url = _url(reply, action)
    before = _state()

    # when
    response = web_client(actors[actor]).post(url, {"body": "Cambiado",
                                                    "revision": "original"})

    # then
    if actor == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_redirect(url))
    elif actor == "agent_ana":
        assert response.status_code == 302
        assert [(event.kind, event.actor) for event in new_events(before)] == [
            (EVENT_OF[action], actors[actor])]
        return
    elif actor in SEES_THE_TICKET:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert _state() == before


def test_the_edit_and_delete_addresses_answer_only_their_methods(web_client, conversation,
                                                                 agent_ana):
    # given
    reply = conversation["reply"]
    client = web_client(agent_ana)

    # when / then
    assert client.put(_url(reply, "edit")).status_code == 405
    assert client.get(_url(reply, "delete")).status_code == 405
    assert client.get(f"/tickets/INC-000001/comments/{reply.pk + 999}/edit/").status_code == 404
    assert Event.objects.filter(kind__startswith="comment_").count() == 0
