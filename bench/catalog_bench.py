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

REQUESTS = 300
REQUESTER = "valentina.lopez@cafemontana.example"
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _timed(count: int, call) -> dict:
    latencies = []
    started = time.perf_counter()
    for number in range(count):
        begun = time.perf_counter()
        call(number)
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    return {"requests": count, "seconds": round(seconds, 2),
            "requests_per_second": round(count / seconds, 1),
            "latency_ms": percentiles(sorted(latencies))}


def measure(count: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()
    from django.conf import settings

    # Pages are rendered in-process, without `collectstatic`'s manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
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
        "catalog_page": _timed(count, get("/catalog/")),
        "item_page": _timed(count, get(item_url)),
        "submit": _timed(count, submit),
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

    script = Path(__file__).resolve()
    with data_dir_environment(1, 1) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        result = helper(script, environment, "measure", str(options.catalog_requests),
                        timeout=STEP_TIMEOUT * 2)
    return {
        "benchmark": "service catalog pages and submissions (in-process test client)",
        "measures": result,
        "database": result.pop("database"),
        **machine_facts(),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog-requests", type=int, default=REQUESTS,
                        help="requests of each kind in the catalog benchmark")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    if not 1 <= options.catalog_requests <= 100_000:
        parser.error("catalog requests must be 1..100000")


def main() -> int:
    return command_line("catalog", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda count: measure(int(count))})


if __name__ == "__main__":
    sys.exit(main())
