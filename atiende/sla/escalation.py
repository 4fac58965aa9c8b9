"""When escalation levels come: the instant a ticket clock crosses a level, the sweep's
announcement of the levels that are neither a warning nor the breach, and the outbox
consumer that runs a level's actions (`atiende.sla.escalation_services.escalate`).

A level at a policy's warning percentage or at 100 % is announced by the clock rebuild
itself (`sla_warning`, `sla_breached`); any other level (150 %, 200 %, or a level below
100 % that is not a warning) by `announce_levels`, called by the sweep: one `sla_level`
event per clock and level, stating its true crossing instant however late the sweep
runs. The consumer then runs every level of the clock up to the announced one that has
not run yet, so a level skipped while the worker was down still runs, once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from atiende.sla.calendar import CalendarError
from atiende.sla.clocks import FIRST_RESPONSE, RESOLUTION, clocks_for
from atiende.sla.loader import calendar_for
from atiende.sla.models import ClockState, EscalationLevel, EscalationRun, SlaClock
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Ticket

# The clocks escalation levels can watch: those that start with the ticket. (A next
# response clock is one wait of many; its levels are not offered yet.)
ESCALATION_METRICS = (FIRST_RESPONSE, RESOLUTION)
ANNOUNCING_KINDS = frozenset({EventKind.SLA_WARNING, EventKind.SLA_BREACHED,
                              EventKind.SLA_LEVEL})
COUNTING_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


def crossing_instants(ticket: Ticket, clock: SlaClock, percents: Iterable[int],
                      now: dt.datetime) -> dict[int, dt.datetime]:
    """The instant the clock used each percent of its target, for those crossed by
    `now`. Replayed from the ticket's event log with the same rules as the clock itself
    (`atiende.sla.clocks`): a level is the breach of a target that many times as long."""
    from atiende.sla.clock_services import _changes

    percents = sorted(set(percents))
    if not percents or clock.metric not in ESCALATION_METRICS:
        return {}
    policy = clock.policy
    try:
        calendar = calendar_for(policy.calendar)
    except CalendarError:
        return {}
    changes = _changes([ticket.pk]).get(ticket.pk, [])
    found = {}
    for percent in percents:
        results = clocks_for(
            created_at=ticket.created_at, changes=changes,
            first_response_at=ticket.first_response_at,
            targets={clock.metric: clock.target_minutes * percent / 100}, calendar=calendar,
            now=now, pause_reasons=policy.pause_reasons, warning_percentages=())
        if results and results[0].breached_at is not None:
            found[percent] = results[0].breached_at
    return found


def _own_levels() -> dict[tuple[int, str], list[int]]:
    """(policy id, metric) -> the percents that only this module announces."""
    levels: dict[tuple[int, str], list[int]] = defaultdict(list)
    rows = (EscalationLevel.objects.filter(policy__is_active=True,
                                           metric__in=ESCALATION_METRICS)
            .values_list("policy_id", "metric", "percent", "policy__warning_percentages"))
    for policy_id, metric, percent, warnings in rows:
        if percent != 100 and percent not in (warnings or []):
            levels[(policy_id, metric)].append(percent)
    return levels


def announce_levels(*, now: dt.datetime | None = None) -> int:
    """Append one `sla_level` event for each level (neither a warning nor the breach) a
    counting clock has crossed by `now` and that was not announced yet; return how many.

    A level cannot be crossed before its share of the target has passed on the wall
    clock (working time never runs faster), so only clocks past that are replayed."""
    now = now or timezone.now()
    levels = _own_levels()
    if not levels:
        return 0
    due: dict[int, list[tuple[SlaClock, list[int]]]] = defaultdict(list)
    clocks = (SlaClock.objects.filter(policy_id__in={key[0] for key in levels},
                                      metric__in=ESCALATION_METRICS,
                                      state__in=COUNTING_STATES, stopped_at__isnull=True)
              .only("id", "ticket_id", "metric", "policy_id", "started_at", "target_minutes")
              .order_by("ticket_id", "metric"))
    for clock in clocks:
        possible = [percent for percent in levels.get((clock.policy_id, clock.metric), [])
                    if clock.started_at + dt.timedelta(
                        minutes=clock.target_minutes * percent / 100) <= now]
        if possible:
            due[clock.ticket_id].append((clock, possible))
    if not due:
        return 0
    announced = set(EscalationRun.objects.filter(ticket_id__in=list(due)).values_list(
        "ticket_id", "metric", "clock_started_at", "percent"))
    count = 0
    for ticket_id, found in due.items():
        waiting = [(clock, [p for p in percents
                            if (ticket_id, clock.metric, clock.started_at, p) not in announced])
                   for clock, percents in found]
        if any(percents for _clock, percents in waiting):
            count += _announce_ticket(ticket_id, now)
    return count


def _announce_ticket(ticket_id: int, now: dt.datetime) -> int:
    """Announce the ticket's crossed levels, under its lock (the rebuild and the
    consumer take the same one), reading its clocks again inside it."""
    levels = _own_levels()
    count = 0
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None:
            return 0
        clocks = (SlaClock.objects.filter(ticket_id=ticket_id, metric__in=ESCALATION_METRICS,
                                          state__in=COUNTING_STATES, stopped_at__isnull=True)
                  .select_related("policy__calendar"))
        for clock in clocks:
            percents = levels.get((clock.policy_id, clock.metric), [])
            done = set(EscalationRun.objects.filter(
                ticket_id=ticket_id, metric=clock.metric, clock_started_at=clock.started_at,
            ).values_list("percent", flat=True))
            instants = crossing_instants(ticket, clock, [p for p in percents if p not in done],
                                         now)
            for percent, at in sorted(instants.items()):
                EscalationRun.objects.create(ticket=ticket, metric=clock.metric,
                                             clock_started_at=clock.started_at,
                                             percent=percent, crossed_at=at)
                Event.objects.create(
                    ticket=ticket, actor=None, channel="system", kind=EventKind.SLA_LEVEL,
                    field=clock.metric, new_value={
                        "metric": clock.metric, "percent": percent,
                        "due_at": clock.due_at.isoformat() if clock.due_at else None,
                        "at": at.isoformat()},
                    ticket_version=ticket.version, created_at=now)
                count += 1
    return count


@outbox.consumer("sla_escalation")
def escalate_on_event(event: Event) -> None:
    """Run the escalation levels a warning, a breach or a later level brought."""
    if event.kind not in ANNOUNCING_KINDS:
        return
    value = event.new_value if isinstance(event.new_value, dict) else {}
    metric, percent = value.get("metric"), value.get("percent")
    if metric not in ESCALATION_METRICS or not isinstance(percent, int):
        return
    from atiende.sla.escalation_services import escalate

    escalate(ticket_id=event.ticket_id, metric=metric, percent=percent)
