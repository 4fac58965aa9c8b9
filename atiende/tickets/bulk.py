"""Bulk actions of the workspace: the same service call, ticket by ticket.

Each ticket goes through its own service call (and so its own transaction, checks,
events and version check), so one refusal does not undo the others; every ticket gets
an outcome that says what happened to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.core.models import Team, User
from atiende.errors import AtiendeError, NotFound, ValidationFailed
from atiende.tickets import selectors, services, workspace
from atiende.tickets.models import Ticket


@dataclass(frozen=True)
class Outcome:
    number: str
    done: bool
    message: str = ""


def _assignment(actor: User, ticket: Ticket, team: Team | None,
                assignee: User | None) -> tuple[Team | None, User | None]:
    """Without a chosen team, a ticket keeps its own when the new agent belongs to it
    (taking it oneself keeps one's own team of the department)."""
    if team is not None:
        return team, assignee
    if assignee is not None and assignee.pk == actor.pk:
        return workspace.my_team_for(actor=actor, ticket=ticket), assignee
    if ticket.team is None or assignee is None:
        return ticket.team, assignee
    keeps = ticket.team.members.filter(pk=assignee.pk).exists()
    return (ticket.team if keeps else None), assignee


def _apply(actor: User, action: str, ticket: Ticket, version: int, options: dict,
           into: Ticket | None) -> str:
    if action == "assign":
        team, assignee = _assignment(actor, ticket, options.get("team"), options.get("assignee"))
        services.ticket_assign(actor=actor, ticket=ticket, team=team, assignee=assignee,
                               version=version)
        return ""
    if action == "status":
        services.ticket_transition(
            actor=actor, ticket=ticket, version=version, to_status=options["status"],
            pending_reason=options.get("pending_reason", ""),
            resolution_code=options.get("resolution_code", ""),
            resolution_notes=options.get("resolution_notes", ""))
        return ""
    if action == "priority":
        services.ticket_set_priority(actor=actor, ticket=ticket, version=version,
                                     priority=options["priority"],
                                     reason=options.get("reason", ""))
        return ""
    if action == "merge" and into is not None:
        if ticket.pk == into.pk:
            return _("kept; the others were merged into it")
        services.ticket_merge(actor=actor, duplicates=[ticket], into=into)
        return _("merged into %(number)s") % {"number": into.number}
    raise ValidationFailed({"action": _("Unknown action.")}, code="invalid_choice")


def _message(error: AtiendeError) -> str:
    if isinstance(error, NotFound):
        return _("No such ticket.")
    if isinstance(error, ValidationFailed) and error.fields:
        return " ".join(dict.fromkeys(error.fields.values()))
    return error.message


def bulk_apply(*, actor: User, action: str, selected: Iterable[tuple[str, int]],
               options: dict) -> list[Outcome]:
    """Apply `action` ("assign", "status", "priority", "merge") to each ticket of
    `selected` (number, version seen) as `actor`, one service call per ticket. Merge
    folds every other ticket into `options["into"]`, one of the selected."""
    into = None
    if action == "merge":
        try:
            into = selectors.ticket_get(actor=actor, number=options.get("into") or "")
        except NotFound:
            return [Outcome(number, False, _("The ticket to keep was not found."))
                    for number, _version in selected]
    outcomes = []
    for number, version in selected:
        try:
            ticket = selectors.ticket_get(actor=actor, number=number)
            note = _apply(actor, action, ticket, version, options, into)
        except AtiendeError as error:
            outcomes.append(Outcome(number, False, _message(error)))
        else:
            outcomes.append(Outcome(ticket.number, True, note))
    return outcomes
