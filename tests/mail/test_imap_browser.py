"""In a real browser: an organization admin sets up IMAP polling for a mailbox and sees
the last error on the mailbox's page; an agent sees an e-mail's inline image in place
on the ticket. On a desktop and on a phone."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from atiende.mail.models import ImapAccount
from tests.browser.conftest import DESKTOP, PHONE, screenshots, sign_in
from tests.mail.conftest import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": DESKTOP, "phone": PHONE}
SOPORTE = "soporte@cafemontana.example"
_shot = screenshots(os.environ.get("SCREENSHOTS_DIR"))  # for a person to look at


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_sets_up_imap_polling_and_sees_its_last_error(new_page, world, size):
    # given
    mailbox = world.mailboxes[SOPORTE]
    page = new_page(**SIZES[size])
    sign_in(page, world.admin)

    # when: from the mailbox's page to its IMAP settings, filled and saved
    page.goto(f"/manage/cafe-montana/mailboxes/{mailbox.pk}/")
    expect(page.locator("#imap-status")).to_contain_text("IMAP")
    page.locator(f"a[href$='/mailboxes/{mailbox.pk}/imap/']").click()
    page.locator("input[name=host]").fill("outlook.office365.com")
    page.locator("select[name=auth]").select_option("oauth2_client")
    page.locator("input[name=secret]").fill("valor-del-secreto")
    page.locator("input[name=oauth_token_url]").fill(
        "https://login.microsoftonline.com/cafemontana.example/oauth2/v2.0/token")
    page.locator("input[name=oauth_client_id]").fill("6f1c0e7a-0000-4000-8000-000000000001")
    page.locator("input[name=oauth_scope]").fill("https://outlook.office365.com/.default")
    _shot(page, f"imap-form-{size}")
    page.locator("form.card button.btn-primary").click()

    # then
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("input[name=secret]")).to_have_value("")
    account = ImapAccount.objects.get(mailbox=mailbox)
    assert (account.auth, account.secret) == ("oauth2_client", "valor-del-secreto")

    # and when a poll fails, the mailbox's page says why
    ImapAccount.objects.filter(pk=account.pk).update(
        last_polled_at=timezone.now(), last_error_at=timezone.now(),
        last_error="The server refused to sign in soporte@cafemontana.example: "
                   "AUTHENTICATE failed.")
    page.goto(f"/manage/cafe-montana/mailboxes/{mailbox.pk}/")
    expect(page.locator("#imap-status")).to_contain_text("AUTHENTICATE failed.")
    _shot(page, f"mailbox-imap-error-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_an_agent_sees_an_emails_inline_image_in_place(new_page, world, size):
    # given
    ticket = deliver(world, "inline-image-cid.eml").ticket
    page = new_page(**SIZES[size])
    sign_in(page, world.ana)

    # when
    page.goto(f"/tickets/{ticket.number}/")

    # then: the image is loaded from its attachment address
    image = page.locator(".ticket-description img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.ticket-description img');"
        " return i && i.complete && i.naturalWidth > 0; }")
    assert f"/tickets/{ticket.number}/attachments/" in image.get_attribute("src")
    _shot(page, f"ticket-inline-image-{size}")
