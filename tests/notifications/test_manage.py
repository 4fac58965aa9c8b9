"""The organization admin's notification pages: templates (edit, preview, reset) and
the delivery log, each reachable only by the organization's admins."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.notifications.models import Notification, NotificationTemplate
from atiende.tickets import outbox

pytestmark = pytest.mark.django_db

EDIT = "/manage/cafe-montana/notifications/ticket_created/es/"


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("requester_carla", 404), ("requester_other_org", 404),
    ("agent_other_org", 404), ("agent_bruno_other_department", 404), ("agent_ana", 404),
    ("admin_other_org", 404), ("admin", 200), ("provider_admin", 200),
])
def test_only_the_organizations_admins_reach_its_notification_pages(actors, who, status,
                                                                    web_client):
    client = web_client(actors[who])
    for url in ("/manage/cafe-montana/notifications/", EDIT,
                "/manage/cafe-montana/notifications/log/"):
        assert client.get(url).status_code == status, url
    # a denied save changes nothing
    client.post(EDIT, {"subject": "x", "body": "y"})
    client.post(EDIT + "preview/", {"subject": "x", "body": "y"})
    if status != 200:
        assert not NotificationTemplate.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="notification_template").exists()


def test_an_admin_saves_previews_and_resets_a_template(admin, web_client):
    client = web_client(admin)
    # when: the preview of what is being typed
    preview = client.post(EDIT + "preview/", {"subject": "Caso {{ number }}",
                                              "body": "Hola {{ recipient_name }}"})
    # then: the sample ticket, in a sandboxed frame
    assert "[INC-000123] Caso INC-000123" in preview.content.decode()
    assert 'sandbox=""' in preview.content.decode()
    # the e-mail's HTML is escaped into the frame's attribute, whole
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in preview.content.decode()
    # when: saved
    response = client.post(EDIT, {"subject": "Caso {{ number }} abierto",
                                  "body": "Hola {{ recipient_name }}"})
    # then
    assert response.status_code == 302
    row = NotificationTemplate.objects.get()
    assert (row.organization.slug, row.kind, row.language, row.subject) == (
        "cafe-montana", "ticket_created", "es", "Caso {{ number }} abierto")
    assert AuditEvent.objects.filter(action="notification_template.saved").count() == 1
    # when: reset
    assert client.post(EDIT + "reset/").status_code == 302
    assert not NotificationTemplate.objects.exists()


def test_a_template_that_does_not_parse_is_refused_with_the_reason(admin, web_client):
    client = web_client(admin)
    response = client.post(EDIT, {"subject": "Hola", "body": "{% load static %}"})
    assert response.status_code == 200
    assert "La plantilla no es válida" in str(response.context["form"].errors["body"])
    preview = client.post(EDIT + "preview/", {"subject": "Hola", "body": "{{ title|upper }}"})
    assert b"alert-error" in preview.content
    assert not NotificationTemplate.objects.exists()


def test_unknown_kind_or_language_is_not_found(admin, web_client):
    client = web_client(admin)
    assert client.get("/manage/cafe-montana/notifications/nada/es/").status_code == 404
    assert client.get("/manage/cafe-montana/notifications/resolved/fr/").status_code == 404


def test_the_delivery_log_shows_the_organizations_notifications_only(
        admin, admin_other_org, incident, web_client, org_other, other_it, agent_other_org,
        requester_other_org):
    # given: a notification of each organization, one failed
    from atiende.tickets import services as ticket_services

    ticket_services.ticket_create(actor=agent_other_org, kind="incident", title="Otro",
                                  organization=org_other, department=other_it,
                                  requester=requester_other_org)
    outbox.dispatch()
    Notification.objects.filter(ticket=incident).update(state="failed", attempts=5,
                                                        last_error="SMTPDataError: 451")
    # when
    page = web_client(admin).get("/manage/cafe-montana/notifications/log/?state=failed")
    # then
    rows = list(page.context["page"])
    assert [n.ticket.number for n in rows] == ["INC-000001"]
    assert "SMTPDataError: 451" in page.content.decode()
    other = web_client(admin_other_org).get("/manage/clinica-norte/notifications/log/")
    assert [n.ticket.number for n in other.context["page"]] == ["INC-000002"]
