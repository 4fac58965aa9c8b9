"""An organization's portal look: edited by its admins, validated (a readable colour, a
plain image), served safely, and shown on every portal page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from atiende.core.models import AuditEvent
from atiende.errors import NotFound, ValidationFailed
from atiende.portal import branding, services
from atiende.portal.models import PortalBranding

pytestmark = pytest.mark.django_db


def png_upload(size=(600, 300), colour="#884400", name="logo.png", fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.mark.parametrize("colour, ratio", [("#ffffff", 1.0), ("#000000", 21.0),
                                           ("#1d5b8f", 7.1)])
def test_contrast_with_white(colour, ratio):
    assert round(branding.contrast_with_white(colour), 1) == ratio


@pytest.mark.parametrize("value, code", [
    ("#ffcc00", "colour_contrast"), ("#777777", "colour_contrast"), ("red", "colour_format"),
    ("#12345", "colour_format"), ("#1234567", "colour_format"), ("<script>", "colour_format"),
    ("#1d5b8f;x", "colour_format"),
])
def test_unreadable_or_malformed_colours_are_refused(admin, org_cafe, value, code):
    with pytest.raises(ValidationFailed) as refused:
        services.branding_update(actor=admin, organization=org_cafe, title="",
                                 primary_colour=value)
    assert refused.value.code == code
    assert not PortalBranding.objects.exists()


def test_admin_sets_name_colour_and_logo(admin, org_cafe):
    # when
    row = services.branding_update(actor=admin, organization=org_cafe, title="Mesa Café",
                                   primary_colour="#0B6E4F", logo=png_upload())
    # then: the logo is a PNG re-encoded within its box
    assert (row.title, row.primary_colour) == ("Mesa Café", "#0b6e4f")
    image = Image.open(io.BytesIO(bytes(row.logo)))
    assert image.format == "PNG"
    assert image.size == (row.logo_width, row.logo_height) == (320, 160)
    event = AuditEvent.objects.get(action="portal.branding_updated")
    assert set(event.changes) == {"title", "primary_colour", "logo"}


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
                                b'</script></svg>', content_type="image/svg+xml"),
    SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nnot really", content_type="image/png"),
    SimpleUploadedFile("x.png", b"MZ" + b"\x00" * 100, content_type="image/png"),
    SimpleUploadedFile("x.png", b"", content_type="image/png"),
], ids=["svg", "broken-png", "executable", "empty"])
def test_anything_but_a_plain_image_is_refused(admin, org_cafe, upload):
    with pytest.raises(ValidationFailed) as refused:
        services.branding_update(actor=admin, organization=org_cafe, title="",
                                 primary_colour="#1d5b8f", logo=upload)
    assert refused.value.fields.keys() == {"logo"}
    assert not PortalBranding.objects.exists()


def test_a_too_large_logo_is_refused(admin, org_cafe):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (600 * 1024))
    with pytest.raises(ValidationFailed) as refused:
        services.branding_update(actor=admin, organization=org_cafe, title="",
                                 primary_colour="#1d5b8f", logo=big)
    assert refused.value.code == "logo_too_large"


@pytest.mark.parametrize("who", ["requester_carla", "agent_ana", "admin_other_org",
                                 "agent_bruno_other_department"])
def test_only_the_organizations_admins_change_it(actors, org_cafe, who):
    with pytest.raises(NotFound):
        services.branding_update(actor=actors[who], organization=org_cafe, title="X",
                                 primary_colour="#1d5b8f")
    assert not PortalBranding.objects.exists()


@pytest.mark.parametrize("who, status", [
    ("anonymous", 302), ("requester_carla", 404), ("agent_ana", 404),
    ("agent_bruno_other_department", 404), ("admin_other_org", 404), ("agent_other_org", 404),
    ("admin", 200), ("provider_admin", 200)])
def test_manage_page_permissions(web_client, actors, org_cafe, who, status):
    response = web_client(actors[who]).get(f"/manage/{org_cafe.slug}/portal/")
    assert response.status_code == status


def test_manage_page_saves_and_refuses_precisely(web_client, admin, org_cafe):
    client = web_client(admin)
    # when: an unreadable colour
    response = client.post(f"/manage/{org_cafe.slug}/portal/",
                           {"title": "Mesa", "primary_colour": "#ffff00"})
    # then
    assert response.status_code == 422
    assert "contrast" in response.content.decode()
    assert not PortalBranding.objects.exists()
    # when: a good one with a logo
    response = client.post(f"/manage/{org_cafe.slug}/portal/", {
        "title": "Mesa Café", "primary_colour": "#7a3b00", "logo": png_upload()})
    assert response.status_code == 302
    assert PortalBranding.objects.get().primary_colour == "#7a3b00"


def test_portal_pages_wear_the_look_and_serve_the_logo_safely(web_client, admin,
                                                               requester_carla, org_cafe):
    # given
    row = services.branding_update(actor=admin, organization=org_cafe, title="Mesa Café",
                                   primary_colour="#7a3b00", logo=png_upload())
    client = web_client(requester_carla)
    # when
    html = client.get("/portal/").content.decode()
    logo_path = f"/portal/logo/{org_cafe.slug}/{row.logo_digest[:16]}.png"
    logo = client.get(logo_path)
    # then
    assert "--brand: #7a3b00" in html
    assert "Mesa Café" in html
    assert logo_path in html
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo["Content-Security-Policy"]
    assert client.get(f"/portal/logo/{org_cafe.slug}/0000000000000000.png").status_code == 404


def test_removing_the_logo(admin, org_cafe):
    services.branding_update(actor=admin, organization=org_cafe, title="",
                             primary_colour="#1d5b8f", logo=png_upload())
    row = services.branding_update(actor=admin, organization=org_cafe, title="",
                                   primary_colour="#1d5b8f", remove_logo=True)
    assert row.logo is None and row.logo_digest == ""


def test_demo_gives_the_demo_organizations_their_look(provider_admin, org_cafe):
    from atiende.portal.demo import load_demo_portal

    # given: Café Montaña has the demo's short name
    load_demo_portal(actor=provider_admin)
    row = PortalBranding.objects.get(organization=org_cafe)
    assert (row.title, row.primary_colour) == ("Mesa de ayuda Café Montaña", "#7a3b00")
    assert Image.open(io.BytesIO(bytes(row.logo))).size == (160, 160)
