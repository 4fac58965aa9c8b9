"""GET /api/v1/search/tickets: who finds what, numbers, snippets, paging, bad input."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.tickets import outbox
from tests.tickets_search.conftest import EXPECTED_HITS

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _never_a_server_error(caplog):
    yield
    unhandled = [record.getMessage() for record in caplog.get_records("call")
                 if record.levelno >= logging.ERROR
                 and record.name in ("atiende.api.errors", "django.request")]
    assert unhandled == [], "the API answered with a server error"


def _search(client, query: str, **params):
    extra = "".join(f"&{name}={quote(str(value))}" for name, value in params.items())
    return client.get(f"/api/v1/search/tickets?q={quote(query)}{extra}")


def test_anonymous_callers_are_refused(corpus, api_client):
    response = _search(api_client(None), "impresora")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("name", sorted(EXPECTED_HITS))
def test_each_person_finds_exactly_their_hits(name, cast, corpus, api_client):
    # when
    response = _search(api_client(cast[name]), "impresora")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["exact"] is False
    assert {hit["number"] for hit in body["results"]} == {
        corpus[expected].number for expected in EXPECTED_HITS[name]}


def test_a_hit_says_what_a_result_list_shows(corpus, api_client, agent_ana, org_cafe, it):
    body = _search(api_client(agent_ana), "impresoras piso").json()
    ticket = corpus["it_title"]
    assert body == {"exact": False, "next": None, "previous": None, "results": [{
        "number": ticket.number, "kind": "incident", "title": "Impresoras del piso 3 no imprimen",
        "status": "new", "priority": 3,
        "organization": {"id": org_cafe.pk, "name": "Café Montaña"},
        "department": {"id": it.pk, "name": "Tecnología"},
        "snippet": "Sale una hoja en blanco.",
    }]}


def test_a_ticket_number_is_an_exact_hit(corpus, api_client, requester_carla):
    number = corpus["it_comment"].number
    body = _search(api_client(requester_carla), number.lower().replace("-0000", "-")).json()
    assert body["exact"] is True
    assert [hit["number"] for hit in body["results"]] == [number]


def test_the_number_of_an_invisible_ticket_is_not_found(corpus, api_client, requester_carla):
    body = _search(api_client(requester_carla), corpus["other_org"].number).json()
    assert body == {"exact": False, "next": None, "previous": None, "results": []}


def test_snippets_are_escaped(make_ticket, api_client, agent_ana):
    # given text that reads as markup once the sanitiser's entities are decoded
    make_ticket("Pantalla", "<p>&lt;img src=x onerror=alert(1)&gt; la impresora &amp; más</p>")
    outbox.dispatch()
    snippet = _search(api_client(agent_ana), "impresora").json()["results"][0]["snippet"]
    assert snippet == ("&lt;img src=x onerror=alert(1)&gt; la <mark>impresora</mark> "
                       "&amp; más")


def test_pages_follow_the_ranking(make_ticket, api_client, agent_ana):
    made = [make_ticket(f"Impresora {i}") for i in range(5)]
    outbox.dispatch()
    client = api_client(agent_ana)
    seen, response = [], _search(client, "impresora", page_size=2)
    while True:
        body = response.json()
        seen += [hit["number"] for hit in body["results"]]
        assert len(body["results"]) <= 2
        if body["next"] is None:
            break
        response = client.get(body["next"])
        assert response.json()["previous"] is not None
    assert sorted(seen) == sorted(ticket.number for ticket in made)
    assert len(seen) == 5


def test_filters_narrow_the_search(corpus, api_client, provider_admin, hr):
    client = api_client(provider_admin)
    body = _search(client, "impresora", department_id=hr.pk).json()
    assert [hit["number"] for hit in body["results"]] == [corpus["hr_ticket"].number]
    body = _search(client, "impresora", status="closed").json()
    assert body["results"] == []


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/search/tickets", "q"),
    ("/api/v1/search/tickets?q=", "q"),
    ("/api/v1/search/tickets?q=" + "a" * 10_000, "q"),
    ("/api/v1/search/tickets?q=impresora%00", "q"),
    ("/api/v1/search/tickets?q=x&cursor=nonsense", "cursor"),
    ("/api/v1/search/tickets?q=x&cursor=c2VhcmNoOi0x", "cursor"),  # "search:-1"
    ("/api/v1/search/tickets?q=x&cursor=c2VhcmNoOjk5OTk5", "cursor"),  # "search:99999"
    ("/api/v1/search/tickets?q=x&page_size=0", "page_size"),
    ("/api/v1/search/tickets?q=x&page_size=101", "page_size"),
    ("/api/v1/search/tickets?q=x&status=bogus", "status"),
    ("/api/v1/search/tickets?q=x&status=new%00", "status"),
    ("/api/v1/search/tickets?q=x&kind=bogus", "kind"),
    ("/api/v1/search/tickets?q=x&department_id=abc", "department_id"),
])
def test_bad_parameters_are_a_precise_422(path, field, corpus, api_client, agent_ana):
    response = api_client(agent_ana).get(path)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.parametrize("query", [
    '"', "impresora AND OR NEAR", "NEAR(impresora piso)", "*", "^", "impresora*", "(",
    ")", "' OR 1=1 --", "{title}: impresora", "%", "\\", "<script>", "a" * 500,
])
def test_hostile_queries_answer_200(query, corpus, api_client, provider_admin):
    response = _search(api_client(provider_admin), query)
    assert response.status_code == 200
    numbers = {hit["number"] for hit in response.json()["results"]}
    assert numbers <= {ticket.number for ticket in corpus.values()}


def test_a_page_costs_the_same_queries_whatever_its_size(make_ticket, api_client, agent_ana,
                                                         django_assert_num_queries):
    for i in range(6):
        make_ticket(f"Impresora {i}", "<p>Sin tóner</p>")
    outbox.dispatch()
    client = api_client(agent_ana)
    _search(client, "impresora", page_size=1)  # warm: the token's first use writes
    with CaptureQueriesContext(connection) as one:
        assert len(_search(client, "impresora", page_size=1).json()["results"]) == 1
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(_search(client, "impresora", page_size=5).json()["results"]) == 5
