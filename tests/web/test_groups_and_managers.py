"""Groups of people and managers, as an organization admin sets them up under /manage/:
what SLA conditions, catalog audiences and approvals then rely on."""

from __future__ import annotations

import pytest

from atiende.core import services
from atiende.core.models import PersonGroup
from atiende.errors import Conflict, ValidationFailed
from tests.factories import UserFactory
from tests.web.support import field_errors, flash_messages, page


def person_form(person, **changes):
    data = {"display_name": person.display_name, "email": person.email, "phone": "",
            "language": person.language, "time_zone": person.time_zone, "is_active": "on",
            "manager": ""}
    data.update(changes)
    return data


def test_an_admin_creates_a_group_and_adds_people_of_the_organization_by_email(
    admin, requester_carla, requester_diego, web_client
):
    client = web_client(admin)

    created = client.post("/manage/cafe-montana/groups/",
                          {"name": "VIP", "description": "Gerencia"})
    group = PersonGroup.objects.get(name="VIP")
    for person in (requester_carla, requester_diego):
        client.post(f"/manage/cafe-montana/groups/{group.pk}/members/",
                    {"email": person.email.upper()})
    listing = client.get("/manage/cafe-montana/groups/")

    assert created["Location"] == f"/manage/cafe-montana/groups/{group.pk}/"
    assert set(group.members.all()) == {requester_carla, requester_diego}
    row = page(listing).find_all("tbody")[0].find_all("tr")[0]
    assert [cell.text for cell in row.find_all("td")] == ["VIP", "Gerencia", "2"]


def test_people_of_another_organization_never_join_a_group(
    admin, requester_other_org, web_client
):
    client = web_client(admin)
    group = services.group_create(actor=admin, organization=admin.organization, name="VIP")

    response = client.post(f"/manage/cafe-montana/groups/{group.pk}/members/",
                           {"email": requester_other_org.email}, follow=True)

    assert group.members.count() == 0
    assert flash_messages(response) == [
        ("error", "Ninguna persona de esta organización tiene esa dirección de correo.")]
    with pytest.raises(ValidationFailed):
        services.group_member_add(actor=admin, group=group, user=requester_other_org)


def test_a_group_name_is_unique_in_its_organization_whatever_the_case(admin, web_client):
    client = web_client(admin)
    services.group_create(actor=admin, organization=admin.organization, name="Compras")

    response = client.post("/manage/cafe-montana/groups/", {"name": "COMPRAS"})

    assert response.status_code == 200
    assert field_errors(response, "name") == [
        "Esta organización ya tiene un grupo con este nombre."]
    assert PersonGroup.objects.count() == 1


def test_another_organizations_admin_and_requesters_do_not_see_its_groups(
    admin, admin_other_org, requester_carla, web_client
):
    group = services.group_create(actor=admin, organization=admin.organization, name="VIP")

    for person in (admin_other_org, requester_carla):
        client = web_client(person)
        assert client.get("/manage/cafe-montana/groups/").status_code == 404
        assert client.get(f"/manage/cafe-montana/groups/{group.pk}/").status_code == 404
        assert client.post(f"/manage/cafe-montana/groups/{group.pk}/delete/").status_code == 404
    assert web_client(admin_other_org).get(
        f"/manage/clinica-norte/groups/{group.pk}/").status_code == 404
    assert PersonGroup.objects.filter(pk=group.pk).exists()


def test_an_admin_names_a_persons_manager_by_email(admin, requester_carla, web_client):
    boss = UserFactory(organization=admin.organization, email="jefa@cafemontana.example",
                       display_name="Jefa de Carla")
    client = web_client(admin)
    url = f"/manage/cafe-montana/people/{requester_carla.pk}/"

    saved = client.post(url, person_form(requester_carla, manager="JEFA@cafemontana.example"))
    shown = client.get(url)

    requester_carla.refresh_from_db()
    assert saved.status_code == 302
    assert requester_carla.manager == boss
    assert page(shown).find_all("input", name="manager")[0].attrs["value"] == boss.email


def test_a_manager_from_elsewhere_or_in_a_loop_is_refused_with_the_reason(
    admin, requester_carla, requester_diego, requester_other_org, web_client
):
    client = web_client(admin)
    url = f"/manage/cafe-montana/people/{requester_carla.pk}/"
    services.user_update(actor=admin, user=requester_diego,
                         changes={"manager_id": requester_carla.pk})

    foreign = client.post(url, person_form(requester_carla,
                                           manager=requester_other_org.email))
    loop = client.post(url, person_form(requester_carla, manager=requester_diego.email))
    herself = client.post(url, person_form(requester_carla, manager=requester_carla.email))

    assert field_errors(foreign, "manager") == [
        "Ninguna persona de esta organización tiene esa dirección de correo."]
    assert field_errors(loop, "manager") == [
        f"{requester_diego} ya depende de {requester_carla}, directa o indirectamente."]
    assert field_errors(herself, "manager") == [
        f"{requester_carla} ya depende de {requester_carla}, directa o indirectamente."]
    requester_carla.refresh_from_db()
    assert requester_carla.manager is None


def test_a_group_in_use_is_not_deleted_from_under_what_uses_it(admin, monkeypatch):
    group = services.group_create(actor=admin, organization=admin.organization, name="VIP")
    from django.db.models import ProtectedError

    def protected(*args, **kwargs):
        raise ProtectedError("in use", set())

    monkeypatch.setattr(PersonGroup, "delete", protected)
    with pytest.raises(Conflict):
        services.group_delete(actor=admin, group=group)
    assert PersonGroup.objects.filter(pk=group.pk).exists()
