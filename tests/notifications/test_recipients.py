"""Who hears what: the outbox consumer's notifications, without sending anything."""

from __future__ import annotations

import pytest

from atiende.core.models import Role
from atiende.mail.models import Direction, TicketMessageId
from atiende.notifications import recipients
from atiende.notifications.models import Notification, NotificationPreference
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, ResolutionCode, Status, Visibility
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def told(**filters) -> set[tuple[str, str, str]]:
    """(recipient e-mail, kind, channel) of the notifications written."""
    return {(n.recipient.email, n.kind, n.channel)
            for n in Notification.objects.filter(**filters).select_related("recipient")}


def test_a_new_ticket_is_acknowledged_to_its_requester_and_not_to_the_agent_who_logged_it(
        incident, agent_ana, requester_carla):
    # when
    outbox.dispatch()
    # then
    assert told() == {("carla@cafemontana.example", "ticket_created", "email")}
    notification = Notification.objects.get()
    assert notification.state == "queued" and notification.attempts == 0
    assert notification.message_id.startswith("<INC-000001.")
    # the Message-ID is in the thread map: a reply to it reaches the ticket
    row = TicketMessageId.objects.get(ticket=incident)
    assert f"<{row.message_id}>" == notification.message_id
    assert row.direction == Direction.OUTBOUND


def test_an_internal_note_reaches_only_the_agents_it_mentions(
        incident, agent_ana, agent_nico, requester_carla, requester_diego,
        agent_bruno_other_department, agent_other_org):
    # given: Diego watches the ticket; everything before is delivered
    ticket_services.watcher_add(actor=agent_ana, ticket=incident, user=requester_diego)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when: Ana mentions Nico (by name), Bruno of HR and Óscar of Clínica Norte (by e-mail)
    ticket_services.comment_add(
        actor=agent_ana, ticket=incident, visibility=Visibility.INTERNAL,
        body="<p>@Nicolás Vega mira esto; también @bruno@cafemontana.example y "
             "@oscar@clinicanorte.example</p>")
    outbox.dispatch()
    # then: Nico only; no requester, watcher, or agent who may not see the ticket
    assert told() == {("nico@cafemontana.example", "mentioned", "email"),
                      ("nico@cafemontana.example", "mentioned", "in_app")}


def test_a_note_without_mentions_tells_nobody(incident, agent_ana, agent_nico):
    outbox.dispatch()
    Notification.objects.all().delete()
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Revisé el tóner</p>",
                                visibility=Visibility.INTERNAL)
    outbox.dispatch()
    assert told() == set()


def test_a_public_reply_reaches_the_requester_and_watchers_but_not_its_author(
        incident, agent_ana, requester_carla, requester_diego):
    # given
    ticket_services.watcher_add(actor=agent_ana, ticket=incident, user=requester_diego)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Ya voy</p>")
    outbox.dispatch()
    # then
    assert told() == {
        ("carla@cafemontana.example", "public_reply", "email"),
        ("carla@cafemontana.example", "public_reply", "in_app"),
        ("diego@cafemontana.example", "public_reply", "email"),
        ("diego@cafemontana.example", "public_reply", "in_app"),
    }


def test_the_requesters_reply_reaches_the_assignee(incident, agent_ana, requester_carla):
    # given
    incident = ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=None,
                                             assignee=agent_ana, version=incident.version)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when
    ticket_services.comment_add(actor=requester_carla, ticket=incident, body="<p>Gracias</p>")
    outbox.dispatch()
    # then
    assert told() == {("ana@nubeandina.example", "public_reply", "email"),
                      ("ana@nubeandina.example", "public_reply", "in_app")}


def test_assignment_to_a_team_tells_its_members_and_to_an_agent_tells_the_agent(
        incident, agent_ana, lead_lucia, team_redes, agent_nico):
    outbox.dispatch()
    Notification.objects.all().delete()
    # when: Nico gives it to team Redes (Ana and Lucía)
    incident = ticket_services.ticket_assign(actor=agent_nico, ticket=incident, team=team_redes,
                                             assignee=None, version=incident.version)
    outbox.dispatch()
    # then
    assert told(channel="email") == {("ana@nubeandina.example", "assigned", "email"),
                                     ("lucia@cafemontana.example", "assigned", "email")}
    Notification.objects.all().delete()
    # when: Lucía gives it to Ana
    ticket_services.ticket_assign(actor=lead_lucia, ticket=incident, team=team_redes,
                                  assignee=agent_ana, version=incident.version)
    outbox.dispatch()
    # then: Ana only (the requester does not hear of the desk's housekeeping)
    assert told(channel="email") == {("ana@nubeandina.example", "assigned", "email")}


def test_resolution_and_status_news_reach_the_requester(incident, agent_ana, requester_carla):
    outbox.dispatch()
    Notification.objects.all().delete()
    # when
    incident = ticket_services.ticket_transition(
        actor=agent_ana, ticket=incident, to_status=Status.RESOLVED, version=incident.version,
        resolution_code=ResolutionCode.FIXED, resolution_notes="Cambié el tóner")
    outbox.dispatch()
    # then
    assert told(channel="email") == {("carla@cafemontana.example", "resolved", "email")}


