"""The knowledge pages of the workspace: who reaches what, and the journeys."""

from __future__ import annotations

import pytest

from atiende.knowledge.models import Article, ArticleEvent, ArticleFeedback, ArticleVersion

# Café Montaña IT's published public article, by who may read it (200) or not (404).
READ = {"anonymous": 302, "requester_carla": 200, "requester_other_org": 404,
        "agent_other_org": 404, "agent_bruno_other_department": 200, "agent_ana": 200,
        "admin": 200, "provider_admin": 200, "admin_other_org": 404}


@pytest.mark.parametrize(("who", "status"), sorted(READ.items()))
def test_article_page_matrix(who, status, actors, library, web_client):
    article = library["it_public"]
    response = web_client(actors[who]).get(f"/knowledge/{article.pk}/")
    assert response.status_code == status
    article.refresh_from_db()
    # a refused reading is not counted
    assert article.view_count == (1 if status == 200 else 0)


@pytest.mark.parametrize(("who", "status"), [
    ("requester_carla", 404), ("agent_bruno_other_department", 404), ("agent_other_org", 404),
    ("agent_ana", 200), ("admin", 200)])
def test_internal_article_page_matrix(who, status, actors, library, web_client):
    response = web_client(actors[who]).get(f"/knowledge/{library['it_internal'].pk}/")
    assert response.status_code == status


def test_list_and_search(library, agent_ana, web_client):
    client = web_client(agent_ana)
    listing = client.get("/knowledge/").content.decode()
    assert "Borrador sobre la VPN" in listing and "Nómina: cierre del mes" not in listing
    found = client.get("/knowledge/", {"q": "impresoras"}).content.decode()
    assert "<mark>impresoras</mark>" in found
    assert "Configurar la impresora del piso" in found
    assert "Conectarse a la VPN" not in found


@pytest.mark.parametrize(("who", "status"), [
    ("requester_carla", 404), ("agent_bruno_other_department", 404),
    ("agent_other_org", 404)])
def test_strangers_cannot_edit_nor_publish(who, status, actors, library, web_client):
    client = web_client(actors[who])
    draft = library["it_draft"]
    assert client.get(f"/knowledge/{draft.pk}/edit/").status_code == status
    assert client.post(f"/knowledge/{draft.pk}/edit/", {
        "language": "es", "title": "X", "body": "", "visibility": "public"}).status_code == status
    assert client.post(f"/knowledge/{draft.pk}/workflow/", {
        "language": "es", "action": "publish"}).status_code == status
    assert list(draft.versions.values_list("state", "title")) == [
        ("draft", "Borrador sobre la VPN")]
    assert ArticleEvent.objects.filter(article=draft).count() == 1


def test_requester_gets_403_on_edit_of_a_readable_article(library, requester_carla, web_client):
    response = web_client(requester_carla).post(f"/knowledge/{library['it_public'].pk}/edit/",
                                               {"language": "es", "title": "X",
                                                "visibility": "public"})
    assert response.status_code == 403
    assert library["it_public"].versions.count() == 1


def test_write_publish_translate_journey(agent_ana, it, web_client):
    client = web_client(agent_ana)
    # given Ana writes a new article
    assert client.get("/knowledge/new/").status_code == 200
    response = client.post("/knowledge/new/", {
        "department": it.pk, "language": "es", "visibility": "public",
        "title": "Cambiar la contraseña", "body": "Vaya a <perfil>.\n\nLuego guarde."})
    article = Article.objects.get()
    assert response.url == f"/knowledge/{article.pk}/"
    assert article.versions.get().body == "<p>Vaya a &lt;perfil&gt;.</p>\n\n<p>Luego guarde.</p>"
    # when she publishes it and writes the English version
    client.post(f"/knowledge/{article.pk}/workflow/", {"language": "es", "action": "publish"})
    client.post(f"/knowledge/{article.pk}/edit/?lang=en", {
        "language": "en", "visibility": "public", "title": "Change your password",
        "body": "Go to your profile."})
    client.post(f"/knowledge/{article.pk}/workflow/", {"language": "en", "action": "publish"})
    # then both languages are offered, each with its own words
    page = client.get(f"/knowledge/{article.pk}/?lang=en").content.decode()
    assert "Change your password" in page and "?lang=es" in page
    assert list(ArticleVersion.objects.order_by("language").values_list(
        "language", "state")) == [("en", "published"), ("es", "published")]


