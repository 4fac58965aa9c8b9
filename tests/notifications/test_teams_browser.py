"""An organization admin connects a Microsoft Teams channel and sends it a test card, and
connects a mailbox to Microsoft 365, on a desktop and on a phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from atiende.mail.models import Mailbox
from atiende.notifications.models import TeamsChannel, TeamsPost
from tests.browser.conftest import (  # noqa: F401 (the browser fixtures)
    DESKTOP,
    PHONE,
    browser,
    new_page,
    screenshots,
    sign_in,
)
from tests.notifications.teams_double import TeamsWebhookDouble

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_shot = screenshots(os.environ.get("SCREENSHOTS_DIR"))  # for a person to look at
SIZES = [DESKTOP, PHONE]


@pytest.fixture
def webhook(settings):
    double = TeamsWebhookDouble()
    double.start()
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    try:
        yield double
    finally:
        double.stop()


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_connects_a_teams_channel_and_sends_a_test_card(
        new_page, admin, it, team_redes, webhook, size):  # noqa: F811 (the imported fixture)
    page = new_page(**size)
    sign_in(page, admin)
    # when: from the notifications page to Microsoft Teams, a new channel
    page.goto("/manage/cafe-montana/notifications/")
    page.locator("a[href$='/notifications/teams/']").click()
    page.locator("input[name=name]").fill("Redes · Incidentes")
    page.locator("select[name=department]").select_option(str(it.pk))
    page.locator("select[name=team]").select_option(str(team_redes.pk))
    page.locator("input[name=webhook_url]").fill(webhook.url)
    page.locator("input[name=events][value=team_assigned]").check()
    _shot(page, f"teams-new-{size['width']}")
    page.locator("form.card button[type=submit]").click()
    # then: the channel page, where the URL is not shown, and the test button works
    expect(page.locator(".alert-success")).to_be_visible()
    assert webhook.url not in page.content()
    page.locator("form[action$='/test/'] button").click()
    expect(page.locator("table tbody tr").first.locator(".badge-ok")).to_be_visible()
    _shot(page, f"teams-channel-{size['width']}")
    channel = TeamsChannel.objects.get()
    assert channel.events == ["ticket_created", "team_assigned", "sla_breached"]
    assert TeamsPost.objects.get().state == "sent"
    assert len(webhook.cards) == 1


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_connects_a_mailbox_to_microsoft_365(
        new_page, admin, it, size):  # noqa: F811 (the imported fixture)
    mailbox = Mailbox.objects.create(address="soporte@cafemontana.example",
                                     organization=it.organization, department=it)
    page = new_page(**size)
    sign_in(page, admin)
    page.goto(f"/manage/cafe-montana/mailboxes/{mailbox.pk}/")
    page.locator(f"a[href$='/mailboxes/{mailbox.pk}/microsoft-365/']").click()
    page.locator("input[name=enabled]").check()
    page.locator("input[name=tenant_id]").fill("no-es-un-tenant")
    page.locator("input[name=client_id]").fill("a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d")
    page.locator("input[name=client_secret]").fill("Zx8Q~secreto")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    _shot(page, f"graph-mailbox-error-{size['width']}")
    page.locator("input[name=tenant_id]").fill("72f988bf-86f1-41af-91ab-2d7cd011db47")
    page.locator("input[name=client_secret]").fill("Zx8Q~secreto")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert "Zx8Q~secreto" not in page.content()
    _shot(page, f"graph-mailbox-{size['width']}")
    mailbox.refresh_from_db()
    assert (mailbox.graph_enabled, mailbox.graph_client_secret) == (True, "Zx8Q~secreto")
