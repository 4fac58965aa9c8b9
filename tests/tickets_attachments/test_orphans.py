"""No stored file outlives the transaction that was to keep its row: a rollback of a
caller's transaction (or of a savepoint) deletes it again; what a crash still leaves
behind, the sweep (`atiende sweep-attachments`) deletes once it is an hour old. Real
files in a media folder of each test's own, on a real database."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from atiende.tickets import attachments
from atiende.tickets.models import Attachment, Event, EventKind
from tests.tickets_attachments.conftest import PDF, a_file, png_bytes, stored_files

HOUR = 3600


class Refused(Exception):
    """What a caller's own step raises after the file was attached."""


def _attach(ticket, actor, name="informe.pdf", content=PDF) -> Attachment:
    return attachments.attachment_add(actor=actor, ticket=ticket,
                                      uploaded_file=a_file(name, content), channel="web")


# --- a rollback deletes the file again ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_callers_transaction_that_fails_after_the_upload_leaves_no_file(
        incident, agent_ana, media):
    # given
    events_before = Event.objects.count()

    # when: the caller's next step fails after the file was attached
    with pytest.raises(Refused), transaction.atomic():
        _attach(incident, agent_ana)
        assert len(stored_files(media)) == 1  # written while the transaction is open
        raise Refused

    # then
    assert stored_files(media) == []
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_marked_for_rollback_without_an_error_leaves_no_file(
        incident, agent_ana, media):
    # when
    with transaction.atomic():
        _attach(incident, agent_ana)
        transaction.set_rollback(True)

    # then
    assert stored_files(media) == []
    assert Attachment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_takes_its_file_and_keeps_the_others(
        incident, agent_ana, media):
    # when: two files in one transaction, the second inside a savepoint that fails
    with transaction.atomic():
        kept = _attach(incident, agent_ana, "primero.pdf")
        with pytest.raises(Refused), transaction.atomic():
            _attach(incident, agent_ana, "segundo.pdf")
            raise Refused

    # then
    assert stored_files(media) == [kept.file.name]
    assert list(Attachment.objects.values_list("file_name", flat=True)) == ["primero.pdf"]
    assert (media / kept.file.name).read_bytes() == PDF


@pytest.mark.django_db(transaction=True)
def test_a_committed_file_stays_even_when_another_commit_callback_fails(
        incident, agent_ana, media):
    # given: an earlier step of the transaction scheduled something that fails on commit
    def broken() -> None:
        raise Refused

    # when
    with pytest.raises(Refused), transaction.atomic():
        transaction.on_commit(broken)
        attachment = _attach(incident, agent_ana)

    # then: the row was committed, and so its file stays
    assert Attachment.objects.get().pk == attachment.pk
    assert stored_files(media) == [attachment.file.name]


@pytest.mark.django_db(transaction=True)
def test_a_file_committed_on_its_own_stays(incident, agent_ana, media):
    # when
    attachment = _attach(incident, agent_ana)

    # then
    assert stored_files(media) == [attachment.file.name]
    assert Event.objects.filter(kind=EventKind.ATTACHED).count() == 1


def test_inside_the_tests_own_transaction_a_savepoint_rollback_deletes_the_file(
        incident, agent_ana, media):
    # when
    with pytest.raises(Refused), transaction.atomic():
        _attach(incident, agent_ana)
        raise Refused

    # then
    assert stored_files(media) == []


# --- the sweep ------------------------------------------------------------------------


def _stored(media, name: str, content: bytes, *, age: float) -> str:
    """A file written straight into the storage, `age` seconds old."""
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    moment = time.time() - age
    os.utime(path, (moment, moment))
    return name


@pytest.fixture
def storage_with_orphans(incident, agent_ana, media):
    """A kept file (an hour old, with a thumbnail) and, without any row: an old file, its
    thumbnail, and a file written a minute ago (an upload in progress)."""
    kept = _attach(incident, agent_ana, "pantallazo.png", png_bytes(40, 30))
    os.utime(media / kept.file.name, (time.time() - 2 * HOUR,) * 2)
    return {
        "kept": kept.file.name,
        "kept_thumbnail": _stored(media, f"{kept.file.name}-thumbnail.png", b"t" * 10,
                                  age=2 * HOUR),
        "orphan": _stored(media, "attachments/2025/01/" + "a" * 32, b"x" * 1000, age=3 * HOUR),
        "orphan_thumbnail": _stored(media, "attachments/2025/01/" + "a" * 32
                                    + "-thumbnail.jpg", b"y" * 24, age=3 * HOUR),
        "in_flight": _stored(media, "attachments/2026/05/" + "b" * 32, b"z" * 50, age=60),
    }


def test_the_sweep_deletes_old_files_without_a_row_and_nothing_else(storage_with_orphans,
                                                                    media):
    # given
    files = storage_with_orphans

    # when
    report = attachments.sweep_orphan_files()

    # then
    assert [(swept.name, swept.size) for swept in report.files] == [
        (files["orphan"], 1000), (files["orphan_thumbnail"], 24)]
    assert (report.count, report.size) == (2, 1024)
    assert stored_files(media) == sorted([files["kept"], files["kept_thumbnail"],
                                          files["in_flight"]])

    # and a second sweep finds nothing more
    assert attachments.sweep_orphan_files().count == 0


def test_a_dry_run_lists_and_deletes_nothing(storage_with_orphans, media):
    # given
    before = stored_files(media)

    # when
    report = attachments.sweep_orphan_files(dry_run=True)

    # then
    assert [swept.name for swept in report.files] == [storage_with_orphans["orphan"],
                                                      storage_with_orphans["orphan_thumbnail"]]
    assert stored_files(media) == before


def test_the_sweep_takes_the_file_of_a_row_deleted_since(incident, agent_ana, media):
    # given: an old file whose row is gone
    attachment = _attach(incident, agent_ana)
    os.utime(media / attachment.file.name, (time.time() - 2 * HOUR,) * 2)
    Attachment.objects.filter(pk=attachment.pk).delete()

    # when
    report = attachments.sweep_orphan_files()

    # then
    assert [swept.name for swept in report.files] == [attachment.file.name]
    assert stored_files(media) == []


def test_the_sweep_of_an_empty_storage_finds_nothing(db, media):
    assert attachments.sweep_orphan_files().count == 0


def test_the_command_says_how_many_files_and_bytes(storage_with_orphans, media):
    # when
    with translation.override("en"):
        listed, swept = io.StringIO(), io.StringIO()
        call_command("sweep-attachments", "--dry-run", stdout=listed)
        after_dry_run = stored_files(media)
        call_command("sweep-attachments", stdout=swept)

    # then
    assert listed.getvalue().splitlines() == [
        f"{storage_with_orphans['orphan']}\t1000",
        f"{storage_with_orphans['orphan_thumbnail']}\t24",
        "2 orphan files (1024 bytes) would be deleted.",
    ]
    assert len(after_dry_run) == 5
    assert swept.getvalue() == "Deleted 2 orphan files (1024 bytes).\n"
    assert len(stored_files(media)) == 3


def test_the_command_can_wait_less_than_an_hour(storage_with_orphans, media):
    # when: files of a minute ago count too
    with translation.override("en"):
        output = io.StringIO()
        call_command("sweep-attachments", "--min-age-minutes", "0", stdout=output)

    # then
    assert output.getvalue() == "Deleted 3 orphan files (1074 bytes).\n"
    assert storage_with_orphans["in_flight"] not in stored_files(media)
