"""Every change to organizations, departments, teams, people, memberships and tokens.

Each service checks permission first, validates, writes inside one transaction,
records an AuditEvent, and schedules side effects after commit. Errors are the
project's own (`atiende.errors`), with messages in the active language.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from atiende.core import policies
from atiende.core.models import (
    DEPARTMENT_ROLES,
    ApiToken,
    AuditEvent,
    Department,
    DepartmentFunction,
    Membership,
    Organization,
    PersonGroup,
    Role,
    Team,
    User,
    hash_token,
)
from atiende.core.scoping import forget_scope
from atiende.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.validation import choice, text

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# --- shared validation ------------------------------------------------------------------


def _language(name: str, value: str) -> str:
    return choice(value, name, LANGUAGE_CODES)


def _time_zone(name: str, value: str) -> str:
    if value not in time_zone_names():
        raise ValidationFailed(
            {name: _("“%(value)s” is not a known time zone.") % {"value": value}},
            code="invalid_time_zone",
        )
    return value


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        if len(email) > 254:  # RFC 5321's limit, and the column's
            raise DjangoValidationError("too long")
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            {"email": _("Enter a valid e-mail address.")}, code="invalid_email"
        ) from None
    return email


def _unknown_fields(changes: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(
            {name: _("Unknown field.") for name in unknown}, code="unknown_field"
        )


def _name_taken(queryset, name: str) -> bool:
    """Whether a row of `queryset` already has `name`, ignoring case in every language:
    SQLite's `iexact` folds only ASCII, so "TECNOLOGÍA" would not match "Tecnología"."""
    folded = name.casefold()
    return any(other.casefold() == folded for other in queryset.values_list("name", flat=True))


def _unique_slug(model, base: str, **scope) -> str:
    slug = slugify(base)[:50] or "x"
    candidate, counter = slug, 2
    while model.objects.filter(slug=candidate, **scope).exists():
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate


def audit(
    *, actor: User | None, organization_id: int | None, action: str, target,
    changes: dict | None = None, channel: str = "web",
) -> None:
    """Record an administrative change in its organization's activity log. Every app's
    services call this in the transaction of the change (None actor: the system)."""
    AuditEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        organization_id=organization_id,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=str(target)[:255],
        changes=changes or {},
        channel=channel,
    )


def apply_changes(instance, values: Mapping[str, Any]) -> dict[str, list]:
    """Set the values that differ; return {field: [old, new]} for the audit trail."""
    changed = {}
    for name, value in values.items():
        old = getattr(instance, name)
        if old != value:
            setattr(instance, name, value)
            changed[name] = [_plain(old), _plain(value)]
    return changed


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# --- organizations ----------------------------------------------------------------------


def organization_create(
    *, actor: User, name: str, slug: str = "", language: str = "es",
    time_zone: str = "America/Bogota", country: str = "CO", channel: str = "web",
) -> Organization:
    if not policies.can_create_organization(actor):
        raise PermissionDenied()
    name = text(name, "name", max_length=200)
    with transaction.atomic():
        organization = Organization.objects.create(
            name=name,
            slug=_validated_slug(Organization, slug or name, explicit=bool(slug)),
            language=_language("language", language),
            time_zone=_time_zone("time_zone", time_zone),
            country=_country(country),
        )
        audit(actor=actor, organization_id=organization.pk, action="organization.created",
               target=organization, channel=channel)
    return organization


ORGANIZATION_FIELDS = {"name", "language", "time_zone", "country", "is_active"}


def organization_update(
    *, actor: User, organization: Organization, changes: Mapping[str, Any], channel: str = "web"
) -> Organization:
    if not policies.can_administer(actor, organization):
        raise PermissionDenied()
    _unknown_fields(changes, ORGANIZATION_FIELDS)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = text(changes["name"], "name", max_length=200)
    if "language" in changes:
        values["language"] = _language("language", changes["language"])
    if "time_zone" in changes:
        values["time_zone"] = _time_zone("time_zone", changes["time_zone"])
    if "country" in changes:
        values["country"] = _country(changes["country"])
    if "is_active" in changes:
        if organization.is_provider and not changes["is_active"]:
            raise ValidationFailed({"is_active": _("The provider cannot be deactivated.")})
        values["is_active"] = bool(changes["is_active"])
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        changed = apply_changes(organization, values)
        if changed:
            organization.save(update_fields=list(changed))
            audit(actor=actor, organization_id=organization.pk, action="organization.updated",
                   target=organization, changes=changed, channel=channel)
    return organization


