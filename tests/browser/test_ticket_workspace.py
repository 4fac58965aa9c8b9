"""An agent finds Carla's ticket in a queue, replies, assigns and resolves it; Carla has
the ticket open on her phone and sees each change arrive without reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atiende.tickets import services
from atiende.tickets.models import Kind, Status, Ticket
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages poll every 10 seconds; a change shows up within one period.
LIVE = 25_000
_sign_in = sign_in  # the name tests/sla/test_compliance_browser.py imports from here


@pytest.fixture
def desk(agent_ana, requester_carla, requester_diego, org_cafe, it, team_redes):
    for title, requester in (("Sin acceso a la VPN", requester_diego),
                             ("La impresora del piso 3 no imprime", requester_carla),
                             ("Cambio de clave del correo", requester_diego)):
        services.ticket_create(actor=agent_ana, kind=Kind.INCIDENT, title=title,
                               organization=org_cafe, department=it, requester=requester)
    return Ticket.objects.get(title__startswith="La impresora")


def test_an_agent_works_a_ticket_while_the_requester_watches_it_live(
    new_page, desk, agent_ana, agent_nico, requester_carla
):
    # given: Carla follows her ticket on her phone
    carla = new_page(**PHONE)
    sign_in(carla, requester_carla)
    carla.goto(f"/tickets/{desk.number}/")
    carla.evaluate("window.stillTheSamePage = true")
    expect(carla.locator("[data-ticket-status]")).to_have_attribute("data-ticket-status", "new")

    # when: Ana looks for Carla's tickets in the queue of everything she can see
    ana = new_page(**DESKTOP)
    sign_in(ana, agent_ana)
    ana.goto("/tickets/?queue=all")
    expect(ana.locator("tr.queue-row")).to_have_count(3)
    ana.locator("input[name=requester]").fill("carla")
    ana.locator("input[name=requester]").press("Enter")
    expect(ana.locator("tr.queue-row")).to_have_count(1)
    ana.get_by_role("link", name="La impresora del piso 3 no imprime").click()
    expect(ana).to_have_url(f"{ana.url.split('/tickets/')[0]}/tickets/{desk.number}/")

    # and replies to her
    ana.locator("#comment-body").fill("Hola Carla, voy a revisar la impresora.")
    ana.locator("#reply-form button[type=submit]").click()
    expect(ana.locator(".comment .rich")).to_have_text(["Hola Carla, voy a revisar la impresora."])
    expect(ana.locator("#comment-body")).to_have_value("")

    # then: the reply reaches Carla's open page
    expect(carla.locator(".comment .rich")).to_have_text(
        ["Hola Carla, voy a revisar la impresora."], timeout=LIVE)

    # when: Ana gives the ticket to team Redes and to herself (the team's agents load
    # once the team is chosen)
    ana.locator("#assignment summary").first.click()
    expect(ana.locator("#assign-assignee option")).to_have_count(3)  # nobody, Ana, Nicolás
    ana.locator("#assign-team").select_option(label="Redes")
    expect(ana.locator("#assign-assignee option")).to_have_count(2)  # nobody, Ana
    expect(ana.locator("#assign-assignee option").last).to_have_text("Ana Gómez")
    ana.locator("#assign-assignee").select_option(label="Ana Gómez")
    ana.locator("#assignment form[action$='/assign/'] button[type=submit]").click()
    expect(ana.locator("[data-ticket-status]")).to_have_attribute(
        "data-ticket-status", "assigned")
    expect(ana.locator(".ticket-owner")).to_contain_text("Ana Gómez")

    # then: Carla sees who has her ticket
    expect(carla.locator(".ticket-owner")).to_contain_text("Ana Gómez", timeout=LIVE)

    # when: Ana resolves it
    ana.locator("summary.btn-resolve").click()
    ana.locator("#resolve-resolution_code").select_option("fixed")
    ana.locator("#resolve-resolution_notes").fill("Cambiamos el tóner.")
    ana.locator("details[open] .action-panel button[type=submit]").click()
    expect(ana.locator("[data-ticket-status]")).to_have_attribute(
        "data-ticket-status", "resolved")

    # then: Carla's page shows the resolution, and it is still the page she opened
    expect(carla.locator("[data-ticket-status]")).to_have_attribute(
        "data-ticket-status", "resolved", timeout=LIVE)
    expect(carla.locator(".resolution")).to_contain_text("Cambiamos el tóner.")
    assert carla.evaluate("window.stillTheSamePage") is True
    desk.refresh_from_db()
    assert (desk.status, desk.assignee, desk.resolution_code) == (
        Status.RESOLVED, agent_ana, "fixed")


def test_an_agent_works_the_queue_from_the_keyboard(new_page, desk, agent_ana):
    # given
    ana = new_page(**DESKTOP)
    sign_in(ana, agent_ana)
    ana.goto("/tickets/?queue=all")
    rows = ana.locator("tr.queue-row")
    expect(rows).to_have_count(3)

    # when: she moves down twice, ticks, moves up, ticks
    for key in ("j", "j", "x", "k", "x"):
        ana.keyboard.press(key)

    # then: the first two are ticked and the bar says so
    expect(rows.nth(0)).to_have_class("queue-row is-current")
    ticked = ana.locator("input[name=tickets]:checked")
    expect(ticked).to_have_count(2)
    expect(ana.locator("[data-selected-count]")).to_contain_text("2")

    # when: she assigns the ticked tickets to herself in one go
    ana.locator("details.bulk-action summary").first.click()
    ana.locator("#bulk-form select[name=assignee]").select_option("me")
    ana.locator("#bulk-form button[value=assign]").click()

    # then: each ticket reports it is done, and the queue shows her as the assignee
    expect(ana.locator(".outcome-done")).to_have_count(2)
    expect(ana.locator("td.col-assignee", has_text="Ana Gómez")).to_have_count(2)

    # when: she asks for the shortcuts' help
    ana.keyboard.press("Escape")
    ana.locator("body").click(position={"x": 5, "y": 300})
    ana.keyboard.press("?")

    # then
    expect(ana.locator("#shortcuts")).to_be_visible()
    ana.keyboard.press("Escape")
    expect(ana.locator("#shortcuts")).to_be_hidden()

    # when: on the ticket, "n" starts an internal note, and Ctrl+Enter sends it
    ana.goto(f"/tickets/{desk.number}/")
    ana.keyboard.press("n")
    expect(ana.locator("#comment-body")).to_be_focused()
    ana.keyboard.type("Revisar el tóner antes de llamar.")
    ana.keyboard.press("Control+Enter")

    # then
    expect(ana.locator(".comment-internal .rich")).to_have_text(
        ["Revisar el tóner antes de llamar."])


def test_an_agent_unfolds_the_filters_and_filters_by_team(new_page, desk, agent_ana,
                                                          team_redes):
    # given: one of the three tickets is the team's; the folded filters are not loaded
    services.ticket_assign(actor=agent_ana, ticket=desk, team=team_redes, assignee=None,
                           version=desk.version)
    ana = new_page(**DESKTOP)
    sign_in(ana, agent_ana)
    ana.goto("/tickets/?queue=all")
    expect(ana.locator("tr.queue-row")).to_have_count(3)
    assert ana.locator(".queue-filters select[name=team]").count() == 0

    # when: she unfolds them and picks her team
    ana.locator("details.more-filters summary").click()
    ana.locator(".queue-filters select[name=team]").select_option(str(team_redes.pk))

    # then: the queue shows the team's ticket only, and the URL keeps the filter
    expect(ana.locator("tr.queue-row")).to_have_count(1)
    expect(ana.locator("tr.queue-row")).to_have_attribute("data-number", desk.number)
    assert f"team={team_redes.pk}" in ana.url
