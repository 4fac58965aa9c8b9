"""An organization admin's knowledge categories at /manage/<org>/knowledge/categories/."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.knowledge.models import KnowledgeCategory

pytestmark = pytest.mark.django_db
PAGE = "/manage/cafe-montana/knowledge/categories/"


def test_the_admin_adds_renames_and_deletes_categories(web_client, admin, it, hr):
    client = web_client(admin)
    # when: Mateo adds "Impresoras" to IT
    response = client.post(PAGE, {"department": it.pk, "name": "  Impresoras "})
    assert response.status_code == 302
    category = KnowledgeCategory.objects.get()
    assert (category.department, category.name) == (it, "Impresoras")
    # then: the page lists it
    assert "Impresoras" in client.get(PAGE).content.decode()
    # when: he renames and deletes it
    assert client.post(f"{PAGE}{category.pk}/", {"name": "Impresión"}).status_code == 302
    category.refresh_from_db()
    assert category.name == "Impresión"
    assert client.post(f"{PAGE}{category.pk}/delete/").status_code == 302
    assert not KnowledgeCategory.objects.exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "knowledge_category.created", "knowledge_category.renamed",
        "knowledge_category.deleted"]


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "Correo"}, "department"),
    ({"department": "x", "name": "Correo"}, "department"),
    ({"department": "{other}", "name": "Correo"}, "department"),
    ({"department": "{it}", "name": ""}, "name"),
    ({"department": "{it}", "name": "x" * 121}, "name"),
    ({"department": "{it}", "name": "impresoras"}, "name"),  # taken, any case
])
def test_bad_categories_are_refused_and_nothing_written(web_client, admin, it, other_it,
                                                        data, field):
    KnowledgeCategory.objects.create(department=it, name="Impresoras")
    values = {key: value.format(it=it.pk, other=other_it.pk) for key, value in data.items()}
    response = web_client(admin).post(PAGE, values)
    assert response.status_code == 422
    assert KnowledgeCategory.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_category_in_use_is_not_deleted(web_client, admin, it, library):
    category = KnowledgeCategory.objects.create(department=it, name="Impresoras")
    library["it_public"].category = category
    library["it_public"].save()
    response = web_client(admin).post(f"{PAGE}{category.pk}/delete/")
    assert response.status_code == 409
    assert KnowledgeCategory.objects.filter(pk=category.pk).exists()


@pytest.mark.parametrize("who", ["admin_other_org", "agent_ana", "lead_lucia",
                                 "requester_carla", "agent_other_org"])
def test_only_the_organizations_admins_reach_it(web_client, who, request, it):
    category = KnowledgeCategory.objects.create(department=it, name="Impresoras")
    client = web_client(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"department": it.pk, "name": "Correo"}).status_code == 404
    assert client.post(f"{PAGE}{category.pk}/", {"name": "Otro"}).status_code == 404
    assert client.post(f"{PAGE}{category.pk}/delete/").status_code == 404
    category.refresh_from_db()
    assert category.name == "Impresoras" and KnowledgeCategory.objects.count() == 1


def test_another_organizations_category_is_not_found(web_client, admin, other_it):
    foreign = KnowledgeCategory.objects.create(department=other_it, name="Historias clínicas")
    client = web_client(admin)
    assert client.post(f"{PAGE}{foreign.pk}/", {"name": "Mío"}).status_code == 404
    assert client.post(f"{PAGE}{foreign.pk}/delete/").status_code == 404
    assert "Historias clínicas" not in client.get(PAGE).content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "Historias clínicas"


def test_the_page_reads_a_fixed_number_of_queries(web_client, admin, it, hr,
                                                  django_assert_max_num_queries):
    for number in range(15):
        KnowledgeCategory.objects.create(department=it if number % 2 else hr,
                                         name=f"Categoría {number}")
    client = web_client(admin)
    with django_assert_max_num_queries(12):
        assert client.get(PAGE).status_code == 200
