"""Internal targets: OLAs per team (measured while the ticket is with the team) and
underpinning contracts (time pending with a supplier): the pure replay, the persisted
clocks, the ticket page (staff only, never requesters), the admin pages and their
scoping, and bad input."""

from __future__ import annotations

import pytest
import time_machine

from atiende.core.models import AuditEvent
from atiende.errors import PermissionDenied, ValidationFailed
from atiende.sla import clock_services, internal_services, policy_services
from atiende.sla.clocks import Message, StatusChange, TeamChange, contract_clock, team_clocks
from atiende.sla.models import ContractClock, OlaTarget, TeamClock, UnderpinningContract
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind, Ticket
from tests.sla.moments import ALWAYS, MONDAY, TUESDAY, at, local

# --- the replay -----------------------------------------------------------------------------


def test_a_team_is_measured_only_while_it_has_the_ticket():
    # given: team 1 from creation to hour 2, team 2 until hour 5, team 1 again from hour 5
    teams = [TeamChange(MONDAY, 1), TeamChange(at(2), 2), TeamChange(at(5), 1)]
    changes = [StatusChange(MONDAY, "new")]
    # when
    first = team_clocks(team_id=1, changes=changes, teams=teams, messages=[],
                        targets={"resolution": 240}, calendar=ALWAYS, now=at(6))[0]
    second = team_clocks(team_id=2, changes=changes, teams=teams, messages=[],
                         targets={"resolution": 60}, calendar=ALWAYS, now=at(6))[0]
    # then: team 1 used 2 h + 1 h and runs on; team 2 used 3 h, over its hour
    assert (first.state, first.elapsed_seconds, first.due_at) == ("running", 3 * 3600, at(7))
    assert (second.state, second.stopped_at, second.breached_at) == ("breached", at(5), at(3))
    assert [step["step"] for step in first.history][:3] == ["assigned", "handed_over",
                                                            "assigned"]


def test_a_team_that_never_had_the_ticket_has_no_clock():
    assert team_clocks(team_id=9, changes=[], teams=[TeamChange(MONDAY, 1)], messages=[],
                       targets={"resolution": 60}, calendar=ALWAYS, now=at(3)) == []


def test_ola_response_stops_at_the_first_desk_reply_after_the_team_got_it():
    teams = [TeamChange(MONDAY, None), TeamChange(at(1), 1)]
    messages = [Message(at(0.5), from_desk=True), Message(at(1.5), from_desk=False),
                Message(at(1.75), from_desk=True)]
    results = team_clocks(team_id=1, changes=[StatusChange(MONDAY, "new")], teams=teams,
                          messages=messages, targets={"response": 30, "resolution": 240},
                          calendar=ALWAYS, now=at(3))
    response = next(r for r in results if r.metric == "response")
    assert (response.state, response.started_at, response.stopped_at) == (
        "breached", at(1), at(1.75))


def test_a_contract_counts_only_time_pending_with_its_supplier():
    # given: with the supplier from 1 h to 3 h, back with the desk, again from 4 h
    changes = [StatusChange(MONDAY, "new"), StatusChange(at(1), "pending", "third_party"),
               StatusChange(at(3), "in_progress"), StatusChange(at(4), "pending", "third_party")]
    # when
    back = contract_clock(pending_reason="third_party", changes=changes, minutes=180,
                          calendar=ALWAYS, now=at(3.5))
    again = contract_clock(pending_reason="third_party", changes=changes, minutes=180,
                           calendar=ALWAYS, now=at(4.5))
    never = contract_clock(pending_reason="change", changes=changes, minutes=180,
                           calendar=ALWAYS, now=at(4.5))
    # then
    assert (back.state, back.started_at, back.elapsed_seconds) == ("paused", at(1), 7200)
    assert (again.state, again.due_at) == ("running", at(5))
    assert never is None


# --- end to end -----------------------------------------------------------------------------


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar):
    """Resolution pauses only while awaiting the requester (not the third party)."""
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=[{"priority": 3, "first_response_minutes": 120, "resolution_minutes": 960}])


@pytest.fixture
def ola(admin, org_cafe, team_redes, cafe_calendar):
    return internal_services.ola_target_create(
        actor=admin, organization=org_cafe, team=team_redes, priority=3,
        calendar=cafe_calendar, response_minutes=30, resolution_minutes=120)


@pytest.fixture
def contract(admin, org_cafe, cafe_calendar):
    return internal_services.contract_create(
        actor=admin, organization=org_cafe, supplier="Claro Empresas",
        pending_reason="third_party", calendar=cafe_calendar, target_minutes=240)


