"""E-mail notifications as text: the restricted template language organizations write
subjects and bodies in, the context it is given, and the subject, plain text and HTML
of one notification.

The language is Django's template syntax with only variables and `{% if %}` (see
`template_language`). A template is given a context of plain strings (VARIABLES), so
no object, method, setting or other data is reachable from it, and names starting with
an underscore are refused by the syntax itself. What people wrote (titles, replies,
names) is inserted as a value and never parsed as a template; in the HTML part it is
escaped, and the whole HTML is sanitised once more (nh3) because an admin's template
text is not trusted either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.errors import ValidationFailed
from atiende.notifications import defaults
from atiende.notifications.models import NotificationTemplate
from atiende.tickets.text import clean_html

# The variables every template may use, and what they hold (shown in the editor).
VARIABLES = {
    "number": gettext_lazy("the ticket's number (INC-000123)"),
    "title": gettext_lazy("the ticket's title"),
    "status": gettext_lazy("the ticket's status"),
    "priority": gettext_lazy("the ticket's priority"),
    "link": gettext_lazy("the address of the ticket's page"),
    "organization": gettext_lazy("the ticket's organization"),
    "department": gettext_lazy("the ticket's department"),
    "team": gettext_lazy("the team the ticket was assigned to"),
    "requester_name": gettext_lazy("the requester's name"),
    "recipient_name": gettext_lazy("the name of the person the e-mail goes to"),
    "actor_name": gettext_lazy("who made the change"),
    "comment": gettext_lazy("the text of the reply or note"),
    "reason": gettext_lazy("why the ticket is pending"),
    "resolution": gettext_lazy("the resolution notes"),
    "reopen_days": gettext_lazy("days the requester may reopen a resolved ticket"),
    "survey_link": gettext_lazy("the address of the satisfaction survey (resolved, to the "
                                "requester)"),
    **{f"survey_link_{score}": gettext_lazy("the survey's address with this score chosen")
       for score in range(1, 6)},
    "score": gettext_lazy("the satisfaction score given (1 to 5)"),
    "survey_comment": gettext_lazy("the comment given with the satisfaction score"),
    "approval_link": gettext_lazy("the signed, single-use address where an approver "
                                  "decides (approval requested)"),
}

SUBJECT_MAX = 300
BODY_MAX = 20_000
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


class _RestrictedEngine(Engine):
    default_builtins: list[str] = []  # not Django's tags and filters: only ours


ENGINE = _RestrictedEngine(
    builtins=["atiende.notifications.template_language"], libraries={},
    string_if_invalid="", debug=False, app_dirs=False, dirs=[], loaders=[],
)


@lru_cache(maxsize=512)
def _compiled(source: str):
    return ENGINE.from_string(source)


def compile_template(source: str, field: str):
    """The compiled template (kept per source text: compiled templates are reusable);
    ValidationFailed naming `field` when it does not parse (an unknown tag, a filter, an
    unclosed `if`)."""
    try:
        return _compiled(source)
    except TemplateSyntaxError as error:
        raise ValidationFailed({field: _("The template is not valid: %(error)s")
                                % {"error": error}}, code="invalid_template") from None
    except RecursionError:  # hundreds of nested {% if %}: no real template needs that
        raise ValidationFailed({field: _("The template nests too deeply.")},
                               code="invalid_template") from None


def check_template(subject: str, body: str) -> None:
    """Refuse (ValidationFailed) a subject or body that does not parse or is too long."""
    errors = {}
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = _("Use at most %(count)d characters.") % {"count": SUBJECT_MAX}
    if len(body) > BODY_MAX:
        errors["body"] = _("Use at most %(count)d characters.") % {"count": BODY_MAX}
    for field, source in (("subject", subject), ("body", body)):
        try:
            compile_template(source, field)
        except ValidationFailed as error:
            errors.update(error.fields)
    if errors:
        raise ValidationFailed(errors, code="invalid_template")


def template_source(*, organization_id: int | None, kind: str, language: str) -> tuple[str, str]:
    """(subject, body) for `kind` in `language`: the organization's own, else the
    installation's default row, else the wording shipped in `defaults`."""
    rows = {row.organization_id: row for row in NotificationTemplate.objects.filter(
        Q(organization_id=organization_id) | Q(organization__isnull=True),
        kind=kind, language=language)}
    row = rows.get(organization_id) or rows.get(None)
    if row is not None:
        return row.subject, row.body
    return shipped_source(kind, language)


