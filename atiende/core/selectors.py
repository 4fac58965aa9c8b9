"""Reads of organizations, departments, teams and people, always through the scope.

Each `*_get` raises NotFound for what does not exist and for what the actor may not
see alike, so nobody learns what lies outside their scope.
"""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from atiende.core import policies
from atiende.core.models import (
    DEPARTMENT_ROLES,
    ApiToken,
    AuditEvent,
    Department,
    Membership,
    Organization,
    PersonGroup,
    Team,
    User,
    serving,
)
from atiende.core.scoping import own_memberships, scope_of
from atiende.errors import NotFound


def _get(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def organization_list(*, actor: User) -> QuerySet[Organization]:
    scope = scope_of(actor)
    queryset = Organization.objects.all()
    if scope.everything:
        return queryset
    return queryset.filter(pk__in=scope.visible_organizations)


def organization_get(*, actor: User, organization_id: int) -> Organization:
    return _get(organization_list(actor=actor), pk=organization_id)


def organization_get_by_slug(*, actor: User, slug: str) -> Organization:
    return _get(organization_list(actor=actor), slug=slug)


def department_list(*, actor: User, organization_id: int | None = None) -> QuerySet[Department]:
    """Departments the actor works in, plus, for organization admins and requesters,
    every department that serves their organization (its own and the shared ones)."""
    scope = scope_of(actor)
    queryset = Department.objects.select_related("organization")
    if not scope.everything:
        served = scope.administered_organizations | scope.requester_organizations
        condition = Q(pk__in=scope.staff_department_ids) | Q(organization__in=served)
        if served:
            condition |= Q(is_shared=True, organization__is_provider=True)
        queryset = queryset.filter(condition)
    if organization_id is not None:
        queryset = queryset.filter(serving([organization_id]))
    return queryset


def department_get(*, actor: User, department_id: int) -> Department:
    return _get(department_list(actor=actor), pk=department_id)


def team_list(*, actor: User, department_id: int | None = None) -> QuerySet[Team]:
    """Teams of the departments the actor works in or administers. Requesters see none."""
    scope = scope_of(actor)
    queryset = Team.objects.select_related("department", "department__organization", "lead")
    if not scope.everything:
        queryset = queryset.filter(
            Q(department_id__in=scope.staff_department_ids)
            | Q(department__organization_id__in=scope.administered_organizations)
        )
    if department_id is not None:
        queryset = queryset.filter(department_id=department_id)
    return queryset


def team_get(*, actor: User, team_id: int) -> Team:
    return _get(team_list(actor=actor).prefetch_related("members"), pk=team_id)


def user_list(
    *, actor: User, organization_id: int | None = None, search: str = ""
) -> QuerySet[User]:
    """People the actor may see: themselves; for staff, the people of the organizations
    they serve and their colleagues in the same departments; for organization admins,
    everyone who belongs to or works for their organization."""
    scope = scope_of(actor)
    queryset = User.objects.select_related("organization")
    if not scope.everything:
        colleagues = Membership.objects.filter(
            Q(department_id__in=scope.staff_department_ids)
            | Q(organization_id__in=scope.administered_organizations)
        ).values("user_id")
        queryset = queryset.filter(
            Q(pk=actor.pk)
            | Q(organization_id__in=scope.staff_organizations)
            | Q(pk__in=colleagues)
        )
    if organization_id is not None:
        queryset = queryset.filter(organization_id=organization_id)
    if search:
        queryset = queryset.filter(
            Q(display_name__icontains=search) | Q(email__icontains=search)
        )
    return queryset


def user_get(*, actor: User, user_id: int) -> User:
    return _get(user_list(actor=actor), pk=user_id)


def memberships_of(*, actor: User, user: User) -> QuerySet[Membership]:
    """The user's memberships the actor may see: their own, or those in organizations
    the actor serves."""
    scope = scope_of(actor)
    queryset = Membership.objects.filter(user=user).select_related("organization", "department")
    if not scope.everything and actor.pk != user.pk:
        queryset = queryset.filter(organization_id__in=scope.staff_organizations)
    # Organization-wide roles (no department) first on every database: SQLite sorts
    # NULL first and PostgreSQL last unless told.
    return queryset.order_by(
        "organization__name", F("department__name").asc(nulls_first=True), "role"
    )


def _membership_order(membership: Membership) -> tuple:
    department = membership.department
    return (membership.organization.name, department is not None,
            department.name if department else "", membership.role)


def me(*, actor: User) -> User:
    """The caller with their memberships, from the query that built their scope."""
    actor.visible_memberships = sorted(own_memberships(actor), key=_membership_order)
    return actor


def membership_get(*, actor: User, user: User, membership_id: int) -> Membership:
    return _get(memberships_of(actor=actor, user=user), pk=membership_id)


def user_with_memberships(*, actor: User, user_id: int) -> User:
    user = user_get(actor=actor, user_id=user_id)
    user.visible_memberships = list(memberships_of(actor=actor, user=user))
    return user


def users_with_memberships(queryset: QuerySet[User], *, actor: User) -> QuerySet[User]:
    """Attach visible memberships in one extra query, for lists."""
    scope = scope_of(actor)
    memberships = Membership.objects.select_related("organization", "department")
    if not scope.everything:
        memberships = memberships.filter(
            Q(organization_id__in=scope.staff_organizations) | Q(user_id=actor.pk)
        )
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
    )