def test_team_and_supplier_clocks_end_to_end(policy, ola, contract, agent_ana, team_redes,
                                             requester_carla, org_cafe, it, web_client):
    # given: a ticket for team Redes at 09:00 on Tuesday
    with time_machine.travel(TUESDAY, tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin enlace", description="",
            organization=org_cafe, department=it, requester=requester_carla,
            channel="phone", team=team_redes)
        outbox.dispatch()
    with time_machine.travel(local(3, 9, 15), tick=False):
        ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="Revisando")
        outbox.dispatch()
    # when: pending with the carrier from 10:00 to 11:00
    with time_machine.travel(local(3, 10), tick=False):
        ticket = ticket_services.ticket_transition(
            actor=agent_ana, ticket=Ticket.objects.get(pk=ticket.pk), to_status="pending",
            pending_reason="third_party", version=ticket.version)
        outbox.dispatch()
    with time_machine.travel(local(3, 11), tick=False):
        ticket = ticket_services.ticket_transition(
            actor=agent_ana, ticket=ticket, to_status="in_progress", version=ticket.version)
        outbox.dispatch()
    # then: the team's resolution (2 h, no pause on third party) is due at 11:00 -> breached
    # once the sweep of internal clocks passes; the carrier used 1 h of its 4
    with time_machine.travel(local(3, 11, 30), tick=False):
        clock_services.sweep_internal()
        agent_page = web_client(agent_ana).get(f"/tickets/{ticket.number}/").content.decode()
        requester_page = web_client(requester_carla).get(
            f"/tickets/{ticket.number}/").content.decode()
    resolution = TeamClock.objects.get(ticket=ticket, team=team_redes, metric="resolution")
    assert (resolution.state, resolution.breached_at) == ("breached", local(3, 11))
    response = TeamClock.objects.get(ticket=ticket, metric="response")
    assert (response.state, response.stopped_at) == ("met", local(3, 9, 15))
    supplier = ContractClock.objects.get(ticket=ticket, contract=contract)
    assert (supplier.state, supplier.elapsed_seconds, supplier.started_at) == (
        "paused", 3600, local(3, 10))
    # and: the internal clocks never colour the ticket nor reach the requester
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "running"
    assert 'id="sla-internal-title"' in agent_page and "Claro Empresas" in agent_page
    assert "Claro Empresas" not in requester_page
    assert "sla-internal" not in requester_page


def test_handing_the_ticket_to_another_team_stops_the_first_teams_clock(
    policy, ola, agent_ana, team_redes, requester_carla, org_cafe, it, admin, cafe_calendar
):
    from tests.factories import TeamFactory

    soporte = TeamFactory(department=it, name="Soporte")
    soporte.members.add(agent_ana)
    internal_services.ola_target_create(actor=admin, organization=org_cafe, team=soporte,
                                        priority=3, calendar=cafe_calendar,
                                        resolution_minutes=60)
    with time_machine.travel(TUESDAY, tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin enlace", description="",
            organization=org_cafe, department=it, requester=requester_carla,
            channel="phone", team=team_redes)
        outbox.dispatch()
    with time_machine.travel(local(3, 10), tick=False):
        ticket_services.ticket_assign(actor=agent_ana, ticket=Ticket.objects.get(pk=ticket.pk),
                                      team=soporte, assignee=None, version=ticket.version)
        outbox.dispatch()
    clocks = {(c.team_id, c.metric): c for c in TeamClock.objects.filter(ticket=ticket)}
    redes = clocks[(team_redes.pk, "resolution")]
    assert (redes.state, redes.stopped_at, redes.elapsed_seconds) == ("met", local(3, 10), 3600)
    assert (clocks[(soporte.pk, "resolution")].state,
            clocks[(soporte.pk, "resolution")].due_at) == ("running", local(3, 11))


# --- administration: rules and bad input -----------------------------------------------------


def test_an_ola_for_a_team_of_another_organization_is_refused(admin, org_cafe, team_other_org,
                                                               cafe_calendar):
    with pytest.raises(ValidationFailed) as refused:
        internal_services.ola_target_create(
            actor=admin, organization=org_cafe, team=team_other_org, priority=3,
            calendar=cafe_calendar, resolution_minutes=60)
    assert refused.value.code == "invalid_team"
    assert not OlaTarget.objects.exists()


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"resolution_minutes": 0}, "resolution_minutes", "target_not_positive"),
    ({"resolution_minutes": -30}, "resolution_minutes", "target_not_positive"),
    ({"response_minutes": 0}, "response_minutes", "target_not_positive"),
    ({"priority": 7}, "priority", "invalid_priority"),
    ({"calendar": None}, "calendar", "required"),
])
def test_bad_ola_input_is_refused_precisely(admin, org_cafe, team_redes, cafe_calendar,
                                            values, field, code):
    arguments = {"team": team_redes, "priority": 3, "calendar": cafe_calendar,
                 "resolution_minutes": 60, **values}
    with pytest.raises(ValidationFailed) as refused:
        internal_services.ola_target_create(actor=admin, organization=org_cafe, **arguments)
    assert (list(refused.value.fields), refused.value.code) == ([field], code)


