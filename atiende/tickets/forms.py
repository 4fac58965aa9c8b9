"""Web forms of the agent workspace: they shape input; the rules live in services.

Choices come from scoped reads (`atiende.tickets.workspace`, the selectors), so a
form never offers, nor accepts, something the actor may not see.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from atiende.core.widgets import ChoiceField, TypedChoiceField
from atiende.tickets.columns import COLUMNS, Column, chosen
from atiende.tickets.models import (
    Channel,
    Kind,
    Level,
    LinkKind,
    PendingReason,
    Priority,
    ResolutionCode,
    Status,
    Visibility,
)
from atiende.tickets.workspace import QUEUES, SORTS

WORK_KINDS = [(Kind.INCIDENT.value, Kind.INCIDENT.label),
              (Kind.SERVICE_REQUEST.value, Kind.SERVICE_REQUEST.label)]


def plain_to_html(text: str) -> str:
    """What a person typed in a plain text box, as the rich text tickets store: escaped,
    paragraphs and line breaks kept."""
    text = (text or "").strip()
    return linebreaks(text, autoescape=True) if text else ""


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(p|div|li|h[1-4]|blockquote|pre|tr)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_to_plain(markup: str) -> str:
    """Stored rich text as a plain text box shows it for editing (what `plain_to_html`
    turns back into paragraphs): lines and paragraphs kept, markup dropped."""
    text = _BLOCK_END.sub("\n\n", _BREAK.sub("\n", markup or ""))
    lines = html.unescape(_TAG.sub("", text)).split("\n")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


class ObjectChoiceField(ChoiceField):
    """A choice among objects the view read through a scoped selector; cleans to the
    object (None when left empty)."""

    def __init__(self, *args, empty_label: str | None = "—", **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label
        self.objects: dict[str, Any] = {}

    def set_objects(self, objects: Iterable, label: Callable[[Any], str] = str,
                    group: Callable[[Any], str] | None = None, extra=()) -> None:
        objects = list(objects)
        self.objects = {str(item.pk): item for item in objects}
        choices: list = [("", self.empty_label)] if self.empty_label is not None else []
        choices += list(extra)
        if group is None:
            choices += [(str(item.pk), label(item)) for item in objects]
        else:
            groups: dict[str, list] = {}
            for item in objects:
                groups.setdefault(group(item), []).append((str(item.pk), label(item)))
            choices += list(groups.items())
        self.choices = choices

    def valid_value(self, value) -> bool:
        # The offered choices may be a subset (the agents of the chosen team); anything
        # the view read for the actor is acceptable, and the service has the last word.
        return str(value) in self.objects or super().valid_value(value)

    def show_only(self, objects: Iterable, label: Callable[[Any], str] = str) -> None:
        """Offer only `objects` (all read ones stay acceptable)."""
        choices: list = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = choices + [(str(item.pk), label(item)) for item in objects]

    def clean(self, value):
        value = super().clean(value)
        if value in self.objects:
            return self.objects[value]
        return value or None


class KnownChoicesField(forms.MultipleChoiceField):
    """Several choices, keeping the known ones and dropping the others (so that a
    bookmarked URL naming a column that no longer exists keeps working)."""

    def clean(self, value) -> list[str]:
        return [item for item in (value or []) if self.valid_value(item)]


class VersionedForm(forms.Form):
    """A change to a ticket carries the version the editor saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- queues -----------------------------------------------------------------------------


QUEUE_LABELS = {"mine": _("My tickets"), "teams": _("My teams"),
                "unassigned": _("Unassigned"), "at_risk": _("At risk"),
                "all": _("All I can see")}
SORT_LABELS = {"newest": _("Newest first"), "priority": _("Highest priority first"),
               "updated": _("Recently updated"), "due": _("Due soonest")}


