"""Background work of service levels: rebuilding clocks and the breach sweep. Each
task is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from atiende.sla import clock_services
from atiende.tickets.models import OPEN_STATUSES, Ticket


@task()
def rebuild_organization_clocks(*, organization_id: int) -> int:
    """Rebuild the clocks of an organization's open tickets (a policy changed)."""
    return clock_services.rebuild_open_tickets(organization_id=organization_id)


@task()
def rebuild_calendar_clocks(*, calendar_id: int) -> int:
    """Rebuild the clocks of open tickets of organizations whose policies count on this
    calendar (the calendar changed)."""
    return clock_services.rebuild_open_tickets(calendar_id=calendar_id)


@task()
def rebuild_requester_clocks(*, user_ids: list[int], organization_id: int) -> int:
    """Rebuild the clocks of open tickets these people asked for in the organization
    (they joined or left a group that a policy names)."""
    ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES, requester_id__in=user_ids,
                                     organization_id=organization_id)
               .order_by("pk").values_list("pk", flat=True))
    return clock_services.rebuild_clocks(ids) if ids else 0


@task()
def sweep_clocks() -> int:
    """Mark breaches and warnings that have come due (a periodic job, every minute), and
    the internal (OLA and contract) clocks that have come due."""
    return clock_services.sweep() + clock_services.sweep_internal()
