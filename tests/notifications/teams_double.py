"""A strict local Microsoft Teams incoming webhook, on a loopback port (14400-14499).

It takes only the documented webhook message: `{"type": "message", "attachments":
[{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
"content": <AdaptiveCard>}]}`, the card with `type`, `version`, `body` (TextBlock and
FactSet elements checked) and `actions` (only Action.OpenUrl, Action.ShowCard and
Action.ToggleVisibility work through a webhook). A valid card is answered 200 "1", as an
incoming webhook does (`workflows = True`: 202, as a Workflows URL does); anything else
400 with the reason. `fail(n, status)` makes the next n posts fail; `cards` holds what
was accepted."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.loopback import serve_http

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
WEBHOOK_ACTIONS = {"Action.OpenUrl", "Action.ShowCard", "Action.ToggleVisibility"}
ELEMENTS = {"TextBlock", "FactSet", "ColumnSet", "Container", "Image", "RichTextBlock"}


class CardRefused(Exception):
    pass


def check_message(payload) -> dict:
    """The card of a valid webhook message; CardRefused says what is wrong."""
    if not isinstance(payload, dict) or set(payload) != {"type", "attachments"}:
        raise CardRefused("The message must have exactly type and attachments.")
    if payload["type"] != "message":
        raise CardRefused("type must be message.")
    attachments = payload["attachments"]
    if not isinstance(attachments, list) or len(attachments) != 1:
        raise CardRefused("attachments must hold one card.")
    attachment = attachments[0]
    if set(attachment) != {"contentType", "contentUrl", "content"}:
        raise CardRefused("An attachment has contentType, contentUrl and content.")
    if attachment["contentType"] != CARD_TYPE or attachment["contentUrl"] is not None:
        raise CardRefused("contentType must be the adaptive card type; contentUrl null.")
    card = attachment["content"]
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise CardRefused("content must be an AdaptiveCard.")
    if not isinstance(card.get("version"), str) or not isinstance(card.get("body"), list):
        raise CardRefused("A card has a version and a body.")
    for element in card["body"]:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in ELEMENTS:
            raise CardRefused(f"Unknown element {kind!r}.")
        if kind == "TextBlock" and not isinstance(element.get("text"), str):
            raise CardRefused("A TextBlock needs text.")
        if kind == "FactSet" and not all(
                isinstance(fact, dict) and set(fact) == {"title", "value"}
                and all(isinstance(v, str) for v in fact.values())
                for fact in element.get("facts") or [None]):
            raise CardRefused("A FactSet holds facts of title and value.")
    for action in card.get("actions") or []:
        if not isinstance(action, dict) or action.get("type") not in WEBHOOK_ACTIONS:
            raise CardRefused(f"Action {action.get('type')!r} does not work in a webhook.")
        if action["type"] == "Action.OpenUrl" and not str(action.get("url", "")).startswith(
                ("https://", "http://")):
            raise CardRefused("Action.OpenUrl needs a url.")
    return card


class TeamsWebhookDouble:
    def __init__(self) -> None:
        self.cards: list[dict] = []
        self.refused: list[str] = []
        self.failures: list[int] = []
        self.workflows = False
        self.server: ThreadingHTTPServer | None = None

    def fail(self, times: int, status: int = 500) -> None:
        self.failures.extend([status] * times)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhookb2/abc/IncomingWebhook/x"

    def start(self) -> None:
        self.server = serve_http(type("Handler", (_Handler,), {"double": self}))

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    double: TeamsWebhookDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:
        return

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        double = self.double
        if double.failures:
            status = double.failures.pop(0)
            return self._answer(status, "Microsoft Teams endpoint returned HTTP error "
                                f"{status}")
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            double.refused.append("content type")
            return self._answer(400, "Bad payload received by generic incoming webhook.")
        try:
            card = check_message(json.loads(body))
        except (ValueError, CardRefused) as error:
            double.refused.append(str(error))
            return self._answer(400, f"Bad payload: {error}")
        double.cards.append(card)
        if double.workflows:
            return self._answer(202, "")
        self._answer(200, "1")

    def do_GET(self) -> None:
        self._answer(405, "Method not allowed")