def shipped_source(kind: str, language: str) -> tuple[str, str]:
    return (defaults.TEMPLATES.get((kind, language))
            or defaults.TEMPLATES.get((kind, settings.LANGUAGE_CODE))
            or defaults.TEMPLATES[(kind, "es")])


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _plain(context: dict) -> dict[str, str]:
    """Only strings reach a template, whatever the caller passed."""
    return {name: "" if context.get(name) is None else str(context[name])
            for name in VARIABLES}


def one_line(value: str, limit: int = 250) -> str:
    """A header-safe single line: no CR, LF or other line breaks, spaces collapsed."""
    value = _SPACES.sub(" ", _LINE_BREAKS.sub(" ", value or "")).strip()
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "…"


def _paragraphs(escaped: str) -> str:
    """Escaped text as HTML paragraphs (blank lines) and line breaks."""
    blocks = re.split(r"\n\s*\n", escaped.replace("\r\n", "\n").strip())
    return "".join("<p>" + "<br>".join(block.split("\n")) + "</p>"
                   for block in blocks if block.strip())


def render(*, subject: str, body: str, context: dict, tag: str) -> Rendered:
    """The e-mail for `context`: the subject on one line with `[tag]` in front, the
    plain text, and the HTML (escaped values, sanitised as a whole)."""
    values = _plain(context)
    subject_text = one_line(compile_template(subject, "subject").render(
        Context(values, autoescape=False)))
    body_template = compile_template(body, "body")
    text = body_template.render(Context(values, autoescape=False)).strip()
    html_body = clean_html(_paragraphs(body_template.render(Context(values, autoescape=True))))
    footer_text = _("Open the ticket: %(link)s") % {"link": values["link"]}
    html = render_to_string("notifications/email.html", {
        "body": mark_safe(html_body),  # noqa: S308 - nh3 output
        "link": values["link"], "number": values["number"],
        "organization": values["organization"],
    })
    return Rendered(subject=one_line(f"[{tag}] {subject_text}", 400),
                    text=f"{text}\n\n-- \n{footer_text}\n", html=html)


def sample_context(*, organization_name: str, language: str) -> dict[str, str]:
    """Made-up values for the editor's preview (a sample ticket)."""
    english = language == "en"
    return {
        "number": "INC-000123",
        "title": "The printer on floor 3 does not print" if english
        else "La impresora del piso 3 no imprime",
        "status": "In progress" if english else "En curso",
        "priority": "P3 Moderate" if english else "P3 Moderada",
        "link": f"{settings.SITE_URL}/tickets/INC-000123/",
        "organization": organization_name,
        "department": "IT" if english else "Tecnología",
        "team": "Networks" if english else "Redes",
        "requester_name": "Carla Rueda",
        "recipient_name": "Carla Rueda",
        "actor_name": "Ana Gómez",
        "comment": "We replaced the toner; please try again." if english
        else "Cambiamos el tóner; por favor intente de nuevo.",
        "reason": "Awaiting the requester" if english else "En espera del solicitante",
        "resolution": "Toner replaced." if english else "Se cambió el tóner.",
        "reopen_days": "7",
        "survey_link": f"{settings.SITE_URL}/satisfaction/answer/sample/",
        **{f"survey_link_{score}": f"{settings.SITE_URL}/satisfaction/answer/sample/"
                                   f"?score={score}" for score in range(1, 6)},
        "score": "2",
        "survey_comment": "It took three days." if english else "Tardaron tres días.",
        "approval_link": f"{settings.SITE_URL}/approvals/link/sample/",
    }
