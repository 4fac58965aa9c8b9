"""What the web tests share: reading a page the way a person does, signing in through
the real form, and a picture of the data to prove that a refused request changed nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from django.test import Client

from atiende.core.models import ApiToken, AuditEvent, Department, Membership, Team, User
from tests.conftest import PASSWORD

# --- reading pages ----------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        return [
            node for node in self.walk()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(k) == v for k, v in attrs.items())
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def page(response_or_html) -> Node:
    html = response_or_html if isinstance(response_or_html, str) else (
        response_or_html.content.decode())
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def field_errors(response, name: str) -> list[str]:
    """The error messages shown inside the form field that holds the input `name`."""
    errors = []
    for box in page(response).find_all("div", cls="field"):
        if any(node.attrs.get("name") == name for node in box.walk()
               if node.tag in {"input", "select", "textarea"}):
            errors += [node.text for node in box.find_all("small", cls="error")]
    return errors


def all_field_errors(response) -> dict[str, list[str]]:
    """Every field that shows an error, by input name."""
    shown = {}
    for box in page(response).find_all("div", cls="field"):
        errors = [node.text for node in box.find_all("small", cls="error")]
        names = [node.attrs.get("name") for node in box.walk()
                 if node.tag in {"input", "select", "textarea"}]
        if errors:
            shown[names[0]] = errors
    return shown


def form_errors(response) -> list[str]:
    """Errors shown on top of a form, not tied to a field."""
    return [node.text for node in page(response).find_all("p", cls="alert-error")
            if node.attrs.get("role") == "alert"]


def flash_messages(response) -> list[tuple[str, str]]:
    """The (kind, text) of each message shown at the top of the page."""
    shown = []
    for box in page(response).find_all("div", cls="messages"):
        for node in box.find_all("p", cls="alert"):
            kind = next(c.removeprefix("alert-") for c in node.classes if c != "alert")
            shown.append((kind, node.text))
    return shown


def select_options(response, name: str) -> list[tuple[str, str]]:
    """(value, label) of the options of the first <select name=...>."""
    select = page(response).find_all("select", name=name)[0]
    return [(node.attrs.get("value", ""), node.text) for node in select.find_all("option")]


def html_lang(response) -> str:
    return page(response).find_all("html")[0].attrs["lang"]


def template_names(response) -> list[str]:
    return [t.name for t in response.templates if t.name]


def login_redirect(url: str) -> str:
    """Where login_required sends an anonymous visitor of `url`."""
    return "/accounts/login/?next=" + quote(url, safe="/")


def link_in(text: str) -> str:
    """The path of the only http link in a message body."""
    links = re.findall(r"https?://[^/\s]+(/\S+)", text)
    assert len(links) == 1, links
    return links[0]


# --- people ------------------------------------------------------------------------------


def sign_in(client: Client, email: str, password: str = PASSWORD):
    """Post the real sign-in form."""
    return client.post("/accounts/login/", {"login": email, "password": password})


def signed_in_as(client: Client) -> int | None:
    """The id of the person the client's session belongs to, or None."""
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def speak_english(*users: User) -> None:
    """Tests that read Atiende's own messages let the actor speak the source language,
    so they hold whatever the Spanish catalog says."""
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


# --- the data ----------------------------------------------------------------------------


def world_state() -> dict[str, list]:
    """Every row a web page of core can change, to compare before and after."""
    return {
        "users": list(User.objects.order_by("pk").values_list(
            "pk", "email", "display_name", "phone", "language", "time_zone", "is_active",
            "password")),
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "pk", "user_id", "organization_id", "department_id", "role")),
        "departments": list(Department.objects.order_by("pk").values_list(
            "pk", "organization_id", "name", "slug", "function", "is_active")),
        "teams": list(Team.objects.order_by("pk").values_list(
            "pk", "department_id", "name", "description", "lead_id", "is_active")),
        "team_members": list(Team.members.through.objects.order_by("pk").values_list(
            "team_id", "user_id")),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "name", "revoked_at")),
        "audit_events": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def new_audit_events(since: dict[str, list]) -> list[AuditEvent]:
    return list(AuditEvent.objects.exclude(pk__in=since["audit_events"]).order_by("pk"))
