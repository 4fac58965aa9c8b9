"""The portal's cast: the people of tests/conftest.py, a shared desk of the provider,
catalog items and knowledge articles of each kind.

| name           | what                                                          |
|----------------|---------------------------------------------------------------|
| laptop         | catalog item of Café Montaña IT, a form with a conditional    |
| certificate    | catalog item of Café Montaña HR                               |
| other_vpn      | catalog item of Clínica Norte IT                              |
| only_other     | item of the provider's shared desk for Clínica Norte only     |
| vpn_answer     | public published article of the shared desk ("VPN")           |
| printer_answer | public published article of Café Montaña IT                   |
| internal_note  | internal article of Café Montaña IT                           |
| draft_answer   | public draft of Café Montaña IT                               |
| other_answer   | public published article of Clínica Norte IT                  |
"""

from __future__ import annotations

import pytest

from atiende.knowledge import services as knowledge_services
from tests.browser.conftest import browser, new_page  # noqa: F401 - the browser fixtures
from tests.catalog import conftest as catalog_cast
from tests.catalog.conftest import LAPTOP_FIELDS, published_item, published_laptop

# As in the catalog's tests: messages in English, and the provider's shared desk.
_in_english = catalog_cast._in_english
shared_desk = catalog_cast.shared_desk


@pytest.fixture
def laptop(admin, it):
    # The reason and the monitor with its conditional size: enough for the portal's form.
    return published_laptop(admin, it, fields=LAPTOP_FIELDS[:3])


@pytest.fixture
def certificate(admin, hr):
    return published_item(admin, hr, [
        {"key": "to", "label": "Dirigido a", "type": "text", "required": True}],
        name="Certificado laboral", short_description="Para bancos")


@pytest.fixture
def other_vpn(admin_other_org, other_it):
    return published_item(admin_other_org, other_it, [], name="Acceso a VPN clínica")


@pytest.fixture
def only_other(provider_admin, shared_desk, org_other):
    return published_item(provider_admin, shared_desk, [],
                          name="Soporte de VPN para la clínica", audience=[org_other])


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Create (and by default publish) an article as `actor`, indexed."""

    def make(actor, department, title, body="", *, visibility="public", publish=True):
        with django_capture_on_commit_callbacks(execute=True):
            article = knowledge_services.article_create(
                actor=actor, department=department, title=title, body=body,
                visibility=visibility, language="es")
            if publish:
                knowledge_services.article_transition(actor=actor, article_id=article.pk,
                                                      language="es", action="publish")
        article.refresh_from_db()
        return article

    return make


@pytest.fixture
def vpn_answer(write, provider_admin, shared_desk):
    return write(provider_admin, shared_desk, "Conectarse a la VPN",
                 "<p>Descargue el cliente VPN y entre con su correo.</p>")


@pytest.fixture
def printer_answer(write, agent_ana, it):
    return write(agent_ana, it, "La impresora no imprime",
                 "<p>Revise el papel y reinicie la impresora.</p>")


@pytest.fixture
def internal_note(write, agent_ana, it):
    return write(agent_ana, it, "Impresora: clave del panel", "<p>Solo agentes.</p>",
                 visibility="internal")


@pytest.fixture
def draft_answer(write, agent_ana, it):
    return write(agent_ana, it, "Borrador de impresora", "<p>Por escribir.</p>",
                 publish=False)


@pytest.fixture
def other_answer(write, agent_other_org, other_it):
    return write(agent_other_org, other_it, "Impresora de la clínica",
                 "<p>Solo para la clínica.</p>")
