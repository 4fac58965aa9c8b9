"""Benchmark: outbound notifications, rendering and queueing for 1,000 events.

Fixed setup, fixed data, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`;
2. in a separate process with Django set up: an organization with an IT desk and its
   mailbox, one agent, 100 requesters, one incident each, then 1,000 public replies of
   the agent spread over them (seed 5);
3. `queue`: the outbox consumer (`atiende.notifications.recipients.on_event`) on each of
   the 1,000 reply events, each in its own transaction as the dispatch runs it: who may
   hear, preferences, one e-mail and one in-app notification per event (the requester's),
   the Message-ID in the thread map, the delivery task enqueued (database task backend);
4. `render`: the e-mail of each of the 1,000 e-mail notifications built as it is sent
   (template lookup, context, subject/text/HTML, headers and threading), without the
   SMTP conversation.

    python bench/notifications_bench.py [--notification-events 1000]
    python bench/notifications_bench.py measure COUNT                     (internal)
"""

from __future__ import annotations

import argparse
import random
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
    percentiles,
    setup_django,
)

EVENTS = 1000
REQUESTERS = 100
SEED = 5


def _setup():
    setup_django()
    from atiende.core import services as core
    from atiende.core.models import Role, User
    from atiende.mail import services as mail
    from atiende.tickets import services as tickets

    admin = User.objects.filter(memberships__role=Role.PROVIDER_ADMIN).first()
    if admin is None:
        admin = core.provider_bootstrap(name="Proveedor bench", admin_email="admin@bench.example",
                                        admin_name="Admin")
    organization = core.organization_create(actor=admin, name="Bench avisos", slug="bench-avisos")
    department = core.department_create(actor=admin, organization=organization,
                                        name="Tecnología")
    mail.mailbox_create(actor=admin, organization=organization, address="soporte@avisos.example",
                        department=department)
    agent = core.user_create(actor=admin, organization=organization, invite=False,
                             email="agente@avisos.example", display_name="Agente Bench",
                             role=Role.AGENT, department=department)
    tickets_made = []
    for number in range(1, REQUESTERS + 1):
        requester = core.user_create(actor=admin, organization=organization, invite=False,
                                     email=f"persona{number}@avisos.example",
                                     display_name=f"Persona {number}")
        tickets_made.append(tickets.ticket_create(
            actor=agent, kind="incident", title=f"La impresora {number} no imprime",
            organization=organization, department=department, requester=requester))
    return agent, tickets_made


def measure(count: int) -> dict:
    agent, made = _setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from atiende.notifications import delivery, recipients
    from atiende.notifications.models import Notification
    from atiende.tickets import services as tickets
    from atiende.tickets.models import Event

    rng = random.Random(SEED)
    for number in range(count):
        tickets.comment_add(actor=agent, ticket=rng.choice(made),
                            body=f"<p>Respuesta {number}: revisamos el equipo y "
                                 f"<b>cambiamos</b> el tóner.</p>")
    events = list(Event.objects.filter(kind="commented").order_by("id"))
    log(f"notifications: queueing {len(events)} events")
    queue_latencies = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for event in events:
        begun = time.perf_counter()
        with transaction.atomic():
            recipients.on_event(event)
        queue_latencies.append(time.perf_counter() - begun)
    queue_seconds = time.perf_counter() - started
    queue_cpu = time.process_time() - cpu_started
    written = Notification.objects.count()
    emails = list(Notification.objects.filter(channel="email", event__kind="commented")
                  .order_by("id").values_list("pk", flat=True))
    log(f"notifications: rendering {len(emails)} e-mails")
    render_latencies = []
    sizes = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for pk in emails:
        begun = time.perf_counter()
        message = delivery.build_message(delivery._load(pk))
        sizes += len(message.as_bytes())
        render_latencies.append(time.perf_counter() - begun)
    render_seconds = time.perf_counter() - started
    render_cpu = time.process_time() - cpu_started
    # SQL statements of one more event and one more e-mail (not timed)
    extra = tickets.comment_add(actor=agent, ticket=made[0], body="<p>Una más</p>")
    event = Event.objects.get(comment=extra)
    with CaptureQueriesContext(connection) as queued, transaction.atomic():
        recipients.on_event(event)
    with CaptureQueriesContext(connection) as rendered:
        delivery.build_message(delivery._load(
            Notification.objects.get(event=event, channel="email").pk))
    return {
        "events": len(events),
        "notifications_written": written,
        "queue": {
            "seconds": round(queue_seconds, 2),
            "events_per_second": round(len(events) / queue_seconds, 1),
            "notifications_per_second": round(written / queue_seconds, 1),
            "ms_per_event": round(queue_seconds / len(events) * 1000, 2),
            # on a busy host the CPU time of this process tells what an idle one does
            "cpu_seconds": round(queue_cpu, 2),
            "notifications_per_cpu_second": round(written / queue_cpu, 1),
            "latency_ms": percentiles(sorted(queue_latencies)),
            "sql_queries_per_event": len(queued.captured_queries),
        },
        "render": {
            "emails": len(emails),
            "seconds": round(render_seconds, 2),
            "emails_per_second": round(len(emails) / render_seconds, 1),
            "ms_per_email": round(render_seconds / len(emails) * 1000, 2),
            "cpu_seconds": round(render_cpu, 2),
            "emails_per_cpu_second": round(len(emails) / render_cpu, 1),
            "latency_ms": percentiles(sorted(render_latencies)),
            "sql_queries_per_email": len(rendered.captured_queries),
            "bytes_mean": round(sizes / len(emails)),
        },
        "database": database_info(),
    }


def bench(options: argparse.Namespace) -> dict:
    log(f"notifications: {options.notification_events} events")
    return measured_in_process(
        Path(__file__).resolve(),
        "outbound notifications: queueing (outbox consumer) and rendering",
        str(options.notification_events), timeout=STEP_TIMEOUT * 2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--notification-events", type=int, default=EVENTS,
                        help="reply events to queue and render notifications for")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    check_range(parser, "notification events", options.notification_events, 1, 100_000)


def main() -> int:
    return command_line("notifications", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda count: measure(int(count))})


if __name__ == "__main__":
    sys.exit(main())
