"""The calendar pages under /manage/<org>/calendars/, as an organization admin uses
them, and who may not reach them."""

from __future__ import annotations

import pytest

from atiende.core.models import AuditEvent
from atiende.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from tests.web.support import (
    flash_messages,
    form_errors,
    login_redirect,
    page,
    select_options,
    template_names,
)

WEEK = {f"hours_{day}": "08:00-12:00, 14:00-18:00" for day in range(5)}
NEW = {"name": "Soporte TI", "time_zone": "America/Bogota", "country": "CO",
       "subdivision": "", "department": "", **WEEK, "hours_5": "08:00 \u2013 12:00"}


def plain(text: str) -> str:
    """Page text with its en dashes as hyphens."""
    return text.replace("\u2013", "-")


def calendar_rows() -> dict:
    return {
        "calendars": list(BusinessCalendar.objects.order_by("pk").values_list()),
        "intervals": list(WorkingInterval.objects.order_by("pk").values_list()),
        "days": list(CalendarDay.objects.order_by("pk").values_list()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


@pytest.fixture
def english_admin(admin):
    admin.language = "en"
    admin.save(update_fields=["language"])
    return admin


@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("requester_carla", 404), ("agent_ana", 404),
    ("agent_bruno_other_department", 404), ("admin_other_org", 404), ("admin", 200),
    ("provider_admin", 200),
])
def test_only_admins_of_the_organization_reach_its_calendar_pages(
    role, expected, actors, web_client, cafe_calendar
):
    client = web_client(actors[role])
    before = calendar_rows()
    base = "/manage/cafe-montana/calendars/"
    for path in (base, f"{base}new/", f"{base}{cafe_calendar.pk}/",
                 f"{base}subdivisions/?country=US"):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert response["Location"] == login_redirect(path)
    if expected != 200:
        for path, data in [(f"{base}new/", NEW), (f"{base}{cafe_calendar.pk}/", NEW),
                           (f"{base}{cafe_calendar.pk}/days/", {"date": "2026-02-03",
                                                               "kind": "closed"})]:
            assert client.post(path, data).status_code == expected
    assert calendar_rows() == before


def test_a_calendar_of_another_organization_is_404_under_this_one(admin, web_client,
                                                                  other_calendar):
    response = web_client(admin).get(f"/manage/cafe-montana/calendars/{other_calendar.pk}/")
    assert response.status_code == 404
    assert "errors/404.html" in template_names(response)


def test_the_list_shows_hours_holidays_and_the_default(english_admin, web_client,
                                                      cafe_calendar):
    response = web_client(english_admin).get("/manage/cafe-montana/calendars/")
    rows = page(response).find_all("tr")
    assert [plain(row.text) for row in rows[1:]] == [
        "Oficina Default Whole organization Mon-Fri 08:00-12:00, 14:00-18:00Sat 08:00-12:00 "
        "CO America/Bogota"]


def test_an_admin_creates_a_calendar_with_split_shifts(english_admin, web_client, it):
    # when
    response = web_client(english_admin).post("/manage/cafe-montana/calendars/new/",
                                              dict(NEW, department=str(it.pk)))

    # then
    calendar = BusinessCalendar.objects.get()
    assert (response.status_code, response["Location"]) == (
        302, f"/manage/cafe-montana/calendars/{calendar.pk}/")
    assert (calendar.name, calendar.department, calendar.is_default) == ("Soporte TI", it, False)
    assert calendar.intervals.count() == 11
    assert AuditEvent.objects.get().action == "calendar.created"


def test_bad_hours_are_shown_where_they_were_written_and_nothing_is_saved(
    english_admin, web_client
):
    client = web_client(english_admin)

    # when one day is not intervals at all, and another overlaps
    shapeless = client.post("/manage/cafe-montana/calendars/new/",
                            dict(NEW, hours_2="from eight to noon"))
    overlapping = client.post("/manage/cafe-montana/calendars/new/",
                              dict(NEW, hours_3="08:00-12:00, 11:00-15:00"))
    unknown_country = client.post("/manage/cafe-montana/calendars/new/", dict(NEW, country="ZZ"))
    empty = client.post("/manage/cafe-montana/calendars/new/",
                        {**NEW, **{f"hours_{day}": "" for day in range(7)}})

    # then
    assert shapeless.status_code == 200
    errors = [node.text for node in page(shapeless).find_all("small", cls="error")]
    assert errors == ["Write each interval as 08:00-12:00, separated by commas."]
    assert "Thursday 11:00-15:00 overlaps 08:00-12:00." in form_errors(overlapping)
    assert "Select a valid choice. ZZ is not one of the available choices." in [
        node.text for node in page(unknown_country).find_all("small", cls="error")]
    assert form_errors(empty) == [
        "Give the calendar at least one working interval, or make it 24x7."]
    assert not BusinessCalendar.objects.exists()


