"""Every change to SLA escalation levels and their actions, and running a level's
actions on a ticket.

Configuration: organization admins and provider admins (as for policies); everything
is validated before writing (a team or a person must belong to the policy's
organization, a team to the policy's department when it has one, an agent to the
team); one AuditEvent per change.

Running (`escalate`, from the outbox consumer in `atiende.sla.escalation`): under the
ticket's lock, each level of the clock up to the announced percent runs once
(`EscalationRun`); its actions go through the ticket services as Atiende itself
(`actor=None`, channel "system"), which append their own events, and one
`sla_escalated` event says in plain data what the level did (who was notified, the
new team and agent, the priority from and to, the watchers, what could not be done).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core import services as core_services
from atiende.core.models import DEPARTMENT_ROLES, Membership, Role, Team, User
from atiende.errors import Conflict, PermissionDenied, ValidationFailed
from atiende.sla import policies
from atiende.sla.escalation import ESCALATION_METRICS, crossing_instants
from atiende.sla.models import (
    EscalationAction,
    EscalationActionKind,
    EscalationLevel,
    EscalationRun,
    EscalationWhom,
    SlaClock,
    SlaPolicy,
)
from atiende.sla.services import _Errors
from atiende.tickets import services as ticket_services
from atiende.tickets.models import Event, EventKind, Priority, Ticket
from atiende.tickets.policies import visible_tickets

AUDIT_ACTIONS = {
    "sla_escalation.level_added": gettext_lazy("SLA escalation level added"),
    "sla_escalation.level_removed": gettext_lazy("SLA escalation level removed"),
    "sla_escalation.action_added": gettext_lazy("SLA escalation action added"),
    "sla_escalation.action_removed": gettext_lazy("SLA escalation action removed"),
}
MAX_PERCENT = 1000
MAX_LEVELS = 10  # per policy and clock
MAX_ACTIONS = 10  # per level
MAX_PEOPLE = 20
SYSTEM = "system"


# --- configuration ------------------------------------------------------------------------


def _require_admin(actor: User, policy: SlaPolicy) -> None:
    if not policies.can_manage_calendars(actor, policy.organization_id):
        raise PermissionDenied()


def _audit(actor: User, policy: SlaPolicy, action: str, target, changes: dict) -> None:
    core_services.audit(actor=actor, organization_id=policy.organization_id, action=action,
                        target=target, changes={"policy": policy.name, **changes})


def _percent(value: Any) -> int:
    try:
        percent = int(value)
    except (TypeError, ValueError):
        percent = 0
    if isinstance(value, bool) or str(percent) != str(value).strip() or not (
            0 < percent <= MAX_PERCENT):
        raise ValidationFailed({"percent": _("Use a whole percent from 1 to %(max)d.")
                                % {"max": MAX_PERCENT}}, code="invalid_percent")
    return percent


def escalation_level_add(*, actor: User, policy: SlaPolicy, metric: Any,
                         percent: Any) -> EscalationLevel:
    """Add a level at `percent` % of the policy's `metric` target (below 100 a warning,
    100 the breach, above it a later level). Refuses a duplicate."""
    _require_admin(actor, policy)
    errors = _Errors()
    if metric not in ESCALATION_METRICS:
        errors.add({"metric": _("Choose first response or resolution.")}, "invalid_metric")
    percent = errors.check(lambda: _percent(percent))
    errors.raise_any()
    with transaction.atomic():
        SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        existing = EscalationLevel.objects.filter(policy=policy, metric=metric)
        if existing.filter(percent=percent).exists():
            raise ValidationFailed({"percent": _("This clock already has a level at this "
                                                 "percent.")}, code="duplicate_level")
        if existing.count() >= MAX_LEVELS:
            raise ValidationFailed({"percent": _("A clock has at most %(count)d levels.")
                                    % {"count": MAX_LEVELS}}, code="too_many_levels")
        level = EscalationLevel.objects.create(policy=policy, metric=metric, percent=percent)
        _audit(actor, policy, "sla_escalation.level_added", level,
               {"metric": metric, "percent": percent})
    return level


def escalation_level_remove(*, actor: User, level: EscalationLevel) -> None:
    """Remove a level and its actions (levels already run keep their record)."""
    policy = level.policy
    _require_admin(actor, policy)
    with transaction.atomic():
        _audit(actor, policy, "sla_escalation.level_removed", level,
               {"metric": level.metric, "percent": level.percent})
        level.delete()


def _organization_people(policy: SlaPolicy, ids: list[int]) -> list[User]:
    """The active people of these ids who belong to the policy's organization (its
    people, or anyone holding a membership in it)."""
    return list(User.objects.filter(
        Q(organization_id=policy.organization_id)
        | Q(memberships__organization_id=policy.organization_id),
        pk__in=ids, is_active=True).distinct().order_by("display_name"))


def _whom(values: Any, errors: _Errors) -> list[str]:
    values = list(values or [])
    if any(value not in EscalationWhom.values for value in values):
        errors.add({"whom": _("Choose people from the list.")}, "invalid_whom")
        return []
    return list(dict.fromkeys(values))


def _team(policy: SlaPolicy, team: Any, errors: _Errors) -> Team | None:
    if not isinstance(team, Team):
        errors.add({"team_id": _("Choose the team to reassign to.")}, "required")
        return None
    department = team.department
    if not team.is_active or not department.serves(policy.organization):
        errors.add({"team_id": _("Choose a team of %(name)s.")
                    % {"name": policy.organization.name}}, "team_other_organization")
        return None
    if policy.department_id and department.pk != policy.department_id:
        errors.add({"team_id": _("Choose a team of the policy's department.")},
                   "team_other_department")
        return None
    return team


def _agent(policy: SlaPolicy, team: Team | None, agent: Any, errors: _Errors) -> User | None:
    if agent is None or team is None:
        return None
    works_there = Membership.objects.filter(
        user=agent, organization_id=policy.organization_id, department_id=team.department_id,
        role__in=DEPARTMENT_ROLES, user__is_active=True).exists()
    if not works_there or not team.members.filter(pk=agent.pk).exists():
        errors.add({"agent_id": _("Choose an agent who is a member of the team.")},
                   "agent_not_in_team")
        return None
    return agent


def escalation_action_add(*, actor: User, level: EscalationLevel, kind: Any,
                          whom: Any = (), people: Any = (), team: Any = None,
                          agent: Any = None, priority: Any = None) -> EscalationAction:
    """Add one action to a level. Notify and add-watcher need people (`whom` on the
    ticket, or `people` by id); reassign needs a team; raise-priority takes a priority
    (1-5) or none for one level up."""
    policy = level.policy
    _require_admin(actor, policy)
    errors = _Errors()
    if kind not in EscalationActionKind.values:
        errors.add({"kind": _("Choose an action from the list.")}, "invalid_kind")
    errors.raise_any()
    values: dict[str, Any] = {"kind": kind}
    chosen: list[User] = []
    if kind in (EscalationActionKind.NOTIFY, EscalationActionKind.ADD_WATCHER):
        values["whom"] = _whom(whom, errors)
        ids = list(dict.fromkeys(int(pk) for pk in people or [] if str(pk).isdigit()))
        if len(ids) != len(list(people or [])) or len(ids) > MAX_PEOPLE:
            errors.add({"people": _("Choose up to %(count)d people of the organization.")
                        % {"count": MAX_PEOPLE}}, "invalid_people")
        else:
            chosen = _organization_people(policy, ids)
            if len(chosen) != len(ids):
                errors.add({"people": _("Choose people of %(name)s.")
                            % {"name": policy.organization.name}}, "person_other_organization")
        if not errors.fields and not values["whom"] and not chosen:
            errors.add({"whom": _("Choose whom to tell.")}, "required")
    elif kind == EscalationActionKind.REASSIGN:
        values["team"] = _team(policy, team, errors)
        values["agent"] = _agent(policy, values["team"], agent, errors)
    elif kind == EscalationActionKind.RAISE_PRIORITY:
        if priority not in (None, "") and (str(priority) not in {str(v) for v in
                                                                 Priority.values}):
            errors.add({"priority": _("Use a priority from 1 to 5.")}, "invalid_choice")
        else:
            values["priority"] = int(priority) if priority not in (None, "") else None
    errors.raise_any()
    with transaction.atomic():
        EscalationLevel.objects.select_for_update().get(pk=level.pk)
        if level.actions.count() >= MAX_ACTIONS:
            raise ValidationFailed({"kind": _("A level has at most %(count)d actions.")
                                    % {"count": MAX_ACTIONS}}, code="too_many_actions")
        action = EscalationAction.objects.create(level=level, **values)
        if chosen:
            action.people.set(chosen)
        _audit(actor, policy, "sla_escalation.action_added", action,
               {"metric": level.metric, "percent": level.percent, "action": kind})
    return action


def escalation_action_remove(*, actor: User, action: EscalationAction) -> None:
    level = action.level
    _require_admin(actor, level.policy)
    with transaction.atomic():
        _audit(actor, level.policy, "sla_escalation.action_removed", action,
               {"metric": level.metric, "percent": level.percent, "action": action.kind})
        action.delete()


# --- running -------------------------------------------------------------------------------


def escalate(*, ticket_id: int, metric: str, percent: int,
             now: dt.datetime | None = None) -> list[EscalationRun]:
    """Run, once each, the levels of the ticket's `metric` clock up to `percent` that
    have not run; return the runs done now. Safe to call again (the outbox may offer an
    event twice): a level that ran is skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        clock = (SlaClock.objects.filter(ticket_id=ticket_id, metric=metric)
                 .select_related("policy__calendar").first())
        if ticket is None or clock is None:
            return []
        levels = list(EscalationLevel.objects.filter(
            policy_id=clock.policy_id, metric=metric, percent__lte=percent)
            .prefetch_related("actions__people", "actions__team", "actions__agent")
            .order_by("percent"))
        runs = {run.percent: run for run in EscalationRun.objects.filter(
            ticket=ticket, metric=metric, clock_started_at=clock.started_at,
            percent__in=[level.percent for level in levels])}
        pending = [level for level in levels
                   if level.percent not in runs or runs[level.percent].ran_at is None]
        instants = crossing_instants(ticket, clock, [level.percent for level in pending
                                                     if level.percent not in runs], now)
        done = []
        for level in pending:
            run = runs.get(level.percent)
            if run is None:
                if level.percent not in instants:
                    continue  # not reached under the target as it is now
                run = EscalationRun(ticket=ticket, metric=metric,
                                    clock_started_at=clock.started_at, percent=level.percent,
                                    crossed_at=instants[level.percent])
            ticket = Ticket.objects.get(pk=ticket.pk)
            run.done = _run_level(ticket, level, run) if ticket.is_open else {"skipped": True}
            run.ran_at = now
            run.save()
            done.append(run)
    return done


