"""Forms of the mail pages: they shape input; the rules live in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.mail.models import (
    ImapAfter,
    ImapAuth,
    ImapSecurity,
    MailboxKind,
    UnknownSender,
)


class MailboxForm(forms.Form):
    address = forms.EmailField(label=_("Address"), max_length=254,
                               help_text=_("Mail sent here becomes tickets, e.g. "
                                           "soporte@empresa.com."))
    department = forms.ChoiceField(label=_("Department"), choices=[])
    kind = forms.ChoiceField(label=_("New messages become"), choices=MailboxKind.choices)
    default_category = forms.ChoiceField(label=_("Default category"), required=False,
                                         choices=[])
    default_team = forms.ChoiceField(label=_("Default team"), required=False, choices=[])
    unknown_sender = forms.ChoiceField(
        label=_("Mail from unknown senders"), choices=UnknownSender.choices,
        help_text=_("Senders whose address is nobody's yet. Refused mail is bounced by "
                    "the mail server."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, departments, categories, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments
        self.fields["default_category"].choices = [("", "—"), *categories]
        self.fields["default_team"].choices = [("", "—"), *teams]


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Held and quarantined")), *states]


class ImapForm(forms.Form):
    """A mailbox's IMAP settings. The secrets are never shown back: left blank, the
    stored ones are kept."""

    is_enabled = forms.BooleanField(label=_("Fetch mail from this IMAP folder"),
                                    required=False)
    host = forms.CharField(label=_("Server"), max_length=253,
                           help_text=_("e.g. outlook.office365.com or imap.gmail.com"))
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535)
    security = forms.ChoiceField(label=_("Connection security"), choices=ImapSecurity.choices)
    username = forms.CharField(label=_("User name"), max_length=254,
                               help_text=_("Usually the mailbox's address."))
    auth = forms.ChoiceField(
        label=_("Sign-in"), choices=ImapAuth.choices,
        help_text=_("Microsoft 365: OAuth2 with application credentials (the app needs "
                    "IMAP.AccessAsApp). Google: OAuth2 with a refresh token."))
    secret = forms.CharField(label=_("Password or client secret"), required=False,
                             widget=forms.PasswordInput(render_value=False,
                                                        attrs={"autocomplete": "new-password"}))
    oauth_token_url = forms.CharField(
        label=_("OAuth2 token endpoint"), required=False, max_length=500,
        help_text=_("Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/"
                    "token · Google: https://oauth2.googleapis.com/token"))
    oauth_client_id = forms.CharField(label=_("OAuth2 client ID"), required=False,
                                      max_length=200)
    oauth_scope = forms.CharField(
        label=_("OAuth2 scope"), required=False, max_length=500,
        help_text=_("Microsoft 365: https://outlook.office365.com/.default · Google: "
                    "https://mail.google.com/"))
    oauth_refresh_token = forms.CharField(
        label=_("OAuth2 refresh token"), required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    folder = forms.CharField(label=_("Folder"), max_length=200)
    after = forms.ChoiceField(label=_("Once a message is stored"), choices=ImapAfter.choices)
    after_target = forms.CharField(
        label=_("Folder or keyword"), required=False, max_length=200,
        help_text=_("The folder messages are moved to (created when missing), or the "
                    "keyword added to them."))

    def __init__(self, *args, stored_secrets: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in stored_secrets:
            self.fields[name].help_text = _("Stored. Leave blank to keep it.")
