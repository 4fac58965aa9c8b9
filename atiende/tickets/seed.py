"""Synthetic desks for benchmarks, loaded fast: `atiende seed --tickets N --organizations M`.

The demo plays every ticket through the services; a benchmark needs a million tickets
in minutes, so the seed writes rows in bulk instead: COPY on PostgreSQL, one
`executemany` per table and batch on SQLite. The rows are the ones the services would
have written for the same history:

- organizations with the three desks of the demo (Tecnología, Talento Humano,
  Finanzas), their category trees, services, two teams each, agents, a department
  manager and requesters, with the memberships that make them so;
- tickets numbered from `TicketSequence` (advanced by the seed, so numbers stay
  unique and contiguous per kind), each with its detail record and an event log that
  matches its status: created; assigned (and the status it implies); the first public
  reply; in progress; pending, resolved, closed or cancelled; an internal note on some;
  ticket versions and timestamps increasing as the services would set them;
- the events written already delivered: the outbox has nothing to do for synthetic
  history (search documents are not built: run `atiende reindex` for search).

Same seed, same desk: titles, numbers, statuses and people are a function of
(`seed`, `tickets`, `organizations`) on an empty database; times are relative to
`now`. Each batch of tickets is one transaction: its ids and numbers are reserved
before it is written, so a writer working meanwhile does not collide with the seed
(but the seed is meant for a database nobody else writes to), and a seed stopped
half-way leaves whole tickets only.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from atiende.core.database import refresh_statistics
from atiende.core.models import Department, Membership, Organization, Role, Team, User
from atiende.tickets import demo_content as content
from atiende.tickets.demo import as_html, texts_words
from atiende.tickets.models import (
    DEFAULT_PRIORITY_MATRIX,
    NUMBER_PREFIX,
    Category,
    Channel,
    Comment,
    Event,
    EventKind,
    IncidentDetail,
    Kind,
    PendingReason,
    ResolutionCode,
    Service,
    ServiceRequestDetail,
    Status,
    Ticket,
    TicketSequence,
    Visibility,
)

SEED_PASSWORD = "atiende-seed"  # every synthetic account's, for benchmarks that sign in
BATCH = 5000
DAYS = 365
VARIANTS = 400  # rendered texts per department function

DEPARTMENTS = (
    ("Tecnología", content.IT, ("Mesa de servicio", "Soporte en sitio")),
    ("Talento Humano", content.HR, ("Nómina", "Bienestar")),
    ("Finanzas", content.FINANCE, ("Cuentas por pagar", "Tesorería")),
)
FUNCTION_WEIGHTS = {content.IT: 6, content.HR: 2, content.FINANCE: 2}
FIRST_NAMES = (
    "Ana", "Andrés", "Camila", "Carlos", "Daniela", "David", "Diana", "Felipe", "Gabriela",
    "Jorge", "Juan", "Julián", "Laura", "Luisa", "Manuela", "María", "Mateo", "Natalia",
    "Paula", "Ricardo", "Santiago", "Sara", "Sebastián", "Sofía", "Tomás", "Valentina",
)
LAST_NAMES = (
    "Gómez", "Rodríguez", "López", "Martínez", "García", "Hernández", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Moreno", "Jiménez", "Díaz", "Castro",
    "Ortiz", "Vargas", "Rojas", "Mejía", "Restrepo", "Cárdenas", "Suárez", "Osorio",
)
CHANNELS = ((Channel.PORTAL, 45), (Channel.EMAIL, 30), (Channel.PHONE, 15), (Channel.CHAT, 5),
            (Channel.WALK_IN, 5))
SELF_SERVICE = frozenset({Channel.PORTAL, Channel.EMAIL, Channel.CHAT})
# Final status by the ticket's age: (age in days below which it applies, weights).
STATUS_BY_AGE = (
    (1, {Status.NEW: 35, Status.ASSIGNED: 25, Status.IN_PROGRESS: 25, Status.PENDING: 10,
         Status.RESOLVED: 5}),
    (7, {Status.NEW: 5, Status.ASSIGNED: 10, Status.IN_PROGRESS: 25, Status.PENDING: 15,
         Status.RESOLVED: 30, Status.CLOSED: 10, Status.CANCELLED: 5}),
    (None, {Status.CLOSED: 88, Status.CANCELLED: 5, Status.RESOLVED: 2, Status.PENDING: 2,
            Status.IN_PROGRESS: 2, Status.ASSIGNED: 1}),
)
# Seconds between the steps of a history (low, high).
DELAYS = {
    "assign": (300, 4 * 3600), "reply": (300, 2 * 3600), "start": (60, 3600),
    "note": (600, 4 * 3600), "pending": (600, 8 * 3600), "resolve": (3600, 3 * 86400),
    "close": (86400, 4 * 86400), "cancel": (600, 86400),
}
WORKED = frozenset({Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CLOSED})


class _Chooser:
    """A weighted choice, drawn with one random number (a million times faster to set up
    once than `random.choices` each time)."""

    def __init__(self, weights: dict) -> None:
        self.items = list(weights)
        self.bounds, total = [], 0.0
        for weight in weights.values():
            total += weight
            self.bounds.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.items[min(bisect(self.bounds, rng.random() * self.total),
                              len(self.items) - 1)]


_STATUS_CHOOSERS = tuple((limit, _Chooser(weights)) for limit, weights in STATUS_BY_AGE)
_CHANNEL_CHOOSER = _Chooser(dict(CHANNELS))


class SeedConflict(Exception):
    """The database already holds this seed's organizations."""


