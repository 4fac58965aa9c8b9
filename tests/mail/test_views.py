"""The mail pages under /manage/<slug>/: only the organization's admins (and provider
admins) reach them; everyone else gets the 404 of a page that does not exist, and a
refused form changes nothing."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.mail.models import InboundMessage, Mailbox
from atiende.tickets.models import Ticket
from tests.mail.conftest import deliver, eml
from tests.web.support import (
    all_field_errors,
    flash_messages,
    login_redirect,
    page,
    select_options,
    template_names,
)

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "requester_carla", "requester_other_org", "agent_other_org",
          "agent_bruno_other_department", "agent_ana", "admin_other_org", "admin",
          "provider_admin"]
CAFE_ADMINS = {"admin", "provider_admin"}


@pytest.fixture
def held(world):
    """Mail held in Café Montaña's soporte@ (a forged sender), with its page's URLs."""
    outcome = deliver(world, "spoofed-requester.eml")
    return outcome.message


def _state() -> dict:
    return {
        "mailboxes": list(Mailbox.objects.order_by("pk").values_list(
            "pk", "address", "department_id", "kind", "unknown_sender", "is_active")),
        "messages": list(InboundMessage.objects.order_by("pk").values_list(
            "pk", "state", "attempts", "raw")),
        "tickets": Ticket.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _urls(world, held) -> list[str]:
    box = world.mailboxes["soporte@cafemontana.example"]
    return [
        "/manage/cafe-montana/mailboxes/",
        f"/manage/cafe-montana/mailboxes/{box.pk}/",
        "/manage/cafe-montana/mail-quarantine/",
        f"/manage/cafe-montana/mail-quarantine/{held.pk}/",
        f"/manage/cafe-montana/mail-quarantine/{held.pk}/original/",
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_pages_open_only_to_the_organizations_admins(world, held, actors, web_client,
                                                         actor):
    client = web_client(actors[actor])
    for url in _urls(world, held):
        # when
        response = client.get(url)

        # then
        if actor == "anonymous":
            assert (response.status_code, response["Location"]) == (302, login_redirect(url))
        elif actor in CAFE_ADMINS:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, (actor, url)
            assert "errors/404.html" in template_names(response)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ["retry", "discard"])
def test_only_admins_retry_or_discard(world, held, actors, web_client, actor, action):
    # given
    url = f"/manage/cafe-montana/mail-quarantine/{held.pk}/{action}/"
    before = _state()

    # when
    response = web_client(actors[actor]).post(url)

    # then
    if actor in CAFE_ADMINS:
        assert (response.status_code, response["Location"]) == (
            302, "/manage/cafe-montana/mail-quarantine/")
        record = InboundMessage.objects.get(pk=held.pk)
        assert record.state == {"retry": "processed", "discard": "discarded"}[action]
        assert record.reviewed_by == actors[actor]
        return
    assert response.status_code == (302 if actor == "anonymous" else 404)
    assert _state() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_create_mailboxes(world, actors, web_client, actor):
    # given
    before = _state()
    url = "/manage/cafe-montana/mailboxes/"

    # when
    response = web_client(actors[actor]).post(url, {
        "address": "facturas@cafemontana.example", "department": str(world.incident.department_id),
        "kind": "service_request", "unknown_sender": "hold", "is_active": "on",
    })

    # then
    if actor in CAFE_ADMINS:
        assert (response.status_code, response["Location"]) == (302, url)
        mailbox = Mailbox.objects.get(address="facturas@cafemontana.example")
        assert (mailbox.organization.slug, mailbox.kind) == ("cafe-montana", "service_request")
        return
    assert response.status_code == (302 if actor == "anonymous" else 404)
    assert _state() == before


def test_another_organizations_mail_and_mailboxes_are_not_found_under_this_one(world, admin,
                                                                              web_client):
    # given: mail held at Clínica Norte
    other = deliver(world, "unknown-sender-hold.eml").message
    box = world.mailboxes["ayuda@clinicanorte.example"]
    client = web_client(admin)
    before = _state()

    # when / then
    for url in [f"/manage/cafe-montana/mail-quarantine/{other.pk}/",
                f"/manage/cafe-montana/mail-quarantine/{other.pk}/original/",
                f"/manage/cafe-montana/mailboxes/{box.pk}/",
                "/manage/clinica-norte/mail-quarantine/", "/manage/clinica-norte/mailboxes/"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/manage/cafe-montana/mail-quarantine/{other.pk}/retry/",
                f"/manage/cafe-montana/mail-quarantine/{other.pk}/discard/",
                f"/manage/cafe-montana/mailboxes/{box.pk}/"]:
        assert client.post(url, {"address": "x@cafemontana.example"}).status_code == 404, url
    assert _state() == before


def test_the_review_page_lists_held_mail_with_its_reason(world, held, admin, web_client):
    # given
    deliver(world, "dsn-bounce.eml")  # ignored: not waiting for anyone
    deliver(world, "new-plain-es.eml")  # processed

    # when
    response = web_client(admin).get("/manage/cafe-montana/mail-quarantine/")

    # then
    rows = page(response).find_all("tbody")[0].find_all("tr")
    assert len(rows) == 1
    assert "Carla Rueda" in rows[0].text
    assert "[INC-000001] La impresora del piso 3 no imprime" in rows[0].text
    assert "SPF, DKIM" in rows[0].text or "SPF, DKIM" in response.content.decode()
    everything = web_client(admin).get("/manage/cafe-montana/mail-quarantine/?state=ignored")
    assert "Undelivered Mail Returned to Sender" in everything.content.decode()


def test_the_message_page_shows_the_text_safely_and_the_original_downloads(world, admin,
                                                                             web_client):
    # given
    message = deliver(world, "new-html-hostile.eml").message
    client = web_client(admin)

    # when
    shown = client.get(f"/manage/cafe-montana/mail-quarantine/{message.pk}/")
    original = client.get(f"/manage/cafe-montana/mail-quarantine/{message.pk}/original/")

    # then
    assert shown.status_code == 200
    assert "Al abrir el ERP sale una pantalla azul." in shown.content.decode()
    assert b"<script>document" not in shown.content
    assert original.content == eml("new-html-hostile.eml")
    assert original["Content-Type"] == "message/rfc822"
    assert original["Content-Disposition"].startswith("attachment;")
    assert original["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_mailbox_form_offers_only_the_organizations_departments(world, admin, web_client):
    # when
    response = web_client(admin).get("/manage/cafe-montana/mailboxes/")

    # then
    assert [label for _value, label in select_options(response, "department")] == [
        "Talento Humano", "Tecnología"]


def test_a_mailbox_form_shows_the_services_errors(world, admin, web_client):
    # when: the address of another organization's mailbox
    response = web_client(admin).post("/manage/cafe-montana/mailboxes/", {
        "address": "AYUDA@clinicanorte.example", "department": str(world.incident.department_id),
        "kind": "incident", "unknown_sender": "hold",
    })

    # then
    assert response.status_code == 200
    assert list(all_field_errors(response)) == ["address"]


def test_retrying_says_what_became_of_the_message(world, held, admin, web_client):
    # when
    response = web_client(admin).post(
        f"/manage/cafe-montana/mail-quarantine/{held.pk}/retry/", follow=True)

    # then
    [(kind, text)] = flash_messages(response)
    assert kind == "success"
    assert "INC-000001" in text
