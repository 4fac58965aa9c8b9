"""What the portal reads, as a requester of the actor's own organization would see it.

Everything starts from the owning app's scoped selectors (tickets, catalog, knowledge)
and narrows them further: the portal shows published public articles only, items
offered to the actor's organization, and the actor's own tickets. Whatever lies
outside answers NotFound on every portal path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from atiende.catalog import policies as catalog_policies
from atiende.catalog import selectors as catalog_selectors
from atiende.catalog.models import CatalogItem
from atiende.core import selectors as core_selectors
from atiende.core.models import Organization, User, serving
from atiende.core.scoping import scope_of
from atiende.errors import NotFound
from atiende.knowledge import policies as knowledge_policies
from atiende.knowledge import selectors as knowledge_selectors
from atiende.knowledge.models import Article, ArticleVisibility, VersionState
from atiende.knowledge.search import search_articles
from atiende.portal.models import DEFAULT_PRIMARY_COLOUR, Deflection, PortalBranding
from atiende.satisfaction.models import Survey
from atiende.tickets import policies as ticket_policies
from atiende.tickets import selectors as ticket_selectors
from atiende.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    DeskSettings,
    Kind,
    Status,
    Ticket,
    Visibility,
)

SUGGESTIONS = 3
HOME_TICKETS = 5
TICKETS_PAGE = 50


# --- branding ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """What the portal's header and colours show for one organization."""

    name: str
    primary_colour: str
    organization_slug: str = ""
    logo_digest: str = ""
    logo_width: int = 0
    logo_height: int = 0

    @property
    def logo_key(self) -> str:
        """The part of the logo's address that changes with its content."""
        return self.logo_digest[:16]

    @property
    def primary_dark(self) -> str:
        from atiende.portal.branding import darker

        return darker(self.primary_colour)


def look_of(organization: Organization | None) -> Look:
    """The branding of `organization` (one query, without the logo's bytes)."""
    if organization is None:
        return Look(name="Atiende", primary_colour=DEFAULT_PRIMARY_COLOUR)
    row = PortalBranding.objects.defer("logo").filter(organization=organization).first()
    if row is None:
        return Look(name=organization.name, primary_colour=DEFAULT_PRIMARY_COLOUR,
                    organization_slug=organization.slug)
    return Look(name=row.title or organization.name, primary_colour=row.primary_colour,
                organization_slug=organization.slug, logo_digest=row.logo_digest,
                logo_width=row.logo_width, logo_height=row.logo_height)


def branding_for_admin(*, actor: User, organization: Organization) -> PortalBranding:
    """The organization's branding row (unsaved defaults without one), for its admin
    page; the caller reached `organization` through `administered_organization`."""
    return (PortalBranding.objects.defer("logo").filter(organization=organization).first()
            or PortalBranding(organization=organization))


def logo_of(*, actor: User, slug: str) -> PortalBranding:
    """The logo of an organization the actor may see (NotFound otherwise, and without
    a logo)."""
    organization = core_selectors.organization_get_by_slug(actor=actor, slug=slug)
    row = PortalBranding.objects.filter(organization=organization).exclude(
        logo_digest="").first()
    if row is None or not row.logo:
        raise NotFound()
    return row


# --- who the portal is for ----------------------------------------------------------------


def portal_organization(actor: User) -> Organization | None:
    """The organization whose portal the actor sees: their home organization, when they
    ask for help there or administer it; None for anyone else (provider agents)."""
    scope = scope_of(actor)
    organization_id = actor.organization_id
    if organization_id is None or organization_id not in (
            scope.requester_organizations | scope.administered_organizations):
        return None
    return actor.organization


def sees_as_staff(actor: User) -> bool:
    """Agents and admins see the portal as a requester of their organization would:
    the page says so."""
    return scope_of(actor).is_staff_anywhere


# --- answers (knowledge) -------------------------------------------------------------------


