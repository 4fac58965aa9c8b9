"""Calendar services: what they write, what they refuse (with which words), and that a
refused change leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from atiende.core.models import AuditEvent
from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from atiende.sla import loader, services
from atiende.sla.calendar import add_business_time
from atiende.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from tests.factories import DepartmentFactory
from tests.sla.conftest import OFFICE_WEEK

BOGOTA = dt.timezone(dt.timedelta(hours=-5))


def calendar_rows() -> dict:
    return {
        "calendars": list(BusinessCalendar.objects.order_by("pk").values_list()),
        "intervals": list(WorkingInterval.objects.order_by("pk").values_list()),
        "days": list(CalendarDay.objects.order_by("pk").values_list()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def test_an_admin_creates_the_organizations_first_calendar_which_becomes_its_default(
    admin, org_cafe
):
    # when
    calendar = services.calendar_create(
        actor=admin, organization=org_cafe, name="Oficina", intervals=OFFICE_WEEK,
        days=[{"date": dt.date(2026, 2, 3), "kind": "closed", "label": "Inventario"}],
    )

    # then the organization's zone and country apply, and it is the default
    calendar.refresh_from_db()
    assert (calendar.time_zone, calendar.country, calendar.is_default, calendar.is_24x7) == (
        "America/Bogota", "CO", True, False)
    assert list(calendar.intervals.values_list("weekday", "start_minute", "end_minute")) == [
        (0, 480, 720), (0, 840, 1080), (1, 480, 720), (1, 840, 1080), (2, 480, 720),
        (2, 840, 1080), (3, 480, 720), (3, 840, 1080), (4, 480, 720), (4, 840, 1080),
        (5, 480, 720)]
    assert list(calendar.days.values_list("date", "kind", "label")) == [
        (dt.date(2026, 2, 3), "closed", "Inventario")]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id, event.organization_id,
            event.action_label) == ("calendar.created", admin, calendar.pk, org_cafe.pk,
                                    "Business calendar created")


def test_a_second_calendar_is_not_the_default_unless_asked_and_then_takes_it(
    admin, org_cafe, cafe_calendar, it
):
    # when
    desk = services.calendar_create(actor=admin, organization=org_cafe, name="Soporte TI",
                                    department=it, intervals=OFFICE_WEEK)
    weekend = services.calendar_create(actor=admin, organization=org_cafe, name="Fines",
                                       is_24x7=True)
    services.calendar_update(actor=admin, calendar=weekend, changes={"is_default": True})

    # then
    assert dict(BusinessCalendar.objects.values_list("name", "is_default")) == {
        "Oficina": False, "Soporte TI": False, "Fines": True}
    assert desk.department == it


@pytest.mark.parametrize("changes, field, code, message", [
    ({"intervals": [{"weekday": 0, "start": "08:00", "end": "12:00"},
                    {"weekday": 0, "start": "11:00", "end": "13:00"}]},
     "intervals", "overlapping_intervals", "Monday 11:00-13:00 overlaps 08:00-12:00."),
    ({"intervals": [{"weekday": 2, "start": "14:00", "end": "12:00"}]},
     "intervals", "inverted_interval",
     "Wednesday 14:00-12:00 must end after it starts. Write a shift that crosses midnight as "
     "two intervals, one on each day."),
    ({"intervals": [{"weekday": 2, "start": "12:00", "end": "12:00"}]},
     "intervals", "inverted_interval",
     "Wednesday 12:00-12:00 must end after it starts. Write a shift that crosses midnight as "
     "two intervals, one on each day."),
    ({"intervals": [{"weekday": 7, "start": "08:00", "end": "12:00"}]},
     "intervals", "invalid_weekday", "“7” is not a weekday. Use 0 (Monday) to 6 (Sunday)."),
    ({"intervals": [{"weekday": 1, "start": "8h", "end": "12:00"}]},
     "intervals", "invalid_time", "“8h” is not a time of day. Use HH:MM, from 00:00 to 24:00."),
    ({"intervals": [{"weekday": 1, "start": "24:00", "end": "24:00"}]},
     "intervals", "invalid_time",
     "“24:00” is not a time of day. Use HH:MM, from 00:00 to 24:00."),
    ({"intervals": []}, "intervals", "no_working_time",
     "Give the calendar at least one working interval, or make it 24x7."),
    ({"country": "XX"}, "country", "unknown_country",
     "“XX” is not a country whose holidays are known. Use a two-letter code such as CO or "
     "MX, or none for no public holidays."),
    ({"country": "US", "subdivision": "ZZZ"}, "subdivision", "unknown_subdivision", None),
    ({"subdivision": "ANT"}, "subdivision", "unknown_subdivision",
     "CO has no subdivisions with holidays of their own."),
    ({"time_zone": "America/Medellin"}, "time_zone", "invalid_time_zone",
     "“America/Medellin” is not a known time zone."),
    ({"name": " "}, "name", "required", "This field is required."),
    ({"days": [{"date": "2026-02-03", "kind": "closed"},
               {"date": "2026-02-03", "kind": "worked"}]},
     "days", "duplicate_day", "2026-02-03 is listed twice."),
    ({"days": [{"date": "2026-02-30", "kind": "closed"}]},
     "days", "invalid_date", "“2026-02-30” is not a date. Use YYYY-MM-DD."),
    ({"days": [{"date": "2026-02-03", "kind": "holiday"}]},
     "days", "invalid_choice", "“holiday” is not a kind of day. Use “closed” or “worked”."),
    ({"is_default": False}, "is_default", "default_required",
     "Make another calendar the default instead: an organization keeps one."),
    ({"colour": "blue"}, "colour", "unknown_field", "Unknown field."),
])
def test_bad_changes_are_refused_with_a_precise_message_and_nothing_is_written(
    admin, cafe_calendar, changes, field, code, message
):
    # given
    before = calendar_rows()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.calendar_update(actor=admin, calendar=cafe_calendar, changes=changes)

    # then
    assert (list(refused.value.fields), refused.value.code) == ([field], code)
    if message is not None:
        assert refused.value.fields[field] == message
    else:
        assert refused.value.fields[field].startswith("“ZZZ” is not a subdivision of US. "
                                                      "Use one of: AK, AL, AR,")
    assert calendar_rows() == before


def test_a_create_with_several_problems_names_each_field_and_writes_nothing(admin, org_cafe,
                                                                            other_it):
    # given
    before = calendar_rows()

    # when
    with pytest.raises(ValidationFailed) as refused:
        services.calendar_create(actor=admin, organization=org_cafe, name="", country="ZZ",
                                 time_zone="Nowhere", department=other_it, is_default=True)

    # then
    assert refused.value.fields == {
        "name": "This field is required.",
        "time_zone": "“Nowhere” is not a known time zone.",
        "country": "“ZZ” is not a country whose holidays are known. Use a two-letter code "
                   "such as CO or MX, or none for no public holidays.",
        "intervals": "Give the calendar at least one working interval, or make it 24x7.",
        "department": "This department does not serve Café Montaña.",
        "is_default": "A department's calendar cannot be the organization's default.",
    }
    assert refused.value.code == "validation_failed"
    assert calendar_rows() == before


def test_names_are_unique_per_organization_whatever_their_case(admin, cafe_calendar,
                                                               org_cafe, other_calendar):
    with pytest.raises(ValidationFailed) as refused:
        services.calendar_create(actor=admin, organization=org_cafe, name="OFICINA",
                                 is_24x7=True)
    assert refused.value.fields == {
        "name": "This organization already has a calendar with this name."}
    # another organization's "Clínica" does not count
    services.calendar_create(actor=admin, organization=org_cafe, name="Clínica", is_24x7=True)


@pytest.mark.parametrize("actor_name", ["agent_ana", "requester_carla", "admin_other_org"])
def test_only_admins_of_the_organization_change_its_calendars(
    request, actor_name, org_cafe, cafe_calendar
):
    # given
    actor = request.getfixturevalue(actor_name)
    before = calendar_rows()

    # then
    with pytest.raises(PermissionDenied):
        services.calendar_create(actor=actor, organization=org_cafe, name="X", is_24x7=True)
    with pytest.raises(PermissionDenied):
        services.calendar_update(actor=actor, calendar=cafe_calendar, changes={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.calendar_day_add(actor=actor, calendar=cafe_calendar, date="2026-02-03",
                                  kind="closed")
    assert calendar_rows() == before


def test_an_update_replaces_intervals_and_days_moves_updated_at_and_refreshes_the_cache(
    admin, cafe_calendar
):
    # given a compiled calendar in the cache
    start = dt.datetime(2026, 2, 3, 11, tzinfo=BOGOTA)
    before = loader.calendar_by_id(cafe_calendar.pk)
    assert add_business_time(before, start, dt.timedelta(hours=2)) == start + dt.timedelta(
        hours=4)
    old_updated_at = cafe_calendar.updated_at

    # when the lunch break goes and 3 February is closed
    calendar = services.calendar_update(actor=admin, calendar=cafe_calendar, changes={
        "intervals": [{"weekday": day, "start": "08:00", "end": "17:00"} for day in range(5)],
        "days": [{"date": dt.date(2026, 2, 3), "kind": "closed", "label": ""}],
        "name": "Oficina corrida",
    })

    # then
    assert calendar.updated_at > old_updated_at
    after = loader.calendar_by_id(cafe_calendar.pk)
    assert after is not before
    assert add_business_time(after, start, dt.timedelta(hours=2)) == dt.datetime(
        2026, 2, 4, 10, tzinfo=BOGOTA)
    event = AuditEvent.objects.get(action="calendar.updated")
    assert event.changes == {
        "name": ["Oficina", "Oficina corrida"],
        "intervals": ["0: 08:00-12:00, 14:00-18:00; 1: 08:00-12:00, 14:00-18:00; "
                      "2: 08:00-12:00, 14:00-18:00; 3: 08:00-12:00, 14:00-18:00; "
                      "4: 08:00-12:00, 14:00-18:00; 5: 08:00-12:00",
                      "0: 08:00-17:00; 1: 08:00-17:00; 2: 08:00-17:00; 3: 08:00-17:00; "
                      "4: 08:00-17:00"],
        "days": [[], ["2026-02-03 closed"]],
    }


def test_an_update_that_changes_nothing_writes_nothing(admin, cafe_calendar):
    before = calendar_rows()
    services.calendar_update(actor=admin, calendar=cafe_calendar, changes={
        "name": "Oficina", "intervals": OFFICE_WEEK, "country": "co"})
    assert calendar_rows() == before


def test_a_new_country_drops_the_old_subdivision(admin, org_cafe):
    calendar = services.calendar_create(actor=admin, organization=org_cafe, name="Texas",
                                        country="US", subdivision="TX", intervals=OFFICE_WEEK)
    assert (calendar.country, calendar.subdivision) == ("US", "TX")
    services.calendar_update(actor=admin, calendar=calendar, changes={"country": "CO"})
    calendar.refresh_from_db()
    assert (calendar.country, calendar.subdivision) == ("CO", "")


def test_days_are_added_and_removed_one_by_one(admin, cafe_calendar):
    # when
    day = services.calendar_day_add(actor=admin, calendar=cafe_calendar, date="2026-01-12",
                                    kind="worked", label="Cierre contable")
    with pytest.raises(Conflict) as twice:
        services.calendar_day_add(actor=admin, calendar=cafe_calendar, date="2026-01-12",
                                  kind="closed")
    with pytest.raises(ValidationFailed) as bad:
        services.calendar_day_add(actor=admin, calendar=cafe_calendar, date="12/01/2026",
                                  kind="sometimes", label="x" * 121)
    compiled = loader.calendar_by_id(cafe_calendar.pk)
    services.calendar_day_remove(actor=admin, calendar=cafe_calendar, day=day)

    # then
    assert dt.date(2026, 1, 12) in compiled.worked
    assert twice.value.message == ("2026-01-12 already has an exception in this calendar; "
                                   "remove it first.")
    assert bad.value.fields == {
        "date": "“12/01/2026” is not a date. Use YYYY-MM-DD.",
        "kind": "“sometimes” is not a kind of day. Use “closed” or “worked”.",
        "label": "Use at most 120 characters.",
    }
    assert not CalendarDay.objects.exists()
    assert dt.date(2026, 1, 12) not in loader.calendar_by_id(cafe_calendar.pk).worked
    assert list(AuditEvent.objects.filter(target_id=cafe_calendar.pk).order_by("pk")
                .values_list("action", flat=True)) == [
        "calendar.created", "calendar.day_added", "calendar.day_removed"]


def test_the_default_calendar_cannot_move_to_a_department(admin, cafe_calendar):
    department = DepartmentFactory(organization=cafe_calendar.organization)
    with pytest.raises(ValidationFailed) as refused:
        services.calendar_update(actor=admin, calendar=cafe_calendar,
                                 changes={"department": department})
    assert refused.value.fields == {
        "department": "The organization's default calendar cannot belong to a department."}
