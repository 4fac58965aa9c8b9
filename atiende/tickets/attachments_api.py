"""`/api/v1/tickets/{number}/attachments`: upload (multipart), list, download and
thumbnail. Thin: parse, call a selector or the service, return.

No `from __future__ import annotations` here: Ninja resolves the handlers' annotations
(`File[UploadedFile]`, `Form[bool]`) at import time.
"""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.tickets import attachments
from atiende.tickets.models import Attachment
from atiende.tickets.selectors import ticket_get

router = Router(tags=["attachments"])
CHANNEL = "api"

_BINARY = {
    "description": "The file, always as a download (`Content-Disposition: attachment`).",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class UploaderOut(Schema):
    id: int
    display_name: str


class AttachmentOut(Schema):
    id: int
    ticket_number: str
    comment_id: int | None
    file_name: str
    content_type: str
    size: int
    is_internal: bool
    uploaded_by: UploaderOut
    created_at: datetime
    download_url: str
    thumbnail_url: str | None

    @staticmethod
    def resolve_ticket_number(attachment: Attachment) -> str:
        return attachment.ticket.number

    @staticmethod
    def resolve_download_url(attachment: Attachment) -> str:
        return reverse("api:attachment_download",
                       kwargs={"number": attachment.ticket.number, "attachment_id": attachment.pk})

    @staticmethod
    def resolve_thumbnail_url(attachment: Attachment) -> str | None:
        if attachment.content_type not in attachments.THUMBNAIL_TYPES:
            return None
        return reverse("api:attachment_thumbnail",
                       kwargs={"number": attachment.ticket.number, "attachment_id": attachment.pk})


@router.post("/tickets/{number}/attachments", response={201: AttachmentOut},
             summary="Attach a file (multipart: file, is_internal, comment_id)")
def attachment_upload(request: HttpRequest, number: str, file: File[UploadedFile],
                      is_internal: Form[bool] = False, comment_id: Form[int | None] = None):
    ticket = ticket_get(actor=request.auth, number=number)
    comment = attachments.attachment_comment(actor=request.auth, ticket=ticket,
                                             comment_id=comment_id)
    attachment = attachments.attachment_add(
        actor=request.auth, ticket=ticket, uploaded_file=file, comment=comment,
        is_internal=is_internal, channel=CHANNEL,
    )
    return Status(201, attachment)


@router.get("/tickets/{number}/attachments", response=list[AttachmentOut],
            summary="The files of a ticket the caller may see")
@paginate(Pagination, ordering=("id",))
def attachment_list(request: HttpRequest, number: str):
    ticket = ticket_get(actor=request.auth, number=number)
    return attachments.attachment_list(actor=request.auth, ticket=ticket)


@router.get("/tickets/{number}/attachments/{attachment_id}", url_name="attachment_download",
            response={200: None}, openapi_extra={"responses": {"200": _BINARY}},
            summary="Download a file")
def attachment_download(request: HttpRequest, number: str, attachment_id: int):
    attachment = attachments.attachment_get(actor=request.auth, number=number,
                                            attachment_id=attachment_id)
    return attachments.attachment_response(attachment)


@router.get("/tickets/{number}/attachments/{attachment_id}/thumbnail",
            url_name="attachment_thumbnail", response={200: None},
            openapi_extra={"responses": {"200": {
                "description": "A small PNG or JPEG of an image file.",
                "content": {"image/png": {"schema": {"type": "string", "format": "binary"}},
                            "image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }}},
            summary="A thumbnail of an image file")
def attachment_thumbnail(request: HttpRequest, number: str, attachment_id: int):
    attachment = attachments.attachment_get(actor=request.auth, number=number,
                                            attachment_id=attachment_id)
    return attachments.attachment_thumbnail_response(attachment)
