"""The demo desk offers a catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from atiende.catalog.models import CatalogItem

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_the_demo_offers_the_catalog_to_each_client():
    # given
    from atiende.core.demo import load_demo

    # when
    load_demo(tickets=20, now=NOW)

    # then
    cafe = CatalogItem.objects.filter(department__organization__slug="cafe-montana")
    assert sorted(cafe.values_list("department__name", "name")) == [
        ("Finanzas", "Reembolso de viáticos"), ("Talento Humano", "Certificado laboral"),
        ("Tecnología", "Acceso a VPN"), ("Tecnología", "Nuevo portátil")]
    laptop = cafe.get(name="Nuevo portátil")
    assert laptop.service.name == "Puesto de trabajo"
    assert laptop.current_version.fields[5]["show_if"] == {"field": "monitor", "equals": True}
    assert CatalogItem.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_the_demo_laptop_needs_the_managers_approval_then_two_teams():
    from atiende.catalog import services
    from atiende.catalog.models import Approval
    from atiende.core.demo import load_demo
    from atiende.core.models import User

    # given
    load_demo(tickets=5, now=NOW)
    laptop = CatalogItem.objects.get(department__organization__slug="cafe-montana",
                                     name="Nuevo portátil")
    requester = User.objects.filter(organization=laptop.department.organization,
                                    manager__isnull=False).first()
    fields = laptop.current_version.fields
    answers = {field["key"]: field["choices"][0] for field in fields
               if field["type"] == "choice" and field.get("required") and not field.get(
                   "show_if")}
    # when
    request = services.request_submit(actor=requester, item=laptop, answers=answers)
    # then
    approval = Approval.objects.get(stage__request=request)
    assert approval.approver == requester.manager
    assert [(t.stage, t.team.name) for t in request.fulfilment_tasks.order_by("position")] == [
        (1, "Redes e infraestructura"), (1, "Soporte en sitio"), (2, "Soporte en sitio")]