def test_workflow_refusal_shows_the_conflict(library, agent_ana, web_client):
    response = web_client(agent_ana).post(f"/knowledge/{library['it_draft'].pk}/workflow/",
                                          {"language": "es", "action": "retire"})
    assert response.status_code == 409


def test_feedback_form(library, requester_carla, web_client):
    client = web_client(requester_carla)
    article = library["it_public"]
    client.post(f"/knowledge/{article.pk}/feedback/", {"useful": "no", "comment": "Falta"})
    client.post(f"/knowledge/{article.pk}/feedback/", {"useful": "yes", "comment": ""})
    assert list(ArticleFeedback.objects.values_list("useful", "comment")) == [(True, "")]


@pytest.fixture
def resolved(incident, agent_ana):
    from atiende.tickets import services as ticket_services

    ticket = ticket_services.ticket_transition(actor=agent_ana, ticket=incident,
                                               to_status="in_progress", version=incident.version)
    return ticket_services.ticket_transition(
        actor=agent_ana, ticket=ticket, to_status="resolved", version=ticket.version,
        resolution_code="fixed", resolution_notes="<p>Se cambió el tóner de la impresora.</p>")


def test_article_from_a_resolution(resolved, agent_ana, it, web_client):
    client = web_client(agent_ana)
    # the ticket's suggestions offer it
    panel = client.get(f"/knowledge/suggestions/{resolved.number}/").content.decode()
    assert f"/knowledge/new/?ticket={resolved.number}" in panel
    # the editor starts from the ticket
    page = client.get(f"/knowledge/new/?ticket={resolved.number}").content.decode()
    assert "La impresora del piso 3 no imprime" in page
    assert "Se cambió el tóner de la impresora." in page
    client.post(f"/knowledge/new/?ticket={resolved.number}", {
        "department": it.pk, "language": "es", "visibility": "internal",
        "title": "Impresora sin tóner", "body": "Se cambió el tóner."})
    assert list(Article.objects.get().ticket_links.values_list("ticket", flat=True)) == [
        resolved.pk]


def test_article_from_a_ticket_of_another_department_is_404(resolved,
                                                            agent_bruno_other_department,
                                                            web_client):
    response = web_client(agent_bruno_other_department).get(
        f"/knowledge/new/?ticket={resolved.number}")
    assert response.status_code == 404


def test_suggestions_on_the_ticket_page(library, incident, agent_ana, requester_carla,
                                        agent_bruno_other_department, web_client):
    # the ticket page loads the panel after itself
    page = web_client(agent_ana).get(f"/tickets/{incident.number}/").content.decode()
    assert f"/knowledge/suggestions/{incident.number}/" in page
    # and the panel lists what matches the title, scoped
    panel = web_client(agent_ana).get(f"/knowledge/suggestions/{incident.number}/")
    assert "Configurar la impresora del piso" in panel.content.decode()
    assert "Reiniciar la cola de impresoras" in panel.content.decode()
    assert web_client(agent_bruno_other_department).get(
        f"/knowledge/suggestions/{incident.number}/").status_code == 404


def test_an_article_page_lists_only_the_linked_tickets_the_reader_may_see(
        library, shared_desk, agent_sara_shared, provider_admin, org_cafe, org_other,
        requester_carla, requester_other_org, web_client):
    from atiende.knowledge import services
    from atiende.tickets import services as ticket_services
    from atiende.tickets.models import Kind

    article = library["shared_public"]
    tickets = {organization.slug: ticket_services.ticket_create(
        actor=provider_admin, kind=Kind.INCIDENT, title=f"VPN caída en {organization.name}",
        organization=organization, department=shared_desk, requester=requester)
        for organization, requester in ((org_cafe, requester_carla),
                                        (org_other, requester_other_org))}
    for ticket in tickets.values():
        services.article_link_ticket(actor=provider_admin, article_id=article.pk, ticket=ticket)

    # Sara serves Café Montaña from the shared desk: she sees its ticket, not the clinic's
    page = web_client(agent_sara_shared).get(f"/knowledge/{article.pk}/").content.decode()

    assert tickets[org_cafe.slug].number in page
    assert tickets[org_other.slug].number not in page


@pytest.mark.parametrize("number", ["²", "99999999999999999999", "-1", "0"])
def test_any_page_number_answers_a_page(number, library, agent_ana, web_client):
    response = web_client(agent_ana).get(f"/knowledge/?q=impresora&page={number}")

    assert response.status_code == 200
