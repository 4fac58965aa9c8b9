"""Business calendars as data: when an organization (or one of its desks) works.

The arithmetic lives in `atiende.sla.calendar` and never touches these models;
`atiende.sla.loader` compiles a `BusinessCalendar` into a `calendar.Calendar`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from atiende.core.models import DEFAULT_TIME_ZONE, Department, Organization

MINUTES_PER_DAY = 24 * 60


class BusinessCalendar(models.Model):
    """When one organization works, for SLA clocks: a time zone, working intervals per
    weekday, public holidays of a country (and subdivision), and days an administrator
    closed or worked; or around the clock (24x7).

    A calendar with a department applies to that desk where it differs from the
    organization's. Each organization has at most one default calendar, which has no
    department. `updated_at` changes with every change to the calendar, its intervals
    or its days, so compiled calendars can be cached by (id, updated_at).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="business_calendars",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="business_calendars",
        null=True, blank=True, verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    is_24x7 = models.BooleanField(_("around the clock (24x7)"), default=False)
    country = models.CharField(_("holidays of country"), max_length=2, blank=True,
                               default="CO")
    subdivision = models.CharField(_("holidays of subdivision"), max_length=10, blank=True)
    is_default = models.BooleanField(_("organization's default"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="business_calendar_name",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True),
                name="business_calendar_one_default",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(department__isnull=True),
                name="business_calendar_default_has_no_department",
            ),
            models.CheckConstraint(
                condition=Q(subdivision="") | ~Q(country=""),
                name="business_calendar_subdivision_needs_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    """Days of the week as `date.weekday()` numbers them."""

    MONDAY = 0, WEEKDAYS[0]
    TUESDAY = 1, WEEKDAYS[1]
    WEDNESDAY = 2, WEEKDAYS[2]
    THURSDAY = 3, WEEKDAYS[3]
    FRIDAY = 4, WEEKDAYS[4]
    SATURDAY = 5, WEEKDAYS[5]
    SUNDAY = 6, WEEKDAYS[6]


class WorkingInterval(models.Model):
    """One stretch of work on one weekday, in the calendar's local time: from
    `start_minute` to `end_minute` after midnight (half-open; 1440 is 24:00, which a
    time of day cannot hold). Intervals of a weekday never overlap (checked by the
    services; the database refuses two starting at the same minute)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("starts (minutes after midnight)"))
    end_minute = models.PositiveSmallIntegerField(_("ends (minutes after midnight)"))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday", "start_minute"],
                                    name="working_interval_start"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6),
                                   name="working_interval_weekday"),
            models.CheckConstraint(
                condition=Q(start_minute__gte=0, end_minute__lte=MINUTES_PER_DAY,
                            start_minute__lt=models.F("end_minute")),
                name="working_interval_runs_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_label}-{self.end_label}"

    @property
    def start_label(self) -> str:
        return _clock(self.start_minute)

    @property
    def end_label(self) -> str:
        return _clock(self.end_minute)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class DayKind(models.TextChoices):
    """What an administrator decided about one date."""

    CLOSED = "closed", _("Closed (extra holiday or company closure)")  # no working time
    WORKED = "worked", _("Worked (holiday removed)")  # the weekday's intervals apply


class CalendarDay(models.Model):
    """One date of a calendar that differs from its rules: closed although it would be
    a working day, or worked although it is a public holiday."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    label = models.CharField(_("label"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_once"),
            models.CheckConstraint(condition=Q(kind__in=DayKind.values),
                                   name="calendar_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"


# --- service level policies -----------------------------------------------------------------

DEFAULT_WARNING_PERCENTAGES = [75, 90]
DEFAULT_PAUSE_REASONS = ["awaiting_requester"]


def _default_warnings() -> list[int]:
    return list(DEFAULT_WARNING_PERCENTAGES)


def _default_pause_reasons() -> list[str]:
    return list(DEFAULT_PAUSE_REASONS)


class SlaPolicy(models.Model):
    """The service levels one organization promises for the tickets its conditions
    match, counted on one business calendar.

    Every condition left empty matches any ticket; the policy whose set conditions all
    hold and that sets the most of them applies (`atiende.sla.matching`). Two active
    policies of one organization that could match the same ticket with as many
    conditions each are refused when saved, so the choice is never a coin toss.
    `updated_at` moves with every change to the policy or its targets.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sla_policies",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="sla_policies",
        verbose_name=_("business calendar"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("department"),
    )
    kind = models.CharField(_("ticket kind"), max_length=20, blank=True)
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("service"),
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("category"),
    )
    ticket_channel = models.CharField(_("channel"), max_length=12, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)  # [] is any
    requester_group = models.ForeignKey(
        "core.PersonGroup", on_delete=models.PROTECT, related_name="sla_policies", null=True,
        blank=True, verbose_name=_("requester group"),
    )
    pause_reasons = models.JSONField(_("pending reasons that pause resolution"),
                                     default=_default_pause_reasons, blank=True)
    warning_percentages = models.JSONField(_("warnings at (percent)"), default=_default_warnings,
                                           blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="sla_policy_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """What a policy promises for tickets of one priority, in working minutes of the
    policy's calendar: the first public reply, and the resolution (and, recorded for
    later, each next reply)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets",
                               verbose_name=_("SLA policy"))
    priority = models.PositiveSmallIntegerField(_("priority"))
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"),
                                                        null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_once"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=5),
                                   name="sla_target_priority"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0)
                & (Q(next_response_minutes__isnull=True) | Q(next_response_minutes__gt=0)),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} P{self.priority}"


