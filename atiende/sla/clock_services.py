"""Rebuilding the persisted SLA clocks of tickets from their event logs, and the sweep
that marks clocks breached (or warned) when their time comes.

No actor: these run in the background (the outbox consumer, tasks, the periodic sweep,
`atiende demo`), for tickets already chosen. A rebuild replays each ticket's status
history with `atiende.sla.clocks.clocks_for`, replaces its SlaClock rows, and writes
the ticket's `sla_due_at` and `sla_state`. A warning or breach not announced before
appends one ticket Event (`sla_warning`, `sla_breached`) for clocks still counting;
safe to run twice (the clock remembers what it announced in `warned_levels`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from django.db import connection, transaction
from django.utils import timezone

from atiende.core.models import PersonGroup, User
from atiende.core.scoping import prime_scopes
from atiende.sla import internal_clocks
from atiende.sla.calendar import CalendarError
from atiende.sla.clocks import (
    FIRST_RESPONSE,
    NEXT_RESPONSE,
    RESOLUTION,
    ClockResult,
    Message,
    StatusChange,
    clocks_for,
)
from atiende.sla.loader import calendar_for
from atiende.sla.matching import PolicyConditions, TicketFacts, match_policy
from atiende.sla.models import ClockState, SlaClock, SlaPolicy
from atiende.tickets.models import OPEN_STATUSES, Event, EventKind, Ticket
from atiende.tickets.policies import works_on

BATCH = 1000
# The states a ticket shows, most urgent first.
STATE_ORDER = ("breached", "running", "paused", "met")


def _facts(ticket: Ticket, groups: Mapping[int, frozenset[int]]) -> TicketFacts:
    return TicketFacts(organization_id=ticket.organization_id,
                       department_id=ticket.department_id, kind=ticket.kind,
                       service_id=ticket.service_id, category_id=ticket.category_id,
                       ticket_channel=ticket.channel, priority=ticket.priority,
                       requester_group_ids=groups.get(ticket.requester_id, frozenset()))


def requester_groups(tickets: Iterable[Ticket], candidates: Mapping[int, list]
                     ) -> dict[int, frozenset[int]]:
    """The groups of people (ids) each requester of these tickets belongs to, among the
    groups the candidate policies name (one query, none when no policy names one)."""
    named = {conditions.requester_group_id for found in candidates.values()
             for conditions, _policy in found if conditions.requester_group_id}
    if not named:
        return {}
    found: dict[int, set[int]] = defaultdict(set)
    rows = PersonGroup.members.through.objects.filter(
        persongroup_id__in=named, user_id__in={ticket.requester_id for ticket in tickets})
    for user_id, group_id in rows.values_list("user_id", "persongroup_id"):
        found[user_id].add(group_id)
    return {user_id: frozenset(ids) for user_id, ids in found.items()}


def _policies(organization_ids: Iterable[int]) -> dict[int, list[tuple[PolicyConditions,
                                                                         SlaPolicy]]]:
    found: dict[int, list] = defaultdict(list)
    rows = (SlaPolicy.objects.filter(organization_id__in=set(organization_ids),
                                     is_active=True)
            .select_related("calendar", "requester_group").prefetch_related("targets")
            .order_by("pk"))
    for policy in rows:
        found[policy.organization_id].append((PolicyConditions.of(policy), policy))
    return found


def policy_for(ticket: Ticket, candidates: list[tuple[PolicyConditions, SlaPolicy]],
               groups: Mapping[int, frozenset[int]] | None = None
               ) -> tuple[SlaPolicy | None, list[str]]:
    """The policy that applies to the ticket (among its organization's) and why;
    `groups` as `requester_groups` gives (read here when not given)."""
    if groups is None:
        groups = requester_groups([ticket], {0: candidates})
    by_id = {conditions.id: policy for conditions, policy in candidates}
    chosen, reasons = match_policy(_facts(ticket, groups),
                                   [conditions for conditions, _ in candidates])
    return (by_id[chosen.id] if chosen else None), reasons


def _changes(ticket_ids: list[int]) -> dict[int, list[StatusChange]]:
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    rows = (Event.objects.filter(ticket_id__in=ticket_ids,
                                 kind__in=[EventKind.CREATED, EventKind.STATUS])
            .order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "kind", "new_value", "reason", "created_at"))
    for ticket_id, kind, new, reason, at in rows:
        status = new.get("status") if kind == EventKind.CREATED and isinstance(new, dict) \
            else new
        if isinstance(status, str):
            changes[ticket_id].append(StatusChange(at=at, status=status,
                                                   reason=reason or ""))
    return changes


def _measures_next_response(candidates: dict[int, list]) -> bool:
    return any(target.next_response_minutes for found in candidates.values()
               for _conditions, policy in found for target in policy.targets.all())


def _messages(tickets: list[Ticket], desk: dict[int, User]) -> dict[int, list[Message]]:
    """Public messages of these tickets (by ticket id), each from the desk or from the
    requester side: from the desk when its author works on the ticket (as for the first
    response) and is not its requester. `desk` caches authors across batches."""
    by_id = {ticket.pk: ticket for ticket in tickets}
    rows = list(Event.objects.filter(ticket_id__in=list(by_id), kind=EventKind.COMMENTED,
                                     actor__isnull=False, new_value__visibility="public")
                .order_by("ticket_id", "created_at", "id")
                .values_list("ticket_id", "actor_id", "created_at"))
    missing = {actor_id for _ticket, actor_id, _at in rows} - set(desk)
    authors = User.objects.in_bulk(missing)
    prime_scopes(authors.values())  # one query for every new author's scope
    desk.update(authors)
    messages: dict[int, list[Message]] = defaultdict(list)
    for ticket_id, actor_id, at in rows:
        ticket, author = by_id[ticket_id], desk.get(actor_id)
        from_desk = (author is not None and actor_id != ticket.requester_id
                     and works_on(author, ticket))
        messages[ticket_id].append(Message(at=at, from_desk=from_desk))
    return messages


def compute(ticket: Ticket, policy: SlaPolicy, changes: list[StatusChange],
            now: dt.datetime, messages: list[Message] = ()) -> list[ClockResult]:
    """The ticket's clocks under `policy` at `now` ([] when the policy has no target
    for the ticket's priority)."""
    target = next((t for t in policy.targets.all() if t.priority == ticket.priority), None)
    if target is None:
        return []
    targets = {FIRST_RESPONSE: target.first_response_minutes,
               RESOLUTION: target.resolution_minutes}
    if target.next_response_minutes:
        targets[NEXT_RESPONSE] = target.next_response_minutes
    return clocks_for(
        created_at=ticket.created_at, changes=changes,
        first_response_at=ticket.first_response_at, targets=targets,
        calendar=calendar_for(policy.calendar), now=now,
        pause_reasons=policy.pause_reasons, warning_percentages=policy.warning_percentages,
        messages=messages,
    )


def _summary(results: list[ClockResult]) -> tuple[dt.datetime | None, str]:
    """The ticket's `sla_due_at` and `sla_state`: of the clocks still counting, the
    earliest due time and the most urgent state (a breached first response that was
    answered does not colour a resolution still on time); without any counting, how
    the stopped ones ended (breached if one was)."""
    counting = [r for r in results if r.is_counting]
    due = [r.due_at for r in counting if r.due_at is not None]
    states = {r.state for r in (counting or results)}
    state = next((s for s in STATE_ORDER if s in states), "")
    return (min(due) if due else None), state


def _announce(ticket: Ticket, result: ClockResult, announced: list[int], now: dt.datetime
              ) -> list[int]:
    """Append the event of the highest level crossed and not announced yet (for a clock
    still counting); return the levels now announced."""
    fresh = [level for level in result.crossed_levels if level not in announced]
    kept = [level for level in announced if level in result.crossed_levels]
    if not fresh:
        return kept
    if result.is_counting:
        level = max(fresh)
        at = result.breached_at if level == 100 else now
        Event.objects.create(
            ticket=ticket, actor=None, channel="system",
            kind=EventKind.SLA_BREACHED if level == 100 else EventKind.SLA_WARNING,
            field=result.metric, new_value={
                "metric": result.metric, "percent": level,
                "due_at": result.due_at.isoformat() if result.due_at else None,
                "at": at.isoformat() if at else None},
            ticket_version=ticket.version, created_at=now)
    return sorted({*kept, *fresh})


def rebuild_clocks(ticket_ids: Iterable[int], *, now: dt.datetime | None = None,
                   announce: bool = True) -> int:
    """Rebuild the clocks of these tickets at `now`; return how many tickets were read.
    Without `announce`, crossed levels are recorded as announced without events (for
    loading history, e.g. the demo)."""
    now = now or timezone.now()
    ids = sorted(set(ticket_ids))
    done, authors = 0, {}
    for start in range(0, len(ids), BATCH):
        done += _rebuild_batch(ids[start:start + BATCH], now, announce, authors)
    return done


def _rebuild_batch(ids: list[int], now: dt.datetime, announce: bool,
                   authors: dict[int, User]) -> int:
    with transaction.atomic():
        # Locked in id order: two rebuilds of one ticket (the consumer and the sweep)
        # take turns instead of both replacing its clock rows.
        tickets = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk").only(
            "id", "organization_id", "department_id", "kind", "service_id", "category_id",
            "channel", "priority", "status", "created_at", "first_response_at", "version",
            "sla_due_at", "sla_state", "requester_id", "team_id"))
        candidates = _policies(ticket.organization_id for ticket in tickets)
        changes = _changes([ticket.pk for ticket in tickets])
        messages = (_messages(tickets, authors) if _measures_next_response(candidates)
                    else {})
        groups = requester_groups(tickets, candidates)
        old = defaultdict(dict)
        for clock in SlaClock.objects.filter(ticket_id__in=ids).order_by().only(
                "ticket_id", "metric", "warned_levels", "started_at"):
            old[clock.ticket_id][clock.metric] = (clock.warned_levels or [], clock.started_at)
        rows, touched, chosen = [], [], {}
        for ticket in tickets:
            policy, _reasons = policy_for(ticket, candidates.get(ticket.organization_id, []),
                                          groups)
            chosen[ticket.pk] = policy
            results = []
            if policy is not None:
                try:
                    results = compute(ticket, policy, changes.get(ticket.pk, []), now,
                                      messages.get(ticket.pk, []))
                except CalendarError:
                    results = []
            for result in results:
                announced, started_at = old[ticket.pk].get(result.metric, ([], None))
                if started_at is not None and started_at != result.started_at:
                    announced = []  # a new next-response wait: its warnings are its own
                warned = (_announce(ticket, result, announced, now) if announce
                          else list(result.crossed_levels))
                rows.append(_row(ticket, policy, result, warned, now))
            due, state = _summary(results)
            if (due, state) != (ticket.sla_due_at, ticket.sla_state):
                ticket.sla_due_at, ticket.sla_state = due, state
                touched.append(ticket)
        SlaClock.objects.filter(ticket_id__in=ids).delete()
        SlaClock.objects.bulk_create(rows)
        _write_summaries(touched)
        internal_clocks.rebuild_internal(
            tickets, changes=changes, chosen=chosen, now=now,
            messages=lambda: messages or _messages(tickets, authors))
    return len(tickets)


