"""Benchmark: the SLA compliance report over a million tickets (issue #4).

Fixed setup, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL, which must
   be empty), `atiende migrate`;
2. `seed`, in a separate process with Django set up: `atiende.tickets.seed.seed_tickets`
   writes the tickets (default 1,000,000 over three organizations, seed 1, spread over
   the last 365 days) with their event logs (COPY on PostgreSQL); each organization gets
   an office calendar and a catch-all SLA policy through the services; then one
   `INSERT ... SELECT` per metric writes a clock for every ticket, with the ticket's
   grouping facts the report reads (organization, department, team, service, priority,
   creation) as a rebuild copies them (no replay: the clock rebuild has its own
   benchmark, `sla`). Clock states follow the ticket (no first reply
   yet: running; resolved: met or breached, about one in five breached) and the business
   time used is a fixed function of the ticket id, so every run measures the same data;
3. `measure`: the report (`compliance.compliance_report`) for typical requests: by
   organization, month, department, team, service and priority, each over the last 12
   or 3 months, as a provider admin and as a department manager; then the first page
   of a drill-down to breached tickets. Each request runs `--compliance-rounds` times
   after one warm-up; p50/p95 in milliseconds per request and over all of them, plus
   the EXPLAIN (ANALYZE) plan of the heaviest request on PostgreSQL.

Target: p95 under 2 s on PostgreSQL with 1,000,000 tickets.

    python bench/compliance_bench.py [--compliance-tickets 1000000] [--compliance-rounds 10]
    python bench/compliance_bench.py seed COUNT                     (internal)
    python bench/compliance_bench.py measure ROUNDS                 (internal)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import (
    STEP_TIMEOUT,
    atiende,
    command_line,
    data_dir_environment,
    database_info,
    helper,
    log,
    machine_facts,
    percentiles,
)

TICKETS = 1_000_000
ROUNDS = 10
ORGANIZATIONS = 3
OFFICE_WEEK = [{"weekday": day, "start": start, "end": end} for day in range(5)
               for start, end in (("08:00", "12:00"), ("14:00", "18:00"))]
TARGETS = [{"priority": p, "first_response_minutes": 30 * 2 ** (p - 1),
            "resolution_minutes": 240 * 2 ** (p - 1)} for p in range(1, 6)]
# metric -> (ticket column that stops it, target minutes of priority 1, share met in 1000)
CLOCKS = {"first_response": ("first_response_at", 30, 800),
          "resolution": ("resolved_at", 240, 850)}
# What each clock copies of its ticket for the report (as `clock_services._row` does).
TICKET_FACTS = ("organization_id", "department_id", "team_id", "service_id", "priority")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()


def seed(count: int) -> dict:
    _setup()
    from django.db import connection, transaction

    from atiende.core import services as core
    from atiende.core.database import refresh_statistics
    from atiende.core.models import Organization, Role, User
    from atiende.sla import policy_services, services
    from atiende.sla.models import SlaClock, SlaPolicy
    from atiende.tickets.models import Ticket
    from atiende.tickets.seed import seed_tickets

    admin = User.objects.filter(memberships__role=Role.PROVIDER_ADMIN).first()
    if admin is None:
        admin = core.provider_bootstrap(name="Proveedor bench", admin_email="admin@bench.example",
                                        admin_name="Admin")
    started = time.perf_counter()
    # A seed stopped after its tickets (a development database) resumes with the clocks.
    if not Ticket.objects.exists():
        log(f"compliance: seeding {count} tickets")
        seed_tickets(tickets=count, organizations=ORGANIZATIONS, seed=1,
                     progress=lambda done: done % 100_000 == 0
                     and log(f"compliance: {done} seeded"))
    tickets_seconds = time.perf_counter() - started
    for organization in Organization.objects.filter(is_provider=False, sla_policies=None
                                                    ).order_by("pk"):
        calendar = services.calendar_create(
            actor=admin, organization=organization, name="Oficina",
            time_zone="America/Bogota", country="CO", intervals=OFFICE_WEEK, channel="cli")
        policy_services.sla_policy_create(actor=admin, organization=organization,
                                          name="Estándar", calendar=calendar, targets=TARGETS,
                                          channel="cli")
    log("compliance: writing clocks")
    started = time.perf_counter()
    clock_table = connection.ops.quote_name(SlaClock._meta.db_table)
    ticket_table = connection.ops.quote_name(Ticket._meta.db_table)
    policy_table = connection.ops.quote_name(SlaPolicy._meta.db_table)
    given = {"ticket_id", "metric", "policy_id", "target_minutes", "calendar_id_used",
             "started_at", "due_at", "elapsed_seconds", "state", "stopped_at", "breached_at",
             "warned_levels", "computed_at", "id", *TICKET_FACTS, "ticket_created_at"}
    # Columns added later get their default, as the seed of tickets does.
    others = [field for field in SlaClock._meta.concrete_fields if field.column not in given]
    other_columns = "".join(f", {connection.ops.quote_name(f.column)}" for f in others)
    other_values = [f.get_db_prep_save(f.get_default(), connection) for f in others]
    other_marks = ", %s" * len(others)
    facts = ", ".join(TICKET_FACTS)
    ticket_facts = ", ".join(f"t.{column}" for column in TICKET_FACTS)
    with transaction.atomic(), connection.cursor() as cursor:
        for salt, (metric, (stop_column, first_target, met_share)) in enumerate(CLOCKS.items()):
            # target = first_target * 2^(priority - 1) minutes; r in 0..999 per ticket.
            target = f"({first_target} * (CASE t.priority WHEN 1 THEN 1 WHEN 2 THEN 2 " \
                     "WHEN 3 THEN 4 WHEN 4 THEN 8 ELSE 16 END))"
            share = f"((t.id * {7919 + salt * 96_810} + {salt}) %% 1000)"
            cursor.execute(f"""
                INSERT INTO {clock_table} (ticket_id, metric, policy_id, target_minutes,
                    calendar_id_used, started_at, due_at, elapsed_seconds, state, stopped_at,
                    breached_at, warned_levels, computed_at, {facts}, ticket_created_at
                    {other_columns})
                SELECT t.id, %s, p.id, {target}, p.calendar_id, t.created_at, t.created_at,
                    {target} * 60 * {share} / {met_share},
                    CASE WHEN t.{stop_column} IS NULL THEN 'running'
                         WHEN {share} < {met_share} THEN 'met' ELSE 'breached' END,
                    t.{stop_column},
                    CASE WHEN t.{stop_column} IS NOT NULL AND {share} >= {met_share}
                         THEN t.created_at END,
                    '[]', t.created_at, {ticket_facts}, t.created_at{other_marks}
                FROM {ticket_table} t JOIN {policy_table} p
                  ON p.organization_id = t.organization_id
            """, [metric, *other_values])
    clocks_seconds = time.perf_counter() - started
    refresh_statistics()
    return {"tickets": Ticket.objects.count(), "clocks": SlaClock.objects.count(),
            "seed_tickets_seconds": round(tickets_seconds, 1),
            "seed_clocks_seconds": round(clocks_seconds, 1)}


# (name, grouping, months back, extra filters, as the department manager)
REQUESTS = [
    ("by_organization_12_months", "organization", 12, {}, False),
    ("by_month_12_months", "month", 12, {}, False),
    ("by_department_12_months", "department", 12, {}, False),
    ("by_priority_resolution_12_months", "priority", 12, {"metric": "resolution"}, False),
    ("by_team_3_months", "team", 3, {}, False),
    ("by_service_3_months", "service", 3, {}, False),
    ("by_team_12_months_one_organization", "team", 12, {"organization": True}, False),
    ("manager_by_team_12_months", "team", 12, {}, True),
    ("manager_by_month_12_months", "month", 12, {}, True),
]


def measure(rounds: int) -> dict:
    _setup()
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db import connection

    from atiende.core.models import Membership, Organization, Role, User
    from atiende.sla import compliance

    zone = ZoneInfo("America/Bogota")
    today = dt.datetime.now(zone).date()
    admin = User.objects.filter(memberships__role=Role.PROVIDER_ADMIN).first()
    manager = Membership.objects.filter(role=Role.DEPARTMENT_MANAGER).select_related(
        "user").order_by("pk").first().user
    organization = Organization.objects.filter(is_provider=False).order_by("pk").first()

    def ask(actor, grouping: str, months: int, extra: dict) -> compliance.ReportRequest:
        start = today - dt.timedelta(days=months * 30)
        params = {"grouping": grouping, "from": start.isoformat(), "to": today.isoformat(),
                  **{name: str(organization.pk) if value is True else value
                     for name, value in extra.items()}}
        return compliance.parse_request(actor=actor, params=params, zone=zone, today=today)

    figures, every = {}, []
    for name, grouping, months, extra, as_manager in REQUESTS:
        actor = manager if as_manager else admin
        request = ask(actor, grouping, months, extra)
        report = compliance.compliance_report(actor=actor, request=request)  # warm-up
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            compliance.compliance_report(actor=actor, request=request)
            times.append(time.perf_counter() - started)
        every.extend(times)
        figures[name] = {"rows": len(report.rows), "ms": percentiles(sorted(times)),
                         "measured": sum(f.measured for f in report.totals.values())}
        log(f"compliance: {name} p95 {figures[name]['ms']['p95']} ms")
    drill = []
    request = ask(admin, "organization", 12, {})
    for _ in range(rounds):
        started = time.perf_counter()
        list(compliance.breached_clocks(actor=admin, request=request,
                                        key=str(organization.pk))[:50])
        drill.append(time.perf_counter() - started)
    heaviest = max(REQUESTS[:7], key=lambda item: figures[item[0]]["ms"]["p95"])
    plan = None
    if connection.vendor == "postgresql":
        queryset = compliance.report_queryset(actor=admin, request=ask(admin, *heaviest[1:4]))
        plan = {"request": heaviest[0],
                "explain": queryset.explain(analyze=True, buffers=True).splitlines(),
                "cpu_seconds_serial": _serial_cpu_seconds(connection, queryset)}
    return {
        "requests": figures,
        "all_requests_ms": percentiles(sorted(every)),
        "drill_down_first_page_ms": percentiles(sorted(drill)),
        "rounds": rounds,
        "plan": plan,
        "database": database_info(),
    }


def _serial_cpu_seconds(connection, queryset) -> list[float] | None:
    """CPU seconds the database server spends on the query without parallel workers (three
    runs): what the query costs, whatever else the machine is doing meanwhile. Read
    from /proc, so only for a server on this machine."""
    from django.db import transaction

    seconds = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if not stat.exists():
            return None

        def used() -> float:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        for _ in range(3):
            before = used()
            list(queryset.all())  # a fresh query each time
            seconds.append(round(used() - before, 2))
    return seconds


def bench(options: argparse.Namespace) -> dict:
    script = Path(__file__).resolve()
    # A step's time limit grows with the data: 6 minutes per 100,000 tickets.
    seed_timeout = max(STEP_TIMEOUT, STEP_TIMEOUT * 2 * options.compliance_tickets / 100_000)
    with data_dir_environment(1, 1) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        setup = helper(script, environment, "seed", str(options.compliance_tickets),
                       timeout=seed_timeout)
        result = helper(script, environment, "measure", str(options.compliance_rounds),
                        timeout=STEP_TIMEOUT * 10)
    return {
        "benchmark": "SLA compliance report",
        "target": "p95 < 2 s at 1,000,000 tickets (PostgreSQL)",
        "setup": setup,
        **result,
        **machine_facts(),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--compliance-tickets", type=int, default=TICKETS,
                        help="tickets (each with its clocks) the report runs over")
    parser.add_argument("--compliance-rounds", type=int, default=ROUNDS,
                        help="times each report request is measured")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    if not 1 <= options.compliance_tickets <= 2_000_000:
        parser.error("compliance tickets must be 1..2000000")
    if not 1 <= options.compliance_rounds <= 100:
        parser.error("compliance rounds must be 1..100")


def main() -> int:
    return command_line("compliance", __doc__, bench, add_arguments, check_arguments,
                        {"seed": lambda count: seed(int(count)),
                         "measure": lambda rounds: measure(int(rounds))})


if __name__ == "__main__":
    sys.exit(main())
