"""`Idempotency-Key` on POST /tickets: a retry gets the first answer, never a second
ticket; a key reused for another request is refused; keys last 24 hours per person."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from atiende.core.models import IdempotencyKey
from atiende.tickets.models import Event, Ticket
from tests.api.support import field_errors, problem, send
from tests.tickets_api.support import tickets_state


@pytest.fixture
def body(it, requester_carla):
    return {"kind": "incident", "title": "El datáfono no conecta", "department_id": it.pk,
            "requester_id": requester_carla.pk, "tags": ["caja"]}


@pytest.fixture
def ana(agent_ana):
    return agent_ana


def _post(client, body, key: str | None = "pedido-7f3a"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return send(client, "POST", "/tickets", body, **headers)


def test_a_retry_with_the_same_key_and_body_answers_the_first_response(ana, body, api_client):
    # given
    client = api_client(ana)
    first = _post(client, body)

    # when
    retry = _post(client, body)

    # then
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["ETag"] == first["ETag"] == '"1"'
    assert retry["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert list(Ticket.objects.values_list("number", flat=True)) == ["INC-000001"]
    assert list(Event.objects.values_list("kind", flat=True)) == ["created"]


def test_the_same_body_spelled_differently_is_the_same_request(ana, body, api_client):
    # given
    client = api_client(ana)
    first = _post(client, body)
    respelled = json.dumps(dict(reversed(list({**body, "channel": "api"}.items()))), indent=2)

    # when
    retry = _post(client, respelled)

    # then
    assert retry.status_code == 201 and retry.content == first.content
    assert Ticket.objects.count() == 1


def test_a_retry_answers_the_first_response_even_after_the_ticket_changed(ana, body,
                                                                          api_client):
    # given
    client = api_client(ana)
    first = _post(client, body)
    send(client, "PATCH", "/tickets/INC-000001", {"title": "Datáfono sin red"},
         HTTP_IF_MATCH='"1"')

    # when
    retry = _post(client, body)

    # then
    assert retry.content == first.content
    assert retry.json()["title"] == "El datáfono no conecta"


def test_the_same_key_with_another_body_is_refused(ana, body, api_client):
    # given
    client = api_client(ana)
    _post(client, body)
    before = tickets_state()

    # when
    response = _post(client, {**body, "title": "Otra cosa"})

    # then
    assert field_errors(problem(response, 422, "idempotency_key_reused")) == [
        ("Idempotency-Key", "idempotency_key_reused")]
    assert tickets_state() == before


def test_without_a_key_every_post_creates(ana, body, api_client):
    # given
    client = api_client(ana)

    # when
    numbers = [_post(client, body, key=None).json()["number"] for _ in range(2)]

    # then
    assert numbers == ["INC-000001", "INC-000002"]
    assert not IdempotencyKey.objects.exists()


def test_keys_belong_to_one_person(ana, body, cast, api_client):
    # given
    _post(api_client(ana), body)

    # when
    other = _post(api_client(cast["admin"]), {**body, "title": "Otro de Mateo"})

    # then
    assert other.status_code == 201
    assert other.json()["number"] == "INC-000002"


def test_a_refused_request_stores_nothing_so_its_correction_may_reuse_the_key(ana, body,
                                                                              api_client):
    # given
    client = api_client(ana)
    refused = _post(client, {**body, "title": ""})

    # when
    corrected = _post(client, body)

    # then
    problem(refused, 422, "required")
    assert corrected.status_code == 201
    assert IdempotencyKey.objects.count() == 1


def test_a_key_is_forgotten_after_24_hours(ana, body, api_client):
    # given
    client = api_client(ana)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        _post(client, body)

    # when
    with time_machine.travel(dt.datetime(2026, 3, 3, 8, 59, tzinfo=dt.UTC), tick=False):
        within = _post(client, body)
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 1, tzinfo=dt.UTC), tick=False):
        after = _post(client, {**body, "title": "Otra vez el datáfono"})

    # then
    assert within.json()["number"] == "INC-000001"
    assert after.status_code == 201
    assert after.json()["number"] == "INC-000002"
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "clave-ñ"])
def test_an_invalid_key_is_refused(key, ana, body, api_client):
    # given
    before = tickets_state()

    # when
    response = _post(api_client(ana), body, key=key)

    # then
    assert field_errors(problem(response, 422, "invalid_idempotency_key")) == [
        ("Idempotency-Key", "invalid_idempotency_key")]
    assert tickets_state() == before
