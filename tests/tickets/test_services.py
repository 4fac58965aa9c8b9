"""Creating, assigning, classifying and talking about tickets."""

from __future__ import annotations

import pytest

from atiende.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.tickets import selectors, services
from atiende.tickets.models import Category, Event, Kind, Status, Ticket
from tests.factories import DepartmentFactory


def test_numbers_are_per_kind_and_stable(agent_ana, requester_carla, org_cafe, it):
    made = [services.ticket_create(actor=agent_ana, kind=kind, title="x", organization=org_cafe,
                                   department=it, requester=requester_carla)
            for kind in (Kind.INCIDENT, Kind.SERVICE_REQUEST, Kind.INCIDENT)]
    assert [t.number for t in made] == ["INC-000001", "REQ-000001", "INC-000002"]
    assert hasattr(made[0], "incident") and hasattr(made[1], "service_request")


def test_the_description_keeps_formatting_and_loses_scripts(agent_ana, requester_carla,
                                                            org_cafe, it):
    ticket = services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="HTML", organization=org_cafe,
        department=it, requester=requester_carla,
        description='<p onclick="x()">Hola <b>equipo</b><script>alert(1)</script>'
                    '<a href="javascript:alert(1)">clic</a></p>')
    assert ticket.description == (
        '<p>Hola <b>equipo</b><a rel="noopener noreferrer nofollow">clic</a></p>')


@pytest.mark.parametrize(("changes", "code"), [
    ({"title": "  "}, "required"),
    ({"impact": 7}, "invalid_choice"),
    ({"kind": "change"}, "invalid_choice"),
])
def test_bad_creations_are_refused_and_write_nothing(changes, code, agent_ana, requester_carla,
                                                     org_cafe, it):
    arguments = {"actor": agent_ana, "kind": Kind.INCIDENT, "title": "Bien",
                 "organization": org_cafe, "department": it, "requester": requester_carla}
    arguments.update(changes)
    with pytest.raises(ValidationFailed) as error:
        services.ticket_create(**arguments)
    assert error.value.code == code
    assert not Ticket.objects.exists() and not Event.objects.exists()


def test_a_category_of_another_department_is_refused(agent_ana, requester_carla, org_cafe, it,
                                                     hr):
    nomina = Category.objects.create(department=hr, name="Nómina")
    with pytest.raises(ValidationFailed) as error:
        services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title="x",
                               organization=org_cafe, department=it, requester=requester_carla,
                               category=nomina)
    assert error.value.code == "category_other_department"


def test_only_agents_of_the_department_can_be_assigned(incident, agent_ana,
                                                       agent_bruno_other_department):
    with pytest.raises(ValidationFailed) as error:
        services.ticket_assign(actor=agent_ana, ticket=incident, team=None,
                               assignee=agent_bruno_other_department, version=incident.version)
    assert error.value.code == "assignee_other_department"


def test_a_requester_logs_tickets_only_for_themselves(requester_carla, requester_other_org,
                                                      admin, org_cafe, it):
    own = services.ticket_create(actor=requester_carla, kind=Kind.SERVICE_REQUEST,
                                 title="Acceso a VPN", organization=org_cafe, department=it,
                                 requester=requester_carla)
    assert own.requester == requester_carla
    with pytest.raises(PermissionDenied):
        services.ticket_create(actor=requester_carla, kind=Kind.INCIDENT, title="x",
                               organization=org_cafe, department=it, requester=admin)


def test_a_stale_update_is_refused_and_says_who_changed_what(incident, agent_ana, team_redes):
    # given: Ana assigns while Carla's editor still shows version 1
    services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                           assignee=agent_ana, version=1)

    # when
    with pytest.raises(Conflict) as error:
        services.ticket_update(actor=agent_ana, ticket=incident, version=1,
                               changes={"title": "Otro título"})

    # then
    assert error.value.code == "stale_version"
    assert "Ana Gómez" in error.value.message and "INC-000001" in error.value.message
    incident.refresh_from_db()
    assert incident.title == "La impresora del piso 3 no imprime"


