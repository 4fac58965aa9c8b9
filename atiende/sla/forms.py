"""Web forms of business calendars: they shape input; the rules live in services."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import holidays as holidays_package
from django import forms
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from atiende.core.forms import time_zone_choices
from atiende.sla.calendar import supported_countries
from atiende.sla.models import BusinessCalendar, DayKind

_SEPARATOR = re.compile(r"[,;]")
_DASH = re.compile("\\s*[-\u2013\u2014]\\s*")  # hyphen, en dash or em dash
EN_DASH = "\u2013"


@cache
def _country_names() -> dict[str, str]:
    from holidays import registry

    names = {}
    for class_name, code, *_rest in registry.COUNTRIES.values():
        names[code] = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
    return names


def country_choices() -> list[tuple[str, str]]:
    names = _country_names()
    countries = sorted(supported_countries(), key=lambda code: names.get(code, code))
    return [("", _("None (no public holidays)")),
            *[(code, f"{names.get(code, code)} ({code})") for code in countries]]


@cache
def _subdivision_names(country: str) -> dict[str, str]:
    entity = holidays_package.country_holidays(country)
    names: dict[str, str] = {}
    for name, code in getattr(entity, "subdivisions_aliases", {}).items():
        names.setdefault(code, name)
    return names


def subdivision_choices(country: str) -> list[tuple[str, str]]:
    codes = supported_countries().get(country, ())
    names = _subdivision_names(country) if codes else {}
    return [("", _("The whole country")),
            *[(code, f"{names[code]} ({code})" if code in names else code) for code in codes]]


def week_text(calendar: BusinessCalendar) -> dict[str, str]:
    """The initial value of each weekday's field: "08:00-12:00, 14:00-18:00"."""
    texts: dict[str, list[str]] = {f"hours_{weekday}": [] for weekday in range(7)}
    for interval in calendar.intervals.all():
        texts[f"hours_{interval.weekday}"].append(
            f"{interval.start_label}-{interval.end_label}")
    return {name: ", ".join(parts) for name, parts in texts.items()}


def week_summary(calendar: BusinessCalendar) -> list[str]:
    """Runs of weekdays that work alike: ["Mon-Fri 08:00-12:00, 14:00-18:00", ...]
    (with en dashes)."""
    days: list[list[str]] = [[] for _weekday in range(7)]
    for interval in calendar.intervals.all():
        days[interval.weekday].append(f"{interval.start_label}{EN_DASH}{interval.end_label}")
    runs: list[str] = []
    weekday = 0
    while weekday < 7:
        last = weekday
        while last + 1 < 7 and days[last + 1] == days[weekday]:
            last += 1
        if days[weekday]:
            names = str(WEEKDAYS_ABBR[weekday]) if last == weekday else (
                f"{WEEKDAYS_ABBR[weekday]}{EN_DASH}{WEEKDAYS_ABBR[last]}")
            runs.append(f"{names} {', '.join(days[weekday])}")
        weekday = last + 1
    return runs


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    country = forms.ChoiceField(label=_("Public holidays of"), required=False,
                                choices=country_choices)
    subdivision = forms.ChoiceField(label=_("Region"), required=False, choices=[],
                                    help_text=_("Some countries have regional holidays."))
    department = forms.ChoiceField(label=_("Department"), required=False, choices=[],
                                   help_text=_("Only where a desk works other hours than "
                                               "the organization."))
    is_24x7 = forms.BooleanField(label=_("Around the clock (24x7): every hour counts, "
                                         "holidays too"), required=False)
    is_default = forms.BooleanField(label=_("The organization's default calendar"),
                                    required=False)

    def __init__(self, *args, departments: list[tuple[str, str]], is_default: bool = False,
                 subdivisions_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if subdivisions_url:
            # Choosing a country brings its regions into the next field.
            self.fields["country"].widget.attrs.update({
                "hx-get": subdivisions_url, "hx-trigger": "change",
                "hx-target": "#field-subdivision", "hx-swap": "outerHTML",
            })
        self.week_error = ""
        self.fields["department"].choices = [("", _("None: the whole organization")),
                                             *departments]
        country = str(self["country"].value() or "")
        self.fields["subdivision"].choices = subdivision_choices(country)
        if is_default:
            # The default moves by making another calendar the default, not by unticking.
            self.fields["is_default"].disabled = True
        for weekday in range(7):
            self.fields[f"hours_{weekday}"] = forms.CharField(
                label=WEEKDAYS[weekday], required=False, max_length=400,
                widget=forms.TextInput(attrs={"placeholder": _("e.g. 08:00-12:00, 14:00-18:00"),
                                              "autocomplete": "off"}),
            )

    @property
    def detail_fields(self) -> list:
        return [self[name] for name in ("name", "time_zone", "country", "subdivision",
                                        "department")]

    @property
    def week_fields(self) -> list:
        return [self[f"hours_{weekday}"] for weekday in range(7)]

    def _clean_hours(self, weekday: int) -> list[dict]:
        text = self.cleaned_data.get(f"hours_{weekday}", "")
        intervals = []
        for part in _SEPARATOR.split(text):
            if not part.strip():
                continue
            pieces = _DASH.split(part.strip())
            if len(pieces) != 2:
                raise forms.ValidationError(
                    _("Write each interval as 08:00-12:00, separated by commas."))
            intervals.append({"weekday": weekday, "start": pieces[0], "end": pieces[1]})
        return intervals

    def clean(self) -> dict:
        data = super().clean()
        intervals = []
        for weekday in range(7):
            try:
                intervals.extend(self._clean_hours(weekday))
            except forms.ValidationError as error:
                self.add_error(f"hours_{weekday}", error)
        data["intervals"] = intervals
        return data

    def service_values(self) -> dict:
        """What the calendar services take, except the department (an id here)."""
        data = self.cleaned_data
        values = {name: data[name] for name in ("name", "time_zone", "country",
                                                "subdivision", "is_24x7", "intervals")}
        if not self.fields["is_default"].disabled:
            values["is_default"] = data["is_default"] or None
        return values


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("What happens that day"), choices=DayKind.choices)
    label = forms.CharField(label=_("Label"), max_length=120, required=False,
                            widget=forms.TextInput(attrs={"placeholder":
                                                          _("e.g. Company anniversary")}))


class TryForm(forms.Form):
    start = forms.CharField(
        label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("In the calendar's time zone."),
    )
    minutes = forms.IntegerField(label=_("Working minutes"))

    def clean_start(self) -> dt.datetime:
        """The start as written: a wall-clock time, naive until `start_in` gives it the
        calendar's zone (the person's own zone does not matter here)."""
        value = self.cleaned_data["start"].strip()
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
            try:
                return dt.datetime.strptime(value, pattern)
            except ValueError:
                continue
        raise forms.ValidationError(_("Enter a date and time, such as 2026-01-12 08:00."))

    def start_in(self, zone) -> dt.datetime:
        return self.cleaned_data["start"].replace(tzinfo=zone)
