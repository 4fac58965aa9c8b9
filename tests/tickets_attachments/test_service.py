"""`attachment_add`: who may attach, what is accepted, what is written."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from atiende.errors import (
    Conflict,
    FileTooLarge,
    FileTypeRefused,
    PermissionDenied,
    ValidationFailed,
)
from atiende.tickets import attachments, services
from atiende.tickets.models import Attachment, Event, EventKind, Status, Visibility
from tests.tickets_attachments.conftest import EXECUTABLE, PDF, a_file, png_bytes, stored_files

# --- what is written ------------------------------------------------------------------


def test_a_file_is_stored_under_an_opaque_name_with_one_event(incident, requester_carla, media):
    # given
    events_before = Event.objects.filter(ticket=incident).count()
    version_before = incident.version

    # when
    attachment = attachments.attachment_add(
        actor=requester_carla, ticket=incident,
        uploaded_file=a_file("Factura marzo.pdf", PDF), channel="portal",
    )

    # then
    attachment.refresh_from_db()
    assert attachment.file_name == "Factura marzo.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.is_internal is False
    assert attachment.uploaded_by == requester_carla
    assert attachment.comment is None
    stored = attachment.file.name
    assert stored.startswith("attachments/")
    assert "Factura" not in stored and "pdf" not in stored
    assert len(stored.rsplit("/", 1)[1]) == 32
    assert stored_files(media) == [stored]
    assert (media / stored).read_bytes() == PDF
    events = list(Event.objects.filter(ticket=incident).order_by("id"))
    assert len(events) == events_before + 1
    event = events[-1]
    assert event.kind == EventKind.ATTACHED
    assert event.actor == requester_carla
    assert event.channel == "portal"
    assert event.comment is None
    assert event.new_value == {"attachment_id": attachment.pk, "file_name": "Factura marzo.pdf",
                               "size": len(PDF), "is_internal": False}
    incident.refresh_from_db()
    assert incident.version == version_before  # a file is not an edit of the ticket
    assert event.ticket_version == version_before


def test_two_files_with_one_name_get_two_stored_files(incident, agent_ana, media):
    # when
    first = attachments.attachment_add(actor=agent_ana, ticket=incident,
                                       uploaded_file=a_file("log.txt", b"uno"), channel="web")
    second = attachments.attachment_add(actor=agent_ana, ticket=incident,
                                        uploaded_file=a_file("log.txt", b"dos"), channel="web")

    # then
    assert first.file.name != second.file.name
    assert len(stored_files(media)) == 2


def test_a_file_on_a_comment_belongs_to_it_and_an_internal_note_makes_it_internal(
        incident, agent_ana):
    # given
    note = services.comment_add(actor=agent_ana, ticket=incident, body="Revisé el spooler",
                                visibility=Visibility.INTERNAL)

    # when
    attachment = attachments.attachment_add(
        actor=agent_ana, ticket=incident, uploaded_file=a_file("spooler.txt", b"error 0x1"),
        comment=note, channel="web",
    )

    # then
    assert attachment.comment == note
    assert attachment.is_internal is True
    event = Event.objects.filter(ticket=incident).latest("id")
    assert event.comment == note
    assert event.new_value["is_internal"] is True


# --- who may attach ---------------------------------------------------------------------


def test_a_requester_cannot_attach_a_file_for_agents_only(incident, requester_carla, media):
    # given
    events_before = Event.objects.count()

    # when
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(actor=requester_carla, ticket=incident,
                                   uploaded_file=a_file("a.pdf", PDF), is_internal=True,
                                   channel="portal")

    # then
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before
    assert stored_files(media) == []


@pytest.mark.parametrize("name", ["agent_bruno_other_department", "agent_other_org",
                                  "requester_other_org"])
def test_people_outside_the_ticket_cannot_attach(incident, cast, name, media):
    # given
    events_before = Event.objects.count()

    # when
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(actor=cast[name], ticket=incident,
                                   uploaded_file=a_file("a.pdf", PDF), channel="web")

    # then
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before
    assert stored_files(media) == []


def test_a_requester_cannot_attach_to_a_closed_ticket_but_staff_can(
        incident, agent_ana, requester_carla, media):
    # given
    services.ticket_transition(actor=agent_ana, ticket=incident, to_status=Status.CANCELLED,
                               version=incident.version)
    incident.refresh_from_db()

    # when
    with pytest.raises(Conflict) as refused:
        attachments.attachment_add(actor=requester_carla, ticket=incident,
                                   uploaded_file=a_file("a.pdf", PDF), channel="portal")
    attachments.attachment_add(actor=agent_ana, ticket=incident,
                               uploaded_file=a_file("a.pdf", PDF), channel="web")

    # then
    assert refused.value.code == "ticket_final"
    assert Attachment.objects.get().uploaded_by == agent_ana
    assert len(stored_files(media)) == 1


def test_only_the_author_adds_files_to_a_comment(incident, agent_ana, requester_carla, media):
    # given
    reply = services.comment_add(actor=requester_carla, ticket=incident, body="Sigue igual")

    # when
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(actor=agent_ana, ticket=incident, comment=reply,
                                   uploaded_file=a_file("a.pdf", PDF), channel="web")

    # then
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_a_requester_cannot_name_an_internal_note_or_a_comment_of_another_ticket(
        incident, other_incident, agent_ana, requester_carla):
    # given
    note = services.comment_add(actor=agent_ana, ticket=incident, body="interno",
                                visibility=Visibility.INTERNAL)
    elsewhere = services.comment_add(actor=requester_carla, ticket=other_incident, body="otro")

    # when / then
    for comment_id in (note.pk, elsewhere.pk, 999_999):
        with pytest.raises(ValidationFailed) as refused:
            attachments.attachment_comment(actor=requester_carla, ticket=incident,
                                           comment_id=comment_id)
        assert refused.value.code == "unknown_comment"
        assert set(refused.value.fields) == {"comment_id"}
    with pytest.raises(ValidationFailed):
        attachments.attachment_add(actor=requester_carla, ticket=incident, comment=elsewhere,
                                   uploaded_file=a_file("a.pdf", PDF), channel="portal")
    assert Attachment.objects.count() == 0


# --- size and type -------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_413(incident, agent_ana, settings, media):
    # given
    settings.ATTACHMENT_MAX_BYTES = 1000

    # when
    with pytest.raises(FileTooLarge) as refused:
        attachments.attachment_add(actor=agent_ana, ticket=incident,
                                   uploaded_file=a_file("big.txt", b"x" * 1001), channel="web")
    at_the_limit = attachments.attachment_add(
        actor=agent_ana, ticket=incident, uploaded_file=a_file("ok.txt", b"x" * 1000),
        channel="web")

    # then
    assert refused.value.status == 413
    assert refused.value.code == "file_too_large"
    assert list(Attachment.objects.all()) == [at_the_limit]


def test_an_empty_file_is_refused(incident, agent_ana, media):
    with pytest.raises(ValidationFailed) as refused:
        attachments.attachment_add(actor=agent_ana, ticket=incident,
                                   uploaded_file=a_file("nada.txt", b""), channel="web")
    assert refused.value.code == "empty_file"
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "content"), [
    ("programa.exe", EXECUTABLE),
    ("factura.pdf", EXECUTABLE),  # an executable renamed
    ("foto.png", EXECUTABLE),
    ("foto.jpg", png_bytes(4, 4)),  # a PNG is not a JPEG
    ("notas.txt", EXECUTABLE),
    ("datos.csv", b"a,b\x00\x01"),
    ("script.sh.txt", b"#!/bin/sh\nrm -rf /\n"),
    ("informe.docx", PDF),
    ("dibujo.svg", b"<svg onload=alert(1)></svg>"),
    ("pagina.html", b"<html><script>alert(1)</script></html>"),
    ("sin-extension", PDF),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
    ("factura.pdf.exe", PDF),
])
def test_refused_types_and_contents_are_415_and_write_nothing(
        incident, agent_ana, media, name, content):
    # given
    events_before = Event.objects.count()

    # when
    with pytest.raises(FileTypeRefused) as refused:
        attachments.attachment_add(actor=agent_ana, ticket=incident,
                                   uploaded_file=a_file(name, content), channel="web")

    # then
    assert refused.value.status == 415
    assert refused.value.code == "file_type_refused"
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before
    assert stored_files(media) == []


def test_the_type_comes_from_the_extension_and_content_not_from_the_client(
        incident, agent_ana):
    # given
    upload = a_file("foto.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    upload.content_type = "text/html"

    # when
    attachment = attachments.attachment_add(actor=agent_ana, ticket=incident,
                                            uploaded_file=upload, channel="web")

    # then
    assert attachment.content_type == "image/jpeg"
    assert attachment.file_name == "foto.JPEG"


def test_the_allow_list_is_a_setting(incident, agent_ana, settings):
    # given
    settings.ATTACHMENT_TYPES = ["txt"]

    # when / then
    with pytest.raises(FileTypeRefused):
        attachments.attachment_add(actor=agent_ana, ticket=incident,
                                   uploaded_file=a_file("a.pdf", PDF), channel="web")
    assert attachments.attachment_add(actor=agent_ana, ticket=incident,
                                      uploaded_file=a_file("a.txt", b"hola"), channel="web")


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("a.pdf", PDF, "application/pdf"),
    ("a.png", png_bytes(4, 4), "image/png"),
    ("a.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
    ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ("a.zip", b"PK\x03\x04" + b"\x00" * 30, "application/zip"),
    ("a.xlsx", b"PK\x03\x04" + b"\x00" * 30,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30, "application/msword"),
    ("a.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30, "application/vnd.ms-outlook"),
    ("a.eml", b"From: carla@cafemontana.example\r\nSubject: hola\r\n\r\nhola",
     "message/rfc822"),
    ("a.csv", "nombre;ciudad\nCarla;Bogotá\n".encode(), "text/csv"),
    ("a.txt", "hola".encode("utf-16"), "text/plain"),
    ("a.rtf", b"{\\rtf1\\ansi hola}", "application/rtf"),
])
def test_accepted_types(incident, agent_ana, name, content, content_type):
    attachment = attachments.attachment_add(actor=agent_ana, ticket=incident,
                                            uploaded_file=a_file(name, content), channel="web")
    assert attachment.content_type == content_type


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("Factura marzo.pdf", "Factura marzo.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
    ("C:\\Users\\carla\\Desktop\\informe.pdf", "informe.pdf"),
    ("carpeta/sub/informe.pdf", "informe.pdf"),
    ("<script>.pdf", "attachment.pdf"),
    ("<script>alert(1)</script>informe.pdf", "alert(1)informe.pdf"),
    ('<img src=x onerror="alert(1)">foto.png', "foto.png"),
    ("a\x00b.pdf", "ab.pdf"),
    ("línea\nnueva\r\t.pdf", "línea nueva.pdf"),
    ("factura\u202efdp.exe.pdf", "facturafdp.exe.pdf"),  # no right-to-left override
    (".htaccess.txt", "htaccess.txt"),
    ("...pdf", "attachment.pdf"),
    ("  informe final .pdf  ", "informe final.pdf"),
    ("informe.pdf.", "informe.pdf"),
    ("what?*:|\"`$.txt", "what.txt"),
    ("", "attachment"),
    ("/", "attachment"),
    ("Cafe\u0301.txt", "Café.txt"),
])
def test_file_names_are_sanitised(raw, expected):
    with translation.override("en"):
        assert attachments.sanitize_file_name(raw) == expected


def test_a_very_long_name_is_cut_and_keeps_its_extension():
    # when
    name = attachments.sanitize_file_name("informe " * 100 + ".pdf")

    # then
    assert len(name) == attachments.FILE_NAME_MAX == 120
    assert name == ("informe " * 100)[:116] + ".pdf"


@pytest.mark.parametrize(("raw", "kept"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("<script>.txt", "attachment.txt"),
    ("a\x00b.txt", "ab.txt"),
    ("x" * 400 + ".txt", "x" * (attachments.FILE_NAME_MAX - 4) + ".txt"),
    ("dir/sub\\name.txt", "name.txt"),
])
def test_hostile_names_are_kept_sanitised_and_never_reach_the_storage(
        incident, agent_ana, media, raw, kept):
    # when
    with translation.override("en"):
        attachment = attachments.attachment_add(actor=agent_ana, ticket=incident,
                                                uploaded_file=a_file(raw, b"hola"),
                                                channel="web")

    # then
    assert attachment.file_name == kept
    [stored] = stored_files(media)
    assert stored == attachment.file.name
    assert kept not in stored


# --- no orphan files -----------------------------------------------------------------


def test_a_failed_transaction_leaves_no_stored_file(incident, agent_ana, media, monkeypatch):
    # given
    def broken_event(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachments, "_event", broken_event)
    events_before = Event.objects.count()

    # when
    with pytest.raises(RuntimeError):
        attachments.attachment_add(actor=agent_ana, ticket=incident,
                                   uploaded_file=a_file("a.pdf", PDF), channel="web")

    # then
    assert stored_files(media) == []
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before


@pytest.mark.django_db(transaction=True)
def test_a_refusal_inside_the_lock_leaves_no_stored_file(
        incident, agent_ana, requester_carla, media, monkeypatch):
    # given: the ticket is closed by someone else between the check and the lock
    services.ticket_transition(actor=agent_ana, ticket=incident, to_status=Status.CANCELLED,
                               version=incident.version)
    stale = incident  # still says "new"
    events_before = Event.objects.count()

    # when
    with pytest.raises(Conflict), transaction.atomic():
        attachments.attachment_add(actor=requester_carla, ticket=stale,
                                   uploaded_file=a_file("a.pdf", PDF), channel="portal")

    # then
    assert stored_files(media) == []
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before


def test_a_requester_does_not_see_the_event_of_a_file_for_agents_only(
        incident, agent_ana, requester_carla, public_pdf, internal_png):
    from atiende.tickets.selectors import ticket_events

    # when
    as_carla = ticket_events(actor=requester_carla, ticket=incident)
    as_ana = ticket_events(actor=agent_ana, ticket=incident)

    # then
    attached = [event.new_value["attachment_id"] for event in as_carla
                if event.kind == EventKind.ATTACHED]
    assert attached == [public_pdf.pk]
    assert [event.new_value["attachment_id"] for event in as_ana
            if event.kind == EventKind.ATTACHED] == [public_pdf.pk, internal_png.pk]
    assert [event.kind for event in as_carla] == [EventKind.CREATED, EventKind.ATTACHED]
