"""Playwright (sync API) driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844, "mobile": True}
DESKTOP = {"width": 1280, "height": 800, "mobile": False}


class _RequestsInFlight:
    """The live server's application, counting the requests it is still answering: a
    page closed mid-request (a live refresh, say) leaves one running, and emptying the
    database under it would deadlock (PostgreSQL) or fail."""

    def __init__(self, app) -> None:
        self.app, self.count, self.lock = app, 0, threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            result = self.app(environ, start_response)
            try:
                return list(result)  # all its work done here
            finally:
                # WSGI asks the server to close what the application returned. Left to
                # the garbage collector, a served file's close (Django's response.close,
                # which sends request_finished) would run in whichever thread collects
                # it, and close that thread's database connection mid-transaction.
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.lock:
                self.count -= 1

    def wait_idle(self, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while self.count and time.monotonic() < deadline:
            time.sleep(0.02)


def requests_in_flight(live_server) -> _RequestsInFlight:
    server = live_server.thread.httpd
    if not isinstance(server.get_app(), _RequestsInFlight):
        server.set_app(_RequestsInFlight(server.get_app()))
    return server.get_app()


@pytest.fixture(scope="module")
def browser(django_db_setup) -> Iterator:
    """One chromium per test module. Missing chromium fails the test: `make browser`.

    Playwright's sync API keeps an event loop running in the test thread while it is open;
    the tests still use the database synchronously, which Django refuses inside a running
    loop unless DJANGO_ALLOW_ASYNC_UNSAFE says so. Both are limited to the browser tests
    (the test database is made before), so elsewhere the check keeps finding mistakes."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True, timeout=30_000)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh context (no cookies) of the given size, speaking Spanish like our
    requesters' browsers; every answer of 400 or more and every script error fails."""
    contexts = []
    failures: list[str] = []

    def make(*, width: int = 1280, height: int = 800, mobile: bool = False):
        context = browser.new_context(
            base_url=live_server.url, locale="es-CO", viewport={"width": width, "height": height},
            is_mobile=mobile, has_touch=mobile, device_scale_factor=3 if mobile else 1,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda response: response.status >= 400 and failures.append(
            f"{response.status} {response.url}"))
        page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
        return page

    in_flight = requests_in_flight(live_server)
    yield make
    for context in contexts:
        context.close()
    in_flight.wait_idle()
    assert failures == []


def fill_sign_in_form(page, user) -> None:
    """Give `user` the known test password and submit the sign-in form open on `page`."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def sign_in(page, user) -> None:
    """Sign `user` in from the sign-in page, as a person would, and wait for the menu."""
    page.goto("/accounts/login/")
    fill_sign_in_form(page, user)
    expect(page.locator("nav.mainnav")).to_be_visible()


def screenshots(folder: str | os.PathLike | None):
    """A `shot(page, name)` saving the whole page as `folder`/`name`.png, for a person to
    look at; without a folder it does nothing."""
    def shot(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
    return shot
