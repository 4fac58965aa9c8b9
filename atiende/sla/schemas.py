"""API shapes of business calendars and of the questions asked of them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, Strict

from atiende.api.schemas import Id, Input

StrictInt = Annotated[int, Strict()]
Clock = Annotated[str, Field(max_length=5, description='"HH:MM", from "00:00" to "24:00".')]


class IntervalOut(Schema):
    weekday: int = Field(description="0 is Monday, 6 is Sunday.")
    start: str = Field(alias="start_label")
    end: str = Field(alias="end_label")


class DayOut(Schema):
    id: int
    date: dt.date
    kind: str = Field(description="closed: no working time that day (an extra holiday, a "
                                  "closure); worked: a public holiday worked as a normal day.")
    label: str


class CalendarOut(Schema):
    id: int
    organization_id: int
    department_id: int | None
    name: str
    time_zone: str
    is_24x7: bool
    country: str = Field(description="Whose public holidays are days off (ISO 3166 "
                                     "alpha-2; empty for none).")
    subdivision: str
    is_default: bool
    intervals: list[IntervalOut]
    days: list[DayOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_intervals(calendar) -> list:
        return list(calendar.intervals.all())

    @staticmethod
    def resolve_days(calendar) -> list:
        return list(calendar.days.all())


class IntervalIn(Input):
    weekday: StrictInt = Field(description="0 is Monday, 6 is Sunday.")
    start: Clock
    end: Clock


class DayIn(Input):
    date: dt.date
    kind: Literal["closed", "worked"]
    label: str = Field("", max_length=120)


class CalendarCreate(Input):
    organization_id: Id
    department_id: Id | None = None
    name: str = Field(max_length=120)
    time_zone: str = Field(None, max_length=64,
                           description="An IANA zone; the organization's when left out.")
    country: str = Field(None, max_length=2,
                         description="The organization's when left out; empty for none.")
    subdivision: str = Field("", max_length=10)
    is_24x7: bool = False
    is_default: bool = Field(None, description="Left out: the default when the organization "
                                               "has none and the calendar no department.")
    intervals: list[IntervalIn] = Field(default_factory=list, max_length=200)
    days: list[DayIn] = Field(default_factory=list, max_length=2000)


class CalendarUpdate(Input):
    """Fields left out stay as they are; `intervals` and `days` replace the whole list."""

    department_id: Id | None = None
    name: str = Field(None, max_length=120)
    time_zone: str = Field(None, max_length=64)
    country: str = Field(None, max_length=2)
    subdivision: str = Field(None, max_length=10)
    is_24x7: bool = None
    is_default: bool = None
    intervals: list[IntervalIn] = Field(None, max_length=200)
    days: list[DayIn] = Field(None, max_length=2000)


class AddIn(Input):
    start: AwareDatetime
    minutes: StrictInt = Field(description="Working minutes to add; more than 0.")


class AddOut(Schema):
    due: dt.datetime = Field(description="In the calendar's time zone.")


class BetweenIn(Input):
    start: AwareDatetime
    end: AwareDatetime


class BetweenOut(Schema):
    minutes: float
    seconds: float


# --- SLA policies ---------------------------------------------------------------------------

Priority = Annotated[int, Strict(), Field(ge=1, le=5)]
Minutes = Annotated[int, Strict()]


class TargetOut(Schema):
    priority: int
    first_response_minutes: int
    resolution_minutes: int
    next_response_minutes: int | None


class SlaClockOut(Schema):
    """One SLA clock of a ticket as last rebuilt (`sla_clocks` of a ticket's detail)."""

    metric: str = Field(description="first_response, resolution or next_response.")
    target_minutes: int = Field(description="The target in working minutes.")
    started_at: dt.datetime
    due_at: dt.datetime | None = Field(description="None while paused or once stopped met.")
    elapsed_business_minutes: float = Field(
        description="Working time used so far (up to its stop when stopped).")
    state: str = Field(description="running, paused, met or breached.")
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None
    paused: bool
    cycles_met: int = Field(description="Next response: waits answered in time so far.")
    cycles_breached: int = Field(description="Next response: waits breached so far.")


class SlaPolicyOut(Schema):
    id: int
    organization_id: int
    name: str
    calendar_id: int
    department_id: int | None
    kind: str
    service_id: int | None
    category_id: int | None
    ticket_channel: str
    requester_group_id: int | None
    priorities: list[int]
    pause_reasons: list[str]
    warning_percentages: list[int]
    is_active: bool
    targets: list[TargetOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_targets(policy) -> list:
        return list(policy.targets.all())


class TargetIn(Input):
    priority: Minutes = Field(description="1 (critical) to 5 (planning).")
    first_response_minutes: Minutes = Field(description="Working minutes; more than 0.")
    resolution_minutes: Minutes = Field(description="Working minutes; more than 0.")
    next_response_minutes: Minutes | None = None


class SlaPolicyCreate(Input):
    organization_id: Id
    name: str = Field(max_length=120)
    calendar_id: Id
    department_id: Id | None = None
    kind: str = Field("", max_length=20)
    service_id: Id | None = None
    category_id: Id | None = None
    ticket_channel: str = Field("", max_length=12)
    requester_group_id: Id | None = Field(None, description="A group of people (e.g. VIP) "
                                          "the requester must belong to.")
    priorities: list[Minutes] = Field(default_factory=list, max_length=5)
    pause_reasons: list[str] = Field(None, max_length=10,
                                     description='Default ["awaiting_requester"].')
    warning_percentages: list[Minutes] = Field(None, max_length=10,
                                               description="Default [75, 90].")
    is_active: bool = True
    targets: list[TargetIn] = Field(default_factory=list, max_length=5)


class SlaPolicyUpdate(Input):
    """Fields left out stay as they are; `targets` replaces all targets."""

    name: str = Field(None, max_length=120)
    calendar_id: Id = None
    department_id: Id | None = None
    kind: str = Field(None, max_length=20)
    service_id: Id | None = None
    category_id: Id | None = None
    ticket_channel: str = Field(None, max_length=12)
    requester_group_id: Id | None = None
    priorities: list[Minutes] = Field(None, max_length=5)
    pause_reasons: list[str] = Field(None, max_length=10)
    warning_percentages: list[Minutes] = Field(None, max_length=10)
    is_active: bool = None
    targets: list[TargetIn] = Field(None, max_length=5)