@dataclass
class SeedReport:
    organizations: int = 0
    people: int = 0
    tickets: int = 0
    comments: int = 0
    events: int = 0
    seconds: float = 0.0

    @property
    def tickets_per_second(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0


@dataclass
class _Desk:
    """One seeded department: ids and names the ticket rows need."""

    organization_id: int
    department_id: int
    function: str
    teams: list[tuple[int, str, list[tuple[int, str]]]]  # id, name, members (id, name)
    requesters: list[tuple[int, str]]
    categories: dict[tuple[str, ...], int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)


@dataclass
class _Variant:
    """A rendered situation: what one ticket says and how it ends."""

    kind: str
    category: tuple[str, ...]
    service: str
    title: str
    description: str
    impacts: tuple[int, ...]
    urgencies: tuple[int, ...]
    resolution_code: str
    resolution_notes: str

    @cached_property
    def title_json(self) -> str:
        return json.dumps(self.title)


def seed_tickets(*, tickets: int, organizations: int = 1, seed: int = 1,
                 now: dt.datetime | None = None, days: int = DAYS, batch: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> SeedReport:
    """Create `organizations` synthetic organizations and `tickets` tickets spread over
    their desks and the last `days`. Raises SeedConflict when this seed's organizations
    exist already. `progress` hears the number of tickets written after each batch."""
    if tickets < 0 or organizations < 1 or batch < 1:
        raise ValueError("tickets >= 0, organizations >= 1 and batch >= 1")
    started = time.perf_counter()
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    report = SeedReport(organizations=organizations)
    with transaction.atomic():
        desks, report.people = _organizations(rng, seed=seed, organizations=organizations,
                                              tickets=tickets)
    variants = {function: _variants(rng, function) for function in FUNCTION_WEIGHTS}
    replies = {function: _texts(rng, content.ACKNOWLEDGEMENTS[function])
               for function in FUNCTION_WEIGHTS}
    notes = {function: _texts(rng, content.INTERNAL_NOTES[function])
             for function in FUNCTION_WEIGHTS}
    end = int(now.timestamp())
    span = days * 86400
    moments = sorted(end - 60 - int(rng.random() * span) for _ in range(tickets))
    desk_chooser = _Chooser({index: FUNCTION_WEIGHTS[desk.function]
                             for index, desk in enumerate(desks)})
    writer = _Writer(now)
    for first in range(0, tickets, batch):
        plans = [_plan(rng, desks[desk_chooser(rng)], variants, replies, notes, moment, end)
                 for moment in moments[first:first + batch]]
        with transaction.atomic():
            comments, events = writer.write(plans)
        report.tickets += len(plans)
        report.comments += comments
        report.events += events
        if progress is not None:
            progress(report.tickets)
    refresh_statistics()
    report.seconds = time.perf_counter() - started
    return report



# --- organizations, desks, people ---------------------------------------------------------


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"


def _organizations(rng: random.Random, *, seed: int, organizations: int,
                   tickets: int) -> tuple[list[_Desk], int]:
    slugs = [f"seed-{seed}-{index + 1:04d}" for index in range(organizations)]
    if Organization.objects.filter(slug__in=slugs).exists():
        raise SeedConflict(slugs[0])
    per_desk = tickets / (organizations * len(DEPARTMENTS))
    agents_per_desk = max(3, min(40, round(per_desk / 1500)))
    requesters_per_org = max(10, min(5000, round(tickets / organizations / 40)))
    password = make_password(SEED_PASSWORD)

    orgs = Organization.objects.bulk_create([
        Organization(name=f"Organización sintética {seed}-{index + 1}", slug=slug)
        for index, slug in enumerate(slugs)
    ])
    departments = Department.objects.bulk_create([
        Department(organization=organization, name=name, slug=slugify(name), function=function)
        for organization in orgs
        for name, function, _teams in DEPARTMENTS
    ])
    team_names = {function: names for _name, function, names in DEPARTMENTS}
    teams = Team.objects.bulk_create([
        Team(department=department, name=name)
        for department in departments for name in team_names[department.function]
    ])
    teams_by_department: dict[int, list[Team]] = {}
    for team in teams:
        teams_by_department.setdefault(team.department_id, []).append(team)

    people: list[User] = []
    roles: list[tuple[User, Organization, Department | None, str]] = []
    staff: dict[int, list[User]] = {}
    requesters: dict[int, list[User]] = {}
    for organization in orgs:
        domain = f"{organization.slug}.example"
        for number in range(requesters_per_org):
            user = User(email=f"persona{number + 1}@{domain}", display_name=_name(rng),
                        organization=organization, password=password)
            people.append(user)
            roles.append((user, organization, None, Role.REQUESTER))
            requesters.setdefault(organization.pk, []).append(user)
    for department in departments:
        organization = next(org for org in orgs if org.pk == department.organization_id)
        domain = f"{organization.slug}.example"
        for number in range(agents_per_desk + 1):
            user = User(email=f"{department.slug}{number + 1}@{domain}",
                        display_name=_name(rng), organization=organization,
                        password=password)
            people.append(user)
            manager = number == agents_per_desk
            roles.append((user, organization, department,
                          Role.DEPARTMENT_MANAGER if manager else Role.AGENT))
            if not manager:
                staff.setdefault(department.pk, []).append(user)
    User.objects.bulk_create(people, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=user, organization=organization, department=department, role=role)
         for user, organization, department, role in roles], batch_size=2000)
    membership_rows = []
    desks = []
    for department in departments:
        department_teams = teams_by_department[department.pk]
        agents = staff[department.pk]
        members: dict[int, list[User]] = {team.pk: [] for team in department_teams}
        for index, agent in enumerate(agents):
            team = department_teams[index % len(department_teams)]
            members[team.pk].append(agent)
            membership_rows.append(Team.members.through(team=team, user=agent))
        desk = _Desk(
            organization_id=department.organization_id, department_id=department.pk,
            function=department.function,
            teams=[(team.pk, team.name, [(user.pk, user.display_name)
                                         for user in members[team.pk]])
                   for team in department_teams],
            requesters=[(user.pk, user.display_name)
                        for user in requesters[department.organization_id]],
        )
        _categories_and_services(desk)
        desks.append(desk)
    Team.members.through.objects.bulk_create(membership_rows, batch_size=2000)
    return desks, len(people)


