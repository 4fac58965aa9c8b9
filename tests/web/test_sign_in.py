"""Signing in and out through allauth's real forms: wrong passwords, lock-out, password
reset, expired sessions and two-factor authentication."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.web.support import (
    field_errors,
    form_errors,
    html_lang,
    link_in,
    page,
    sign_in,
    signed_in_as,
    template_names,
)

WRONG_ES = ("La dirección de correo electrónico y/o la contraseña que ha indicado no son "
            "correctas.")
WRONG_EN = "The email address and/or password you specified are not correct."
LOCKED_ES = "Demasiados intentos fallidos. Inténtelo más tarde."
LOCKED_EN = "Too many failed login attempts. Try again later."
EXPIRED_EN = "Your session has expired."


def english_browser() -> Client:
    client = Client()
    client.cookies["atiende_language"] = "en"
    return client


def expiry_note(response) -> str | None:
    """The note on the sign-in page that the session ran out, if shown."""
    notes = [p.text for p in page(response).find_all("p", cls="alert-info")
             if p.attrs.get("role") == "status"]
    return notes[0] if notes else None


# --- password -----------------------------------------------------------------------------


def test_signing_in_with_the_right_password_opens_a_session(requester_carla):
    # given
    client = Client()

    # when
    response = sign_in(client, "carla@cafemontana.example")

    # then
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(client) == requester_carla.pk
    assert client.get("/").status_code == 200


def test_the_email_is_not_case_sensitive(requester_carla):
    client = Client()
    assert sign_in(client, "  Carla@CafeMontana.EXAMPLE ").status_code == 302
    assert signed_in_as(client) == requester_carla.pk


def test_a_wrong_password_shows_allauths_message_and_opens_no_session(requester_carla):
    # given
    client = Client()

    # when
    response = sign_in(client, "carla@cafemontana.example", "no-es-la-clave")

    # then
    assert response.status_code == 200
    assert form_errors(response) == [WRONG_ES]
    assert signed_in_as(client) is None
    assert client.get("/")["Location"] == "/accounts/login/?next=/"
    # the address typed stays in the form, the password does not
    form = page(response)
    assert form.find_all("input", name="login")[0].attrs["value"] == "carla@cafemontana.example"
    assert "value" not in form.find_all("input", name="password")[0].attrs


def test_a_wrong_password_in_english(requester_carla):
    # given
    client = english_browser()

    # when
    response = sign_in(client, "carla@cafemontana.example", "no-es-la-clave")

    # then
    assert html_lang(response) == "en"
    assert form_errors(response) == [WRONG_EN]


def test_an_unknown_address_gets_the_same_message_as_a_wrong_password(cast):
    # given
    client = english_browser()

    # when
    response = sign_in(client, "nadie@cafemontana.example", PASSWORD)

    # then
    assert form_errors(response) == [WRONG_EN]
    assert signed_in_as(client) is None


def test_empty_fields_are_shown_next_to_each_field(cast):
    # when
    response = english_browser().post("/accounts/login/", {"login": "", "password": ""})

    # then
    assert response.status_code == 200
    assert field_errors(response, "login") == ["This field is required."]
    assert field_errors(response, "password") == ["This field is required."]


def test_sign_in_goes_to_the_page_asked_for(admin):
    # given
    client = Client()
    asked = client.get("/manage/cafe-montana/teams/")

    # when
    response = client.post(asked["Location"], {"login": "mateo@cafemontana.example",
                                               "password": PASSWORD,
                                               "next": "/manage/cafe-montana/teams/"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/manage/cafe-montana/teams/")


def test_sign_in_never_sends_to_another_site(admin):
    # when
    response = Client().post("/accounts/login/?next=https://evil.example/",
                             {"login": "mateo@cafemontana.example", "password": PASSWORD,
                              "next": "https://evil.example/"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/")


def test_signing_up_is_closed(cast):
    # when
    response = Client().get("/accounts/signup/")

    # then
    assert response.status_code == 200
    assert "account/signup_closed.html" in template_names(response)


# --- lock-out ------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(requester_carla,
                                                                    agent_ana):
    # given
    client = Client()
    failures = [sign_in(client, "carla@cafemontana.example", f"intento-{n}")
                for n in range(5)]

    # when
    response = sign_in(client, "carla@cafemontana.example", PASSWORD)

    # then
    assert [form_errors(r) for r in failures] == [[WRONG_ES]] * 5
    assert response.status_code == 200
    assert form_errors(response) == [LOCKED_ES]
    assert signed_in_as(client) is None
    # from another browser too: the lock is on the account
    other_browser = english_browser()
    locked_elsewhere = sign_in(other_browser, "carla@cafemontana.example", PASSWORD)
    assert form_errors(locked_elsewhere) == [LOCKED_EN]
    assert signed_in_as(other_browser) is None
    # and only on that account
    assert sign_in(client, "ana@nubeandina.example", PASSWORD).status_code == 302
    assert signed_in_as(client) == agent_ana.pk


def test_four_failures_do_not_lock_the_account(requester_carla):
    # given
    client = Client()
    for n in range(4):
        sign_in(client, "carla@cafemontana.example", f"intento-{n}")

    # when
    response = sign_in(client, "carla@cafemontana.example", PASSWORD)

    # then
    assert response.status_code == 302
    assert signed_in_as(client) == requester_carla.pk


def test_the_lock_is_lifted_after_fifteen_minutes(requester_carla):
    # given
    start = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(5):
            sign_in(Client(), "carla@cafemontana.example", f"intento-{n}")

    # when
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        still_locked = sign_in(Client(), "carla@cafemontana.example", PASSWORD)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        client = Client()
        lifted = sign_in(client, "carla@cafemontana.example", PASSWORD)
        lifted_for = signed_in_as(client)

    # then
    assert form_errors(still_locked) == [LOCKED_ES]
    assert (lifted.status_code, lifted_for) == (302, requester_carla.pk)


# --- password reset ------------------------------------------------------------------------


def test_a_password_reset_mail_brings_a_link_that_sets_a_new_password(requester_carla):
    # given
    client = Client()

    # when
    response = client.post("/accounts/password/reset/", {"email": "carla@cafemontana.example"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carla@cafemontana.example"]
    assert mail.outbox[0].subject.startswith("[Atiende] ")

    # when
    browser = Client()
    key_page = browser.get(link_in(mail.outbox[0].body))
    form = browser.get(key_page["Location"])
    done = browser.post(key_page["Location"], {"password1": "cafe-de-altura-77",
                                               "password2": "cafe-de-altura-77"})

    # then
    assert form.status_code == 200
    assert (done.status_code, done["Location"]) == (302, "/accounts/password/reset/key/done/")
    assert sign_in(Client(), "carla@cafemontana.example", PASSWORD).status_code == 200
    fresh = Client()
    assert sign_in(fresh, "carla@cafemontana.example", "cafe-de-altura-77").status_code == 302
    assert signed_in_as(fresh) == requester_carla.pk


def test_a_new_password_that_does_not_match_is_refused_next_to_the_field(requester_carla):
    # given
    client = english_browser()
    client.post("/accounts/password/reset/", {"email": "carla@cafemontana.example"})
    key_page = client.get(link_in(mail.outbox[0].body))

    # when
    response = client.post(key_page["Location"], {"password1": "cafe-de-altura-77",
                                                  "password2": "cafe-de-altura-78"})

    # then
    assert response.status_code == 200
    assert field_errors(response, "password2") == ["You must type the same password each time."]
    assert sign_in(Client(), "carla@cafemontana.example", PASSWORD).status_code == 302


def test_a_tampered_reset_link_is_refused(requester_carla):
    # given
    Client().post("/accounts/password/reset/", {"email": "carla@cafemontana.example"})
    path = link_in(mail.outbox[0].body)
    tampered = path[:-6] + ("aaaaa/" if not path.endswith("aaaaa/") else "bbbbb/")

    # when
    response = Client().get(tampered, follow=True)

    # then
    assert response.context["token_fail"] is True


# --- sessions ------------------------------------------------------------------------------


def test_an_ended_session_sends_to_sign_in_with_a_note_that_it_expired(requester_carla):
    # given
    client = english_browser()
    sign_in(client, "carla@cafemontana.example")
    Session.objects.all().delete()

    # when
    response = client.get("/profile/", follow=True)

    # then
    assert response.redirect_chain == [("/accounts/login/?next=/profile/", 302)]
    assert expiry_note(response).startswith(EXPIRED_EN)
    # the note is shown once
    assert expiry_note(client.get("/accounts/login/")) is None


def test_a_session_past_its_expiry_sends_to_sign_in_with_the_note(requester_carla):
    # given
    client = english_browser()
    sign_in(client, "carla@cafemontana.example")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    # when
    response = client.get("/", follow=True)

    # then
    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert expiry_note(response).startswith(EXPIRED_EN)


def test_a_session_ends_after_the_configured_hours(requester_carla, settings):
    # given
    start = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client = english_browser()
        sign_in(client, "carla@cafemontana.example")

    # when
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60),
                             tick=False):
        still_in = client.get("/")
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60),
                             tick=False):
        expired = client.get("/", follow=True)

    # then
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert still_in.status_code == 200
    assert expired.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert expiry_note(expired).startswith(EXPIRED_EN)


def test_a_first_visit_does_not_speak_of_an_expired_session(cast):
    response = english_browser().get("/", follow=True)
    assert "account/login.html" in template_names(response)
    assert expiry_note(response) is None


def test_signing_out_ends_the_session_without_speaking_of_expiry(requester_carla):
    # given
    client = english_browser()
    sign_in(client, "carla@cafemontana.example")

    # when
    response = client.post("/accounts/logout/")

    # then
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert signed_in_as(client) is None
    after = client.get("/", follow=True)
    assert after.redirect_chain == [("/accounts/login/?next=/", 302)]
    assert expiry_note(after) is None


# --- two-factor authentication -------------------------------------------------------------


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _confirm_password_for_totp(client: Client):
    """allauth asks for the password again before two-factor settings change."""
    asked = client.get("/accounts/2fa/totp/activate/")
    assert (asked.status_code, asked["Location"]) == (
        302, "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F")
    confirmed = client.post(asked["Location"], {"password": PASSWORD,
                                                "next": "/accounts/2fa/totp/activate/"})
    assert (confirmed.status_code, confirmed["Location"]) == (
        302, "/accounts/2fa/totp/activate/")
    return client.get("/accounts/2fa/totp/activate/")


def _activate_totp(client: Client) -> str:
    """Activate an authenticator app on the signed-in client; return its secret."""
    form = _confirm_password_for_totp(client)
    assert form.status_code == 200
    secret = page(form).find_all("input", id="authenticator_secret")[0].attrs["value"]
    activated = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert (activated.status_code, activated["Location"]) == (
        302, "/accounts/2fa/recovery-codes/")
    return secret


def test_activating_totp_then_signing_in_asks_for_the_code(agent_ana):
    # given
    client = english_browser()
    sign_in(client, "ana@nubeandina.example")

    # when
    secret = _activate_totp(client)

    # then
    assert list(Authenticator.objects.filter(user=agent_ana).values_list("type", flat=True)
                .order_by("type")) == ["recovery_codes", "totp"]

    # when signing in again, the password alone is not enough
    client.post("/accounts/logout/")
    browser = english_browser()
    password_step = sign_in(browser, "ana@nubeandina.example")

    # then
    assert (password_step.status_code, password_step["Location"]) == (
        302, "/accounts/2fa/authenticate/")
    assert signed_in_as(browser) is None
    assert browser.get("/")["Location"] == "/accounts/login/?next=/"

    # when a wrong code is given
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06}"
    refused = browser.post("/accounts/2fa/authenticate/", {"code": wrong})

    # then
    assert refused.status_code == 200
    assert field_errors(refused, "code") == ["Incorrect code."]
    assert signed_in_as(browser) is None

    # when the right code is given
    accepted = browser.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    # then
    assert (accepted.status_code, accepted["Location"]) == (302, "/")
    assert signed_in_as(browser) == agent_ana.pk


def test_a_recovery_code_replaces_the_authenticator_once(agent_ana):
    # given
    client = english_browser()
    sign_in(client, "ana@nubeandina.example")
    _activate_totp(client)
    codes = client.get("/accounts/2fa/recovery-codes/").context["unused_codes"]
    client.post("/accounts/logout/")

    # when
    first = english_browser()
    sign_in(first, "ana@nubeandina.example")
    used = first.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    second = english_browser()
    sign_in(second, "ana@nubeandina.example")
    reused = second.post("/accounts/2fa/authenticate/", {"code": codes[0]})

    # then
    assert (used.status_code, signed_in_as(first)) == (302, agent_ana.pk)
    assert field_errors(reused, "code") == ["Incorrect code."]
    assert signed_in_as(second) is None


def test_activating_totp_with_a_wrong_code_is_refused(agent_ana):
    # given
    client = english_browser()
    sign_in(client, "ana@nubeandina.example")
    form = _confirm_password_for_totp(client)
    secret = page(form).find_all("input", id="authenticator_secret")[0].attrs["value"]
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06}"

    # when
    response = client.post("/accounts/2fa/totp/activate/", {"code": wrong})

    # then (Ana reads allauth in her own language, Spanish)
    assert response.status_code == 200
    assert field_errors(response, "code") == ["Código incorrecto."]
    assert not Authenticator.objects.filter(user=agent_ana).exists()


def test_two_factor_pages_need_a_signed_in_person(cast):
    response = Client().get("/accounts/2fa/")
    assert response["Location"] == "/accounts/login/?next=/accounts/2fa/"
