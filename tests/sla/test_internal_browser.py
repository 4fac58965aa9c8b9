"""In a real browser: an admin sets an OLA target and a supplier contract next to the SLA
policies; the agent's ticket page shows the team's and the supplier's clocks, and the
next-response wait; on a phone too. Screenshots go to $SLA_SHOTS when set."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from atiende.sla import policy_services
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Kind
from tests.browser.conftest import PHONE, browser, new_page, screenshots, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = screenshots(os.environ.get("SLA_SHOTS"))


def test_an_admin_sets_internal_targets_and_the_agent_sees_their_clocks(
    new_page, admin, agent_ana, requester_carla, org_cafe, it, team_redes, cafe_calendar  # noqa: F811
):
    policy_services.sla_policy_create(
        actor=admin, organization=org_cafe, name="Estándar", calendar=cafe_calendar,
        targets=[{"priority": p, "first_response_minutes": 120, "resolution_minutes": 960,
                  "next_response_minutes": 60} for p in range(1, 6)])
    page = new_page()
    sign_in(page, admin)
    # when: the admin creates an OLA for Redes
    page.goto(f"/manage/{org_cafe.slug}/sla/")
    page.locator(f'a[href="/manage/{org_cafe.slug}/sla/olas/"]').first.click()
    page.locator("select[name=team]").select_option(label=f"{it.name} · {team_redes.name}")
    page.locator("select[name=calendar]").select_option(label=cafe_calendar.name)
    page.locator("input[name=response_minutes]").fill("30")
    page.locator("input[name=resolution_minutes]").fill("240")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("table")).to_contain_text(team_redes.name)
    _shot(page, "olas_desktop")
    # and: a contract with the carrier, the first try with a zero target
    page.goto(f"/manage/{org_cafe.slug}/sla/contracts/")
    page.locator("input[name=supplier]").fill("Claro Empresas")
    page.locator("select[name=calendar]").select_option(label=cafe_calendar.name)
    page.locator("input[name=target_minutes]").fill("0")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".field.has-error")).to_be_visible()
    _shot(page, "contracts_error_desktop")
    page.locator("input[name=target_minutes]").fill("480")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("Claro Empresas")
    _shot(page, "contracts_desktop")
    # then: a ticket of Redes, answered, then the requester writes, then pending with the
    # carrier, shows all its clocks to the agent
    ticket = ticket_services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="Sin enlace a internet", description="",
        organization=org_cafe, department=it, requester=requester_carla, channel="phone",
        team=team_redes)
    ticket_services.comment_add(actor=agent_ana, ticket=ticket, body="Lo revisamos")
    ticket_services.comment_add(actor=requester_carla, ticket=ticket, body="¿Novedades?")
    ticket.refresh_from_db()
    ticket_services.ticket_transition(actor=agent_ana, ticket=ticket, to_status="pending",
                                      pending_reason="third_party", version=ticket.version)
    outbox.dispatch()
    agent = new_page()
    sign_in(agent, agent_ana)
    agent.goto(f"/tickets/{ticket.number}/")
    expect(agent.locator("#sla-internal-title")).to_be_visible()
    expect(agent.locator(".sla-internal")).to_have_count(3)
    _shot(agent, "ticket_desktop")
    phone = new_page(**PHONE)
    sign_in(phone, agent_ana)
    phone.goto(f"/tickets/{ticket.number}/")
    expect(phone.locator("#sla-internal-title")).to_be_attached()
    _shot(phone, "ticket_phone")
    admin_phone = new_page(**PHONE)
    sign_in(admin_phone, admin)
    admin_phone.goto(f"/manage/{org_cafe.slug}/sla/olas/")
    expect(admin_phone.locator("table")).to_contain_text(team_redes.name)
    _shot(admin_phone, "olas_phone")
