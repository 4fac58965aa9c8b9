"""Tenancy and people: who serves whom, and who may do what where."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "America/Bogota"


class Organization(models.Model):
    """A client served by the provider, or the enterprise itself.

    Exactly one organization is the provider: the one that runs the service desk.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    is_provider = models.BooleanField(_("is the provider"), default=False)
    language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    country = models.CharField(_("country"), max_length=2, default="CO")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_provider"], condition=Q(is_provider=True), name="one_provider"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentFunction(models.TextChoices):
    """What a desk does; drives defaults and icons, never permissions."""

    IT = "it", _("Information technology")
    HR = "hr", _("Human resources")
    FINANCE = "finance", _("Finance")
    LEGAL = "legal", _("Legal")
    COMMERCIAL = "commercial", _("Commercial")
    FACILITIES = "facilities", _("Facilities")
    OTHER = "other", _("Other")


def serving(organization_ids: Iterable[int], *, via: str = "") -> Q:
    """The queryset form of `Department.serves`: departments (reached through `via`,
    such as "department__") that serve any of `organization_ids`."""
    return Q(**{f"{via}organization_id__in": list(organization_ids)}) | Q(
        **{f"{via}is_shared": True, f"{via}organization__is_provider": True})


class Department(models.Model):
    """A desk (IT, HR, Finance, ...) with its own queues, agents and later its own
    catalog, categories and SLAs.

    A department belongs to one organization. A department of the provider marked
    `is_shared` serves every client organization: its tickets still belong to the
    client, and agents are granted it per client organization.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="departments",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60)
    function = models.CharField(
        _("function"), max_length=20, choices=DepartmentFunction.choices,
        default=DepartmentFunction.OTHER,
    )
    is_shared = models.BooleanField(_("shared with every client organization"), default=False)
    # Off by default: a desk such as HR holds personal matters. On, the requesters of an
    # organization follow each other's incidents and requests here (read only).
    requesters_share_tickets = models.BooleanField(
        _("requesters see each other's requests"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="department_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def serves(self, organization: Organization) -> bool:
        """Whether this desk takes the organization's work: its own, or every client's
        when it is a shared department of the provider (`serving` is the queryset
        form)."""
        if self.organization_id == organization.pk:
            return True
        return self.is_shared and self.organization.is_provider


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("display_name", email.split("@")[0])
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a requester, an agent, an administrator.

    `organization` is the person's home organization (the employer); what the person
    may see and do comes from memberships, never from this field alone.
    """

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="people", null=True, blank=True,
        verbose_name=_("organization"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Whoever approves what this person asks for ("the requester's manager").
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports",
        verbose_name=_("manager"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the provider's data admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Team(models.Model):
    """An assignment group inside a department (e.g. "Redes", "Nómina")."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_teams",
        verbose_name=_("team lead"),
    )
    members = models.ManyToManyField(
        User, related_name="teams", blank=True, verbose_name=_("members")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonGroup(models.Model):
    """A named set of people of one organization ("VIP", "Comité de compras"): a
    condition of SLA policies and catalog audiences, and an approver of requests.
    Members are people of the organization; unlike a team, a group works no tickets."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="person_groups",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        User, related_name="person_groups", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group of people")
        verbose_name_plural = _("groups of people")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="person_group_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a membership lets a person do, from least to most."""

    REQUESTER = "requester", _("Requester")  # asks for help, follows own tickets
    AGENT = "agent", _("Agent")  # works tickets of one department
    TEAM_LEAD = "team_lead", _("Team lead")  # an agent who also leads teams
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")  # runs a desk
    ORGANIZATION_ADMIN = "organization_admin", _("Organization admin")  # runs an organization
    PROVIDER_ADMIN = "provider_admin", _("Provider admin")  # runs the whole installation


# Roles that work tickets of a department, and so need one.
DEPARTMENT_ROLES = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.DEPARTMENT_MANAGER})
# Roles over a whole organization, and so take no department.
ORGANIZATION_ROLES = frozenset({Role.ORGANIZATION_ADMIN, Role.PROVIDER_ADMIN})


class Membership(models.Model):
    """One person's role in one organization, and for staff roles in one department.

    A provider agent serving three clients' IT desks holds three memberships. The role
    rules (which roles need a department) are database constraints.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True,
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "department"],
                condition=Q(department__isnull=False), name="membership_one_per_department",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(department__isnull=True), name="membership_one_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(role__in=sorted(ORGANIZATION_ROLES), department__isnull=True)
                | Q(role__in=sorted(DEPARTMENT_ROLES), department__isnull=False)
                | Q(role=Role.REQUESTER.value),
                name="membership_role_matches_department",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.organization} / {self.department}" if self.department_id else str(
            self.organization
        )
        return f"{self.user} — {self.get_role_display()} — {where}"


TOKEN_PREFIX = "atd_"


def hash_token(plaintext: str) -> str:
    """Tokens carry 256 bits of randomness, so one fast hash is as safe as a slow one."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiToken(models.Model):
    """A named, revocable credential that acts exactly as its user.

    Only the hash is stored; the plaintext is shown once, when the token is created.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def new_plaintext() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


AUDIT_ACTIONS = {
    "organization.created": _("Organization created"),
    "organization.updated": _("Organization changed"),
    "department.created": _("Department created"),
    "department.updated": _("Department changed"),
    "team.created": _("Team created"),
    "team.updated": _("Team changed"),
    "team.member_added": _("Team member added"),
    "team.member_removed": _("Team member removed"),
    "user.created": _("Person added"),
    "user.updated": _("Person changed"),
    "membership.granted": _("Role given"),
    "membership.revoked": _("Role removed"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
}


AUDIT_CHANNELS = {
    "web": _("Web"),
    "api": _("API"),
    "cli": _("Command line"),
}


class AuditEvent(models.Model):
    """An administrative change (people, memberships, teams, departments, tokens).

    Append-only: written by services in the same transaction as the change.
    Work on tickets has its own event log.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("who")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("organization"),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=255)
    changes = models.JSONField(default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="web")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def channel_label(self) -> str:
        return str(AUDIT_CHANNELS.get(self.channel, self.channel))


class IdempotencyKey(models.Model):
    """A create request already answered, so that its retry with the same
    `Idempotency-Key` header gets the same answer instead of a second record. Kept
    24 hours."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.endpoint} {self.key}"


class PeriodicJob(models.Model):
    """When one periodic job (`atiende.core.periodic`) is next due. A worker that finds
    the row due moves `next_run_at` forward in the same transaction as it enqueues the
    job's task, under a row lock, so one worker enqueues each run whatever the number
    of workers."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
