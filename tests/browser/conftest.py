"""Playwright (sync API) driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


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

    yield make
    for context in contexts:
        context.close()
    assert failures == []