def test_a_second_ola_for_the_same_team_and_priority_is_refused(ola, admin, org_cafe,
                                                                team_redes, cafe_calendar):
    with pytest.raises(ValidationFailed) as refused:
        internal_services.ola_target_create(actor=admin, organization=org_cafe,
                                            team=team_redes, priority=3,
                                            calendar=cafe_calendar, resolution_minutes=90)
    assert refused.value.code == "duplicate_ola"


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"supplier": "claro empresas"}, "supplier", "duplicate_contract"),
    ({"supplier": "Otro", "pending_reason": "third_party"}, "pending_reason",
     "duplicate_contract_reason"),
    ({"supplier": "Otro", "pending_reason": "awaiting_requester"}, "pending_reason",
     "invalid_choice"),
    ({"supplier": "Otro", "pending_reason": "change", "target_minutes": 0},
     "target_minutes", "target_not_positive"),
    ({"supplier": "  ", "pending_reason": "change"}, "supplier", "required"),
])
def test_bad_contract_input_is_refused_precisely(contract, admin, org_cafe, cafe_calendar,
                                                 values, field, code):
    arguments = {"pending_reason": "change", "calendar": cafe_calendar,
                 "target_minutes": 60, **values}
    with pytest.raises(ValidationFailed) as refused:
        internal_services.contract_create(actor=admin, organization=org_cafe, **arguments)
    assert (list(refused.value.fields), refused.value.code) == ([field], code)
    assert UnderpinningContract.objects.count() == 1


def test_only_the_organizations_admins_change_internal_targets(agent_ana, admin_other_org,
                                                               org_cafe, team_redes,
                                                               cafe_calendar, contract):
    for actor in (agent_ana, admin_other_org):
        with pytest.raises(PermissionDenied):
            internal_services.ola_target_create(actor=actor, organization=org_cafe,
                                                team=team_redes, priority=3,
                                                calendar=cafe_calendar, resolution_minutes=60)
        with pytest.raises(PermissionDenied):
            internal_services.contract_update(actor=actor, contract=contract,
                                              changes={"target_minutes": 10})
    assert not OlaTarget.objects.exists()
    assert UnderpinningContract.objects.get().target_minutes == 240


# --- administration pages ------------------------------------------------------------------


def test_an_admin_creates_edits_and_deletes_an_ola_on_the_page(admin, web_client, org_cafe,
                                                               team_redes, cafe_calendar):
    client = web_client(admin)
    base = f"/manage/{org_cafe.slug}/sla/olas/"
    # when: a zero target, then a good one
    refused = client.post(base, {"team": team_redes.pk, "priority": 3,
                                 "calendar": cafe_calendar.pk, "resolution_minutes": 0})
    created = client.post(base, {"team": team_redes.pk, "priority": 3,
                                 "calendar": cafe_calendar.pk, "resolution_minutes": 90,
                                 "response_minutes": 15})
    # then
    assert refused.status_code == 200 and 'class="error"' in refused.content.decode()
    assert created.status_code == 302
    ola = OlaTarget.objects.get()
    assert (ola.team_id, ola.resolution_minutes, ola.response_minutes) == (team_redes.pk, 90, 15)
    assert AuditEvent.objects.filter(action="ola_target.created").count() == 1
    listing = client.get(base).content.decode()
    assert "Redes" in listing
    # when: edited, then deleted
    client.post(f"{base}{ola.pk}/", {"team": team_redes.pk, "priority": 2,
                                      "calendar": cafe_calendar.pk, "resolution_minutes": 60})
    assert OlaTarget.objects.get().priority == 2
    assert client.post(f"{base}{ola.pk}/delete/").status_code == 302
    assert not OlaTarget.objects.exists()


def test_an_admin_creates_a_contract_on_the_page(admin, web_client, org_cafe, cafe_calendar):
    client = web_client(admin)
    base = f"/manage/{org_cafe.slug}/sla/contracts/"
    response = client.post(base, {"supplier": "Claro Empresas", "pending_reason": "third_party",
                                  "calendar": cafe_calendar.pk, "target_minutes": 240})
    assert response.status_code == 302
    assert "Claro Empresas" in client.get(base).content.decode()


def test_internal_target_pages_are_for_that_organizations_admins_only(
    web_client, org_cafe, ola, contract, agent_ana, admin_other_org, requester_carla, admin
):
    pages = [f"/manage/{org_cafe.slug}/sla/olas/", f"/manage/{org_cafe.slug}/sla/olas/{ola.pk}/",
             f"/manage/{org_cafe.slug}/sla/contracts/",
             f"/manage/{org_cafe.slug}/sla/contracts/{contract.pk}/"]
    for actor in (agent_ana, admin_other_org, requester_carla):
        client = web_client(actor)
        for url in pages:
            assert client.get(url).status_code == 404, (actor, url)
        assert client.post(pages[1] + "delete/").status_code == 404
    assert OlaTarget.objects.count() == 1
    assert all(web_client(admin).get(url).status_code == 200 for url in pages)


def test_a_target_of_another_organization_answers_404_under_this_one(
    web_client, org_other, admin_other_org, other_calendar, ola, admin
):
    # admin of Clínica Norte asks for Café Montaña's OLA under its own organization
    url = f"/manage/{org_other.slug}/sla/olas/{ola.pk}/"
    assert web_client(admin_other_org).get(url).status_code == 404
