"""A person signs in, switches the interface from Spanish to English, keeps it after a
reload, and signs out: on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from atiende.core.models import User
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("person", "screen", "first_name"), [
    ("requester_carla", DESKTOP, "Carla"),
    ("agent_ana", PHONE, "Ana"),
], ids=["desktop-requester", "phone-agent"])
def test_sign_in_switch_language_and_sign_out(
    request, live_server, new_page, person, screen, first_name
):
    # given: a Spanish-speaking person with a password, and a browser asking for Spanish
    user = request.getfixturevalue(person)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page = new_page(**screen)
    html = page.locator("html")
    heading = page.locator("h1")

    # when: they open Atiende and sign in with e-mail and password
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(html).to_have_attribute("lang", "es")
    expect(heading).to_have_text("Iniciar sesión")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()

    # then: the start page greets them in Spanish
    expect(page).to_have_url(f"{live_server.url}/")
    expect(heading).to_have_text(f"Hola, {first_name}")
    expect(html).to_have_attribute("lang", "es")

    # when: they switch to English in the user menu
    page.locator("details.usermenu > summary").click()
    english = page.locator("details.usermenu [data-language='en']")
    expect(english).to_be_visible()
    english.click()

    # then: the page speaks English, and the choice is kept in their profile
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(f"Hello, {first_name}")
    expect(page.locator("details.usermenu [data-language='en']")).to_have_attribute(
        "aria-pressed", "true")
    user.refresh_from_db()
    assert user.language == "en"

    # when: they reload the page
    page.reload()

    # then: still English
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(f"Hello, {first_name}")

    # when: they sign out from the user menu
    page.locator("details.usermenu > summary").click()
    page.get_by_role("button", name="Sign out").click()

    # then: they are on the sign-in page, still in English, and signed out for real
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Sign in")
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert User.objects.get(pk=user.pk).language == "en"
