"""Errors speak the caller's language: a signed-in person's own preference, else the
browser's Accept-Language. Spanish strings come from atiende/locale/es."""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.core import services
from tests.api.support import problem, send

SPANISH = {
    "Unknown field.": "Campo desconocido.",
    "This field is required.": "Este campo es obligatorio.",
    "Some values are not valid.": "Algunos valores no son válidos.",
    "The API token has been revoked.": "El token de API ha sido revocado.",
    "A user with this e-mail address already exists.":
        "Ya existe un usuario con esta dirección de correo electrónico.",
}


def _in(language: str, english: str) -> str:
    return SPANISH[english] if language == "es" else english


def _speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unknown_field_is_explained_in_the_callers_language(language, agent_ana,
                                                               api_client):
    # given
    client = api_client(_speaking(agent_ana, language))

    # when
    response = send(client, "PATCH", "/me", {"nickname": "Anita"})

    # then
    body = problem(response, 422, "validation_failed")
    assert body["detail"] == _in(language, "Some values are not valid.")
    assert body["errors"] == [{"field": "nickname", "message": _in(language, "Unknown field."),
                               "code": "extra_forbidden"}]
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_missing_field_is_explained_in_the_callers_language(language, admin, api_client):
    # given
    client = api_client(_speaking(admin, language))

    # when
    response = send(client, "POST", "/tokens", {})

    # then
    body = problem(response, 422, "validation_failed")
    assert body["detail"] == _in(language, "Some values are not valid.")
    assert body["errors"] == [{"field": "name", "message": _in(language,
                                                               "This field is required."),
                               "code": "missing"}]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_taken_email_is_explained_in_the_callers_language(language, admin, org_cafe,
                                                            requester_carla, api_client):
    # given
    client = api_client(_speaking(admin, language))

    # when
    response = send(client, "POST", "/users", {"organization_id": org_cafe.pk,
                                               "email": "CARLA@cafemontana.example",
                                               "display_name": "Carla Otra"})

    # then
    body = problem(response, 422, "duplicate_email")
    assert body["detail"] == _in(language, "Some values are not valid.")
    assert body["errors"] == [{
        "field": "email",
        "message": _in(language, "A user with this e-mail address already exists."),
        "code": "duplicate_email",
    }]


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_persons_preference_beats_the_browsers(language, agent_ana):
    # given
    _speaking(agent_ana, language)
    _token, plaintext = services.token_create(actor=agent_ana, name="cURL")
    browser_language = "en" if language == "es" else "es"
    client = Client(headers={"Authorization": f"Bearer {plaintext}",
                             "Accept-Language": browser_language})

    # when
    response = send(client, "PATCH", "/me", {"nickname": "Anita"})

    # then
    body = problem(response, 422, "validation_failed")
    assert body["errors"][0]["message"] == _in(language, "Unknown field.")


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_signed_in_browser_gets_the_persons_language(language, agent_ana):
    # given
    client = Client(headers={"Accept-Language": "en" if language == "es" else "es"})
    client.force_login(_speaking(agent_ana, language))

    # when
    response = send(client, "PATCH", "/me", {"nickname": "Anita"})

    # then
    body = problem(response, 422, "validation_failed")
    assert body["detail"] == _in(language, "Some values are not valid.")


@pytest.mark.parametrize(("accept_language", "language"),
                         [("es-CO,es;q=0.9", "es"), ("en-US,en;q=0.8", "en"), ("es", "es"),
                          ("en", "en")])
def test_a_refused_token_is_explained_in_the_browsers_language(accept_language, language,
                                                               agent_ana):
    # given: Ana prefers Spanish, but a refused token proves nothing about who calls
    token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    services.token_revoke(actor=agent_ana, token=token)
    client = Client(headers={"Authorization": f"Bearer {plaintext}",
                             "Accept-Language": accept_language})

    # when
    response = client.get("/api/v1/me")

    # then
    body = problem(response, 401, "revoked")
    assert body["detail"] == _in(language, "The API token has been revoked.")


def test_without_accept_language_an_anonymous_caller_gets_spanish(agent_ana):
    # given
    token, plaintext = services.token_create(actor=agent_ana, name="Portátil")
    services.token_revoke(actor=agent_ana, token=token)

    # when
    response = Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/v1/me")

    # then
    assert problem(response, 401, "revoked")["detail"] == SPANISH[
        "The API token has been revoked."]


def test_one_callers_language_does_not_leak_into_the_next_request(agent_ana, admin,
                                                                  api_client):
    # given
    english_client = api_client(_speaking(agent_ana, "en"))
    spanish_client = api_client(_speaking(admin, "es"))

    # when
    english = send(english_client, "PATCH", "/me", {"nickname": "Anita"})
    spanish = send(spanish_client, "PATCH", "/me", {"nickname": "Mateo"})
    english_again = send(english_client, "PATCH", "/me", {"nickname": "Anita"})

    # then
    assert english.json()["errors"][0]["message"] == "Unknown field."
    assert spanish.json()["errors"][0]["message"] == "Campo desconocido."
    assert english_again.json()["errors"][0]["message"] == "Unknown field."


def test_changing_ones_language_changes_the_next_answer(agent_ana, api_client):
    # given
    client = api_client(_speaking(agent_ana, "es"))

    # when
    assert send(client, "PATCH", "/me", {"language": "en"}).status_code == 200
    response = send(client, "PATCH", "/me", {"nickname": "Anita"})

    # then
    assert response.json()["errors"][0]["message"] == "Unknown field."


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_anonymous_caller_is_answered_in_the_browsers_language(language, db):
    # when
    response = Client(headers={"Accept-Language": language}).get("/api/v1/me")

    # then
    body = problem(response, 401, "not_authenticated")
    english = "Sign in, or send an API token as “Authorization: Bearer …”."
    assert (body["detail"] == english) is (language == "en")
    assert response["Content-Language"] == language


def test_an_invalid_cursor_is_explained_in_spanish(agent_ana, api_client):
    # when
    response = api_client(agent_ana).get("/api/v1/users", {"cursor": "no-es-un-cursor"})

    # then
    body = problem(response, 422, "validation_failed")
    assert body["errors"] == [{
        "field": "cursor",
        "message": "Este cursor no es válido. Empiece de nuevo desde la primera página.",
        "code": "invalid_cursor",
    }]
