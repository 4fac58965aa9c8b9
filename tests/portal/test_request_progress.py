"""A catalog request's own page in the portal: what was asked, each approval step and
each fulfilment task, in plain words and without the agents' task pages."""

from __future__ import annotations

import pytest

from atiende.catalog import approval_services
from atiende.catalog.models import Approval
from atiende.tickets.models import Ticket
from tests.catalog import conftest as catalog_cast
from tests.web.support import page as parse
from tests.web.support import speak_english

pytestmark = pytest.mark.django_db
manager_mario = catalog_cast.manager_mario


@pytest.fixture
def planned_laptop(admin, laptop, team_redes, manager_mario):
    approval_services.approval_plan_save(actor=admin, item=laptop,
                                         steps=[{"approver_kind": "manager"}])
    approval_services.fulfilment_plan_save(actor=admin, item=laptop, tasks=[
        {"title": "Preparar el portátil", "team": team_redes, "stage": 1},
        {"title": "Registrar el activo", "team": team_redes, "stage": 2}])
    return laptop


def _section(page, title_id: str):
    found = page.find_all("section", **{"aria-labelledby": title_id})
    return found[0] if found else None


def _steps(page) -> list[str]:
    return [step.text for step in page.find_all("li", cls="step")]


def _request(client, laptop) -> Ticket:
    response = client.post(f"/portal/catalog/{laptop.pk}/", {
        "answer-reason": "El equipo <b>no</b> enciende", "answer-monitor": "on",
        "answer-monitor_size": '27"'})
    assert response.status_code == 302
    return Ticket.objects.get(kind="service_request")


def test_the_requester_follows_answers_approval_and_tasks(
        web_client, requester_carla, planned_laptop, manager_mario,
        django_assert_max_num_queries):
    # given: Carla's request waits on her manager
    speak_english(requester_carla)
    client = web_client(requester_carla)
    request = _request(client, planned_laptop)
    # when
    page = parse(client.get(f"/portal/requests/{request.number}/"))
    # then: her answers as filled (text stays text), the step waiting, no task started
    asked = _section(page, "asked-title").text
    assert planned_laptop.name in asked
    assert "El equipo <b>no</b> enciende" in asked and '27"' in asked
    assert _section(page, "description-title") is None  # the answers say it all
    steps = _steps(page)
    assert steps == ["Awaiting decisions Approval by Mario Duarte",
                     "Not started Preparar el portátil", "Not started Registrar el activo"]

    # when: Mario approves, and the first stage's task starts
    approval = Approval.objects.get(approver=manager_mario)
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=True, comment="Adelante")
    with django_assert_max_num_queries(20):
        response = client.get(f"/portal/requests/{request.number}/")
    page = parse(response)
    # then: the decision with its comment, the task's status, and no link to the task
    steps = _steps(page)
    task = Ticket.objects.get(kind="task", fulfilment_of__title="Preparar el portátil")
    assert steps[0] == "Approved Approval by Mario Duarte Mario Duarte: approved · “Adelante”"
    assert steps[1] == f"{task.get_status_display()} Preparar el portátil"
    assert steps[2] == "Not started Registrar el activo"
    assert task.number not in response.content.decode()


def test_an_incident_shows_no_catalog_sections(web_client, requester_carla, incident):
    page = parse(web_client(requester_carla).get(f"/portal/requests/{incident.number}/"))
    assert _section(page, "asked-title") is None
    assert _steps(page) == []


def test_a_colleague_following_a_shared_request_reads_whose_it_is(
        web_client, admin, it, requester_carla, requester_diego, planned_laptop,
        manager_mario):
    from atiende.core import services as core_services

    core_services.department_update(actor=admin, department=it,
                                    changes={"requesters_share_tickets": True})
    request = _request(web_client(requester_carla), planned_laptop)
    approval = Approval.objects.get(approver=manager_mario)
    approval_services.approval_decide(actor=manager_mario, approval_id=approval.pk,
                                      approve=True, comment="Solo para Carla")
    speak_english(requester_diego)
    page = parse(web_client(requester_diego).get(f"/portal/requests/{request.number}/"))
    assert _section(page, "asked-title").text.startswith("What Carla Rueda asked for")
    # the steps, but not what her manager wrote to her
    assert _steps(page)[0] == "Approved Approval by Mario Duarte"
    assert len(_steps(page)) == 3
