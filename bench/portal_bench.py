"""Benchmark: the requester's portal pages against `atiende web` (gunicorn).

Fixed setup, fixed data, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`, `atiende demo --tickets 3000` (three clients, their catalogs,
   knowledge and portal looks);
2. in a separate process with Django set up: the SQL statements of one request of each
   page, signed in as the demo requester Valentina López (Café Montaña), and one of her
   requests to open;
3. `atiende web` on a free loopback port; sign-in through the real login form; per page
   a warm-up, then the measured load from a separate load-generator process (a fixed
   number of requests over a fixed number of keep-alive connections): portal home,
   catalog, search ("vpn") and one of her requests; latencies p50/p95.

Target (issue 6): portal pages p95 under 50 ms.

    python bench/portal_bench.py [--portal-requests 400] [--portal-concurrency 1]
    python bench/portal_bench.py prepare                                  (internal)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import (
    STEP_TIMEOUT,
    atiende,
    check_range,
    command_line,
    data_dir_environment,
    database_info,
    helper,
    log,
    machine_facts,
    run_load,
    setup_django,
    web_server,
)
from tickets import sign_in

REQUESTS = 400
CONCURRENCY = 1  # one person's page loads, one after another
WARMUP = 60
DEMO_TICKETS = 3000
REQUESTER = "valentina.lopez@cafemontana.example"
PASSWORD = "atiende-demo"
TARGET_P95_MS = 50


def prepare() -> dict:
    """SQL statements per page and the number of one of the requester's requests."""
    setup_django(render_pages=True)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from atiende.core.models import User
    from atiende.tickets.models import Ticket

    requester = User.objects.get(email=REQUESTER)
    ticket = _catalog_request(requester)
    client = Client()
    client.force_login(requester)
    queries = {}
    for name, path in pages(ticket.number).items():
        client.get(path)  # caches and templates warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        queries[name] = len(captured.captured_queries)
    return {"number": ticket.number, "queries": queries,
            "tickets_of_requester": Ticket.objects.filter(requester=requester).count(),
            "database": database_info()}


def _catalog_request(requester):
    """The requester's laptop request, asked for here through the catalog service if the
    demo has none: the heaviest request page (answers, approval step, tasks)."""
    from atiende.catalog.models import CatalogItem
    from atiende.catalog.services import request_submit
    from atiende.tickets.models import Ticket

    found = Ticket.objects.filter(requester=requester, catalog_answers__isnull=False).first()
    if found:
        return found
    item = CatalogItem.objects.get(department__organization=requester.organization,
                                   name="Nuevo portátil")
    return request_submit(actor=requester, item=item, answers={
        "motivo": "Renovación", "perfil": "Oficina", "monitor": True,
        "tamano_monitor": "27 pulgadas", "comentarios": "El actual se apaga solo."})


def pages(number: str) -> dict[str, str]:
    return {"portal_home": "/portal/", "portal_catalog": "/portal/catalog/",
            "portal_search": "/portal/search/?q=vpn",
            "portal_ticket": f"/portal/requests/{number}/"}


def bench(options: argparse.Namespace) -> dict:
    script = Path(__file__).resolve()
    results: dict[str, dict] = {}
    with data_dir_environment(options.web_concurrency, options.web_threads) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        atiende(environment, "demo", "--tickets", str(DEMO_TICKETS), timeout=STEP_TIMEOUT * 3)
        data = helper(script, environment, "prepare", timeout=STEP_TIMEOUT)
        port = int(environment["PORT"])
        with web_server(environment) as _server:
            cookie = sign_in(port, REQUESTER, PASSWORD)
            browser = {"Cookie": cookie, "Accept": "text/html"}
            for name, path in pages(data["number"]).items():
                spec = {"method": "GET", "paths": [path], "headers": browser, "ok": 200}
                log(f"{name}: warm-up {WARMUP}, then {options.portal_requests} requests over "
                    f"{options.portal_concurrency} connections")
                warmup = run_load(environment, port, spec, WARMUP, options.portal_concurrency,
                                  deadline=120)
                if warmup["ok"] == 0:
                    raise RuntimeError(f"{name}: warm-up had no successful answer: {warmup}")
                result = run_load(environment, port, spec, options.portal_requests,
                                  options.portal_concurrency)
                result.pop("ok_per_second", None)
                result["sql_queries_per_request"] = data["queries"][name]
                results[name] = result
    vendor = data["database"]["vendor"]
    readings = []
    for name in ("portal_home", "portal_catalog"):
        p95 = results[name]["latency_ms"]["p95"]
        met = "met" if p95 is not None and p95 < TARGET_P95_MS and not results[name][
            "errors"] else "NOT met"
        readings.append(f"{name} p95 < {TARGET_P95_MS} ms: p95 {p95} ms on {vendor}: {met}")
    return {
        "benchmark": "portal pages of a demo requester against atiende web",
        "requester": REQUESTER,
        "demo_tickets": DEMO_TICKETS,
        "tickets_of_requester": data["tickets_of_requester"],
        "request_page": "a catalog request: answers, an approval step, three tasks",
        "requests_per_measure": options.portal_requests,
        "concurrency": options.portal_concurrency,
        "measures": results,
        "targets": readings,
        "database": data["database"],
        **machine_facts(),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portal-requests", type=int, default=REQUESTS,
                        help="measured requests per portal page")
    parser.add_argument("--portal-concurrency", type=int, default=CONCURRENCY,
                        help="keep-alive connections of the portal load")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    check_range(parser, "portal requests", options.portal_requests, 1, 100_000)
    check_range(parser, "portal concurrency", options.portal_concurrency, 1, 64)


def _standalone_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)


def main() -> int:
    return command_line("portal", __doc__, bench, _standalone_arguments, check_arguments,
                        {"prepare": prepare})


if __name__ == "__main__":
    sys.exit(main())
