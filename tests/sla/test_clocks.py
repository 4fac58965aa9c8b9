"""The clock replay as a pure function: pauses, reopening, priority changes, calendar
changes and warnings, on a 24x7 calendar (plain arithmetic) and on office hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from atiende.sla.calendar import Calendar
from atiende.sla.clocks import FIRST_RESPONSE, RESOLUTION, StatusChange, clocks_for

BOGOTA = ZoneInfo("America/Bogota")
ALWAYS = Calendar(time_zone="America/Bogota", week=((),) * 7, always=True)
OFFICE = Calendar(time_zone="America/Bogota", country="CO",
                  week=tuple(((8 * 3600, 12 * 3600), (14 * 3600, 18 * 3600)) if day < 5
                             else () for day in range(7)))
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BOGOTA)


def at(hours: float) -> dt.datetime:
    return MONDAY + dt.timedelta(hours=hours)


def clock(metric: str, **kwargs):
    arguments = {"created_at": MONDAY, "changes": [StatusChange(MONDAY, "new")],
                 "first_response_at": None, "calendar": ALWAYS,
                 "targets": {FIRST_RESPONSE: 60, RESOLUTION: 480}, **kwargs}
    return next(c for c in clocks_for(**arguments) if c.metric == metric)


def test_a_running_clock_is_due_after_its_target():
    # when
    result = clock(RESOLUTION, now=at(2))
    # then
    assert (result.state, result.due_at, result.elapsed_seconds) == ("running", at(8), 7200)
    assert (result.next_warning_level, result.next_warning_at) == (75, at(6))


def test_awaiting_the_requester_pauses_resolution_and_the_due_time_moves():
    # given: pending on the requester from hour 1 to hour 4
    changes = [StatusChange(MONDAY, "new"), StatusChange(at(1), "pending", "awaiting_requester"),
               StatusChange(at(4), "in_progress")]
    # when
    paused = clock(RESOLUTION, changes=changes, now=at(2))
    resumed = clock(RESOLUTION, changes=changes, now=at(5))
    # then
    assert (paused.state, paused.paused_since, paused.due_at) == ("paused", at(1), None)
    assert (resumed.state, resumed.due_at, resumed.elapsed_seconds) == ("running", at(11),
                                                                        2 * 3600)
    assert [step["step"] for step in resumed.history] == ["started", "paused", "resumed"]


def test_a_third_party_pending_does_not_pause_by_default():
    changes = [StatusChange(MONDAY, "new"), StatusChange(at(1), "pending", "third_party")]
    assert clock(RESOLUTION, changes=changes, now=at(2)).state == "running"
    assert clock(RESOLUTION, changes=changes, now=at(2),
                 pause_reasons=["third_party"]).state == "paused"


def test_resolving_stops_the_clock_met_and_reopening_runs_it_on():
    # given: resolved at hour 3, reopened at hour 10
    changes = [StatusChange(MONDAY, "new"), StatusChange(at(3), "resolved"),
               StatusChange(at(10), "in_progress")]
    # when
    met = clock(RESOLUTION, changes=changes, now=at(5))
    reopened = clock(RESOLUTION, changes=changes, now=at(11))
    # then
    assert (met.state, met.stopped_at, met.elapsed_seconds) == ("met", at(3), 3 * 3600)
    assert (reopened.state, reopened.due_at) == ("running", at(15))
    assert reopened.history[-1]["step"] == "reopened"


def test_a_clock_past_its_target_is_breached_at_the_true_due_time():
    # when: nobody looked until hour 30
    result = clock(RESOLUTION, now=at(30))
    # then
    assert (result.state, result.breached_at, result.due_at) == ("breached", at(8), at(8))
    assert result.crossed_levels == [75, 90, 100]


def test_resolved_after_the_target_stays_breached():
    changes = [StatusChange(MONDAY, "new"), StatusChange(at(9), "resolved")]
    result = clock(RESOLUTION, changes=changes, now=at(12))
    assert (result.state, result.breached_at, result.stopped_at) == ("breached", at(8), at(9))


def test_first_response_stops_at_the_first_public_reply():
    met = clock(FIRST_RESPONSE, first_response_at=at(0.5), now=at(3))
    late = clock(FIRST_RESPONSE, first_response_at=at(2), now=at(3))
    assert (met.state, met.stopped_at) == ("met", at(0.5))
    assert (late.state, late.breached_at) == ("breached", at(1))


def test_a_priority_change_counts_the_new_target_from_the_start():
    # given: the same history, targets of P3 (8 h) then P1 (4 h)
    before = clock(RESOLUTION, now=at(2))
    after = clock(RESOLUTION, now=at(2), targets={RESOLUTION: 240})
    # then
    assert before.due_at == at(8)
    assert after.due_at == at(4)


def test_office_hours_count_only_working_time():
    # given: created Friday 17:00; 2 working hours of resolution
    friday = dt.datetime(2026, 3, 6, 17, 0, tzinfo=BOGOTA)
    result = clocks_for(created_at=friday, changes=[], first_response_at=None,
                        targets={RESOLUTION: 120}, calendar=OFFICE,
                        now=friday + dt.timedelta(hours=1))[0]
    # then: one hour on Friday, one on Monday morning
    assert result.due_at == dt.datetime(2026, 3, 9, 9, 0, tzinfo=BOGOTA)
    assert result.elapsed_seconds == 3600


def test_a_calendar_change_recounts_on_the_new_calendar():
    friday = dt.datetime(2026, 3, 6, 17, 0, tzinfo=BOGOTA)
    arguments = {"created_at": friday, "changes": [], "first_response_at": None,
                 "targets": {RESOLUTION: 120}, "now": friday + dt.timedelta(hours=1)}
    assert clocks_for(calendar=ALWAYS, **arguments)[0].due_at == friday + dt.timedelta(hours=2)
    assert clocks_for(calendar=OFFICE, **arguments)[0].due_at.day == 9
