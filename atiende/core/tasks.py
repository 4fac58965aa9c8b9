"""Background work of the core app. Each task loads by id and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from atiende.core.auth import set_password_link
from atiende.core.models import User


@task(queue_name="mail")
def send_invitation(*, user_id: int) -> None:
    """E-mail a new person a link to choose their password (valid as a reset link)."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organization").first()
    if user is None:
        return
    with translation.override(user.language):
        context = {"user": user, "link": set_password_link(user), "site_url": settings.SITE_URL}
        subject = render_to_string("core/mail/invitation_subject.txt", context).strip()
        body = render_to_string("core/mail/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
