"""Nobody reaches on a portal path what is not theirs: items, articles and tickets of
another organization, of a department that does not serve them, or of another person
answer 404, exactly like things that do not exist."""

from __future__ import annotations

import pytest

from atiende.portal.models import Deflection
from atiende.tickets.models import Comment, Event, Ticket

pytestmark = pytest.mark.django_db


def _item_paths(item):
    return [f"/portal/catalog/{item.pk}/"]


def _article_paths(article):
    return [f"/portal/answers/{article.pk}/", f"/portal/answers/{article.pk}/?from=report"]


def _ticket_paths(ticket):
    return [f"/portal/requests/{ticket.number}/"]


@pytest.mark.parametrize("who", ["requester_other_org", "admin_other_org", "agent_other_org"])
def test_another_organization_sees_nothing_of_cafe(web_client, actors, who, laptop, certificate,
                                                    printer_answer, incident):
    client = web_client(actors[who])
    for path in [*_item_paths(laptop), *_item_paths(certificate),
                 *_article_paths(printer_answer), *_ticket_paths(incident)]:
        assert client.get(path).status_code == 404, path


def test_an_item_for_another_organization_only_is_invisible(web_client, requester_carla,
                                                             only_other, requester_other_org):
    # when / then
    assert web_client(requester_carla).get(f"/portal/catalog/{only_other.pk}/"
                                           ).status_code == 404
    assert web_client(requester_carla).post(f"/portal/catalog/{only_other.pk}/",
                                            {}).status_code == 404
    assert "Soporte de VPN" not in web_client(requester_carla).get(
        "/portal/catalog/").content.decode()
    assert web_client(requester_other_org).get(f"/portal/catalog/{only_other.pk}/"
                                               ).status_code == 200


@pytest.mark.parametrize(("who", "article"), [
    (who, article)
    for who in ("requester_carla", "agent_bruno_other_department", "requester_other_org")
    for article in ("internal_note", "draft_answer", "other_answer")
    # Clínica Norte's answer is Rita's own organization's.
    if (who, article) != ("requester_other_org", "other_answer")
])
def test_internal_draft_and_foreign_articles_are_404(web_client, actors, request, article,
                                                     who):
    found = request.getfixturevalue(article)
    client = web_client(actors[who])
    for path in _article_paths(found):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/portal/answers/{found.pk}/solved/").status_code == 404
    assert not Deflection.objects.exists()


def test_even_the_article_staff_see_the_portal_without_internal_articles(
        web_client, agent_ana, internal_note):
    assert web_client(agent_ana).get(f"/portal/answers/{internal_note.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["requester_diego", "requester_other_org",
                                 "agent_bruno_other_department", "agent_ana", "admin",
                                 "agent_other_org"])
def test_someone_elses_ticket_is_404_on_every_path(web_client, actors, request, who, incident):
    # given: Carla's incident; everyone here is someone else (staff included: the portal
    # shows one's own requests)
    person = actors.get(who) or request.getfixturevalue(who)
    client = web_client(person)
    events = Event.objects.count()
    # when / then
    assert client.get(f"/portal/requests/{incident.number}/").status_code == 404
    for action, data in (("reply", {"body": "hola"}), ("cancel", {"version": 1}),
                         ("reopen", {"version": 1})):
        response = client.post(f"/portal/requests/{incident.number}/{action}/", data)
        assert response.status_code == 404, action
    assert Event.objects.count() == events
    assert not Comment.objects.exists()
    assert Ticket.objects.get(pk=incident.pk).status == "new"
    assert incident.number not in client.get("/portal/requests/").content.decode()
    assert incident.number not in client.get("/portal/").content.decode()


def test_a_ticket_number_that_does_not_exist_or_is_hostile_is_404(web_client, requester_carla):
    client = web_client(requester_carla)
    for number in ("INC-999999", "nada", "%00", "INC-000001%27--"):
        assert client.get(f"/portal/requests/{number}/").status_code == 404


def test_logo_of_an_organization_one_may_not_see_is_404(web_client, requester_carla,
                                                        requester_other_org, admin_other_org,
                                                        org_other, org_cafe):
    from atiende.portal import services
    from tests.portal.test_branding import png_upload

    branding = services.branding_update(actor=admin_other_org, organization=org_other,
                                        title="", primary_colour="#1d5b8f",
                                        logo=png_upload())
    path = f"/portal/logo/{org_other.slug}/{branding.logo_digest[:16]}.png"
    assert web_client(requester_other_org).get(path).status_code == 200
    assert web_client(requester_carla).get(path).status_code == 404
    assert web_client().get(path).status_code == 302
