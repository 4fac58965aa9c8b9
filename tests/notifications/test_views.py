"""The in-app list, the bell's count, marking read, and preferences."""

from __future__ import annotations

import pytest

from atiende.notifications.models import Notification, NotificationPreference
from atiende.tickets import outbox
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Ticket
from tests.factories import UserFactory
from tests.web.support import flash_messages, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_speakers")]


@pytest.fixture
def replied(incident, agent_ana, requester_carla):
    """Ana answered Carla: Carla has one unread in-app notification."""
    outbox.dispatch()
    ticket_services.comment_add(actor=agent_ana, ticket=incident, body="<p>Ya voy</p>")
    outbox.dispatch()
    return Notification.objects.get(channel="in_app", recipient=requester_carla)


def test_the_bell_counts_unread_and_the_list_shows_them(replied, requester_carla, web_client):
    client = web_client(requester_carla)
    # when
    badge = client.get("/notifications/unread/")
    page = client.get("/notifications/")
    # then
    assert badge.status_code == 200 and b'class="bell-count"' in badge.content
    assert b">1<" in badge.content
    assert page.status_code == 200
    assert [n.pk for n in page.context["page"]] == [replied.pk]
    assert "INC-000001" in page.content.decode()


def test_every_page_loads_the_bell_after_it_renders(requester_carla, web_client):
    response = web_client(requester_carla).get("/profile/")
    assert 'hx-get="/notifications/unread/"' in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(replied, requester_carla,
                                                                      web_client):
    client = web_client(requester_carla)
    client.get("/notifications/unread/")  # the count is cached now
    # when
    response = client.post(f"/notifications/{replied.pk}/")
    # then
    assert response.status_code == 302 and response["Location"] == "/tickets/INC-000001/"
    replied.refresh_from_db()
    assert replied.read_at is not None
    assert b"bell-count" not in client.get("/notifications/unread/").content


def test_the_list_opens_a_notification_with_a_form_and_a_get_changes_nothing(
        replied, requester_carla, web_client):
    client = web_client(requester_carla)
    listed = page(client.get("/notifications/"))
    [form] = [node for node in listed.find_all("form", cls="notif-open")]
    assert form.attrs["action"] == f"/notifications/{replied.pk}/"
    assert form.attrs["method"] == "post"
    # a prefetched or crawled link changes nothing
    assert client.get(f"/notifications/{replied.pk}/").status_code == 405
    replied.refresh_from_db()
    assert replied.read_at is None


def test_opening_a_notification_of_a_ticket_no_longer_visible_goes_to_the_list(
        replied, requester_carla, web_client):
    # given: Carla's request moved to someone else (as after a data correction)
    someone = UserFactory(organization=requester_carla.organization)
    Ticket.objects.filter(pk=replied.ticket_id).update(requester=someone)
    client = web_client(requester_carla)
    # when
    response = client.post(f"/notifications/{replied.pk}/", follow=True)
    # then
    assert response.redirect_chain == [("/notifications/", 302)]
    assert flash_messages(response) == [
        ("info", "You can no longer see the ticket of that notification.")]
    assert "INC-000001" not in response.content.decode()


def test_mark_all_read(replied, requester_carla, web_client):
    response = web_client(requester_carla).post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True, channel="in_app").exists()


@pytest.mark.parametrize("who", ["anonymous", "agent_ana", "requester_other_org", "admin"])
def test_nobody_else_reads_or_marks_anothers_notification(replied, cast, who, web_client):
    client = web_client(cast[who])
    # when
    opened = client.post(f"/notifications/{replied.pk}/")
    marked = client.post(f"/notifications/{replied.pk}/read/")
    listed = client.get("/notifications/")
    # then
    if who == "anonymous":
        assert opened.status_code == marked.status_code == listed.status_code == 302
        assert "/accounts/login/" in opened["Location"]
    else:
        assert opened.status_code == marked.status_code == 404
        assert replied.pk not in [n.pk for n in listed.context["page"]]
    replied.refresh_from_db()
    assert replied.read_at is None


def test_a_notification_of_a_ticket_no_longer_visible_is_not_listed(replied, requester_carla,
                                                                    web_client):
    # given: Carla's request moved to Diego (as after a data correction)
    from atiende.tickets.models import Ticket
    from tests.factories import UserFactory

    someone = UserFactory(organization=requester_carla.organization)
    Ticket.objects.filter(pk=replied.ticket_id).update(requester=someone)
    # then
    assert list(web_client(requester_carla).get("/notifications/").context["page"]) == []


def test_preferences_are_saved_and_requesters_see_only_their_kinds(requester_carla, agent_ana,
                                                                   web_client):
    client = web_client(requester_carla)
    page = client.get("/notifications/preferences/")
    kinds = [row["kind"] for row in page.context["rows"]]
    assert "mentioned" not in kinds and "public_reply" in kinds
    # when: e-mail only for replies, nothing else
    response = client.post("/notifications/preferences/", {"email:public_reply": "on"})
    # then
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=requester_carla, kind="public_reply").email
    assert not NotificationPreference.objects.get(user=requester_carla,
                                                  kind="public_reply").in_app
    assert not NotificationPreference.objects.get(user=requester_carla, kind="resolved").email
    staff_kinds = [row["kind"] for row in
                   web_client(agent_ana).get("/notifications/preferences/").context["rows"]]
    assert "mentioned" in staff_kinds
