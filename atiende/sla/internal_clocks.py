"""Rebuilding the internal clocks of tickets (OLAs per team, underpinning contracts per
supplier) from their event logs, inside the SLA rebuild of a batch
(`clock_services.rebuild_clocks`). The rules are in `atiende.sla.clocks`.

No announcements and no effect on the ticket's `sla_due_at` / `sla_state`: these
clocks are the desk's own business, shown to staff only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping

from atiende.sla.calendar import CalendarError
from atiende.sla.clocks import (
    ClockResult,
    Message,
    StatusChange,
    TeamChange,
    contract_clock,
    team_clocks,
)
from atiende.sla.loader import calendar_for
from atiende.sla.models import (
    DEFAULT_PAUSE_REASONS,
    ContractClock,
    OlaTarget,
    SlaPolicy,
    TeamClock,
    UnderpinningContract,
)
from atiende.tickets.models import Event, EventKind, Ticket


def _team_id(value) -> int | None:
    return value.get("id") if isinstance(value, dict) else None


def team_changes(tickets: list[Ticket]) -> dict[int, list[TeamChange]]:
    """Each ticket's teams over time, the team at creation first (one query)."""
    found: dict[int, list[TeamChange]] = defaultdict(list)
    rows = (Event.objects.filter(ticket_id__in=[t.pk for t in tickets])
            .filter(kind__in=[EventKind.ASSIGNED, EventKind.ESCALATED])
            .order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "kind", "field", "old_value", "new_value", "created_at"))
    for ticket_id, kind, field, old, new, at in rows:
        if kind == EventKind.ESCALATED and field != "team":
            continue
        if not isinstance(new, dict) or not isinstance(old, dict):
            continue
        if not found[ticket_id]:
            found[ticket_id].append(TeamChange(at=dt.datetime.min.replace(tzinfo=dt.UTC),
                                               team_id=_team_id(old.get("team"))))
        found[ticket_id].append(TeamChange(at=at, team_id=_team_id(new.get("team"))))
    for ticket in tickets:
        if not found[ticket.pk]:
            found[ticket.pk].append(TeamChange(at=ticket.created_at, team_id=ticket.team_id))
        else:
            first = found[ticket.pk][0]
            found[ticket.pk][0] = TeamChange(at=ticket.created_at, team_id=first.team_id)
    return found


def rebuild_internal(tickets: list[Ticket], *, changes: Mapping[int, list[StatusChange]],
                     chosen: Mapping[int, SlaPolicy | None],
                     messages: Callable[[], Mapping[int, list[Message]]],
                     now: dt.datetime) -> None:
    """Replace the OLA and contract clocks of these tickets (locked by the caller).
    `messages` reads the batch's public messages when an OLA measures response."""
    organizations = {ticket.organization_id for ticket in tickets}
    olas = {(ola.organization_id, ola.team_id, ola.priority): ola for ola in
            OlaTarget.objects.filter(organization_id__in=organizations)
            .select_related("calendar")}
    contracts: dict[int, list[UnderpinningContract]] = defaultdict(list)
    for contract in (UnderpinningContract.objects.filter(organization_id__in=organizations)
                     .select_related("calendar").order_by("pk")):
        contracts[contract.organization_id].append(contract)
    ids = [ticket.pk for ticket in tickets]
    TeamClock.objects.filter(ticket_id__in=ids).delete()
    ContractClock.objects.filter(ticket_id__in=ids).delete()
    if not olas and not contracts:
        return
    teams = team_changes(tickets) if olas else {}
    said = messages() if any(ola.response_minutes for ola in olas.values()) else {}
    team_rows, contract_rows = [], []
    for ticket in tickets:
        history = changes.get(ticket.pk, [])
        policy = chosen.get(ticket.pk)
        pauses = policy.pause_reasons if policy is not None else DEFAULT_PAUSE_REASONS
        for team_id in dict.fromkeys(change.team_id for change in teams.get(ticket.pk, [])):
            ola = olas.get((ticket.organization_id, team_id, ticket.priority))
            if ola is None:
                continue
            targets = {"resolution": ola.resolution_minutes}
            if ola.response_minutes:
                targets["response"] = ola.response_minutes
            try:
                results = team_clocks(team_id=team_id, changes=history,
                                      teams=teams[ticket.pk], messages=said.get(ticket.pk, []),
                                      targets=targets, calendar=calendar_for(ola.calendar),
                                      now=now, pause_reasons=pauses)
            except CalendarError:
                continue
            team_rows.extend(TeamClock(ticket_id=ticket.pk, team_id=team_id, ola=ola,
                                       metric=result.metric,
                                       **_fields(result, ola.calendar_id, now))
                             for result in results)
        for contract in contracts.get(ticket.organization_id, []):
            try:
                result = contract_clock(pending_reason=contract.pending_reason,
                                        changes=history, minutes=contract.target_minutes,
                                        calendar=calendar_for(contract.calendar), now=now)
            except CalendarError:
                continue
            if result is not None:
                contract_rows.append(ContractClock(ticket_id=ticket.pk, contract=contract,
                                                   **_fields(result, contract.calendar_id,
                                                             now)))
    TeamClock.objects.bulk_create(team_rows)
    ContractClock.objects.bulk_create(contract_rows)


def _fields(result: ClockResult, calendar_id: int, now: dt.datetime) -> dict:
    return {"target_minutes": result.target_minutes, "calendar_id_used": calendar_id,
            "started_at": result.started_at, "due_at": result.due_at,
            "paused_since": result.paused_since, "elapsed_seconds": result.elapsed_seconds,
            "state": result.state, "stopped_at": result.stopped_at,
            "breached_at": result.breached_at, "computed_at": now}