SUMMARY_ROWS = 300  # 900 parameters a statement: within any SQLite's limit


def _write_summaries(tickets: list[Ticket]) -> None:
    """Write the tickets' `sla_due_at` and `sla_state` with one UPDATE ... FROM (VALUES)
    per few hundred rows, where `bulk_update` builds a CASE per row and field.
    PostgreSQL, and SQLite from 3.33, take this form."""
    ops, quote = connection.ops, connection.ops.quote_name
    table = quote(Ticket._meta.db_table)
    due = ("CAST(%s AS timestamp with time zone)" if connection.vendor == "postgresql"
           else "%s")
    with connection.cursor() as cursor:
        for start in range(0, len(tickets), SUMMARY_ROWS):
            chunk = tickets[start:start + SUMMARY_ROWS]
            rows = ", ".join([f"(%s, {due}, %s)"] * len(chunk))
            parameters = [value for ticket in chunk for value in (
                ticket.pk, ops.adapt_datetimefield_value(ticket.sla_due_at), ticket.sla_state)]
            # Only placeholders and the quoted table name go into the text.
            statement = (f"WITH summary (ticket_id, due_at, state) AS (VALUES {rows}) "  # noqa: S608
                         f"UPDATE {table} SET sla_due_at = summary.due_at, "
                         f"sla_state = summary.state FROM summary "
                         f"WHERE {table}.id = summary.ticket_id")
            cursor.execute(statement, parameters)