def _country(value: str) -> str:
    country = (value or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationFailed({"country": _("Use a two-letter country code, such as CO.")})
    return country


def _validated_slug(model, value: str, *, explicit: bool, **scope) -> str:
    if not explicit:
        return _unique_slug(model, value, **scope)
    slug = slugify(value)
    if not slug or slug != value:
        raise ValidationFailed(
            {"slug": _("Use only lowercase letters, numbers and hyphens.")}, code="invalid_slug"
        )
    if model.objects.filter(slug=slug, **scope).exists():
        raise ValidationFailed({"slug": _("This short name is already taken.")},
                               code="duplicate_slug")
    return slug


# --- departments ------------------------------------------------------------------------


def department_create(
    *, actor: User, organization: Organization, name: str, slug: str = "",
    function: str = DepartmentFunction.OTHER, is_shared: bool = False, channel: str = "web",
) -> Department:
    if not policies.can_administer(actor, organization):
        raise PermissionDenied()
    name = text(name, "name", max_length=120)
    function = choice(function, "function", DepartmentFunction.values)
    if is_shared and not organization.is_provider:
        raise ValidationFailed(
            {"is_shared": _("Only departments of the provider can be shared.")}
        )
    with transaction.atomic():
        if _name_taken(Department.objects.filter(organization=organization), name):
            raise ValidationFailed({"name": _("This organization already has a department "
                                              "with this name.")}, code="duplicate_name")
        department = Department.objects.create(
            organization=organization, name=name, function=function, is_shared=is_shared,
            slug=_validated_slug(Department, slug or name, explicit=bool(slug),
                                 organization=organization),
        )
        audit(actor=actor, organization_id=organization.pk, action="department.created",
               target=department, channel=channel)
    return department


DEPARTMENT_FIELDS = {"name", "function", "is_shared", "is_active", "requesters_share_tickets"}


def department_update(
    *, actor: User, department: Department, changes: Mapping[str, Any], channel: str = "web"
) -> Department:
    if not policies.can_manage_department(actor, department):
        raise PermissionDenied()
    _unknown_fields(changes, DEPARTMENT_FIELDS)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = text(changes["name"], "name", max_length=120)
        others = Department.objects.filter(
            organization_id=department.organization_id
        ).exclude(pk=department.pk)
        if _name_taken(others, values["name"]):
            raise ValidationFailed({"name": _("This organization already has a department "
                                              "with this name.")}, code="duplicate_name")
    if "function" in changes:
        values["function"] = choice(changes["function"], "function", DepartmentFunction.values)
    if "is_shared" in changes:
        if changes["is_shared"] and not department.organization.is_provider:
            raise ValidationFailed(
                {"is_shared": _("Only departments of the provider can be shared.")}
            )
        values["is_shared"] = bool(changes["is_shared"])
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    if "requesters_share_tickets" in changes:
        values["requesters_share_tickets"] = bool(changes["requesters_share_tickets"])
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk)
        changed = apply_changes(department, values)
        if changed:
            department.save(update_fields=list(changed))
            audit(actor=actor, organization_id=department.organization_id,
                   action="department.updated", target=department, changes=changed,
                   channel=channel)
    return department


# --- teams ------------------------------------------------------------------------------


def _works_in_department(user: User, department: Department) -> bool:
    return Membership.objects.filter(
        user=user, department=department, role__in=DEPARTMENT_ROLES
    ).exists()


def team_create(
    *, actor: User, department: Department, name: str, description: str = "",
    lead: User | None = None, channel: str = "web",
) -> Team:
    probe = Team(department=department)
    if not policies.can_manage_team(actor, probe):
        raise PermissionDenied()
    name = text(name, "name", max_length=120)
    description = text(description, "description", max_length=2000,
                        required=False)
    with transaction.atomic():
        if _name_taken(Team.objects.filter(department=department), name):
            raise ValidationFailed({"name": _("This department already has a team with this "
                                              "name.")}, code="duplicate_name")
        team = Team.objects.create(department=department, name=name, description=description)
        audit(actor=actor, organization_id=department.organization_id, action="team.created",
               target=team, channel=channel)
        if lead is not None:
            _team_add(actor=actor, team=team, user=lead, channel=channel)
            team.lead = lead
            team.save(update_fields=["lead"])
    return team


