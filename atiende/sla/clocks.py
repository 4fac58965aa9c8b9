"""Ticket clocks as a pure replay of the ticket's history: no database.

`clocks_for` walks the ticket's status history from its creation to `now` and counts
working time of the policy's calendar while each clock runs. The rules:

- Both clocks start when the ticket is created.
- First response stops at the first public reply of an agent, or when the ticket is
  resolved, closed or cancelled before one; it never pauses and never restarts.
- Resolution pauses while the ticket is pending for a reason the policy pauses on
  (default: awaiting the requester), stops when the ticket is resolved, closed or
  cancelled, and runs again from where it stopped when the ticket is reopened.
- The target is the one of the ticket's priority *now*, counted from the start: a
  priority change gives the answer the new priority would have given from the start,
  over the same history (the same pauses). Likewise a calendar change recounts the
  open ticket's working time on the new calendar.
- A clock that reaches its target before it stops is breached at the instant it did
  (whenever that is noticed); one that stops first is met. Warnings cross at the
  policy's percentages of the target the same way.

Each clock keeps its history as steps (`Step`): codes and instants, turned into plain
words in the reader's language and time zone when shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from atiende.sla.calendar import Calendar, add_business_time, business_time_between

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
STOPPING_STATUSES = frozenset({"resolved", "closed", "cancelled"})

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"


@dataclass(frozen=True)
class StatusChange:
    """The ticket entered `status` at `at` (with its pending reason, if pending)."""

    at: dt.datetime
    status: str
    reason: str = ""


@dataclass
class ClockResult:
    """One clock as the replay leaves it at `now`."""

    metric: str
    target_minutes: int
    started_at: dt.datetime
    state: str  # running, paused, met, breached
    elapsed_seconds: int = 0
    due_at: dt.datetime | None = None
    paused_since: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None
    crossed_levels: list[int] = field(default_factory=list)  # warning %s (and 100) passed
    next_warning_at: dt.datetime | None = None
    next_warning_level: int | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def is_counting(self) -> bool:
        """Still measured: not stopped (a breached clock of an open ticket counts on)."""
        return self.stopped_at is None


def _modes(metric: str, created_at: dt.datetime, changes: Sequence[StatusChange],
           first_response_at: dt.datetime | None, pause_reasons: frozenset[str]
           ) -> list[tuple[dt.datetime, str, str]]:
    """(from, mode, why) for each stretch of the clock's life, in order."""
    modes: list[tuple[dt.datetime, str, str]] = [(created_at, RUNNING, "started")]
    if metric == FIRST_RESPONSE:
        stops = [change.at for change in changes if change.status in STOPPING_STATUSES]
        if first_response_at is not None:
            stops.append(first_response_at)
        if stops:
            stop = max(min(stops), created_at)
            why = ("responded" if first_response_at is not None and stop == max(
                first_response_at, created_at) else "stopped_without_response")
            modes.append((stop, STOPPED, why))
        return modes
    for change in changes:
        at = max(change.at, created_at)
        if change.status in STOPPING_STATUSES:
            mode, why = STOPPED, change.status
        elif change.status == "pending" and change.reason in pause_reasons:
            mode, why = PAUSED, "paused"
        else:
            mode, why = RUNNING, "resumed"
        if mode != modes[-1][1]:
            if modes[-1][1] == STOPPED and mode == RUNNING:
                why = "reopened"
            modes.append((at, mode, why))
    return modes


def _step(at: dt.datetime, code: str, **detail) -> dict:
    return {"at": at.astimezone(dt.UTC).isoformat(), "step": code, **detail}


def clocks_for(*, created_at: dt.datetime, changes: Iterable[StatusChange],
               first_response_at: dt.datetime | None, targets: dict[str, int],
               calendar: Calendar, now: dt.datetime,
               pause_reasons: Iterable[str] = ("awaiting_requester",),
               warning_percentages: Iterable[int] = (75, 90)) -> list[ClockResult]:
    """The clocks of one ticket at `now`, one per metric in `targets` (working minutes,
    positive). `changes` are the ticket's status changes in order, the creation's
    included or not. Events after `now` are ignored."""
    changes = sorted((change for change in changes if change.at <= now), key=lambda c: c.at)
    pauses = frozenset(pause_reasons)
    levels = sorted({int(level) for level in warning_percentages if 0 < int(level) < 100})
    results = []
    for metric, minutes in targets.items():
        results.append(_replay(metric, minutes, created_at, changes, first_response_at,
                               pauses, levels, calendar, now))
    return results


def _replay(metric: str, minutes: int, created_at: dt.datetime,
            changes: Sequence[StatusChange], first_response_at: dt.datetime | None,
            pauses: frozenset[str], levels: list[int], calendar: Calendar,
            now: dt.datetime) -> ClockResult:
    target = minutes * 60
    thresholds = [(level, target * level / 100) for level in levels] + [(100, target)]
    modes = _modes(metric, created_at, changes,
                   first_response_at if first_response_at and first_response_at <= now
                   else None, pauses)
    result = ClockResult(metric=metric, target_minutes=minutes, started_at=created_at,
                         state=RUNNING)
    elapsed = 0.0
    for index, (start, mode, why) in enumerate(modes):
        result.history.append(_step(start, why, elapsed=int(elapsed)))
        if mode != RUNNING:
            continue
        end = modes[index + 1][0] if index + 1 < len(modes) else now
        counted = business_time_between(calendar, start, end).total_seconds()
        for level, seconds in thresholds:
            if level not in result.crossed_levels and elapsed + counted >= seconds:
                at = add_business_time(calendar, start, dt.timedelta(seconds=seconds - elapsed))
                if at <= end and (at < end or index + 1 == len(modes)):
                    result.crossed_levels.append(level)
                    if level == 100:
                        result.breached_at = at
                        result.history.append(_step(at, "breached"))
        elapsed += counted
    result.elapsed_seconds = int(elapsed)
    last_start, last_mode, _why = modes[-1]
    if last_mode == STOPPED:
        result.stopped_at = last_start
        result.state = "breached" if result.breached_at else "met"
        result.history.append(_step(last_start, result.state, elapsed=int(elapsed)))
        return result
    if result.breached_at is not None:
        result.state = "breached"
        result.due_at = result.breached_at
    elif last_mode == PAUSED:
        result.state = "paused"
        result.paused_since = last_start
    else:
        before = elapsed - business_time_between(calendar, last_start, now).total_seconds()
        result.due_at = add_business_time(calendar, last_start,
                                          dt.timedelta(seconds=target - before))
        for level, seconds in thresholds[:-1]:
            if level not in result.crossed_levels:
                result.next_warning_level = level
                result.next_warning_at = add_business_time(
                    calendar, last_start, dt.timedelta(seconds=max(seconds - before, 0)))
                break
    return result
