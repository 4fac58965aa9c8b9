"""The whole self-service story on a phone: Carla finds an answer, asks for a new laptop
through a conditional form, her manager approves from the e-mail's link, two teams do
their tasks, the request resolves by itself and Carla rates it from the resolved e-mail.
The e-mails travel through a real SMTP server; what commits schedules (the outbox, the
e-mail deliveries) runs as it does in production, on the immediate task backend. Every
portal page on the way passes axe-core with no serious or critical violation."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from atiende.catalog import approval_services
from atiende.catalog.models import Approval, Decision, RequestAnswers
from atiende.satisfaction.models import Survey
from atiende.tickets.models import Kind, Status, Ticket
from tests.browser.conftest import PHONE, fill_sign_in_form, requests_in_flight, screenshots
from tests.catalog.conftest import manager_mario  # noqa: F401 - the fixture
from tests.notifications.conftest import smtp, soporte, to  # noqa: F401 - the fixtures
from tests.portal.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = screenshots(os.environ.get("JOURNEY_SHOTS"))


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page in a fresh context (each person their own cookies); like
    `new_page`, any answer of 400 or more and any script error fails the test, except the
    refusals the test says it expects (`page.allow(status, path)`)."""
    contexts = []
    failures: list[str] = []
    allowed: list[tuple[int, str]] = []

    def answered(response):
        if response.status < 400:
            return
        expected = (response.status, urlsplit(response.url).path)
        if expected in allowed:
            allowed.remove(expected)
        else:
            failures.append(f"{response.status} {response.url}")

    def make():
        context = browser.new_context(
            base_url=live_server.url, locale="es-CO",
            viewport={"width": PHONE["width"], "height": PHONE["height"]},
            is_mobile=True, has_touch=True, device_scale_factor=3)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", answered)
        page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
        page.allow = lambda status, path: allowed.append((status, path))
        return page

    in_flight = requests_in_flight(live_server)
    yield make
    for context in contexts:
        context.close()
    in_flight.wait_idle()
    assert failures == []
    assert allowed == [], "an expected refusal did not happen"


@pytest.fixture
def laptop_plan(admin, laptop, team_redes, team_nomina, manager_mario):  # noqa: F811
    """The laptop waits for the requester's manager, then two teams work in parallel."""
    approval_services.approval_plan_save(actor=admin, item=laptop,
                                         steps=[{"approver_kind": "manager"}])
    approval_services.fulfilment_plan_save(actor=admin, item=laptop, tasks=[
        {"title": "Preparar el equipo", "team": team_redes, "stage": 1},
        {"title": "Registrar el activo", "team": team_nomina, "stage": 1}])
    return laptop


def _accessible(page, visited: dict[str, list]) -> None:
    """Record the page's serious and critical accessibility violations, if any."""
    found = violations(page)
    if found:
        visited[urlsplit(page.url).path] = found


