"""Benchmark: rebuilding SLA clocks after a calendar change (issue #4).

Fixed setup, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL, which must
   be empty), `atiende migrate`;
2. in a separate process with Django set up: `atiende.tickets.seed.seed_tickets` writes
   the tickets (default 100,000, one organization, seed 1) with their event logs; the
   organization gets an office calendar (Bogotá, split shifts, Colombian holidays) and
   one catch-all SLA policy with targets for every priority, through the services;
3. `all_tickets`: the calendar becomes 24x7, then the clocks of every ticket are
   rebuilt from their event logs (`clock_services.rebuild_clocks`, batches of 1,000):
   the worst case, the issue's figure (target under 60 s on PostgreSQL);
4. `open_tickets`: the same calendar change rebuilt as the service does it in the
   background (`rebuild_open_tickets(calendar_id=...)`: open tickets only; resolved ones
   keep their answer).

    python bench/sla_bench.py [--sla-tickets 100000]
    python bench/sla_bench.py measure COUNT                               (internal)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from common import (
    STEP_TIMEOUT,
    check_range,
    command_line,
    database_info,
    log,
    measured_in_process,
    setup_django,
)

TICKETS = 100_000
OFFICE_WEEK = [{"weekday": day, "start": start, "end": end} for day in range(5)
               for start, end in (("08:00", "12:00"), ("14:00", "18:00"))]
TARGETS = [{"priority": p, "first_response_minutes": 30 * 2 ** (p - 1),
            "resolution_minutes": 240 * 2 ** (p - 1)} for p in range(1, 6)]


def measure(count: int) -> dict:
    setup_django()
    from atiende.core import services as core
    from atiende.core.models import Organization, Role, User
    from atiende.sla import clock_services, policy_services, services
    from atiende.sla.models import SlaClock
    from atiende.tickets.models import OPEN_STATUSES, Ticket
    from atiende.tickets.seed import seed_tickets

    admin = User.objects.filter(memberships__role=Role.PROVIDER_ADMIN).first()
    if admin is None:
        admin = core.provider_bootstrap(name="Proveedor bench", admin_email="admin@bench.example",
                                        admin_name="Admin")
    log(f"sla: seeding {count} tickets")
    seed_tickets(tickets=count, organizations=1, seed=1,
                 progress=lambda done: done % 20_000 == 0 and log(f"sla: {done} seeded"))
    organization = Organization.objects.filter(is_provider=False).order_by("pk").first()
    calendar = services.calendar_create(actor=admin, organization=organization, name="Oficina",
                                        time_zone="America/Bogota", country="CO",
                                        intervals=OFFICE_WEEK, channel="cli")
    policy_services.sla_policy_create(actor=admin, organization=organization, name="Estándar",
                                      calendar=calendar, targets=TARGETS, channel="cli")
    services.calendar_update(actor=admin, calendar=calendar, changes={"is_24x7": True},
                             channel="cli")
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    log(f"sla: rebuilding the clocks of {len(ids)} tickets")
    started = time.perf_counter()
    clock_services.rebuild_clocks(ids, announce=False)
    all_seconds = time.perf_counter() - started
    open_count = Ticket.objects.filter(status__in=OPEN_STATUSES).count()
    log(f"sla: rebuilding the clocks of {open_count} open tickets")
    started = time.perf_counter()
    rebuilt = clock_services.rebuild_open_tickets(calendar_id=calendar.pk)
    open_seconds = time.perf_counter() - started
    return {
        "tickets": len(ids),
        "clocks": SlaClock.objects.count(),
        "all_tickets": {"seconds": round(all_seconds, 2),
                        "tickets_per_second": round(len(ids) / all_seconds, 1)},
        "open_tickets": {"tickets": rebuilt, "seconds": round(open_seconds, 2)},
        "database": database_info(),
    }


def bench(options: argparse.Namespace) -> dict:
    return measured_in_process(Path(__file__).resolve(),
                               "SLA clocks rebuilt after a calendar change",
                               str(options.sla_tickets), timeout=STEP_TIMEOUT * 10)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sla-tickets", type=int, default=TICKETS,
                        help="tickets whose SLA clocks are rebuilt")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    check_range(parser, "SLA tickets", options.sla_tickets, 1, 1_000_000)


def main() -> int:
    return command_line("sla", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda count: measure(int(count))})


if __name__ == "__main__":
    sys.exit(main())
