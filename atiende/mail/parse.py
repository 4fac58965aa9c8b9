"""One parser for every way mail comes in (the pipe, IMAP, Microsoft Graph's raw MIME):
RFC 5322 bytes in, a plain `ParsedMessage` out. Standard library `email` only (with
`email.policy.default`), plus the project's HTML sanitiser and `tnefparse` for
Outlook's winmail.dat. The policy is `email.policy.default` with its header parsing
memoised (`POLICY`).

Mail is hostile and often broken, so the parser does not give up on a message:
unknown or wrong charsets fall back (declared charset, then UTF-8, Windows-1252,
Latin-1), undecodable headers are decoded by hand, control characters are removed
from every header value (no header injection through an encoded CR LF), file names
lose their directories. Whatever it had to repair is listed in `defects`.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.policy
import email.utils
import functools
import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message

from atiende.mail.text import html_to_text
from atiende.tickets.attachments import sanitize_file_name
from atiende.tickets.text import clean_html

MAX_DEPTH = 12  # nested multiparts and forwarded messages
MAX_REFERENCES = 50
MESSAGE_ID_MAX = 995

# Header fields that mail servers add or change on the way; two deliveries of one
# message differ only in these, so the content hash leaves them out.
TRACE_HEADERS = frozenset({
    "received", "return-path", "delivered-to", "x-original-to", "envelope-to",
    "x-envelope-to", "authentication-results", "arc-seal", "arc-message-signature",
    "arc-authentication-results", "received-spf", "x-spam-status", "x-spam-score",
    "x-spam-flag", "x-spam-level", "x-virus-scanned", "x-ms-exchange-organization-authas",
    "x-forwarded-to", "x-forwarded-for", "x-received", "x-gm-message-state",
})

# Auto-Submitted (RFC 3834) and what Exchange, vacation programs and lists send.
AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply", "x-auto-response-suppress")
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:respuesta autom[aá]tica|automatic reply|auto[- ]?reply|autoreply|"
    r"auto[- ]?response|fuera de la oficina|out of (?:the )?office(?: autoreply)?|"
    r"ausencia|estoy fuera de la oficina|r[ée]ponse automatique|resposta autom[aá]tica|"
    r"abwesenheitsnotiz|auto)\s*:",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable\s*:|undelivered mail returned to sender|"
    r"delivery status notification|mail delivery failed|returned mail\s*:|failure notice|"
    r"no se puede entregar\s*:|no se pudo entregar\s*:|"
    r"notificaci[oó]n de estado de (?:la )?entrega)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon"})
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,995})>")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251})$")
_SINGLE_BYTE_LATIN = frozenset({"iso8859-1", "latin-1", "iso8859-15", "cp1252", "ascii"})
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_IMG_SRC = re.compile(r'\bsrc="([^"]*)"')
_IMG_ALT = re.compile(r'\balt="([^"]*)"')


class AutoKind:
    """Why a message is mail no person wrote to us (never a ticket, never answered)."""

    AUTO_REPLY = "auto_reply"  # out of office, vacation, read receipt
    BOUNCE = "bounce"  # delivery status notification, mailer-daemon
    BULK = "bulk"  # Precedence: bulk, junk or list


@dataclass
class ParsedAttachment:
    file_name: str  # sanitised: no directories, no control characters
    content_type: str
    data: bytes
    content_id: str = ""  # without the angle brackets
    inline: bool = False  # an image the HTML body shows (cid:)


@dataclass
class ParsedMessage:
    sender: str = ""  # the From address, lowercase; "" when there is no usable one
    sender_name: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    message_id: str = ""  # without the angle brackets; "" when missing
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: datetime | None = None
    auto: str = ""  # an AutoKind, or "" for mail a person wrote
    auto_detail: str = ""  # the header or subject that told
    loop_markers: list[str] = field(default_factory=list)  # X-Loop values, lowercase
    authentication: str = "none"  # "pass", "fail" (SPF/DKIM/DMARC failed) or "none"
    text: str = ""  # the text body (from the HTML one when there is no text part)
    html: str = ""  # the HTML body, sanitised
    attachments: list[ParsedAttachment] = field(default_factory=list)
    content_hash: str = ""
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, the closest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


# --- the policy ---------------------------------------------------------------------


class _Policy(email.policy.EmailPolicy):
    """`email.policy.default`, except that a header value is parsed once: the standard
    policy parses it again at every read (a part's Content-Type is read many times),
    which made header parsing half the time of a message."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        if len(value) > 1000:  # a rare long one is not worth keeping in memory
            return email.policy.default.header_fetch_parse(name, value)
        return _parsed_header(name, value)


@functools.lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str):
    return email.policy.default.header_fetch_parse(name, value)


