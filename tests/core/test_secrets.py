"""Credentials stored encrypted (atiende.core.secrets): Fernet tokens keyed from
SECRETS_KEY (or, without it, from SECRET_KEY), the first key encrypting and every key
decrypting, so keys can be rotated."""

from __future__ import annotations

import pytest

from atiende.core import secrets


def test_a_value_comes_back_and_the_token_does_not_show_it(settings):
    settings.SECRETS_KEY = []

    token = secrets.encrypt("Clave-Secreta-1")

    assert "Clave" not in token and token.startswith("gAAAAA")
    assert secrets.decrypt(token) == "Clave-Secreta-1"
    assert secrets.encrypt("Clave-Secreta-1") != token  # never the same twice


def test_without_secrets_key_the_key_follows_secret_key(settings):
    settings.SECRETS_KEY = []
    token = secrets.encrypt("valor")

    settings.SECRET_KEY = "otra-clave-del-servidor-" * 3

    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(token)


def test_rotation_the_first_key_encrypts_and_every_key_decrypts(settings):
    settings.SECRETS_KEY = ["clave-vieja"]
    old = secrets.encrypt("valor")

    settings.SECRETS_KEY = ["clave-nueva", "clave-vieja"]
    assert secrets.decrypt(old) == "valor"
    rotated = secrets.rotate(old)

    settings.SECRETS_KEY = ["clave-nueva"]
    assert secrets.decrypt(rotated) == "valor"
    with pytest.raises(secrets.SecretUnreadable, match="SECRETS_KEY"):
        secrets.decrypt(old)


def test_secrets_key_may_be_given_as_the_environment_gives_it(settings):
    settings.SECRETS_KEY = "clave-nueva, clave-vieja"
    settings.SECRETS_KEY, token = ["clave-vieja"], secrets.encrypt("valor")
    settings.SECRETS_KEY = "clave-nueva, clave-vieja"

    assert secrets.decrypt(token) == "valor"


@pytest.mark.parametrize("garbage", ["", "texto plano", "gAAAAAroto", "ñ" * 10])
def test_what_no_key_opens_is_refused_clearly(garbage):
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(garbage)


def test_an_unreadable_value_is_never_revealed_nor_shown_in_a_repr():
    unreadable = secrets.UnreadableSecret("gAAAAAcifrado")

    with pytest.raises(secrets.SecretUnreadable):
        secrets.reveal(unreadable)
    assert "cifrado" not in repr(unreadable)
    assert secrets.unreadable_warning("", unreadable)
    assert secrets.unreadable_warning("", "legible") == ""
    assert secrets.reveal("legible") == "legible"
