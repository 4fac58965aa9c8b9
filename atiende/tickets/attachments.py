"""Files on tickets and comments: the upload service, the scoped reads, the download
and the thumbnail.

A file is accepted only when its extension is in ATTACHMENT_TYPES and its first bytes
are what that extension promises (an executable renamed `.pdf` is refused). It is
stored through the default storage (the local disk outside the web root, or S3 through
django-storages) under an opaque random name; the name the person gave is kept,
sanitised, in the database, and is used only in the download's Content-Disposition.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
import uuid
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.models import User
from atiende.errors import (
    Conflict,
    FileTooLarge,
    FileTypeRefused,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from atiende.tickets import policies
from atiende.tickets.models import (
    FINAL_STATUSES,
    Attachment,
    Comment,
    EventKind,
    Ticket,
    Visibility,
)
from atiende.tickets.selectors import ticket_get
from atiende.tickets.services import _event, _touch, dispatch_after_commit

logger = logging.getLogger(__name__)

FILE_NAME_MAX = 120  # characters of a sanitised name, extension included
HEAD_BYTES = 4096  # how much of a file is read to recognise its type
THUMBNAIL_SIZE = (320, 320)
# Types a browser may be handed as they are; everything else is served as
# application/octet-stream.
SAFE_TO_SERVE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp",
                           "application/pdf"})
THUMBNAIL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# --- recognising a file by its first bytes --------------------------------------------

_EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE/DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt .msg


def _is_png(head: bytes) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_gif(head: bytes) -> bool:
    return head.startswith((b"GIF87a", b"GIF89a"))


def _is_webp(head: bytes) -> bool:
    return head.startswith(b"RIFF") and head[8:12] == b"WEBP"


def _is_pdf(head: bytes) -> bool:
    # Only a byte-order mark or blank space may come before the header.
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-")


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _is_ole2(head: bytes) -> bool:
    return head.startswith(_OLE2)


def _is_rtf(head: bytes) -> bool:
    return head.startswith(b"{\\rtf")


def _is_text(head: bytes) -> bool:
    """Text carries no magic number; it just must not look binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has NUL bytes by nature
        return True
    return b"\x00" not in head and not head.startswith(_EXECUTABLE_SIGNATURES)


def _is_not_executable(head: bytes) -> bool:
    return not head.startswith(_EXECUTABLE_SIGNATURES)


@dataclass(frozen=True)
class FileFormat:
    content_type: str
    recognise: Callable[[bytes], bool]


_ZIP_OFFICE = "application/vnd.openxmlformats-officedocument"
FORMATS: dict[str, FileFormat] = {
    "pdf": FileFormat("application/pdf", _is_pdf),
    "png": FileFormat("image/png", _is_png),
    "jpg": FileFormat("image/jpeg", _is_jpeg),
    "jpeg": FileFormat("image/jpeg", _is_jpeg),
    "gif": FileFormat("image/gif", _is_gif),
    "webp": FileFormat("image/webp", _is_webp),
    "txt": FileFormat("text/plain", _is_text),
    "csv": FileFormat("text/csv", _is_text),
    "eml": FileFormat("message/rfc822", _is_text),
    "msg": FileFormat("application/vnd.ms-outlook", _is_ole2),
    "zip": FileFormat("application/zip", _is_zip),
    "doc": FileFormat("application/msword", _is_ole2),
    "xls": FileFormat("application/vnd.ms-excel", _is_ole2),
    "ppt": FileFormat("application/vnd.ms-powerpoint", _is_ole2),
    "docx": FileFormat(f"{_ZIP_OFFICE}.wordprocessingml.document", _is_zip),
    "xlsx": FileFormat(f"{_ZIP_OFFICE}.spreadsheetml.sheet", _is_zip),
    "pptx": FileFormat(f"{_ZIP_OFFICE}.presentationml.presentation", _is_zip),
    "odt": FileFormat("application/vnd.oasis.opendocument.text", _is_zip),
    "ods": FileFormat("application/vnd.oasis.opendocument.spreadsheet", _is_zip),
    "odp": FileFormat("application/vnd.oasis.opendocument.presentation", _is_zip),
    "rtf": FileFormat("application/rtf", _is_rtf),
}
# An extension an administrator allows that has no known signature.
_UNKNOWN_FORMAT = FileFormat("application/octet-stream", _is_not_executable)


def allowed_extensions() -> list[str]:
    return [extension.lower().lstrip(".") for extension in settings.ATTACHMENT_TYPES]


# --- file names -----------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_REFUSED_CHARACTERS = re.compile(r"[<>:\"/\\|?*`$]")
_SPACES = re.compile(r"\s+")


