"""Every change the portal makes: an organization's branding, deflections counted, and
the requester's compound actions (a report or a reply with a file), which run the
tickets' own services inside one transaction so that nothing is half-written."""

from __future__ import annotations

import datetime as dt

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende import validation
from atiende.core import policies as core_policies
from atiende.core.models import Department, Organization, User
from atiende.core.services import audit
from atiende.errors import NotFound, PermissionDenied
from atiende.knowledge.models import Article
from atiende.portal import branding, selectors
from atiende.portal.models import DEFAULT_PRIMARY_COLOUR, Deflection, PortalBranding
from atiende.tickets import services as ticket_services
from atiende.tickets.attachments import attachment_add
from atiende.tickets.models import Channel, Comment, Kind, Ticket, Visibility

# Opening a suggestion and not reporting within this time counts as a problem solved
# without a ticket; a report inside it means the article did not help.
DEFLECTION_WINDOW = dt.timedelta(minutes=30)
TITLE_MAX = 120


# --- branding ---------------------------------------------------------------------------


def branding_update(*, actor: User, organization: Organization, title: str,
                    primary_colour: str, logo: File | None = None, remove_logo: bool = False,
                    channel: str = "web") -> PortalBranding:
    """Set how the organization's portal looks. Organization admins and provider admins
    only (NotFound for anyone else: the organization stays invisible). Validates the
    colour (hex, readable under white text) and re-encodes the logo as PNG; writes one
    audit event with the fields changed."""
    if not core_policies.can_administer(actor, organization):
        raise NotFound()
    title = validation.text(title, "title", max_length=TITLE_MAX, required=False)
    colour = branding.clean_colour(primary_colour or DEFAULT_PRIMARY_COLOUR)
    new_logo = branding.clean_logo(logo) if logo is not None else None
    with transaction.atomic():
        row, _created = PortalBranding.objects.select_for_update().get_or_create(
            organization=organization)
        changes: dict[str, list] = {}
        if row.title != title:
            changes["title"] = [row.title, title]
            row.title = title
        if row.primary_colour != colour:
            changes["primary_colour"] = [row.primary_colour, colour]
            row.primary_colour = colour
        if new_logo is not None:
            changes["logo"] = [row.logo_digest[:12], new_logo.digest[:12]]
            row.logo, row.logo_digest = new_logo.png, new_logo.digest
            row.logo_width, row.logo_height = new_logo.width, new_logo.height
        elif remove_logo and row.logo_digest:
            changes["logo"] = [row.logo_digest[:12], ""]
            row.logo, row.logo_digest, row.logo_width, row.logo_height = None, "", 0, 0
        row.updated_at = timezone.now()
        row.save()
        if changes:
            audit(actor=actor, organization_id=organization.pk, action="portal.branding_updated",
                  target=organization, changes=changes, channel=channel)
    return row


# --- deflection -------------------------------------------------------------------------


def deflection_open(*, actor: User, article: Article) -> Deflection:
    """The requester opened `article` from the report form's suggestions (an article
    the caller read through `selectors.article_get`). Opening it again within the
    window counts once."""
    if actor.organization_id is None:
        raise PermissionDenied()
    since = timezone.now() - DEFLECTION_WINDOW
    with transaction.atomic():
        found = Deflection.objects.filter(requester=actor, article=article,
                                          opened_at__gte=since, reported_at__isnull=True
                                          ).order_by("-opened_at").first()
        if found is not None:
            return found
        return Deflection.objects.create(article=article, requester=actor,
                                         organization_id=actor.organization_id)


def deflection_resolved(*, actor: User, article_id: int) -> Deflection:
    """"This solved my problem": the requester's latest opening of a suggested article
    they may read becomes a deflection (one opened now when they came another way)."""
    article = selectors.article_get(actor=actor, article_id=article_id)
    with transaction.atomic():
        deflection = deflection_open(actor=actor, article=article)
        Deflection.objects.filter(pk=deflection.pk).update(
            resolved_at=timezone.now(), reported_at=None)
        deflection.refresh_from_db()
    return deflection


def _reported(actor: User, at: dt.datetime) -> None:
    """The articles opened within the window did not spare this report (unless the
    requester said one solved their problem: that was another problem)."""
    Deflection.objects.filter(requester=actor, opened_at__gte=at - DEFLECTION_WINDOW,
                              resolved_at__isnull=True, reported_at__isnull=True
                              ).update(reported_at=at)


# --- the requester's compound actions ----------------------------------------------------


def problem_report(*, actor: User, department: Department, title: str, description: str,
                   files: list[File] | None = None) -> Ticket:
    """A requester reports a problem: an incident for themselves in their organization
    (`ticket_create`), its files (`attachment_add`), and the suggestions they opened
    marked as not sparing it, in one transaction."""
    if actor.organization_id is None:
        raise PermissionDenied(_("Only people of an organization report problems here."))
    with transaction.atomic():
        ticket = ticket_services.ticket_create(
            actor=actor, kind=Kind.INCIDENT, title=title, description=description,
            organization=actor.organization, department=department, requester=actor,
            channel=Channel.PORTAL)
        for uploaded in files or ():
            attachment_add(actor=actor, ticket=ticket, uploaded_file=uploaded,
                           channel=Channel.PORTAL)
        _reported(actor, timezone.now())
    return ticket


def reply_add(*, actor: User, ticket: Ticket, body: str, files: list[File] | None = None
              ) -> Comment:
    """A public reply of the requester with its files, in one transaction (a refused
    file leaves no reply behind)."""
    with transaction.atomic():
        comment = ticket_services.comment_add(actor=actor, ticket=ticket, body=body,
                                              visibility=Visibility.PUBLIC,
                                              channel=Channel.PORTAL)
        for uploaded in files or ():
            attachment_add(actor=actor, ticket=ticket, uploaded_file=uploaded,
                           comment=comment, channel=Channel.PORTAL)
    return comment