class DayField(forms.DateField):
    """A day of this era: a date the calendar arithmetic around it cannot overflow."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not 1900 <= day.year <= 9000:
            raise forms.ValidationError(_("Choose a day between the years 1900 and 9000."))
        return day


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the current (the reader's) time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class QueueForm(forms.Form):
    """A queue's filters, read from the query string. A value the actor was not offered
    is ignored, never an error: a bookmarked queue keeps working."""

    queue = ChoiceField(label=_("Queue"), required=False,
                        choices=[(name, QUEUE_LABELS[name]) for name in QUEUES])
    status = ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Open")), ("any", _("Any status")), *Status.choices])
    priority = ChoiceField(label=_("Priority"), required=False,
                           choices=[("", _("Any priority")), *Priority.choices])
    kind = ChoiceField(label=_("Kind"), required=False,
                       choices=[("", _("Any kind")), *WORK_KINDS])
    organization = ObjectChoiceField(label=_("Organization"),
                                     empty_label=_("Any organization"))
    department = ObjectChoiceField(label=_("Department"), empty_label=_("Any department"))
    team = ObjectChoiceField(label=_("Team"), empty_label=_("Any team"))
    assignee = ObjectChoiceField(label=_("Assignee"), empty_label=_("Anyone"))
    category = ObjectChoiceField(label=_("Category"), empty_label=_("Any category"))
    service = ObjectChoiceField(label=_("Service"), empty_label=_("Any service"))
    channel = ChoiceField(label=_("Channel"), required=False,
                          choices=[("", _("Any channel")), *Channel.choices])
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    created_from = DayField(label=_("Created from"))
    created_to = DayField(label=_("Created until"))
    requester = forms.CharField(label=_("Requester"), required=False, max_length=100,
                                widget=forms.TextInput(attrs={
                                    "type": "search", "placeholder": _("Name or e-mail")}))
    sort = ChoiceField(label=_("Sort"), required=False,
                       choices=[(name, SORT_LABELS[name]) for name in SORTS])
    after = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    col = KnownChoicesField(
        label=_("Columns"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(key, column.label) for key, column in COLUMNS.items() if key != "number"])

    FILTERS = ("status", "priority", "kind", "organization", "department", "team",
               "assignee", "category", "service", "channel", "tag", "created_from",
               "created_to", "requester")
    OBJECTS = ("organization", "department", "team", "assignee", "category", "service")

    def __init__(self, data, *, choices: dict | None) -> None:
        super().__init__(data)
        self.has_choices = choices is not None
        if choices is not None:
            self._offer(choices)
        self.is_valid()

    @classmethod
    def needs_choices(cls, data) -> bool:
        """Whether showing `data` needs the filters' choices: one of the folded filters
        is set (to check it, and to show it unfolded), or `more` asks for them all."""
        return bool(data.get("more")) or any(data.get(name) for name in cls.MORE)

    def _offer(self, choices: dict) -> None:
        departments = choices["departments"]
        several = len({department.organization_id for department in departments}) > 1
        self.fields["organization"].set_objects(
            dict.fromkeys(department.organization for department in departments))
        self.fields["department"].set_objects(
            departments,
            label=lambda d: f"{d.name} · {d.organization.name}" if several else d.name)
        self.fields["team"].set_objects(choices["teams"])
        self.fields["assignee"].set_objects(choices["agents"])
        self.fields["category"].set_objects(choices["categories"],
                                            label=lambda c: c.path)
        self.fields["service"].set_objects(choices["services"])

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) or ""

    @property
    def current_queue(self) -> str:
        return self.value("queue") or "mine"

    @property
    def current_sort(self) -> str:
        return self.value("sort") or "newest"

    @cached_property
    def columns(self) -> list[Column]:
        return chosen(self.value("col"))

    def column_choices(self) -> list[tuple[str, str, bool]]:
        """Each column that may be hidden, and whether it shows."""
        shown = {column.key for column in self.columns}
        return [(key, label, key in shown) for key, label in self.fields["col"].choices]

    def filters(self) -> dict:
        """The filters in `selectors.ticket_list`'s words (days in the reader's zone)."""
        status = self.value("status")
        start, end = self.value("created_from"), self.value("created_to")
        return {
            "status": list(Status.values) if status == "any" else [status] if status else [],
            "priority": [int(self.value("priority"))] if self.value("priority") else [],
            "kind": self.value("kind"),
            "channel": self.value("channel"),
            "tag": self.value("tag"),
            **{f"{name}_id": self.value(name).pk for name in self.OBJECTS if self.value(name)},
            "created_after": _day_start(start) if start else None,
            "created_before": _day_start(end + dt.timedelta(days=1)) if end else None,
        }

    MORE = ("priority", "kind", "organization", "department", "team", "assignee",
            "category", "service", "channel", "tag", "created_from", "created_to")

    def active_filters(self) -> int:
        return sum(1 for name in self.FILTERS if self.value(name))

    def more_fields(self) -> list:
        """The filters folded under "More filters"."""
        return [self[name] for name in self.MORE]

    def more_active(self) -> int:
        return sum(1 for name in self.MORE if self.value(name))

    def tabs(self, counts: dict[str, int]) -> list[dict]:
        """Each queue with its count and its link (the filters kept, from the start)."""
        return [{"name": name, "label": label, "count": counts.get(name, 0),
                 "query": self.query(queue=name), "current": name == self.current_queue}
                for name, label in self.fields["queue"].choices]

    def query(self, **changes) -> str:
        """This queue's query string with `changes` (a new page starts without cursor)."""
        values = {name: self.cleaned_data[name] for name in ("queue", "sort", *self.FILTERS, "col")
                  if name in self.cleaned_data}
        values = {name: value.pk if hasattr(value, "pk") else value
                  for name, value in values.items()}
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value}, doseq=True)