def _person(user: User) -> dict:
    return {"id": user.pk, "label": str(user)}


def _people_on_ticket(ticket: Ticket, action: EscalationAction) -> list[User]:
    """The people an action names, found on the ticket now, each once, active only."""
    found: list[User] = []
    whom = set(action.whom or [])
    if EscalationWhom.ASSIGNEE in whom and ticket.assignee_id:
        found.append(ticket.assignee)
    team = ticket.team if ticket.team_id else None
    if EscalationWhom.TEAM_MEMBERS in whom and team is not None:
        found += list(team.members.filter(is_active=True).order_by("display_name"))
    if EscalationWhom.TEAM_LEAD in whom and team is not None and team.lead_id:
        found.append(team.lead)
    if EscalationWhom.DEPARTMENT_MANAGER in whom:
        found += list(User.objects.filter(
            memberships__organization_id=ticket.organization_id,
            memberships__department_id=ticket.department_id,
            memberships__role=Role.DEPARTMENT_MANAGER).distinct().order_by("display_name"))
    if EscalationWhom.REQUESTER_MANAGER in whom and ticket.requester.manager_id:
        found.append(ticket.requester.manager)
    found += list(action.people.all())
    unique = {user.pk: user for user in found if user.is_active}
    return list(unique.values())


def _why(error: ValidationFailed | Conflict | PermissionDenied) -> str:
    fields = getattr(error, "fields", None) or {}
    return "; ".join(fields.values()) or error.message