TEAM_FIELDS = {"name", "description", "lead_id", "is_active"}


def team_update(
    *, actor: User, team: Team, changes: Mapping[str, Any], channel: str = "web"
) -> Team:
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied()
    _unknown_fields(changes, TEAM_FIELDS)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = text(changes["name"], "name", max_length=120)
        if _name_taken(Team.objects.filter(department_id=team.department_id
                                           ).exclude(pk=team.pk), values["name"]):
            raise ValidationFailed({"name": _("This department already has a team with this "
                                              "name.")}, code="duplicate_name")
    if "description" in changes:
        values["description"] = text(changes["description"], "description", max_length=2000,
                                     required=False)
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("department").get(pk=team.pk)
        if "lead_id" in changes:
            lead_id = changes["lead_id"]
            if lead_id is not None and not team.members.filter(pk=lead_id).exists():
                raise ValidationFailed({"lead_id": _("The team lead must be a member of the "
                                                     "team.")}, code="lead_not_member")
            values["lead_id"] = lead_id
        changed = apply_changes(team, values)
        if changed:
            team.save(update_fields=list(changed))
            audit(actor=actor, organization_id=team.department.organization_id,
                   action="team.updated", target=team, changes=changed, channel=channel)
    return team


def team_member_add(*, actor: User, team: Team, user: User, channel: str = "web") -> None:
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied()
    with transaction.atomic():
        _team_add(actor=actor, team=team, user=user, channel=channel)


def _team_add(*, actor: User, team: Team, user: User, channel: str) -> None:
    if not _works_in_department(user, team.department):
        raise ValidationFailed(
            {"user_id": _("Only agents of the department “%(department)s” can join this team.")
             % {"department": team.department.name}}, code="not_in_department",
        )
    if team.members.filter(pk=user.pk).exists():
        return
    team.members.add(user)
    audit(actor=actor, organization_id=team.department.organization_id,
           action="team.member_added", target=team, changes={"user": [None, user.pk]},
           channel=channel)


def team_member_remove(*, actor: User, team: Team, user: User, channel: str = "web") -> None:
    if not policies.can_manage_team(actor, team):
        raise PermissionDenied()
    with transaction.atomic():
        if not team.members.filter(pk=user.pk).exists():
            raise NotFound(_("This person is not a member of the team."))
        team.members.remove(user)
        if team.lead_id == user.pk:
            team.lead = None
            team.save(update_fields=["lead"])
        audit(actor=actor, organization_id=team.department.organization_id,
               action="team.member_removed", target=team, changes={"user": [user.pk, None]},
               channel=channel)


# --- people -----------------------------------------------------------------------------


def user_create(
    *, actor: User, organization: Organization, email: str, display_name: str,
    role: str | None = Role.REQUESTER, department: Department | None = None,
    language: str | None = None, time_zone: str | None = None, phone: str = "",
    password: str | None = None, invite: bool = True, channel: str = "web",
) -> User:
    """Create a person whose home is `organization`, with a first membership when
    `role` is given, and (after commit) e-mail them an invitation to choose a password."""
    allowed = (policies.can_grant(actor, organization=organization, role=role) if role
               else policies.can_administer(actor, organization))
    if not allowed:
        raise PermissionDenied()
    email = _email(email)
    display_name = text(display_name, "display_name", max_length=150)
    phone = text(phone, "phone", max_length=40, required=False)
    language = _language("language", language or organization.language)
    time_zone = _time_zone("time_zone", time_zone or organization.time_zone)
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise _duplicate_email()
            user = User(email=email, display_name=display_name, organization=organization,
                        language=language, time_zone=time_zone, phone=phone)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            audit(actor=actor, organization_id=organization.pk, action="user.created",
                   target=user, changes={"email": [None, email]}, channel=channel)
            if role:
                _grant(actor=actor, user=user, organization=organization,
                       department=department, role=role, channel=channel)
    except IntegrityError:
        raise _duplicate_email() from None
    if invite:
        from atiende.core.tasks import send_invitation

        transaction.on_commit(lambda: send_invitation.enqueue(user_id=user.pk))
    return user


def _duplicate_email() -> ValidationFailed:
    return ValidationFailed({"email": _("A user with this e-mail address already exists.")},
                            code="duplicate_email")


USER_FIELDS = {"display_name", "email", "phone", "language", "time_zone", "is_active",
               "manager_id"}
