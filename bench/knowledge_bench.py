"""Benchmark: knowledge search with 10,000 articles, in-process.

Fixed setup, fixed data, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL),
   `atiende migrate`;
2. in a separate process with Django set up: the demo (`load_demo`, 100 tickets), then
   10,000 generated Spanish articles (seeded: the same every run) spread over the
   clients' IT, HR and Finance departments, four in five published, a third internal,
   one in ten with an English translation, indexed with `reindex_all`;
3. `search_agent`: `search_articles` as the IT agent Ana (staff of three IT desks, reader
   elsewhere), `search_requester`: as the requester Valentina (published public articles
   of her organization only), `search_page`: GET /knowledge/?q=... as Ana (test
   client); each over a fixed list of queries in turn, `--knowledge-requests` times;
   latencies p50/p95, SQL statements of one each.

    python bench/knowledge_bench.py [--knowledge-requests 300] [--knowledge-articles 10000]
    python bench/knowledge_bench.py measure COUNT ARTICLES                (internal)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
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
ARTICLES = 10_000
AGENT = "ana.gomez@nubeandina.example"
REQUESTER = "valentina.lopez@cafemontana.example"
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
QUERIES = ["impresora", "configuracion del correo", "vpn", "contraseña bloqueada",
           "reembolso de viáticos", "certificado laboral", "vacaciones", "pantalla azul",
           "conexión lenta", "factura electrónica"]
SUBJECTS = {
    "it": ["impresora", "correo", "VPN", "contraseña", "portátil", "pantalla", "red wifi",
           "antivirus", "teléfono IP", "escáner", "servidor", "navegador", "cuenta"],
    "hr": ["certificado laboral", "vacaciones", "nómina", "incapacidad", "licencia",
           "bienestar", "contrato", "cesantías", "capacitación"],
    "finance": ["reembolso de viáticos", "anticipo", "factura electrónica", "pago a proveedor",
                "caja menor", "presupuesto", "retención", "tarjeta corporativa"],
}
VERBS = ["Configurar", "Solucionar problemas de", "Solicitar", "Actualizar", "Revisar",
         "Recuperar", "Instalar", "Cambiar", "Consultar", "Renovar"]
_FILLER_TEXT = ("Siga estos pasos con cuidado y verifique el resultado. Si el problema continúa, "
          "registre un ticket indicando el mensaje de error, la hora y el equipo afectado. "
          "La configuración recomendada está en la política de la empresa; las conexiones "
          "lentas suelen resolverse reiniciando el equipo y revisando la red.")
FILLER = _FILLER_TEXT.split(" ")


def _generate(count: int) -> None:
    from django.db import transaction
    from django.utils.html import escape

    from atiende.core.models import Department, User
    from atiende.knowledge.models import Article, ArticleVersion
    from atiende.knowledge.search import reindex_all

    rng = random.Random(1)
    departments = list(Department.objects.filter(organization__is_provider=False,
                                                 function__in=list(SUBJECTS)))
    author = User.objects.get(email=AGENT)
    now = dt.datetime.now(dt.UTC)
    for start in range(0, count, 1000):
        with transaction.atomic():
            articles, words = [], []
            for _ in range(start, min(count, start + 1000)):
                department = rng.choice(departments)
                subject = rng.choice(SUBJECTS[department.function])
                published = rng.random() < 0.8
                articles.append(Article(
                    organization_id=department.organization_id, department=department,
                    owner=author, visibility="internal" if rng.random() < 0.33 else "public",
                    is_published=published))
                title = f"{rng.choice(VERBS)} {subject} {rng.randint(1, 999)}"
                body = " ".join(rng.choice(FILLER) for _ in range(rng.randint(60, 200)))
                words.append((title, f"<p>{escape(subject)}: {escape(body)}</p>", published,
                              rng.random() < 0.1))
            Article.objects.bulk_create(articles)
            versions = []
            for article, (title, body, published, english) in zip(articles, words,
                                                                   strict=True):
                state = "published" if published else "draft"
                versions.append(ArticleVersion(
                    article=article, language="es", number=1, title=title, body=body,
                    state=state, author=author, published_at=now if published else None))
                if english:
                    versions.append(ArticleVersion(
                        article=article, language="en", number=1, title=f"How to: {title}",
                        body="<p>Follow these steps.</p>", state=state, author=author))
            ArticleVersion.objects.bulk_create(versions)
        log(f"knowledge: {min(count, start + 1000)} articles written")
    reindex_all()


def measure(count: int, articles: int) -> dict:
    setup_django(render_pages=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from atiende.core.demo import load_demo
    from atiende.core.models import User
    from atiende.knowledge.models import Article
    from atiende.knowledge.search import search_articles

    log("knowledge: loading the demo (100 tickets)")
    load_demo(tickets=100, now=NOW)
    log(f"knowledge: generating {articles} articles")
    _generate(articles)
    agent, requester = User.objects.get(email=AGENT), User.objects.get(email=REQUESTER)
    client = Client()
    client.force_login(agent)
    found: dict[str, list[int]] = {"agent": [], "requester": []}

    def search(actor, key):
        def call(number: int) -> None:
            hits = search_articles(actor=actor, query=QUERIES[number % len(QUERIES)])
            found.setdefault(key, []).append(len(hits))
        return call

    def page(number: int) -> None:
        response = client.get("/knowledge/", {"q": QUERIES[number % len(QUERIES)]})
        if response.status_code != 200:
            raise RuntimeError(f"/knowledge/ answered {response.status_code}")

    for number in range(20):  # warm-up
        search(agent, "warm")(number)
        page(number)
    found.clear()
    log(f"knowledge: {count} searches of each kind")
    result = {
        "search_agent": timed(count, search(agent, "agent")),
        "search_requester": timed(count, search(requester, "requester")),
        "search_page": timed(count, page),
    }
    statements = {}
    for name, call in (("search_agent", search(agent, "agent")),
                       ("search_requester", search(requester, "requester")),
                       ("search_page", page)):
        with CaptureQueriesContext(connection) as queries:
            call(0)
        statements[name] = len(queries.captured_queries)
    result["sql_queries_per_request"] = statements
    result["mean_hits_per_search"] = {
        key: round(sum(values) / len(values), 1) for key, values in found.items() if values}
    result["articles"] = Article.objects.count()
    result["queries"] = QUERIES
    result["database"] = database_info()
    return result


def bench(options: argparse.Namespace) -> dict:
    return measured_in_process(
        Path(__file__).resolve(),
        "knowledge search (in-process; search_articles and GET /knowledge/?q=)",
        str(options.knowledge_requests), str(options.knowledge_articles),
        timeout=STEP_TIMEOUT * 4)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge-requests", type=int, default=REQUESTS,
                        help="searches of each kind in the knowledge benchmark")
    parser.add_argument("--knowledge-articles", type=int, default=ARTICLES,
                        help="generated articles in the knowledge benchmark")


def check_arguments(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    check_range(parser, "knowledge requests", options.knowledge_requests, 1, 100_000)
    check_range(parser, "knowledge articles", options.knowledge_articles, 1, 1_000_000)


def main() -> int:
    return command_line("knowledge", __doc__, bench, add_arguments, check_arguments,
                        {"measure": lambda articles, searches: measure(int(articles),
                                                                       int(searches))})


if __name__ == "__main__":
    sys.exit(main())
