"""The `graph` fixture: the local Graph double started for one test, Atiende pointed at
it (GRAPH_BASE_URL, LOGIN_BASE_URL), no token left from another test, and the waits
Graph asks for counted instead of slept through."""

from __future__ import annotations

import pytest

from atiende.mail import graph_client
from tests.mail.graph_double import GraphDouble

TENANT = "0b7c5a1e-3f4d-4c2b-9a8e-1d2c3b4a5f60"
CLIENT = "5f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
SECRET = "s3cr3t~Value.For-Tests"


@pytest.fixture(name="graph")
def graph_double(settings, monkeypatch):
    double = GraphDouble()
    double.start()
    double.add_app(TENANT, CLIENT, SECRET)
    settings.GRAPH_BASE_URL = f"{double.base_url}/v1.0"
    settings.LOGIN_BASE_URL = double.base_url
    settings.GRAPH_TIMEOUT_SECONDS = 5
    graph_client.forget_tokens()
    double.waits = []
    monkeypatch.setattr(graph_client, "sleep", double.waits.append)
    try:
        yield double
    finally:
        graph_client.forget_tokens()
        double.stop()


def connect(mailbox, double: GraphDouble, **fields) -> None:
    """`mailbox` read through Graph with the test application's credentials."""
    double.add_mailbox(mailbox.address)
    values = {"graph_enabled": True, "graph_tenant_id": TENANT, "graph_client_id": CLIENT,
              "graph_client_secret": SECRET, **fields}
    for name, value in values.items():
        setattr(mailbox, name, value)
    mailbox.save()