PROFILE_FIELDS = {"display_name", "phone", "language", "time_zone"}


def user_update(
    *, actor: User, user: User, changes: Mapping[str, Any], channel: str = "web"
) -> User:
    if not policies.can_manage_user(actor, user):
        raise PermissionDenied()
    _unknown_fields(changes, USER_FIELDS)
    if "is_active" in changes and not changes["is_active"] and user.pk == actor.pk:
        raise ValidationFailed({"is_active": _("You cannot deactivate yourself.")})
    if "manager_id" in changes:
        _check_manager(user, changes["manager_id"])
    return _user_write(actor=actor, user=user, changes=changes, channel=channel)


def profile_update(*, actor: User, changes: Mapping[str, Any], channel: str = "web") -> User:
    """A person's own preferences: name, phone, language, time zone."""
    if not actor.is_authenticated:
        raise PermissionDenied()
    _unknown_fields(changes, PROFILE_FIELDS)
    return _user_write(actor=actor, user=actor, changes=changes, channel=channel)


def _user_write(*, actor: User, user: User, changes: Mapping[str, Any], channel: str) -> User:
    values: dict[str, Any] = {}
    if "display_name" in changes:
        values["display_name"] = text(changes["display_name"], "display_name", max_length=150)
    if "phone" in changes:
        values["phone"] = text(changes["phone"], "phone", max_length=40, required=False)
    if "language" in changes:
        values["language"] = _language("language", changes["language"])
    if "time_zone" in changes:
        values["time_zone"] = _time_zone("time_zone", changes["time_zone"])
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    if "manager_id" in changes:
        values["manager_id"] = changes["manager_id"]
    if "email" in changes:
        values["email"] = _email(changes["email"])
        if User.objects.filter(email__iexact=values["email"]).exclude(pk=user.pk).exists():
            raise _duplicate_email()
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            changed = apply_changes(locked, values)
            if changed:
                locked.save(update_fields=list(changed))
                audit(actor=actor, organization_id=locked.organization_id,
                       action="user.updated", target=locked, changes=changed, channel=channel)
    except IntegrityError:
        raise _duplicate_email() from None
    for name in changed:
        setattr(user, name, getattr(locked, name))
    return user


def _check_manager(user: User, manager_id: int | None) -> None:
    """A manager is an active person of the same organization, and never one of the
    person's own reports (a cycle would leave approvals with no one at the top)."""
    if manager_id is None:
        return
    refused = ValidationFailed({"manager_id": _("The manager must be an active person of "
                                                "%(organization)s.")
                                % {"organization": user.organization or "—"}},
                               code="invalid_manager")
    manager = User.objects.filter(pk=manager_id, is_active=True).first()
    if manager is None or user.organization_id is None or not policies.belongs_to(
            manager, user.organization_id):
        raise refused
    seen, current = {user.pk}, manager
    while current is not None:
        if current.pk in seen:
            raise ValidationFailed({"manager_id": _("%(name)s already reports to %(person)s, "
                                                    "directly or not.")
                                    % {"name": manager, "person": user}}, code="manager_cycle")
        seen.add(current.pk)
        current = current.manager


# --- groups of people ------------------------------------------------------------------


def _group_name(organization_id: int, name: Any, *, exclude: int | None = None) -> str:
    name = text(name, "name", max_length=120)
    others = PersonGroup.objects.filter(organization_id=organization_id).exclude(pk=exclude)
    if _name_taken(others, name):
        raise ValidationFailed({"name": _("This organization already has a group with this "
                                          "name.")}, code="duplicate_name")
    return name


def group_create(*, actor: User, organization: Organization, name: str, description: str = "",
                 channel: str = "web") -> PersonGroup:
    if not policies.can_administer(actor, organization):
        raise PermissionDenied()
    description = text(description, "description", max_length=2000, required=False)
    with transaction.atomic():
        group = PersonGroup.objects.create(
            organization=organization, name=_group_name(organization.pk, name),
            description=description)
        audit(actor=actor, organization_id=organization.pk, action="group.created",
              target=group, channel=channel)
    return group


GROUP_FIELDS = {"name", "description"}