def _portal_articles(actor: User) -> QuerySet[Article]:
    """Published public articles of the departments serving the actor's portal
    organization, within what the knowledge rules let the actor see."""
    organization = portal_organization(actor)
    if organization is None:
        return Article.objects.none()
    return Article.objects.filter(
        serving([organization.pk], via="department__"), knowledge_policies.visible_articles(actor),
        visibility=ArticleVisibility.PUBLIC, is_published=True, department__is_active=True)


def article_search(*, actor: User, query: str, limit: int = 10, any_word: bool = False
                   ) -> list:
    """Knowledge hits for `query`, each article with `display_title` in the reader's
    language."""
    hits = search_articles(actor=actor, query=query, limit=limit, any_word=any_word,
                           base=_portal_articles(actor))
    titles = knowledge_selectors.titles([hit.article.pk for hit in hits],
                                        language=_language())
    for hit in hits:
        hit.article.display_title = titles.get(hit.article.pk, "")
    return hits


def suggestions(*, actor: User, title: str) -> list:
    """Up to three answers for what the requester is typing as a problem's title."""
    return article_search(actor=actor, query=title, limit=SUGGESTIONS, any_word=True)


def popular_articles(*, actor: User, limit: int = 5) -> list[Article]:
    articles = list(_portal_articles(actor).order_by("-view_count", "-id")[:limit])
    titles = knowledge_selectors.titles([a.pk for a in articles], language=_language())
    for article in articles:
        article.display_title = titles.get(article.pk, "")
    return articles


def article_get(*, actor: User, article_id: int) -> Article:
    """A published public article of the actor's portal (NotFound otherwise, even for
    the staff who write it: the portal shows what requesters see)."""
    article = knowledge_selectors.article_get(actor=actor, article_id=article_id)
    if not _portal_articles(actor).filter(pk=article.pk).exists():
        raise NotFound()
    return article


def article_page(*, actor: User, article_id: int, language: str) -> dict:
    article = article_get(actor=actor, article_id=article_id)
    versions = [v for v in knowledge_selectors.readable_versions(actor=actor, article=article)
                if v.state == VersionState.PUBLISHED]
    current = knowledge_selectors.current_versions(versions, staff=False)
    if language not in current:
        language = next(iter(sorted(current)), "es")
    return {"article": article, "version": current.get(language), "language": language,
            "languages": sorted(current),
            "feedback": knowledge_selectors.own_feedback(actor=actor, article=article)}


def _deflected(now: dt.datetime | None) -> Q:
    """Openings that spared a ticket: the requester said so, or reported nothing within
    the window after opening the article."""
    from atiende.portal.services import DEFLECTION_WINDOW

    settled = (now or timezone.now()) - DEFLECTION_WINDOW
    return Q(resolved_at__isnull=False) | Q(reported_at__isnull=True, opened_at__lt=settled)


def deflection_counts(article_ids: list[int], *, now: dt.datetime | None = None
                      ) -> dict[int, int]:
    """Per article, the problems it solved without a ticket."""
    rows = (Deflection.objects.filter(_deflected(now), article_id__in=article_ids)
            .values("article_id").annotate(count=Count("pk")))
    return {row["article_id"]: row["count"] for row in rows}


def top_deflecting_articles(*, actor: User, organization: Organization, limit: int = 10
                            ) -> list[tuple[int, str, int]]:
    """For an organization's admin page (the caller reached `organization` through
    `administered_organization`): the articles that spared its people most tickets, as
    (article id, title, count), most first."""
    rows = list(Deflection.objects.filter(_deflected(None), organization=organization)
                .values("article_id").annotate(count=Count("pk"))
                .order_by("-count", "article_id")[:limit])
    titles = knowledge_selectors.titles([row["article_id"] for row in rows],
                                        language=_language())
    return [(row["article_id"], titles.get(row["article_id"], ""), row["count"])
            for row in rows]


# --- services (catalog) ---------------------------------------------------------------------


