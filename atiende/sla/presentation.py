"""Service levels in words for people: durations, time left, and each step of a
clock's history, in the active language (and the viewer's time zone)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from atiende.tickets.models import Priority


def duration_text(seconds: float, *, whole_days: bool = True) -> str:
    """"2 h 10 min", "45 min", "3 d 4 h" (days of 24 hours: wall-clock time). Working
    time passes `whole_days=False`, so that 32 working hours read "32 h", not "1 d 8 h"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60) if whole_days else (0, minutes)
    hours, minutes = divmod(rest, 60)
    if days:
        return (_("%(days)d d %(hours)d h") % {"days": days, "hours": hours} if hours
                else _("%(days)d d") % {"days": days})
    if hours:
        return (_("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
                if minutes else _("%(hours)d h") % {"hours": hours})
    return _("%(minutes)d min") % {"minutes": minutes}


def time_left_text(due_at: dt.datetime, now: dt.datetime) -> str:
    """"2 h 10 min left" or "overdue 35 min" (wall-clock time, as a person reads it)."""
    seconds = (due_at - now).total_seconds()
    if seconds >= 0:
        return _("%(duration)s left") % {"duration": duration_text(seconds)}
    return _("overdue %(duration)s") % {"duration": duration_text(seconds)}


# How close to its due time a running clock is "at risk" (amber) rather than fine.
AT_RISK = dt.timedelta(hours=4)


def tone(state: str, due_at: dt.datetime | None, now: dt.datetime) -> str:
    """The badge colour of a clock or a ticket's SLA: danger, accent, ok or muted."""
    if state == "breached" or (due_at is not None and due_at <= now):
        return "danger"
    if state == "running" and due_at is not None and due_at - now <= AT_RISK:
        return "accent"
    if state in ("running", "met"):
        return "ok"
    return "muted"


def when_text(value: str | None) -> str:
    """An ISO instant as the reader's date and time (in the active time zone)."""
    if not value:
        return "—"
    instant = dt.datetime.fromisoformat(value)
    return formats.date_format(timezone.localtime(instant), "DATETIME_FORMAT")


_when = when_text


def metric_label(metric: str) -> str:
    return {"first_response": _("First response"),
            "resolution": _("Resolution"),
            "next_response": _("Next response")}.get(metric, metric)


def step_text(step: dict) -> str:
    """One step of a clock's history in plain words."""
    code = step.get("step")
    at = _when(step["at"])
    used = duration_text(step.get("elapsed", 0), whole_days=False)
    if code == "policy":
        reasons = ", ".join(
            _condition_label(name) + (f" “{step['group']}”" if name == "requester_group_id"
                                      and step.get("group") else "")
            for name in step.get("reasons", []))
        return _("Policy “%(policy)s” applies (matched on: %(reasons)s); %(priority)s gives "
                 "a target of %(target)s of working time on the calendar “%(calendar)s”.") % {
            "policy": step.get("policy", ""), "reasons": reasons,
            "priority": Priority(step.get("priority", 3)).label,
            "target": duration_text(step.get("target", 0) * 60, whole_days=False),
            "calendar": step.get("calendar", "")}
    texts = {
        "started": _("%(at)s: the clock started when the ticket was created."),
        "waiting": _("%(at)s: the requester wrote again; the clock started, waiting for a "
                     "reply from the desk."),
        "answered": _("%(at)s: stopped by the desk's public reply (%(used)s used)."),
        "paused": _("%(at)s: paused while pending (%(used)s of working time used)."),
        "resumed": _("%(at)s: running again (%(used)s used so far)."),
        "reopened": _("%(at)s: the ticket was reopened; the clock runs on from %(used)s."),
        "responded": _("%(at)s: stopped by the first public reply (%(used)s used)."),
        "stopped_without_response": _("%(at)s: stopped: the ticket was finished before "
                                      "any reply."),
        "resolved": _("%(at)s: stopped: the ticket was resolved (%(used)s used)."),
        "closed": _("%(at)s: stopped: the ticket was closed (%(used)s used)."),
        "cancelled": _("%(at)s: stopped: the ticket was cancelled (%(used)s used)."),
        "breached": _("%(at)s: the target was reached: breached."),
        "met": _("%(at)s: met, with %(used)s of working time used."),
    }
    return texts.get(code, "%(at)s: " + str(code)) % {"at": at, "used": used}


def _condition_label(name: str) -> str:
    return {
        "organization": _("organization"), "department_id": _("department"),
        "kind": _("kind"), "service_id": _("service"), "category_id": _("category"),
        "ticket_channel": _("channel"), "priorities": _("priority"),
        "requester_group_id": _("requester group"),
    }.get(name, name)


def clock_rows(clocks: list, now: dt.datetime, histories: dict[str, list[dict]]
               ) -> list[dict]:
    """What the ticket page shows of each clock (`histories` by metric, from
    `clock_services.explain`)."""
    states = {"running": _("Running"), "paused": _("Paused"), "met": _("Met"),
              "breached": _("Breached")}
    rows = []
    for clock in clocks:
        counting = clock.stopped_at is None
        rows.append({
            "label": metric_label(clock.metric),
            "state": states.get(clock.state, clock.state),
            "tone": tone(clock.state, clock.due_at if counting else None, now),
            "due_at": clock.due_at,
            "left": time_left_text(clock.due_at, now) if counting and clock.due_at else "",
            "used": duration_text(_used(clock, now), whole_days=False),
            "target": duration_text(clock.target_minutes * 60, whole_days=False),
            "policy": clock.policy.name,
            "steps": [step_text(step) for step in histories.get(clock.metric, [])],
        })
    return rows


def internal_rows(team_clocks: list, contract_clocks: list, now: dt.datetime) -> list[dict]:
    """What the ticket page shows staff of the OLA clocks (per team) and the
    underpinning contract clocks (per supplier)."""
    states = {"running": _("Running"), "paused": _("Paused"), "met": _("Met"),
              "breached": _("Breached")}
    olas = {"response": _("OLA response"), "resolution": _("OLA resolution")}
    rows = []
    for clock in [*team_clocks, *contract_clocks]:
        counting = clock.stopped_at is None
        if hasattr(clock, "team"):
            label, owner = olas.get(clock.metric, clock.metric), clock.team.name
        else:
            label, owner = _("Underpinning contract"), clock.contract.supplier
        state = clock.state
        if clock.state == "paused" and not hasattr(clock, "team"):
            state_text = _("Back with the desk")
        else:
            state_text = states.get(state, state)
        rows.append({
            "label": label, "owner": owner, "state": state_text,
            "tone": tone(state, clock.due_at if counting else None, now),
            "due_at": clock.due_at if counting else None,
            "left": time_left_text(clock.due_at, now) if counting and clock.due_at else "",
            "used": duration_text(_used(clock, now), whole_days=False),
            "target": duration_text(clock.target_minutes * 60, whole_days=False),
        })
    return rows


def _used(clock, now: dt.datetime) -> float:
    """Working time used: as rebuilt, plus what a running clock counted since."""
    if clock.state != "running" or clock.stopped_at is not None:
        return clock.elapsed_seconds
    from atiende.errors import NotFound
    from atiende.sla.calendar import CalendarError, business_time_between
    from atiende.sla.loader import calendar_by_id

    try:
        since = business_time_between(calendar_by_id(clock.calendar_id_used),
                                      clock.computed_at, now).total_seconds()
    except (NotFound, CalendarError):  # a calendar gone since: show what was counted
        since = 0
    return clock.elapsed_seconds + max(since, 0)

