"""The organization admin's page for reading a mailbox through Microsoft Graph, at
/manage/<slug>/mailboxes/<id>/microsoft-365/. The client secret is write-only: the
page says whether one is stored, never what it is."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import secrets
from atiende.core.manage_views import administered_organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.mail import policies, selectors
from atiende.mail.graph_services import mailbox_graph_update
from atiende.mail.models import GraphAfterProcessing, Mailbox


class GraphMailboxForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Read this mailbox through Microsoft Graph"),
                                 required=False)
    tenant_id = forms.CharField(
        label=gettext_lazy("Directory (tenant) ID"), max_length=253, required=False,
        help_text=gettext_lazy("Entra ID → App registrations → your application → Overview."))
    client_id = forms.CharField(label=gettext_lazy("Application (client) ID"), max_length=36,
                                required=False)
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"), max_length=512, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    after = forms.ChoiceField(label=gettext_lazy("Once a message is stored"),
                              choices=GraphAfterProcessing.choices)
    move_to = forms.CharField(
        label=gettext_lazy("Folder to move it to"), max_length=255, required=False,
        help_text=gettext_lazy("A folder id, or a well-known name such as archive."))

    def __init__(self, *args, secret_stored: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = (
            _("A secret is stored. Leave blank to keep it; type a new one to replace it.")
            if secret_stored else
            _("The secret's value (not its id). The application needs the Mail.ReadWrite "
              "application permission (Mail.Send to send notifications)."))


def _initial(mailbox: Mailbox) -> dict:
    return {"enabled": mailbox.graph_enabled, "tenant_id": mailbox.graph_tenant_id,
            "client_id": mailbox.graph_client_id, "after": mailbox.graph_after,
            "move_to": mailbox.graph_move_to}


@login_required
@handles_errors
def mailbox_graph(request, slug: str, mailbox_id: int):
    organization = administered_organization(request, slug, policies.can_manage_mailboxes)
    mailbox = selectors.mailbox_get(actor=request.user, organization=organization,
                                    mailbox_id=mailbox_id)
    form = GraphMailboxForm(posted(request), initial=_initial(mailbox),
                            secret_stored=bool(mailbox.graph_client_secret))
    if request.method == "POST" and form.is_valid():
        try:
            mailbox_graph_update(actor=request.user, mailbox=mailbox, **form.cleaned_data)
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_mailbox_graph", slug=slug, mailbox_id=mailbox.pk)
    return render(request, "mail/graph.html", {
        "organization": organization, "tab": "mailboxes", "mailbox": mailbox, "form": form,
        "secret_unreadable": secrets.unreadable_warning(mailbox.graph_client_secret)})
