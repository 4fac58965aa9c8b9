"""The portal as a requester uses it: home, search, catalog, report a problem, their
requests, and how agents, admins and anonymous visitors fare there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from atiende.tickets import services as ticket_services
from atiende.tickets.models import Comment, Event, Status, Ticket
from tests.web.support import html_lang, speak_english
from tests.web.support import page as parse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in_and_back(web_client):
    # when
    response = web_client().get("/portal/catalog/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/portal/catalog/" in response["Location"]


def test_home_shows_search_catalog_report_and_own_requests(
        web_client, requester_carla, incident, laptop, certificate, other_vpn, vpn_answer,
        django_assert_max_num_queries):
    # given
    client = web_client(requester_carla)
    # when
    with django_assert_max_num_queries(12):
        response = client.get("/portal/")
    # then
    assert response.status_code == 200
    page = parse(response)
    html = response.content.decode()
    assert page.find_all("input", type="search")
    assert "Nuevo portátil" in html and "Certificado laboral" in html
    assert "Acceso a VPN clínica" not in html
    assert "/portal/report/" in html
    assert incident.number in html
    assert "Conectarse a la VPN" in html
    assert page.find_all("main", id="main")
    assert html_lang(response) == "es"


def test_home_queries_do_not_grow_with_tickets_and_items(
        web_client, requester_carla, org_cafe, it, agent_ana, laptop, certificate,
        django_assert_max_num_queries):
    # given: many requests of Carla
    for number in range(12):
        ticket_services.ticket_create(
            actor=requester_carla, kind="incident", title=f"Problema {number}",
            organization=org_cafe, department=it, requester=requester_carla)
    client = web_client(requester_carla)
    # when / then
    with django_assert_max_num_queries(12):
        assert client.get("/portal/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/portal/catalog/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/portal/requests/").status_code == 200


def test_search_finds_answers_and_services(web_client, requester_carla, laptop, vpn_answer,
                                           internal_note, other_answer):
    # when
    response = web_client(requester_carla).get("/portal/search/", {"q": "vpn"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Conectarse a la VPN" in html
    # when: a service
    html = web_client(requester_carla).get("/portal/search/", {"q": "portatil"}
                                           ).content.decode()
    assert "Nuevo portátil" in html


def test_search_never_shows_internal_drafts_or_other_organizations(
        web_client, requester_carla, printer_answer, internal_note, draft_answer,
        other_answer):
    # when
    html = web_client(requester_carla).get("/portal/search/", {"q": "impresora"}
                                           ).content.decode()
    # then
    assert "La impresora no imprime" in html
    assert "clave del panel" not in html
    assert "Borrador de impresora" not in html
    assert "Impresora de la clínica" not in html


def test_hostile_search_text_is_harmless(web_client, requester_carla):
    response = web_client(requester_carla).get(
        "/portal/search/", {"q": '<script>alert(1)</script>" OR 1=1 -- \x00'})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_request_a_service_through_the_portal(web_client, requester_carla, laptop):
    # given
    client = web_client(requester_carla)
    # when
    response = client.post(f"/portal/catalog/{laptop.pk}/", {
        "answer-reason": "El equipo no enciende", "answer-monitor": "on",
        "answer-monitor_size": '27"'})
    # then
    assert response.status_code == 302
    ticket = Ticket.objects.get(requester=requester_carla, kind="service_request")
    assert response["Location"] == f"/portal/requests/{ticket.number}/"
    assert ticket.catalog_answers.answers["monitor_size"] == '27"'


def test_a_form_missing_a_required_answer_is_refused(web_client, requester_carla, laptop):
    # when
    response = web_client(requester_carla).post(f"/portal/catalog/{laptop.pk}/",
                                                {"answer-monitor": "on"})
    # then
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_report_a_problem_creates_an_incident_with_a_file(web_client, requester_carla, it):
    # given
    client = web_client(requester_carla)
    upload = SimpleUploadedFile("captura.png", _png(), content_type="image/png")
    # when
    response = client.post("/portal/report/", {
        "department": str(it.pk), "title": "No imprime", "description": "Hoja en blanco",
        "file": upload})
    # then
    ticket = Ticket.objects.get(requester=requester_carla)
    assert response.status_code == 302
    assert response["Location"] == f"/portal/requests/{ticket.number}/"
    assert ticket.kind == "incident" and ticket.channel == "portal"
    assert ticket.attachments.count() == 1


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"department": "999999"}, "department"),
])
def test_a_bad_report_is_refused_and_nothing_written(web_client, requester_carla, it, data,
                                                     field):
    # when
    response = web_client(requester_carla).post(
        "/portal/report/", {"department": str(it.pk), "title": "No imprime", **data})
    # then
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_report_of_a_department_of_another_organization_is_refused(
        web_client, requester_carla, other_it):
    response = web_client(requester_carla).post(
        "/portal/report/", {"department": str(other_it.pk), "title": "No imprime"})
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_suggestions_while_typing(web_client, requester_carla, printer_answer, internal_note):
    # when
    response = web_client(requester_carla).get("/portal/report/suggestions/",
                                               {"title": "mi impresora falla"},
                                               headers={"HX-Request": "true"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/portal/answers/{printer_answer.pk}/?from=report" in html
    assert "clave del panel" not in html


def test_ticket_page_shows_public_replies_only_and_the_promise(
        web_client, requester_carla, incident, agent_ana):
    # given
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Vamos en camino</p>")
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Nota secreta</p>",
                                visibility="internal")
    Ticket.objects.filter(pk=incident.pk).update(
        sla_due_at=timezone.now() + dt.timedelta(hours=5), sla_state="running")
    speak_english(requester_carla)
    # when
    response = web_client(requester_carla).get(f"/portal/requests/{incident.number}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vamos en camino" in html
    assert "Nota secreta" not in html
    assert "We expect to solve it before" in html


def test_reply_with_a_file(web_client, requester_carla, incident):
    # when
    response = web_client(requester_carla).post(
        f"/portal/requests/{incident.number}/reply/",
        {"body": "Sigue igual", "file": SimpleUploadedFile("foto.png", _png(),
                                                            content_type="image/png")})
    # then
    assert response.status_code == 302
    comment = Comment.objects.get(ticket=incident, author=requester_carla)
    assert comment.visibility == "public"
    assert comment.attachments.count() == 1


def test_a_refused_file_leaves_no_reply(web_client, requester_carla, incident):
    # when
    response = web_client(requester_carla).post(
        f"/portal/requests/{incident.number}/reply/",
        {"body": "Adjunto", "file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10)})
    # then
    assert response.status_code == 422
    assert not Comment.objects.filter(ticket=incident, author=requester_carla).exists()


def test_an_empty_reply_is_refused(web_client, requester_carla, incident):
    response = web_client(requester_carla).post(f"/portal/requests/{incident.number}/reply/",
                                                {"body": "   "})
    assert response.status_code == 422
    assert not Comment.objects.filter(ticket=incident).exists()


def test_cancel_own_request(web_client, requester_carla, incident):
    # when
    response = web_client(requester_carla).post(
        f"/portal/requests/{incident.number}/cancel/", {"version": incident.version})
    # then
    incident.refresh_from_db()
    assert response.status_code == 302
    assert incident.status == Status.CANCELLED
    assert Event.objects.filter(ticket=incident, kind="status", channel="portal").exists()


def test_cancel_with_a_stale_version_changes_nothing(web_client, requester_carla, incident):
    response = web_client(requester_carla).post(
        f"/portal/requests/{incident.number}/cancel/", {"version": incident.version + 5},
        follow=True)
    incident.refresh_from_db()
    assert incident.status == Status.NEW
    assert response.status_code == 200


def _resolve(ticket, agent, at=None):
    ticket = ticket_services.ticket_transition(
        actor=agent, ticket=ticket, to_status=Status.RESOLVED, version=ticket.version,
        resolution_code="fixed", resolution_notes="Cambiamos el tóner", at=at)
    return ticket


def test_reopen_within_the_window(web_client, requester_carla, incident, agent_ana):
    # given
    incident = _resolve(incident, agent_ana)
    client = web_client(requester_carla)
    page = client.get(f"/portal/requests/{incident.number}/").content.decode()
    assert "reopen" in page
    # when
    response = client.post(f"/portal/requests/{incident.number}/reopen/",
                           {"version": incident.version})
    # then
    incident.refresh_from_db()
    assert response.status_code == 302
    assert incident.status == Status.IN_PROGRESS


def test_no_reopen_after_the_window(web_client, requester_carla, incident, agent_ana):
    # given: resolved ten days ago (the window is seven)
    incident = _resolve(incident, agent_ana, at=timezone.now() - dt.timedelta(days=10))
    client = web_client(requester_carla)
    # when
    page = client.get(f"/portal/requests/{incident.number}/").content.decode()
    response = client.post(f"/portal/requests/{incident.number}/reopen/",
                           {"version": incident.version}, follow=True)
    # then
    incident.refresh_from_db()
    assert f"/portal/requests/{incident.number}/reopen/" not in page
    assert incident.status == Status.RESOLVED
    assert parse(response).find_all("p", cls="alert-error")


@pytest.mark.parametrize("who", ["agent_ana", "admin", "provider_admin",
                                 "agent_bruno_other_department"])
def test_staff_see_the_portal_with_a_notice_never_an_error(web_client, cast, who, laptop,
                                                           vpn_answer):
    client = web_client(cast[who])
    for path in ("/portal/", "/portal/catalog/", "/portal/search/?q=vpn", "/portal/report/",
                 "/portal/requests/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'role="note"' in response.content.decode()


def test_base_navigation_offers_the_portal_to_requesters(web_client, requester_carla,
                                                         agent_ana):
    assert 'href="/portal/"' in web_client(requester_carla).get("/").content.decode()
    assert 'href="/portal/"' not in web_client(agent_ana).get("/").content.decode()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "#336699").save(out, format="PNG")
    return out.getvalue()


def test_approvals_block_renders_nothing_without_the_catalog_selector(
        web_client, requester_carla, monkeypatch):
    import sys

    # given: a catalog without approvals (the import fails)
    monkeypatch.setitem(sys.modules, "atiende.catalog.approvals_selectors", None)
    # when
    response = web_client(requester_carla).get("/portal/")
    # then
    assert response.status_code == 200
    assert "portal-approvals-title" not in response.content.decode()


def test_ticket_page_queries_do_not_grow_with_replies(
        web_client, requester_carla, incident, agent_ana, django_assert_max_num_queries):
    for number in range(8):
        ticket_services.comment_add(actor=agent_ana, ticket=incident, body=f"<p>R {number}</p>")
    client = web_client(requester_carla)
    with django_assert_max_num_queries(18):
        response = client.get(f"/portal/requests/{incident.number}/")
    assert response.status_code == 200


def test_an_item_whose_form_asks_nothing_is_requested_at_once(web_client, requester_carla,
                                                               admin, it):
    from atiende.catalog import services as catalog_services

    # given: an item saved without any field
    item = catalog_services.item_save(actor=admin, department=it, values={"name": "Sin form"})
    client = web_client(requester_carla)
    # when / then
    assert client.get(f"/portal/catalog/{item.pk}/").status_code == 200
    response = client.post(f"/portal/catalog/{item.pk}/", {})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/requests/{ticket.number}/"
