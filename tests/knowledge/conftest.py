"""The knowledge base's cast: the named people of tests/conftest.py, plus a shared
desk of the provider (serving every client), and one article of each kind.

| article        | department                 | visibility | state     |
|----------------|----------------------------|------------|-----------|
| it_public      | Café Montaña IT            | public     | published |
| it_internal    | Café Montaña IT            | internal   | published |
| it_draft       | Café Montaña IT            | public     | draft     |
| hr_public      | Café Montaña HR            | public     | published |
| hr_internal    | Café Montaña HR            | internal   | published |
| other_public   | Clínica Norte IT           | public     | published |
| shared_public  | provider's shared desk     | public     | published |
| shared_internal| provider's shared desk     | internal   | published |
"""

from __future__ import annotations

import pytest

from atiende.core.models import DepartmentFunction, Role
from atiende.knowledge import services
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def shared_desk(provider):
    return DepartmentFactory(organization=provider, name="Mesa compartida", slug="mesa",
                             function=DepartmentFunction.IT, is_shared=True)


@pytest.fixture
def agent_sara_shared(provider, org_cafe, shared_desk):
    """A provider agent of the shared desk, granted it for Café Montaña."""
    user = UserFactory(email="sara@nubeandina.example", display_name="Sara Luna",
                       organization=provider)
    MembershipFactory(user=user, organization=org_cafe, department=shared_desk,
                      role=Role.AGENT)
    return user


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Create (and by default publish) an article as `actor`, indexing it."""

    def make(actor, department, title, body="", *, visibility="public", publish=True,
             language="es"):
        with django_capture_on_commit_callbacks(execute=True):
            article = services.article_create(actor=actor, department=department, title=title,
                                              body=body, visibility=visibility,
                                              language=language)
            if publish:
                services.article_transition(actor=actor, article_id=article.pk,
                                            language=language, action="publish")
        article.refresh_from_db()
        return article

    return make


@pytest.fixture
def library(write, agent_ana, agent_bruno_other_department, agent_other_org, provider_admin,
            it, hr, other_it, shared_desk):
    return {
        "it_public": write(agent_ana, it, "Configurar la impresora del piso",
                           "<p>Instale el controlador de las impresoras.</p>"),
        "it_internal": write(agent_ana, it, "Reiniciar la cola de impresoras",
                             "<p>Solo para agentes: la contraseña está en la bóveda.</p>",
                             visibility="internal"),
        "it_draft": write(agent_ana, it, "Borrador sobre la VPN", "<p>Por escribir.</p>",
                          publish=False),
        "hr_public": write(agent_bruno_other_department, hr, "Pedir un certificado laboral",
                           "<p>Solicítelo en el portal.</p>"),
        "hr_internal": write(agent_bruno_other_department, hr, "Nómina: cierre del mes",
                             "<p>Pasos internos.</p>", visibility="internal"),
        "other_public": write(agent_other_org, other_it, "Configuración del correo",
                              "<p>Servidor de correo de la clínica.</p>"),
        "shared_public": write(provider_admin, shared_desk, "Conectarse a la VPN",
                               "<p>Descargue el cliente VPN.</p>"),
        "shared_internal": write(provider_admin, shared_desk, "Certificados de la VPN",
                                 "<p>Renovación interna.</p>", visibility="internal"),
    }