class Metric(models.TextChoices):
    """What a clock measures."""

    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    NEXT_RESPONSE = "next_response", _("Next response")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")  # counting working time towards its due time
    PAUSED = "paused", _("Paused")  # not counting (a pause rule holds)
    MET = "met", _("Met")  # stopped before its due time
    BREACHED = "breached", _("Breached")  # its due time passed before it stopped


class SlaClock(models.Model):
    """One target of one ticket as last rebuilt from the ticket's event log
    (`atiende.sla.clocks`): never edited by hand, only replaced by a rebuild or marked
    breached or warned by the sweep. `elapsed_seconds` is working time counted up to
    `computed_at` (or `stopped_at`). Its history (the "why") is not stored: the ticket
    page replays it (`clock_services.explain`), which is cheap for one ticket and keeps
    bulk rebuilds small. A next-response clock is the ticket's latest wait of the
    requester side (`started_at` is when that wait began); `cycles_met` and
    `cycles_breached` count all its waits so far; both stay 0 on the other metrics."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="sla_clocks")
    metric = models.CharField(_("measures"), max_length=20, choices=Metric.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="clocks")
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    calendar_id_used = models.PositiveIntegerField()
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_("working time used (seconds)"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    next_warning_at = models.DateTimeField(null=True, blank=True)
    next_warning_level = models.PositiveSmallIntegerField(null=True, blank=True)
    warned_levels = models.JSONField(_("warnings given (percent)"), default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    # Next response only (`atiende.sla.clocks`): the row is the latest wait of the
    # requester side; these count every wait met and breached so far, the latest included.
    cycles_met = models.PositiveIntegerField(_("waits answered in time"), default=0)
    cycles_breached = models.PositiveIntegerField(_("waits breached"), default=0)
    # The ticket's grouping facts as of the last rebuild, copied so that the compliance
    # report reads this table alone (every event that changes them rebuilds the clocks).
    organization_id = models.PositiveIntegerField(default=0)
    department_id = models.PositiveIntegerField(default=0)
    team_id = models.PositiveIntegerField(null=True, blank=True)
    service_id = models.PositiveIntegerField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(default=3)
    ticket_created_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["ticket", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_once"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="running"),
                         name="sla_clock_due"),
            models.Index(fields=["next_warning_at"], condition=Q(state="running"),
                         name="sla_clock_warning"),
            # The compliance report: a period of ticket creation, one metric or all.
            models.Index(fields=["ticket_created_at", "metric"], name="sla_clock_report"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.state}"


# --- escalation -------------------------------------------------------------------------------


class EscalationLevel(models.Model):
    """What a policy does when one clock of a ticket it applies to has used `percent` %
    of its target: below 100 a warning, 100 the breach, above 100 later levels of an
    overdue ticket (150, 200, ...). Its actions run once per ticket clock
    (`EscalationRun`)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE,
                               related_name="escalation_levels", verbose_name=_("SLA policy"))
    metric = models.CharField(_("clock"), max_length=20, choices=Metric.choices)
    percent = models.PositiveSmallIntegerField(_("at (percent of the target)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["metric", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric", "percent"],
                                    name="escalation_level_once"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=1000),
                                   name="escalation_level_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.metric} {self.percent}%"