def _sees(user: User, ticket: Ticket) -> bool:
    return Ticket.objects.filter(visible_tickets(user), pk=ticket.pk).exists()


def _run_level(ticket: Ticket, level: EscalationLevel, run: EscalationRun) -> dict:
    """Run the level's actions in order, each on its own (one that cannot be done is
    recorded and the others go on), and append the `sla_escalated` event."""
    done: dict[str, Any] = {"metric": level.metric, "percent": level.percent,
                            "at": run.crossed_at.isoformat(), "notified": [],
                            "not_notified": [], "watchers": [], "reassigned": None,
                            "priority": None, "failed": []}
    for action in level.actions.all():
        try:
            with transaction.atomic():
                ticket = _run_action(ticket, level, action, done)
        except (ValidationFailed, Conflict, PermissionDenied) as error:
            done["failed"].append({"action": action.kind, "code": error.code,
                                   "error": _why(error)})
            ticket = Ticket.objects.get(pk=ticket.pk)
    Event.objects.create(ticket=ticket, actor=None, channel=SYSTEM,
                         kind=EventKind.SLA_ESCALATED, field=level.metric, new_value=done,
                         ticket_version=ticket.version)
    return done


def _run_action(ticket: Ticket, level: EscalationLevel, action: EscalationAction,
                done: dict) -> Ticket:
    kind = action.kind
    if kind == EscalationActionKind.NOTIFY:
        for user in _people_on_ticket(ticket, action):
            listed = done["notified"] if _sees(user, ticket) else done["not_notified"]
            if all(person["id"] != user.pk for person in listed):
                listed.append(_person(user))
    elif kind == EscalationActionKind.ADD_WATCHER:
        for user in _people_on_ticket(ticket, action):
            with transaction.atomic():
                try:
                    ticket_services.watcher_add(actor=None, ticket=ticket, user=user,
                                                channel=SYSTEM)
                except ValidationFailed as error:
                    done["failed"].append({"action": kind, "person": _person(user),
                                           "code": error.code, "error": _why(error)})
                    continue
            done["watchers"].append(_person(user))
    elif kind == EscalationActionKind.REASSIGN:
        old = {"team": str(ticket.team or ""), "assignee": str(ticket.assignee or "")}
        ticket = ticket_services.ticket_assign(actor=None, ticket=ticket, team=action.team,
                                               assignee=action.agent, version=ticket.version,
                                               channel=SYSTEM)
        done["reassigned"] = {"old": old, "team": str(action.team),
                              "assignee": str(action.agent) if action.agent else ""}
    elif kind == EscalationActionKind.RAISE_PRIORITY:
        wanted = action.priority or max(ticket.priority - 1, Priority.CRITICAL)
        if wanted < ticket.priority:
            old = ticket.priority
            # Stored text: in the organization's language, not the worker's.
            with translation.override(ticket.organization.language or None):
                reason = _("SLA escalation at %(percent)s %% of the target") % {
                    "percent": level.percent}
            ticket = ticket_services.ticket_set_priority(
                actor=None, ticket=ticket, priority=wanted, reason=reason,
                version=ticket.version, channel=SYSTEM)
            done["priority"] = {"old": old, "new": wanted}
    return ticket
