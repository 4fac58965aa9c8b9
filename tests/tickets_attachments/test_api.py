"""`/api/v1/tickets/{number}/attachments`: upload, list, download, thumbnail."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.tickets import attachments, services
from atiende.tickets.models import Attachment, Event, EventKind, Visibility
from tests.api.support import problem
from tests.tickets_attachments.conftest import EXECUTABLE, PDF, png_bytes, stored_files

BASE = "/api/v1/tickets/INC-000001/attachments"
CAST = ["anonymous", "requester_carla", "requester_other_org", "agent_other_org",
        "agent_bruno_other_department", "agent_ana", "admin", "provider_admin"]
# Who may see and reply on Carla's incident in Café Montaña's IT.
ALLOWED = {"requester_carla", "agent_ana", "admin", "provider_admin"}
STAFF = {"agent_ana", "admin", "provider_admin"}


def expected(name: str, ok: int, *, allowed=ALLOWED) -> int:
    if name == "anonymous":
        return 401
    return ok if name in allowed else 404


def multipart(file_name: str, content: bytes, **fields: str) -> tuple[bytes, str]:
    """A multipart body whose file name is sent exactly as given (Django's test client
    would strip directories itself)."""
    boundary = "----atiende-boundary"
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(client, name="Factura marzo.pdf", content=PDF, path=BASE, **fields):
    return client.post(path, {"file": SimpleUploadedFile(name, content), **fields})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- upload -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_upload_permission_matrix(incident, cast, api_client, media, name):
    # given
    client = api_client(cast[name])
    events_before = Event.objects.count()

    # when
    response = upload(client)

    # then
    status = expected(name, 201)
    assert response.status_code == status, response.content
    if status == 201:
        attachment = Attachment.objects.get()
        assert response.json() == {
            "id": attachment.pk,
            "ticket_number": "INC-000001",
            "comment_id": None,
            "file_name": "Factura marzo.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "is_internal": False,
            "uploaded_by": {"id": cast[name].pk, "display_name": cast[name].display_name},
            "created_at": response.json()["created_at"],
            "download_url": f"{BASE}/{attachment.pk}",
            "thumbnail_url": None,
        }
        event = Event.objects.latest("id")
        assert (event.kind, event.channel, event.actor) == (EventKind.ATTACHED, "api", cast[name])
        assert stored_files(media) == [attachment.file.name]
    else:
        problem(response, status, "not_authenticated" if status == 401 else "not_found")
        assert Attachment.objects.count() == 0
        assert Event.objects.count() == events_before
        assert stored_files(media) == []


@pytest.mark.parametrize("name", CAST)
def test_internal_upload_permission_matrix(incident, cast, api_client, media, name):
    # given
    events_before = Event.objects.count()

    # when
    response = upload(api_client(cast[name]), is_internal="true")

    # then
    status = expected(name, 201, allowed=STAFF)
    if name == "requester_carla":
        status = 403
    if status == 201:
        assert response.status_code == 201, response.content
        assert response.json()["is_internal"] is True
    else:
        problem(response, status, {401: "not_authenticated", 403: "permission_denied",
                                   404: "not_found"}[status])
        assert Attachment.objects.count() == 0
        assert Event.objects.count() == events_before
        assert stored_files(media) == []


def test_upload_to_a_comment(incident, api_client, requester_carla):
    # given
    reply = services.comment_add(actor=requester_carla, ticket=incident, body="Adjunto foto")

    # when
    response = upload(api_client(requester_carla), "foto.png", png_bytes(), comment_id=reply.pk)

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["comment_id"] == reply.pk
    assert body["content_type"] == "image/png"
    assert body["thumbnail_url"] == f"{BASE}/{body['id']}/thumbnail"


def test_upload_to_an_internal_note_the_requester_cannot_see_is_422(
        incident, api_client, agent_ana, requester_carla, media):
    # given
    note = services.comment_add(actor=agent_ana, ticket=incident, body="interno",
                                visibility=Visibility.INTERNAL)

    # when
    response = upload(api_client(requester_carla), comment_id=note.pk)

    # then
    body = problem(response, 422, "unknown_comment")
    assert body["errors"][0]["field"] == "comment_id"
    assert stored_files(media) == []


def test_upload_without_a_file_is_422(incident, api_client, agent_ana):
    response = api_client(agent_ana).post(BASE, {"is_internal": "false"})
    body = problem(response, 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == ["file"]


def test_a_file_too_large_is_413(incident, api_client, agent_ana, settings, media):
    # given
    settings.ATTACHMENT_MAX_BYTES = 1024

    # when
    response = upload(api_client(agent_ana), "grande.txt", b"x" * 1025)

    # then
    problem(response, 413, "file_too_large")
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_a_body_over_the_request_limit_is_413_before_parsing(
        incident, api_client, agent_ana, settings, media):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 2048

    # when
    response = upload(api_client(agent_ana), "grande.txt", b"x" * 4096)

    # then
    problem(response, 413, "body_too_large")
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "content"), [
    ("programa.exe", EXECUTABLE),
    ("factura.pdf", EXECUTABLE),
    ("pagina.html", b"<script>alert(1)</script>"),
])
def test_a_refused_type_is_415(incident, api_client, agent_ana, media, name, content):
    # given
    events_before = Event.objects.count()

    # when
    response = upload(api_client(agent_ana), name, content)

    # then
    problem(response, 415, "file_type_refused")
    assert Attachment.objects.count() == 0
    assert Event.objects.count() == events_before
    assert stored_files(media) == []


@pytest.mark.parametrize(("raw", "kept"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\\\..\\\\boot.ini.txt", "boot.ini.txt"),
    ("&lt;script&gt;.txt", "attachment.txt"),
    ("<b>negrita</b>.txt", "b.txt"),  # Django's parser keeps what follows the last "/"
    ("x" * 300 + ".txt", "x" * 116 + ".txt"),
])
def test_hostile_names_over_http_are_kept_sanitised(
        incident, api_client, agent_ana, media, raw, kept):
    # given
    agent_ana.language = "en"
    agent_ana.save(update_fields=["language"])
    body, content_type = multipart(raw, b"hola")

    # when
    response = api_client(agent_ana).post(BASE, body, content_type=content_type)

    # then
    assert response.status_code == 201, response.content
    assert response.json()["file_name"] == kept
    [stored] = stored_files(media)
    assert stored == Attachment.objects.get().file.name


def test_upload_to_an_unknown_ticket_is_404(incident, api_client, agent_ana, media):
    response = upload(api_client(agent_ana), path="/api/v1/tickets/INC-999999/attachments")
    problem(response, 404, "not_found")
    assert stored_files(media) == []


# --- list -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_list_permission_matrix(public_pdf, internal_png, cast, api_client, name):
    # when
    response = api_client(cast[name]).get(BASE)

    # then
    status = expected(name, 200)
    if status != 200:
        problem(response, status, "not_authenticated" if status == 401 else "not_found")
        return
    assert response.status_code == 200
    listed = [(item["id"], item["file_name"]) for item in response.json()["results"]]
    if name in STAFF:
        assert listed == [(public_pdf.pk, "Factura marzo.pdf"),
                          (internal_png.pk, "diagnóstico.png")]
    else:
        assert listed == [(public_pdf.pk, "Factura marzo.pdf")]


def test_the_list_hides_files_of_internal_notes_and_of_deleted_comments_from_requesters(
        incident, agent_ana, requester_carla, api_client):
    # given
    note = services.comment_add(actor=agent_ana, ticket=incident, body="interno",
                                visibility=Visibility.INTERNAL)
    reply = services.comment_add(actor=requester_carla, ticket=incident, body="adjunto")
    on_note = attachments.attachment_add(
        actor=agent_ana, ticket=incident, comment=note, channel="web",
        uploaded_file=SimpleUploadedFile("nota.txt", b"interno"))
    on_reply = attachments.attachment_add(
        actor=requester_carla, ticket=incident, comment=reply, channel="portal",
        uploaded_file=SimpleUploadedFile("respuesta.txt", b"hola"))
    services.comment_delete(actor=requester_carla, comment=reply)

    # when
    as_carla = api_client(requester_carla).get(BASE).json()["results"]
    as_ana = api_client(agent_ana).get(BASE).json()["results"]

    # then
    assert as_carla == []
    assert [item["id"] for item in as_ana] == [on_note.pk]
    assert on_reply.pk not in [item["id"] for item in as_ana]


# --- download -------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_download_permission_matrix(public_pdf, internal_png, cast, api_client, name):
    # given
    client = api_client(cast[name])

    # when
    public = client.get(f"{BASE}/{public_pdf.pk}")
    internal = client.get(f"{BASE}/{internal_png.pk}")

    # then
    status = expected(name, 200)
    code = "not_authenticated" if status == 401 else "not_found"
    if status == 200:
        assert public.status_code == 200
        assert body_of(public) == PDF
    else:
        problem(public, status, code)
    if name in STAFF:
        assert internal.status_code == 200
        assert body_of(internal)[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        problem(internal, 401 if name == "anonymous" else 404, code)


def test_download_headers(public_pdf, api_client, requester_carla):
    # when
    response = api_client(requester_carla).get(f"{BASE}/{public_pdf.pk}")

    # then
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''Factura%20marzo.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PDF))
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(("name", "content", "served_as"), [
    ("notas.txt", b"<html><script>alert(1)</script></html>", "application/octet-stream"),
    ("datos.csv", b"=cmd|' /C calc'!A0\n", "application/octet-stream"),
    ("correo.eml", b"From: a@b.example\r\n\r\nhola", "application/octet-stream"),
    ("pantallazo.png", png_bytes(4, 4), "image/png"),
])
def test_only_images_and_pdf_keep_their_type_when_served(
        incident, agent_ana, api_client, name, content, served_as):
    # given
    attachment = attachments.attachment_add(actor=agent_ana, ticket=incident, channel="web",
                                            uploaded_file=SimpleUploadedFile(name, content))

    # when
    response = api_client(agent_ana).get(f"{BASE}/{attachment.pk}")

    # then
    assert response["Content-Type"] == served_as
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")


def test_a_non_ascii_name_is_sent_percent_encoded(incident, agent_ana, api_client):
    # given
    attachment = attachments.attachment_add(
        actor=agent_ana, ticket=incident, channel="web",
        uploaded_file=SimpleUploadedFile("Diagnóstico; red=1.txt", b"hola"))

    # when
    response = api_client(agent_ana).get(f"{BASE}/{attachment.pk}")

    # then
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''Diagn%C3%B3stico%3B%20red%3D1.txt")


def test_a_file_of_another_ticket_is_404_under_this_number(
        incident, other_incident, agent_ana, api_client):
    # given
    elsewhere = attachments.attachment_add(
        actor=agent_ana, ticket=other_incident, channel="web",
        uploaded_file=SimpleUploadedFile("otro.pdf", PDF))

    # when
    wrong = api_client(agent_ana).get(f"{BASE}/{elsewhere.pk}")
    right = api_client(agent_ana).get(
        f"/api/v1/tickets/INC-000002/attachments/{elsewhere.pk}")

    # then
    problem(wrong, 404, "not_found")
    problem(api_client(agent_ana).get(f"{BASE}/{elsewhere.pk}/thumbnail"), 404, "not_found")
    assert right.status_code == 200


def test_a_file_missing_from_storage_is_404(public_pdf, agent_ana, api_client, media):
    # given
    (media / public_pdf.file.name).unlink()

    # when
    response = api_client(agent_ana).get(f"{BASE}/{public_pdf.pk}")

    # then
    problem(response, 404, "not_found")


# --- thumbnails -----------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_thumbnail_permission_matrix(public_png, internal_png, cast, api_client, name):
    # given
    client = api_client(cast[name])

    # when
    public = client.get(f"{BASE}/{public_png.pk}/thumbnail")
    internal = client.get(f"{BASE}/{internal_png.pk}/thumbnail")

    # then
    status = expected(name, 200)
    code = "not_authenticated" if status == 401 else "not_found"
    if status == 200:
        assert public.status_code == 200
        assert public["Content-Type"] == "image/png"
    else:
        problem(public, status, code)
    if name in STAFF:
        assert internal.status_code == 200
    else:
        problem(internal, 401 if name == "anonymous" else 404, code)


def test_a_thumbnail_is_a_small_png_generated_once_and_kept_beside_the_file(
        public_png, requester_carla, api_client, media):
    from PIL import Image

    # given
    client = api_client(requester_carla)

    # when
    first = client.get(f"{BASE}/{public_png.pk}/thumbnail")
    second = client.get(f"{BASE}/{public_png.pk}/thumbnail")

    # then
    assert first.status_code == second.status_code == 200
    image = Image.open(io.BytesIO(body_of(first)))
    assert image.format == "PNG"
    assert image.size == (320, 240)
    assert image.getpixel((10, 10))[:3] == (200, 30, 30)
    assert body_of(second) == body_of(first)
    assert stored_files(media) == sorted([public_png.file.name,
                                          f"{public_png.file.name}-thumbnail.png"])
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Content-Disposition"] == (
        "attachment; filename*=UTF-8''pantallazo-thumbnail.png")


def test_a_jpeg_gets_a_jpeg_thumbnail(incident, agent_ana, api_client):
    from PIL import Image

    # given
    output = io.BytesIO()
    Image.new("RGB", (1200, 400), (10, 120, 200)).save(output, "JPEG")
    photo = attachments.attachment_add(actor=agent_ana, ticket=incident, channel="web",
                                       uploaded_file=SimpleUploadedFile("foto.jpg",
                                                                        output.getvalue()))

    # when
    response = api_client(agent_ana).get(f"{BASE}/{photo.pk}/thumbnail")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(body_of(response)))
    assert (image.format, image.size) == ("JPEG", (320, 107))


def test_no_thumbnail_for_files_that_are_not_images(public_pdf, agent_ana, api_client):
    response = api_client(agent_ana).get(f"{BASE}/{public_pdf.pk}/thumbnail")
    problem(response, 404, "not_found")


def test_a_broken_image_has_no_thumbnail(incident, agent_ana, api_client, media):
    # given: a PNG signature and then nothing sensible
    broken = attachments.attachment_add(
        actor=agent_ana, ticket=incident, channel="web",
        uploaded_file=SimpleUploadedFile("roto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))

    # when
    response = api_client(agent_ana).get(f"{BASE}/{broken.pk}/thumbnail")

    # then
    problem(response, 404, "not_found")
    assert stored_files(media) == [broken.file.name]


def test_a_decompression_bomb_has_no_thumbnail(incident, agent_ana, api_client, media,
                                                monkeypatch, caplog):
    from PIL import Image

    caplog.set_level("INFO", logger="atiende.tickets.attachments")
    # given: an image over Pillow's pixel limit (lowered so the test stays small)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    bomb = attachments.attachment_add(
        actor=agent_ana, ticket=incident, channel="web",
        uploaded_file=SimpleUploadedFile("bomba.png", png_bytes(40, 40)))

    # when
    response = api_client(agent_ana).get(f"{BASE}/{bomb.pk}/thumbnail")

    # then: 1,600 pixels is over the limit but under twice it, where Pillow only warns
    problem(response, 404, "not_found")
    assert "DecompressionBombWarning" in caplog.text
    assert stored_files(media) == [bomb.file.name]


def test_the_openapi_document_lists_the_attachment_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/tickets/{number}/attachments",
            "/api/v1/tickets/{number}/attachments/{attachment_id}",
            "/api/v1/tickets/{number}/attachments/{attachment_id}/thumbnail"} <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/tickets/{number}/attachments"]["post"][
        "requestBody"]["content"]


def test_a_file_larger_than_the_memory_buffer_is_stored_whole(
        incident, api_client, agent_ana, settings, media):
    # given: Django spools uploads above this to a temporary file
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    content = b"linea de registro\n" * 2000

    # when
    response = upload(api_client(agent_ana), "registro.txt", content)

    # then
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.size == len(content)
    assert (media / attachment.file.name).read_bytes() == content
