"""Web downloads of ticket files and their thumbnails, behind the same permission
checks as the API (an invisible ticket or file is a 404). Included in the site's URLs
under `tickets/<number>/attachments/`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.http import require_safe

from atiende.core.web import handles_errors
from atiende.tickets import attachments


@login_required
@require_safe
@handles_errors
def download(request, number: str, attachment_id: int):
    attachment = attachments.attachment_get(actor=request.user, number=number,
                                            attachment_id=attachment_id)
    return attachments.attachment_response(attachment)


@login_required
@require_safe
@handles_errors
def thumbnail(request, number: str, attachment_id: int):
    attachment = attachments.attachment_get(actor=request.user, number=number,
                                            attachment_id=attachment_id)
    return attachments.attachment_thumbnail_response(attachment)


app_name = "attachments"
urlpatterns = [
    path("<int:attachment_id>/", download, name="download"),
    path("<int:attachment_id>/thumbnail/", thumbnail, name="thumbnail"),
]
