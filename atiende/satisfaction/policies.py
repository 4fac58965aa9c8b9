"""Who may read satisfaction results, written once. Scoping itself comes from
`atiende.core.scoping`:

- provider admins see every organization's results, organization admins their
  organization's (every department serving it);
- department managers and team leads see the results of the (organization, department)
  pairs where they hold that role;
- agents, requesters and everyone else see none (a 404 on every results path).

A survey itself is answered only by its requester (`is_requester`).
"""

from __future__ import annotations

import dataclasses

from django.db.models import Q

from atiende.core.models import Role, User
from atiende.core.scoping import own_memberships, scope_of

RESULT_ROLES = frozenset({Role.TEAM_LEAD, Role.DEPARTMENT_MANAGER})


def _results_scope(actor: User):
    """The actor's scope narrowed to where they lead or manage (for department work)."""
    scope = scope_of(actor)
    leading = frozenset((membership.organization_id, membership.department_id)
                        for membership in own_memberships(actor)
                        if membership.role in RESULT_ROLES and membership.department_id)
    return dataclasses.replace(scope, department_pairs=leading)


def can_read_results(actor: User) -> bool:
    scope = _results_scope(actor)
    return scope.user_id is not None and bool(
        scope.everything or scope.administered_organizations or scope.department_pairs)


def visible_results(actor: User) -> Q:
    """Surveys whose answers the actor may read (the queryset form of the rules above)."""
    scope = _results_scope(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    return scope.work_filter()


def is_requester(actor: User | None, survey) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active
                and survey.requester_id == actor.pk)
