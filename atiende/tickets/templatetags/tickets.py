"""How the workspace shows tickets: labels of stored values, the timeline's sentences
in the reader's language, and rich text sanitised once more on the way out."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from atiende.tickets import columns as columns_module
from atiende.tickets.models import (
    Channel,
    Event,
    Level,
    LinkKind,
    PendingReason,
    Priority,
    ResolutionCode,
    Status,
    Ticket,
)
from atiende.tickets.text import clean_html

register = template.Library()

_LABELS: dict[str, dict] = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "impact": dict(Level.choices),
    "urgency": dict(Level.choices),
    "pending_reason": dict(PendingReason.choices),
    "resolution_code": dict(ResolutionCode.choices),
    "channel": dict(Channel.choices),
    "link": dict(LinkKind.choices),
}


@register.simple_tag
def queue_rows(tickets: list[Ticket], columns: list) -> SafeString:
    """A queue page's rows (see `atiende.tickets.columns`)."""
    return columns_module.rows(tickets, columns)


@register.filter
def rich(text: str) -> SafeString:
    """Stored rich text (already cleaned when written) cleaned again before it is shown:
    rows that reached the database another way cannot inject markup either."""
    return mark_safe(clean_html(text or ""))  # noqa: S308 - nh3 output


@register.filter
def label_of(value: Any, field: str) -> str:
    """The readable label of a stored value of `field` ("pending" → "Pendiente")."""
    return str(_LABELS.get(field, {}).get(value, value if value not in (None, "") else "—"))


def _value(field: str, value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("label") or value.get("ticket") or "—")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return label_of(value, field)


