"""What happens to a catalog request after it is submitted: its approval steps, then
its fulfilment tasks. Every change of the request or its tasks goes through
`atiende.tickets.services` (so each one is an event of the log); changes Atiende makes
by itself, following the item's plan, carry no actor (the timeline says "the system").

The rules, in one place:
- Submitting copies the item's plans into the request (`ApprovalStage`, `Approval`,
  `RequestTask`): editing a plan never changes a running request. Approvers are found
  at submit; a step naming the requester's manager when the requester has none
  refuses the submission with a message saying so (nothing is written), as does a
  step left without anyone to decide. Nobody approves their own request.
- With approvals, the request waits Pending ("Awaiting approval"); each step asks its
  approvers (event `approval_requested`, an e-mail with a signed, single-use link).
  A step is approved when its rule is met (any / all / majority) and rejected as soon
  as the rule can no longer be met; the other approvers of a decided step are no
  longer needed. Rejected: the request is cancelled, the reason is in the rejection
  event and the requester is told. Approved (the last step): fulfilment starts.
- Fulfilment: the tasks of the first stage become task tickets (TSK-, children of the
  request, each with its team, in the team's department); a stage opens when every
  task of the stage before is resolved or closed; when all are, the request resolves
  ("fulfilled", "All tasks completed"). A cancelled task stops the plan there: the
  request stays open for an agent to decide.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.catalog import policies
from atiende.catalog.models import (
    Approval,
    ApprovalRule,
    ApprovalStage,
    ApprovalStep,
    ApproverKind,
    CatalogItem,
    Decision,
    FulfilmentStep,
    RequestTask,
    StageState,
)
from atiende.core import services as core_services
from atiende.core.models import PersonGroup, Team, User
from atiende.errors import AtiendeError, Conflict, NotFound, PermissionDenied, ValidationFailed
from atiende.tickets import services as ticket_services
from atiende.tickets.models import (
    EventKind,
    Kind,
    PendingReason,
    ResolutionCode,
    Status,
    Ticket,
)
from atiende.validation import text

LINK_SALT = "atiende.catalog.approval-link"
LINK_MAX_AGE = dt.timedelta(days=7)
# The channel of the status changes the requester hears of otherwise (the submission's
# acknowledgment, the rejection's notice): not announced a second time.
QUIET_CHANNEL = "catalog"
SYSTEM_CHANNEL = "system"
COMMENT_MAX = 2000
PLAN_MAX = 20
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class LinkInvalid(AtiendeError):
    status = 400
    code = "approval_link_invalid"


class LinkExpired(AtiendeError):
    status = 410
    code = "approval_link_expired"


class LinkUsed(AtiendeError):
    status = 410
    code = "approval_link_used"


# --- plans (administrators) -------------------------------------------------------------


def _require_manage(actor: User, item: CatalogItem) -> None:
    if not policies.can_manage(actor, item.department):
        raise PermissionDenied()


def approval_plan_save(*, actor: User, item: CatalogItem, steps: Sequence[Mapping[str, Any]],
                       channel: str = "web") -> list[ApprovalStep]:
    """Replace the item's approval steps, in the order given. Each step: approver_kind,
    rule, people (users, for "people"), group (for "group"). People and groups must
    belong to an organization the item's department serves. Running requests keep
    the plan they started with. Raises PermissionDenied, ValidationFailed
    (`steps.<n>.<attribute>`)."""
    _require_manage(actor, item)
    department = item.department
    errors: dict[str, str] = {}
    if len(steps) > PLAN_MAX:
        errors["steps"] = _("Use at most %(max)d steps.") % {"max": PLAN_MAX}
    for index, step in enumerate(steps):
        kind, rule = step.get("approver_kind"), step.get("rule") or ApprovalRule.ANY
        if kind not in ApproverKind.values:
            errors[f"steps.{index}.approver_kind"] = _("Choose who approves.")
        if rule not in ApprovalRule.values:
            errors[f"steps.{index}.rule"] = _("Choose a rule.")
        if kind == ApproverKind.PEOPLE:
            people = list(step.get("people") or [])
            if not people:
                errors[f"steps.{index}.people"] = _("Choose at least one person.")
            elif any(p.organization is None or not department.serves(p.organization)
                     for p in people):
                errors[f"steps.{index}.people"] = _("Choose people of the organizations "
                                                    "this department serves.")
        if kind == ApproverKind.GROUP:
            group = step.get("group")
            if not isinstance(group, PersonGroup):
                errors[f"steps.{index}.group"] = _("Choose a group.")
            elif not department.serves(group.organization):
                errors[f"steps.{index}.group"] = _("Choose a group of an organization this "
                                                   "department serves.")
    if errors:
        raise ValidationFailed(errors, _("The approval plan has errors; nothing was saved."),
                               code="invalid_plan")
    with transaction.atomic():
        CatalogItem.objects.select_for_update().get(pk=item.pk)
        item.approval_steps.all().delete()
        saved = []
        for position, step in enumerate(steps, start=1):
            kind = step["approver_kind"]
            row = ApprovalStep.objects.create(
                item=item, position=position, approver_kind=kind,
                rule=ApprovalRule.ANY if kind == ApproverKind.MANAGER else step.get("rule")
                or ApprovalRule.ANY,
                group=step.get("group") if kind == ApproverKind.GROUP else None)
            if kind == ApproverKind.PEOPLE:
                row.people.set(step["people"])
            saved.append(row)
        core_services.audit(actor=actor, organization_id=department.organization_id,
                            action="catalog.approval_plan_saved", target=item,
                            changes={"steps": [{"approver_kind": s.approver_kind,
                                                "rule": s.rule, "group": s.group_id}
                                               for s in saved]}, channel=channel)
    return saved


def fulfilment_plan_save(*, actor: User, item: CatalogItem,
                         tasks: Sequence[Mapping[str, Any]],
                         channel: str = "web") -> list[FulfilmentStep]:
    """Replace the item's fulfilment tasks. Each: title, team (an active team of the
    item's organization), stage (1, 2, ...; tasks of one stage run in parallel).
    Raises PermissionDenied, ValidationFailed (`tasks.<n>.<attribute>`)."""
    _require_manage(actor, item)
    department = item.department
    errors: dict[str, str] = {}
    clean = []
    if len(tasks) > PLAN_MAX:
        errors["tasks"] = _("Use at most %(max)d tasks.") % {"max": PLAN_MAX}
    for index, task in enumerate(tasks):
        try:
            title = text(task.get("title"), f"tasks.{index}.title", max_length=200)
        except ValidationFailed as error:
            errors.update(error.fields)
            title = ""
        team = task.get("team")
        if not isinstance(team, Team) or not team.is_active or (
                team.department.organization_id != department.organization_id):
            errors[f"tasks.{index}.team"] = _("Choose an active team of this organization.")
        stage = task.get("stage")
        if isinstance(stage, bool) or not isinstance(stage, int) or not 1 <= stage <= PLAN_MAX:
            errors[f"tasks.{index}.stage"] = _("Use a whole number from 1 to %(max)d.") % {
                "max": PLAN_MAX}
        clean.append((title, team, stage))
    if errors:
        raise ValidationFailed(errors, _("The fulfilment plan has errors; nothing was saved."),
                               code="invalid_plan")
    with transaction.atomic():
        CatalogItem.objects.select_for_update().get(pk=item.pk)
        item.fulfilment_steps.all().delete()
        saved = [FulfilmentStep.objects.create(item=item, position=position, title=title,
                                               team=team, stage=stage)
                 for position, (title, team, stage) in enumerate(clean, start=1)]
        core_services.audit(actor=actor, organization_id=department.organization_id,
                            action="catalog.fulfilment_plan_saved", target=item,
                            changes={"tasks": [{"title": s.title, "team": s.team_id,
                                                "stage": s.stage} for s in saved]},
                            channel=channel)
    return saved


# --- submitting -------------------------------------------------------------------------


def _approvers(step: ApprovalStep, requester: User) -> tuple[str, list[User]]:
    """(label, people) who decide `step` for `requester`: active people of the
    requester's organization but the requester. Raises ValidationFailed when nobody
    can."""
    organization_id = requester.organization_id
    if step.approver_kind == ApproverKind.MANAGER:
        manager = requester.manager
        if manager is None or not manager.is_active:
            raise ValidationFailed(
                {"approval": _("This request needs the approval of your manager, and you "
                               "have no manager on record. Ask your administrator to set "
                               "your manager, then send it again.")},
                _("Your manager is missing; nothing was sent."), code="manager_missing")
        return manager.display_name, [manager]
    if step.approver_kind == ApproverKind.GROUP:
        label = step.group.name
        people = step.group.members.all()
    else:
        people = step.people.all()
        label = ""
    # Nobody approves their own request: a requester in the group is left out of it.
    people = list(people.filter(is_active=True, organization_id=organization_id)
                  .exclude(pk=requester.pk).order_by("display_name", "pk"))
    if not people:
        raise ValidationFailed(
            {"approval": _("Nobody can approve this request for your organization. Tell "
                           "the catalog's administrator; nothing was sent.")},
            code="no_approvers")
    return label or ", ".join(p.display_name for p in people), people


def request_started(*, request: Ticket, item: CatalogItem, requester: User) -> None:
    """Copy the item's plans into the just-created `request` and start it: the first
    approval step, or else fulfilment. Runs inside `request_submit`'s transaction;
    raises ValidationFailed (the manager missing, nobody to approve, a task's team that
    cannot work for the requester's organization), rolling the submission back."""
    steps = list(item.approval_steps.select_related("group").prefetch_related("people"))
    planned = [(step, *_approvers(step, requester)) for step in steps]
    tasks = list(item.fulfilment_steps.select_related("team__department"))
    for task in tasks:
        if not (task.team.is_active and task.team.department.is_active
                and task.team.department.serves(request.organization)):
            raise ValidationFailed(
                {"fulfilment": _("This item cannot be delivered to your organization yet. "
                                 "Tell the catalog's administrator; nothing was sent.")},
                code="fulfilment_unavailable")
    RequestTask.objects.bulk_create([
        RequestTask(request=request, position=task.position, stage=task.stage,
                    title=task.title, team=task.team) for task in tasks])
    if not planned:
        _start_fulfilment(request)
        return
    for step, label, people in planned:
        stage = ApprovalStage.objects.create(
            request=request, position=step.position, approver_kind=step.approver_kind,
            label=label[:200], rule=step.rule)
        Approval.objects.bulk_create([
            Approval(stage=stage, approver=person, nonce=secrets.token_hex(16))
            for person in people])
    request = ticket_services.ticket_transition(
        actor=None, ticket=request, to_status=Status.PENDING, version=request.version,
        pending_reason=PendingReason.AWAITING_APPROVAL, channel=QUIET_CHANNEL)
    _ask(request, request.approval_stages.order_by("position").first())


def _ask(request: Ticket, stage: ApprovalStage) -> None:
    now = timezone.now()
    stage.state = StageState.PENDING
    stage.save(update_fields=["state"])
    approvers = list(stage.approvals.values_list("approver_id", flat=True))
    stage.approvals.update(requested_at=now)
    ticket_services.ticket_record(
        actor=None, ticket=request, kind=EventKind.APPROVAL_REQUESTED,
        channel=SYSTEM_CHANNEL, field="approval",
        new={"stage": stage.position, "label": stage.label, "rule": stage.rule,
             "approvers": approvers})


# --- deciding ---------------------------------------------------------------------------


def approval_decide(*, actor: User, approval_id: int, approve: bool, comment: str = "",
                    channel: str = "web") -> Approval:
    """The actor approves or rejects their own pending approval (a rejection needs a
    comment). Raises NotFound (not the actor's), Conflict (already decided, or the
    request no longer waits for it), ValidationFailed (`comment`)."""
    try:
        approval = Approval.objects.get(pk=approval_id, approver_id=actor.pk)
    except (Approval.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    return _decide(approval, approve=approve, comment=comment, channel=channel)


def approval_link(approval: Approval) -> str:
    """The signed token of the approval's e-mailed link (its id and current nonce)."""
    return signing.dumps({"approval": approval.pk, "nonce": approval.nonce}, salt=LINK_SALT,
                         compress=True)


def approval_from_link(token: str, *, viewer: User | None = None) -> Approval:
    """The approval a link names, while it may still decide. Raises LinkInvalid
    (forged or damaged), LinkExpired, LinkUsed (decided, or no longer needed), NotFound
    (someone signed in other than the approver)."""
    try:
        signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired(_("This approval link has expired. Open “Approvals” in Atiende "
                            "to decide.")) from None
    except signing.BadSignature:
        raise LinkInvalid(_("This approval link is not valid. Use the link of the e-mail "
                            "as it was sent, or open “Approvals” in Atiende.")) from None
    payload = signing.loads(token, salt=LINK_SALT)
    approval = Approval.objects.select_related(
        "stage__request__organization", "stage__request__department", "approver").filter(
        pk=payload.get("approval") if isinstance(payload, dict) else None).first()
    if approval is None:
        raise LinkInvalid(_("This approval link is not valid. Use the link of the e-mail "
                            "as it was sent, or open “Approvals” in Atiende."))
    if viewer is not None and viewer.is_authenticated and viewer.pk != approval.approver_id:
        raise NotFound()
    if (approval.nonce != payload.get("nonce") or approval.decision != Decision.PENDING
            or approval.stage.state != StageState.PENDING or not _awaiting(
                approval.stage.request)):
        raise LinkUsed(_("This approval link was already used, or the request no longer "
                         "needs your decision. Nothing was changed."))
    return approval


def approval_decide_by_link(*, token: str, approve: bool, comment: str = "",
                            viewer: User | None = None) -> Approval:
    """Decide through the e-mailed link; the link's approver is the actor."""
    approval = approval_from_link(token, viewer=viewer)
    return _decide(approval, approve=approve, comment=comment, channel="email",
                   nonce=approval.nonce)


def approvals_withdraw(*, request_id: int) -> int:
    """After a request was cancelled (by its requester, or by a rejection): the
    approvals still open are no longer needed, and their e-mailed links die with a new
    nonce. Returns how many were withdrawn (none the second time)."""
    with transaction.atomic():
        open_approvals = list(Approval.objects.select_for_update().filter(
            stage__request_id=request_id, decision=Decision.PENDING).exclude(
            stage__request__status=Status.PENDING))
        for approval in open_approvals:
            approval.decision, approval.nonce = Decision.NOT_NEEDED, secrets.token_hex(16)
        Approval.objects.bulk_update(open_approvals, ["decision", "nonce"])
    return len(open_approvals)


def _awaiting(request: Ticket) -> bool:
    return (request.status == Status.PENDING
            and request.pending_reason == PendingReason.AWAITING_APPROVAL)


def _decide(approval: Approval, *, approve: bool, comment: str, channel: str,
            nonce: str | None = None) -> Approval:
    """Lock the request (every decision on it in turn), record the decision and its
    event, then settle the stage. A link decision (`nonce`) that lost a race with
    another decision is LinkUsed, an in-app one Conflict."""
    comment = text(comment, "comment", max_length=COMMENT_MAX, required=not approve)
    with transaction.atomic():
        request = Ticket.objects.select_for_update().get(pk=approval.stage.request_id)
        approval = Approval.objects.select_for_update().select_related(
            "stage", "approver").get(pk=approval.pk)
        if (approval.decision != Decision.PENDING or approval.stage.state != StageState.PENDING
                or not _awaiting(request) or (nonce is not None and approval.nonce != nonce)):
            if nonce is not None:
                raise LinkUsed(_("This approval link was already used, or the request no "
                                 "longer needs your decision. Nothing was changed."))
            raise Conflict(_("This approval was already decided, or the request no longer "
                             "waits for it."), code="approval_decided")
        approval.decision = Decision.APPROVED if approve else Decision.REJECTED
        approval.comment, approval.channel = comment, channel
        approval.decided_at = timezone.now()
        approval.nonce = secrets.token_hex(16)  # the e-mailed link dies with the decision
        approval.save(update_fields=["decision", "comment", "channel", "decided_at", "nonce"])
        stage = approval.stage
        ticket_services.ticket_record(
            actor=approval.approver, ticket=request, channel=channel, field="approval",
            kind=EventKind.APPROVAL_APPROVED if approve else EventKind.APPROVAL_REJECTED,
            new={"stage": stage.position, "label": stage.label}, reason=comment)
        _settle(request, stage)
    return approval


def stage_outcome(rule: str, approved: int, rejected: int, total: int) -> str:
    """Where a stage stands: approved when its rule is met, rejected once it can no
    longer be, else still pending."""
    needed = {ApprovalRule.ANY: 1, ApprovalRule.ALL: total,
              ApprovalRule.MAJORITY: total // 2 + 1}[rule]
    if approved >= needed:
        return StageState.APPROVED
    if total - rejected < needed:
        return StageState.REJECTED
    return StageState.PENDING


def _settle(request: Ticket, stage: ApprovalStage) -> None:
    decisions = list(stage.approvals.values_list("decision", flat=True))
    outcome = stage_outcome(stage.rule, decisions.count(Decision.APPROVED),
                            decisions.count(Decision.REJECTED), len(decisions))
    if outcome == StageState.PENDING:
        return
    stage.state, stage.decided_at = outcome, timezone.now()
    stage.save(update_fields=["state", "decided_at"])
    stage.approvals.filter(decision=Decision.PENDING).update(decision=Decision.NOT_NEEDED)
    if outcome == StageState.REJECTED:
        ticket_services.ticket_transition(
            actor=None, ticket=request, to_status=Status.CANCELLED, version=request.version,
            channel=QUIET_CHANNEL)
        return
    following = request.approval_stages.filter(position__gt=stage.position).order_by(
        "position").first()
    if following is not None:
        _ask(request, following)
        return
    request = ticket_services.ticket_transition(
        actor=None, ticket=request, to_status=Status.IN_PROGRESS, version=request.version,
        channel=SYSTEM_CHANNEL)
    _start_fulfilment(request)


# --- fulfilment -------------------------------------------------------------------------


def _start_fulfilment(request: Ticket) -> None:
    """Open the first stage of tasks; a request with tasks is then In progress."""
    if not request.fulfilment_tasks.exists():
        return
    if request.status == Status.NEW:  # at submit: the acknowledgment says it
        request = ticket_services.ticket_transition(
            actor=None, ticket=request, to_status=Status.IN_PROGRESS, version=request.version,
            channel=QUIET_CHANNEL)
    _advance(request)


def _advance(request: Ticket) -> None:
    """With the request locked: resolve it when every task is done, else open the next
    stage once the stages before it are done. Safe to run again: a task ticket is
    created once per row, and a stopped plan (a task cancelled) stays stopped."""
    rows = list(request.fulfilment_tasks.select_related("task", "team__department"))
    if not rows or not request.is_open:
        return
    opened = [row for row in rows if row.task is not None]
    if any(row.task.status == Status.CANCELLED for row in opened):
        return  # an agent decides what the request becomes
    if opened and not all(row.task.status in DONE_STATUSES for row in opened):
        return
    waiting = [row for row in rows if row.task is None]
    if not waiting:
        with translation.override(request.organization.language or None):
            notes = _("All tasks completed")
        ticket_services.ticket_transition(
            actor=None, ticket=request, to_status=Status.RESOLVED, version=request.version,
            resolution_code=ResolutionCode.FULFILLED, resolution_notes=notes,
            channel=SYSTEM_CHANNEL)
        return
    stage = min(row.stage for row in waiting)
    for row in waiting:
        if row.stage != stage:
            continue
        row.task = ticket_services.ticket_create(
            actor=None, kind=Kind.TASK, title=row.title, description=request.description,
            organization=request.organization, department=row.team.department,
            requester=request.requester, channel=request.channel, team=row.team,
            parent=request)
        row.save(update_fields=["task"])


def fulfilment_advance(*, request_id: int) -> None:
    """After a task changed status: move its request's plan on (outbox consumer)."""
    with transaction.atomic():
        request = Ticket.objects.select_for_update().select_related("organization").filter(
            pk=request_id, kind=Kind.SERVICE_REQUEST).first()
        if request is not None:
            _advance(request)