def sanitize_file_name(raw: str) -> str:
    """The name a person gave, safe to keep and to send back: no directories, no
    control or direction-changing characters, no markup, no leading dots, at most
    FILE_NAME_MAX characters with the extension kept. Never empty."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = "".join(
        " " if unicodedata.category(character) in {"Zs", "Zl", "Zp"} or character in "\t\n\r"
        else character
        for character in name
        if unicodedata.category(character) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
        or character in "\t\n\r"
    )
    name = _TAG.sub("", name)
    name = re.split(r"[/\\]", name)[-1]  # the last part of a path, from any system
    name = _SPACES.sub(" ", name).strip(" ").rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    extension = _REFUSED_CHARACTERS.sub("", extension).strip(" .")[:16]
    stem = _REFUSED_CHARACTERS.sub("", stem)
    stem = _SPACES.sub(" ", stem).strip(" ").lstrip(".").strip(" ") or _("attachment")
    suffix = f".{extension}" if extension else ""
    return stem[: FILE_NAME_MAX - len(suffix)].rstrip(" .") + suffix


def _extension(file_name: str) -> str:
    stem, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _file_format(file_name: str, head: bytes) -> FileFormat:
    extension = _extension(file_name)
    if not extension or extension not in allowed_extensions():
        raise FileTypeRefused(
            _("Files of this type are not accepted. Accepted types: %(types)s.")
            % {"types": ", ".join(allowed_extensions())}
        )
    file_format = FORMATS.get(extension, _UNKNOWN_FORMAT)
    if not file_format.recognise(head):
        raise FileTypeRefused(
            _("The content of this file is not a .%(extension)s file.")
            % {"extension": extension}
        )
    return file_format


def _head(uploaded_file: File) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    return head


def checked_file(uploaded_file: File | None) -> tuple[str, FileFormat, int]:
    """The sanitised name, recognised format and size of an upload that may be stored:
    present, not empty, within ATTACHMENT_MAX_BYTES (FileTooLarge) and of an accepted
    type by extension and content (FileTypeRefused). Every stored file passes here."""
    if uploaded_file is None:
        raise ValidationFailed({"file": _("This field is required.")}, code="required")
    size = uploaded_file.size
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise FileTooLarge(_("The file is larger than %(size)s MB.")
                           % {"size": f"{limit / 1024 / 1024:g}"})
    if not size:
        raise ValidationFailed({"file": _("The file is empty.")}, code="empty_file")
    file_name = sanitize_file_name(uploaded_file.name)
    return file_name, _file_format(file_name, _head(uploaded_file)), size


def _storage_name(now) -> str:
    """An opaque, unguessable name; it says nothing of the file or its uploader."""
    return f"attachments/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


# --- the service ----------------------------------------------------------------------


def attachment_add(*, actor: User, ticket: Ticket, uploaded_file: File,
                   comment: Comment | None = None, is_internal: bool = False,
                   channel: str) -> Attachment:
    """Attach a file to `ticket` (and to one of its comments, by its author).

    Who may reply may attach; files for agents only (`is_internal`, or on an internal
    note) only the ticket's staff. Checks the size (ATTACHMENT_MAX_BYTES, FileTooLarge)
    and the type by extension and content (FileTypeRefused) before writing anything.
    Locks the ticket, stores the file, writes the row and one `attached` event in one
    transaction. The stored file goes again when the row does not stay: when this
    transaction fails, and also when a caller's transaction around it (or a savepoint)
    rolls back later (`removed_unless_committed`). Raises PermissionDenied,
    ValidationFailed (`file`, `comment_id`), Conflict (closed ticket for a requester).
    """
    staff = policies.works_on(actor, ticket)
    if not policies.can_reply(actor, ticket):
        raise PermissionDenied()
    if comment is not None:
        if comment.ticket_id != ticket.pk or comment.deleted_at is not None or (
            comment.visibility == Visibility.INTERNAL and not staff
        ):
            raise ValidationFailed({"comment_id": _("There is no such comment on this "
                                                    "ticket.")}, code="unknown_comment")
        if comment.author_id != actor.pk:
            raise PermissionDenied(_("Only the author can add files to a comment."))
        is_internal = is_internal or comment.visibility == Visibility.INTERNAL
    if is_internal and not staff:
        raise PermissionDenied()
    if ticket.status in FINAL_STATUSES and not staff:
        raise _ticket_final()

    file_name, file_format, size = checked_file(uploaded_file)

    now = timezone.now()
    stored = default_storage.save(_storage_name(now), uploaded_file)
    try:
        with transaction.atomic():
            removed_unless_committed(stored)
            ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if ticket.status in FINAL_STATUSES and not staff:
                raise _ticket_final()
            attachment = Attachment.objects.create(
                ticket=ticket, comment=comment, uploaded_by=actor, file=stored,
                file_name=file_name, content_type=file_format.content_type, size=size,
                is_internal=is_internal, created_at=now,
            )
            _touch(ticket, [], bump=False)
            _event(ticket, actor=actor, channel=channel, kind=EventKind.ATTACHED,
                   new={"attachment_id": attachment.pk, "file_name": file_name,
                        "size": size, "is_internal": is_internal},
                   comment=comment, at=now)
            dispatch_after_commit()
    except BaseException:
        delete_stored(stored)
        raise
    return attachment


def _ticket_final() -> Conflict:
    return Conflict(_("This ticket is closed; open a new one."), code="ticket_final")


# --- no stored file without its row ---------------------------------------------------


def delete_stored(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete the stored file %s; the sweep will", name,
                       exc_info=True)


def _delete_unless_committed(name: str, outcome: dict) -> None:
    if not outcome["committed"]:
        delete_stored(name)


def removed_unless_committed(name: str) -> None:
    """Delete the stored file `name` again if the transaction open now does not commit:
    rolled back as a whole, or back to a savepoint opened before this call.

    Django has no rollback hook, but a rollback drops the on_commit callbacks registered
    inside it (all of them, or those registered under the savepoint rolled back to), and
    a callback nothing else refers to is freed right then. So the callback registered
    here only marks the file kept when it runs, on commit, and a finalizer deletes the
    file if it is freed without having run. It goes first in the list, so that another
    callback that fails on commit cannot keep it from running. Must be called inside
    `transaction.atomic()`; a crash that leaves no chance to run anything is left to
    `sweep_orphan_files`.
    """
    connection = transaction.get_connection()
    outcome = {"committed": False}

    def keep() -> None:
        outcome["committed"] = True

    weakref.finalize(keep, _delete_unless_committed, name, outcome).atexit = False
    # What `on_commit` appends, put first (see above).
    connection.run_on_commit.insert(0, (set(connection.savepoint_ids), keep, True))


ORPHAN_MIN_AGE = dt.timedelta(hours=1)
# Top folder of the storage -> the model whose `file` names what is kept there. Other
# apps that store files through `checked_file` add their folder (`atiende.knowledge`).
STORED_FOLDERS: dict[str, type] = {"attachments": Attachment}
_THUMBNAIL_SUFFIXES = ("-thumbnail.png", "-thumbnail.jpg")
_SWEEP_BATCH = 500


@dataclass
class SweptFile:
    name: str
    size: int


@dataclass
class SweepReport:
    """The files a sweep deleted (or, in a dry run, would delete)."""

    files: list[SweptFile] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.files)

    @property
    def size(self) -> int:
        return sum(swept.size for swept in self.files)


def _stored_folders(folder: str):
    """(folder, file names) for `folder` of the storage and every folder below it."""
    try:
        folders, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield folder, sorted(names)
    for child in sorted(folders):
        yield from _stored_folders(f"{folder}/{child}")


def _file_of(name: str) -> str:
    """The attachment file a stored name belongs to (a thumbnail's is the file beside it)."""
    for suffix in _THUMBNAIL_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def sweep_orphan_files(*, min_age: dt.timedelta = ORPHAN_MIN_AGE,
                       dry_run: bool = False) -> SweepReport:
    """Delete the files of each folder of STORED_FOLDERS that no row of its model names
    (with the thumbnails of such files), left behind by an upload whose transaction never
    committed and by rows deleted since. Only files older than `min_age` (an hour): an
    upload in progress has stored its file but not yet committed its row. Safe to run
    at any time, and twice; `dry_run` deletes nothing and reports what it would."""
    cutoff = timezone.now() - min_age
    report = SweepReport()
    for top, model in STORED_FOLDERS.items():
        for folder, names in _stored_folders(top):
            _sweep_folder(model, folder, names, cutoff, dry_run, report)
    return report


def _sweep_folder(model, folder: str, names: list[str], cutoff, dry_run: bool,
                  report: SweepReport) -> None:
    for start in range(0, len(names), _SWEEP_BATCH):
        stored = [f"{folder}/{name}" for name in names[start:start + _SWEEP_BATCH]]
        known = set(model.objects.filter(
            file__in={_file_of(name) for name in stored}).values_list("file", flat=True))
        for name in stored:
            if _file_of(name) in known:
                continue
            try:
                if default_storage.get_modified_time(name) > cutoff:
                    continue
                size = default_storage.size(name)
            except (FileNotFoundError, OSError):
                continue  # deleted meanwhile
            if not dry_run:
                default_storage.delete(name)
            report.files.append(SweptFile(name=name, size=size))


# --- reads ----------------------------------------------------------------------------


def attachment_list(*, actor: User, ticket: Ticket) -> QuerySet[Attachment]:
    """The files the actor may see on a ticket they can see: files of deleted comments
    for nobody, files for agents only and files of internal notes only for staff."""
    attachments = (ticket.attachments.select_related("uploaded_by")
                   .filter(Q(comment__isnull=True) | Q(comment__deleted_at__isnull=True)))
    if not policies.works_on(actor, ticket):
        attachments = attachments.filter(is_internal=False).exclude(
            comment__visibility=Visibility.INTERNAL)
    return attachments.order_by("id")


def attachment_comment(*, actor: User, ticket: Ticket, comment_id: int | None) -> Comment | None:
    """The comment of `ticket` that a new file should belong to; ValidationFailed on
    `comment_id` when the actor cannot see such a comment on this ticket."""
    if comment_id is None:
        return None
    comments = ticket.comments.filter(pk=comment_id, deleted_at__isnull=True)
    if not policies.works_on(actor, ticket):
        comments = comments.filter(visibility=Visibility.PUBLIC)
    comment = comments.first()
    if comment is None:
        raise ValidationFailed({"comment_id": _("There is no such comment on this ticket.")},
                               code="unknown_comment")
    return comment


def attachment_get(*, actor: User, number: str, attachment_id: int) -> Attachment:
    """One file of ticket `number`, or NotFound: for an invisible ticket, a file the
    actor may not see, and a file of another ticket alike."""
    ticket = ticket_get(actor=actor, number=number)
    attachment = attachment_list(actor=actor, ticket=ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    attachment.ticket = ticket
    return attachment


# --- serving --------------------------------------------------------------------------


def _content_disposition(file_name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"


def _protect(response: HttpResponse, file_name: str) -> HttpResponse:
    response["Content-Disposition"] = _content_disposition(file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file, streamed, always as a download, under its sanitised name."""
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError):
        logger.warning("Attachment %s has no stored file", attachment.pk)
        raise NotFound() from None
    content_type = (attachment.content_type if attachment.content_type in SAFE_TO_SERVE
                    else "application/octet-stream")
    response = FileResponse(handle, content_type=content_type)
    return _protect(response, attachment.file_name)


def _thumbnail_name(attachment: Attachment) -> tuple[str, str]:
    """Where the thumbnail is kept (beside the file) and its type: JPEG for photos,
    PNG for everything else (it keeps transparency)."""
    if attachment.content_type == "image/jpeg":
        return f"{attachment.file.name}-thumbnail.jpg", "image/jpeg"
    return f"{attachment.file.name}-thumbnail.png", "image/png"


def _render_thumbnail(attachment: Attachment, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        # Past Image.MAX_IMAGE_PIXELS Pillow only warns; a bomb must stop here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with default_storage.open(attachment.file.name, "rb") as source:
            image = Image.open(source, formats=["PNG", "JPEG", "GIF", "WEBP"])
            image.draft("RGB", THUMBNAIL_SIZE)  # JPEG decodes at a smaller scale
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            output = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(output, "JPEG", quality=80, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA")
                image.save(output, "PNG", optimize=True)
    return output.getvalue()


def attachment_thumbnail_response(attachment: Attachment) -> HttpResponse:
    """A small PNG or JPEG of an image file, generated once and kept in the storage
    beside the file. NotFound for files that are not images and for images that cannot
    be read (broken, hostile, or larger than Pillow's MAX_IMAGE_PIXELS)."""
    if attachment.content_type not in THUMBNAIL_TYPES:
        raise NotFound()
    name, content_type = _thumbnail_name(attachment)
    stem = attachment.file_name.rpartition(".")[0] or attachment.file_name
    download_name = f"{stem}-thumbnail.{name.rpartition('.')[2]}"
    if default_storage.exists(name):
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        return _protect(response, download_name)
    try:
        data = _render_thumbnail(attachment, content_type)
    except Exception:  # hostile images fail in many ways inside the decoders
        logger.info("No thumbnail for attachment %s", attachment.pk, exc_info=True)
        raise NotFound() from None
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another request made it at the same time
        default_storage.delete(saved)
    return _protect(HttpResponse(data, content_type=content_type), download_name)