def group_update(*, actor: User, group: PersonGroup, changes: Mapping[str, Any],
                 channel: str = "web") -> PersonGroup:
    if not policies.can_administer(actor, group.organization_id):
        raise PermissionDenied()
    _unknown_fields(changes, GROUP_FIELDS)
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _group_name(group.organization_id, changes["name"], exclude=group.pk)
    if "description" in changes:
        values["description"] = text(changes["description"], "description", max_length=2000,
                                     required=False)
    with transaction.atomic():
        changed = apply_changes(group, values)
        if changed:
            group.save(update_fields=list(changed))
            audit(actor=actor, organization_id=group.organization_id, action="group.updated",
                  target=group, changes=changed, channel=channel)
    return group


def group_member_add(*, actor: User, group: PersonGroup, user: User,
                     channel: str = "web") -> None:
    if not policies.can_administer(actor, group.organization_id):
        raise PermissionDenied()
    if not policies.belongs_to(user, group.organization_id):
        raise ValidationFailed({"user_id": _("Only people of %(organization)s can join this "
                                             "group.") % {"organization": group.organization}},
                               code="not_in_organization")
    with transaction.atomic():
        if group.members.filter(pk=user.pk).exists():
            return
        group.members.add(user)
        audit(actor=actor, organization_id=group.organization_id, action="group.member_added",
              target=group, changes={"user": [None, user.pk]}, channel=channel)


def group_member_remove(*, actor: User, group: PersonGroup, user: User,
                        channel: str = "web") -> None:
    if not policies.can_administer(actor, group.organization_id):
        raise PermissionDenied()
    with transaction.atomic():
        if not group.members.filter(pk=user.pk).exists():
            raise NotFound(_("This person is not a member of the group."))
        group.members.remove(user)
        audit(actor=actor, organization_id=group.organization_id,
              action="group.member_removed", target=group, changes={"user": [user.pk, None]},
              channel=channel)


def group_delete(*, actor: User, group: PersonGroup, channel: str = "web") -> None:
    if not policies.can_administer(actor, group.organization_id):
        raise PermissionDenied()
    try:
        with transaction.atomic():
            audit(actor=actor, organization_id=group.organization_id, action="group.deleted",
                  target=group, channel=channel)
            group.delete()
    except ProtectedError:
        raise Conflict(_("The group is used by service levels, the catalog or approvals; "
                         "change those first.")) from None


# --- memberships ------------------------------------------------------------------------


def membership_grant(
    *, actor: User, user: User, organization: Organization, role: str,
    department: Department | None = None, channel: str = "web",
) -> Membership:
    if not policies.can_grant(actor, organization=organization, role=role):
        raise PermissionDenied()
    with transaction.atomic():
        membership = _grant(actor=actor, user=user, organization=organization,
                            department=department, role=role, channel=channel)
    forget_scope(user)
    return membership


def requester_register(*, organization: Organization, email: str, display_name: str,
                       channel: str) -> User:
    """A requester the system registers itself (an unknown sender under a mailbox that
    creates requesters): no password yet (a reset link gives one), audited like the
    organization's other new people. Call it inside the caller's transaction."""
    user = User(email=_email(email), display_name=display_name.strip()[:150],
                organization=organization, language=organization.language,
                time_zone=organization.time_zone)
    user.set_unusable_password()
    user.save()
    audit(actor=None, organization_id=organization.pk, action="user.created", target=user,
          changes={"email": [None, user.email]}, channel=channel)
    _grant(actor=None, user=user, organization=organization, department=None,
           role=Role.REQUESTER, channel=channel)
    return user


def _grant(
    *, actor: User, user: User, organization: Organization, department: Department | None,
    role: str, channel: str,
) -> Membership:
    role = choice(role, "role", Role.values)
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationFailed({"department_id": _("This role needs a department.")},
                               code="department_required")
    if role in (Role.ORGANIZATION_ADMIN, Role.PROVIDER_ADMIN) and department is not None:
        raise ValidationFailed({"department_id": _("This role applies to the whole "
                                                   "organization; leave the department empty.")},
                               code="department_not_allowed")
    if role == Role.PROVIDER_ADMIN and not organization.is_provider:
        raise ValidationFailed({"role": _("Only people of the provider can be provider "
                                          "admins.")}, code="not_provider")
    if role == Role.REQUESTER and user.organization_id != organization.pk:
        raise ValidationFailed({"organization_id": _("Requesters ask for help only in their "
                                                     "own organization.")},
                               code="requester_other_organization")
    if department is not None and not department.serves(organization):
        raise ValidationFailed({"department_id": _("This department does not serve the "
                                                   "organization.")},
                               code="department_not_serving")
    existing = Membership.objects.filter(user=user, organization=organization,
                                         department=department).first()
    if existing is not None:
        raise Conflict(_("%(person)s already has the role “%(role)s” here.")
                       % {"person": user, "role": existing.get_role_display()},
                       code="duplicate_membership")
    membership = Membership.objects.create(user=user, organization=organization,
                                           department=department, role=role)
    audit(actor=actor, organization_id=organization.pk, action="membership.granted",
           target=user, changes={"role": [None, role], "department": [None, _plain(department)]},
           channel=channel)
    return membership


