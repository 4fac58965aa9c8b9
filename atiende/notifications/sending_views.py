"""The organization's own SMTP server on /manage/<slug>/notifications/sending/: its
settings (the password and OAuth2 secrets are write-only) and a button that sends a
test e-mail to the admin, now, the way notifications leave."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atiende.core import secrets
from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors
from atiende.errors import ValidationFailed
from atiende.notifications import transport_services
from atiende.notifications.models import OutboundMailSettings, SmtpAuth, SmtpSecurity

_NEW_SECRET = {"autocomplete": "new-password"}


class SmtpForm(forms.Form):
    smtp_host = forms.CharField(
        label=gettext_lazy("SMTP server"), max_length=253, required=False,
        help_text=gettext_lazy("Empty: the server's own mail settings. e.g. "
                               "smtp.office365.com or smtp.gmail.com"))
    smtp_port = forms.IntegerField(label=gettext_lazy("Port"), min_value=1, max_value=65535)
    smtp_security = forms.ChoiceField(label=gettext_lazy("Connection security"),
                                      choices=SmtpSecurity.choices)
    smtp_username = forms.CharField(label=gettext_lazy("User name"), max_length=254,
                                    required=False)
    smtp_auth = forms.ChoiceField(
        label=gettext_lazy("Sign-in"), choices=SmtpAuth.choices,
        help_text=gettext_lazy("Microsoft 365: OAuth2 with application credentials (the app "
                               "needs SMTP.SendAsApp). Google: OAuth2 with a refresh token."))
    smtp_secret = forms.CharField(label=gettext_lazy("Password or client secret"),
                                  required=False, max_length=4000,
                                  widget=forms.PasswordInput(attrs=_NEW_SECRET))
    smtp_oauth_token_url = forms.CharField(label=gettext_lazy("OAuth2 token endpoint"),
                                           required=False, max_length=500)
    smtp_oauth_client_id = forms.CharField(label=gettext_lazy("OAuth2 client ID"),
                                           required=False, max_length=200)
    smtp_oauth_scope = forms.CharField(
        label=gettext_lazy("OAuth2 scope"), required=False, max_length=500,
        help_text=gettext_lazy("Microsoft 365: https://outlook.office365.com/.default · "
                               "Google: https://mail.google.com/"))
    smtp_oauth_refresh_token = forms.CharField(
        label=gettext_lazy("OAuth2 refresh token"), required=False, max_length=4000,
        widget=forms.PasswordInput(attrs=_NEW_SECRET))

    def __init__(self, *args, stored_secrets: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in stored_secrets:
            self.fields[name].help_text = _("Stored. Leave blank to keep it.")


def smtp_form(organization, data=None) -> SmtpForm:
    current = OutboundMailSettings.objects.filter(organization=organization).first() \
        or OutboundMailSettings(organization=organization)
    stored = {name for name in transport_services.SMTP_SECRETS if getattr(current, name)}
    initial = {name: getattr(current, name) for name in transport_services.SMTP_SETTINGS
               if name not in transport_services.SMTP_SECRETS}
    form = SmtpForm(data, initial=initial, stored_secrets=stored)
    form.secret_unreadable = secrets.unreadable_warning(
        *(getattr(current, name) for name in transport_services.SMTP_SECRETS))
    return form


def render_sending(request, organization, *, form, smtp: SmtpForm | None = None):
    smtp = smtp or smtp_form(organization)
    return render(request, "notifications/sending.html", {
        "organization": organization, "tab": "notifications", "form": form,
        "smtp_form": smtp, "secret_unreadable": smtp.secret_unreadable})


@login_required
@require_POST
@handles_errors
def sending_smtp(request, slug: str):
    organization = administered_organization(request, slug)
    form = smtp_form(organization, request.POST)
    if form.is_valid():
        try:
            transport_services.outbound_smtp_set(actor=request.user, organization=organization,
                                                 values=form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_notification_sending", slug=slug)
    from atiende.notifications.teams_views import sending_form

    return render_sending(request, organization, form=sending_form(request.user, organization),
                          smtp=form)


@login_required
@require_POST
@handles_errors
def sending_test(request, slug: str):
    organization = administered_organization(request, slug)
    try:
        address = transport_services.outbound_mail_test(actor=request.user,
                                                        organization=organization)
    except ValidationFailed as error:
        messages.error(request, error.fields["transport"])
    else:
        messages.success(request, _("A test e-mail has been sent to %(address)s.") % {
            "address": address})
    return redirect("manage_notification_sending", slug=slug)
