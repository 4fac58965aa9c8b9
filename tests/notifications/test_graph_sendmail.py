"""E-mail notifications sent through Microsoft Graph `sendMail` (against the strict local
double): the whole MIME message, so threading headers survive; retries; the choice of
transport per organization."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from atiende.errors import PermissionDenied, ValidationFailed
from atiende.mail.models import Mailbox
from atiende.notifications import delivery, transport_services
from atiende.notifications.models import Notification, OutboundMailSettings
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from tests.mail.graph_support import CLIENT, SECRET, TENANT, connect, graph_double  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_graph(soporte, graph, admin, smtp):
    """Café Montaña sends through Microsoft Graph as its support mailbox."""
    connect(soporte, graph)
    transport_services.outbound_mail_set(actor=admin, organization=soporte.organization,
                                         transport="graph", graph_mailbox=soporte)
    return soporte


def test_notifications_leave_through_sendmail_as_mime_with_their_threading(
        on_graph, graph, smtp, deliver, incident, agent_ana):
    # when: the acknowledgment, then Ana's public reply
    with deliver():
        outbox.dispatch()
    with deliver():
        ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Voy</p>")
    # then: nothing by SMTP; two sendMail calls as the mailbox, MIME in base64
    assert smtp.messages == []
    calls = graph.graph_requests("POST")
    assert [c.path for c in calls] == ["/v1.0/users/soporte@cafemontana.example/sendMail"] * 2
    assert all(c.headers["content-type"] == "text/plain" for c in calls)
    assert [base64.b64decode(c.body, validate=True)[:5] != b"" for c in calls] == [True, True]
    (_, acknowledgment), (_, reply) = graph.sent
    notifications = {n.kind: n for n in Notification.objects.filter(channel="email")}
    assert acknowledgment["Message-ID"] == notifications["ticket_created"].message_id
    assert acknowledgment["From"] == "Café Montaña · Tecnología <soporte@cafemontana.example>"
    assert acknowledgment["Auto-Submitted"] == "auto-generated"
    assert reply["In-Reply-To"] == acknowledgment["Message-ID"]
    assert reply["References"] == acknowledgment["Message-ID"]
    assert reply["Message-ID"] == notifications["public_reply"].message_id
    assert {n.state for n in notifications.values()} == {"sent"}
    assert graph.token_requests == 1


def test_another_sending_mailbox_sends_while_replies_come_back_to_the_desk(
        soporte, graph, admin, smtp, deliver, incident, it):
    # given: the organization sends as its notifications mailbox
    avisos = Mailbox.objects.create(address="avisos@cafemontana.example",
                                    organization=soporte.organization, department=it)
    connect(avisos, graph)
    transport_services.outbound_mail_set(actor=admin, organization=soporte.organization,
                                         transport="graph", graph_mailbox=avisos)
    # when
    with deliver():
        outbox.dispatch()
    # then
    [(mailbox, message)] = graph.sent
    assert mailbox == "avisos@cafemontana.example"
    assert message["From"] == "Café Montaña · Tecnología <avisos@cafemontana.example>"
    assert message["Reply-To"] == "Café Montaña · Tecnología <soporte@cafemontana.example>"


def test_a_throttled_send_is_retried_with_backoff(on_graph, graph, deliver, incident):
    # given: Graph asks to wait five minutes
    graph.throttle(1, retry_after=300)
    # when
    with deliver():
        outbox.dispatch()
    # then: queued again with the reason, sent once due
    notification = Notification.objects.get(channel="email")
    assert (notification.state, notification.attempts) == ("queued", 1)
    assert "throttling" in notification.last_error
    with time_machine.travel(notification.next_attempt_at + dt.timedelta(seconds=1)):
        assert delivery.deliver_due() == 1
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("sent", 2)
    assert len(graph.sent) == 1


def test_an_application_without_mail_send_fails_with_graphs_reason(on_graph, graph, deliver,
                                                                  incident):
    # given: the application may read mail but not send it
    graph.apps.clear()
    graph.add_app(TENANT, CLIENT, SECRET, permissions={"Mail.ReadWrite"})
    # when
    with deliver():
        outbox.dispatch()
    # then
    notification = Notification.objects.get(channel="email")
    assert notification.state == "queued"
    assert "403 ErrorAccessDenied" in notification.last_error
    assert graph.sent == []


def test_without_a_choice_notifications_go_by_smtp(soporte, graph, smtp, deliver, incident):
    with deliver():
        outbox.dispatch()
    assert len(smtp.messages) == 1 and graph.requests == []


def test_the_sending_mailbox_must_be_the_organizations_and_hold_credentials(
        soporte, graph, admin, mailboxes_other_org):
    organization = soporte.organization
    # no mailbox
    with pytest.raises(ValidationFailed) as refused:
        transport_services.outbound_mail_set(actor=admin, organization=organization,
                                             transport="graph")
    assert "graph_mailbox" in refused.value.fields
    # a mailbox of another organization, even with credentials
    with pytest.raises(ValidationFailed):
        transport_services.outbound_mail_set(actor=admin, organization=organization,
                                             transport="graph",
                                             graph_mailbox=mailboxes_other_org)
    # a mailbox without credentials
    with pytest.raises(ValidationFailed) as refused:
        transport_services.outbound_mail_set(actor=admin, organization=organization,
                                             transport="graph", graph_mailbox=soporte)
    assert refused.value.code == "no_credentials"
    # an unknown transport
    with pytest.raises(ValidationFailed):
        transport_services.outbound_mail_set(actor=admin, organization=organization,
                                             transport="carrier-pigeon")
    assert not OutboundMailSettings.objects.exists()


@pytest.fixture
def mailboxes_other_org(org_other, other_it, graph):
    mailbox = Mailbox.objects.create(address="ayuda@clinicanorte.example",
                                     organization=org_other, department=other_it)
    connect(mailbox, graph)
    return mailbox


def test_only_the_organizations_admins_choose_how_mail_leaves(soporte, graph, admin_other_org,
                                                             agent_ana):
    connect(soporte, graph)
    for actor in (admin_other_org, agent_ana):
        with pytest.raises(PermissionDenied):
            transport_services.outbound_mail_set(actor=actor, organization=soporte.organization,
                                                 transport="graph", graph_mailbox=soporte)
    assert not OutboundMailSettings.objects.exists()


def test_an_admin_chooses_microsoft_365_on_the_sending_page(soporte, graph, admin, web_client):
    connect(soporte, graph)
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = web_client(admin)
    url = "/manage/cafe-montana/notifications/sending/"
    response = client.post(url, {"transport": "graph", "graph_mailbox": str(soporte.pk)})
    assert response.status_code == 302
    chosen = OutboundMailSettings.objects.get()
    assert (chosen.transport, chosen.graph_mailbox) == ("graph", soporte)
    # a refusal is shown on the page, nothing changes
    other = Mailbox.objects.create(address="sin-credenciales@cafemontana.example",
                                   organization=soporte.organization,
                                   department=soporte.department)
    response = client.post(url, {"transport": "graph", "graph_mailbox": str(other.pk)})
    assert response.status_code == 200
    assert "no Microsoft 365 credentials" in response.content.decode()
    assert OutboundMailSettings.objects.get().graph_mailbox == soporte
