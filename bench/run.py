"""Benchmarks: `GET /api/v1/me`, then the ticket pages and endpoints with 100,000
tickets (bench/tickets.py), each against `atiende web` (gunicorn), then inbound e-mail
(bench/mail.py: 1,000 mixed messages through the ingest service, the pipe and IMAP), the
business-calendar arithmetic on one core (bench/calendar_bench.py), and outbound
notifications (bench/notifications_bench.py: queueing and rendering for 1,000 events),
and the service catalog (bench/catalog_bench.py: catalog and item pages, submissions),
and knowledge search (bench/knowledge_bench.py: 10,000 articles, in-process),
and the requester's portal pages (bench/portal_bench.py: against `atiende web`).
One JSON document on stdout, with a section for each (`api_me`, `tickets`, `mail`,
`calendar`, `notifications`, `catalog`, `knowledge`); progress goes to stderr.

The `/me` section, fixed setup and fixed load:

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL, which must
   be empty), `atiende migrate`, `atiende demo`, `atiende token create` for Ana;
2. SQL queries of one /me request, counted in a separate process with Django's test
   client (the first request of a token and the steady state);
3. `atiende web` on a free loopback port, warm-up, then the measured load from a
   separate load-generator process: a fixed number of requests over a fixed number of
   keep-alive connections (one thread and one http.client connection each);
4. resident memory of the gunicorn processes after the load; everything stopped.

    python bench/run.py [--requests 4000] [--concurrency 8] [--web-concurrency 2]
                        [--tickets 100000] [--ticket-requests 300]
                        [--mail-messages 1000] [--mail-processes 30]
                        [--notification-events 1000] [--catalog-requests 300]
                        [--sla-tickets 100000]
                        [--portal-requests 400] [--portal-concurrency 1]
                        [--only me|tickets|mail|calendar|notifications|catalog|sla]
    python bench/run.py queries TOKEN                                  (internal)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

import calendar_bench
import catalog_bench
import compliance_bench
import knowledge_bench
import mail
import notifications_bench
import portal_bench
import sla_bench
import tickets
from common import (
    STEP_TIMEOUT,
    atiende,
    children_of,
    data_dir_environment,
    database_info,
    helper,
    log,
    on_sigterm_unwind,
    rss_kib,
    run_load,
    token_create,
    web_server,
)

USER_EMAIL = "ana.gomez@nubeandina.example"
PATH = "/api/v1/me"


# --- SQL queries per request (runs in its own process, with Django set up) -------------


def count_queries(token: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {token}"})
    counts = []
    statements = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PATH)
        if response.status_code != 200:
            raise SystemExit(f"GET {PATH} answered {response.status_code}: {response.content!r}")
        counts.append(len(captured.captured_queries))
        statements = [query["sql"][:160] for query in captured.captured_queries]
    return {
        "first_request": counts[0],
        "steady": counts[-1],
        "steady_statements": statements,
        "database": database_info(),
    }


# --- orchestration ----------------------------------------------------------------------


def bench(options: argparse.Namespace) -> dict:
    import django

    with data_dir_environment(options.web_concurrency, options.web_threads) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        atiende(environment, "demo")
        token = token_create(environment, USER_EMAIL)
        log("counting SQL queries per request")
        queries = helper(Path(__file__).resolve(), environment, "queries", token,
                         timeout=STEP_TIMEOUT)

        port = int(environment["PORT"])
        spec = {"method": "GET", "paths": [PATH], "ok": 200,
                "headers": {"Authorization": f"Bearer {token}", "Accept": "application/json"}}
        with web_server(environment) as server:
            log(f"warm-up: {options.warmup} requests")
            warmup = run_load(environment, port, spec, options.warmup, options.concurrency,
                              deadline=60)
            if warmup["errors"]:
                raise RuntimeError(f"warm-up had errors: {warmup}")
            load_before = os.getloadavg()
            log(f"load: {options.requests} requests over {options.concurrency} connections")
            result = run_load(environment, port, spec, options.requests, options.concurrency)
            workers = children_of(server.pid)
            worker_rss = {pid: rss_kib(pid) for pid in workers}
            master_rss = rss_kib(server.pid)
    if not worker_rss:
        raise RuntimeError("found no gunicorn worker process")
    one_worker = max(worker_rss.values())
    return {
        "benchmark": f"GET {PATH} (bearer token)",
        "requests": result["requests"],
        "concurrency": options.concurrency,
        "requests_per_second": result["requests_per_second"],
        "latency_ms": result["latency_ms"],
        "errors": result["errors"],
        "statuses": result["statuses"],
        "error_samples": result["error_samples"],
        "seconds": result["seconds"],
        "sql_queries_per_request": {
            "steady": queries["steady"],
            "first_request_of_token": queries["first_request"],
            "steady_statements": queries["steady_statements"],
        },
        "memory": {
            "rss_mib_one_worker": round(one_worker / 1024, 1),
            "rss_mib_each_worker": [round(value / 1024, 1) for value in worker_rss.values()],
            "rss_mib_master": round(master_rss / 1024, 1),
        },
        "server": {
            "gunicorn_workers": options.web_concurrency,
            "threads_per_worker": options.web_threads,
            "worker_class": "gthread",
        },
        "warmup_requests": warmup["requests"],
        "database": queries["database"],
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in load_before],
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "queries":
        print(json.dumps(count_queries(sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--web-concurrency", type=int, default=2,
                        help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--web-threads", type=int, default=4,
                        help="threads per gunicorn worker (WEB_THREADS)")
    parser.add_argument("--only",
                        choices=("me", "tickets", "mail", "calendar", "notifications",
                                 "catalog", "sla", "knowledge", "portal",
                                 "compliance"),
                        help="run one of the benchmarks (default: all)")
    tickets.add_arguments(parser, prefix="ticket-")
    mail.add_arguments(parser)
    notifications_bench.add_arguments(parser)
    catalog_bench.add_arguments(parser)
    portal_bench.add_arguments(parser)
    knowledge_bench.add_arguments(parser)
    sla_bench.add_arguments(parser)
    compliance_bench.add_arguments(parser)
    options = parser.parse_args()
    if not (1 <= options.requests <= 100_000 and 1 <= options.concurrency <= 64):
        parser.error("requests must be 1..100000 and concurrency 1..64")
    tickets.check_arguments(parser, options)
    mail.check_arguments(parser, options)
    notifications_bench.check_arguments(parser, options)
    catalog_bench.check_arguments(parser, options)
    portal_bench.check_arguments(parser, options)
    knowledge_bench.check_arguments(parser, options)
    sla_bench.check_arguments(parser, options)
    compliance_bench.check_arguments(parser, options)

    on_sigterm_unwind()
    document = {}
    if options.only in (None, "me"):
        document["api_me"] = bench(options)
    if options.only in (None, "tickets"):
        document["tickets"] = tickets.bench(options)
    if options.only in (None, "calendar"):
        log("calendar arithmetic on one core")
        document["calendar"] = calendar_bench.bench()
    if options.only in (None, "mail"):
        document["mail"] = mail.bench(options)
    if options.only in (None, "notifications"):
        document["notifications"] = notifications_bench.bench(options)
    if options.only in (None, "catalog"):
        document["catalog"] = catalog_bench.bench(options)
    if options.only in (None, "portal"):
        document["portal"] = portal_bench.bench(options)
    if options.only in (None, "knowledge"):
        document["knowledge"] = knowledge_bench.bench(options)
    if options.only in (None, "sla"):
        document["sla"] = sla_bench.bench(options)
    if options.only in (None, "compliance"):
        document["compliance"] = compliance_bench.bench(options)
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
