"""The signed-in person's own pages: start page, profile, API tokens, and the pages
anyone may reach (health check, error pages)."""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.core.models import ApiToken, AuditEvent
from tests.factories import UserFactory
from tests.web.support import (
    all_field_errors,
    flash_messages,
    page,
    speak_english,
    template_names,
)


def _menu_links(response) -> list[str]:
    nav = page(response).find_all("nav", cls="mainnav")
    return [a.attrs["href"] for a in nav[0].find_all("a")] if nav else []


@pytest.mark.parametrize(("actor", "links"), [
    ("requester_carla", ["/", "/tickets/", "/catalog/", "/portal/"]),
    ("agent_ana", ["/", "/tickets/", "/knowledge/"]),
    ("admin", ["/", "/tickets/", "/knowledge/", "/sla/compliance/", "/satisfaction/results/",
               "/catalog/", "/manage/"]),
    ("provider_admin", ["/", "/tickets/", "/knowledge/", "/sla/compliance/",
                        "/satisfaction/results/", "/manage/", "/data-admin/"]),
])
def test_the_main_menu_offers_administration_only_to_admins(cast, web_client, actor, links):
    # when
    response = web_client(cast[actor]).get("/")

    # then
    assert _menu_links(response) == links


def test_the_start_page_shows_what_each_person_does(cast, team_redes, web_client):
    # when
    requester = web_client(cast["requester_carla"]).get("/").context
    agent = web_client(cast["agent_ana"]).get("/").context
    admin = web_client(cast["admin"]).get("/").context

    # then
    assert [d.name for d in requester["served_departments"]] == ["Talento Humano", "Tecnología"]
    assert (requester["desks"], requester["teams"], requester["administered"]) == ([], [], [])
    assert [(m.organization.name, m.department.name) for m in agent["desks"]] == [
        ("Café Montaña", "Tecnología")]
    assert [(t.name, t.member_count) for t in agent["teams"]] == [("Redes", 1)]
    assert [(o.name, o.people_count, o.department_count) for o in admin["administered"]] == [
        ("Café Montaña", 3, 2)]


def test_a_person_with_no_role_is_told_to_ask_for_one(org_cafe, web_client):
    # given
    person = UserFactory(organization=org_cafe, language="en")

    # when
    response = web_client(person).get("/")

    # then
    headings = [h.text for h in page(response).find_all("h2")]
    assert headings == ["You have no roles yet"]


def test_a_person_updates_their_profile(requester_carla, web_client):
    # given
    speak_english(requester_carla)
    client = web_client(requester_carla)

    # when
    response = client.post("/profile/", {
        "display_name": "Carla Rueda Peña", "phone": "+57 310 555 0101", "language": "en",
        "time_zone": "America/Lima"}, follow=True)

    # then
    requester_carla.refresh_from_db()
    assert (requester_carla.display_name, requester_carla.phone, requester_carla.time_zone) == (
        "Carla Rueda Peña", "+57 310 555 0101", "America/Lima")
    assert flash_messages(response) == [("success", "Your profile has been saved.")]
    assert page(response).find_all("input", name="display_name")[0].attrs["value"] == (
        "Carla Rueda Peña")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.changes) == ("user.updated", requester_carla, {
        "display_name": ["Carla Rueda", "Carla Rueda Peña"],
        "phone": ["", "+57 310 555 0101"], "time_zone": ["America/Bogota", "America/Lima"]})


def test_a_token_is_shown_once_then_only_by_its_start_and_can_be_revoked(agent_ana,
                                                                         web_client):
    # given
    speak_english(agent_ana)
    client = web_client(agent_ana)

    # when
    created = client.post("/profile/tokens/", {"name": "Power BI", "expires_in_days": "90"})

    # then
    token = ApiToken.objects.get()
    plaintext = page(created).find_all("pre", id="new-token")[0].text
    assert plaintext.startswith("atd_") and plaintext.startswith(token.hint)
    listed = client.get("/profile/tokens/")
    assert plaintext not in listed.content.decode()
    row = page(listed).find_all("tbody")[0].find_all("tr")[0]
    assert [td.text for td in row.find_all("td")][:2] == ["Power BI", f"{token.hint}…"]
    assert row.find_all("span", cls="badge")[0].text == "Active"
    # the token works on the API
    me = Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/v1/me")
    assert me.status_code == 200

    # when
    revoked = client.post(f"/profile/tokens/{token.pk}/revoke/", follow=True)

    # then
    assert flash_messages(revoked) == [("success", "The token “Power BI” has been revoked.")]
    row = page(revoked).find_all("tbody")[0].find_all("tr")[0]
    assert row.find_all("span", cls="badge")[0].text == "Revoked"
    assert row.find_all("form") == []
    assert Client(headers={"Authorization": f"Bearer {plaintext}"}).get(
        "/api/v1/me").status_code == 401


def test_the_health_check_answers_anyone(db):
    # when
    response = Client().get("/health/")

    # then
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_missing_page_for_a_signed_in_person_keeps_the_menu(admin, web_client):
    # when
    response = web_client(admin).get("/no-such-page/")

    # then
    assert response.status_code == 404
    assert "errors/404.html" in template_names(response)
    assert _menu_links(response) == ["/", "/tickets/", "/knowledge/", "/sla/compliance/",
                                     "/satisfaction/results/", "/catalog/", "/manage/"]


@pytest.mark.parametrize("url", [
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
])
def test_allauths_account_pages_render_with_our_forms(agent_ana, web_client, url):
    # when
    response = web_client(agent_ana).get(url)

    # then
    assert response.status_code == 200
    assert "base.html" in template_names(response)


def test_allauths_forms_show_errors_beside_their_fields(agent_ana, web_client):
    # given
    speak_english(agent_ana)

    # when
    response = web_client(agent_ana).post("/accounts/password/change/", {
        "oldpassword": "no-es-la-clave", "password1": "corta", "password2": "otra"})

    # then
    assert response.status_code == 200
    assert all_field_errors(response) == {
        "oldpassword": ["Please type your current password."],
        "password1": ["This password is too short. It must contain at least 10 characters."],
    }
