"""A requester on a phone signs in to the portal, searches, is offered an answer while
reporting a problem, and the answer solves it; every portal page passes axe-core's
accessibility rules with no serious or critical violation, on a phone and a desktop."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from atiende.portal import selectors
from atiende.portal.models import Deflection
from atiende.tickets.models import Ticket
from tests.browser.conftest import DESKTOP, PHONE, fill_sign_in_form, screenshots
from tests.portal.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = screenshots(os.environ.get("PORTAL_SHOTS"))  # a folder: pages are photographed there


def _sign_in_from(page, user, path: str) -> None:
    """Open `path` signed out, sign in on the page it sends to, and land back on it."""
    page.goto(path)
    expect(page).to_have_url(f"{page.url.split('/accounts/')[0]}/accounts/login/?next={path}")
    fill_sign_in_form(page, user)
    expect(page.locator("header.portal-header")).to_be_visible()


def test_a_requester_finds_the_answer_while_reporting_on_a_phone(
        new_page, requester_carla, vpn_answer, printer_answer, laptop, it):
    # given
    page = new_page(**PHONE)
    _sign_in_from(page, requester_carla, "/portal/")
    # when: she searches "vpn"
    page.locator("#portal-q").fill("vpn")
    page.locator("#portal-q").press("Enter")
    # then
    expect(page.get_by_role("link", name="Conectarse a la VPN")).to_be_visible()
    # when: she starts to report a problem and types its title
    page.goto("/portal/report/")
    page.locator("#id_title").press_sequentially("la impresora no funciona", delay=20)
    suggestion = page.locator("#suggestions a", has_text="La impresora no imprime")
    expect(suggestion).to_be_visible()
    suggestion.click()
    # then: the answer, and she says it solved her problem
    expect(page.locator("h1")).to_have_text("La impresora no imprime")
    page.locator(f"form[action='/portal/answers/{printer_answer.pk}/solved/'] button").click()
    expect(page).to_have_url(f"{page.url.split('/portal/')[0]}/portal/")
    assert selectors.deflection_counts([printer_answer.pk]) == {printer_answer.pk: 1}
    assert Deflection.objects.get().resolved_at is not None
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_portal_pages_pass_axe(new_page, viewport, requester_carla, incident, agent_ana,
                               vpn_answer, printer_answer, laptop, certificate):
    from atiende.tickets import services as ticket_services

    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Vamos</p>")
    page = new_page(**(PHONE if viewport == "phone" else DESKTOP))
    _sign_in_from(page, requester_carla, "/portal/")
    pages = {
        "home": "/portal/",
        "catalog": "/portal/catalog/",
        "item": f"/portal/catalog/{laptop.pk}/",
        "search": "/portal/search/?q=vpn",
        "report": "/portal/report/?title=impresora",
        "answer": f"/portal/answers/{printer_answer.pk}/",
        "requests": "/portal/requests/",
        "ticket": f"/portal/requests/{incident.number}/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("main#main")).to_be_visible()
        _shot(page, f"{viewport}-{name}")
        blocking = violations(page)
        if blocking:
            found[name] = blocking
    assert found == {}


def test_an_admin_brands_the_portal_and_requesters_see_it(new_page, admin, requester_carla,
                                                          org_cafe, tmp_path):
    import io

    from PIL import Image

    logo = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (300, 100), "#0b6e4f").save(out, format="PNG")
    logo.write_bytes(out.getvalue())
    # given
    page = new_page(**DESKTOP)
    page.goto("/accounts/login/")
    fill_sign_in_form(page, admin)
    # when
    page.goto(f"/manage/{org_cafe.slug}/portal/")
    page.locator("input[name=title]").fill("Mesa Café")
    page.locator("input[name=primary_colour]").fill("#0b6e4f")
    page.locator("input[name=logo]").set_input_files(str(logo))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    _shot(page, "desktop-manage")
    # then: Carla's portal wears it
    carla = new_page(**PHONE)
    _sign_in_from(carla, requester_carla, "/portal/")
    expect(carla.locator(".portal-brand")).to_contain_text("Mesa Café")
    expect(carla.locator(".portal-brand img")).to_be_visible()
    expect(carla.locator(".portal-header")).to_have_css("background-color", "rgb(11, 110, 79)")
    _shot(carla, "phone-home-branded")