def catalog(*, actor: User, search: str = "") -> list:
    """The items offered to the actor's portal organization, grouped:
    [(department, [(category, [items])])]."""
    from itertools import groupby

    if portal_organization(actor) is None:
        return []
    if search:
        items = catalog_selectors.catalog_for(actor=actor, search=search)
    else:
        # The whole catalog: the catalog's own rule for what is offered (a subset of
        # what the actor may see), read with just what the page shows.
        items = list(CatalogItem.objects.filter(catalog_policies.offered_items(actor))
                     .select_related("department", "category")
                     .only("id", "name", "short_description", "delivery_amount",
                           "delivery_unit", "department__name", "category__name",
                           "category__position")
                     .order_by("department__name", "department_id", "category__position",
                               "category__name", "name", "pk"))
    return [
        (department, [(category, list(in_category)) for category, in_category in groupby(
            in_department, key=lambda item: item.category)])
        for department, in_department in groupby(items, key=lambda item: item.department)
    ]


def catalog_item(*, actor: User, item_id: int):
    """An item offered to the actor's portal organization (NotFound otherwise)."""
    item = catalog_selectors.item_get(actor=actor, item_id=item_id)
    if portal_organization(actor) is None or not catalog_policies.can_request(actor, item):
        raise NotFound()
    return item


# --- the requester's tickets ------------------------------------------------------------------


def own_tickets(*, actor: User, open_only: bool = False, limit: int = TICKETS_PAGE
                ) -> list[Ticket]:
    """The actor's own requests, newest first, with what a list shows."""
    tickets = ticket_selectors.ticket_list(actor=actor, filters={"requester_id": actor.pk})
    if open_only:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    return list(tickets.select_related(None).select_related("department").only(
        "id", "number", "title", "kind", "status", "created_at", "updated_at", "sla_due_at",
        "sla_state", "first_response_at", "resolved_at", "requester_id", "organization_id",
        "department__name")[:limit])


def _shared_with(actor: User) -> Q:
    """Colleagues' incidents and requests in desks that share them (see
    `tickets.policies.visible_tickets`), as a requester of the organization sees them."""
    return ticket_policies.shared_requests(actor) & ~Q(requester_id=actor.pk)


def shared_tickets(*, actor: User, limit: int = TICKETS_PAGE) -> list[Ticket]:
    """The organization's requests the actor follows without having asked, newest
    first (none unless a desk shares them)."""
    if not scope_of(actor).requester_organizations:
        return []
    tickets = ticket_selectors.ticket_list(actor=actor, filters={}).filter(_shared_with(actor))
    return list(tickets.select_related(None).select_related("department", "requester").only(
        "id", "number", "title", "kind", "status", "created_at", "updated_at", "sla_due_at",
        "sla_state", "first_response_at", "resolved_at", "requester_id", "organization_id",
        "department__name", "requester__display_name")[:limit])


def ticket_get(*, actor: User, number: str) -> Ticket:
    """One of the actor's own requests, or one a desk shares with them, with
    `allowed_transitions` (NotFound for any other ticket, whatever the actor's role)."""
    ticket = ticket_selectors.ticket_detail(actor=actor, number=number)
    own = ticket.requester_id == actor.pk
    if not own and not Ticket.objects.filter(_shared_with(actor), pk=ticket.pk).exists():
        raise NotFound()
    return ticket


@dataclass
class TicketPage:
    ticket: Ticket
    replies: list
    files: list[Attachment]
    reopen_until: dt.datetime | None
    can_reopen: bool
    can_cancel: bool
    own: bool = True  # False: a colleague's request, followed read only
    can_reply: bool = True
    survey_waiting: bool = False  # resolved, and its satisfaction survey not answered yet
    # A catalog request: the item, the answers as filled, its approval steps and tasks.
    item_name: str = ""
    answers: list[dict] = field(default_factory=list)
    stages: list = field(default_factory=list)
    tasks: list = field(default_factory=list)


