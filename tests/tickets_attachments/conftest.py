"""Files on Carla's incident, each test with a media folder of its own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import File

from atiende.tickets import attachments, services
from atiende.tickets.models import Kind

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def png_bytes(width: int = 800, height: int = 600, color=(200, 30, 30)) -> bytes:
    """A real PNG made by Pillow."""
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), color).save(output, "PNG")
    return output.getvalue()


def a_file(name: str, content: bytes) -> File:
    """A file object whose name reaches the service exactly as given (an uploaded file
    would already have lost its directories in Django's parser)."""
    return File(io.BytesIO(content), name=name)


def stored_files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def other_incident(agent_ana, requester_carla, org_cafe, it):
    """INC-000002, Carla's too: its files must not be reachable under INC-000001."""
    return services.ticket_create(
        actor=agent_ana, kind=Kind.INCIDENT, title="El correo no sincroniza",
        description="", organization=org_cafe, department=it, requester=requester_carla,
        channel="portal",
    )


@pytest.fixture
def public_pdf(incident, requester_carla):
    return attachments.attachment_add(
        actor=requester_carla, ticket=incident, uploaded_file=a_file("Factura marzo.pdf", PDF),
        channel="portal",
    )


@pytest.fixture
def public_png(incident, requester_carla):
    return attachments.attachment_add(
        actor=requester_carla, ticket=incident,
        uploaded_file=a_file("pantallazo.png", png_bytes()), channel="portal",
    )


@pytest.fixture
def internal_png(incident, agent_ana):
    return attachments.attachment_add(
        actor=agent_ana, ticket=incident, uploaded_file=a_file("diagnóstico.png", png_bytes()),
        is_internal=True, channel="web",
    )