class EscalationActionKind(models.TextChoices):
    NOTIFY = "notify", _("Notify")  # tells the people chosen (whom, people)
    REASSIGN = "reassign", _("Reassign")  # to `team`, and to `agent` when set
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")  # to `priority`, or one up
    ADD_WATCHER = "add_watcher", _("Add as watchers")  # the people chosen (whom, people)


class EscalationWhom(models.TextChoices):
    """People an action finds on the ticket when it runs."""

    ASSIGNEE = "assignee", _("The assignee")
    TEAM_MEMBERS = "team_members", _("The members of the team")
    TEAM_LEAD = "team_lead", _("The team lead")
    DEPARTMENT_MANAGER = "department_manager", _("The department's managers")
    REQUESTER_MANAGER = "requester_manager", _("The requester's manager")


class EscalationAction(models.Model):
    """One thing an escalation level does. A notification or a watcher goes to the
    people `whom` names on the ticket and to `people`; a reassignment to `team` (of the
    policy's organization) and `agent` (a member of it) when set; a raise of priority to
    `priority`, or one level up when it is empty. The services check that every person
    and team belongs to the policy's organization."""

    level = models.ForeignKey(EscalationLevel, on_delete=models.CASCADE,
                              related_name="actions", verbose_name=_("escalation level"))
    kind = models.CharField(_("action"), max_length=20, choices=EscalationActionKind.choices)
    whom = models.JSONField(_("people on the ticket"), default=list, blank=True)
    people = models.ManyToManyField("core.User", related_name="+", blank=True,
                                    verbose_name=_("named people"))
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="+",
                             null=True, blank=True, verbose_name=_("team"))
    agent = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+",
                              null=True, blank=True, verbose_name=_("agent"))
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation action")
        verbose_name_plural = _("escalation actions")
        ordering = ["level", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EscalationActionKind.values),
                                   name="escalation_action_kind"),
            models.CheckConstraint(
                condition=~Q(kind="reassign") | Q(team__isnull=False),
                name="escalation_action_reassign_has_team"),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1, priority__lte=5),
                name="escalation_action_priority"),
        ]

    def __str__(self) -> str:
        return f"{self.level_id} {self.kind}"


