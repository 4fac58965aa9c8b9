"""The requester's catalog pages and the answers on the ticket's page."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from atiende.catalog.models import RequestAnswers
from atiende.tickets.models import Event, Ticket

CAN_OPEN_LAPTOP = {"anonymous": 302, "requester_carla": 200, "requester_other_org": 404,
                   "agent_other_org": 404, "agent_bruno_other_department": 404,
                   "agent_ana": 200, "admin": 200, "admin_other_org": 404,
                   "provider_admin": 200}


@pytest.mark.parametrize("who", sorted(CAN_OPEN_LAPTOP))
def test_the_item_page_answers_only_who_may_see_it(who, actors, catalog, web_client):
    response = web_client(actors[who]).get(f"/catalog/{catalog['laptop'].pk}/")
    assert response.status_code == CAN_OPEN_LAPTOP[who]


@pytest.mark.parametrize("who", ["requester_other_org", "agent_other_org", "admin_other_org",
                                 "agent_bruno_other_department"])
def test_posting_an_item_not_theirs_is_404_and_writes_nothing(who, actors, catalog,
                                                              web_client):
    response = web_client(actors[who]).post(f"/catalog/{catalog['laptop'].pk}/",
                                            {"answer-reason": "x"})
    assert response.status_code == 404
    assert (Ticket.objects.count(), Event.objects.count()) == (0, 0)


def test_the_catalog_lists_what_is_offered_grouped_and_searchable(requester_carla, catalog,
                                                                  web_client):
    client = web_client(requester_carla)
    page = client.get("/catalog/").content.decode()
    found = client.get("/catalog/", {"q": "portatil"}).content.decode()
    assert "Nuevo portátil" in page and "Certificado laboral" in page
    assert "Licencia de diseño" in page and "Acceso a VPN" not in page and "Fax" not in page
    assert "Tecnología" in page and "Talento Humano" in page
    assert "Nuevo portátil" in found and "Certificado laboral" not in found


def test_a_form_with_errors_answers_422_next_to_the_fields(requester_carla, laptop,
                                                           web_client):
    # when
    response = web_client(requester_carla).post(f"/catalog/{laptop.pk}/", {
        "answer-reason": "", "answer-ram": "2", "answer-monitor_size": "27\""})
    # then
    page = response.content.decode()
    assert response.status_code == 422
    with translation.override("es"):  # Carla's language
        required = gettext("This field is required.")
        too_small = gettext("Enter a number of at least %(min)s.") % {"min": 8}
        hidden = gettext("This field does not apply to your answers; leave it empty.")
    assert required in page and too_small in page and hidden in page
    assert (Ticket.objects.count(), RequestAnswers.objects.count()) == (0, 0)


def test_submitting_creates_the_request_and_its_page_shows_the_answers(
        requester_carla, agent_ana, laptop, web_client):
    # when
    response = web_client(requester_carla).post(f"/catalog/{laptop.pk}/", {
        "answer-reason": "Se dañó", "answer-monitor": "on", "answer-monitor_size": "27\"",
        "answer-apps": ["Office", "Figma"]})
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/tickets/{ticket.number}/"
    for viewer in (requester_carla, agent_ana):
        page = web_client(viewer).get(response.url).content.decode()
        assert "Tamaño del monitor" in page and "Office, Figma" in page
        assert "(versión 2)" in page or "(version 2)" in page


def test_someone_of_no_organization_sees_a_form_with_a_person_field(catalog, web_client):
    from tests.factories import UserFactory

    superuser = UserFactory(email="root@nubeandina.example", organization=None,
                            is_superuser=True)

    response = web_client(superuser).get(f"/catalog/{catalog['laptop'].pk}/")

    assert response.status_code == 200