def test_preferences_choose_the_channels(incident, agent_ana, requester_carla):
    # given: Carla wants replies in the application only, and no acknowledgment at all
    NotificationPreference.objects.create(user=requester_carla, kind="public_reply",
                                          email=False, in_app=True)
    NotificationPreference.objects.create(user=requester_carla, kind="ticket_created",
                                          email=False, in_app=False)
    # when
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Hola</p>")
    outbox.dispatch()
    # then
    assert told() == {("carla@cafemontana.example", "public_reply", "in_app")}


def test_an_event_offered_twice_is_notified_once(incident):
    # given
    event = Event.objects.get(ticket=incident)
    # when
    recipients.on_event(event)
    recipients.on_event(event)
    # then
    assert Notification.objects.count() == 1
    assert TicketMessageId.objects.filter(ticket=incident).count() == 1


def test_sla_events_reach_the_desk_never_the_requester(incident, agent_ana, team_redes,
                                                       lead_lucia):
    # given: the ticket is with team Redes, nobody chosen
    incident = ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                             assignee=None, version=incident.version)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when: the SLA sweep records a breach (no actor)
    Event.objects.create(ticket=incident, actor=None, channel="system", kind="sla_breached",
                         ticket_version=incident.version)
    outbox.dispatch()
    # then
    assert told(channel="email") == {("ana@nubeandina.example", "sla_breached", "email"),
                                     ("lucia@cafemontana.example", "sla_breached", "email")}


def test_nobody_outside_the_ticket_may_hear_of_it(incident, requester_other_org,
                                                  agent_other_org, admin_other_org,
                                                  agent_bruno_other_department, requester_diego,
                                                  admin, requester_carla):
    event = Event.objects.get(ticket=incident)
    for outsider in (requester_other_org, agent_other_org, admin_other_org,
                     agent_bruno_other_department, requester_diego):
        assert not recipients.may_hear(outsider, incident, event), outsider.email
    assert recipients.may_hear(admin, incident, event)
    assert recipients.may_hear(requester_carla, incident, event)


def test_a_team_member_who_does_not_serve_the_organization_is_not_told(
        provider, org_cafe, org_other, incident, agent_ana, team_redes):
    # given: a provider agent in team Redes with a role in Clínica Norte only
    from tests.factories import UserFactory

    stranger = UserFactory(email="pablo@nubeandina.example", display_name="Pablo",
                           organization=provider)
    MembershipFactory(user=stranger, organization=org_other, role=Role.REQUESTER)
    team_redes.members.add(stranger)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when
    ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                  assignee=None, version=incident.version)
    outbox.dispatch()
    # then: Ana made the change; Pablo may not see the ticket
    assert told() == set()


def test_a_requester_who_is_also_an_agent_is_heard_by_the_assignee(
        org_cafe, it, agent_ana, agent_nico):
    # given: Nico (an agent) asked for help himself; Ana has his ticket
    ticket = ticket_services.ticket_create(
        actor=agent_nico, kind="incident", title="Mi portátil", organization=org_cafe,
        department=it, requester=agent_nico, assignee=agent_ana)
    outbox.dispatch()
    Notification.objects.all().delete()
    # when
    ticket_services.comment_add(actor=agent_nico, ticket=ticket, body="<p>¿Novedades?</p>")
    outbox.dispatch()
    # then
    assert told(channel="email") == {("ana@nubeandina.example", "public_reply", "email")}


def _team_of(size: int, org, department):
    from tests.factories import TeamFactory, UserFactory

    team = TeamFactory(department=department, name=f"Turno {size}")
    for _number in range(size):
        agent = UserFactory(organization=org)
        MembershipFactory(user=agent, organization=org, department=department,
                          role=Role.AGENT)
        team.members.add(agent)
    return team


def _assign_and_count_queries(size, incident, agent_ana, org_cafe, it,
                              django_assert_max_num_queries):
    team = _team_of(size, org_cafe, it)
    outbox.dispatch()
    incident.refresh_from_db()
    ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team, assignee=None,
                                  version=incident.version)
    event = Event.objects.filter(ticket=incident).order_by("-id").first()
    before = Notification.objects.count()
    with django_assert_max_num_queries(10) as captured:
        recipients.on_event(event)
    return Notification.objects.count() - before, len(captured)


@pytest.mark.parametrize("size", [1, 20])
def test_telling_a_whole_team_costs_the_same_queries_as_telling_one_agent(
        size, incident, agent_ana, org_cafe, it, django_assert_max_num_queries):
    # when
    written, queries = _assign_and_count_queries(size, incident, agent_ana, org_cafe, it,
                                                 django_assert_max_num_queries)
    # then: everyone is told, by e-mail and in the application, for a fixed price
    assert written == 2 * size
    assert queries <= 10


def test_a_second_delivery_of_the_same_event_writes_nothing_in_bulk_either(
        incident, agent_ana, org_cafe, it):
    team = _team_of(3, org_cafe, it)
    outbox.dispatch()
    incident.refresh_from_db()
    ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team, assignee=None,
                                  version=incident.version)
    event = Event.objects.filter(ticket=incident).order_by("-id").first()
    recipients.on_event(event)
    count, ids = Notification.objects.count(), TicketMessageId.objects.count()

    recipients.on_event(event)

    assert (Notification.objects.count(), TicketMessageId.objects.count()) == (count, ids)
    assert Notification.objects.filter(event=event).count() == 6
