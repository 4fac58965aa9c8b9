"""`atiende bootstrap`: the first start of an installation without demo data."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from atiende.cli import main
from atiende.core.models import Membership, Organization, Role

NEW_PASSWORD = "Una-clave-larga-2026"


def test_bootstrap_creates_the_provider_and_an_admin_who_chooses_a_password(db, client, capsys):
    # when
    exit_code = main(["bootstrap", "--provider", "Soporte Andino", "--admin-email",
                      "Jefa@SoporteAndino.example", "--admin-name", "Jefa de Mesa"])

    # then: the provider and its admin exist
    assert exit_code == 0
    provider = Organization.objects.get()
    assert (provider.name, provider.is_provider) == ("Soporte Andino", True)
    admin = Membership.objects.get(role=Role.PROVIDER_ADMIN).user
    assert admin.email == "jefa@soporteandino.example"
    assert not admin.has_usable_password()

    # when: the printed link is followed and a password chosen
    link = capsys.readouterr().out.strip().splitlines()[-1]
    page = client.get(urlsplit(link).path, follow=True)
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else urlsplit(link).path
    client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # then: the admin signs in with it and reaches the administration
    signed_in = client.post("/accounts/login/", {"login": admin.email,
                                                 "password": NEW_PASSWORD}, follow=True)
    assert signed_in.wsgi_request.user == admin
    assert client.get("/manage/soporte-andino/people/").status_code == 200


def test_bootstrap_refuses_a_second_provider_and_bad_input(db, capsys):
    # given
    assert main(["bootstrap", "--provider", "Uno", "--admin-email", "a@uno.example",
                 "--admin-name", "A"]) == 0
    capsys.readouterr()

    # when / then: a second provider
    assert main(["bootstrap", "--provider", "Dos", "--admin-email", "b@dos.example",
                 "--admin-name", "B"]) == 2
    assert capsys.readouterr().err.strip() == "El proveedor ya existe."
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(("arguments", "message"), [
    (["--admin-email", "no-es-correo"],
     "email: Escriba una dirección de correo electrónico válida."),
    (["--time-zone", "Luna/Tranquilidad"],
     "time_zone: “Luna/Tranquilidad” no es una zona horaria conocida."),
    (["--time-zone", "Luna/Tranquilidad", "--language", "en"],
     "time_zone: “Luna/Tranquilidad” is not a known time zone."),
])
def test_bootstrap_explains_what_is_wrong(db, capsys, arguments, message):
    base = {"--provider": "Uno", "--admin-email": "a@uno.example", "--admin-name": "A"}
    base.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    flat = [part for pair in base.items() for part in pair]

    assert main(["bootstrap", *flat]) == 2
    assert capsys.readouterr().err.strip() == message
    assert not Organization.objects.exists()
