"""The local Graph double is strict: what Graph does not document for these endpoints is
refused in Graph's error shapes, so the client cannot pass by sending it."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from atiende.mail.graph_client import Credentials, access_token
from tests.mail.graph_support import CLIENT, SECRET, TENANT, graph_double  # noqa: F401

MAILBOX = "soporte@cafemontana.example"


def _call(url: str, *, method: str = "GET", token: str | None = None, body: bytes | None = None,
          content_type: str = "") -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def token(graph) -> str:
    graph.add_mailbox(MAILBOX)
    return access_token(Credentials(TENANT, CLIENT, SECRET))


def _graph_error(answer: tuple[int, dict]) -> tuple[int, str]:
    status, payload = answer
    assert set(payload) == {"error"} and {"code", "message", "innerError"} <= set(
        payload["error"])
    return status, payload["error"]["code"]


def test_graph_requests_need_a_valid_bearer_token(graph, token):
    url = f"{graph.base_url}/v1.0/users/{MAILBOX}/mailFolders/inbox/messages/delta"
    assert _graph_error(_call(url)) == (401, "InvalidAuthenticationToken")
    assert _graph_error(_call(url, token="forged")) == (401, "InvalidAuthenticationToken")
    assert _call(url, token=token)[0] == 200


@pytest.mark.parametrize("query, code", [
    ("$search=impresora", "BadRequest"),
    ("$filter=subject eq 'x'", "BadRequest"),
    ("$orderby=subject", "BadRequest"),
    ("$select=id,notAField", "BadRequest"),
    ("$deltatoken=abc&$select=id", "BadRequest"),
])
def test_delta_takes_only_the_documented_query_options(graph, token, query, code):
    url = (f"{graph.base_url}/v1.0/users/{MAILBOX}/mailFolders/inbox/messages/delta?"
           + urllib.parse.quote(query, safe="=&$,"))
    assert _graph_error(_call(url, token=token)) == (400, code)


def test_undocumented_paths_methods_and_bodies_are_refused(graph, token):
    base = f"{graph.base_url}/v1.0/users/{MAILBOX}"
    message = graph.deliver(MAILBOX, b"From: a@b.example\r\nTo: c@d.example\r\n\r\nx")
    quoted = urllib.parse.quote(message.id, safe="")
    assert _graph_error(_call(f"{base}/mailFolders/inbox/messages", token=token))[0] == 400
    assert _graph_error(_call(f"{base}/messages/{quoted}", method="DELETE", token=token))[0] \
        == 400
    assert _graph_error(_call(f"{base}/messages/{quoted}", method="PATCH", token=token,
                              body=b'{"subject": "x"}', content_type="application/json")) \
        == (400, "ErrorInvalidProperty")
    assert _graph_error(_call(f"{base}/messages/nope/$value", token=token)) == (
        404, "ErrorItemNotFound")
    assert _graph_error(_call(f"{graph.base_url}/v1.0/users/otro@x.example/sendMail",
                              method="POST", token=token, body=b"x",
                              content_type="text/plain")) == (404, "ErrorInvalidUser")
    assert _graph_error(_call(f"{base}/sendMail", method="POST", token=token,
                              body=b"not base64!", content_type="text/plain")) == (
        400, "ErrorMimeContentInvalidBase64String")
    mime = base64.b64encode(b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nx")
    assert _call(f"{base}/sendMail", method="POST", token=token, body=mime,
                 content_type="text/plain") == (202, {})


def test_the_token_endpoint_answers_in_its_own_error_shape(graph):
    url = f"{graph.base_url}/{TENANT}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": SECRET,
            "scope": "https://graph.microsoft.com/.default"}

    def post(**changes):
        body = urllib.parse.urlencode({**form, **changes}).encode()
        return _call(url, method="POST", body=body,
                     content_type="application/x-www-form-urlencoded")

    status, payload = post(scope="Mail.Read")
    assert (status, payload["error"], payload["error_codes"]) == (400, "invalid_scope", [1002012])
    assert post(client_secret="wrong")[1]["error"] == "invalid_client"
    assert post(grant_type="password")[1]["error"] == "unsupported_grant_type"
    status, payload = post()
    assert (status, payload["token_type"], payload["expires_in"]) == (200, "Bearer", 3599)