class EscalationRun(models.Model):
    """One escalation level of one ticket clock that came: when the clock crossed it
    (`crossed_at`, its true instant however late it was noticed) and, once its actions
    ran, when and what they did (`done`). One row per clock and level, so the actions
    run once however often the event that announced the level is delivered. A clock is
    the ticket's metric from `clock_started_at`."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="sla_escalations")
    metric = models.CharField(_("clock"), max_length=20, choices=Metric.choices)
    clock_started_at = models.DateTimeField(_("clock started"))
    percent = models.PositiveSmallIntegerField(_("at (percent of the target)"))
    crossed_at = models.DateTimeField(_("crossed"))
    ran_at = models.DateTimeField(_("ran"), null=True, blank=True)
    done = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        verbose_name = _("escalation run")
        verbose_name_plural = _("escalation runs")
        ordering = ["ticket", "crossed_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric", "clock_started_at", "percent"],
                                    name="escalation_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.percent}%"


# --- internal targets: OLAs per team, underpinning contracts with third parties -------------


class OlaTarget(models.Model):
    """An operational level agreement: what one team promises the rest of the desk for
    an organization's tickets of one priority while they are with the team, in working
    minutes of a calendar. Internal: shown to staff only."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT,
                                     related_name="ola_targets",
                                     verbose_name=_("organization"))
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="ola_targets",
                             verbose_name=_("team"))
    priority = models.PositiveSmallIntegerField(_("priority"))
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT,
                                 related_name="ola_targets",
                                 verbose_name=_("business calendar"))
    response_minutes = models.PositiveIntegerField(_("response (minutes)"), null=True,
                                                   blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")
        ordering = ["team", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "team", "priority"],
                                    name="ola_target_once"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=5),
                                   name="ola_target_priority"),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gt=0)
                & (Q(response_minutes__isnull=True) | Q(response_minutes__gt=0)),
                name="ola_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} P{self.priority}"


class UnderpinningContract(models.Model):
    """A contract with a third party (a supplier): while one of the organization's
    tickets is pending for `pending_reason` it is with this supplier, and that time is
    measured against `target_minutes` of working time of the calendar. Whether the SLA's
    resolution pauses meanwhile is the policy's own rule (its pause reasons)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT,
                                     related_name="underpinning_contracts",
                                     verbose_name=_("organization"))
    supplier = models.CharField(_("supplier"), max_length=120)
    pending_reason = models.CharField(_("pending reason that means “with this supplier”"),
                                      max_length=20)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT,
                                 related_name="underpinning_contracts",
                                 verbose_name=_("business calendar"))
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("underpinning contract")
        verbose_name_plural = _("underpinning contracts")
        ordering = ["supplier"]
        constraints = [
            models.UniqueConstraint("organization", Lower("supplier"),
                                    name="underpinning_contract_supplier"),
            models.UniqueConstraint(fields=["organization", "pending_reason"],
                                    name="underpinning_contract_reason"),
            models.CheckConstraint(condition=Q(target_minutes__gt=0),
                                   name="underpinning_contract_positive"),
        ]

    def __str__(self) -> str:
        return self.supplier


class InternalClock(models.Model):
    """What an internal clock holds, as `atiende.sla.clocks` leaves it when the ticket
    is rebuilt (the fields mean what they mean on SlaClock)."""

    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    calendar_id_used = models.PositiveIntegerField()
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_("working time used (seconds)"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class OlaMetric(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class TeamClock(InternalClock):
    """One OLA target of one team on one ticket: the team's time with the ticket,
    across every period it had it (`atiende.sla.clocks.team_clocks`)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="team_clocks")
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="clocks")
    ola = models.ForeignKey(OlaTarget, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(_("measures"), max_length=20, choices=OlaMetric.choices)

    class Meta:
        verbose_name = _("OLA clock")
        verbose_name_plural = _("OLA clocks")
        ordering = ["ticket", "started_at", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "team", "metric"],
                                    name="team_clock_once"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(state="running"),
                                name="team_clock_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.team_id} {self.metric} {self.state}"


class ContractClock(InternalClock):
    """One underpinning contract on one ticket: its time with the supplier
    (`atiende.sla.clocks.contract_clock`)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="contract_clocks")
    contract = models.ForeignKey(UnderpinningContract, on_delete=models.CASCADE,
                                 related_name="clocks")

    class Meta:
        verbose_name = _("underpinning contract clock")
        verbose_name_plural = _("underpinning contract clocks")
        ordering = ["ticket", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "contract"], name="contract_clock_once"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(state="running"),
                                name="contract_clock_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.contract_id} {self.state}"
