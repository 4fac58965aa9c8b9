"""Saved views: a queue's filters, sort and columns kept under a name, for their owner
and, when shared, for the members of one of the owner's teams.

A view stores a query, not tickets, and is applied through the same queue reads as a
typed-in filter: sharing a view never shows anyone a ticket outside their own scope.
Only the owner changes or deletes a view.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.api.schemas import MAX_ID
from atiende.core.models import Team, User
from atiende.errors import NotFound, PermissionDenied, ValidationFailed
from atiende.tickets.columns import COLUMNS
from atiende.tickets.models import SavedView
from atiende.tickets.workspace import is_staff
from atiende.validation import text

# The queue's parameters a view keeps (`atiende.tickets.forms.QueueForm`); a value the
# viewer was not offered is ignored when the view is opened, as in a bookmarked URL.
SINGLE_KEYS = ("queue", "sort", "status", "priority", "kind", "organization", "department",
               "team", "assignee", "category", "service", "channel", "tag", "created_from",
               "created_to", "requester")
MAX_VALUE = 100
MAX_VIEWS = 100


def clean_query(query: Any) -> dict[str, Any]:
    """The parameters of `query` a view keeps: known keys, text values, known columns."""
    if not isinstance(query, dict):
        raise ValidationFailed({"query": _("Send the view's filters as an object.")},
                               code="invalid_query")
    cleaned: dict[str, Any] = {}
    for key, value in query.items():
        if key == "col":
            values = value if isinstance(value, list) else [value]
            columns = [str(item) for item in values if str(item) in COLUMNS]
            if columns:
                cleaned["col"] = list(dict.fromkeys(columns))
        elif key in SINGLE_KEYS:
            if isinstance(value, list):
                value = value[-1] if value else ""
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise ValidationFailed({"query": _("“%(key)s” takes one value as text.")
                                        % {"key": key}}, code="invalid_query")
            value = text(value, "query", max_length=MAX_VALUE, required=False)
            if value:
                cleaned[key] = value
        else:
            raise ValidationFailed({"query": _("“%(key)s” is not a filter of the queues.")
                                    % {"key": key}}, code="invalid_query")
    return cleaned


# --- reads ------------------------------------------------------------------------------


def _my_teams(actor: User) -> QuerySet[Team]:
    return Team.objects.filter(members=actor, is_active=True)


def saved_view_list(*, actor: User) -> QuerySet[SavedView]:
    """The actor's views, then those shared with a team the actor belongs to."""
    return (SavedView.objects
            .filter(Q(owner=actor) | Q(team__in=_my_teams(actor)))
            .select_related("owner", "team")
            .order_by("name", "pk"))


def saved_view_get(*, actor: User, view_id: int) -> SavedView:
    if not 0 < view_id <= MAX_ID:
        raise NotFound()
    view = saved_view_list(actor=actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound()
    return view


def shareable_teams(*, actor: User) -> QuerySet[Team]:
    """The teams the actor may share a view with: the active teams they belong to."""
    return _my_teams(actor).select_related("department").order_by("name", "pk")


# --- changes ----------------------------------------------------------------------------


def _team(actor: User, team: Team | int | None) -> Team | None:
    if team in (None, ""):
        return None
    team_id = team.pk if isinstance(team, Team) else team
    found = shareable_teams(actor=actor).filter(pk=team_id).first()
    if found is None:
        raise ValidationFailed({"team": _("Share the view with a team you belong to.")},
                               code="invalid_team")
    return found


def _save(view: SavedView) -> SavedView:
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise ValidationFailed({"name": _("You already have a view called “%(name)s”.")
                                % {"name": view.name}}, code="duplicate_name") from None
    return view


def saved_view_create(*, actor: User, name: str, query: Any,
                      team: Team | int | None = None) -> SavedView:
    if not is_staff(actor):
        raise PermissionDenied(_("Only agents have queues to save."))
    if SavedView.objects.filter(owner=actor).count() >= MAX_VIEWS:
        raise ValidationFailed({"name": _("You have %(count)d saved views, the most one "
                                          "person may keep. Delete one first.")
                                % {"count": MAX_VIEWS}}, code="too_many_views")
    return _save(SavedView(owner=actor, name=text(name, "name", max_length=80),
                           query=clean_query(query), team=_team(actor, team)))


def _owned(actor: User, view: SavedView) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the person who saved this view can change it."))


def saved_view_update(*, actor: User, view: SavedView, **changes: Any) -> SavedView:
    """Rename, re-share (team None stops sharing) or replace the query of a view."""
    _owned(actor, view)
    if "name" in changes:
        view.name = text(changes["name"], "name", max_length=80)
    if "query" in changes:
        view.query = clean_query(changes["query"])
    if "team" in changes:
        view.team = _team(actor, changes["team"])
    view.updated_at = timezone.now()
    return _save(view)


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    _owned(actor, view)
    view.delete()
