"""The manager approves a request from the e-mail's link on a phone; the tasks appear
for two teams. Also the admin's plan page, on a desktop and a phone."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from atiende.catalog import approval_services, services
from atiende.catalog.approval_links import link_url
from atiende.catalog.models import Approval
from atiende.tickets.models import Kind, Ticket
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures
    browser,
    fill_sign_in_form,
    new_page,
    screenshots,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
_shot = screenshots(os.environ.get("ATIENDE_SHOTS", ""))


def _sign_in(page, user, next_path: str) -> None:
    page.goto(f"/accounts/login/?next={next_path}")
    fill_sign_in_form(page, user)


def test_the_manager_approves_from_the_email_link_on_a_phone(
        admin, vpn, requester_carla, manager_mario, team_redes, team_nomina,
        new_page, live_server, settings):  # noqa: F811
    # given: the manager's approval, then tasks for two teams; Carla asks
    approval_services.approval_plan_save(actor=admin, item=vpn,
                                         steps=[{"approver_kind": "manager"}])
    approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
        {"title": "Crear cuenta VPN", "team": team_redes, "stage": 1},
        {"title": "Registrar en nómina", "team": team_nomina, "stage": 1}])
    request = services.request_submit(actor=requester_carla, item=vpn, answers={})
    approval = Approval.objects.get(approver=manager_mario)
    path = link_url(approval).removeprefix(settings.SITE_URL)
    page = new_page(width=390, height=844, mobile=True)

    # when: Mario opens the e-mail's link (not signed in) and approves
    page.goto(path)
    expect(page.locator("h1")).to_contain_text("Acceso a VPN")
    _shot(page, "link-phone")
    page.locator("button[value=approve]").click()

    # then: his decision is recorded and the tasks exist for both teams
    expect(page.locator("h1")).to_be_visible()
    _shot(page, "link-done-phone")
    tasks = Ticket.objects.filter(parent=request, kind=Kind.TASK)
    assert sorted(tasks.values_list("team__name", flat=True)) == ["Nómina", "Redes"]


def test_the_plan_page_and_the_approvals_list(
        admin, vpn, committee, team_redes, requester_carla, manager_mario, org_cafe,
        new_page, live_server):  # noqa: F811
    approval_services.approval_plan_save(actor=admin, item=vpn, steps=[
        {"approver_kind": "manager"},
        {"approver_kind": "group", "group": committee, "rule": "majority"}])
    approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
        {"title": "Crear cuenta VPN", "team": team_redes, "stage": 1}])
    for _ in range(2):
        services.request_submit(actor=requester_carla, item=vpn, answers={})
    for width, height, mobile, name in ((1280, 900, False, "desktop"),
                                        (390, 844, True, "phone")):
        page = new_page(width=width, height=height, mobile=mobile)
        _sign_in(page, admin, f"/manage/{org_cafe.slug}/catalog/items/{vpn.pk}/plan/")
        expect(page.locator("#step-1-group")).to_have_value(str(committee.pk))
        _shot(page, f"plan-{name}")
        page = new_page(width=width, height=height, mobile=mobile)
        _sign_in(page, manager_mario, "/approvals/")
        expect(page.locator(".approval-row")).to_have_count(2)
        _shot(page, f"approvals-{name}")
        page.locator(".approval-row a").first.click()
        expect(page).to_have_url(re.compile(r"/approvals/\d+/$"))
        _shot(page, f"approval-{name}")


def test_the_requester_follows_tasks_as_plain_lines_on_a_phone(
        admin, vpn, requester_carla, team_redes, team_nomina,
        new_page, live_server):  # noqa: F811
    # given: Carla's request with two tasks under way
    approval_services.fulfilment_plan_save(actor=admin, item=vpn, tasks=[
        {"title": "Crear cuenta VPN", "team": team_redes, "stage": 1},
        {"title": "Registrar en nómina", "team": team_nomina, "stage": 1}])
    request = services.request_submit(actor=requester_carla, item=vpn, answers={})
    tasks = list(Ticket.objects.filter(parent=request, kind=Kind.TASK))
    page = new_page(width=390, height=844, mobile=True)
    # when: she opens her request
    _sign_in(page, requester_carla, f"/tickets/{request.number}/")
    # then: each task is a status line without a link; her list shows no task
    progress = page.locator(".fulfilment-tasks")
    expect(progress).to_contain_text("Crear cuenta VPN")
    expect(progress).to_contain_text("Registrar en nómina")
    expect(progress.locator("a")).to_have_count(0)
    _shot(page, "requester-tasks-phone")
    page.goto("/tickets/")
    expect(page.get_by_text(request.number).first).to_be_visible()
    for task in tasks:
        expect(page.get_by_text(task.number)).to_have_count(0)
