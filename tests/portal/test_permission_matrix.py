"""The permission matrix of self-service: for each thing a requester might reach that is
not theirs (an item, an article, a ticket, a task, an approval, a survey), each person who
must not reach it gets 404 on every path (portal pages, the API, downloads) exactly as if
it did not exist, and nothing is written. test_scoping.py covers the portal's own item,
article and ticket pages; this adds the API, the downloads, tasks, approvals and surveys.

The people: Rita (`requester_other_org`, another organization), Diego (`requester_diego`,
the same organization, not the requester) and Carla herself where the thing is not hers
to see (the tasks of her request, her manager's approval, internal and draft articles)."""

from __future__ import annotations

import io

import pytest
from django.core.files import File
from django.urls import reverse

from atiende.catalog import approval_services
from atiende.catalog import services as catalog_services
from atiende.catalog.models import Approval, Decision
from atiende.core.models import AuditEvent
from atiende.knowledge import files as knowledge_files
from atiende.portal.models import Deflection
from atiende.satisfaction.models import Survey
from atiende.tickets import attachments
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Attachment, Comment, Event, Kind, ResolutionCode, Status, Ticket
from tests.catalog.conftest import manager_mario  # noqa: F401 - the fixture
from tests.notifications.conftest import deliver  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the things ---------------------------------------------------------------------------


@pytest.fixture
def waiting_request(admin, laptop, requester_carla, manager_mario):  # noqa: F811
    """Carla's laptop request, waiting for Mario's approval."""
    approval_services.approval_plan_save(actor=admin, item=laptop,
                                         steps=[{"approver_kind": "manager"}])
    return catalog_services.request_submit(actor=requester_carla, item=laptop,
                                           answers={"reason": "No enciende"})


@pytest.fixture
def task(admin, certificate, requester_carla, team_nomina):
    """A task of Carla's certificate request, open for team Nómina (HR)."""
    approval_services.fulfilment_plan_save(actor=admin, item=certificate, tasks=[
        {"title": "Firmar el certificado", "team": team_nomina, "stage": 1}])
    request = catalog_services.request_submit(actor=requester_carla, item=certificate,
                                              answers={"to": "Banco"})
    return Ticket.objects.get(parent=request, kind=Kind.TASK)


@pytest.fixture
def survey(incident, agent_ana, team_redes, deliver) -> Survey:  # noqa: F811
    """Carla's incident, resolved: the outbox makes her survey."""
    ticket = ticket_services.ticket_assign(actor=agent_ana, ticket=incident, team=team_redes,
                                           assignee=agent_ana, version=incident.version)
    with deliver():
        ticket_services.ticket_transition(
            actor=agent_ana, ticket=ticket, to_status=Status.RESOLVED, version=ticket.version,
            resolution_code=ResolutionCode.FIXED, resolution_notes="<p>Listo.</p>")
    return Survey.objects.get(ticket=incident)


def _attached(actor, ticket) -> Attachment:
    return attachments.attachment_add(actor=actor, ticket=ticket, channel="web",
                                      uploaded_file=File(io.BytesIO(PDF), name="acta.pdf"))


def _article_file(actor, article):
    return knowledge_files.article_file_add(
        actor=actor, article_id=article.pk,
        uploaded_file=File(io.BytesIO(PDF), name="guia.pdf"))


# --- the paths of each thing: (method, path, body), as the web or the API ---------------


def _item(item) -> dict[str, list]:
    return {
        "web": [("get", f"/portal/catalog/{item.pk}/", None),
                ("post", f"/portal/catalog/{item.pk}/", {"answer-reason": "x"})],
        "api": [("get", f"/api/v1/catalog/items/{item.pk}", None),
                ("post", f"/api/v1/catalog/items/{item.pk}/requests", {"answers": {}})],
    }


def _article(article, file) -> dict[str, list]:
    return {
        "web": [("get", f"/portal/answers/{article.pk}/", None),
                ("get", reverse("knowledge_file_download", args=[article.pk, file.pk]), None)],
        "api": [("get", f"/api/v1/articles/{article.pk}", None),
                ("get", f"/api/v1/articles/{article.pk}/files", None),
                ("get", f"/api/v1/articles/{article.pk}/files/{file.pk}", None)],
    }


def _ticket(ticket, attachment) -> dict[str, list]:
    number = ticket.number
    return {
        "web": [("get", f"/portal/requests/{number}/", None),
                ("get", f"/tickets/{number}/", None),
                ("post", f"/portal/requests/{number}/reply/", {"body": "hola"}),
                ("get", reverse("attachments:download", args=[number, attachment.pk]), None)],
        "api": [("get", f"/api/v1/tickets/{number}", None),
                ("post", f"/api/v1/tickets/{number}/comments", {"body": "hola"}),
                ("get", f"/api/v1/tickets/{number}/attachments", None),
                ("get", f"/api/v1/tickets/{number}/attachments/{attachment.pk}", None)],
    }


def _approval(approval) -> dict[str, list]:
    return {
        "web": [("get", f"/approvals/{approval.pk}/", None),
                ("post", f"/approvals/{approval.pk}/", {"decision": "approve"})],
        "api": [("get", f"/api/v1/approvals/{approval.pk}", None),
                ("post", f"/api/v1/approvals/{approval.pk}/decision", {"decision": "approve"})],
    }