def _categories_and_services(desk: _Desk) -> None:
    tree = content.CATEGORY_TREES[desk.function]
    tops = Category.objects.bulk_create([Category(department_id=desk.department_id, name=top)
                                         for top in tree])
    children = Category.objects.bulk_create([
        Category(department_id=desk.department_id, parent=top, name=child)
        for top in tops for child in tree[top.name]
    ])
    desk.categories = {(top.name,): top.pk for top in tops}
    names = {top.pk: top.name for top in tops}
    desk.categories |= {(names[child.parent_id], child.name): child.pk for child in children}
    services = Service.objects.bulk_create([
        Service(department_id=desk.department_id, name=name, description=description)
        for name, description in content.SERVICES[desk.function]
    ])
    desk.services = {service.name: service.pk for service in services}


_PLACES = {"areas": tuple(area for place in content.PLACES.values() for area in place["areas"]),
           "sedes": tuple(sede for place in content.PLACES.values() for sede in place["sedes"])}


def _words(rng: random.Random) -> dict[str, str]:
    local = dt.datetime(2025, 6, 15, 10, tzinfo=dt.UTC) + dt.timedelta(days=rng.randint(0, 200))
    return texts_words(rng, requester=_name(rng), colleagues=[_name(rng)], places=_PLACES,
                       country="CO", local=local)


