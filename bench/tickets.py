"""Benchmark: ticket pages and endpoints with 100,000 tickets against `atiende web`.

Fixed setup, fixed load, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`, `atiende seed --tickets 100000 --organizations 3 --seed 1`,
   `atiende reindex`, a token for a seeded agent; with BENCH_LARGE=1 (PostgreSQL in
   DATABASE_URL only) 1,000,000 tickets;
2. in a separate process with Django's test client against the same database: a sample
   of ticket numbers the agent sees, a word that occurs in their titles, and the SQL
   queries of one request of each measure (and of the API list at 10 and 50 rows);
3. `atiende web` on a free loopback port; the agent signs in through the login form
   (CSRF token and all) for the HTML pages and uses the bearer token for the API; for
   each measure a warm-up, then a fixed number of requests over keep-alive connections
   from a separate load-generator process:
   - queue page     GET /tickets/?queue=all                 (HTML, 50 rows)
   - API list       GET /api/v1/tickets?page_size=50
   - ticket page    GET /tickets/<number>/                  (the sample, in turn)
   - search         GET /api/v1/search/tickets?q=<word>
   - API create     POST /api/v1/tickets                    (tickets/s)

    python bench/tickets.py [--tickets 100000] [--requests 300] [--concurrency 1]
                            [--create-concurrency 4]
    python bench/tickets.py prepare TOKEN EMAIL                          (internal)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import sys
import time
import urllib.parse
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path

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

TICKETS = 100_000
LARGE_TICKETS = 1_000_000
ORGANIZATIONS = 3
SEED = 1
# The first agent of the IT desk of the first seeded organization (atiende/tickets/seed.py).
AGENT_EMAIL = f"tecnologia1@seed-{SEED}-0001.example"
SAMPLE = 100  # ticket numbers for the ticket page
TARGETS = {
    "queue_page": {"p95_ms": 50, "tickets": 100_000,
                   "text": "queue page p95 < 50 ms at 100,000 tickets"},
    "queue_page_large": {"p95_ms": 100, "tickets": 1_000_000,
                         "text": "queue page p95 < 100 ms at 1,000,000 tickets (PostgreSQL)"},
}


# --- data the load needs, and SQL queries per request (own process, Django set up) ------


def prepare(token: str, email: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from atiende.cli import _collect_static_once
    from atiende.core.models import Membership, User
    from atiende.tickets import selectors
    from atiende.tickets.models import Ticket
    from atiende.tickets.seed import SEED_PASSWORD

    _collect_static_once()  # the HTML pages name the collected files, as `atiende web` does
    agent = User.objects.get(email=email)
    department_id = (Membership.objects.filter(user=agent, department__isnull=False)
                     .values_list("department_id", flat=True).first())
    visible = selectors.ticket_list(actor=agent, filters={})
    seen = visible.count()
    ids = list(visible.order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // SAMPLE)
    numbers = list(Ticket.objects.filter(id__in=ids[::step][:SAMPLE])
                   .order_by("id").values_list("number", flat=True))
    words = Counter(word for title in visible.order_by("id").values_list("title", flat=True)[:2000]
                    for word in re.findall(r"[^\W\d_]{6,}", title.lower()))
    word = words.most_common(1)[0][0]

    api = Client(headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    html = Client()
    html.force_login(agent)
    body = json.dumps(create_body(department_id, "0"))

    def count(client: Client, method: str, path: str, expected: int, **extra) -> dict:
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(path, **extra)
            if response.status_code != expected:
                raise SystemExit(f"{method.upper()} {path} answered {response.status_code}: "
                                 f"{response.content[:300]!r}")
            counts.append(len(captured.captured_queries))
        # The slowest statements of the steady request (Django's timings, in-process).
        slowest = sorted(captured.captured_queries, key=lambda query: -float(query["time"]))
        return {"first": counts[0], "steady": counts[-1],
                "slowest_ms": [f"{float(query['time']) * 1000:.1f} {query['sql'][:150]}"
                               for query in slowest[:3]]}

    queries = {
        "queue_page": count(html, "get", "/tickets/?queue=all", 200),
        "api_list": count(api, "get", "/api/v1/tickets?page_size=50", 200),
        "api_list_10_rows": count(api, "get", "/api/v1/tickets?page_size=10", 200),
        "ticket_page": count(html, "get", f"/tickets/{numbers[len(numbers) // 2]}/", 200),
        "search": count(api, "get", f"/api/v1/search/tickets?q={urllib.parse.quote(word)}",
                        200),
        "api_create": count(api, "post", "/api/v1/tickets", 201, data=body,
                            content_type="application/json"),
    }
    hits = api.get(f"/api/v1/search/tickets?q={urllib.parse.quote(word)}&page_size=50")
    return {
        "password": SEED_PASSWORD,
        "department_id": department_id,
        "tickets_seen_by_agent": seen,
        "numbers": numbers,
        "word": word,
        "word_hits_first_page": len(hits.json()["results"]),
        "queries": queries,
        "database": database_info(),
    }


def create_body(department_id: int, number: str) -> dict:
    return {"kind": "incident", "department_id": department_id, "channel": "api",
            "title": f"Benchmark: la impresora del piso {number} no imprime",
            "description": "Creado por bench/tickets.py.", "impact": 2, "urgency": 2}


# --- signing in through the login form ------------------------------------------------


def sign_in(port: int, email: str, password: str) -> str:
    """The session cookie of `email`, from the real login form (GET, then POST with the
    CSRF cookie and token), as a browser would get it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie") or []:
        cookies.load(header)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not match or "csrftoken" not in cookies:
        raise RuntimeError(f"login page: {response.status}, no CSRF token or cookie")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1), "login": email,
                                   "password": password})
    connection.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    })
    response = connection.getresponse()
    response.read()
    for header in response.msg.get_all("Set-Cookie") or []:
        cookies.load(header)
    connection.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"sign-in as {email} answered {response.status} without a session")
    return f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"


