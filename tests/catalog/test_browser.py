"""A requester on a phone finds "Nuevo portátil" in the catalog, answers its form (the
monitor size appears only once a monitor is asked for) and lands on the new request,
which shows the answers as filled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from atiende.catalog.models import RequestAnswers
from tests.browser.conftest import browser, new_page  # noqa: F401 - the browser fixtures
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_requester_asks_for_a_laptop_on_a_phone(requester_carla, laptop, new_page,  # noqa: F811
                                                  live_server):
    # given
    requester_carla.set_password(PASSWORD)
    requester_carla.save(update_fields=["password"])
    page = new_page(width=390, height=844, mobile=True)
    page.goto("/accounts/login/?next=/catalog/")
    page.get_by_label("Correo electrónico").fill(requester_carla.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()

    # when: she searches without the accent and opens the item
    page.locator("#catalog-q").fill("portatil")
    page.locator("#catalog-q").press("Enter")
    page.get_by_role("link", name=re.compile("Nuevo portátil")).click()

    # then: the monitor size shows only once a monitor is asked for
    size = page.locator("#answer-monitor_size")
    expect(size).to_be_hidden()
    page.locator("#answer-monitor").check()
    expect(size).to_be_visible()

    # when: she answers and sends
    page.locator("#answer-reason").fill("El mío ya no enciende")
    size.select_option("27\"")
    page.locator("[data-catalog-form] button[type=submit]").click()

    # then: the request's page shows the answers as filled
    expect(page).to_have_url(re.compile(r"/tickets/REQ-\d+/$"))
    answers = page.locator(".catalog-answers")
    expect(answers).to_contain_text("Tamaño del monitor")
    expect(answers).to_contain_text("27\"")
    assert RequestAnswers.objects.get().answers["monitor_size"] == "27\""