def _survey(survey) -> dict[str, list]:
    number = survey.ticket.number
    return {
        "web": [("get", reverse("satisfaction:answer", args=[number]), None),
                ("post", reverse("satisfaction:answer", args=[number]), {"score": "5"})],
        "api": [("get", f"/api/v1/satisfaction/surveys/{number}", None),
                ("post", f"/api/v1/satisfaction/surveys/{number}/answer", {"score": 5})],
    }


def _footprint() -> dict[str, int]:
    """How much of what a request could write exists."""
    return {
        "tickets": Ticket.objects.count(), "events": Event.objects.count(),
        "comments": Comment.objects.count(), "attachments": Attachment.objects.count(),
        "audit": AuditEvent.objects.count(), "deflections": Deflection.objects.count(),
        "decided": Approval.objects.exclude(decision=Decision.PENDING).count(),
        "answered": Survey.objects.filter(score__isnull=False).count(),
    }


def _assert_all_404(person, paths: dict[str, list], web_client, api_client) -> None:
    clients = {"web": web_client(person), "api": api_client(person)}  # a token is audited
    before = _footprint()
    refused = {}
    for kind, calls in paths.items():
        for method, path, body in calls:
            if method == "get":
                response = clients[kind].get(path)
            elif kind == "api":
                response = clients[kind].post(path, body, content_type="application/json")
            else:
                response = clients[kind].post(path, body)
            if response.status_code != 404:
                refused[f"{method.upper()} {path}"] = response.status_code
    assert refused == {}
    assert _footprint() == before


# --- the matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "item"), [
    ("requester_other_org", "laptop"),        # another organization's department
    ("requester_other_org", "certificate"),   # another organization's other department
    ("requester_carla", "only_other"),        # the shared desk, for Clínica Norte only
])
def test_items_not_offered_to_the_person(request, web_client, api_client, who, item):
    person, found = request.getfixturevalue(who), request.getfixturevalue(item)
    _assert_all_404(person, _item(found), web_client, api_client)


@pytest.mark.parametrize(("who", "article"), [
    ("requester_carla", "internal_note"),
    ("requester_carla", "draft_answer"),
    ("requester_carla", "other_answer"),
    ("requester_other_org", "printer_answer"),
    ("requester_other_org", "internal_note"),
    ("requester_other_org", "draft_answer"),
])
def test_articles_not_public_to_the_person(request, web_client, api_client, agent_ana,
                                           agent_other_org, who, article):
    found = request.getfixturevalue(article)
    author = agent_other_org if article == "other_answer" else agent_ana
    file = _article_file(author, found)
    _assert_all_404(request.getfixturevalue(who), _article(found, file), web_client,
                    api_client)


@pytest.mark.parametrize("who", ["requester_diego", "requester_other_org"])
def test_someone_elses_ticket(request, web_client, api_client, incident, agent_ana, who):
    attachment = _attached(agent_ana, incident)
    _assert_all_404(request.getfixturevalue(who), _ticket(incident, attachment), web_client,
                    api_client)


@pytest.mark.parametrize("who", ["requester_carla", "requester_diego", "requester_other_org"])
def test_a_task_even_of_ones_own_request(request, web_client, api_client, task,
                                        agent_bruno_other_department, who):
    attachment = _attached(agent_bruno_other_department, task)
    _assert_all_404(request.getfixturevalue(who), _ticket(task, attachment), web_client,
                    api_client)


@pytest.mark.parametrize("who", ["requester_carla", "requester_diego", "requester_other_org"])
def test_someone_elses_approval(request, web_client, api_client, waiting_request, who):
    approval = Approval.objects.get(stage__request=waiting_request)
    _assert_all_404(request.getfixturevalue(who), _approval(approval), web_client, api_client)
    assert Approval.objects.get(pk=approval.pk).decision == Decision.PENDING


@pytest.mark.parametrize("who", ["requester_diego", "requester_other_org"])
def test_someone_elses_survey(request, web_client, api_client, survey, who):
    _assert_all_404(request.getfixturevalue(who), _survey(survey), web_client, api_client)
    survey.refresh_from_db()
    assert survey.score is None


def test_the_owners_reach_what_the_others_may_not(
        web_client, api_client, requester_carla, manager_mario, waiting_request,  # noqa: F811
        survey, task, agent_ana, agent_bruno_other_department, printer_answer, laptop):
    """The matrix's paths are the right ones: those whose thing it is get through."""
    carla, carla_api = web_client(requester_carla), api_client(requester_carla)
    approval = Approval.objects.get(stage__request=waiting_request)
    incident = survey.ticket
    reaches = {
        "approval": _approval(approval), "survey": _survey(survey),
        "ticket": _ticket(incident, _attached(agent_ana, incident)),
        "task": _ticket(task, _attached(agent_bruno_other_department, task)),
        "article": _article(printer_answer, _article_file(agent_ana, printer_answer)),
        "item": _item(laptop),
    }
    owners = {"approval": manager_mario, "task": agent_bruno_other_department}
    refused = {}
    for thing, paths in reaches.items():
        person = owners.get(thing)
        clients = ({"web": carla, "api": carla_api} if person is None
                   else {"web": web_client(person), "api": api_client(person)})
        for kind, calls in paths.items():
            for method, path, _body in calls:
                if method != "get" or "/portal/requests/TSK" in path:
                    continue  # the portal lists one's own requests, not the desk's tasks
                status = clients[kind].get(path).status_code
                if status != 200:
                    refused[path] = status
    assert refused == {}