POLICY = _Policy()


# --- identity ---------------------------------------------------------------------------


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        position = raw.find(separator)
        if position != -1:
            return raw[:position], raw[position + len(separator):]
    return raw, b""


def content_hash(raw: bytes) -> str:
    """SHA-256 of the message without its trace headers (Received, Return-Path, ...)
    and with line endings made equal: the same message delivered twice, through other
    hops, hashes the same."""
    head, body = _split_head(raw)
    digest = hashlib.sha256()
    current: list[bytes] = []
    fields: list[list[bytes]] = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and current:
            current.append(line.strip())
        else:
            current = [line.strip()]
            fields.append(current)
    for parts in fields:
        name = parts[0].split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        if name not in TRACE_HEADERS:
            digest.update(b" ".join(parts) + b"\n")
    digest.update(b"\n")
    digest.update(b"\n".join(line.rstrip() for line in body.replace(b"\r\n", b"\n")
                             .split(b"\n")).rstrip())
    return digest.hexdigest()


def message_key(message_id: str, hashed_content: str) -> str:
    """The idempotency key of a message in a mailbox: its Message-ID, or its content
    when it has none (64 hexadecimal characters either way)."""
    basis = f"id:{message_id}" if message_id else f"content:{hashed_content}"
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def message_id_key(message_id: str) -> str:
    """The lookup key of a Message-ID in the thread map."""
    return hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


# --- header values ----------------------------------------------------------------------


def _repair(value: str) -> str:
    """A header value as readable text: undecodable bytes (kept by the parser as
    surrogates) decoded as UTF-8 or Windows-1252, encoded words the parser left alone
    decoded by hand, control and direction characters removed, spaces collapsed."""
    if any("\udc80" <= character <= "\udcff" for character in value):
        data = value.encode("utf-8", "surrogateescape")
        value = _decode_bytes(data, None)[0]
    if _ENCODED_WORD.search(value):
        value = _decode_words(value)
    value = "".join(
        " " if unicodedata.category(character) in {"Cc", "Zl", "Zp"} else character
        for character in value
        if unicodedata.category(character) not in {"Cf", "Cs", "Co", "Cn"}
    )
    return re.sub(r"\s+", " ", value).strip()


def _decode_words(value: str) -> str:
    pieces = []
    try:
        decoded = email.header.decode_header(value)
    except Exception:  # a broken encoded word is shown as it is
        return value
    for chunk, charset in decoded:
        if isinstance(chunk, str):
            pieces.append(chunk)
        else:
            pieces.append(_decode_bytes(chunk, charset)[0])
    return "".join(pieces)


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _header(message: Message, name: str) -> str:
    """One header's value as text; "" when missing. Never raises."""
    try:
        value = message.get(name)
    except Exception:  # the modern header parser fails on some hostile values
        value = _raw_header(message, name)
        if value is not None:
            value = _decode_words(value)
    return _repair(str(value)) if value is not None else ""


