"""The SLA consumer of the ticket event log: rebuild a ticket's clocks when an event
changes what they depend on (status, priority and what sets it, the policy's
conditions, the first public reply)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from atiende.core.models import PersonGroup
from atiende.sla import clock_services
from atiende.sla.models import SlaPolicy
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind

REBUILDING_KINDS = frozenset({EventKind.CREATED, EventKind.STATUS,
                              EventKind.PRIORITY_OVERRIDDEN, EventKind.COMMENTED,
                              EventKind.ASSIGNED, EventKind.ESCALATED,
                              EventKind.MERGED_INTO})
REBUILDING_FIELDS = frozenset({"priority", "impact", "urgency", "category", "service",
                               "kind", "department", "channel"})


@outbox.consumer("sla")
def rebuild_on_event(event: Event) -> None:
    if event.kind in REBUILDING_KINDS or (
        event.kind == EventKind.CHANGED and event.field in REBUILDING_FIELDS
    ):
        clock_services.rebuild_clocks([event.ticket_id])


@receiver(m2m_changed, sender=PersonGroup.members.through)
def rebuild_on_group_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A policy may favour a group (VIP): who is in it decides which policy applies to
    their open tickets, so a change of members rebuilds those clocks after commit."""
    if action not in {"post_add", "post_remove", "pre_clear"} or reverse:
        return
    user_ids = sorted(pk_set) if pk_set else list(instance.members.values_list("pk", flat=True))
    if not user_ids or not SlaPolicy.objects.filter(requester_group=instance).exists():
        return
    from atiende.sla.tasks import rebuild_requester_clocks

    transaction.on_commit(lambda: rebuild_requester_clocks.enqueue(
        user_ids=user_ids, organization_id=instance.organization_id))
