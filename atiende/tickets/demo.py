"""Demo tickets: four months of a living desk, built through the ticket services.

`load_demo_tickets` gives every client department of the demo a category tree and its
services, adds requesters, and plays about 3,000 ticket stories over the last 120 days:
each ticket is created backdated and then assigned, answered, put on hold, escalated,
resolved, reopened, closed or cancelled by the people who would do it, at plausible
times in the organization's working hours, through the same services the web and the
API use (so every event is in the log, in order). A story stops at the present: recent
tickets are still open. The same seed and the same `now` give the same desk. The
history is searchable at once, and its events are delivered (see `_settle_history`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks

from atiende.core import services as core_services
from atiende.core.models import DEPARTMENT_ROLES, Department, Membership, Role, Team, User
from atiende.core.scoping import scope_of
from atiende.tickets import demo_content as content
from atiende.tickets import services
from atiende.tickets.models import (
    Category,
    Channel,
    Event,
    Kind,
    PendingReason,
    Service,
    Status,
    Ticket,
    Visibility,
)
from atiende.tickets.search import index_tickets

DEMO_SEED = 20250401
DEMO_DAYS = 120
DEMO_TICKETS = 3000

# Share of the tickets per client (by slug) and per department function.
CLIENT_WEIGHTS = {"cafe-montana": 35, "clinica-san-rafael": 40, "distribuidora-azteca": 25}
FUNCTION_WEIGHTS = {content.IT: 60, content.HR: 20, content.FINANCE: 20}
# How requesters reach each kind of desk.
CHANNELS = {
    content.IT: ((Channel.PORTAL, 40), (Channel.EMAIL, 25), (Channel.PHONE, 20),
                 (Channel.CHAT, 8), (Channel.WALK_IN, 7)),
    "*": ((Channel.PORTAL, 50), (Channel.EMAIL, 35), (Channel.PHONE, 10),
          (Channel.WALK_IN, 5)),
}
SELF_SERVICE_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL, Channel.CHAT})
# Minutes from the start of work to the resolution, per priority (low, high).
WORK_MINUTES = {1: (30, 240), 2: (60, 600), 3: (120, 2400), 4: (480, 5760), 5: (1440, 10080)}
WORKDAY = (8, 18)  # local hours agents answer


@dataclass
class Desk:
    """A client department with the people and records its tickets need."""

    department: Department
    function: str
    slug: str
    country: str
    zone: zoneinfo.ZoneInfo
    agents: list[User]
    manager: User | None
    teams: dict[str, Team]
    members: dict[str, list[User]]
    requesters: list[User]
    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    situations: list[content.Situation] = field(default_factory=list)

    @property
    def organization(self):
        return self.department.organization


class _Later(Exception):
    """The story's next step lies in the future: the ticket stays as it is."""


