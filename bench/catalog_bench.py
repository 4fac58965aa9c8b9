"""Benchmark: the service catalog, in-process with Django's test client.

Fixed setup, fixed data, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`;
2. in a separate process with Django set up: the demo (`load_demo`, 100 tickets; four
   catalog items for each of the three clients), signed in as the demo requester
   Valentina López;
3. `catalog_page`: GET /catalog/ (`--catalog-requests` times), `item_page`: GET the
   "Nuevo portátil" form, `submit`: POST a filled "Nuevo portátil" form (with the
   conditional monitor size and a person picked) that creates a service request, as
   many times; latencies p50/p95 and requests per second, SQL statements of one each.

    python bench/catalog_bench.py [--catalog-requests 300]
    python bench/catalog_bench.py measure COUNT                           (internal)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from common import (
    STEP_TIMEOUT,
    check_range,
    command_line,
    database_info,
    log,
    measured_in_process,
    setup_django,
    timed,
)

REQUESTS = 300
REQUESTER = "valentina.lopez@cafemontana.example"
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def measure(count: int) -> dict:
    setup_django(render_pages=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from atiende.catalog.models import CatalogItem, RequestAnswers
    from atiende.core.demo import load_demo
    from atiende.core.models import User

    log("catalog: loading the demo (100 tickets)")
    load_demo(tickets=100, now=NOW)
    requester = User.objects.get(email=REQUESTER)
    colleague = User.objects.filter(organization=requester.organization).exclude(
        pk=requester.pk).first()
    laptop = CatalogItem.objects.get(name="Nuevo portátil",
                                     department__organization=requester.organization)
    client = Client()
    client.force_login(requester)
    item_url = f"/catalog/{laptop.pk}/"
    answers = {"answer-motivo": "Reemplazo por daño", "answer-perfil": "Oficina",
               "answer-para": str(colleague.pk), "answer-monitor": "on",
               "answer-tamano_monitor": "27 pulgadas", "answer-programas": ["Visio"],
               "answer-comentarios": "El equipo actual no enciende."}

    def get(url: str):
        def call(_number: int) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        return call

    def submit(_number: int) -> None:
        response = client.post(item_url, answers)
        if response.status_code != 302:
            raise RuntimeError(f"submit answered {response.status_code}")

    for url in ("/catalog/", item_url):  # warm-up (templates, caches)
        for _ in range(20):
            get(url)(0)
    log(f"catalog: {count} catalog pages, item pages and submissions")
    result = {
        "catalog_page": timed(count, get("/catalog/")),
        "item_page": timed(count, get(item_url)),
        "submit": timed(count, submit),
    }
    statements = {}
    for name, call in (("catalog_page", get("/catalog/")), ("item_page", get(item_url)),
                       ("submit", submit)):
        with CaptureQueriesContext(connection) as queries:
            call(0)
        statements[name] = len(queries.captured_queries)
    result["sql_queries_per_request"] = statements
    result["requests_written"] = RequestAnswers.objects.count()
    result["database"] = database_info()
    return result


def bench(options: argparse.Namespace) -> dict:
    return measured_in_process(
        Path(__file__).resolve(),
        "service catalog pages and submissions (in-process test client)",
        str(options.catalog_requests), timeout=STEP_TIMEOUT * 2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog-requests", type=int, default=REQUESTS,
                        help="requests of each kind in the catalog benchmark")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    check_range(parser, "catalog requests", options.catalog_requests, 1, 100_000)


def main() -> int:
    return command_line("catalog", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda count: measure(int(count))})


if __name__ == "__main__":
    sys.exit(main())
