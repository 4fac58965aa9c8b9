"""SLA escalations in plain words, in the reader's language and time zone: the ticket
timeline's sentences for `sla_level` and `sla_escalated` events, and the labels of the
escalation editor."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from atiende.sla.models import EscalationAction, EscalationActionKind, EscalationWhom
from atiende.sla.presentation import metric_label, when_text
from atiende.tickets.models import Event, Priority


def _names(people: list) -> str:
    return ", ".join(str(person.get("label", "—")) for person in people
                     if isinstance(person, dict))


def _priority(value) -> str:
    return str(dict(Priority.choices).get(value, value))


def escalation_parts(value: dict) -> list[str]:
    """What an escalation level did, one plain phrase each (unescaped)."""
    parts = []
    reassigned = value.get("reassigned")
    if reassigned:
        if reassigned.get("assignee"):
            parts.append(_("reassigned to %(assignee)s (%(team)s)") % {
                "assignee": reassigned["assignee"], "team": reassigned.get("team", "—")})
        else:
            parts.append(_("reassigned to %(team)s") % {"team": reassigned.get("team", "—")})
    priority = value.get("priority")
    if priority:
        parts.append(_("priority raised from %(old)s to %(new)s") % {
            "old": _priority(priority.get("old")), "new": _priority(priority.get("new"))})
    if value.get("notified"):
        parts.append(_("notified %(people)s") % {"people": _names(value["notified"])})
    if value.get("watchers"):
        parts.append(_("added %(people)s as watchers") % {"people": _names(value["watchers"])})
    if value.get("not_notified"):
        parts.append(_("could not notify %(people)s (they cannot see the ticket)") % {
            "people": _names(value["not_notified"])})
    kinds = dict(EscalationActionKind.choices)
    for failure in value.get("failed") or []:
        parts.append(_("could not do “%(action)s”: %(why)s") % {
            "action": kinds.get(failure.get("action"), failure.get("action")),
            "why": failure.get("error", "—")})
    return parts


def escalation_sentence(event: Event) -> SafeString:
    """"Resolution: escalation at 150 % of the target (reached …): notified Lucía Prieto"
    with every value escaped."""
    value = event.new_value if isinstance(event.new_value, dict) else {}
    metric = metric_label(value.get("metric", event.field))
    if event.kind == "sla_level":
        text = _("%(metric)s: %(percent)s %% of the service level target reached at "
                 "%(at)s") % {"metric": metric, "percent": value.get("percent", "—"),
                              "at": when_text(value.get("at"))}
        return mark_safe(escape(text))  # noqa: S308 - escaped whole
    if value.get("skipped"):
        parts = [_("nothing done, the ticket was no longer open")]
    else:
        parts = escalation_parts(value) or [_("nothing to do")]
    text = _("%(metric)s: escalation at %(percent)s %% of the target (reached %(at)s): "
             "%(done)s") % {"metric": metric, "percent": value.get("percent", "—"),
                            "at": when_text(value.get("at")), "done": "; ".join(parts)}
    return mark_safe(escape(text))  # noqa: S308 - escaped whole


def action_text(action: EscalationAction) -> str:
    """One configured action in words, for the editor."""
    whom = dict(EscalationWhom.choices)
    if action.kind in (EscalationActionKind.NOTIFY, EscalationActionKind.ADD_WATCHER):
        people = [str(whom.get(value, value)).lower() for value in action.whom or []]
        people += [str(person) for person in action.people.all()]
        listed = ", ".join(people) or "—"
        if action.kind == EscalationActionKind.NOTIFY:
            return _("Notify %(people)s") % {"people": listed}
        return _("Add %(people)s as watchers") % {"people": listed}
    if action.kind == EscalationActionKind.REASSIGN:
        if action.agent_id:
            return _("Reassign to %(agent)s (%(team)s)") % {"agent": action.agent,
                                                             "team": action.team}
        return _("Reassign to %(team)s") % {"team": action.team}
    if action.priority:
        return _("Raise the priority to %(priority)s") % {
            "priority": _priority(action.priority)}
    return _("Raise the priority by one level")
