"""Who may change what in organizations, departments, teams and people.

Predicates only; what an actor may *see* is decided by `atiende.core.scoping`.
"""

from __future__ import annotations

from atiende.core.models import Department, Membership, Organization, Role, Team, User
from atiende.core.scoping import scope_of


def can_create_organization(actor: User) -> bool:
    return scope_of(actor).everything


def can_administer(actor: User, organization: Organization | int) -> bool:
    """Organization admins (and provider admins) run users, departments and teams."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    return scope_of(actor).administers(organization_id)


def can_manage_department(actor: User, department: Department) -> bool:
    return scope_of(actor).administers(department.organization_id)


def can_manage_team(actor: User, team: Team) -> bool:
    """Organization admins, and the managers of the team's department."""
    scope = scope_of(actor)
    return scope.administers(team.department.organization_id) or any(
        department_id == team.department_id for _, department_id in scope.managed_department_pairs
    )


def can_manage_user(actor: User, user: User) -> bool:
    """People are managed by the admins of their home organization."""
    if user.organization_id is None:
        return scope_of(actor).everything
    return can_administer(actor, user.organization_id)


def can_grant(actor: User, *, organization: Organization, role: str) -> bool:
    """Organization admins grant roles inside their organization; only provider admins
    grant the provider admin role."""
    if role == Role.PROVIDER_ADMIN:
        return scope_of(actor).everything
    return can_administer(actor, organization)


def can_revoke(actor: User, membership: Membership) -> bool:
    return can_grant(actor, organization=membership.organization, role=membership.role)


def belongs_to(user: User, organization_id: int) -> bool:
    """Whether `user` is a person of the organization: at home there or holding a role
    there. Only such people may be its groups' members or its people's managers."""
    return user.organization_id == organization_id or Membership.objects.filter(
        user_id=user.pk, organization_id=organization_id).exists()