# --- orchestration ----------------------------------------------------------------------


def ticket_count(options: argparse.Namespace) -> int:
    if os.environ.get("BENCH_LARGE") == "1":
        return LARGE_TICKETS
    return options.tickets


def measures(data: dict, token: str, cookie: str) -> dict:
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    browser = {"Cookie": cookie, "Accept": "text/html"}
    word = urllib.parse.quote(data["word"])
    return {
        "queue_page": {"method": "GET", "paths": ["/tickets/?queue=all"], "headers": browser,
                       "ok": 200},
        "api_list": {"method": "GET", "paths": ["/api/v1/tickets?page_size=50"],
                     "headers": bearer, "ok": 200},
        "ticket_page": {"method": "GET", "paths": [f"/tickets/{number}/"
                                                   for number in data["numbers"]],
                        "headers": browser, "ok": 200},
        "search": {"method": "GET", "paths": [f"/api/v1/search/tickets?q={word}"],
                   "headers": bearer, "ok": 200},
        "api_create": {"method": "POST", "paths": ["/api/v1/tickets"],
                       "headers": {**bearer, "Content-Type": "application/json"},
                       "body": json.dumps(create_body(data["department_id"], "{n}")),
                       "ok": 201},
    }


def reading(name: str, result: dict, tickets: int, vendor: str) -> str:
    p95 = result["latency_ms"]["p95"]
    if name != "queue_page" or p95 is None:
        return ""
    target = TARGETS["queue_page_large" if tickets >= LARGE_TICKETS else "queue_page"]
    met = "met" if p95 < target["p95_ms"] and not result["errors"] else "NOT met"
    scale = "" if tickets == target["tickets"] else f" (measured at {tickets:,} tickets)"
    return f"{target['text']}: p95 {p95} ms on {vendor}: {met}{scale}"


