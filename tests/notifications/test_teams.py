"""Microsoft Teams channels: which events post, the adaptive card a strict local webhook
accepts, retries, bad input, and the admin pages (secret URLs never shown back)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.notifications import teams, teams_services
from atiende.notifications.models import TeamsChannel, TeamsPost
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, ResolutionCode, Status
from tests.notifications.teams_double import TeamsWebhookDouble

pytestmark = pytest.mark.django_db

CHANNELS = "/manage/cafe-montana/notifications/teams/"


@pytest.fixture
def webhook(settings, org_cafe):
    # Cards are written in the organization's language: English here, so that the
    # wording checked does not depend on the Spanish catalog.
    org_cafe.language = "en"
    org_cafe.save(update_fields=["language"])
    double = TeamsWebhookDouble()
    double.start()
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.SITE_URL = "https://atiende.example"
    try:
        yield double
    finally:
        double.stop()


def _channel(admin, webhook, department, events, team=None, name="Soporte TI"):
    return teams_services.teams_channel_create(
        actor=admin, organization=department.organization, name=name, department=department,
        team=team, webhook_url=webhook.url, events=events)


def _facts(card) -> dict[str, str]:
    fact_set = next(e for e in card["body"] if e["type"] == "FactSet")
    return {fact["title"]: fact["value"] for fact in fact_set["facts"]}


def _texts(card) -> list[str]:
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def test_a_new_ticket_posts_a_card_with_the_ticket_and_a_link_back(
        admin, it, webhook, deliver, agent_ana, requester_carla, org_cafe):
    # given: IT's channel hears of new tickets
    channel = _channel(admin, webhook, it, ["ticket_created"])
    # when: a ticket is created and the outbox runs
    with deliver():
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="La impresora del piso 3 no imprime",
            description="<p>x</p>", organization=org_cafe, department=it,
            requester=requester_carla, channel="phone")
    # then: one card, in the organization's language, accepted by the strict webhook
    assert webhook.refused == []
    [card] = webhook.cards
    assert _texts(card) == ["New ticket", "INC-000001 · La impresora del piso 3 no imprime"]
    assert _facts(card) == {"Priority": "P3 Moderate", "Status": "New",
                            "Requester": "Carla Rueda", "Department": "Tecnología"}
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the ticket",
                                "url": "https://atiende.example/tickets/INC-000001/"}]
    post = TeamsPost.objects.get()
    assert (post.channel, post.ticket, post.kind, post.state, post.attempts) == (
        channel, ticket, "ticket_created", "sent", 1)


def test_ticket_text_is_data_in_the_card(admin, it, webhook, deliver, agent_ana,
                                         requester_carla, org_cafe):
    # given
    _channel(admin, webhook, it, ["ticket_created"])
    # when: a title full of markdown, a link and a card function
    with deliver():
        ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT,
            title="**Urgente** [clic aquí](https://malo.example) {{DATE(2020-01-01T00:00:00Z)}}",
            description="<p>x</p>", organization=org_cafe, department=it,
            requester=requester_carla, channel="phone")
    # then: shown as typed, nothing Teams would interpret
    text = _texts(webhook.cards[0])[1]
    assert text == ("INC-000001 · \\*\\*Urgente\\*\\* \\[clic aquí\\]\\(https://malo.example\\) "
                    "\\{\\{DATE\\(2020-01-01T00:00:00Z\\)\\}\\}")


def test_a_channel_hears_only_the_events_it_chose(admin, it, webhook, deliver, incident,
                                                 agent_ana):
    # given: a channel that hears only of resolutions (the ticket already exists)
    _channel(admin, webhook, it, ["resolved"])
    with deliver():
        outbox.dispatch()
    assert webhook.cards == []
    # when: the ticket is resolved
    with deliver():
        ticket_services.ticket_transition(
            actor=agent_ana, ticket=incident, to_status=Status.RESOLVED,
            version=incident.version, resolution_code=ResolutionCode.FIXED,
            resolution_notes="<p>Listo</p>")
    # then
    [card] = webhook.cards
    assert _texts(card)[0] == "Ticket resolved"
    assert _facts(card)["Status"] == "Resolved"


def test_a_teams_channel_hears_of_assignments_to_its_team_only(
        admin, it, webhook, deliver, incident, agent_ana, team_redes):
    # given: one channel for the Redes team, one for the whole department, both on
    # assignments; the ticket's creation is already past
    redes = _channel(admin, webhook, it, ["team_assigned"], team=team_redes, name="Redes")
    whole = _channel(admin, webhook, it, ["team_assigned"], name="Todo TI")
    with deliver():
        outbox.dispatch()
    # when: the ticket is given to Redes
    with deliver():
        ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                      assignee=None, version=incident.version)
    # then: both channels hear of it, once each
    assert sorted(TeamsPost.objects.values_list("channel__name", "kind")) == [
        ("Redes", "team_assigned"), ("Todo TI", "team_assigned")]
    assert len(webhook.cards) == 2
    assert {_facts(card)["Team"] for card in webhook.cards} == {team_redes.name}
    assert {redes.pk, whole.pk} == set(TeamsPost.objects.values_list("channel", flat=True))


def test_channels_of_another_department_or_team_hear_nothing(
        admin, it, hr, webhook, deliver, agent_ana, requester_carla, org_cafe, team_nomina,
        team_redes):
    # given: HR's channel, and an IT channel of a team the ticket is not given to
    _channel(admin, webhook, hr, ["ticket_created"], name="RR. HH.")
    teams_services.teams_channel_create(
        actor=admin, organization=org_cafe, name="Otro equipo", department=it,
        team=team_redes, webhook_url=webhook.url, events=["ticket_created"])
    # when: an IT ticket without a team is created
    with deliver():
        ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin red", description="<p>x</p>",
            organization=org_cafe, department=it, requester=requester_carla, channel="phone")
    # then
    assert webhook.cards == [] and not TeamsPost.objects.exists()


def test_an_event_offered_twice_posts_once(admin, it, webhook, incident):
    # given
    _channel(admin, webhook, it, ["ticket_created"])
    event = incident.events.get(kind="created")
    # when
    teams.on_event(event)
    teams.on_event(event)
    # then
    assert TeamsPost.objects.count() == 1


def test_a_failed_post_is_retried_with_backoff_until_it_goes_through(
        admin, it, webhook, deliver, incident):
    # given: the webhook fails once
    _channel(admin, webhook, it, ["ticket_created"])
    webhook.fail(1, status=500)
    start = timezone.now()
    # when
    with deliver():
        outbox.dispatch()
    # then: queued again, a minute later, with the reason
    post = TeamsPost.objects.get()
    assert (post.state, post.attempts) == ("queued", 1)
    assert "500" in post.last_error
    assert post.next_attempt_at >= start + dt.timedelta(minutes=1)
    # when: not yet due, then due
    assert teams.deliver_due() == 0
    with time_machine.travel(post.next_attempt_at + dt.timedelta(seconds=1)):
        assert teams.deliver_due() == 1
    post.refresh_from_db()
    assert (post.state, post.attempts, post.last_error) == ("sent", 2, "")
    assert len(webhook.cards) == 1


def test_a_workflows_url_answering_202_counts_as_delivered(admin, it, webhook, incident,
                                                          deliver):
    # given
    webhook.workflows = True
    _channel(admin, webhook, it, ["ticket_created"])
    # when
    with deliver():
        outbox.dispatch()
    # then
    assert TeamsPost.objects.get().state == "sent"


def test_the_test_card_reaches_the_channel(admin, it, webhook, django_capture_on_commit_callbacks):
    # given
    channel = _channel(admin, webhook, it, ["ticket_created"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        teams_services.teams_test_card(actor=admin, teams_channel=channel)
    # then
    [card] = webhook.cards
    assert _texts(card)[0] == "Test card"
    assert card["actions"][0]["url"] == "https://atiende.example/"
    assert AuditEvent.objects.filter(action="teams_channel.tested").count() == 1


@pytest.mark.parametrize("url, message", [
    ("http://teams.example/webhook", "The webhook URL must start with https://."),
    ("ftp://teams.example/webhook", "The webhook URL must start with https://."),
    ("https://user:pw@teams.example/webhook", "must not hold a user name"),
    ("https://10.0.0.5/webhook", "not to a private address"),
    ("https://localhost/webhook", "not to a private address"),
    ("", "Paste the channel's webhook URL."),
    ("https://teams.example/a b", "This is not a web address."),
])
def test_a_webhook_url_that_is_not_a_public_https_address_is_refused(admin, it, settings, url,
                                                                      message):
    # given: production settings (no loopback allowance)
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.LANGUAGE_CODE = "en"
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        teams_services.teams_channel_create(actor=admin, organization=it.organization,
                                            name="TI", department=it, webhook_url=url,
                                            events=["ticket_created"])
    assert message in refused.value.fields["webhook_url"]
    assert not TeamsChannel.objects.exists()


def test_plain_http_to_loopback_is_refused_unless_allowed(admin, it, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationFailed):
        teams_services.teams_channel_create(
            actor=admin, organization=it.organization, name="TI", department=it,
            webhook_url="http://127.0.0.1:14499/hook", events=["ticket_created"])


def test_departments_teams_and_events_are_checked(admin, it, other_it, team_nomina, webhook):
    # a department of another organization, a team of another department, no event
    with pytest.raises(ValidationFailed) as refused:
        teams_services.teams_channel_create(
            actor=admin, organization=it.organization, name="X", department=other_it,
            webhook_url=webhook.url, events=[])
    assert set(refused.value.fields) == {"department", "events"}
    with pytest.raises(ValidationFailed) as refused:
        teams_services.teams_channel_create(
            actor=admin, organization=it.organization, name="X", department=it,
            team=team_nomina, webhook_url=webhook.url, events=["bogus"])
    assert set(refused.value.fields) == {"team", "events"}


def test_only_the_organizations_admins_manage_its_channels(admin_other_org, agent_ana, it,
                                                           webhook):
    for actor in (admin_other_org, agent_ana):
        with pytest.raises(PermissionDenied):
            teams_services.teams_channel_create(
                actor=actor, organization=it.organization, name="X", department=it,
                webhook_url=webhook.url, events=["ticket_created"])
    assert not TeamsChannel.objects.exists()


# --- the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("requester_carla", 404), ("requester_other_org", 404),
    ("agent_other_org", 404), ("agent_bruno_other_department", 404), ("agent_ana", 404),
    ("admin_other_org", 404), ("admin", 200), ("provider_admin", 200),
])
def test_only_the_organizations_admins_reach_the_teams_pages(actors, who, status, web_client,
                                                            admin, it, webhook):
    channel = _channel(admin, webhook, it, ["ticket_created"])
    client = web_client(actors[who])
    for url in (CHANNELS, f"{CHANNELS}{channel.pk}/",
                "/manage/cafe-montana/notifications/sending/"):
        assert client.get(url).status_code == status, url
    # a denied test card or removal does nothing
    client.post(f"{CHANNELS}{channel.pk}/test/")
    client.post(f"{CHANNELS}{channel.pk}/delete/")
    if status != 200:
        assert TeamsChannel.objects.filter(pk=channel.pk).exists()
        assert not TeamsPost.objects.exists()


def test_a_channel_of_another_organization_is_not_found(admin, admin_other_org, other_it,
                                                        webhook, web_client):
    theirs = _channel(admin_other_org, webhook, other_it, ["ticket_created"])
    client = web_client(admin)
    assert client.get(f"{CHANNELS}{theirs.pk}/").status_code == 404
    assert client.post(f"{CHANNELS}{theirs.pk}/test/").status_code == 404


def test_an_admin_adds_a_channel_tests_it_and_never_sees_the_url_again(
        admin, it, team_redes, webhook, web_client, django_capture_on_commit_callbacks):
    client = web_client(admin)
    # when: the channel is added through the page
    response = client.post(CHANNELS, {
        "name": "Redes · Incidentes", "department": str(it.pk), "team": str(team_redes.pk),
        "webhook_url": webhook.url, "events": ["ticket_created", "sla_breached"],
        "is_active": "on"})
    channel = TeamsChannel.objects.get()
    assert response.status_code == 302
    assert (channel.team, channel.events, channel.webhook_url) == (
        team_redes, ["ticket_created", "sla_breached"], webhook.url)
    # then: the URL is never rendered back
    for url in (CHANNELS, f"{CHANNELS}{channel.pk}/"):
        page = client.get(url).content.decode()
        assert webhook.url not in page and "webhookb2" not in page
    # when: saved without a URL, the stored one is kept
    client.post(f"{CHANNELS}{channel.pk}/", {
        "name": "Redes", "department": str(it.pk), "team": "", "webhook_url": "",
        "events": ["resolved"], "is_active": "on"})
    channel.refresh_from_db()
    assert (channel.name, channel.team, channel.events, channel.webhook_url) == (
        "Redes", None, ["resolved"], webhook.url)
    # when: the test button
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{CHANNELS}{channel.pk}/test/")
    assert len(webhook.cards) == 1
    admin.language = "en"
    admin.save(update_fields=["language"])
    assert "Test card" in client.get(f"{CHANNELS}{channel.pk}/").content.decode()


def test_an_insecure_url_is_refused_on_the_page_with_the_reason(admin, it, web_client,
                                                                settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = web_client(admin)
    response = client.post(CHANNELS, {
        "name": "TI", "department": str(it.pk), "team": "",
        "webhook_url": "http://teams.example/hook", "events": ["ticket_created"]})
    assert response.status_code == 200
    assert "must start with https://" in response.content.decode()
    assert not TeamsChannel.objects.exists()


def test_the_channel_list_reads_a_fixed_number_of_queries(admin, it, hr, team_redes, webhook,
                                                          web_client,
                                                          django_assert_max_num_queries):
    # given: channels of two departments, with and without a team
    for number in range(6):
        teams_services.teams_channel_create(
            actor=admin, organization=it.organization, name=f"Canal {number}",
            department=it if number % 2 else hr, team=team_redes if number == 1 else None,
            webhook_url=webhook.url, events=["ticket_created"])
    client = web_client(admin)
    client.get(CHANNELS)  # warm the session and the caches
    # when / then
    with django_assert_max_num_queries(15):
        response = client.get(CHANNELS)
    assert response.content.decode().count("/notifications/teams/") >= 7