def _row(ticket: Ticket, policy: SlaPolicy, result: ClockResult, warned: list[int],
         now: dt.datetime) -> SlaClock:
    return SlaClock(
        ticket_id=ticket.pk, metric=result.metric, policy=policy,
        target_minutes=result.target_minutes, calendar_id_used=policy.calendar_id,
        started_at=result.started_at, due_at=result.due_at,
        paused_since=result.paused_since, elapsed_seconds=result.elapsed_seconds,
        state=result.state, stopped_at=result.stopped_at, breached_at=result.breached_at,
        next_warning_at=result.next_warning_at, next_warning_level=result.next_warning_level,
        warned_levels=warned, computed_at=now, cycles_met=result.cycles_met,
        cycles_breached=result.cycles_breached,
        # What the compliance report groups by, as the ticket has it now.
        organization_id=ticket.organization_id, department_id=ticket.department_id,
        team_id=ticket.team_id, service_id=ticket.service_id, priority=ticket.priority,
        ticket_created_at=ticket.created_at,
    )


def explain(ticket: Ticket, *, now: dt.datetime | None = None) -> dict[str, list[dict]]:
    """The history of each of the ticket's clocks (by metric), replayed now from its
    event log: first the policy that applies and why, then each step. {} when no
    policy applies."""
    now = now or timezone.now()
    policy, reasons = policy_for(ticket, _policies([ticket.organization_id]).get(
        ticket.organization_id, []))
    if policy is None:
        return {}
    messages = (_messages([ticket], {}).get(ticket.pk, [])
                if _measures_next_response({0: [(None, policy)]}) else [])
    try:
        results = compute(ticket, policy, _changes([ticket.pk]).get(ticket.pk, []), now,
                          messages)
    except CalendarError:
        return {}
    return {result.metric: [
        {"at": now.astimezone(dt.UTC).isoformat(), "step": "policy", "policy": policy.name,
         "reasons": reasons, "calendar": policy.calendar.name, "priority": ticket.priority,
         "group": policy.requester_group.name if policy.requester_group_id else "",
         "target": result.target_minutes}, *result.history] for result in results}