def _header_all(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
    except Exception:
        values = [value for key, value in message.raw_items() if key.lower() == name.lower()]
    return [_repair(str(value)) for value in values]


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; never raises."""
    pairs: list[tuple[str, str]] = []
    try:
        header = message.get(name)
        if header is not None and hasattr(header, "addresses"):
            for address in header.addresses:
                pairs.append((str(address.display_name or ""), str(address.addr_spec or "")))
    except Exception:
        pairs = []
    if not pairs:
        raw = _raw_header(message, name)
        if raw:
            pairs = email.utils.getaddresses([_repair(_decode_words(raw))])
    if len(pairs) == 1 and not pairs[0][0]:
        # The old "address (Name)" form: the name is a comment the modern parser drops.
        raw = _raw_header(message, name) or ""
        commented = email.utils.parseaddr(_repair(_decode_words(raw)))[0]
        pairs = [(commented, pairs[0][1])]
    cleaned = []
    for display_name, address in pairs:
        address = _repair(address).strip("<>").lower()
        if _ADDRESS.match(address):
            cleaned.append((_repair(display_name).strip("\"' ")[:200], address))
    return cleaned


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _message_id(message: Message) -> str:
    value = _raw_header(message, "Message-ID")
    if value is None:
        return ""
    found = _message_ids(value)
    if found:
        return found[0]
    bare = _repair(value)
    return bare if bare and " " not in bare and len(bare) <= MESSAGE_ID_MAX else ""


# --- charsets ---------------------------------------------------------------------------


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = str(label).strip().strip("\"'").lower()
    if label in {"unknown-8bit", "x-unknown", "unknown", "8bit", "default"}:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # What is labelled Latin-1 is in practice Windows-1252 (as browsers read it).
    return "cp1252" if name in {"iso8859-1", "latin-1"} else name


def _decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """`data` as text, and the codec that decoded it. A Latin or ASCII declaration over
    bytes that are valid UTF-8 is taken as the mistake it usually is."""
    codec = _codec(declared)
    candidates: list[str] = []
    if codec and (codec in _SINGLE_BYTE_LATIN or codec == "ascii") and not data.isascii():
        candidates.append("utf-8")
    if codec:
        candidates.append(codec)
    candidates += ["utf-8", "cp1252"]
    for candidate in dict.fromkeys(candidates):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


def _part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return payload


def _part_text(part: Message, parsed: ParsedMessage) -> str:
    data = _part_bytes(part)
    declared = part.get_param("charset")
    if isinstance(declared, tuple):  # RFC 2231 form
        declared = email.utils.collapse_rfc2231_value(declared)
    text, used = _decode_bytes(data, declared)
    if declared and _codec(declared) != used and not data.isascii():
        parsed.defects.append(f"charset {declared!s} read as {used}")
    return text.replace("\r\n", "\n").replace("\x00", "")


# --- classification ---------------------------------------------------------------------


def _classify(message: Message, parsed: ParsedMessage) -> None:
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    auto_submitted = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    local_part = parsed.sender.split("@")[0] if parsed.sender else ""
    if content_type == "multipart/report" and report_type == "delivery-status":
        parsed.auto, parsed.auto_detail = AutoKind.BOUNCE, "multipart/report; delivery-status"
    elif local_part in _BOUNCE_SENDERS:
        parsed.auto, parsed.auto_detail = AutoKind.BOUNCE, f"From: {parsed.sender}"
    elif content_type == "multipart/report":
        parsed.auto, parsed.auto_detail = AutoKind.AUTO_REPLY, f"multipart/report; {report_type}"
    elif auto_submitted and auto_submitted != "no":
        parsed.auto, parsed.auto_detail = AutoKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"
    elif precedence in ("auto_reply", "auto-reply"):
        parsed.auto, parsed.auto_detail = AutoKind.AUTO_REPLY, f"Precedence: {precedence}"
    elif any(message.get(name) is not None for name in AUTO_REPLY_HEADERS):
        name = next(name for name in AUTO_REPLY_HEADERS if message.get(name) is not None)
        parsed.auto, parsed.auto_detail = AutoKind.AUTO_REPLY, f"{name}: {_header(message, name)}"
    elif precedence in BULK_PRECEDENCE:
        parsed.auto, parsed.auto_detail = AutoKind.BULK, f"Precedence: {precedence}"
    elif _AUTO_SUBJECT.match(parsed.subject):
        parsed.auto, parsed.auto_detail = AutoKind.AUTO_REPLY, f"Subject: {parsed.subject[:80]}"
    elif _BOUNCE_SUBJECT.match(parsed.subject):
        parsed.auto, parsed.auto_detail = AutoKind.BOUNCE, f"Subject: {parsed.subject[:80]}"
    parsed.auto_detail = parsed.auto_detail[:200]


_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def _authentication(message: Message, trusted_authserv_ids: frozenset[str]) -> str:
    """What the receiving server found about the sender (RFC 8601). Only the topmost
    Authentication-Results header counts (the one our own server added), or those of
    `trusted_authserv_ids` when configured: the sender may have written others."""
    headers = _header_all(message, "Authentication-Results")
    if trusted_authserv_ids:
        headers = [value for value in headers
                   if value.split(";", 1)[0].strip().split(" ")[0].lower()
                   in trusted_authserv_ids]
    else:
        headers = headers[:1]
    results: dict[str, set[str]] = {}
    for value in headers:
        for method, result in _AUTH_RESULT.findall(value):
            results.setdefault(method.lower(), set()).add(result.lower())
    if "fail" in results.get("dmarc", set()):
        return "fail"
    if "fail" in results.get("spf", set()) and "pass" not in results.get("dkim", set()):
        return "fail"
    if "fail" in results.get("dkim", set()) and "pass" not in results.get("spf", set()):
        return "fail"
    if any("pass" in values for values in results.values()):
        return "pass"
    return "none"


# --- bodies and attachments -------------------------------------------------------------


def _file_name(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if isinstance(name, tuple):
        name = email.utils.collapse_rfc2231_value(name)
    return _repair(str(name)) if name else ""


def _default_name(content_type: str, stem: str) -> str:
    extension = {"image/jpeg": ".jpg", "text/plain": ".txt", "message/rfc822": ".eml"}.get(
        content_type) or mimetypes.guess_extension(content_type) or ".bin"
    return f"{stem}{extension}"


def _content_id(part: Message) -> str:
    value = _header(part, "Content-ID")
    return value.strip().strip("<>").strip()[:255]


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _add_attachment(parsed: ParsedMessage, *, name: str, content_type: str, data: bytes,
                    content_id: str = "", inline: bool = False) -> None:
    parsed.attachments.append(ParsedAttachment(
        file_name=sanitize_file_name(name), content_type=content_type, data=data,
        content_id=content_id, inline=inline,
    ))


def _forwarded(part: Message, parsed: ParsedMessage) -> None:
    """A message/rfc822 part: kept whole, as an .eml file."""
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    try:
        data = inner.as_bytes() if isinstance(inner, Message) else _part_bytes(part)
    except Exception:
        data = str(inner).encode("utf-8", "surrogateescape")
    name = _file_name(part)
    if not name:
        subject = _header(inner, "Subject") if isinstance(inner, Message) else ""
        name = f"{subject[:80] or 'mensaje'}.eml"
    elif not name.lower().endswith(".eml"):
        name = f"{name}.eml"
    _add_attachment(parsed, name=name, content_type="message/rfc822", data=data)


def _tnef(data: bytes, parsed: ParsedMessage, name: str) -> None:
    """Outlook's winmail.dat: its files (and its text when the mail had none) taken
    out. A TNEF that cannot be read is kept as it came."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data, do_checksum=False)
        files = [(attachment.long_filename() or attachment.name, attachment.data)
                 for attachment in tnef.attachments if attachment.data]
    except Exception as error:
        parsed.defects.append(f"winmail.dat unreadable: {type(error).__name__}")
        _add_attachment(parsed, name=name or "winmail.dat",
                        content_type="application/ms-tnef", data=data)
        return
    for file_name, file_data in files:
        if isinstance(file_name, bytes):
            file_name = _decode_bytes(file_name, None)[0]
        file_name = _repair(str(file_name or "")).strip("\x00")
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        _add_attachment(parsed, name=file_name or "adjunto.bin", content_type=content_type,
                        data=bytes(file_data))
    body = getattr(tnef, "body", None)
    if body and not parsed.text:
        text = body if isinstance(body, str) else _decode_bytes(bytes(body), None)[0]
        parsed.text = text.replace("\r\n", "\n").strip("\x00").strip()
    if not files and not body:
        parsed.defects.append("winmail.dat without files")


def _walk(part: Message, parsed: ParsedMessage, texts: list[str], htmls: list[str],
          depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        parsed.defects.append("nested too deep")
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822" and depth > 0:
        _forwarded(part, parsed)
        return
    if part.is_multipart():
        if content_type == "multipart/report":
            for child in part.get_payload():
                if child.get_content_type() in ("text/plain", "text/html"):
                    _walk(child, parsed, texts, htmls, depth + 1)
            return
        for child in part.get_payload():
            if isinstance(child, Message):
                _walk(child, parsed, texts, htmls, depth + 1)
        return
    disposition = _disposition(part)
    name = _file_name(part)
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not name:
        (texts if content_type == "text/plain" else htmls).append(_part_text(part, parsed))
        return
    data = _part_bytes(part)
    if content_type in TNEF_TYPES or name.lower() == "winmail.dat":
        _tnef(data, parsed, name)
        return
    content_id = _content_id(part)
    inline = bool(content_id) and content_type.startswith("image/") and disposition != "attachment"
    if not name:
        stem = "imagen" if content_type.startswith("image/") else "adjunto"
        name = _default_name(content_type, f"{stem}-{len(parsed.attachments) + 1}")
    _add_attachment(parsed, name=name, content_type=content_type, data=data,
                    content_id=content_id, inline=inline)


def _without_remote_images(html: str) -> str:
    """Sanitised HTML whose images are only the message's own (cid:): a remote image
    tells its sender when and where the ticket was read. Each other image leaves its
    alternative text (already escaped by the sanitiser)."""

    def keep_or_alt(match: re.Match) -> str:
        source = _IMG_SRC.search(match.group(0))
        if source and source.group(1).lower().startswith("cid:"):
            return match.group(0)
        alternative = _IMG_ALT.search(match.group(0))
        return alternative.group(1) if alternative else ""

    return _IMG.sub(keep_or_alt, html)


# --- the parser -------------------------------------------------------------------------


def parse_message(raw: bytes, *, trusted_authserv_ids: frozenset[str] = frozenset()) -> (
        ParsedMessage):
    """`raw` (an RFC 5322 message) as a ParsedMessage. Repairs what it can and lists it
    in `defects`; raises only on a bug, never on hostile input that the `email`
    package can read at all."""
    message: EmailMessage = email.message_from_bytes(raw, policy=POLICY)
    parsed = ParsedMessage(content_hash=content_hash(raw))
    parsed.defects += [type(defect).__name__ for defect in message.defects][:20]

    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if senders:
        parsed.sender_name, parsed.sender = senders[0]
    reply_to = _addresses(message, "Reply-To")
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = [address for _name, address in _addresses(message, "To")]
    parsed.cc = [address for _name, address in _addresses(message, "Cc")]
    parsed.subject = _header(message, "Subject")[:1000]
    parsed.message_id = _message_id(message)
    parsed.in_reply_to = _message_ids(_raw_header(message, "In-Reply-To") or "")[:5]
    parsed.references = _message_ids(_raw_header(message, "References") or "")[
        -MAX_REFERENCES:]
    try:
        parsed.date = email.utils.parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    parsed.loop_markers = [value.lower() for value in _header_all(message, "X-Loop")]
    parsed.authentication = _authentication(message, trusted_authserv_ids)
    _classify(message, parsed)

    texts: list[str] = []
    htmls: list[str] = []
    if message.get_content_type() == "message/rfc822":
        _forwarded(message, parsed)
    else:
        _walk(message, parsed, texts, htmls)
    text = "\n\n".join(piece.strip("\n") for piece in texts if piece.strip())
    html = "\n".join(htmls)
    parsed.html = _without_remote_images(clean_html(html)) if html.strip() else ""
    parsed.text = text.strip() or parsed.text or (html_to_text(html) if html else "")
    parsed.text = parsed.text.replace("\x00", "")
    return parsed
