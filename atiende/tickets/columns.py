"""The columns a queue can show, and how each renders its cell.

A queue page is fifty rows of up to a dozen cells; rendered by the template engine
they would be the slowest part of the page, so each column renders its cell here, as
a string in which every value is escaped with `html.escape` (what Django's `escape`
does, without its per-call overhead). A column also names the fields its cell reads,
so the queue's query loads those and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.tickets.models import Channel, Kind, Priority, Status, Ticket

# What every row needs whatever its columns: the link, the checkbox's value.
ROW_FIELDS = ("id", "number", "version")
NONE = '<span class="muted">—</span>'

_PRIORITIES = dict(Priority.choices)
_STATUSES = dict(Status.choices)
_KINDS = dict(Kind.choices)
_CHANNELS = dict(Channel.choices)


def _text(value) -> str:
    return escape(str(value))


def _label(labels: dict, value) -> str:
    return _text(labels.get(value, value))


def _muted(text: str) -> str:
    return f'<small class="muted"> · {_text(text)}</small>'


def _link(url: str, text: str, css: str = "") -> str:
    css = f' class="{css}"' if css else ""
    return f'<a href="{_text(url)}"{css}>{_text(text)}</a>'


def _moment(value, *, relative: bool) -> str:
    if value is None:
        return NONE
    local = timezone.localtime(value)
    shown = naturaltime(value) if relative else date_format(local, "SHORT_DATETIME_FORMAT")
    return (f'<time datetime="{local.isoformat()}" '
            f'title="{_text(date_format(local, "DATETIME_FORMAT"))}">{_text(shown)}</time>')


def _priority(ticket: Ticket) -> str:
    label = str(_PRIORITIES.get(ticket.priority, ticket.priority))
    return (f'<span class="badge prio prio-{int(ticket.priority)}" title="{_text(label)}">'
            f'P{int(ticket.priority)}<span class="prio-name">{_text(label[2:])}</span></span>')


def _status(ticket: Ticket) -> str:
    return (f'<span class="badge status status-{_text(ticket.status)}">'
            f"{_label(_STATUSES, ticket.status)}</span>")


def _assignee(ticket: Ticket) -> str:
    who = (_text(ticket.assignee.display_name) if ticket.assignee_id
           else f'<span class="muted">{_text(_("Unassigned"))}</span>')
    return who + _muted(ticket.team.name) if ticket.team_id else who


def _optional(related: str) -> Callable[[Ticket, str], str]:
    def cell(ticket: Ticket, url: str) -> str:
        item = getattr(ticket, related) if getattr(ticket, f"{related}_id") else None
        return _text(item.name) if item else NONE
    return cell


def _sla(ticket: Ticket) -> str:
    """Time left or overdue of the ticket's most urgent clock, coloured; "Paused" or
    "Met" without a due time (see atiende.sla.presentation)."""
    from atiende.sla.presentation import time_left_text, tone

    state = ticket.sla_state
    if not state:
        return NONE
    now = timezone.now()
    if ticket.sla_due_at is not None:
        text = time_left_text(ticket.sla_due_at, now)
        title = date_format(timezone.localtime(ticket.sla_due_at), "DATETIME_FORMAT")
        return (f'<span class="badge badge-{tone(state, ticket.sla_due_at, now)}" '
                f'title="{_text(title)}">{_text(text)}</span>')
    label = _("Paused") if state == "paused" else _("Met") if state == "met" else state
    return f'<span class="badge badge-{tone(state, None, now)}">{_text(label)}</span>'


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    fields: tuple[str, ...]
    cell: Callable[[Ticket, str], str]  # (ticket, its URL) -> escaped HTML


COLUMNS: dict[str, Column] = {column.key: column for column in (
    Column("number", gettext_lazy("Number"), (),
           lambda ticket, url: _link(url, ticket.number)),
    Column("title", gettext_lazy("Title"), ("title",),
           lambda ticket, url: _link(url, ticket.title, "ticket-title")),
    Column("kind", gettext_lazy("Kind"), ("kind",),
           lambda ticket, url: _label(_KINDS, ticket.kind)),
    Column("requester", gettext_lazy("Requester"), ("requester__display_name",),
           lambda ticket, url: _text(ticket.requester.display_name)),
    Column("where", gettext_lazy("Organization / department"),
           ("organization__name", "department__name"),
           lambda ticket, url: _text(ticket.organization.name) + _muted(ticket.department.name)),
    Column("category", gettext_lazy("Category"), ("category__name",), _optional("category")),
    Column("service", gettext_lazy("Service"), ("service__name",), _optional("service")),
    Column("priority", gettext_lazy("Priority"), ("priority",),
           lambda ticket, url: _priority(ticket)),
    Column("status", gettext_lazy("Status"), ("status",), lambda ticket, url: _status(ticket)),
    Column("sla", gettext_lazy("SLA"), ("sla_due_at", "sla_state"),
           lambda ticket, url: _sla(ticket)),
    Column("assignee", gettext_lazy("Assignee"), ("assignee__display_name", "team__name"),
           lambda ticket, url: _assignee(ticket)),
    Column("channel", gettext_lazy("Channel"), ("channel",),
           lambda ticket, url: _label(_CHANNELS, ticket.channel)),
    Column("created", gettext_lazy("Created"), ("created_at",),
           lambda ticket, url: _moment(ticket.created_at, relative=False)),
    Column("updated", gettext_lazy("Updated"), ("updated_at",),
           lambda ticket, url: _moment(ticket.updated_at, relative=True)),
)}

DEFAULT_COLUMNS = ("number", "title", "requester", "where", "priority", "status", "assignee",
                   "updated")


def chosen(keys: Iterable[str]) -> list[Column]:
    """The columns named in `keys`, in the queue's order; the default set when none is
    known (the number always shows: it is how a row is opened without a title)."""
    wanted = {key for key in keys if key in COLUMNS}
    if not wanted:
        wanted = set(DEFAULT_COLUMNS)
    wanted.add("number")
    return [column for key, column in COLUMNS.items() if key in wanted]


def row_fields(columns: Iterable[Column]) -> tuple[str, ...]:
    """The fields a page of rows with `columns` loads."""
    fields = list(ROW_FIELDS)
    for column in columns:
        fields += [name for name in column.fields if name not in fields]
    return tuple(fields)


def related(fields: Iterable[str]) -> tuple[str, ...]:
    """The relations `fields` reach through (to join in the same query)."""
    return tuple(dict.fromkeys(name.split("__")[0] for name in fields if "__" in name))


def rows(tickets: Iterable[Ticket], columns: list[Column]) -> SafeString:
    """The rows of a queue page: a checkbox for bulk actions (its value carries the
    version the agent saw), then a cell per column."""
    # One reverse for the page: ticket numbers are letters, digits and a dash.
    url_of = reverse("ticket_detail", args=["NUMBER"]).replace("NUMBER", "{}")
    tick = _("Tick %(number)s")
    html = []
    for ticket in tickets:
        url = url_of.format(ticket.number)
        number = _text(ticket.number)
        html.append(
            f'<tr class="queue-row" data-href="{_text(url)}" data-number="{number}">'
            f'<td class="col-select"><input type="checkbox" name="tickets" '
            f'value="{number}:{int(ticket.version)}" form="bulk-form" '
            f'aria-label="{_text(tick % {"number": ticket.number})}"></td>')
        html += [f'<td class="col-{column.key}">{column.cell(ticket, url)}</td>'
                 for column in columns]
        html.append("</tr>")
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above
