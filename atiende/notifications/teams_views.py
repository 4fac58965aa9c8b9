"""Organization admin pages for Microsoft Teams channels and for how e-mail leaves:
/manage/<slug>/notifications/teams/ (list and add), .../teams/<id>/ (edit, test card,
delete) and /manage/<slug>/notifications/sending/. Webhook URLs and secrets are never
rendered back. Any organization the actor does not administer answers 404, and so
does a channel of another organization."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atiende.core import secrets
from atiende.core import selectors as core_selectors
from atiende.core.manage_views import administered_organization
from atiende.core.models import Organization
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import ValidationFailed
from atiende.mail import selectors as mail_selectors
from atiende.mail.models import Mailbox
from atiende.notifications import sending_views, teams_services, transport_services
from atiende.notifications.models import (
    MailTransport,
    OutboundMailSettings,
    TeamsChannel,
    TeamsEvent,
    TeamsPost,
)


class TeamsChannelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120,
                           help_text=gettext_lazy("e.g. Redes · Incidentes"))
    department = forms.ChoiceField(label=gettext_lazy("Department"), choices=[])
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False, choices=[],
                             help_text=gettext_lazy("Empty: every ticket of the department."))
    webhook_url = forms.CharField(
        label=gettext_lazy("Webhook URL"), max_length=2000, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    events = forms.MultipleChoiceField(label=gettext_lazy("Post when"),
                                       choices=TeamsEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args, departments, teams, url_stored: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments
        self.fields["team"].choices = [("", "—"), *teams]
        self.fields["webhook_url"].help_text = (
            _("A URL is stored. Leave blank to keep it; paste a new one to replace it.")
            if url_stored else
            _("The channel's incoming webhook or Workflows URL (https://…)."))


class SendingForm(forms.Form):
    transport = forms.ChoiceField(label=gettext_lazy("Send e-mail notifications through"),
                                  choices=MailTransport.choices)
    graph_mailbox = forms.ChoiceField(
        label=gettext_lazy("Sending mailbox"), required=False, choices=[],
        help_text=gettext_lazy("For Microsoft 365: a mailbox whose Microsoft 365 settings hold "
                               "an application with the Mail.Send permission."))

    def __init__(self, *args, mailboxes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["graph_mailbox"].choices = [("", "—"), *mailboxes]


def _organization(request, slug: str) -> Organization:
    return administered_organization(request, slug)


def _choices(request, organization: Organization):
    departments = {str(d.pk): d for d in core_selectors.department_list(
        actor=request.user, organization_id=organization.pk)
        if d.organization_id == organization.pk and d.is_active}
    teams = {str(t.pk): t for t in core_selectors.team_list(actor=request.user)
             .filter(department_id__in=[d.pk for d in departments.values()], is_active=True)
             .select_related("department").order_by("department__name", "name")}
    return departments, teams


def _form(request, organization, *, initial=None, url_stored=False):
    departments, teams = _choices(request, organization)
    form = TeamsChannelForm(
        posted(request), initial=initial, url_stored=url_stored,
        departments=[(key, d.name) for key, d in departments.items()],
        teams=[(key, f"{t.department.name} · {t.name}") for key, t in teams.items()])
    return form, departments, teams


def _values(data: dict, departments: dict, teams: dict) -> dict:
    return {"name": data["name"], "department": departments.get(data["department"]),
            "team": teams.get(data["team"] or ""), "webhook_url": data["webhook_url"],
            "events": data["events"], "is_active": data["is_active"]}


def _channel(organization: Organization, channel_id: int) -> TeamsChannel:
    return get_object_or_404(TeamsChannel.objects.select_related("department", "team"),
                             pk=channel_id, organization=organization)


@login_required
@handles_errors
def channels(request, slug: str):
    organization = _organization(request, slug)
    form, departments, teams = _form(request, organization, initial={
        "is_active": True, "events": [TeamsEvent.TICKET_CREATED, TeamsEvent.SLA_BREACHED]})
    if request.method == "POST" and form.is_valid():
        try:
            created = teams_services.teams_channel_create(
                actor=request.user, organization=organization,
                **_values(form.cleaned_data, departments, teams))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The channel has been added. Send a test card to "
                                        "check it."))
            return redirect("manage_teams_channel", slug=slug, channel_id=created.pk)
    listed = (TeamsChannel.objects.filter(organization=organization)
              .select_related("department", "team").order_by("name", "id"))
    return render(request, "notifications/teams_channels.html", {
        "organization": organization, "tab": "notifications", "channels": listed,
        "form": form, "event_labels": dict(TeamsEvent.choices)})


@login_required
@handles_errors
def channel_edit(request, slug: str, channel_id: int):
    organization = _organization(request, slug)
    channel = _channel(organization, channel_id)
    form, departments, teams = _form(request, organization, url_stored=True, initial={
        "name": channel.name, "department": str(channel.department_id),
        "team": str(channel.team_id or ""), "events": channel.events,
        "is_active": channel.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            teams_services.teams_channel_update(
                actor=request.user, teams_channel=channel,
                changes=_values(form.cleaned_data, departments, teams))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_teams_channel", slug=slug, channel_id=channel.pk)
    posts = (TeamsPost.objects.filter(channel=channel).select_related("ticket")
             .order_by("-created_at", "-id")[:20])
    return render(request, "notifications/teams_channel.html", {
        "organization": organization, "tab": "notifications", "channel": channel,
        "form": form, "posts": posts,
        "secret_unreadable": secrets.unreadable_warning(channel.webhook_url)})


@login_required
@require_POST
@handles_errors
def channel_test(request, slug: str, channel_id: int):
    organization = _organization(request, slug)
    channel = _channel(organization, channel_id)
    teams_services.teams_test_card(actor=request.user, teams_channel=channel)
    messages.success(request, _("A test card is on its way; its delivery shows below."))
    return redirect("manage_teams_channel", slug=slug, channel_id=channel.pk)


@login_required
@require_POST
@handles_errors
def channel_delete(request, slug: str, channel_id: int):
    organization = _organization(request, slug)
    channel = _channel(organization, channel_id)
    teams_services.teams_channel_delete(actor=request.user, teams_channel=channel)
    messages.success(request, _("The channel has been removed."))
    return redirect("manage_teams_channels", slug=slug)


def _sending_mailboxes(actor, organization) -> dict[str, Mailbox]:
    return {str(m.pk): m for m in mail_selectors.mailbox_list(
        actor=actor, organization=organization).filter(is_active=True)}


def sending_form(actor, organization, data=None, mailboxes=None) -> SendingForm:
    mailboxes = _sending_mailboxes(actor, organization) if mailboxes is None else mailboxes
    current = OutboundMailSettings.objects.filter(organization=organization).first()
    return SendingForm(data, mailboxes=[
        (key, m.address) for key, m in mailboxes.items()], initial={
        "transport": current.transport if current else MailTransport.SMTP,
        "graph_mailbox": str(current.graph_mailbox_id or "") if current else ""})


@login_required
@handles_errors
def sending(request, slug: str):
    organization = _organization(request, slug)
    mailboxes = _sending_mailboxes(request.user, organization)
    form = sending_form(request.user, organization, posted(request), mailboxes)
    if request.method == "POST" and form.is_valid():
        try:
            transport_services.outbound_mail_set(
                actor=request.user, organization=organization,
                transport=form.cleaned_data["transport"],
                graph_mailbox=mailboxes.get(form.cleaned_data["graph_mailbox"] or ""))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_notification_sending", slug=slug)
    return sending_views.render_sending(request, organization, form=form)