def test_a_priority_override_needs_the_role_and_a_reason(incident, agent_ana, lead_lucia):
    with pytest.raises(PermissionDenied):
        services.ticket_set_priority(actor=agent_ana, ticket=incident, priority=1,
                                     reason="Gerencia", version=incident.version)
    with pytest.raises(ValidationFailed):
        services.ticket_set_priority(actor=lead_lucia, ticket=incident, priority=1, reason=" ",
                                     version=incident.version)
    overridden = services.ticket_set_priority(actor=lead_lucia, ticket=incident, priority=1,
                                              reason="Afecta a gerencia",
                                              version=incident.version)
    assert (overridden.priority, overridden.priority_overridden) == (1, True)
    assert Event.objects.filter(ticket=incident).latest("id").reason == "Afecta a gerencia"


def test_internal_notes_are_hidden_from_the_requester(incident, agent_ana, requester_carla):
    services.comment_add(actor=agent_ana, ticket=incident, body="Pedir tóner a bodega",
                         visibility="internal")
    reply = services.comment_add(actor=agent_ana, ticket=incident, body="Ya vamos",
                                 visibility="public")
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=requester_carla, ticket=incident, body="x",
                             visibility="internal")

    assert list(selectors.ticket_comments(actor=requester_carla, ticket=incident)) == [reply]
    incident.refresh_from_db()
    assert incident.first_response_at == reply.created_at


def test_tickets_of_other_departments_and_organizations_answer_not_found(
    incident, agent_bruno_other_department, agent_other_org, requester_other_org, admin,
    requester_carla
):
    for outsider in (agent_bruno_other_department, agent_other_org, requester_other_org):
        with pytest.raises(NotFound):
            selectors.ticket_get(actor=outsider, number=incident.number)
        assert list(selectors.ticket_list(actor=outsider)) == []
    for insider in (admin, requester_carla):
        assert selectors.ticket_get(actor=insider, number="inc-000001") == incident


def test_merging_cancels_duplicates_and_keeps_their_people(incident, agent_ana, org_cafe, it,
                                                           requester_diego):
    duplicate = services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT,
                                       title="Impresora piso 3", organization=org_cafe,
                                       department=it, requester=requester_diego)
    services.ticket_merge(actor=agent_ana, duplicates=[duplicate], into=incident)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.CANCELLED, incident)
    assert list(incident.watchers.all()) == [requester_diego]


def test_a_shared_department_serves_a_client(provider, agent_ana, requester_carla, org_cafe):
    shared = DepartmentFactory(organization=provider, name="Mesa TI", is_shared=True)
    from atiende.core.models import Membership

    Membership.objects.create(user=agent_ana, organization=org_cafe, department=shared,
                              role="agent")
    ticket = services.ticket_create(actor=requester_carla, kind=Kind.INCIDENT, title="Correo",
                                    organization=org_cafe, department=shared,
                                    requester=requester_carla)
    assert selectors.ticket_get(actor=agent_ana, number=ticket.number) == ticket


def test_a_watcher_of_the_organization_sees_the_ticket_but_not_internal_notes(
    incident, agent_ana, requester_diego
):
    # given
    services.comment_add(actor=agent_ana, ticket=incident, body="Nota interna",
                         visibility="internal")
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=requester_diego, number=incident.number)

    # when
    services.watcher_add(actor=agent_ana, ticket=incident, user=requester_diego)

    # then
    assert selectors.ticket_get(actor=requester_diego, number=incident.number) == incident
    assert list(selectors.ticket_comments(actor=requester_diego, ticket=incident)) == []


def test_the_requester_timeline_omits_the_desks_housekeeping(incident, agent_ana,
                                                              requester_carla, api_client):
    # given: an escalation with an internal reason, and a public reply
    services.ticket_escalate(actor=agent_ana, ticket=incident, reason="Proveedor lento",
                             version=incident.version)
    services.comment_add(actor=agent_ana, ticket=incident, body="Ya vamos")

    # when
    as_requester = api_client(requester_carla).get(f"/api/v1/tickets/{incident.number}/events")
    as_agent = api_client(agent_ana).get(f"/api/v1/tickets/{incident.number}/events")

    # then
    assert [e["kind"] for e in as_requester.json()["results"]] == ["created", "commented"]
    assert [e["kind"] for e in as_agent.json()["results"]] == ["created", "escalated",
                                                               "commented"]
    assert "Proveedor lento" not in as_requester.content.decode()
