"""Microsoft Teams webhook URLs at rest: a Fernet token in the column, the URL in
Python (cards still reach the channel); keys that no longer open it leave the
channel's page working, with a clear warning, and the post failing with the reason."""

from __future__ import annotations

import pytest
from django.db import connection

from atiende.notifications import teams, teams_services
from atiende.notifications.models import TeamsChannel, TeamsPost
from tests.notifications.test_teams import _channel, webhook  # noqa: F401 (fixture)
from tests.web.support import page

pytestmark = pytest.mark.django_db


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url FROM notifications_teamschannel WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_webhook_url_is_a_token_in_the_database_and_cards_still_arrive(
        admin, it, webhook, django_capture_on_commit_callbacks):  # noqa: F811
    channel = _channel(admin, webhook, it, ["ticket_created"])

    assert _raw(channel.pk).startswith("gAAAAA") and "127.0.0.1" not in _raw(channel.pk)
    assert TeamsChannel.objects.get().webhook_url == webhook.url
    with django_capture_on_commit_callbacks(execute=True):
        teams_services.teams_test_card(actor=admin, teams_channel=channel)
    assert len(webhook.cards) == 1


def test_with_the_wrong_key_the_page_warns_and_the_post_says_why(
        admin, it, webhook, web_client, settings):  # noqa: F811
    channel = _channel(admin, webhook, it, ["ticket_created"])
    post = TeamsPost.objects.create(channel=channel, kind=teams.TEST_KIND)
    settings.SECRETS_KEY = ["otra-clave"]

    response = web_client(admin).get(
        f"/manage/cafe-montana/notifications/teams/{channel.pk}/")
    teams.deliver(post.pk)

    assert response.status_code == 200
    alerts = [node.text for node in page(response).find_all("p", cls="alert-error")]
    assert any("SECRETS_KEY" in text for text in alerts)
    post.refresh_from_db()
    assert post.state == "queued" and "SECRETS_KEY" in post.last_error
    assert webhook.cards == []
