"""Who may see and change business calendars. Scoping itself comes from `atiende.core`.

A calendar is read by the people who work for its organization (its agents, team
leads and department managers, including the provider's), its organization admins and
provider admins; requesters do not see calendars. Only organization admins and
provider admins change them.
"""

from __future__ import annotations

from django.db.models import Q

from atiende.core.models import Organization, User
from atiende.core.scoping import scope_of
from atiende.sla.models import BusinessCalendar


def visible_calendars(actor: User) -> Q:
    scope = scope_of(actor)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    return Q(organization_id__in=sorted(scope.staff_organizations))


def can_read(actor: User, calendar: BusinessCalendar) -> bool:
    scope = scope_of(actor)
    return scope.everything or calendar.organization_id in scope.staff_organizations


def can_manage_calendars(actor: User, organization: Organization | int) -> bool:
    organization_id = organization if isinstance(organization, int) else organization.pk
    return scope_of(actor).administers(organization_id)
