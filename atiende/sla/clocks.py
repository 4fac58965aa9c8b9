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
- Next response measures each later wait of the requester side for the desk. After the
  first response, a public message from the requester side (the requester, a watcher,
  an e-mail reply: anyone who does not work on the ticket) starts a wait, unless one is
  already open or the ticket is resolved, closed or cancelled at that instant; further
  messages of the requester side do not restart it. The wait stops at the next public
  reply from the desk, or when the ticket is resolved, closed or cancelled. While it
  runs it pauses exactly as resolution does. Each wait is a cycle measured against the
  next-response target on its own; the persisted clock is the latest cycle, and counts
  how many cycles were met (finished in time) and breached (finished late, or still
  open past the target). No wait, no next-response clock.
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
NEXT_RESPONSE = "next_response"
STOPPING_STATUSES = frozenset({"resolved", "closed", "cancelled"})

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"


@dataclass(frozen=True)
class StatusChange:
    """The ticket entered `status` at `at` (with its pending reason, if pending)."""

    at: dt.datetime
    status: str
    reason: str = ""


@dataclass(frozen=True)
class Message:
    """A public message on the ticket at `at`: from the desk (someone who works on the
    ticket) or from the requester side."""

    at: dt.datetime
    from_desk: bool


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
    # Next response only: cycles finished in time, and cycles breached (finished late or
    # still open past the target), the latest one included.
    cycles_met: int = 0
    cycles_breached: int = 0

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


def _paused(change: StatusChange, pause_reasons: frozenset[str]) -> bool:
    return change.status == "pending" and change.reason in pause_reasons


def _waits(changes: Sequence[StatusChange], first_response_at: dt.datetime | None,
           messages: Sequence[Message]) -> list[tuple[dt.datetime, dt.datetime | None, str]]:
    """(start, stop or None, why it stopped) of each wait of the requester side for the
    desk after the first response (the rule in the module's docstring)."""
    if first_response_at is None:
        return []
    # At one instant a status change goes first: a reply that reopens a ticket waits.
    timeline = sorted([(change.at, 0, change) for change in changes]
                      + [(message.at, 1, message) for message in messages],
                      key=lambda item: (item[0], item[1]))
    waits: list[tuple[dt.datetime, dt.datetime | None, str]] = []
    status, opened = "", None
    for at, _order, item in timeline:
        if isinstance(item, StatusChange):
            status = item.status
            if opened is not None and status in STOPPING_STATUSES:
                waits.append((opened, at, status))
                opened = None
        elif at <= first_response_at:
            continue
        elif item.from_desk:
            if opened is not None:
                waits.append((opened, at, "answered"))
                opened = None
        elif opened is None and status not in STOPPING_STATUSES:
            opened = at
    if opened is not None:
        waits.append((opened, None, ""))
    return waits


def _wait_modes(start: dt.datetime, stop: dt.datetime | None, why_stopped: str,
                changes: Sequence[StatusChange], pause_reasons: frozenset[str]
                ) -> list[tuple[dt.datetime, str, str]]:
    """(from, mode, why) of one wait: running from its start, paused while the ticket is
    pending for a reason that pauses, stopped at its stop."""
    modes: list[tuple[dt.datetime, str, str]] = [(start, RUNNING, "waiting")]
    before = [change for change in changes if change.at <= start]
    if before and _paused(before[-1], pause_reasons):
        modes.append((start, PAUSED, "paused"))
    for change in changes:
        if change.at <= start or (stop is not None and change.at >= stop):
            continue
        if change.status in STOPPING_STATUSES:
            continue
        mode = PAUSED if _paused(change, pause_reasons) else RUNNING
        if mode != modes[-1][1]:
            modes.append((change.at, mode, "paused" if mode == PAUSED else "resumed"))
    if stop is not None:
        modes.append((stop, STOPPED, why_stopped))
    return modes


