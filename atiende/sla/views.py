"""Organization admin pages for business calendars, under /manage/<org>/calendars/.

Everything here is reached through `_administered`, so an organization the actor does
not administer answers 404, as if it did not exist; a calendar of another organization
answers 404 too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.core import selectors as core_selectors
from atiende.core.manage_views import administered_organization
from atiende.core.models import Organization
from atiende.core.scoping import scope_of
from atiende.core.web import add_service_errors, handles_errors, posted
from atiende.errors import Conflict, NotFound, ValidationFailed
from atiende.sla import policies, selectors, services
from atiende.sla.forms import CalendarForm, DayForm, TryForm, week_summary, week_text
from atiende.sla.loader import calendar_for
from atiende.sla.models import BusinessCalendar

PREVIEW_DAYS = 14
STANDARD_WEEK = {f"hours_{weekday}": "08:00-12:00, 14:00-18:00" for weekday in range(5)}


def _administered(request, slug: str) -> Organization:
    return administered_organization(request, slug, policies.can_manage_calendars)


def _calendar(request, organization: Organization, calendar_id: int) -> BusinessCalendar:
    calendar = selectors.calendar_get(actor=request.user, calendar_id=calendar_id)
    if calendar.organization_id != organization.pk:
        raise NotFound()
    return calendar


def _departments(request, organization: Organization) -> list[tuple[str, str]]:
    everything = scope_of(request.user).everything
    return [(str(d.pk), d.name) for d in core_selectors.department_list(
        actor=request.user, organization_id=organization.pk)
        if d.is_active and (d.organization_id == organization.pk or everything)]


def _department(request, value: str):
    if not value:
        return None
    return core_selectors.department_get(actor=request.user, department_id=int(value))


def _subdivisions_url(organization: Organization) -> str:
    return reverse("manage_calendar_subdivisions", args=[organization.slug])


def _page(request, organization: Organization, template: str, context: dict):
    context.update({"organization": organization, "tab": "calendars"})
    return render(request, template, context)


def _week_errors(form: CalendarForm, error: ValidationFailed) -> None:
    """Service errors on the form; those about intervals name their weekday and go
    above the week."""
    others = {name: message for name, message in error.fields.items() if name != "intervals"}
    form.week_error = error.fields.get("intervals", "")
    if others or not form.week_error:
        add_service_errors(form, ValidationFailed(others, error.message))


@login_required
@handles_errors
def calendar_list(request, slug: str):
    organization = _administered(request, slug)
    calendars = list(selectors.calendar_list(actor=request.user,
                                             organization_id=organization.pk))
    for calendar in calendars:
        calendar.summary = week_summary(calendar)
    return _page(request, organization, "manage/calendars.html", {"calendars": calendars})


@login_required
@handles_errors
def calendar_new(request, slug: str):
    organization = _administered(request, slug)
    form = CalendarForm(posted(request), departments=_departments(request, organization),
                        subdivisions_url=_subdivisions_url(organization),
                        initial={"time_zone": organization.time_zone,
                                 "country": organization.country, **STANDARD_WEEK})
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(
                actor=request.user, organization=organization,
                department=_department(request, form.cleaned_data["department"]),
                **form.service_values())
        except ValidationFailed as error:
            _week_errors(form, error)
        else:
            messages.success(request, _("The calendar has been created."))
            return redirect("manage_calendar", slug=slug, calendar_id=calendar.pk)
    return _page(request, organization, "manage/calendar_new.html", {"form": form})


@login_required
@handles_errors
def calendar_detail(request, slug: str, calendar_id: int):
    organization = _administered(request, slug)
    calendar = _calendar(request, organization, calendar_id)
    form = CalendarForm(
        posted(request), departments=_departments(request, organization),
        is_default=calendar.is_default, subdivisions_url=_subdivisions_url(organization),
        initial={"name": calendar.name, "time_zone": calendar.time_zone,
                 "country": calendar.country, "subdivision": calendar.subdivision,
                 "department": str(calendar.department_id or ""),
                 "is_24x7": calendar.is_24x7, "is_default": calendar.is_default,
                 **week_text(calendar)},
    )
    if request.method == "POST" and form.is_valid():
        changes = dict(form.service_values(),
                       department=_department(request, form.cleaned_data["department"]))
        try:
            services.calendar_update(actor=request.user, calendar=calendar, changes=changes)
        except ValidationFailed as error:
            _week_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("manage_calendar", slug=slug, calendar_id=calendar.pk)
    now = timezone.now()
    return _page(request, organization, "manage/calendar.html", {
        "calendar": calendar, "form": form, "day_form": DayForm(),
        "preview": selectors.calendar_preview(calendar=calendar, now=now, days=PREVIEW_DAYS),
        "holidays": selectors.upcoming_holidays(calendar=calendar, now=now),
        **_try(request, calendar, now),
    })


def _try(request, calendar: BusinessCalendar, now) -> dict:
    """The "try it" form, read from the query string, and its answer."""
    asked = "minutes" in request.GET
    zone = calendar_for(calendar).zone
    form = TryForm(request.GET if asked else None, initial={
        "start": now.astimezone(zone).strftime("%Y-%m-%dT%H:%M"), "minutes": 240})
    due = None
    if asked and form.is_valid():
        try:
            due = selectors.calendar_due(
                calendar=calendar, start=form.start_in(zone),
                minutes=form.cleaned_data["minutes"])
        except ValidationFailed as error:
            add_service_errors(form, error)
    return {"try_form": form, "due": due}


@login_required
@require_POST
@handles_errors
def calendar_day_add(request, slug: str, calendar_id: int):
    calendar = _calendar(request, _administered(request, slug), calendar_id)
    form = DayForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect("manage_calendar", slug=slug, calendar_id=calendar.pk)
    try:
        services.calendar_day_add(actor=request.user, calendar=calendar, **form.cleaned_data)
    except (ValidationFailed, Conflict) as error:
        messages.error(request, " ".join(getattr(error, "fields", {}).values()) or error.message)
    else:
        messages.success(request, _("The day has been added."))
    return redirect("manage_calendar", slug=slug, calendar_id=calendar.pk)


@login_required
@require_POST
@handles_errors
def calendar_day_remove(request, slug: str, calendar_id: int, day_id: int):
    calendar = _calendar(request, _administered(request, slug), calendar_id)
    day = next((day for day in calendar.days.all() if day.pk == day_id), None)
    if day is None:
        raise NotFound()
    services.calendar_day_remove(actor=request.user, calendar=calendar, day=day)
    messages.success(request, _("The day has been removed."))
    return redirect("manage_calendar", slug=slug, calendar_id=calendar.pk)


@login_required
@require_GET
@handles_errors
def calendar_subdivisions(request, slug: str):
    """The region field for the chosen country (htmx swaps it in)."""
    _administered(request, slug)
    form = CalendarForm(departments=[], initial={"country": request.GET.get("country", "")})
    return render(request, "manage/_calendar_subdivision.html", {"field": form["subdivision"]})
