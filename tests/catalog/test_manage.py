"""The organization admin's catalog pages and the form builder."""

from __future__ import annotations

import pytest

from atiende.catalog.models import CatalogCategory, CatalogItem, FormVersion
from atiende.core.models import AuditEvent

PAGES = ["/manage/cafe-montana/catalog/", "/manage/cafe-montana/catalog/items/{laptop}/",
         "/manage/cafe-montana/catalog/items/{laptop}/form/"]
ALLOWED = {"anonymous": 302, "requester_carla": 404, "requester_other_org": 404,
           "agent_ana": 404, "agent_bruno_other_department": 404, "agent_other_org": 404,
           "admin": 200, "admin_other_org": 404, "provider_admin": 200}


@pytest.mark.parametrize("who", sorted(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_only_admins_of_the_organization_reach_its_catalog(who, page, actors, laptop,
                                                          web_client):
    response = web_client(actors[who]).get(page.format(laptop=laptop.pk))
    assert response.status_code == ALLOWED[who]


def test_another_organizations_item_is_404_under_ones_own(admin, other_vpn, web_client):
    # given
    client = web_client(admin)
    # when
    pages = [client.get(f"/manage/cafe-montana/catalog/items/{other_vpn.pk}/"),
             client.post(f"/manage/cafe-montana/catalog/items/{other_vpn.pk}/form/",
                         {"rows": "0", "action": "save"}),
             client.post(f"/manage/cafe-montana/catalog/items/{other_vpn.pk}/active/",
                         {"active": "0"})]
    # then
    assert [page.status_code for page in pages] == [404, 404, 404]
    other_vpn.refresh_from_db()
    assert other_vpn.is_active and FormVersion.objects.filter(item=other_vpn).count() == 1


def test_an_admin_creates_a_category_and_an_item(admin, it, web_client):
    client = web_client(admin)
    client.post("/manage/cafe-montana/catalog/", {"department": it.pk, "name": "Equipos",
                                                   "position": "1"})
    category = CatalogCategory.objects.get(department=it)
    response = client.post(f"/manage/cafe-montana/catalog/departments/{it.pk}/new/", {
        "category": category.pk, "name": "Acceso a VPN", "short_description": "Desde casa",
        "description": "<p>Hola<script>x()</script></p>", "delivery_amount": "4",
        "delivery_unit": "hours"})
    item = CatalogItem.objects.get(name="Acceso a VPN")
    assert response.status_code == 302
    assert response.url == f"/manage/cafe-montana/catalog/items/{item.pk}/form/"
    assert (item.category, item.description, item.delivery_amount, item.delivery_unit) == (
        category, "<p>Hola</p>", 4, "hours")
    assert item.current_version.number == 1 and item.current_version.fields == []
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "catalog.category_created", "catalog.item_created"}


def _row(index, **values):
    return {f"row-{index}-{name}": value for name, value in values.items()}


def test_the_builder_saves_a_new_version_with_a_conditional_field(admin, laptop, web_client):
    # when
    response = web_client(admin).post(f"/manage/cafe-montana/catalog/items/{laptop.pk}/form/", {
        "rows": "2", "action": "save",
        **_row(0, label="¿Necesita monitor adicional?", type="checkbox"),
        **_row(1, label="Tamaño del monitor", type="choice", choices="24\"\n27\"",
               required="on", show_if_field="necesita_monitor_adicional", show_if_equals="sí"),
    })
    # then
    laptop.refresh_from_db()
    assert response.status_code == 302
    assert laptop.current_version.number == 3
    assert laptop.current_version.fields[1] == {
        "key": "tamano_del_monitor", "label": "Tamaño del monitor", "type": "choice",
        "required": True, "help": "", "choices": ["24\"", "27\""], "min": None, "max": None,
        "pattern": "", "default": None,
        "show_if": {"field": "necesita_monitor_adicional", "equals": True}}


def test_the_builder_shows_errors_by_row_and_saves_nothing(admin, laptop, web_client):
    response = web_client(admin).post(f"/manage/cafe-montana/catalog/items/{laptop.pk}/form/", {
        "rows": "2", "action": "save", **_row(0, label="Cantidad", type="number", min="9",
                                              max="1"),
        **_row(1, label="Código", type="text", pattern="(a+)+")})
    page = response.content.decode()
    assert response.status_code == 422
    assert "El máximo no puede ser menor que el mínimo." in page
    assert "No se permiten repeticiones anidadas" in page
    assert FormVersion.objects.filter(item=laptop).count() == 2


def test_the_builder_adds_moves_removes_and_previews_without_saving(admin, laptop, web_client):
    client = web_client(admin)
    url = f"/manage/cafe-montana/catalog/items/{laptop.pk}/form/"
    rows = {"rows": "2", **_row(0, label="Uno", type="text"), **_row(1, label="Dos",
                                                                      type="text")}
    added = client.post(url, {**rows, "action": "add"}).content.decode()
    moved = client.post(url, {**rows, "action": "up:1"}).content.decode()
    removed = client.post(url, {**rows, "action": "remove:0"}).content.decode()
    preview = client.post(url, {**rows, "action": "preview"}).content.decode()
    assert 'name="rows" value="3"' in added
    assert moved.index('value="Dos"') < moved.index('value="Uno"')
    assert 'name="rows" value="1"' in removed and 'value="Uno"' not in removed
    assert 'id="answer-uno"' in preview
    assert FormVersion.objects.filter(item=laptop).count() == 2


def test_an_admin_stops_offering_an_item(admin, laptop, requester_carla, web_client):
    web_client(admin).post(f"/manage/cafe-montana/catalog/items/{laptop.pk}/active/",
                           {"active": "0"})
    assert web_client(requester_carla).get(f"/catalog/{laptop.pk}/").status_code == 404


def test_the_builder_offers_the_fields_above_as_conditions(admin, laptop, web_client):
    page = web_client(admin).get(
        f"/manage/cafe-montana/catalog/items/{laptop.pk}/form/").content.decode()
    assert '<option value="monitor" selected>¿Necesita monitor adicional?</option>' in page
    assert 'name="row-2-show_if_equals" value="true"' in page
