"""`/api/v1/catalog`."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from atiende.catalog.models import RequestAnswers
from atiende.tickets.models import Event, Ticket

SEES_LAPTOP = {"anonymous": 401, "requester_carla": 200, "requester_other_org": 404,
               "agent_other_org": 404, "agent_bruno_other_department": 404, "agent_ana": 200,
               "admin": 200, "admin_other_org": 404, "provider_admin": 200}


def _nothing_written():
    return (Ticket.objects.count(), RequestAnswers.objects.count(), Event.objects.count()
            ) == (0, 0, 0)


@pytest.mark.parametrize("who", sorted(SEES_LAPTOP))
def test_an_item_is_found_only_by_who_may_see_it(who, actors, catalog, api_client):
    response = api_client(actors[who]).get(f"/api/v1/catalog/items/{catalog['laptop'].pk}")
    assert response.status_code == SEES_LAPTOP[who]
    if response.status_code == 404:
        assert response["Content-Type"] == "application/problem+json"


def test_the_list_says_which_items_the_caller_may_ask_for(requester_carla, agent_ana, catalog,
                                                          api_client):
    carla = api_client(requester_carla).get("/api/v1/catalog/items").json()
    ana = api_client(agent_ana).get("/api/v1/catalog/items").json()
    assert {(row["name"], row["offered"]) for row in carla} == {
        ("Nuevo portátil", True), ("Certificado laboral", True), ("Licencia de diseño", True)}
    assert {(row["name"], row["offered"], row["is_active"]) for row in ana} == {
        ("Nuevo portátil", False, True), ("Fax", False, False)}


def test_the_detail_carries_the_current_form(requester_carla, laptop, api_client):
    body = api_client(requester_carla).get(f"/api/v1/catalog/items/{laptop.pk}").json()
    assert body["form"]["version"] == 2
    assert [field["key"] for field in body["form"]["fields"]][:3] == [
        "reason", "monitor", "monitor_size"]
    assert body["form"]["fields"][2]["show_if"] == {"field": "monitor", "equals": True}


def test_asking_answers_201_with_the_ticket_number(requester_carla, laptop, api_client):
    # when
    response = api_client(requester_carla).post(
        f"/api/v1/catalog/items/{laptop.pk}/requests",
        {"answers": {"reason": "Se dañó", "monitor": True, "monitor_size": "24\"", "ram": 16}},
        content_type="application/json")
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 201
    assert response.json() == {"number": ticket.number, "title": "Nuevo portátil",
                               "item_id": laptop.pk, "form_version": 2}
    assert ticket.channel == "api"
    assert RequestAnswers.objects.get(ticket=ticket).answers["ram"] == 16


def test_bad_answers_are_422_per_field_and_write_nothing(requester_carla, laptop, api_client):
    response = api_client(requester_carla).post(
        f"/api/v1/catalog/items/{laptop.pk}/requests",
        {"answers": {"ram": 100, "monitor_size": "24\"", "color": "rojo"}},
        content_type="application/json")
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_answers"
    with translation.override("es"):  # Carla's language
        expected = {
            "answers.reason": gettext("This field is required."),
            "answers.ram": gettext("Enter a number of at most %(max)s.") % {"max": 64},
            "answers.monitor_size": gettext("This field does not apply to your answers; "
                                            "leave it empty."),
            "answers.color": gettext("This form has no such field."),
        }
    assert {error["field"]: error["message"] for error in body["errors"]} == expected
    assert _nothing_written()


@pytest.mark.parametrize("who", ["requester_other_org", "agent_other_org", "admin_other_org"])
def test_asking_for_another_organizations_item_is_404(who, actors, catalog, api_client):
    response = api_client(actors[who]).post(
        f"/api/v1/catalog/items/{catalog['laptop'].pk}/requests",
        {"answers": {"reason": "x"}}, content_type="application/json")
    assert response.status_code == 404
    assert _nothing_written()


def test_unknown_body_fields_are_refused(requester_carla, laptop, api_client):
    response = api_client(requester_carla).post(
        f"/api/v1/catalog/items/{laptop.pk}/requests", {"reason": "x"},
        content_type="application/json")
    assert response.status_code == 422
    assert _nothing_written()
