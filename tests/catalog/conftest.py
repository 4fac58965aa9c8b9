"""The catalog's cast: the people of tests/conftest.py, a shared desk of the provider,
and items of each kind of audience.

| item          | department            | audience        | active | form                      |
|---------------|-----------------------|-----------------|--------|---------------------------|
| laptop        | Café Montaña IT       | everyone served | yes    | monitor → monitor size, … |
| certificate   | Café Montaña HR       | everyone served | yes    | one choice                |
| retired       | Café Montaña IT       | everyone served | no     | empty                     |
| other_vpn     | Clínica Norte IT      | everyone served | yes    | empty                     |
| shared_cafe   | provider's shared desk| Café Montaña    | yes    | empty                     |
"""

from __future__ import annotations

import pytest
from django.utils import translation

from atiende.catalog import services
from atiende.core.models import DepartmentFunction
from tests.factories import DepartmentFactory

LAPTOP_FIELDS = [
    {"key": "reason", "label": "Motivo", "type": "long_text", "required": True},
    {"key": "monitor", "label": "¿Necesita monitor adicional?", "type": "checkbox"},
    {"key": "monitor_size", "label": "Tamaño del monitor", "type": "choice",
     "choices": ["24\"", "27\""], "required": True,
     "show_if": {"field": "monitor", "equals": True}},
    {"key": "ram", "label": "Memoria (GB)", "type": "number", "min": 8, "max": 64},
    {"key": "asset", "label": "Placa", "type": "text", "pattern": r"[A-Z]{2}-\d{4}"},
    {"key": "needed_by", "label": "Fecha", "type": "date", "min": "2026-01-01"},
    {"key": "approver", "label": "Jefe", "type": "user"},
    {"key": "apps", "label": "Programas", "type": "multiple_choice",
     "choices": ["Office", "Slack", "Figma"]},
    {"key": "quote", "label": "Cotización", "type": "attachment"},
]


def published_item(actor, department, fields, **values):
    """An item saved with `values` and its form published with `fields`, read back."""
    item = services.item_save(actor=actor, department=department, values=values)
    services.form_publish(actor=actor, item=item, fields=fields)
    item.refresh_from_db()
    return item


def published_laptop(admin, it, fields=LAPTOP_FIELDS):
    return published_item(admin, it, fields, name="Nuevo portátil",
                          short_description="Un equipo para trabajar",
                          delivery_amount=3, delivery_unit="working_days")


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted in English (the source language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def shared_desk(provider):
    return DepartmentFactory(organization=provider, name="Mesa compartida", slug="mesa",
                             function=DepartmentFunction.IT, is_shared=True)


@pytest.fixture
def laptop(admin, it):
    return published_laptop(admin, it)


@pytest.fixture
def certificate(admin, hr):
    return published_item(admin, hr, [
        {"key": "addressed_to", "label": "Dirigido a", "type": "choice",
         "choices": ["A quien interese", "Embajada"], "required": True}],
        name="Certificado laboral", short_description="Para bancos y embajadas")


@pytest.fixture
def retired(admin, it):
    item = services.item_save(actor=admin, department=it, values={"name": "Fax"})
    return services.item_set_active(actor=admin, item=item, active=False)


@pytest.fixture
def other_vpn(admin_other_org, other_it):
    return services.item_save(actor=admin_other_org, department=other_it,
                              values={"name": "Acceso a VPN"})


@pytest.fixture
def shared_cafe(provider_admin, shared_desk, org_cafe):
    return services.item_save(actor=provider_admin, department=shared_desk,
                              values={"name": "Licencia de diseño", "audience": [org_cafe]})


@pytest.fixture
def catalog(laptop, certificate, retired, other_vpn, shared_cafe):
    return {"laptop": laptop, "certificate": certificate, "retired": retired,
            "other_vpn": other_vpn, "shared_cafe": shared_cafe}


# --- approvals and fulfilment -------------------------------------------------------------
#
# | name           | who                                                              |
# |----------------|------------------------------------------------------------------|
# | manager_mario  | Café Montaña person, Carla's manager                             |
# | committee      | group "Comité de compras" of Café Montaña: Diego, Elena, Fabio   |
# | vpn            | Café Montaña IT item with an empty form and no plans (add them)  |


@pytest.fixture
def manager_mario(org_cafe, requester_carla):
    from tests.factories import UserFactory

    mario = UserFactory(email="mario@cafemontana.example", display_name="Mario Duarte",
                        organization=org_cafe, language="es")
    requester_carla.manager = mario
    requester_carla.save(update_fields=["manager"])
    return mario


@pytest.fixture
def committee(org_cafe, requester_diego):
    from atiende.core.models import PersonGroup
    from tests.factories import UserFactory

    group = PersonGroup.objects.create(organization=org_cafe, name="Comité de compras")
    elena = UserFactory(email="elena@cafemontana.example", display_name="Elena Ríos",
                        organization=org_cafe)
    fabio = UserFactory(email="fabio@cafemontana.example", display_name="Fabio Sierra",
                        organization=org_cafe)
    group.members.add(requester_diego, elena, fabio)
    return group


@pytest.fixture
def vpn(admin, it):
    item = services.item_save(actor=admin, department=it, values={
        "name": "Acceso a VPN", "short_description": "Trabajar desde casa"})
    item.refresh_from_db()
    return item
