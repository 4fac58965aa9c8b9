"""Pages speak the person's language and show times in their time zone.

Spanish text is checked with what Django and allauth ship (their catalogs), so these
tests do not depend on Atiende's own catalog.
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.test import Client

from atiende.core.models import AuditEvent
from tests.web.support import html_lang, page, sign_in, signed_in_as, world_state


def _heading(response) -> str:
    return page(response).find_all("h1")[0].text


def test_a_signed_in_person_switches_language_and_keeps_it_in_their_profile(admin,
                                                                              web_client):
    # given
    client = web_client(admin)
    spanish = client.get("/accounts/password/change/")

    # when
    response = client.post("/language/", {"language": "en",
                                          "next": "/accounts/password/change/"})

    # then
    admin.refresh_from_db()
    assert admin.language == "en"
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/")
    assert response.cookies["atiende_language"].value == "en"
    english = client.get(response["Location"])
    assert (html_lang(spanish), _heading(spanish)) == ("es", "Cambiar la contraseña")
    assert (html_lang(english), _heading(english)) == ("en", "Change Password")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.changes) == (
        "user.updated", admin, {"language": ["es", "en"]})


def test_the_chosen_language_follows_the_person_to_a_new_browser(admin, web_client):
    # given
    web_client(admin).post("/language/", {"language": "en", "next": "/"})
    browser = Client()
    browser.cookies["atiende_language"] = "es"

    # when
    sign_in(browser, "mateo@cafemontana.example")
    response = browser.get("/accounts/password/change/")

    # then the profile wins over the browser's cookie
    assert signed_in_as(browser) == admin.pk
    assert (html_lang(response), _heading(response)) == ("en", "Change Password")


def test_switching_back_to_spanish(admin, web_client):
    # given
    admin.language = "en"
    admin.save()
    client = web_client(admin)

    # when
    client.post("/language/", {"language": "es", "next": "/"})
    response = client.get("/accounts/password/change/")

    # then
    admin.refresh_from_db()
    assert admin.language == "es"
    assert (html_lang(response), _heading(response)) == ("es", "Cambiar la contraseña")


def test_an_anonymous_visitor_switches_language_with_a_cookie(cast):
    # given
    client = Client()
    before = world_state()
    spanish = client.get("/accounts/password/reset/")

    # when
    response = client.post("/language/", {"language": "en", "next": "/accounts/password/reset/"})

    # then
    cookie = response.cookies["atiende_language"]
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/")
    assert (cookie.value, cookie["max-age"], cookie["samesite"]) == ("en", 365 * 24 * 3600, "Lax")
    english = client.get("/accounts/password/reset/")
    assert (html_lang(spanish), _heading(spanish)) == ("es", "Restablecer Contraseña")
    assert (html_lang(english), _heading(english)) == ("en", "Password Reset")
    assert world_state() == before


def test_the_browsers_language_is_used_until_one_is_chosen(cast):
    # when
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/accounts/login/")

    # then
    assert html_lang(response) == "en"


def test_an_unknown_language_changes_nothing(admin, web_client):
    # given
    before = world_state()

    # when
    response = web_client(admin).post("/language/", {"language": "fr", "next": "/profile/"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/profile/")
    assert "atiende_language" not in response.cookies
    assert world_state() == before


def test_the_language_switch_never_sends_to_another_site(cast):
    # when
    response = Client().post("/language/", {"language": "en", "next": "https://evil.example/"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/")


def test_the_language_switch_needs_a_post(cast):
    assert Client().get("/language/?language=en").status_code == 405


def test_the_switch_on_each_page_returns_to_that_page(admin, web_client):
    # when
    response = web_client(admin).get("/manage/cafe-montana/teams/?q=x")

    # then
    switch = page(response).find_all("form", cls="language-switch")[0]
    assert switch.find_all("input", name="next")[0].attrs["value"] == (
        "/manage/cafe-montana/teams/?q=x")
    assert [b.attrs["value"] for b in switch.find_all("button")] == ["es", "en"]
    assert switch.find_all("button", value="es")[0].attrs["aria-pressed"] == "true"


def test_saving_the_profile_in_another_language_shows_the_next_page_in_it(admin, web_client):
    # when
    response = web_client(admin).post("/profile/", {
        "display_name": "Mateo Ramírez", "phone": "", "language": "en",
        "time_zone": "America/Bogota"}, follow=True)

    # then
    assert response.redirect_chain == [("/profile/", 302)]
    assert html_lang(response) == "en"


# --- time ---------------------------------------------------------------------------------


def _activity_time(client: Client) -> tuple[str, str]:
    """When the oldest event on the activity page happened, as the page shows it."""
    response = client.get("/manage/cafe-montana/activity/")
    time = page(response).find_all("time")[-1]
    return time.attrs["datetime"], time.text


def test_times_are_shown_in_the_persons_time_zone(admin, it, web_client):
    # given an event at 15:30 UTC
    with time_machine.travel(datetime(2025, 3, 1, 15, 30, tzinfo=UTC), tick=False):
        web_client(admin).post(f"/manage/cafe-montana/departments/{it.pk}/",
                               {"name": "Tecnología e Innovación", "function": "it",
                                "is_active": "on"})
    client = web_client(admin)

    # when / then: Bogotá, five hours behind
    assert _activity_time(client) == ("2025-03-01T10:30:00-05:00", "01/03/2025 10:30")

    # when / then: Tokio, nine hours ahead, already the next day
    admin.time_zone = "Asia/Tokyo"
    admin.save()
    assert _activity_time(client) == ("2025-03-02T00:30:00+09:00", "02/03/2025 00:30")

    # when / then: the date format follows the language
    admin.language = "en"
    admin.save()
    assert _activity_time(client) == ("2025-03-02T00:30:00+09:00", "03/02/2025 12:30 a.m.")


def test_the_start_page_tells_the_time_in_the_persons_zone_and_language(admin, web_client):
    # given
    admin.time_zone = "America/Mexico_City"
    admin.save()

    # when
    with time_machine.travel(datetime(2025, 3, 1, 15, 30, tzinfo=UTC), tick=False):
        response = web_client(admin).get("/")

    # then
    subtitle = page(response).find_all("div", cls="page-head")[0].find_all("p")[0].text
    assert subtitle == "Café Montaña · sábado 1 marzo 2025, 09:30 (America/Mexico_City)"


def test_changing_the_time_zone_in_the_profile_changes_the_times_shown(admin, it, web_client):
    # given
    with time_machine.travel(datetime(2025, 3, 1, 15, 30, tzinfo=UTC), tick=False):
        web_client(admin).post(f"/manage/cafe-montana/departments/{it.pk}/",
                               {"name": "TI", "function": "it", "is_active": "on"})
    client = web_client(admin)

    # when
    client.post("/profile/", {"display_name": "Mateo Ramírez", "phone": "", "language": "es",
                              "time_zone": "Europe/Madrid"})

    # then
    assert _activity_time(client) == ("2025-03-01T16:30:00+01:00", "01/03/2025 16:30")
