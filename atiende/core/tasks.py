"""Background work of the core app. Each task loads by id and is safe to run twice."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from atiende.core.models import User


@task(queue_name="mail")
def send_invitation(*, user_id: int) -> None:
    """E-mail a new person a link to choose their password (valid as a reset link)."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organization").first()
    if user is None:
        return
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    with translation.override(user.language):
        context = {"user": user, "link": settings.SITE_URL + path, "site_url": settings.SITE_URL}
        subject = render_to_string("core/mail/invitation_subject.txt", context).strip()
        body = render_to_string("core/mail/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