def membership_revoke(*, actor: User, membership: Membership, channel: str = "web") -> None:
    if not policies.can_revoke(actor, membership):
        raise PermissionDenied()
    user = membership.user
    if (membership.role in (Role.ORGANIZATION_ADMIN, Role.PROVIDER_ADMIN)
            and user.pk == actor.pk):
        raise ValidationFailed({"role": _("You cannot remove your own administrator role.")},
                               code="own_admin_role")
    with transaction.atomic():
        if membership.department_id:
            for team in Team.objects.filter(department_id=membership.department_id,
                                            members=user):
                still_in_department = Membership.objects.filter(
                    user=user, department_id=membership.department_id
                ).exclude(pk=membership.pk).exists()
                if not still_in_department:
                    team.members.remove(user)
        audit(actor=actor, organization_id=membership.organization_id,
               action="membership.revoked", target=user,
               changes={"role": [membership.role, None],
                        "department": [membership.department_id, None]},
               channel=channel)
        membership.delete()
    forget_scope(user)


# --- API tokens -------------------------------------------------------------------------


def token_create(
    *, actor: User, name: str, expires_at: datetime | None = None, channel: str = "web"
) -> tuple[ApiToken, str]:
    """A new token for the actor. Returns it with its plaintext, which is never stored."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()
    name = text(name, "name", max_length=100)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed({"expires_at": _("The expiry must be in the future.")})
    plaintext = ApiToken.new_plaintext()
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, digest=hash_token(plaintext),
                                        hint=plaintext[:8], expires_at=expires_at)
        audit(actor=actor, organization_id=actor.organization_id, action="token.created",
               target=token, channel=channel)
    return token, plaintext


def token_revoke(*, actor: User, token: ApiToken, channel: str = "web") -> ApiToken:
    if token.user_id != actor.pk:
        raise NotFound()
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(actor=actor, organization_id=actor.organization_id, action="token.revoked",
                   target=token, channel=channel)
    return token


def token_authenticate(plaintext: str) -> tuple[User | None, str]:
    """The active user a token stands for, or None with the reason
    ("invalid", "revoked", "expired", "inactive")."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=hash_token(plaintext)).first()
    )
    if token is None:
        return None, "invalid"
    now = timezone.now()
    if token.revoked_at is not None:
        return None, "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return None, "expired"
    if not token.user.is_active:
        return None, "inactive"
    touch_after = settings.API_TOKEN_TOUCH_SECONDS
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > touch_after:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, ""


# --- first start ------------------------------------------------------------------------


def provider_bootstrap(
    *, name: str, admin_email: str, admin_name: str, password: str | None = None,
    language: str = "es", time_zone: str = "America/Bogota", country: str = "CO",
) -> User:
    """Create the provider organization and its first provider admin, on an empty
    installation only. Returns the admin."""
    with transaction.atomic():
        if Organization.objects.filter(is_provider=True).exists():
            raise Conflict(_("The provider already exists."), code="provider_exists")
        provider = Organization.objects.create(
            name=text(name, "name", max_length=200), is_provider=True,
            slug=_unique_slug(Organization, name), language=_language("language", language),
            time_zone=_time_zone("time_zone", time_zone), country=_country(country),
        )
        admin = User(email=_email(admin_email), organization=provider, language=language,
                     time_zone=time_zone,
                     display_name=text(admin_name, "display_name",
                                        max_length=150))
        if password:
            admin.set_password(password)
        else:
            admin.set_unusable_password()
        admin.save()
        Membership.objects.create(user=admin, organization=provider, role=Role.PROVIDER_ADMIN)
        audit(actor=None, organization_id=provider.pk, action="organization.created",
               target=provider, channel="cli")
        audit(actor=None, organization_id=provider.pk, action="membership.granted",
               target=admin, changes={"role": [None, Role.PROVIDER_ADMIN]}, channel="cli")
    return admin
