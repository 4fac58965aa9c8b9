"""A department manager opens the SLA report from the menu on a computer and on a
phone, reads the chart and the table, and drills down to a breached ticket."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from atiende.core.models import Role
from tests.browser.conftest import browser, new_page  # noqa: F401
from tests.browser.test_ticket_workspace import DESKTOP, PHONE, _sign_in
from tests.factories import MembershipFactory, UserFactory
from tests.sla.test_compliance import _clock, _ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("COMPLIANCE_SHOTS")  # a folder to keep screenshots in, if set


@pytest.fixture
def manager_it(org_cafe, it):
    user = UserFactory(email="irene@cafemontana.example", display_name="Irene Vargas",
                       organization=org_cafe)
    MembershipFactory(user=user, organization=org_cafe, department=it,
                      role=Role.DEPARTMENT_MANAGER)
    return user


@pytest.fixture
def clocks(cafe_policy, agent_ana, requester_carla, org_cafe, it, team_redes):
    now = timezone.now()
    for position in range(12):
        created = now - dt.timedelta(days=31 * (position % 4), hours=1)
        ticket = _ticket(agent_ana, requester_carla, org_cafe, it, created=created,
                         team=team_redes if position % 3 else None, priority=position % 5 + 1,
                         title=f"La VPN no conecta desde la sede {position}")
        _clock(ticket, cafe_policy, "first_response",
               "breached" if position % 4 == 0 else "met", 600 * (position + 1))
        _clock(ticket, cafe_policy, "resolution",
               "breached" if position % 5 == 0 else "met", 5400 * (position + 1))


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_manager_reads_the_report_and_drills_down(new_page, clocks, manager_it, size):  # noqa: F811
    page = new_page(**size)
    _sign_in(page, manager_it)
    if size is PHONE:
        page.goto("/sla/compliance/")
    else:
        page.locator("nav.mainnav a[href='/sla/compliance/']").click()
    expect(page.locator("h1")).to_have_text(re.compile("Cumplimiento de ANS|SLA compliance"))
    page.locator("#c-grouping").select_option("team")
    page.locator("form.compliance-filters button[type=submit]").click()
    expect(page.locator(".compliance-table tbody th").first).to_have_text("Redes")
    expect(page.locator(".compliance-chart li")).to_have_count(6)
    name = "desktop" if size is DESKTOP else "phone"
    _shot(page, f"compliance-{name}")
    page.locator(".compliance-table a[href*='/sla/compliance/breached/']").first.click()
    expect(page.locator("h1")).to_have_text(re.compile("Casos incumplidos|Breached tickets"))
    _shot(page, f"compliance-breached-{name}")
    page.locator(".compliance-breached a[href^='/tickets/']").first.click()
    expect(page.locator("h1")).to_contain_text("La VPN no conecta")