def _field_name(field: str) -> str:
    try:
        return str(Ticket._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _say(message: str, **values: Any) -> SafeString:
    """`message` (translated, with %(name)s placeholders) with each value escaped."""
    return mark_safe(message % {name: value if isinstance(value, SafeString) else escape(value)  # noqa: S308
                                for name, value in values.items()})


def _status_sentence(event: Event, actor: SafeString) -> SafeString:
    old, new = event.old_value, event.new_value
    if new == Status.PENDING:
        return _say(_("%(actor)s set the ticket to pending: %(reason)s"), actor=actor,
                    reason=label_of(event.reason, "pending_reason"))
    if new == Status.RESOLVED:
        return _say(_("%(actor)s resolved the ticket (%(code)s)"), actor=actor,
                    code=label_of(event.reason, "resolution_code"))
    if old == Status.RESOLVED and new == Status.IN_PROGRESS:
        return _say(_("%(actor)s reopened the ticket"), actor=actor)
    if new == Status.CLOSED:
        return _say(_("%(actor)s closed the ticket"), actor=actor)
    if new == Status.CANCELLED:
        return _say(_("%(actor)s cancelled the ticket"), actor=actor)
    return _say(_("%(actor)s changed the status from %(old)s to %(new)s"), actor=actor,
                old=label_of(old, "status"), new=label_of(new, "status"))


def _assigned_sentence(event: Event, actor: SafeString) -> SafeString:
    new = event.new_value or {}
    team, assignee = new.get("team"), new.get("assignee")
    if assignee and event.actor_id == assignee.get("id"):
        if team:
            return _say(_("%(actor)s took the ticket (%(team)s)"), actor=actor,
                        team=team["label"])
        return _say(_("%(actor)s took the ticket"), actor=actor)
    if assignee and team:
        return _say(_("%(actor)s assigned the ticket to %(assignee)s (%(team)s)"),
                    actor=actor, assignee=assignee["label"], team=team["label"])
    if assignee:
        return _say(_("%(actor)s assigned the ticket to %(assignee)s"), actor=actor,
                    assignee=assignee["label"])
    if team:
        return _say(_("%(actor)s assigned the ticket to %(team)s"), actor=actor,
                    team=team["label"])
    return _say(_("%(actor)s unassigned the ticket"), actor=actor)


def _changed_sentence(event: Event, actor: SafeString) -> SafeString:
    field = event.field
    if field == "title":
        return _say(_("%(actor)s renamed the ticket to “%(title)s”"), actor=actor,
                    title=event.new_value or "")
    if field == "description":
        return _say(_("%(actor)s edited the description"), actor=actor)
    if field == "tags" and not event.new_value:
        return _say(_("%(actor)s removed the tags"), actor=actor)
    if field == "tags":
        return _say(_("%(actor)s set the tags to %(tags)s"), actor=actor,
                    tags=_value(field, event.new_value))
    if field == "custom_fields":
        return _say(_("%(actor)s changed the custom fields"), actor=actor)
    if event.new_value in (None, ""):
        return _say(_("%(actor)s cleared %(field)s (was %(old)s)"), actor=actor,
                    field=_field_name(field), old=_value(field, event.old_value))
    return _say(_("%(actor)s changed %(field)s from %(old)s to %(new)s"), actor=actor,
                field=_field_name(field), old=_value(field, event.old_value),
                new=_value(field, event.new_value))


def _watcher_sentence(event: Event, actor: SafeString) -> SafeString:
    added = event.kind == "watcher_added"
    person = (event.new_value if added else event.old_value) or {}
    if person.get("id") == event.actor_id:
        return _say(_("%(actor)s started watching the ticket") if added
                    else _("%(actor)s stopped watching the ticket"), actor=actor)
    return _say(_("%(actor)s added %(person)s as a watcher") if added
                else _("%(actor)s removed %(person)s from the watchers"),
                actor=actor, person=person.get("label", "—"))


def _escalated_sentence(event: Event, actor: SafeString) -> SafeString:
    if event.field == "support_line":
        return _say(_("%(actor)s escalated the ticket to support line %(line)s"),
                    actor=actor, line=event.new_value)
    team = (event.new_value or {}).get("team") or {}
    return _say(_("%(actor)s escalated the ticket to %(team)s"), actor=actor,
                team=team.get("label", "—"))


def _link_sentence(event: Event, actor: SafeString) -> SafeString:
    value = event.new_value if event.kind == "linked" else event.old_value
    value = value or {}
    if event.kind == "linked":
        return _say(_("%(actor)s linked this ticket to %(ticket)s (%(relation)s)"),
                    actor=actor, ticket=value.get("ticket", "—"),
                    relation=label_of(value.get("kind"), "link").lower())
    return _say(_("%(actor)s removed the link to %(ticket)s"), actor=actor,
                ticket=value.get("ticket", "—"))


@register.simple_tag
def event_sentence(event: Event) -> SafeString:
    """One readable sentence for an event, e.g. "Ana Gómez assigned the ticket to Redes"
    ("Ana Gómez asignó el ticket a Redes"): names in bold, every value escaped."""
    name = event.actor.display_name if event.actor else _("The system")
    actor = format_html("<strong>{}</strong>", name)
    kind = event.kind
    if kind == "created":
        return _say(_("%(actor)s registered the ticket (%(channel)s)"), actor=actor,
                    channel=label_of(event.channel, "channel").lower())
    if kind == "status":
        return _status_sentence(event, actor)
    if kind == "assigned":
        return _assigned_sentence(event, actor)
    if kind == "escalated":
        return _escalated_sentence(event, actor)
    if kind == "priority_overridden":
        return _say(_("%(actor)s set the priority to %(new)s (was %(old)s)"), actor=actor,
                    new=label_of(event.new_value, "priority"),
                    old=label_of(event.old_value, "priority"))
    if kind == "changed":
        return _changed_sentence(event, actor)
    if kind == "commented":
        internal = (event.new_value or {}).get("visibility") == "internal"
        return _say(_("%(actor)s added an internal note") if internal
                    else _("%(actor)s replied"), actor=actor)
    if kind == "comment_edited":
        return _say(_("%(actor)s edited a comment"), actor=actor)
    if kind == "comment_deleted":
        return _say(_("%(actor)s deleted a comment"), actor=actor)
    if kind == "attached":
        return _say(_("%(actor)s attached %(file)s"), actor=actor,
                    file=(event.new_value or {}).get("file_name", "—"))
    if kind in ("watcher_added", "watcher_removed"):
        return _watcher_sentence(event, actor)
    if kind in ("linked", "unlinked"):
        return _link_sentence(event, actor)
    if kind == "merged":
        return _say(_("%(actor)s merged %(ticket)s into this ticket"), actor=actor,
                    ticket=(event.new_value or {}).get("ticket", "—"))
    if kind == "merged_into":
        return _say(_("%(actor)s merged this ticket into %(ticket)s"), actor=actor,
                    ticket=(event.new_value or {}).get("ticket", "—"))
    if kind in ("sla_warning", "sla_breached"):
        return _sla_sentence(event)
    if kind in ("sla_level", "sla_escalated"):
        from atiende.sla.escalation_presentation import escalation_sentence

        return escalation_sentence(event)
    if kind in ("approval_requested", "approval_approved", "approval_rejected"):
        return _approval_sentence(event, actor)
    if kind == "satisfaction_rated":
        return _satisfaction_sentence(event, actor)
    return _say(_("%(actor)s changed the ticket"), actor=actor)


def _satisfaction_sentence(event: Event, actor: SafeString) -> SafeString:
    """The requester's satisfaction answer (staff timelines only), with their comment."""
    value = event.new_value if isinstance(event.new_value, dict) else {}
    comment = str(value.get("comment") or "")
    if comment:
        return _say(_("%(actor)s rated the service %(score)s out of 5: “%(comment)s”"),
                    actor=actor, score=value.get("score", "—"),
                    comment=comment[:300] + ("…" if len(comment) > 300 else ""))
    return _say(_("%(actor)s rated the service %(score)s out of 5"), actor=actor,
                score=value.get("score", "—"))


def _approval_sentence(event: Event, actor: SafeString) -> SafeString:
    """A catalog request's approval step asked for, or one approver's decision (with
    the comment, escaped)."""
    value = event.new_value if isinstance(event.new_value, dict) else {}
    if event.kind == "approval_requested":
        return _say(_("Approval requested (step %(step)s): %(approvers)s"),
                    step=value.get("stage", "—"), approvers=value.get("label", "—"))
    if event.kind == "approval_approved":
        sentence = _say(_("%(actor)s approved the request (step %(step)s)"), actor=actor,
                        step=value.get("stage", "—"))
    else:
        sentence = _say(_("%(actor)s rejected the request (step %(step)s)"), actor=actor,
                        step=value.get("stage", "—"))
    if event.reason:
        return format_html("{}: “{}”", sentence, event.reason)
    return sentence


def _sla_sentence(event: Event) -> SafeString:
    """A service level warning or breach, with its instant in the reader's time zone."""
    from atiende.sla.presentation import metric_label, when_text

    value = event.new_value or {}
    metric = metric_label(value.get("metric", event.field))
    if event.kind == "sla_breached":
        return _say(_("%(metric)s: the service level target was breached at %(at)s"),
                    metric=metric, at=when_text(value.get("at")))
    return _say(_("%(metric)s: %(percent)s %% of the service level target used (due "
                  "%(due)s)"), metric=metric, percent=value.get("percent", "—"),
                due=when_text(value.get("due_at")))