@transaction.atomic
def load_demo_tickets(*, actor: User, now: dt.datetime | None = None, seed: int = DEMO_SEED,
                      count: int = DEMO_TICKETS, days: int = DEMO_DAYS) -> int:
    """Categories, services, extra requesters and `count` ticket stories for every
    client department of the demo. `actor` is the provider admin who configures the
    desks. Returns the number of tickets created."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    desks = [desk for desk in _desks(actor) if desk.function in content.CATEGORY_TREES]
    for desk in desks:
        _configure(desk)
    if not desks:
        return 0
    starts = sorted(_creation_time(rng, now, days) for _ in range(count))
    weights = [CLIENT_WEIGHTS.get(desk.slug, 30) * FUNCTION_WEIGHTS.get(desk.function, 10)
               for desk in desks]
    made = []
    for index, created_at in enumerate(starts):
        desk = rng.choices(desks, weights)[0]
        story_rng = random.Random(f"{seed}:{index}")  # noqa: S311
        made.append(_Story(desk, story_rng, now).play(created_at).pk)
    _settle_history(made, now)
    return count


def _settle_history(ticket_ids: list[int], now: dt.datetime) -> None:
    """The demo's months of history happened before the desk was installed: consumers
    that keep derived state get it in bulk (the search index, here), and consumers that
    act on news (mail, webhooks, automation) must not act on it. So the history's
    events are marked delivered, the one change the event log allows."""
    for first in range(0, len(ticket_ids), 500):
        index_tickets(ticket_ids[first:first + 500])
    for first in range(0, len(ticket_ids), 500):
        Event.objects.filter(ticket_id__in=ticket_ids[first:first + 500],
                             delivered_at__isnull=True).update(delivered_at=now)


# --- the desks ----------------------------------------------------------------------------


def _desks(admin: User) -> list[Desk]:
    """Every department of every client organization, with its agents and teams; each
    person is one User object, so scopes are computed once."""
    people: dict[int, User] = {}

    def one(user: User) -> User:
        return people.setdefault(user.pk, user)

    desks = []
    departments = (Department.objects.filter(organization__is_provider=False, is_active=True)
                   .select_related("organization").order_by("organization__name", "name"))
    requesters_by_org: dict[int, list[User]] = {}
    for department in departments:
        organization = department.organization
        if organization.pk not in requesters_by_org:
            _add_requesters(admin, organization)
            requesters_by_org[organization.pk] = [
                one(user) for user in User.objects.filter(organization=organization,
                                                          is_active=True).order_by("pk")]
        memberships = (Membership.objects.filter(department=department,
                                                 organization=organization,
                                                 role__in=DEPARTMENT_ROLES)
                       .select_related("user").order_by("pk"))
        agents = [one(m.user) for m in memberships if m.role != Role.DEPARTMENT_MANAGER]
        managers = [one(m.user) for m in memberships if m.role == Role.DEPARTMENT_MANAGER]
        staff = {user.pk for user in agents + managers}
        requesters = [user for user in requesters_by_org[organization.pk]
                      if user.pk not in staff]
        if not agents or not requesters:
            continue
        teams = {team.name: team for team in Team.objects.filter(department=department,
                                                                 is_active=True)}
        members = {name: [one(user) for user in team.members.order_by("pk")
                          if user.pk in staff]
                   for name, team in teams.items()}
        desks.append(Desk(
            department=department, function=department.function, slug=organization.slug,
            country=organization.country, zone=zoneinfo.ZoneInfo(organization.time_zone),
            agents=agents, manager=managers[0] if managers else None, teams=teams,
            members={name: users for name, users in members.items() if users},
            requesters=requesters,
        ))
    return desks


def _add_requesters(admin: User, organization) -> None:
    names = content.REQUESTERS.get(organization.slug, ())
    sample = User.objects.filter(organization=organization).order_by("pk").first()
    if not names or sample is None:
        return
    from atiende.core.demo import email_for

    domain = sample.email.split("@", 1)[1]
    for name in names:
        email = email_for(name, domain)
        if not User.objects.filter(email__iexact=email).exists():
            core_services.user_create(actor=admin, organization=organization, email=email,
                                      display_name=name, role=Role.REQUESTER, invite=False,
                                      channel="cli")


def _configure(desk: Desk) -> None:
    """The department's category tree and services. Administrators keep these in the
    admin pages (configuration, not ticket work: no event log), so they are written
    directly."""
    tree = content.CATEGORY_TREES.get(desk.function, {})
    for top, children in tree.items():
        parent, _ = Category.objects.get_or_create(department=desk.department, parent=None,
                                                   name=top)
        desk.categories[(top,)] = parent
        for child in children:
            desk.categories[(top, child)], _ = Category.objects.get_or_create(
                department=desk.department, parent=parent, name=child)
    for name, description in content.SERVICES.get(desk.function, ()):
        desk.services[name], _ = Service.objects.get_or_create(
            department=desk.department, name=name, defaults={"description": description})
    desk.situations = [situation for situation in content.SITUATIONS
                       if situation.function == desk.function]


# --- time ---------------------------------------------------------------------------------


def _creation_time(rng: random.Random, now: dt.datetime, days: int) -> dt.datetime:
    """A moment in the last `days`, mostly in office hours on weekdays (Bogotá time;
    close enough for Mexico City too)."""
    zone = zoneinfo.ZoneInfo("America/Bogota")
    while True:
        moment = now - dt.timedelta(seconds=rng.uniform(600, days * 86400))
        local = moment.astimezone(zone)
        if local.weekday() >= 5:
            chance = 0.06
        elif 8 <= local.hour < 18:
            chance = 1.0
        elif 6 <= local.hour < 21:
            chance = 0.2
        else:
            chance = 0.02
        if rng.random() < chance:
            return moment.replace(microsecond=0)


def _working(moment: dt.datetime, zone: zoneinfo.ZoneInfo, rng: random.Random) -> dt.datetime:
    """`moment`, or the start of the next working period when it falls outside one."""
    local = moment.astimezone(zone)
    start, end = WORKDAY
    if local.weekday() < 5 and start <= local.hour < end:
        return moment
    day = local.date() if local.hour < start else local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(start), tzinfo=zone)
    return (opening + dt.timedelta(minutes=rng.uniform(0, 50))).astimezone(dt.UTC)


def _awake(moment: dt.datetime, zone: zoneinfo.ZoneInfo, rng: random.Random) -> dt.datetime:
    """`moment`, or the next morning when it falls in the night (requesters answer
    evenings and weekends too)."""
    local = moment.astimezone(zone)
    if 7 <= local.hour < 22:
        return moment
    day = local.date() if local.hour < 7 else local.date() + dt.timedelta(days=1)
    morning = dt.datetime.combine(day, dt.time(7), tzinfo=zone)
    return (morning + dt.timedelta(minutes=rng.uniform(0, 120))).astimezone(dt.UTC)


# --- one ticket's story -------------------------------------------------------------------


class _Story:
    """Plays one ticket from creation to its end, or to the present."""

    def __init__(self, desk: Desk, rng: random.Random, now: dt.datetime) -> None:
        self.desk, self.rng, self.now = desk, rng, now
        self.ticket: Ticket | None = None
        self.clock: dt.datetime | None = None

    # time

    def _advance(self, low: float, high: float, *, agent: bool) -> dt.datetime:
        """Move the story's clock `low` to `high` minutes on, into working hours for agents
        and waking hours for requesters; refuse to pass the present."""
        moment = self.clock + dt.timedelta(minutes=self.rng.uniform(low, high))
        moment = (_working if agent else _awake)(moment, self.desk.zone, self.rng)
        moment = moment.replace(microsecond=0)
        if moment >= self.now:
            raise _Later
        self.clock = moment
        return moment

    def agent_after(self, low: float, high: float) -> dt.datetime:
        return self._advance(low, high, agent=True)

    def requester_after(self, low: float, high: float) -> dt.datetime:
        return self._advance(low, high, agent=False)

    # steps, each one service call

    def assign(self, actor: User, team: Team | None, agent: User | None) -> None:
        self.ticket = services.ticket_assign(actor=actor, ticket=self.ticket, team=team,
                                             assignee=agent, version=self.ticket.version,
                                             at=self.clock)

    def transition(self, actor: User, status: str, **details: str) -> None:
        self.ticket = services.ticket_transition(actor=actor, ticket=self.ticket,
                                                 to_status=status, version=self.ticket.version,
                                                 at=self.clock, **details)

    def comment(self, actor: User, body: str, *, internal: bool = False,
                channel: str = "web") -> None:
        services.comment_add(actor=actor, ticket=self.ticket, body=as_html(body),
                             visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
                             channel=channel, at=self.clock)

    def escalate(self, actor: User, team: Team, reason: str) -> None:
        self.ticket = services.ticket_escalate(actor=actor, ticket=self.ticket, reason=reason,
                                               team=team, version=self.ticket.version,
                                               at=self.clock)

    # the story

    def play(self, created_at: dt.datetime) -> Ticket:
        with contextlib.suppress(_Later):
            self._play(created_at)
        return self.ticket

    def _play(self, created_at: dt.datetime) -> None:
        rng, desk = self.rng, self.desk
        situation = rng.choices(desk.situations, [s.weight for s in desk.situations])[0]
        requester = rng.choice(desk.requesters)
        team, agent = self._assignee(situation)
        colleagues = [user.display_name for user in desk.requesters if user.pk != requester.pk]
        words = texts_words(rng, requester=requester.display_name,
                            colleagues=colleagues or [agent.display_name],
                            places=content.PLACES.get(desk.slug, content.DEFAULT_PLACES),
                            country=desk.country, local=created_at.astimezone(desk.zone))
        channel = self._channel(requester)
        self_service = channel in SELF_SERVICE_CHANNELS and self._may_ask(requester)
        creator = requester if self_service else agent
        taken_at_once = not self_service and rng.random() < 0.6
        self.clock = created_at
        self.ticket = services.ticket_create(
            actor=creator, kind=situation.kind, channel=channel,
            title=rng.choice(situation.titles).format_map(words),
            description=as_html(rng.choice(situation.descriptions).format_map(words)),
            organization=desk.organization, department=desk.department, requester=requester,
            category=desk.categories.get(situation.category),
            service=desk.services.get(situation.service),
            impact=rng.choice(situation.impact), urgency=rng.choice(situation.urgency),
            team=team if taken_at_once else None, assignee=agent if taken_at_once else None,
            created_at=created_at,
        )
        reply_channel = Channel.EMAIL if channel == Channel.EMAIL else Channel.PORTAL
        words["equipo"] = team.name if team else desk.department.name
        urgent = self.ticket.priority <= 2

        if self.ticket.assignee is None:
            self.agent_after(2, 30 if urgent else 240)
            dispatcher = desk.manager if desk.manager and rng.random() < 0.3 else agent
            self.assign(dispatcher, team, agent)
        if rng.random() < 0.04:
            self.requester_after(20, 60 * 24)
            self.comment(requester, rng.choice(content.CANCEL_REASONS), channel=reply_channel)
            self.requester_after(1, 5)
            self.transition(requester, Status.CANCELLED)
            return

        if self_service or not taken_at_once:
            # The first public reply (people who called or walked in got it in person).
            self.agent_after(3, 45 if urgent else 180)
            self.comment(agent, _say(rng, content.ACKNOWLEDGEMENTS, desk.function, words))
        if rng.random() < 0.35:
            # A quick one: solved without a working phase worth recording.
            self._resolve(agent, situation, words, quick=True)
        else:
            agent = self._work(requester, agent, team, situation, words, reply_channel)
        if rng.random() < 0.04:
            self.requester_after(60, 60 * 24 * 4)
            self.comment(requester, rng.choice(content.REOPEN_REASONS), channel=reply_channel)
            self.requester_after(1, 3)
            self.transition(requester, Status.IN_PROGRESS)
            self.agent_after(30, 60 * 8)
            self.comment(agent, _say(rng, content.INTERNAL_NOTES, desk.function, words),
                         internal=True)
            self._resolve(agent, situation, words)
        if rng.random() < 0.4:
            self.requester_after(30, 60 * 48)
            if rng.random() < 0.5:
                self.comment(requester, rng.choice(content.THANKS), channel=reply_channel)
                self.requester_after(1, 3)
            self.transition(requester, Status.CLOSED)
        else:
            # Nobody objected within the desk's three working days: the agent closes it.
            self.agent_after(60 * 24 * 3, 60 * 24 * 4)
            self.transition(agent, Status.CLOSED)

    def _work(self, requester: User, agent: User, team: Team | None,
              situation: content.Situation, words: dict, reply_channel: str) -> User:
        """In progress, perhaps waiting on the requester or a third party, perhaps
        escalated, then resolved. Returns the agent who resolved it."""
        rng, desk = self.rng, self.desk
        self.agent_after(1, 30)
        self.transition(agent, Status.IN_PROGRESS)
        if rng.random() < 0.15:
            self.agent_after(10, 120)
            self.comment(agent, _say(rng, content.QUESTIONS, desk.function, words))
            self.agent_after(1, 3)
            self.transition(agent, Status.PENDING, pending_reason=PendingReason.AWAITING_REQUESTER)
            self.requester_after(15, 60 * 30)
            self.comment(requester, _say(rng, content.ANSWERS, desk.function, words),
                         channel=reply_channel)
            self.agent_after(5, 180)
            self.transition(agent, Status.IN_PROGRESS)
        if rng.random() < 0.25:
            self.agent_after(5, 240)
            self.comment(agent, _say(rng, content.INTERNAL_NOTES, desk.function, words),
                         internal=True)
        network = desk.teams.get("Redes e infraestructura")
        if (situation.kind == Kind.INCIDENT and network is not None and team is not None
                and team.pk != network.pk and desk.members.get(network.name)
                and rng.random() < 0.12):
            self.agent_after(10, 240)
            self.escalate(agent, network, rng.choice(content.ESCALATION_REASONS))
            specialist = rng.choice(desk.members[network.name])
            self.agent_after(5, 120)
            self.assign(specialist, network, specialist)
            agent = specialist
        if situation.third_party and rng.random() < 0.12:
            words["tercero"] = situation.third_party
            self.agent_after(10, 240)
            self.comment(agent, rng.choice(content.THIRD_PARTY_NOTES).format_map(words),
                         internal=True)
            self.agent_after(1, 5)
            self.transition(agent, Status.PENDING, pending_reason=PendingReason.THIRD_PARTY)
            longest = 60 * 24 * (30 if rng.random() < 0.25 else 4)
            self.agent_after(120, longest)
            self.transition(agent, Status.IN_PROGRESS)
        self._resolve(agent, situation, words)
        return agent

    def _resolve(self, agent: User, situation: content.Situation, words: dict, *,
                 quick: bool = False) -> None:
        low, high = WORK_MINUTES[self.ticket.priority]
        share = 0.25 if quick else 1.0
        self.agent_after(low * share, high * share)
        code, notes = self.rng.choice(situation.resolutions)
        if situation.kind == Kind.SERVICE_REQUEST:
            code = code if code != content.FIXED else content.FULFILLED
        self.transition(agent, Status.RESOLVED, resolution_code=code,
                        resolution_notes=as_html(notes.format_map(words)))

    def _assignee(self, situation: content.Situation) -> tuple[Team | None, User]:
        """The team that works the situation in this department (or the department's
        first line when that team has nobody), and one of its members."""
        desk, rng = self.desk, self.rng
        fallback = {content.IT: "Mesa de servicio N1", content.HR: "Nómina",
                    content.FINANCE: "Cuentas por pagar"}.get(desk.function)
        for name in (situation.team, fallback):
            if name and desk.members.get(name):
                return desk.teams[name], rng.choice(desk.members[name])
        return None, rng.choice(desk.agents)

    def _channel(self, requester: User) -> str:
        options = CHANNELS.get(self.desk.function, CHANNELS["*"])
        return self.rng.choices([c for c, _ in options], [w for _, w in options])[0]

    def _may_ask(self, requester: User) -> bool:
        """Whether the requester may log their own tickets (a requester membership);
        colleagues who only work in another desk call or write to an agent instead."""
        return self.desk.organization.pk in scope_of(requester).requester_organizations


def _say(rng: random.Random, pool: dict[str, tuple[str, ...]], function: str,
         words: dict) -> str:
    return rng.choice(pool.get(function) or pool[content.IT]).format_map(words)


def texts_words(rng: random.Random, *, requester: str, colleagues: list[str],
                places: dict[str, tuple[str, ...]], country: str,
                local: dt.datetime) -> dict[str, str]:
    """Values for every placeholder the demo texts use, for one ticket of `requester`
    written at `local` (the organization's local time)."""
    country = content.COUNTRIES.get(country, content.COUNTRIES["CO"])
    days = rng.randint(2, 15)
    start = local.date() + dt.timedelta(days=rng.randint(10, 45))
    floors = rng.sample(range(1, 9), 2)
    amount = rng.randint(4, 250) * (10_000 if country["currency"] == "COP" else 100)
    income_certificate = country["income_certificate"]
    return {
        "nombre": requester.split()[0],
        "jefe": rng.choice(colleagues),
        "area": rng.choice(places["areas"]),
        "sede": rng.choice(places["sedes"]),
        "piso": str(floors[0]),
        "piso_otro": str(floors[1]),
        "fecha": _date(local.date() - dt.timedelta(days=rng.randint(1, 20))),
        "fecha_pago": _date(local.date() + dt.timedelta(days=rng.randint(3, 10))),
        "inicio": _date(start),
        "fin": _date(start + dt.timedelta(days=days + days // 5 * 2)),
        "dias": str(days),
        "mes": content.MONTHS[(local.month - 2) % 12],
        "mes_siguiente": content.MONTHS[local.month % 12],
        "anio": str(local.year - 1),
        "hora": f"{rng.randint(7, 16)}:{rng.choice(('00', '15', '30', '45'))}",
        "monto": _money(amount, country["currency"]),
        "cantidad": str(rng.randint(12, 180)),
        "ciudad_a": (cities := rng.sample(country["cities"], 2))[0],
        "ciudad_b": cities[1],
        "proveedor": rng.choice(country["suppliers"]),
        "id_fiscal": country["tax_id"],
        "factura": f"{country['invoice_prefix']}-{rng.randint(1000, 99999)}",
        "bono": country["bonus"],
        "certificado_ingresos": income_certificate,
        "certificado_ingresos_lower": income_certificate[0].lower() + income_certificate[1:],
        "entidad": rng.choice(country["entities"]),
        "software": rng.choice(content.SOFTWARE),
        "periferico": rng.choice(content.PERIPHERALS),
        "error_impresora": rng.choice(content.PRINTER_ERRORS),
        "documento": rng.choice(content.DOCUMENTS),
        "reunion": rng.choice(content.MEETINGS),
        "compra": rng.choice(content.PURCHASES),
        "inventario": f"{rng.choice(('EQ', 'PC', 'NB'))}-{rng.randint(1000, 9999)}",
        "radicado": str(rng.randint(100000, 999999)),
        "equipo": "",
        "tercero": "",
    }


def as_html(text: str) -> str:
    """Plain text as the web forms store it (escaped, in paragraphs)."""
    return linebreaks(text, autoescape=True)


def _date(day: dt.date) -> str:
    return f"{day.day} de {content.MONTHS[day.month - 1]}"


def _money(amount: int, currency: str) -> str:
    if currency == "COP":
        return "$" + f"{amount:,}".replace(",", ".")
    return f"${amount:,.2f} {currency}"


def iter_situation_texts() -> Iterator[str]:
    """Every text template of the demo (for tests: each must format)."""
    for situation in content.SITUATIONS:
        yield from situation.titles
        yield from situation.descriptions
        yield from (notes for _, notes in situation.resolutions)
    for pool in (content.ACKNOWLEDGEMENTS, content.QUESTIONS, content.ANSWERS,
                 content.INTERNAL_NOTES):
        for texts in pool.values():
            yield from texts
    yield from content.THIRD_PARTY_NOTES