def test_the_calendar_page_previews_two_weeks_and_tries_a_due_time(
    english_admin, web_client, cafe_calendar, time_machine
):
    # given Friday 9 January 2026, 10:00 in Bogotá (Monday 12 is Epiphany)
    time_machine.move_to("2026-01-09T15:00:00Z", tick=False)
    client = web_client(english_admin)

    # when
    response = client.get(f"/manage/cafe-montana/calendars/{cafe_calendar.pk}/",
                          {"start": "2026-01-09T17:00", "minutes": "300"})

    # then the preview starts today, in the calendar's zone
    days = [plain(node.text) for node in page(response).find_all("li", cls="preview-day")]
    assert len(days) == 14
    assert days[:5] == [
        "Fri 9 Jan 08:00-12:00 · 14:00-18:00 8 h",
        "Sat 10 Jan 08:00-12:00 4 h",
        "Sun 11 Jan No working hours",
        "Mon 12 Jan Epiphany (observed)",
        "Tue 13 Jan 08:00-12:00 · 14:00-18:00 8 h",
    ]
    # and the answer: an hour on Friday and four on Saturday morning
    assert [node.text for node in page(response).find_all("p", cls="alert-success")] == [
        "Due: Saturday 10 January 2026, 12:00 (America/Bogota)"]


def test_try_it_refuses_minutes_that_are_not_positive(english_admin, web_client,
                                                      cafe_calendar):
    response = web_client(english_admin).get(
        f"/manage/cafe-montana/calendars/{cafe_calendar.pk}/",
        {"start": "2026-01-09T17:00", "minutes": "0"})
    assert "Give a positive whole number of minutes." in [
        node.text for node in page(response).find_all("small", cls="error")]


def test_an_admin_edits_the_week_and_adds_and_removes_a_closed_day(
    english_admin, web_client, cafe_calendar
):
    client = web_client(english_admin)
    path = f"/manage/cafe-montana/calendars/{cafe_calendar.pk}/"

    # when
    edited = client.post(path, {**NEW, "name": "Oficina", "hours_5": "", "hours_6": ""})
    added = client.post(f"{path}days/", {"date": "2026-02-03", "kind": "closed",
                                         "label": "Inventario"}, follow=True)
    again = client.post(f"{path}days/", {"date": "2026-02-03", "kind": "worked"},
                        follow=True)
    day = CalendarDay.objects.get()
    shown = client.get(path)
    removed = client.post(f"{path}days/{day.pk}/remove/", follow=True)

    # then
    assert edited.status_code == 302
    assert not cafe_calendar.intervals.filter(weekday=5).exists()
    assert ("success", "The day has been added.") in flash_messages(added)
    assert ("error", "2026-02-03 already has an exception in this calendar; remove it "
                     "first.") in flash_messages(again)
    assert "Tue 3 Feb 2026 · Closed (extra holiday or company closure)Inventario Remove" in [
        node.text for node in page(shown).find_all("li", cls="row-between")]
    assert ("success", "The day has been removed.") in flash_messages(removed)
    assert not CalendarDay.objects.exists()
    assert list(AuditEvent.objects.filter(target_id=cafe_calendar.pk).order_by("pk")
                .values_list("action", flat=True)) == [
        "calendar.created", "calendar.updated", "calendar.day_added", "calendar.day_removed"]


def test_choosing_a_country_brings_its_regions(english_admin, web_client):
    response = web_client(english_admin).get(
        "/manage/cafe-montana/calendars/subdivisions/", {"country": "US"})
    options = select_options(response, "subdivision")
    assert options[0] == ("", "The whole country")
    assert ("TX", "Texas (TX)") in options
    assert page(response).find_all("div", id="field-subdivision")
