"""Every message of the corpus (tests/mail/corpus/*.eml) becomes what
tests/mail/corpus/expected.toml says, written through the real services into a real
database: the ticket or reply, its text, its files, its requester, the record of the
message with its raw bytes, and nothing else."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from atiende.core.models import AuditEvent, Membership, Role, User
from atiende.mail.models import InboundMessage, InboundState
from atiende.mail.services import Action
from atiende.tickets.models import Attachment, Comment, Event, Ticket
from tests.mail.conftest import CORPUS, EXPECTED, deliver, eml

STATES = {Action.HELD: InboundState.HELD, Action.IGNORED: InboundState.IGNORED,
          Action.QUARANTINED: InboundState.QUARANTINED,
          Action.CREATED: InboundState.PROCESSED, Action.COMMENTED: InboundState.PROCESSED}


def test_the_corpus_has_forty_messages_or_more_each_with_an_expectation():
    files = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert len(files) >= 40
    assert sorted(EXPECTED) == files


def _snapshot(incident) -> dict:
    return {
        "tickets": Ticket.objects.count(),
        "comments": Comment.objects.count(),
        "incident_comments": list(incident.comments.values_list("pk", flat=True)),
        "incident_watchers": sorted(incident.watchers.values_list("pk", flat=True)),
        "attachments": Attachment.objects.count(),
        "users": User.objects.count(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_message_becomes_what_is_expected(world, name):
    # given
    expected = EXPECTED[name]
    for earlier in expected.get("before", []):
        deliver(world, earlier, mailbox=expected["mailbox"])
    before = _snapshot(world.incident)
    inbound_before = InboundMessage.objects.count()

    # when
    outcome = deliver(world, name)

    # then
    assert outcome.action == expected["action"], (outcome.action, outcome.reason,
                                                  outcome.detail)
    assert outcome.reason == expected.get("reason", "")
    after = _snapshot(world.incident)
    # whatever the message, the incident's watchers never change through mail
    assert after["incident_watchers"] == before["incident_watchers"]
    check = {
        Action.CREATED: _check_created, Action.COMMENTED: _check_commented,
        Action.DUPLICATE: _check_nothing_written, Action.REFUSED: _check_nothing_written,
    }.get(outcome.action, _check_set_aside)
    check(world, name, expected, outcome, before, after, inbound_before)


def _check_record(name, outcome, state):
    record = InboundMessage.objects.get(pk=outcome.message.pk)
    assert record.state == state
    assert bytes(record.raw) == eml(name)
    assert record.size == len(eml(name))
    return record


def _check_created(world, name, expected, outcome, before, after, inbound_before):
    ticket = Ticket.objects.get(pk=outcome.ticket.pk)
    organization = world.mailboxes[expected["mailbox"]].organization
    assert after["tickets"] == before["tickets"] + 1
    assert after["incident_comments"] == before["incident_comments"]
    assert ticket.organization == organization
    assert ticket.department == world.mailboxes[expected["mailbox"]].department
    if "organization" in expected:
        assert ticket.organization.slug == {"cafe": "cafe-montana",
                                            "other": "clinica-norte"}[expected["organization"]]
    assert ticket.channel == "email"
    assert ticket.kind == expected.get("kind", "incident")
    assert ticket.requester.email == expected.get("requester", "carla@cafemontana.example")
    assert list(ticket.watchers.all()) == []  # To and Cc never become watchers
    if "title" in expected:
        assert ticket.title == expected["title"]
    if expected.get("title_is_no_subject"):
        with translation.override(organization.language):
            assert ticket.title == gettext("(no subject)")
    if "title_length" in expected:
        assert len(ticket.title) == expected["title_length"]
        assert ticket.title.startswith(expected["title_starts"])
        assert ticket.title.endswith("…")
    assert "\n" not in ticket.title and "\r" not in ticket.title
    for text in expected.get("body_has", []):
        assert text in ticket.description
    for text in expected.get("body_lacks", []):
        assert text not in ticket.description
    files = sorted(ticket.attachments.values_list("file_name", flat=True))
    assert files == sorted(expected.get("files", []))
    assert all(attachment.uploaded_by_id == ticket.requester_id
               for attachment in ticket.attachments.all())
    created = Event.objects.get(ticket=ticket, kind="created")
    assert (created.actor_id, created.channel) == (ticket.requester_id, "email")
    record = _check_record(name, outcome, InboundState.PROCESSED)
    assert (record.ticket_id, record.comment_id) == (ticket.pk, None)
    assert [item["file_name"] for item in record.skipped_files] == expected.get("skipped", [])
    if expected.get("new_requester"):
        assert after["users"] == before["users"] + 1
        assert Membership.objects.filter(user=ticket.requester, organization=organization,
                                         role=Role.REQUESTER).exists()
        audit = AuditEvent.objects.get(action="user.created", target_id=ticket.requester_id)
        assert (audit.actor_id, audit.channel) == (None, "email")
    else:
        assert after["users"] == before["users"]


def _check_commented(world, name, expected, outcome, before, after, inbound_before):
    ticket = Ticket.objects.get(number=expected["ticket"])
    comment = Comment.objects.get(pk=outcome.comment.pk)
    assert outcome.ticket.pk == ticket.pk
    assert after["tickets"] == before["tickets"]
    assert after["incident_comments"] == [*before["incident_comments"], comment.pk]
    assert comment.ticket_id == ticket.pk
    assert comment.visibility == "public"
    assert comment.channel == "email"
    assert comment.author.email == expected.get("author", "carla@cafemontana.example")
    for text in expected.get("body_has", []):
        assert text in comment.body
    for text in expected.get("body_lacks", []):
        assert text not in comment.body
    if expected.get("body_is_only_files"):
        with translation.override(ticket.organization.language):
            assert comment.body == f"<p>{gettext('(No text; see the attached files.)')}</p>"
    files = sorted(comment.attachments.values_list("file_name", flat=True))
    assert files == sorted(expected.get("files", []))
    event = Event.objects.get(comment=comment, kind="commented")
    assert (event.actor_id, event.channel) == (comment.author_id, "email")
    record = _check_record(name, outcome, InboundState.PROCESSED)
    assert (record.ticket_id, record.comment_id) == (ticket.pk, comment.pk)
    assert after["users"] == before["users"]


def _check_set_aside(world, name, expected, outcome, before, after, inbound_before):
    assert after == before
    record = _check_record(name, outcome, STATES[outcome.action])
    assert record.reason == expected["reason"]
    assert (record.ticket_id, record.comment_id) == (None, None)
    assert InboundMessage.objects.count() == inbound_before + 1


def _check_nothing_written(world, name, expected, outcome, before, after, inbound_before):
    assert after == before
    assert InboundMessage.objects.count() == inbound_before
    assert outcome.message is None
