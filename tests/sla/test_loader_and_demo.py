"""Compiled calendars by id, cheaply and never stale; the demo's calendars."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.errors import NotFound
from atiende.sla import loader, services
from atiende.sla.calendar import add_business_time
from atiende.sla.demo import load_demo_calendars
from atiende.sla.models import BusinessCalendar
from tests.factories import OrganizationFactory


def test_a_calendar_by_id_costs_one_query_once_compiled(cafe_calendar):
    # when
    with CaptureQueriesContext(connection) as first:
        compiled = loader.calendar_by_id(cafe_calendar.pk)
    with CaptureQueriesContext(connection) as second:
        again = loader.calendar_by_id(cafe_calendar.pk)

    # then the version, the intervals and the days; then the version only
    assert (len(first), len(second)) == (3, 1)
    assert again is compiled
    assert (compiled.time_zone, compiled.country, compiled.always) == (
        "America/Bogota", "CO", False)


def test_a_row_read_with_its_intervals_and_days_compiles_without_queries(cafe_calendar):
    row = BusinessCalendar.objects.prefetch_related("intervals", "days").get(pk=cafe_calendar.pk)
    with CaptureQueriesContext(connection) as queries:
        compiled = loader.calendar_for(row)
        add_business_time(compiled, dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
                          dt.timedelta(hours=1))
    assert len(queries) == 0


def test_a_change_made_elsewhere_is_seen_at_the_next_lookup(admin, cafe_calendar):
    before = loader.calendar_by_id(cafe_calendar.pk)
    services.calendar_update(actor=admin, calendar=cafe_calendar, changes={"is_24x7": True})
    assert loader.calendar_by_id(cafe_calendar.pk).always and not before.always


def test_an_unknown_id_is_not_found(db):
    with pytest.raises(NotFound):
        loader.calendar_by_id(123456)


def test_the_demo_gives_each_organization_its_calendar(provider_admin, provider, org_cafe):
    # given a Mexican client too
    mexican = OrganizationFactory(name="Distribuidora Azteca", time_zone="America/Mexico_City",
                                  country="MX")

    # when
    load_demo_calendars(actor=provider_admin)

    # then
    calendars = {c.organization_id: c for c in BusinessCalendar.objects.all()}
    assert (calendars[provider.pk].is_24x7, calendars[provider.pk].is_default) == (True, True)
    assert (calendars[org_cafe.pk].time_zone, calendars[org_cafe.pk].country) == (
        "America/Bogota", "CO")
    assert (calendars[mexican.pk].time_zone, calendars[mexican.pk].country) == (
        "America/Mexico_City", "MX")
    assert list(calendars[org_cafe.pk].intervals.values_list(
        "weekday", "start_minute", "end_minute")) == [
        (day, start, end) for day in range(5) for start, end in ((480, 720), (840, 1080))
    ] + [(5, 480, 720)]
