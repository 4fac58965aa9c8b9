"""Whatever people type (titles, names, comments, tags, resolution notes) is shown as
text: no page of the workspace lets it become markup or script."""

from __future__ import annotations

from atiende.tickets import services
from atiende.tickets.models import Comment, Kind, Ticket
from tests.web.support import page

SCRIPT = '<script>alert("x")</script>'
IMAGE = '<img src=x onerror="alert(1)">'


def _scripts(response) -> list:
    """Script elements other than the page's own (htmx and tickets.js)."""
    return [node for node in page(response).find_all("script") if not node.attrs.get("src")]


def _handlers(response) -> list:
    return [node for node in page(response).walk()
            if any(name.startswith("on") for name in node.attrs)]


def test_typed_markup_stays_text_everywhere(
    web_client, agent_ana, requester_carla, org_cafe, it, team_redes
):
    # given: markup in the requester's name, the title, a tag, a reply, notes
    requester_carla.display_name = f"Carla {IMAGE}"
    requester_carla.save(update_fields=["display_name"])
    team_redes.name = f"Redes {SCRIPT}"
    team_redes.save(update_fields=["name"])
    client = web_client(agent_ana)
    client.post("/tickets/new/", {
        "requester": requester_carla.email, "kind": "incident", "department": it.pk,
        "title": f"Falla {SCRIPT}", "description": f"Mira {IMAGE} y {SCRIPT}",
        "channel": "phone", "impact": 2, "urgency": 2})
    client.post("/tickets/INC-000001/comments/", {"body": f"Hola {SCRIPT}{IMAGE}",
                                                   "visibility": "public"})
    client.post("/tickets/INC-000001/edit/tags/", {"version": 1, "tags": f"x{SCRIPT}"})
    client.post("/tickets/INC-000001/edit/title/", {"version": 2, "title": f"Otra {IMAGE}"})
    client.post("/tickets/INC-000001/assign/", {"version": 3, "team": team_redes.pk,
                                                "assignee": ""})
    client.post("/tickets/INC-000001/status/", {
        "version": 4, "status": "resolved", "resolution_code": "fixed",
        "resolution_notes": f"Listo {SCRIPT}"})
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.status) == (f"Otra {IMAGE}", "resolved")
    # What was stored is text turned into safe paragraphs, never live markup.
    assert Comment.objects.get().body == (
        "<p>Hola &lt;script&gt;alert(\"x\")&lt;/script&gt;&lt;img src=x "
        "onerror=\"alert(1)\"&gt;</p>")

    # when: every page that shows them is opened, by the agent and by Carla
    responses = [
        client.get("/tickets/?queue=all&status=any"),
        client.get("/tickets/INC-000001/"),
        client.get("/tickets/new/people/?requester=carla"),
        web_client(requester_carla).get("/tickets/INC-000001/"),
        web_client(requester_carla).get("/tickets/"),
    ]

    # then: the text is there, escaped; no script or handler came from it
    for response in responses:
        assert response.status_code == 200
        assert _scripts(response) == []
        assert _handlers(response) == []
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "Otra &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in responses[1].content.decode()


def test_rich_text_that_reached_the_database_another_way_is_cleaned_when_shown(
    web_client, agent_ana, requester_carla, org_cafe, it
):
    # given: a description written straight to the database (an import, a bulk seed)
    ticket = services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="Importado",
                                    organization=org_cafe, department=it,
                                    requester=requester_carla)
    Ticket.objects.filter(pk=ticket.pk).update(
        description=f'<p onclick="steal()">Hola <b>equipo</b>{SCRIPT}'
                    '<a href="javascript:alert(1)">clic</a></p>')

    # when
    response = web_client(agent_ana).get("/tickets/INC-000001/")

    # then: the formatting stays, the rest is gone
    description = page(response).find_all("article", cls="ticket-description")[0]
    rich = description.find_all("div", cls="rich")[0]
    assert [node.tag for node in rich.walk()][1:] == ["p", "b", "a"]
    assert rich.find_all("a")[0].attrs == {"rel": "noopener noreferrer nofollow"}
    assert _scripts(response) == [] and _handlers(response) == []
