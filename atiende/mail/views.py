"""Organization admin pages for e-mail: the mailboxes, and the mail held or quarantined
for review. Reached only through an organization the actor administers; any other
answers 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from atiende.core.manage_views import administered_organization
from atiende.core.models import Department, Organization, Team
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import Conflict, NotFound, ValidationFailed
from atiende.mail import policies, selectors, services
from atiende.mail.forms import MailboxForm, ReviewFilterForm
from atiende.mail.models import REVIEWABLE_STATES, InboundState, Mailbox, UnknownSender
from atiende.mail.parse import parse_message
from atiende.tickets.models import Category

PAGE_SIZE = 50


def _organization(request, slug: str) -> Organization:
    return administered_organization(request, slug, policies.can_manage_mailboxes)


@dataclass
class _Choices:
    """What a mailbox of the organization may point to, by id."""

    departments: dict[str, Department]
    categories: dict[str, Category]
    teams: dict[str, Team]

    def form(self, data=None, initial=None) -> MailboxForm:
        return MailboxForm(
            data, initial=initial,
            departments=[(key, d.name) for key, d in self.departments.items()],
            categories=[(key, f"{c.department.name} · {c.parent.name + ' / ' if c.parent else ''}"
                         f"{c.name}") for key, c in self.categories.items()],
            teams=[(key, f"{t.department.name} · {t.name}") for key, t in self.teams.items()],
        )

    def values(self, data: dict) -> dict:
        return {
            "address": data["address"], "kind": data["kind"],
            "unknown_sender": data["unknown_sender"], "is_active": data["is_active"],
            "department": self.departments.get(data["department"]),
            "default_category": self.categories.get(data["default_category"] or ""),
            "default_team": self.teams.get(data["default_team"] or ""),
        }


def _choices(request, organization: Organization) -> _Choices:
    departments = selectors.mailbox_departments(actor=request.user, organization=organization)
    return _Choices(
        departments={str(d.pk): d for d in departments},
        categories={str(c.pk): c for c in selectors.mailbox_categories(departments=departments)},
        teams={str(t.pk): t for t in selectors.mailbox_teams(departments=departments)},
    )


def _page(request, organization: Organization, template: str, context: dict, tab: str):
    context.update({"organization": organization, "tab": tab})
    return render(request, template, context)


@login_required
@handles_errors
def mailboxes(request, slug: str):
    organization = _organization(request, slug)
    choices = _choices(request, organization)
    form = choices.form(posted(request), initial={
        "unknown_sender": UnknownSender.HOLD, "is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.mailbox_create(actor=request.user, organization=organization,
                                    **choices.values(form.cleaned_data))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The mailbox has been created."))
            return redirect("manage_mailboxes", slug=slug)
    listed = selectors.mailbox_list(actor=request.user, organization=organization)
    return _page(request, organization, "mail/mailboxes.html",
                 {"mailboxes": listed, "form": form}, "mailboxes")


@login_required
@handles_errors
def mailbox_edit(request, slug: str, mailbox_id: int):
    organization = _organization(request, slug)
    mailbox = selectors.mailbox_get(actor=request.user, organization=organization,
                                    mailbox_id=mailbox_id)
    choices = _choices(request, organization)
    form = choices.form(posted(request), initial=_initial(mailbox))
    if request.method == "POST" and form.is_valid():
        try:
            services.mailbox_update(actor=request.user, mailbox=mailbox,
                                    changes=choices.values(form.cleaned_data))
        except ValidationFailed as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_mailboxes", slug=slug)
    return _page(request, organization, "mail/mailbox.html",
                 {"mailbox": mailbox, "form": form}, "mailboxes")


def _initial(mailbox: Mailbox) -> dict:
    return {
        "address": mailbox.address, "department": str(mailbox.department_id),
        "kind": mailbox.kind, "unknown_sender": mailbox.unknown_sender,
        "default_category": str(mailbox.default_category_id or ""),
        "default_team": str(mailbox.default_team_id or ""), "is_active": mailbox.is_active,
    }


@login_required
@require_safe
@handles_errors
def review(request, slug: str):
    organization = _organization(request, slug)
    form = ReviewFilterForm(request.GET, states=InboundState.choices)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    listed = selectors.review_list(actor=request.user, organization=organization,
                                   states=frozenset({state}) if state else REVIEWABLE_STATES)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, organization, "mail/review.html", {
        "page": page, "filter_form": form, "state": state,
        "reviewable": REVIEWABLE_STATES, "reasons": services.REASONS,
    }, "mail_review")


@login_required
@require_safe
@handles_errors
def review_message(request, slug: str, message_id: int):
    organization = _organization(request, slug)
    message = selectors.inbound_get(actor=request.user, organization=organization,
                                    message_id=message_id)
    parsed = parse_message(bytes(message.raw)) if message.raw else None
    return _page(request, organization, "mail/message.html", {
        "message": message, "parsed": parsed,
        "reason": services.reason_label(message.reason) if message.reason else "",
        "reviewable": message.state in REVIEWABLE_STATES,
    }, "mail_review")


@login_required
@require_safe
@handles_errors
def review_original(request, slug: str, message_id: int):
    """The message exactly as it arrived, always as a download."""
    organization = _organization(request, slug)
    message = selectors.inbound_get(actor=request.user, organization=organization,
                                    message_id=message_id)
    if not message.raw:
        raise NotFound()
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mensaje-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
@handles_errors
def review_retry(request, slug: str, message_id: int):
    organization = _organization(request, slug)
    message = selectors.inbound_get(actor=request.user, organization=organization,
                                    message_id=message_id)
    try:
        outcome = services.inbound_retry(actor=request.user, message=message)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("manage_mail_review", slug=slug)
    level = messages.success if outcome.action in ("created", "commented") else messages.warning
    level(request, _("Processed again: %(result)s.") % {"result": outcome.describe()})
    return redirect("manage_mail_review", slug=slug)


@login_required
@require_POST
@handles_errors
def review_discard(request, slug: str, message_id: int):
    organization = _organization(request, slug)
    message = selectors.inbound_get(actor=request.user, organization=organization,
                                    message_id=message_id)
    try:
        services.inbound_discard(actor=request.user, message=message)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message has been discarded."))
    return redirect("manage_mail_review", slug=slug)