def bench(options: argparse.Namespace) -> dict:
    import django

    tickets = ticket_count(options)
    setup: dict[str, float] = {}
    results: dict[str, dict] = {}
    with data_dir_environment(options.web_concurrency, options.web_threads) as environment:
        # A step's time limit grows with the data: 3 minutes per 100,000 tickets.
        limit = STEP_TIMEOUT * max(1.0, tickets / TICKETS)
        for name, arguments in (
            ("migrate", ("migrate", "--verbosity", "0")),
            ("seed", ("seed", "--tickets", str(tickets), "--organizations", str(ORGANIZATIONS),
                      "--seed", str(SEED))),
            ("reindex", ("reindex",)),
        ):
            started = time.perf_counter()
            atiende(environment, *arguments, timeout=limit)
            setup[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
        token = token_create(environment, AGENT_EMAIL)
        log("sample numbers, search word and SQL queries per request")
        data = helper(Path(__file__).resolve(), environment, "prepare", token, AGENT_EMAIL,
                      timeout=limit)

        port = int(environment["PORT"])
        with web_server(environment) as server:
            cookie = sign_in(port, AGENT_EMAIL, data["password"])
            for name, spec in measures(data, token, cookie).items():
                concurrency = (options.create_concurrency if name == "api_create"
                               else options.ticket_concurrency)
                log(f"{name}: warm-up {options.ticket_warmup}, then {options.ticket_requests} "
                    f"requests over {concurrency} connections")
                warmup = run_load(environment, port, spec, options.ticket_warmup,
                                  concurrency, deadline=120)
                if warmup["ok"] == 0:
                    raise RuntimeError(f"{name}: warm-up had no successful answer: {warmup}")
                load_before = os.getloadavg()
                result = run_load(environment, port, spec, options.ticket_requests, concurrency)
                result["concurrency"] = concurrency
                result["load_average_before"] = [round(value, 2) for value in load_before]
                result["warmup_errors"] = warmup["errors"]
                result["sql_queries_per_request"] = data["queries"][name]
                if name == "api_create":
                    result["tickets_per_second"] = result.pop("ok_per_second")
                else:
                    result.pop("ok_per_second")
                results[name] = result
            worker_rss = [rss_kib(pid) for pid in children_of(server.pid)]
    vendor = data["database"]["vendor"]
    targets = [line for name, result in results.items()
               if (line := reading(name, result, tickets, vendor))]
    return {
        "benchmark": "ticket pages and endpoints with seeded tickets",
        "tickets": tickets,
        "organizations": ORGANIZATIONS,
        "agent": AGENT_EMAIL,
        "tickets_seen_by_agent": data["tickets_seen_by_agent"],
        "ticket_page_sample": len(data["numbers"]),
        "search_word": data["word"],
        "search_word_hits_first_page": data["word_hits_first_page"],
        "requests_per_measure": options.ticket_requests,
        "warmup_per_measure": options.ticket_warmup,
        "concurrency": {"reads": options.ticket_concurrency,
                        "api_create": options.create_concurrency},
        "targets": targets,
        "measures": results,
        "sql_queries_per_request": {
            name: value["steady"] for name, value in data["queries"].items()},
        "setup": setup,
        "memory": {"rss_mib_each_worker": [round(value / 1024, 1) for value in worker_rss]},
        "server": {
            "gunicorn_workers": options.web_concurrency,
            "threads_per_worker": options.web_threads,
            "worker_class": "gthread",
        },
        "database": data["database"],
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
    }


def add_arguments(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    parser.add_argument("--tickets", type=int, default=TICKETS,
                        help="tickets to seed (BENCH_LARGE=1: 1,000,000)")
    parser.add_argument(f"--{prefix}requests", dest="ticket_requests", type=int, default=300,
                        help="measured requests of each ticket measure")
    parser.add_argument(f"--{prefix}warmup", dest="ticket_warmup", type=int, default=30)
    parser.add_argument(f"--{prefix}concurrency", dest="ticket_concurrency", type=int,
                        default=1, help="connections of each read measure (latency: 1)")
    parser.add_argument("--create-concurrency", dest="create_concurrency", type=int,
                        default=4, help="concurrent clients of the API create measure")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    if not (1 <= options.tickets <= LARGE_TICKETS and 1 <= options.ticket_requests <= 100_000
            and options.ticket_warmup >= 1 and 1 <= options.ticket_concurrency <= 64
            and 1 <= options.create_concurrency <= 64):
        parser.error("tickets must be 1..1000000, ticket requests 1..100000, "
                     "ticket warm-up at least 1 and concurrencies 1..64")
    if os.environ.get("BENCH_LARGE") == "1" and not os.environ.get(
            "DATABASE_URL", "").startswith(("postgres", "pgsql")):
        parser.error("BENCH_LARGE=1 needs PostgreSQL in DATABASE_URL")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        print(json.dumps(prepare(sys.argv[2], sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web-concurrency", type=int, default=2,
                        help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--web-threads", type=int, default=4,
                        help="threads per gunicorn worker (WEB_THREADS)")
    add_arguments(parser)
    options = parser.parse_args()
    check_arguments(parser, options)
    on_sigterm_unwind()
    print(json.dumps({"tickets": bench(options)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