def _texts(rng: random.Random, templates: Sequence[str], count: int = 50) -> list[str]:
    """`count` renderings of the templates, keeping `{nombre}` and `{equipo}` to be
    filled per ticket."""
    rendered = []
    for _ in range(count):
        words = _words(rng) | {"nombre": "{nombre}", "equipo": "{equipo}"}
        rendered.append(as_html(rng.choice(templates).format_map(words)))
    return rendered


def _variants(rng: random.Random, function: str) -> list[_Variant]:
    """`VARIANTS` rendered situations of a department function, in their proportions."""
    situations = [s for s in content.SITUATIONS if s.function == function]
    variants = []
    for _ in range(VARIANTS):
        situation = rng.choices(situations, [s.weight for s in situations])[0]
        words = _words(rng)
        words["tercero"] = situation.third_party
        code, notes = rng.choice(situation.resolutions)
        if situation.kind == Kind.SERVICE_REQUEST and code == ResolutionCode.FIXED:
            code = ResolutionCode.FULFILLED
        variants.append(_Variant(
            kind=situation.kind, category=situation.category, service=situation.service,
            title=rng.choice(situation.titles).format_map(words),
            description=as_html(rng.choice(situation.descriptions).format_map(words)),
            impacts=situation.impact, urgencies=situation.urgency, resolution_code=code,
            resolution_notes=as_html(notes.format_map(words)),
        ))
    return variants


# --- one ticket ---------------------------------------------------------------------------


@dataclass
class _Plan:
    """One ticket and its history, before ids and numbers are known."""

    desk: _Desk
    variant: _Variant
    status: str
    channel: str
    requester: tuple[int, str]
    team: tuple[int, str]
    agent: tuple[int, str]
    impact: int
    urgency: int
    created: int  # seconds since the epoch, as every time below
    steps: list[tuple[str, int]]  # (step, time) after creation
    reply: str
    note: str


def _plan(rng: random.Random, desk: _Desk, variants: dict[str, list[_Variant]],
          replies: dict[str, list[str]], notes: dict[str, list[str]], created: int,
          end: int) -> _Plan:
    variant = variants[desk.function][int(rng.random() * VARIANTS)]
    age_days = (end - created) / 86400
    status = next(choose(rng) for limit, choose in _STATUS_CHOOSERS
                  if limit is None or age_days < limit)
    team = desk.teams[int(rng.random() * len(desk.teams))]
    members = team[2]
    agent = members[int(rng.random() * len(members))]
    requester = desk.requesters[int(rng.random() * len(desk.requesters))]
    names = ["cancel"] if status == Status.CANCELLED else []
    if status != Status.NEW and status != Status.CANCELLED:
        names.append("assign")
    if status in WORKED:
        names += ["reply", "start"]
        if rng.random() < 0.2:
            names.append("note")
        if status == Status.PENDING:
            names.append("pending")
        if status in (Status.RESOLVED, Status.CLOSED):
            names.append("resolve")
        if status == Status.CLOSED:
            names.append("close")
    delays = [rng.uniform(*DELAYS[name]) for name in names]
    room = end - 1 - created
    total = sum(delays)
    scale = min(1.0, room / total) if total else 1.0
    steps, moment = [], float(created)
    for name, delay in zip(names, delays, strict=True):
        moment += delay * scale
        steps.append((name, int(moment)))
    first = requester[1].split()[0]
    return _Plan(
        desk=desk, variant=variant, status=status,
        channel=_CHANNEL_CHOOSER(rng),
        requester=requester, team=(team[0], team[1]), agent=agent,
        impact=variant.impacts[int(rng.random() * len(variant.impacts))],
        urgency=variant.urgencies[int(rng.random() * len(variant.urgencies))],
        created=created, steps=steps,
        reply=rng.choice(replies[desk.function]).replace("{nombre}", escape(first)).replace(
            "{equipo}", escape(team[1])),
        note=rng.choice(notes[desk.function]),
    )


# --- writing --------------------------------------------------------------------------------

_STATUS_JSON = {status: json.dumps(status) for status in Status.values}
_NO_ASSIGNMENT = json.dumps({"team": None, "assignee": None})
_PUBLIC = json.dumps({"visibility": Visibility.PUBLIC})
_INTERNAL = json.dumps({"visibility": Visibility.INTERNAL})


