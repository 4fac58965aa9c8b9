"""Web downloads: /tickets/<number>/attachments/<id>/ and its thumbnail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.tickets import attachments
from tests.tickets_attachments.conftest import PDF, a_file

CAST = ["anonymous", "requester_carla", "requester_other_org", "agent_other_org",
        "agent_bruno_other_department", "agent_ana", "admin", "provider_admin"]
ALLOWED = {"requester_carla", "agent_ana", "admin", "provider_admin"}
STAFF = {"agent_ana", "admin", "provider_admin"}


def url(attachment, suffix: str = "", number: str = "INC-000001") -> str:
    return f"/tickets/{number}/attachments/{attachment.pk}/{suffix}"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", CAST)
def test_download_permission_matrix(public_pdf, internal_png, cast, web_client, name):
    # given
    client = web_client(cast[name])

    # when
    public = client.get(url(public_pdf))
    internal = client.get(url(internal_png))

    # then
    if name == "anonymous":
        assert public.status_code == internal.status_code == 302
        assert public["Location"].startswith("/accounts/login/")
        return
    if name in ALLOWED:
        assert public.status_code == 200
        assert body_of(public) == PDF
    else:
        assert public.status_code == 404
    assert internal.status_code == (200 if name in STAFF else 404)


@pytest.mark.parametrize("name", CAST)
def test_thumbnail_permission_matrix(public_png, internal_png, cast, web_client, name):
    # given
    client = web_client(cast[name])

    # when
    public = client.get(url(public_png, "thumbnail/"))
    internal = client.get(url(internal_png, "thumbnail/"))

    # then
    if name == "anonymous":
        assert public.status_code == internal.status_code == 302
        return
    assert public.status_code == (200 if name in ALLOWED else 404)
    assert internal.status_code == (200 if name in STAFF else 404)
    if public.status_code == 200:
        assert public["Content-Type"] == "image/png"
        assert body_of(public)[:8] == b"\x89PNG\r\n\x1a\n"


def test_download_headers(public_pdf, web_client, requester_carla):
    # when
    response = web_client(requester_carla).get(url(public_pdf))

    # then
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''Factura%20marzo.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_text_file_with_markup_is_served_as_an_opaque_download(
        incident, agent_ana, web_client):
    # given
    attachment = attachments.attachment_add(
        actor=agent_ana, ticket=incident, channel="web",
        uploaded_file=a_file("<i>hola</i>.txt", b"<script>alert(1)</script>"))

    # when
    response = web_client(agent_ana).get(url(attachment))

    # then
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''hola.txt"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_of_another_ticket_is_404_under_this_number(
        incident, other_incident, agent_ana, web_client):
    # given
    elsewhere = attachments.attachment_add(
        actor=agent_ana, ticket=other_incident, channel="web",
        uploaded_file=SimpleUploadedFile("otro.pdf", PDF))
    client = web_client(agent_ana)

    # then
    assert client.get(url(elsewhere)).status_code == 404
    assert client.get(url(elsewhere, "thumbnail/")).status_code == 404
    assert client.get(url(elsewhere, number="INC-000002")).status_code == 200
    assert client.get(url(elsewhere, number="inc-000002")).status_code == 200


def test_unknown_numbers_and_ids_are_404(public_pdf, agent_ana, web_client):
    client = web_client(agent_ana)
    assert client.get(url(public_pdf, number="INC-999999")).status_code == 404
    assert client.get("/tickets/INC-000001/attachments/999999/").status_code == 404


def test_downloads_only_answer_get_and_head(public_pdf, agent_ana, web_client):
    client = web_client(agent_ana)
    assert client.head(url(public_pdf)).status_code == 200
    assert client.post(url(public_pdf)).status_code == 405
