"""The one place that decides which organizations and departments an actor may see.

Every read of tenant data starts from `scope_of(actor)`; selectors of every app turn
the scope into a queryset filter with `Scope.work_filter`, so a rule about who sees
what is written here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from atiende.core.models import DEPARTMENT_ROLES, Membership, Role

_CACHE_ATTRIBUTE = "_atiende_scope"
_MEMBERSHIPS_ATTRIBUTE = "_atiende_memberships"


@dataclass(frozen=True)
class Scope:
    """What one actor may see, and in which capacity.

    - `everything`: provider admins (and superusers) see every organization.
    - `administered_organizations`: organization admins see all of an organization's
      work, in every department that serves it.
    - `department_pairs`: (organization id, department id) where the actor works as
      agent, team lead or department manager.
    - `managed_department_pairs`: the subset where the actor is department manager.
    - `requester_organizations`: where the actor asks for help (own tickets only).
    """

    user_id: int | None = None
    home_organization_id: int | None = None
    everything: bool = False
    administered_organizations: frozenset[int] = frozenset()
    department_pairs: frozenset[tuple[int, int]] = frozenset()
    managed_department_pairs: frozenset[tuple[int, int]] = frozenset()
    requester_organizations: frozenset[int] = frozenset()
    led_department_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_anywhere(self) -> bool:
        return self.everything or bool(self.administered_organizations or self.department_pairs)

    @property
    def staff_organizations(self) -> frozenset[int]:
        """Organizations whose work the actor sees as staff (some or all departments)."""
        return self.administered_organizations | {org for org, _ in self.department_pairs}

    @property
    def staff_department_ids(self) -> frozenset[int]:
        return frozenset(department for _, department in self.department_pairs)

    @property
    def visible_organizations(self) -> frozenset[int]:
        home = {self.home_organization_id} if self.home_organization_id else set()
        return self.staff_organizations | self.requester_organizations | home

    def works_in(self, organization_id: int, department_id: int) -> bool:
        return (
            self.everything
            or organization_id in self.administered_organizations
            or (organization_id, department_id) in self.department_pairs
        )

    def manages(self, organization_id: int, department_id: int) -> bool:
        return (
            self.everything
            or organization_id in self.administered_organizations
            or (organization_id, department_id) in self.managed_department_pairs
        )

    def administers(self, organization_id: int) -> bool:
        return self.everything or organization_id in self.administered_organizations

    def work_filter(
        self, *, organization: str = "organization", department: str = "department"
    ) -> Q:
        """A filter for records that belong to an (organization, department): the
        records this actor may see as staff. Requester visibility is added by the
        app that owns the record (a requester sees their own tickets)."""
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if self.administered_organizations:
            condition |= Q(**{f"{organization}__in": self.administered_organizations})
        by_department: dict[int, set[int]] = {}
        for organization_id, department_id in self.department_pairs:
            by_department.setdefault(department_id, set()).add(organization_id)
        for department_id, organization_ids in sorted(by_department.items()):
            condition |= Q(
                **{department: department_id, f"{organization}__in": sorted(organization_ids)}
            )
        return condition


NO_SCOPE = Scope()


def scope_of(actor) -> Scope:
    """The actor's scope, computed once per actor object (one query, which also loads
    the actor's memberships for `own_memberships`)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return NO_SCOPE
    cached = getattr(actor, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    scope = _build_scope(actor)
    setattr(actor, _CACHE_ATTRIBUTE, scope)
    return scope


def own_memberships(actor) -> list[Membership]:
    """The actor's memberships in active organizations (with organization and
    department), read together with the scope: no query of their own."""
    scope_of(actor)
    return list(getattr(actor, _MEMBERSHIPS_ATTRIBUTE, []))


def prime_scopes(actors) -> None:
    """Compute the scopes of many actors at once (one query in all), for code that acts
    on behalf of, or checks, many people (a notification to a whole team)."""
    pending = {actor.pk: actor for actor in actors
               if actor is not None and getattr(actor, "is_authenticated", False)
               and actor.is_active and not hasattr(actor, _CACHE_ATTRIBUTE)}
    if not pending:
        return
    by_user: dict[int, list[Membership]] = {pk: [] for pk in pending}
    for membership in (Membership.objects.filter(user_id__in=list(pending),
                                                 organization__is_active=True)
                       .select_related("organization", "department")):
        by_user[membership.user_id].append(membership)
    for actor in actors:
        if actor is not None and actor.pk in by_user and not hasattr(actor, _CACHE_ATTRIBUTE):
            setattr(actor, _CACHE_ATTRIBUTE, _build_scope(actor, by_user[actor.pk]))


def forget_scope(actor) -> None:
    """Drop the cached scope after the actor's own memberships changed."""
    for attribute in (_CACHE_ATTRIBUTE, _MEMBERSHIPS_ATTRIBUTE):
        if actor is not None and hasattr(actor, attribute):
            delattr(actor, attribute)


def _build_scope(actor, memberships: list[Membership] | None = None) -> Scope:
    if memberships is None:
        memberships = list(
            Membership.objects.filter(user_id=actor.pk, organization__is_active=True)
            .select_related("organization", "department")
        )
    setattr(actor, _MEMBERSHIPS_ATTRIBUTE, memberships)
    rows = [(m.organization_id, m.organization.is_provider, m.department_id, m.role)
            for m in memberships]
    everything = bool(actor.is_superuser)
    administered: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    managed: set[tuple[int, int]] = set()
    requesting: set[int] = set()
    led: set[int] = set()
    for organization_id, is_provider, department_id, role in rows:
        if role == Role.PROVIDER_ADMIN and is_provider:
            everything = True
        elif role == Role.ORGANIZATION_ADMIN:
            administered.add(organization_id)
        elif role in DEPARTMENT_ROLES:
            pairs.add((organization_id, department_id))
            if role == Role.DEPARTMENT_MANAGER:
                managed.add((organization_id, department_id))
            if role == Role.TEAM_LEAD:
                led.add(department_id)
        elif role == Role.REQUESTER:
            requesting.add(organization_id)
    return Scope(
        user_id=actor.pk,
        home_organization_id=actor.organization_id,
        everything=everything,
        administered_organizations=frozenset(administered),
        department_pairs=frozenset(pairs),
        managed_department_pairs=frozenset(managed),
        requester_organizations=frozenset(requesting),
        led_department_ids=frozenset(led),
    )