def clocks_for(*, created_at: dt.datetime, changes: Iterable[StatusChange],
               first_response_at: dt.datetime | None, targets: dict[str, int],
               calendar: Calendar, now: dt.datetime,
               pause_reasons: Iterable[str] = ("awaiting_requester",),
               warning_percentages: Iterable[int] = (75, 90),
               messages: Iterable[Message] = ()) -> list[ClockResult]:
    """The clocks of one ticket at `now`, one per metric in `targets` (working minutes,
    positive). `changes` are the ticket's status changes in order, the creation's
    included or not; `messages` its public messages (for next response, which has a
    clock only once a wait started). Events after `now` are ignored."""
    changes = sorted((change for change in changes if change.at <= now), key=lambda c: c.at)
    messages = sorted((message for message in messages if message.at <= now),
                      key=lambda m: m.at)
    pauses = frozenset(pause_reasons)
    levels = sorted({int(level) for level in warning_percentages if 0 < int(level) < 100})
    answered = first_response_at if first_response_at and first_response_at <= now else None
    results = []
    for metric, minutes in targets.items():
        if metric == NEXT_RESPONSE:
            result = _next_response(minutes, changes, answered, messages, pauses, levels,
                                    calendar, now)
            if result is not None:
                results.append(result)
            continue
        modes = _modes(metric, created_at, changes, answered, pauses)
        results.append(measure(metric, minutes, modes, levels, calendar, now))
    return results


def _next_response(minutes: int, changes: Sequence[StatusChange],
                   first_response_at: dt.datetime | None, messages: Sequence[Message],
                   pauses: frozenset[str], levels: list[int], calendar: Calendar,
                   now: dt.datetime) -> ClockResult | None:
    """The latest wait's clock, with the history and the tally of every wait."""
    cycles = [measure(NEXT_RESPONSE, minutes, _wait_modes(start, stop, why, changes, pauses),
                      levels, calendar, now)
              for start, stop, why in _waits(changes, first_response_at, messages)]
    if not cycles:
        return None
    latest = cycles[-1]
    latest.history = [step for cycle in cycles for step in cycle.history]
    latest.cycles_met = sum(1 for cycle in cycles if cycle.state == "met")
    latest.cycles_breached = sum(1 for cycle in cycles if cycle.state == "breached")
    return latest


