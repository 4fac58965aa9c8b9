"""The rules of a portal's look that need no actor: a readable primary colour, and a
logo that is a plain, small image."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.errors import ValidationFailed

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG 2.2 AA for normal text: white text on the primary colour (buttons, the header)
# needs 4.5:1.
MINIMUM_CONTRAST = 4.5
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4096 * 4096
LOGO_BOX = (480, 160)  # what the header shows at most (twice its size, for sharp screens)
LOGO_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


def _channel(value: int) -> float:
    value = value / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def clean_colour(value: object, field: str = "primary_colour") -> str:
    """`value` as "#rrggbb" (lowercase) when it is a hex colour white text is readable on."""
    colour = str(value or "").strip()
    if not HEX_COLOUR.fullmatch(colour):
        raise ValidationFailed({field: _("Write the colour as # and six hexadecimal digits, "
                                         "such as #1d5b8f.")}, code="colour_format")
    ratio = contrast_with_white(colour)
    if ratio < MINIMUM_CONTRAST:
        raise ValidationFailed({field: _("White text on this colour has a contrast of "
                                         "%(ratio).1f:1; choose a darker colour (at least "
                                         "4.5:1).") % {"ratio": ratio}}, code="colour_contrast")
    return colour.lower()


def darker(colour: str, factor: float = 0.8) -> str:
    """The colour darkened (hover and focus states keep their contrast)."""
    red, green, blue = (int(int(colour[i:i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{red:02x}{green:02x}{blue:02x}"


@dataclass(frozen=True)
class Logo:
    png: bytes
    digest: str
    width: int
    height: int


def clean_logo(uploaded, field: str = "logo") -> Logo:
    """An uploaded image (PNG, JPEG, WebP or GIF, at most 512 KB) read with Pillow and
    re-encoded as a PNG no larger than `LOGO_BOX`: whatever else the file held (scripts,
    metadata, other frames) is dropped. SVG is refused: it can carry script."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(uploaded, "size", None)
    if size is None or size > LOGO_MAX_BYTES:
        raise ValidationFailed({field: _("The logo may be at most 512 KB.")},
                               code="logo_too_large")
    data = uploaded.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationFailed({field: _("The logo may be at most 512 KB.")},
                               code="logo_too_large")
    refused = ValidationFailed({field: _("Upload the logo as a PNG, JPEG, WebP or GIF "
                                         "image.")}, code="logo_type")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in LOGO_FORMATS:
                raise refused
            width, height = probe.size
            if width * height > LOGO_MAX_PIXELS or not width or not height:
                raise refused
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        raise refused from None
    png = out.getvalue()
    return Logo(png=png, digest=hashlib.sha256(png).hexdigest(), width=image.width,
                height=image.height)
