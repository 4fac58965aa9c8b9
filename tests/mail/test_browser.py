"""An organization admin finds a message held for review, reads it and retries it: it
becomes a ticket, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atiende.mail.models import InboundMessage
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.mail.conftest import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [DESKTOP, PHONE])
def test_an_admin_retries_held_mail_and_a_ticket_is_opened(new_page, world, size):
    # given: a stranger's message held at Clínica Norte, and a bounce nobody must see
    held = deliver(world, "unknown-sender-hold.eml").message
    deliver(world, "dsn-bounce.eml")
    page = new_page(**size)
    sign_in(page, world.admin_other_org)

    # when: the admin opens the held mail from the administration tabs
    page.goto("/manage/clinica-norte/mailboxes/")
    page.locator("nav.tabs a[href$='/mail-quarantine/']").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Necesito acceso a historias clinicas")
    rows.first.locator("a").first.click()
    expect(page.locator("pre")).to_contain_text("Por favor denme acceso.")
    page.locator(f"form[action$='/{held.pk}/retry/'] button").click()

    # then
    expect(page.locator(".alert-success")).to_contain_text("INC-000002")
    expect(page.locator("table tbody tr")).to_have_count(1)  # the "nothing waits" row
    assert InboundMessage.objects.get(pk=held.pk).state == "processed"