def measure(metric: str, minutes: int, modes: Sequence[tuple[dt.datetime, str, str]],
            levels: list[int], calendar: Calendar, now: dt.datetime) -> ClockResult:
    """Count working time of `calendar` over the running stretches of `modes` ((from,
    mode, why), the first one running) up to `now` against a target of `minutes`."""
    target = minutes * 60
    thresholds = [(level, target * level / 100) for level in levels] + [(100, target)]
    result = ClockResult(metric=metric, target_minutes=minutes, started_at=modes[0][0],
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


# --- internal clocks: OLAs per team, underpinning contracts per third party ---------------
#
# Neither is a promise to the requester: they are shown to staff only and never colour
# the ticket's `sla_state`.
#
# - An OLA clock measures one team (`team_clocks`): it starts when the ticket is first
#   assigned to the team while open. Resolution counts working time while the ticket
#   is with the team and open, paused as the SLA's resolution pauses; it stops when the
#   team hands the ticket to another team (or to none) and when the ticket is
#   resolved, closed or cancelled, and runs on from where it stopped if the ticket
#   comes back to the team or is reopened with it. Response stops at the first public
#   reply from the desk after the team got the ticket, or at the first stop; it never
#   runs again. Met or breached as any clock.
# - An underpinning contract clock (`contract_clock`) measures the time the ticket is
#   pending with one third party (the contract's pending reason): it starts the first
#   time the ticket is pending for that reason, counts only while it is, waits (state
#   paused) while the ticket is back with the desk, and stops when the ticket is
#   resolved, closed or cancelled.

HANDED_OVER = "handed_over"


@dataclass(frozen=True)
class TeamChange:
    """The ticket went to `team_id` (None: no team) at `at`."""

    at: dt.datetime
    team_id: int | None


def _desired(points: Sequence[tuple[dt.datetime, str, str]], *, paused_starts: bool
             ) -> list[tuple[dt.datetime, str, str]]:
    """Modes from the mode wanted at each instant: repeats dropped, nothing before the
    first instant that starts the clock (running, or also paused when `paused_starts`),
    and a running start (as `measure` wants)."""
    modes: list[tuple[dt.datetime, str, str]] = []
    for at, mode, why in points:
        if not modes:
            if mode == STOPPED or (mode == PAUSED and not paused_starts):
                continue
            modes.append((at, RUNNING, why))
            if mode == PAUSED:
                modes.append((at, PAUSED, "paused"))
            continue
        if mode == modes[-1][1]:
            continue
        if mode == RUNNING:
            why = "reopened" if modes[-1][2] in STOPPING_STATUSES else why
        modes.append((at, mode, why))
    return modes


def _timeline(changes: Sequence[StatusChange], teams: Sequence[TeamChange]):
    """(at, status, reason, team) after each change, in order (status changes first at
    one instant)."""
    merged = sorted([(c.at, 0, c) for c in changes] + [(t.at, 1, t) for t in teams],
                    key=lambda item: (item[0], item[1]))
    status, reason, team = "", "", None
    for at, _order, item in merged:
        if isinstance(item, StatusChange):
            status, reason = item.status, item.reason
        else:
            team = item.team_id
        yield at, status, reason, team


def team_clocks(*, team_id: int, changes: Iterable[StatusChange],
                teams: Iterable[TeamChange], messages: Iterable[Message],
                targets: dict[str, int], calendar: Calendar, now: dt.datetime,
                pause_reasons: Iterable[str] = ("awaiting_requester",)
                ) -> list[ClockResult]:
    """The OLA clocks of one team on one ticket at `now` (metrics "response" and
    "resolution" of `targets`, in working minutes); [] when the team never had it.
    `teams` holds every team change, the team at creation first."""
    changes = [c for c in sorted(changes, key=lambda c: c.at) if c.at <= now]
    teams = [t for t in sorted(teams, key=lambda t: t.at) if t.at <= now]
    pauses = frozenset(pause_reasons)
    points = []
    for at, status, reason, team in _timeline(changes, teams):
        if team != team_id:
            points.append((at, STOPPED, HANDED_OVER))
        elif status in STOPPING_STATUSES:
            points.append((at, STOPPED, status))
        elif status == "pending" and reason in pauses:
            points.append((at, PAUSED, "paused"))
        else:
            arrived = not points or points[-1][2] == HANDED_OVER
            points.append((at, RUNNING, "assigned" if arrived else "resumed"))
    modes = _desired(points, paused_starts=True)
    if not modes:
        return []
    results = []
    if "resolution" in targets:
        results.append(measure("resolution", targets["resolution"], modes, [], calendar, now))
    if "response" in targets:
        start = modes[0][0]
        ends = [(m.at, "answered") for m in sorted(messages, key=lambda m: m.at)
                if m.from_desk and start < m.at <= now][:1]
        ends += [(at, why) for at, mode, why in modes if mode == STOPPED][:1]
        response = [(start, RUNNING, "assigned")]
        if ends:
            response.append((*min(ends)[:1], STOPPED, min(ends)[1]))
        results.append(measure("response", targets["response"], response, [], calendar, now))
    return results


def contract_clock(*, pending_reason: str, changes: Iterable[StatusChange], minutes: int,
                   calendar: Calendar, now: dt.datetime) -> ClockResult | None:
    """The clock of one underpinning contract on one ticket at `now`: working time
    pending for `pending_reason` against `minutes`; None when never pending so."""
    points = []
    for change in sorted(changes, key=lambda c: c.at):
        if change.at > now:
            break
        if change.status in STOPPING_STATUSES:
            points.append((change.at, STOPPED, change.status))
        elif change.status == "pending" and change.reason == pending_reason:
            points.append((change.at, RUNNING, "with_third_party"))
        else:
            points.append((change.at, PAUSED, "back_with_desk"))
    modes = _desired(points, paused_starts=False)
    if not modes:
        return None
    return measure("contract", minutes, modes, [], calendar, now)
