"""Reads for the escalation editor. The policy itself is read through the scope first
(`atiende.sla.selectors.sla_policy_get`); these read what belongs to it, and the
choices an admin may pick for it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from atiende.core.models import DEPARTMENT_ROLES, Role, Team, User, serving
from atiende.errors import NotFound
from atiende.sla.models import EscalationAction, EscalationLevel, SlaPolicy


def escalation_levels(*, policy: SlaPolicy) -> list[EscalationLevel]:
    """The policy's levels, by clock and percent, with their actions and whom they name
    (a fixed number of queries however many there are)."""
    return list(EscalationLevel.objects.filter(policy=policy)
                .prefetch_related("actions__people", "actions__team", "actions__agent")
                .order_by("metric", "percent"))


def escalation_level_get(*, policy: SlaPolicy, level_id: int) -> EscalationLevel:
    level = EscalationLevel.objects.filter(policy=policy, pk=level_id).first()
    if level is None:
        raise NotFound()
    return level


def escalation_action_get(*, policy: SlaPolicy, action_id: int) -> EscalationAction:
    action = (EscalationAction.objects.filter(level__policy=policy, pk=action_id)
              .select_related("level__policy").first())
    if action is None:
        raise NotFound()
    return action


def escalation_teams(*, policy: SlaPolicy) -> QuerySet[Team]:
    """Active teams a level may reassign to: of the policy's department, or of any desk
    serving its organization when the policy has none."""
    teams = Team.objects.filter(serving([policy.organization_id], via="department__"),
                                is_active=True, department__is_active=True)
    if policy.department_id:
        teams = teams.filter(department_id=policy.department_id)
    return teams.select_related("department").order_by("department__name", "name")


def escalation_people(*, policy: SlaPolicy) -> QuerySet[User]:
    """People a level may name: the organization's staff and admins."""
    return (User.objects.filter(
        Q(memberships__role__in=sorted(DEPARTMENT_ROLES))
        | Q(memberships__role=Role.ORGANIZATION_ADMIN),
        memberships__organization_id=policy.organization_id, is_active=True)
        .distinct().order_by("display_name"))
