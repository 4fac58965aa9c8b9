"""Demo portal looks: each demo client organization gets its name, colour and a small
logo (drawn here, so the demo needs no image files), through the branding service.

Called by `atiende.core.demo.load_demo` once the organizations exist.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.core.models import Organization, User
from atiende.portal import services

# slug: (name shown, primary colour, initials drawn in the logo)
LOOKS = {
    "cafe-montana": ("Mesa de ayuda Café Montaña", "#7a3b00", "CM"),
    "clinica-san-rafael": ("Soporte Clínica San Rafael", "#0b6e4f", "SR"),
    "distribuidora-azteca": ("Ayuda Azteca", "#8a1c3b", "DA"),
}


def _logo(colour: str, initials: str) -> SimpleUploadedFile:
    """A round badge of the colour with white initials."""
    from PIL import Image, ImageDraw, ImageFont

    size = 160
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=colour)
    font = ImageFont.load_default(size=64)
    box = draw.textbbox((0, 0), initials, font=font)
    left = (size - (box[2] - box[0])) / 2 - box[0]
    top = (size - (box[3] - box[1])) / 2 - box[1]
    draw.text((left, top), initials, font=font, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


def load_demo_portal(*, actor: User) -> None:
    for organization in Organization.objects.filter(slug__in=list(LOOKS)):
        title, colour, initials = LOOKS[organization.slug]
        services.branding_update(actor=actor, organization=organization, title=title,
                                 primary_colour=colour, logo=_logo(colour, initials),
                                 channel="cli")