def department_agents(*, actor: User, department: Department) -> QuerySet[Membership]:
    """Who works in a department the actor may see (agents, leads, managers)."""
    department_get(actor=actor, department_id=department.pk)
    return Membership.objects.filter(
        department=department, role__in=DEPARTMENT_ROLES
    ).select_related("user", "organization").order_by("user__display_name")


def team_candidates(*, actor: User, team: Team) -> QuerySet[User]:
    """Agents of the team's department who are not yet members."""
    working = Membership.objects.filter(
        department_id=team.department_id, role__in=DEPARTMENT_ROLES
    ).values("user_id")
    return user_list(actor=actor).filter(pk__in=working, is_active=True).exclude(
        teams=team
    ).order_by("display_name")


def group_list(*, actor: User, organization_id: int) -> QuerySet[PersonGroup]:
    """Groups of people of an organization the actor administers (none otherwise)."""
    if not scope_of(actor).administers(organization_id):
        return PersonGroup.objects.none()
    return PersonGroup.objects.filter(organization_id=organization_id)


def group_get(*, actor: User, organization_id: int, group_id: int) -> PersonGroup:
    return _get(group_list(actor=actor, organization_id=organization_id).select_related(
        "organization").prefetch_related("members"), pk=group_id)


def person_by_email(*, actor: User, organization_id: int, email: str) -> User:
    """A person of the organization, found by e-mail for the admin pages that name one
    (a group's new member, someone's manager); NotFound for anyone else."""
    person = user_list(actor=actor).filter(email__iexact=str(email or "").strip()).first()
    if person is None or not policies.belongs_to(person, organization_id):
        raise NotFound(_("No person of this organization has that e-mail address."))
    return person


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)


def token_get(*, actor: User, token_id: int) -> ApiToken:
    return _get(token_list(actor=actor), pk=token_id)


def audit_list(*, actor: User, organization_id: int) -> QuerySet[AuditEvent]:
    scope = scope_of(actor)
    if not scope.administers(organization_id):
        raise NotFound()
    return AuditEvent.objects.filter(organization_id=organization_id).select_related("actor")


def home_summary(*, actor: User) -> dict:
    """What the start page shows: the actor's desks, teams and organizations."""
    scope = scope_of(actor)
    desks = Membership.objects.filter(
        user=actor, department__isnull=False
    ).exclude(role="requester").select_related("organization", "department").order_by(
        "organization__name", "department__name"
    )
    teams = Team.objects.filter(members=actor, is_active=True).select_related(
        "department", "department__organization"
    ).annotate(member_count=Count("members"))
    administered = organization_list(actor=actor).filter(
        pk__in=scope.administered_organizations
    ) if not scope.everything else Organization.objects.all()
    administered = administered.annotate(
        people_count=Count("people", distinct=True),
        department_count=Count("departments", distinct=True),
    )
    return {
        "desks": list(desks),
        "teams": list(teams),
        "administered": list(administered),
        "served_departments": list(
            department_list(actor=actor).filter(
                serving(scope.requester_organizations)).filter(is_active=True)
        ) if scope.requester_organizations else [],
    }