def _link(message, pattern: str) -> str:
    """The path of the first link of `message`'s text that matches `pattern`."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"https?://\S*{pattern}\S*", text)
    assert match, text
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_requester_serves_herself_end_to_end_on_a_phone(
        phone, smtp, soporte, requester_carla, manager_mario, agent_ana,  # noqa: F811
        agent_bruno_other_department, vpn_answer, laptop_plan, api_client):
    carla = phone()
    audit: dict[str, list] = {}

    # Carla signs in from the portal's address and lands back on it.
    carla.goto("/portal/")
    fill_sign_in_form(carla, requester_carla)
    expect(carla.locator("header.portal-header")).to_be_visible()
    _accessible(carla, audit)
    shot(carla, "01-home")

    # She searches "vpn": the answer is found.
    carla.locator("#portal-q").fill("vpn")
    carla.locator("#portal-q").press("Enter")
    expect(carla.get_by_role("link", name="Conectarse a la VPN")).to_be_visible()
    _accessible(carla, audit)
    shot(carla, "02-search")

    # Starting to report it instead, the same answer is suggested as she types; she opens it.
    carla.goto("/portal/report/")
    carla.locator("#id_title").press_sequentially("no conecta la vpn", delay=20)
    suggestion = carla.locator("#suggestions a", has_text="Conectarse a la VPN")
    expect(suggestion).to_be_visible()
    _accessible(carla, audit)
    shot(carla, "02b-report-suggestion")
    suggestion.click()
    expect(carla.locator("h1")).to_have_text("Conectarse a la VPN")
    expect(carla.locator("main")).to_contain_text("Descargue el cliente VPN")
    _accessible(carla, audit)
    shot(carla, "03-answer")

    # She asks for a new laptop: the monitor size appears only once she wants a monitor.
    carla.goto("/portal/catalog/")
    _accessible(carla, audit)
    shot(carla, "04-catalog")
    carla.get_by_role("link", name=re.compile("Nuevo portátil")).first.click()
    expect(carla.locator("h1")).to_have_text("Nuevo portátil")
    size = carla.locator("[data-key=monitor_size]")
    expect(size).to_be_hidden()
    _accessible(carla, audit)
    shot(carla, "05-item")
    carla.get_by_label("¿Necesita monitor adicional?").check()
    expect(size).to_be_visible()
    carla.get_by_label("Tamaño del monitor").select_option('27"')
    shot(carla, "06-item-conditional")

    # Without the required reason the request is refused, and nothing is sent.
    item_path = f"/portal/catalog/{laptop_plan.pk}/"
    carla.allow(422, item_path)
    carla.get_by_role("button", name="Enviar solicitud").click()
    expect(carla.locator(".alert-error")).to_be_visible()
    expect(carla.locator("[data-key=reason] .error")).to_be_visible()
    assert not Ticket.objects.exists()
    _accessible(carla, audit)
    shot(carla, "07-item-refused")

    # Her other answers are kept; she gives the reason and sends it.
    expect(carla.get_by_label("¿Necesita monitor adicional?")).to_be_checked()
    expect(carla.get_by_label("Tamaño del monitor")).to_have_value('27"')
    carla.get_by_label("Motivo").fill("El equipo actual no enciende.")
    carla.get_by_role("button", name="Enviar solicitud").click()
    expect(carla).to_have_url(re.compile(r"/portal/requests/REQ-\d+/$"))
    request = Ticket.objects.get(kind=Kind.SERVICE_REQUEST)
    assert RequestAnswers.objects.get(ticket=request).answers == {
        "reason": "El equipo actual no enciende.", "monitor": True, "monitor_size": '27"'}
    assert request.status == Status.PENDING
    # she is told the request awaits an approval, not an answer of hers
    expect(carla.locator(".promise")).to_have_text(re.compile("aprobación|approval"))
    # and follows it step by step: her manager's approval first, then the two tasks
    expect(carla.locator(".approval-step")).to_contain_text("Esperando decisiones")
    expect(carla.locator(".task-step")).to_have_count(2)
    _accessible(carla, audit)
    shot(carla, "08-request-waiting")

    # Mario, her manager, approves from the link in the e-mail he received.
    approval_mail = [message for message in to(smtp, manager_mario.email)
                     if request.number in message["Subject"]]
    assert len(approval_mail) == 1
    mario = phone()
    mario.goto(_link(approval_mail[0], "/approvals/link/"))
    expect(mario.locator("h1")).to_contain_text("Nuevo portátil")
    _accessible(mario, audit)
    shot(mario, "09-approval-link")
    mario.locator("button[value=approve]").click()
    expect(mario.locator("h1")).to_be_visible()
    _accessible(mario, audit)
    shot(mario, "10-approval-done")
    assert Approval.objects.get(approver=manager_mario).decision == Decision.APPROVED

    # Two tasks appear at once, one for each team.
    tasks = {task.team.name: task for task in Ticket.objects.filter(
        parent=request, kind=Kind.TASK).select_related("team")}
    assert sorted(tasks) == ["Nómina", "Redes"]

    # Ana (team Redes) resolves hers in the agent workspace.
    ana = phone()
    ana.goto("/accounts/login/")
    fill_sign_in_form(ana, agent_ana)
    ana.goto(f"/tickets/{tasks['Redes'].number}/")
    ana.locator("summary.btn-resolve").click()
    ana.locator("#resolve-resolution_code").select_option("fixed")
    ana.locator("#resolve-resolution_notes").fill("Equipo preparado y entregado.")
    ana.locator("details[open] .action-panel button[type=submit]").click()
    expect(ana.locator("[data-ticket-status]")).to_have_attribute(
        "data-ticket-status", "resolved")
    shot(ana, "11-task-resolved")
    request.refresh_from_db()
    assert request.status != Status.RESOLVED  # the other team's task is still open

    # Bruno (team Nómina) resolves his through the API.
    bruno = api_client(agent_bruno_other_department)
    task = bruno.get(f"/api/v1/tickets/{tasks['Nómina'].number}")
    assert task.status_code == 200, task.content
    done = bruno.post(
        f"/api/v1/tickets/{tasks['Nómina'].number}/transitions",
        {"status": "resolved", "resolution_code": "fixed",
         "resolution_notes": "Activo registrado."},
        content_type="application/json", headers={"If-Match": task.headers["ETag"]})
    assert done.status_code == 200, done.content

    # The request resolves by itself; Carla sees it in the portal.
    request.refresh_from_db()
    assert request.status == Status.RESOLVED
    carla.goto("/portal/requests/")
    expect(carla.locator("main")).to_contain_text(request.number)
    _accessible(carla, audit)
    shot(carla, "12-requests")
    carla.goto(f"/portal/requests/{request.number}/")
    expect(carla.locator("main")).to_contain_text("Resuelto")
    expect(carla.locator(".approval-step")).to_have_text(
        re.compile(r"^\s*Aprobada\s+Aprobación de Mario Duarte\s*$"))
    for step in carla.locator(".task-step").all():
        expect(step).to_contain_text("Resuelto")
    _accessible(carla, audit)
    shot(carla, "13-request-resolved")

    # She rates it 5 from the resolved e-mail's link, with a comment.
    resolved_mail = [message for message in to(smtp, requester_carla.email)
                     if "/satisfaction/answer/" in message.get_body(
                         preferencelist=("plain",)).get_content()]
    assert len(resolved_mail) == 1
    carla.goto(_link(resolved_mail[0], r"/satisfaction/answer/\S*score=5"))
    expect(carla.locator("input[name=score][value='5']")).to_be_checked()
    carla.locator("textarea[name=comment]").fill("Rápido y sin vueltas, gracias.")
    _accessible(carla, audit)
    shot(carla, "14-survey")
    carla.get_by_role("button").last.click()
    expect(carla.locator(".survey-thanks")).to_be_visible()
    _accessible(carla, audit)
    shot(carla, "15-thanks")
    survey = Survey.objects.get(ticket=request)
    assert (survey.score, survey.comment) == (5, "Rápido y sin vueltas, gracias.")

    assert audit == {}
