"""In a real browser, on a desktop and on a phone: an organization admin tests the
IMAP connection of a mailbox against a real Dovecot and reads the answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atiende.mail.models import ImapAccount, ImapSecurity
from tests.browser.conftest import sign_in
from tests.mail.conftest import eml
from tests.mail.test_imap_browser import SIZES, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOPORTE = "soporte@cafemontana.example"


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_tests_the_imap_connection(new_page, world, dovecot, size):
    mailbox = world.mailboxes[SOPORTE]
    ImapAccount.objects.create(mailbox=mailbox, host=dovecot.host, port=dovecot.port,
                               security=ImapSecurity.NONE, username=SOPORTE,
                               secret=dovecot.users[SOPORTE], after_target="Procesados")
    dovecot.append(SOPORTE, [eml("new-plain-es.eml")])
    page = new_page(**SIZES[size])
    sign_in(page, world.admin)
    page.goto(f"/manage/{mailbox.organization.slug}/mailboxes/{mailbox.pk}/imap/")

    page.locator("form[action$='/imap/test/'] button").click()

    expect(page.locator(".messages .alert-success")).to_contain_text("1")
    _shot(page, f"imap-test-{size}")
