"""What a person wrote in a reply, without the history their mail program quoted below
it and without their signature.

Recognised, in Spanish and English: the attribution line of Gmail and Apple Mail
("On Mon, 3 Nov 2025 at 10:00, Ana <ana@x> wrote:", "El lun, 3 nov 2025 a las 10:00,
Ana (<ana@x>) escribió:", also wrapped over several lines), Outlook's header block
("From: / Sent: / To: / Subject:", "De: / Enviado: / Para: / Asunto:") and its
"-----Original Message-----" line, a trailing block of "> " lines, the "-- " signature
separator and the lines phones add ("Enviado desde mi iPhone", "Get Outlook for
Android"). Forwarded messages inside a reply are kept: the person meant to share them.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.DOTALL

# "On ... wrote:" in the languages our requesters write in; the attribution may wrap.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"on\b.{4,400}?\bwrote\s*:"
    r"|el\b.{4,400}?\bescribi[óo]\s*:"
    r"|em\b.{4,400}?\bescreveu\s*:"
    r"|le\b.{4,400}?\ba\s+[ée]crit\s*:"
    r")\s*$",
    _FLAGS,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:original message|mensaje original|message d'origine|"
    r"mensagem original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|mensaje reenviado|mensagem encaminhada)\s*-{2,}"
    r"|begin forwarded message\s*:|inicio del mensaje reenviado\s*:)\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHERS = re.compile(
    r"^\s*\*?(?:sent|date|enviado(?: el)?|fecha|to|para|subject|asunto|cc)\s*:", re.IGNORECASE
)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")
_SIGNATURE = re.compile(r"^(?:-- ?|—)$")
_DEVICE = re.compile(
    r"^\s*(?:"
    r"(?:sent from my|enviado desde mi)\s+\S.{0,40}"
    r"|(?:sent from|enviado desde)\s+(?:outlook|mail|correo|yahoo|samsung|gmail|"
    r"proton\s*mail)\b.{0,40}"
    r"|(?:get|obtener|descargar)\s+outlook\s+(?:for|para)\b.{0,30}"
    r")\s*$",
    re.IGNORECASE,
)


def _attribution_at(lines: list[str], index: int) -> bool:
    """Whether an attribution line starts at `index` (up to three lines long)."""
    first = lines[index].strip()
    if not re.match(r"(?:on|el|em|le)\b", first, re.IGNORECASE):
        return False
    joined = first
    for extra in range(3):
        if _ATTRIBUTION.match(joined):
            return True
        if index + extra + 1 >= len(lines):
            break
        joined = f"{joined} {lines[index + extra + 1].strip()}"
    return bool(_ATTRIBUTION.match(joined))


def _header_block_at(lines: list[str], index: int) -> bool:
    """Outlook's "From: / Sent: / To: / Subject:" block starting at `index`."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1:index + 7] if line.strip()]
    return sum(1 for line in following[:5] if _HEADER_OTHERS.match(line)) >= 2


def _quote_starts_at(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _ORIGINAL_MESSAGE.match(line) or _attribution_at(lines, index):
        return True
    if _UNDERSCORES.match(line):
        after = [other for other in lines[index + 1:index + 3] if other.strip()]
        return bool(after) and bool(_HEADER_FROM.match(after[0]))
    return _header_block_at(lines, index)


def strip_reply(text: str) -> str:
    """The new part of a reply: everything above the quoted history and the signature.
    Returns "" when nothing but quotes and signature remain."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = len(lines)
    for index, line in enumerate(lines):
        if _FORWARD_MARKER.match(line):
            break  # what follows was forwarded on purpose: keep it, headers and all
        if _SIGNATURE.match(line.rstrip("\n")) or _DEVICE.match(line):
            end = index
            break
        if _quote_starts_at(lines, index):
            end = index
            break
    kept = lines[:end]
    # A trailing block of quoted lines (answers written above the quote).
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    return "\n".join(kept).strip()