def open_ticket_ids(*, organization_id: int | None = None,
                    calendar_id: int | None = None) -> Iterable[int]:
    """Ids of open tickets of an organization (or of those whose clocks count on a
    calendar), in id order."""
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if organization_id is not None:
        tickets = tickets.filter(organization_id=organization_id)
    if calendar_id is not None:
        tickets = tickets.filter(organization__sla_policies__calendar_id=calendar_id).distinct()
    return tickets.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH)


def rebuild_open_tickets(*, organization_id: int | None = None,
                         calendar_id: int | None = None,
                         progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the clocks of open tickets (after a policy or calendar change) in batches;
    tickets already resolved keep the answer they had."""
    done, batch = 0, []
    for ticket_id in open_ticket_ids(organization_id=organization_id, calendar_id=calendar_id):
        batch.append(ticket_id)
        if len(batch) == BATCH:
            done += rebuild_clocks(batch)
            batch = []
            if progress is not None:
                progress(done)
    if batch:
        done += rebuild_clocks(batch)
    return done


def sweep_internal(*, now: dt.datetime | None = None) -> int:
    """Rebuild the tickets whose OLA or contract clock is running past its due time, so
    it reads breached at its true instant; return how many tickets were rebuilt."""
    from atiende.sla.models import ContractClock, TeamClock

    now = now or timezone.now()
    due = {*TeamClock.objects.filter(state=ClockState.RUNNING, due_at__lte=now)
           .values_list("ticket_id", flat=True),
           *ContractClock.objects.filter(state=ClockState.RUNNING, due_at__lte=now)
           .values_list("ticket_id", flat=True)}
    return rebuild_clocks(due, now=now)


def sweep(*, now: dt.datetime | None = None) -> int:
    """Rebuild the tickets whose clock has a breach or a warning due by `now`: each is
    marked at its true instant (however late the sweep runs) and announced once; then
    announce the other escalation levels crossed by `now` (150 %, ...), each once with
    its true instant (`atiende.sla.escalation.announce_levels`). Return how many
    tickets were rebuilt."""
    now = now or timezone.now()
    from django.db.models import Q

    from atiende.sla.escalation import announce_levels

    due = (SlaClock.objects.filter(state=ClockState.RUNNING)
           .filter(Q(due_at__lte=now) | Q(next_warning_at__lte=now))
           .values_list("ticket_id", flat=True).distinct())
    rebuilt = rebuild_clocks(list(due), now=now)
    announce_levels(now=now)
    return rebuilt
