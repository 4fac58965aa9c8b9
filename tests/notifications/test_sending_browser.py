"""On a desktop and on a phone: an admin sets the organization's own SMTP server and
sends a test e-mail; a requester opens a notification from the list (a form: opening
marks it read) and lands on the ticket."""

from __future__ import annotations

import os

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from atiende.notifications.models import Notification, OutboundMailSettings
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from tests.browser.conftest import (  # noqa: F401 (the browser fixtures)
    DESKTOP,
    PHONE,
    browser,
    new_page,
    screenshots,
    sign_in,
)
from tests.notifications.conftest import _free_port, _Handler

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = screenshots(os.environ.get("SCREENSHOTS_DIR"))  # for a person to look at
SIZES = [DESKTOP, PHONE]


@pytest.fixture
def own_server():
    handler = _Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_sets_an_own_smtp_server_and_sends_a_test_email(
        new_page, admin, own_server, size):  # noqa: F811
    page = new_page(**size)
    sign_in(page, admin)
    page.goto("/manage/cafe-montana/notifications/sending/")
    form = page.locator("form#smtp")
    form.locator("input[name=smtp_host]").fill("127.0.0.1")
    form.locator("input[name=smtp_port]").fill(str(own_server.port))
    form.locator("select[name=smtp_security]").select_option("none")
    form.locator("select[name=smtp_auth]").select_option("none")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert OutboundMailSettings.objects.get().smtp_host == "127.0.0.1"

    page.locator("form[action$='/sending/test/'] button").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    assert [item.rcpt_tos for item in own_server.messages] == [[admin.email]]
    _shot(page, f"sending-smtp-{size['width']}")


@pytest.mark.parametrize("size", SIZES)
def test_a_requester_opens_a_notification_and_lands_on_the_ticket(
        new_page, incident, agent_ana, requester_carla, size):  # noqa: F811
    outbox.dispatch()
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Ya voy</p>")
    outbox.dispatch()
    page = new_page(**size)
    sign_in(page, requester_carla)
    page.goto("/notifications/")
    _shot(page, f"notifications-list-{size['width']}")

    page.locator("form.notif-open button").first.click()

    expect(page).to_have_url(f"/tickets/{incident.number}/")
    assert Notification.objects.get(channel="in_app").read_at is not None
