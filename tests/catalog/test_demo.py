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
