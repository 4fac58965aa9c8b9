"""An admin sets up an escalation level in the policy editor, in the browser; an agent
reads on the ticket's timeline what the escalations did (desktop and phone)."""

from __future__ import annotations

import os

import pytest
import time_machine
from playwright.sync_api import expect

from atiende.sla import clock_services, escalation_services, policy_services
from atiende.sla.models import EscalationAction, EscalationLevel
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.sla.moments import TUESDAY, local

# Chromium and its pages, as in tests/browser.
browser = browser_fixtures.browser
new_page = browser_fixtures.new_page
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
_shot = browser_fixtures.screenshots(os.environ.get("ESCALATION_SHOTS"))


@pytest.fixture
def policy(org_cafe, admin, cafe_calendar, it):
    return policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Incidentes TI", calendar=cafe_calendar,
        department=it,
        targets=[{"priority": 1, "first_response_minutes": 30, "resolution_minutes": 480},
                 {"priority": 2, "first_response_minutes": 60, "resolution_minutes": 480}])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_admin_adds_a_level_and_an_action(size, request, admin, policy, org_cafe,
                                             team_redes, lead_lucia):
    # given
    page = request.getfixturevalue("new_page")(**(DESKTOP if size == "desktop" else PHONE))
    sign_in(page, admin)
    page.goto(f"/manage/{org_cafe.slug}/sla/{policy.pk}/")
    _shot(page, f"policy-{size}")
    # when: from the policy editor to its escalation levels
    link = page.locator(f"a[href$='/sla/{policy.pk}/escalations/']")
    expect(link).to_be_visible()
    page.goto(link.get_attribute("href"))
    page.locator("[name=level-metric]").select_option("resolution")
    page.locator("[name=level-percent]").fill("150")
    page.locator("form:has([name=level-percent]) button[type=submit]").click()
    expect(page.locator(".escalation-levels")).to_contain_text("150 %")
    page.locator("[name=action-kind]").select_option("reassign")
    page.locator("[name=action-team]").select_option(str(team_redes.pk))
    page.locator("form:has([name=action-kind]) button[type=submit]").click()
    # then
    expect(page.locator(".escalation-levels")).to_contain_text("Redes")
    level = EscalationLevel.objects.get()
    assert (level.metric, level.percent) == ("resolution", 150)
    assert EscalationAction.objects.get().team_id == team_redes.pk
    # and: a bad percent is shown on the form
    page.locator("[name=level-percent]").fill("0")
    page.locator("form:has([name=level-percent]) button[type=submit]").click()
    expect(page.locator("form:has([name=level-percent]) .error")).to_be_visible()
    _shot(page, f"editor-{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_timeline_shows_what_the_escalations_did(
        size, request, admin, policy, org_cafe, it, agent_ana, requester_carla, team_redes,
        lead_lucia, agent_nico):
    # given: the breach reassigned the ticket and raised its priority
    team_redes.lead = lead_lucia
    team_redes.save(update_fields=["lead"])
    warning = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                       metric="resolution", percent=75)
    escalation_services.escalation_action_add(actor=admin, level=warning, kind="notify",
                                              whom=["team_lead"])
    breach = escalation_services.escalation_level_add(actor=admin, policy=policy,
                                                      metric="resolution", percent=100)
    escalation_services.escalation_action_add(actor=admin, level=breach, kind="raise_priority")
    with time_machine.travel(TUESDAY, tick=False):
        ticket = ticket_services.ticket_create(
            actor=agent_ana, kind=Kind.INCIDENT, title="Sin red en contabilidad",
            organization=org_cafe, department=it, requester=requester_carla, channel="phone",
            impact=1, urgency=2, team=team_redes)
        outbox.dispatch()
    with time_machine.travel(local(4, 10), tick=False):
        clock_services.sweep()
        outbox.dispatch()
    # when
    page = request.getfixturevalue("new_page")(**(DESKTOP if size == "desktop" else PHONE))
    sign_in(page, agent_ana)
    page.goto(f"/tickets/{ticket.number}/")
    # then
    timeline = page.locator("body")
    expect(timeline).to_contain_text("Lucía Prieto")
    expect(timeline).to_contain_text("P1")
    _shot(page, f"timeline-{size}")
