"""The organization admin's page for fetching a mailbox's mail over IMAP, at
/manage/<slug>/mailboxes/<id>/imap/: the settings (the password and OAuth2 secrets are
write-only: the page says whether one is stored, never what it is) and how polling
went (last poll, last error)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from atiende.core import secrets
from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import NotFound, ValidationFailed
from atiende.mail import imap, policies, selectors
from atiende.mail.forms import ImapForm
from atiende.mail.imap_services import SECRETS, SETTINGS, imap_account_set
from atiende.mail.models import ImapAccount, ImapAfter, ImapAuth, ImapSecurity, Mailbox


def _initial(mailbox: Mailbox, account: ImapAccount | None) -> dict:
    if account is None:
        return {"is_enabled": True, "port": 993, "security": ImapSecurity.TLS,
                "username": mailbox.address, "auth": ImapAuth.PASSWORD, "folder": "INBOX",
                "after": ImapAfter.MOVE, "after_target": "Atiende"}
    return {name: getattr(account, name) for name in SETTINGS if name not in SECRETS}


def _mailbox(request, slug: str, mailbox_id: int):
    organization = administered_organization(request, slug, policies.can_manage_mailboxes)
    return organization, selectors.mailbox_get(actor=request.user, organization=organization,
                                               mailbox_id=mailbox_id)


@login_required
@handles_errors
def mailbox_imap(request, slug: str, mailbox_id: int):
    organization, mailbox = _mailbox(request, slug, mailbox_id)
    account = selectors.imap_account(mailbox=mailbox)
    stored = {name for name in SECRETS if account is not None and getattr(account, name)}
    form = ImapForm(posted(request), initial=_initial(mailbox, account), stored_secrets=stored)
    if request.method == "POST" and form.is_valid():
        try:
            imap_account_set(actor=request.user, mailbox=mailbox, values=form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_mailbox_imap", slug=slug, mailbox_id=mailbox.pk)
    return render(request, "mail/imap.html", {
        "organization": organization, "tab": "mailboxes", "mailbox": mailbox,
        "account": account, "form": form,
        "secret_unreadable": account and secrets.unreadable_warning(
            *(getattr(account, name) for name in SECRETS))})


@login_required
@require_POST
@handles_errors
def mailbox_imap_test(request, slug: str, mailbox_id: int):
    """Connect with the stored settings and say how it went; changes nothing."""
    _organization, mailbox = _mailbox(request, slug, mailbox_id)
    account = selectors.imap_account(mailbox=mailbox)
    if account is None:
        raise NotFound()
    try:
        count = imap.connection_test(account)
    except imap.PollFailed as failure:
        messages.error(request, _("The connection test failed: %(detail)s") % {
            "detail": failure})
    else:
        messages.success(request, ngettext(
            "OK: %(count)d message in folder %(folder)s.",
            "OK: %(count)d messages in folder %(folder)s.", count) % {
            "count": count, "folder": account.folder})
    return redirect("manage_mailbox_imap", slug=slug, mailbox_id=mailbox.pk)
