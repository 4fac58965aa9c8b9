"""Reads of mailboxes and received mail, scoped to what the actor administers; a
mailbox or message of another organization is NotFound."""

from __future__ import annotations

from django.db.models import QuerySet

from atiende.core import selectors as core_selectors
from atiende.core.models import Department, Organization, Team, User
from atiende.core.scoping import scope_of
from atiende.errors import NotFound
from atiende.mail import policies
from atiende.mail.models import REVIEWABLE_STATES, ImapAccount, InboundMessage, Mailbox
from atiende.tickets.models import Category


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox of `address` (any case), for the mail gateways, which act
    for no signed-in person. None when there is none."""
    return (Mailbox.objects.select_related("organization", "department")
            .filter(address=(address or "").strip().lower(), is_active=True,
                    organization__is_active=True).first())


def _administered(actor: User, organization: Organization) -> None:
    if not policies.can_manage_mailboxes(actor, organization):
        raise NotFound()


def mailbox_list(*, actor: User, organization: Organization) -> QuerySet[Mailbox]:
    _administered(actor, organization)
    return (Mailbox.objects.filter(policies.visible_mailboxes(actor), organization=organization)
            .select_related("department", "default_category", "default_team")
            .order_by("address"))


def mailbox_get(*, actor: User, organization: Organization, mailbox_id: int) -> Mailbox:
    mailbox = mailbox_list(actor=actor, organization=organization).filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound()
    return mailbox


def mailbox_departments(*, actor: User, organization: Organization) -> list[Department]:
    """Departments a mailbox of `organization` may feed: its own active ones, and the
    provider's shared ones for provider admins (who alone see them)."""
    _administered(actor, organization)
    everything = scope_of(actor).everything
    return [department for department in core_selectors.department_list(
                actor=actor, organization_id=organization.pk)
            if department.is_active
            and (department.organization_id == organization.pk or everything)]


def mailbox_categories(*, departments: list[Department]) -> QuerySet[Category]:
    return (Category.objects.filter(department__in=departments, is_active=True)
            .select_related("department", "parent").order_by("department__name", "name"))


def mailbox_teams(*, departments: list[Department]) -> QuerySet[Team]:
    return (Team.objects.filter(department__in=departments, is_active=True)
            .select_related("department").order_by("department__name", "name"))


def review_list(*, actor: User, organization: Organization,
                states: frozenset[str] = REVIEWABLE_STATES) -> QuerySet[InboundMessage]:
    """Received mail of the organization's mailboxes in `states`, newest first, without
    the raw bytes."""
    if not policies.can_review_mail(actor, organization):
        raise NotFound()
    return (InboundMessage.objects
            .filter(policies.visible_messages(actor), mailbox__organization=organization,
                    state__in=sorted(states))
            .select_related("mailbox", "ticket")
            .defer("raw")
            .order_by("-received_at", "-id"))


def inbound_get(*, actor: User, organization: Organization, message_id: int) -> InboundMessage:
    if not policies.can_review_mail(actor, organization):
        raise NotFound()
    message = (InboundMessage.objects
               .filter(policies.visible_messages(actor), mailbox__organization=organization,
                       pk=message_id)
               .select_related("mailbox", "ticket", "reviewed_by").first())
    if message is None:
        raise NotFound()
    return message


def imap_account(*, mailbox: Mailbox) -> ImapAccount | None:
    """The IMAP settings of a mailbox the caller has already read through
    `mailbox_get` (which scoped it); None when it has none."""
    return ImapAccount.objects.filter(mailbox=mailbox).first()
