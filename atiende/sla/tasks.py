"""Background work of service levels: rebuilding clocks and the breach sweep. Each
task is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from atiende.sla import clock_services


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
def sweep_clocks() -> int:
    """Mark breaches and warnings that have come due (a periodic job, every minute)."""
    return clock_services.sweep()