class _Table:
    """Bulk rows for one model: the columns the seed fills, then every other column
    with its default (so a column added later keeps the seed working, or fails here
    with its name when it has no default)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.name = model._meta.db_table
        given = set(columns)
        extra, defaults = [], []
        for model_field in model._meta.concrete_fields:
            if model_field.column in given:
                continue
            if not model_field.has_default() and not model_field.null:
                raise RuntimeError(f"seed: {self.name}.{model_field.column} needs a value")
            extra.append(model_field.column)
            default = model_field.get_default() if model_field.has_default() else None
            defaults.append(model_field.get_db_prep_save(default, connection))
        self.columns = [*columns, *extra]
        self.defaults = tuple(defaults)

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.defaults:
            rows = [row + self.defaults for row in rows]
        columns = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        table = connection.ops.quote_name(self.name)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                                   rows)


class _Writer:
    """Turns plans into rows, reserving ids and numbers, and writes them."""

    def __init__(self, now: dt.datetime) -> None:
        self.postgresql = connection.vendor == "postgresql"
        self._days: dict[int, str] = {}
        self._zone = "+00" if self.postgresql else ""
        self.delivered = self._time(int(now.timestamp()))
        self.tickets = _Table(Ticket, [
            "id", "number", "kind", "title", "description", "organization_id",
            "department_id", "requester_id", "channel", "category_id", "service_id",
            "impact", "urgency", "priority", "priority_overridden", "team_id", "assignee_id",
            "support_line", "status", "pending_reason", "resolution_code",
            "resolution_notes", "parent_id", "merged_into_id", "custom_fields", "version",
            "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
        ])
        self.incidents = _Table(IncidentDetail, ["ticket_id", "is_major", "workaround"])
        self.requests = _Table(ServiceRequestDetail, ["ticket_id", "requested_for_id"])
        self.comments = _Table(Comment, ["id", "ticket_id", "author_id", "visibility", "body",
                                         "channel", "created_at", "edited_at", "deleted_at"])
        self.events = _Table(Event, [
            "id", "ticket_id", "created_at", "actor_id", "channel", "kind", "field",
            "old_value", "new_value", "comment_id", "reason", "ticket_version", "delivered_at",
        ])
        self._assignments: dict[tuple, str] = {}

    def _time(self, seconds: int) -> str:
        """The moment as the database takes it: UTC text, the day's part cached."""
        day, rest = divmod(seconds, 86400)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = dt.datetime.fromtimestamp(day * 86400, dt.UTC).strftime(
                "%Y-%m-%d")
        hours, rest = divmod(rest, 3600)
        minutes, rest = divmod(rest, 60)
        return f"{date} {hours:02d}:{minutes:02d}:{rest:02d}{self._zone}"

    def _assignment(self, team: tuple[int, str], agent: tuple[int, str]) -> str:
        key = (team, agent)
        if key not in self._assignments:
            self._assignments[key] = json.dumps({
                "team": {"id": team[0], "label": team[1]},
                "assignee": {"id": agent[0], "label": agent[1]},
            })
        return self._assignments[key]

    def write(self, plans: list[_Plan]) -> tuple[int, int]:
        """Write the plans' tickets with their details, comments and events (inside the
        caller's transaction); return how many comments and events."""
        counts = {kind: 0 for kind in NUMBER_PREFIX}
        for plan in plans:
            counts[plan.variant.kind] += 1
        numbers = {kind: _reserve_numbers(kind, count) for kind, count in counts.items()
                   if count}
        ticket_id = _reserve_ids(Ticket, len(plans))
        tickets, incidents, requests, comments, events = [], [], [], [], []
        stamp = self._time
        no = False if self.postgresql else 0
        for plan in plans:
            variant, desk = plan.variant, plan.desk
            kind = variant.kind
            number = f"{NUMBER_PREFIX[kind]}-{numbers[kind]:06d}"
            numbers[kind] += 1
            priority = DEFAULT_PRIORITY_MATRIX[(plan.impact, plan.urgency)]
            requester_acts = plan.channel in SELF_SERVICE
            agent_id = plan.agent[0]
            created = stamp(plan.created)
            version, status, assigned = 1, Status.NEW, False
            first_response = resolved = closed = None
            pending_reason = resolution_code = resolution_notes = ""
            history = [(created, agent_id if not requester_acts else plan.requester[0],
                        plan.channel, EventKind.CREATED, "", None,
                        f'{{"title": {variant.title_json}, "status": {_STATUS_JSON[Status.NEW]}, '
                        f'"priority": {priority}}}', None, "", 1)]
            updated = created
            for name, seconds in plan.steps:
                moment = stamp(seconds)
                updated = moment
                if name == "assign":
                    version += 1
                    assigned = True
                    history.append((moment, agent_id, "web", EventKind.ASSIGNED, "",
                                    _NO_ASSIGNMENT, self._assignment(plan.team, plan.agent),
                                    None, "", version))
                    history.append((moment, agent_id, "web", EventKind.STATUS, "status",
                                    _STATUS_JSON[Status.NEW], _STATUS_JSON[Status.ASSIGNED],
                                    None, "",
                                    version))
                    status = Status.ASSIGNED
                    continue
                if name in ("reply", "note"):
                    public = name == "reply"
                    comments.append([ticket_id, agent_id,
                                     Visibility.PUBLIC if public else Visibility.INTERNAL,
                                     plan.reply if public else plan.note, "web", moment, None,
                                     None])
                    history.append((moment, agent_id, "web", EventKind.COMMENTED, "", None,
                                    _PUBLIC if public else _INTERNAL, len(comments) - 1, "",
                                    version))
                    if public and first_response is None:
                        first_response = moment
                    continue
                new_status = {"start": Status.IN_PROGRESS, "pending": Status.PENDING,
                              "resolve": Status.RESOLVED, "close": Status.CLOSED,
                              "cancel": Status.CANCELLED}[name]
                version += 1
                if new_status == Status.PENDING:
                    pending_reason = PendingReason.AWAITING_REQUESTER
                elif new_status == Status.RESOLVED:
                    resolution_code = variant.resolution_code
                    resolution_notes = variant.resolution_notes
                    resolved = moment
                elif new_status == Status.CLOSED:
                    closed = moment
                actor = plan.requester[0] if (new_status == Status.CANCELLED
                                              or (new_status == Status.CLOSED
                                                  and requester_acts)) else agent_id
                history.append((moment, actor, "web", EventKind.STATUS, "status",
                                _STATUS_JSON[status], _STATUS_JSON[new_status], None,
                                pending_reason or resolution_code, version))
                status = new_status
            tickets.append((
                ticket_id, number, kind, variant.title, variant.description,
                desk.organization_id, desk.department_id, plan.requester[0], plan.channel,
                desk.categories.get(variant.category), desk.services.get(variant.service),
                plan.impact, plan.urgency, priority, no, plan.team[0] if assigned else None,
                agent_id if assigned else None, 1, status, pending_reason, resolution_code,
                resolution_notes, None, None, "{}", version, created, updated, first_response,
                resolved, closed,
            ))
            if kind == Kind.INCIDENT:
                incidents.append((ticket_id, no, ""))
            else:
                requests.append((ticket_id, None))
            events.extend((ticket_id, *entry) for entry in history)
            ticket_id += 1
        comment_id = _reserve_ids(Comment, len(comments))
        for offset, comment in enumerate(comments):
            comment.insert(0, comment_id + offset)
        event_id = _reserve_ids(Event, len(events))
        rows = []
        for offset, (ticket, moment, actor, channel, kind, field_name, old, new, comment,
                     reason, version) in enumerate(events):
            rows.append((event_id + offset, ticket, moment, actor, channel, kind, field_name,
                         old, new, None if comment is None else comment_id + comment, reason,
                         version, self.delivered))
        self.tickets.write(tickets)
        self.incidents.write(incidents)
        self.requests.write(requests)
        self.comments.write([tuple(comment) for comment in comments])
        self.events.write(rows)
        return len(comments), len(rows)


def _reserve_numbers(kind: str, count: int) -> int:
    """Advance `kind`'s sequence by `count`; return the first number reserved. The
    UPDATE holds the row lock until commit, as `services._next_number` does."""
    if not TicketSequence.objects.filter(kind=kind).update(last=F("last") + count):
        TicketSequence.objects.create(kind=kind, last=count)
    return TicketSequence.objects.get(kind=kind).last - count + 1


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """Move the table's id sequence past `count` ids; return the first one. Rows
    inserted by others meanwhile take ids after the reserved ones."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            if count == 0:
                return 0
            cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
            return cursor.fetchone()[0] - count + 1
        quoted, quoted_column = connection.ops.quote_name(table), connection.ops.quote_name(column)
        cursor.execute(f"SELECT COALESCE(MAX({quoted_column}), 0) FROM {quoted}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        base = max(highest, row[0] if row else 0)
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                           [base + count, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                           [table, base + count])
        return base + 1