def ticket_page(*, actor: User, number: str) -> TicketPage:
    """The requester's view of their ticket: public replies only (with their files),
    the files of the ticket, and what they may still do."""
    from atiende.tickets.attachments import attachment_list

    ticket = ticket_get(actor=actor, number=number)
    replies = list(ticket_selectors.ticket_comments(actor=actor, ticket=ticket)
                   .filter(visibility=Visibility.PUBLIC).order_by("created_at", "id"))
    public_ids = {reply.pk for reply in replies}
    files = [attachment for attachment in attachment_list(actor=actor, ticket=ticket)
             if not attachment.is_internal
             and (attachment.comment_id is None or attachment.comment_id in public_ids)]
    by_comment: dict[int, list] = {}
    for attachment in files:
        if attachment.comment_id:
            by_comment.setdefault(attachment.comment_id, []).append(attachment)
    for reply in replies:
        reply.files = by_comment.get(reply.pk, [])
    reopen_until = None
    if ticket.status == Status.RESOLVED and ticket.resolved_at:
        found = DeskSettings.objects.filter(department_id=ticket.department_id).first()
        days = found.reopen_window_days if found else DeskSettings().reopen_window_days
        reopen_until = ticket.resolved_at + dt.timedelta(days=days)
    allowed = ticket.allowed_transitions
    own = ticket.requester_id == actor.pk
    request = _catalog_request(ticket, links=own)
    return TicketPage(
        **request,
        ticket=ticket, replies=replies,
        files=[attachment for attachment in files if not attachment.comment_id],
        reopen_until=reopen_until,
        can_reopen=(own and Status.IN_PROGRESS in allowed and reopen_until is not None
                    and timezone.now() <= reopen_until),
        can_cancel=own and Status.CANCELLED in allowed,
        own=own,
        can_reply=own or ticket_policies.can_reply(actor, ticket),
        survey_waiting=own and Survey.objects.filter(
            ticket_id=ticket.pk, requester_id=actor.pk, answered_at__isnull=True).exists(),
    )


def _catalog_request(ticket: Ticket, *, links: bool) -> dict:
    """What the requester asked for in the catalog and how far it went: the answers (a
    file answer linked only for its owner), the approval steps with each approver's
    decision, and the fulfilment tasks by status, without the agents' task pages."""
    from atiende.catalog import approvals_selectors

    stored = (catalog_selectors.answers_of(ticket=ticket)
              if ticket.kind == Kind.SERVICE_REQUEST else None)
    if stored is None:
        return {}
    return {
        "item_name": stored.item.name,
        "answers": catalog_selectors.answer_rows(
            stored, ticket_number=ticket.number if links else ""),
        "stages": list(approvals_selectors.stages_of(request=ticket)),
        "tasks": approvals_selectors.plan_of(request=ticket),
    }


def sla_promise(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """The ticket's service level in plain words, in the reader's language and time
    zone: "We will answer you before Tuesday 3 at 10:00", "Resolved on time"."""
    now = now or timezone.now()
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        if ticket.sla_state == "breached":
            return _("Resolved, later than we promised")
        if ticket.sla_state == "met":
            return _("Resolved on time")
        return _("Resolved")
    if ticket.status == Status.CANCELLED:
        return ""
    if ticket.sla_state == "paused" or ticket.status == Status.PENDING:
        return _("The deadline waits while we wait for you")
    if ticket.sla_due_at is None:
        return ""
    when = _moment(ticket.sla_due_at, now)
    if ticket.sla_state == "breached" or ticket.sla_due_at <= now:
        return _("We are late (the promise was %(when)s); we are on it") % {"when": when}
    if ticket.first_response_at is None:
        return _("We will answer you before %(when)s") % {"when": when}
    return _("We expect to solve it before %(when)s") % {"when": when}


def _moment(instant: dt.datetime, now: dt.datetime) -> str:
    """"Tuesday 3 at 10:00" within the coming week, else "3 March 2027 at 10:00"."""
    local = timezone.localtime(instant)
    days_ahead = (local.date() - timezone.localtime(now).date()).days
    day = (formats.date_format(local, "l j") if -1 <= days_ahead < 7
           else formats.date_format(local, "DATE_FORMAT"))
    return _("%(day)s at %(time)s") % {"day": day,
                                       "time": formats.time_format(local, "H:i")}


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "es")[:2]