class SavedViewForm(forms.Form):
    """Save the queue as it is shown (its query string) under a name."""

    name = forms.CharField(label=_("Name"), max_length=80, widget=forms.TextInput(
        attrs={"placeholder": _("e.g. P1 and P2 of my team")}))
    team = ObjectChoiceField(label=_("Share with"), empty_label=_("Only me"))
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, data=None, *, teams: Iterable, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["team"].set_objects(teams)

    def parsed_query(self) -> dict:
        """The queue parameters of the posted query string (repeated ones as lists)."""
        data = QueryDict(self.cleaned_data.get("query") or "")
        return {key: data.getlist(key) if key == "col" else data.get(key, "")
                for key in data if key not in ("after", "view")}


# --- creating tickets -------------------------------------------------------------------


class RequesterField(forms.CharField):
    """The requester, typed as an e-mail (the search box fills it in); cleans to the
    person, among those the actor may see."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = None

    def clean(self, value):
        value = super().clean(value).strip().lower()
        person = self.people.filter(email__iexact=value).first() if value else None
        if value and person is None:
            raise forms.ValidationError(_("Choose a person from the list (search by name or "
                                          "e-mail)."), code="unknown_requester")
        return person


class TicketCreateForm(forms.Form):
    """An agent registers a ticket on behalf of a requester."""

    requester = RequesterField(label=_("Requester"), max_length=254, widget=forms.TextInput(
        attrs={"type": "search", "autocomplete": "off",
               "placeholder": _("Search by name or e-mail")}))
    kind = ChoiceField(label=_("Kind"), choices=WORK_KINDS)
    department = ObjectChoiceField(label=_("Department"), required=True, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=100_000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    channel = ChoiceField(label=_("Channel"), choices=Channel.choices,
                                initial=Channel.PHONE)
    category = ObjectChoiceField(label=_("Category"))
    service = ObjectChoiceField(label=_("Service"))
    impact = TypedChoiceField(label=_("Impact"), coerce=int, choices=Level.choices,
                                    initial=Level.MEDIUM)
    urgency = TypedChoiceField(label=_("Urgency"), coerce=int, choices=Level.choices,
                                     initial=Level.MEDIUM)

    def __init__(self, *args, people, departments, categories, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requester"].people = people
        departments = list(departments)
        many = len({d.organization_id for d in departments}) > 1
        self.fields["department"].set_objects(
            departments, label=lambda d: f"{d.name} · {d.organization.name}" if many else d.name)
        names = {d.pk: d.name for d in departments}
        self.fields["category"].set_objects(
            [c for c in categories if c.department_id in names], label=lambda c: c.path,
            group=lambda c: names[c.department_id])
        self.fields["service"].set_objects(
            [s for s in services if s.department_id in names],
            group=lambda s: names[s.department_id])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "title": data["title"], "requester": data["requester"],
            "organization": data["requester"].organization, "department": data["department"],
            "description": plain_to_html(data["description"]), "channel": data["channel"],
            "category": data["category"], "service": data["service"],
            "impact": data["impact"], "urgency": data["urgency"],
        }


class RequestCreateForm(forms.Form):
    """A requester asks for help: the department, what happens, the details."""

    kind = ChoiceField(label=_("What do you need?"), choices=[
        (Kind.INCIDENT.value, _("Something is not working")),
        (Kind.SERVICE_REQUEST.value, _("I need something (a request)"))])
    department = ObjectChoiceField(label=_("Who can help"), required=True, empty_label=None)
    title = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, max_length=100_000,
                                  widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].set_objects(departments)

    def service_arguments(self, actor) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "title": data["title"], "requester": actor,
            "organization": actor.organization, "department": data["department"],
            "description": plain_to_html(data["description"]), "channel": Channel.PORTAL,
        }


# --- a ticket's page --------------------------------------------------------------------


class TitleForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)

    def changes(self) -> dict:
        return {"title": self.cleaned_data["title"]}


class ClassificationForm(VersionedForm):
    category = ObjectChoiceField(label=_("Category"))
    service = ObjectChoiceField(label=_("Service"))
    impact = TypedChoiceField(label=_("Impact"), coerce=int, choices=Level.choices)
    urgency = TypedChoiceField(label=_("Urgency"), coerce=int, choices=Level.choices)

    def __init__(self, *args, categories=(), services=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].set_objects(categories, label=lambda c: c.path)
        self.fields["service"].set_objects(services)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name]
                for name in ("category", "service", "impact", "urgency")}


class TagsForm(VersionedForm):
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000,
                           help_text=_("Separated by commas."))

    def changes(self) -> dict:
        names = [name.strip() for name in self.cleaned_data["tags"].split(",")]
        return {"tags": list(dict.fromkeys(name for name in names if name))}


EDIT_FORMS = {"title": TitleForm, "classification": ClassificationForm, "tags": TagsForm}


class PriorityForm(VersionedForm):
    priority = TypedChoiceField(label=_("Priority"), coerce=int, choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class TransitionForm(VersionedForm):
    status = ChoiceField(label=_("Status"), choices=Status.choices)
    pending_reason = ChoiceField(label=_("Waiting for"), required=False,
                                       choices=[("", "—"), *PendingReason.choices])
    resolution_code = ChoiceField(label=_("Resolution"), required=False,
                                        choices=[("", "—"), *ResolutionCode.choices])
    resolution_notes = forms.CharField(label=_("What was done"), required=False,
                                       max_length=20_000,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"to_status": data["status"], "version": data["version"],
                "pending_reason": data["pending_reason"],
                "resolution_code": data["resolution_code"],
                "resolution_notes": plain_to_html(data["resolution_notes"])}


class AssignForm(VersionedForm):
    team = ObjectChoiceField(label=_("Team"), empty_label=_("No team"))
    assignee = ObjectChoiceField(label=_("Agent"), empty_label=_("Nobody yet"))

    def __init__(self, *args, teams=(), agents=(), shown=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].set_objects(teams)
        self.fields["assignee"].set_objects(agents)
        if shown is not None:
            self.fields["assignee"].show_only(shown)


class EscalateForm(VersionedForm):
    team = ObjectChoiceField(label=_("To"), empty_label=_("The next support line"))
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, teams=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].set_objects(teams)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    visibility = ChoiceField(label=_("Visibility"), choices=Visibility.choices,
                                   initial=Visibility.PUBLIC, widget=forms.RadioSelect)

    def __init__(self, *args, staff: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            self.fields["visibility"].choices = [(Visibility.PUBLIC.value, _("Reply"))]
            self.fields["visibility"].widget = forms.HiddenInput()


class CommentEditForm(forms.Form):
    """One's own comment, edited as plain text; `revision` is the text the editor saw
    (`Comment.revision`), so an edit of an older text is refused, not overwriting."""

    body = forms.CharField(label=_("Edit the comment"), max_length=100_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    revision = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, comment, **kwargs) -> None:
        kwargs.setdefault("initial", {"body": html_to_plain(comment.body),
                                      "revision": comment.revision})
        super().__init__(*args, **kwargs)
        self.comment_id = comment.pk

    def service_arguments(self) -> dict:
        return {"body": plain_to_html(self.cleaned_data["body"]),
                "seen_revision": self.cleaned_data["revision"] or None}


class LinkForm(forms.Form):
    number = forms.CharField(label=_("Ticket number"), max_length=20,
                             widget=forms.TextInput(attrs={"placeholder": "INC-000123"}))
    kind = ChoiceField(label=_("Relation"), choices=LinkKind.choices)


class WatcherForm(forms.Form):
    user = ObjectChoiceField(label=_("Person"), required=True, empty_label=None)

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].set_objects(people)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    is_internal = forms.BooleanField(label=_("Agents only"), required=False)


# --- bulk actions -----------------------------------------------------------------------


BULK_ACTIONS = [("assign", _("Assign")), ("status", _("Change status")),
                ("priority", _("Set priority")), ("merge", _("Merge"))]


class BulkForm(forms.Form):
    """An action on the tickets ticked in a queue. Each box sends "number:version"."""

    action = ChoiceField(choices=BULK_ACTIONS)
    tickets = forms.CharField(required=False)  # read with getlist in clean_tickets
    team = ObjectChoiceField(label=_("Team"), empty_label=_("No team"))
    assignee = ObjectChoiceField(label=_("Agent"), empty_label=_("Nobody yet"))
    status = ChoiceField(label=_("Status"), required=False,
                               choices=[("", "—"), *Status.choices])
    pending_reason = TransitionForm.base_fields["pending_reason"]
    resolution_code = TransitionForm.base_fields["resolution_code"]
    resolution_notes = TransitionForm.base_fields["resolution_notes"]
    priority = TypedChoiceField(label=_("Priority"), required=False, coerce=int,
                                      empty_value=None, choices=[("", "—"), *Priority.choices])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    into = forms.CharField(label=_("Keep"), required=False, max_length=20)

    def __init__(self, *args, teams=(), agents=(), me=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].set_objects(
            teams, label=lambda t: f"{t.name} · {t.department.name}")
        extra = [("me", _("Me"))] if me is not None else []
        self.fields["assignee"].set_objects(agents, extra=extra)
        if me is not None:
            self.fields["assignee"].objects["me"] = me

    def clean_tickets(self) -> list[tuple[str, int]]:
        selected = []
        for value in self.data.getlist("tickets"):
            number, _colon, version = value.rpartition(":")
            if number and version.isdigit():
                selected.append((number, int(version)))
        if not selected:
            raise forms.ValidationError(_("Tick at least one ticket."), code="required")
        return selected

    def clean(self):
        data = super().clean()
        if data.get("action") == "merge":
            numbers = [number for number, _version in data.get("tickets", [])]
            if data.get("into") not in numbers:
                self.add_error("into", _("Choose which of the ticked tickets to keep."))
            elif len(numbers) < 2:
                self.add_error("into", _("Tick at least two tickets to merge."))
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", _("Choose the new status."))
        if data.get("action") == "priority" and data.get("priority") is None:
            self.add_error("priority", _("Choose the new priority."))
        return data
