"""Reads of approvals. An approver sees only what they must decide: the approvals that
name them, with the request's summary (number, item, requester, answers); never the
request's page, comments or other tickets. Anyone else's approval is NotFound."""

from __future__ import annotations

from django.db.models import QuerySet

from atiende.catalog.models import Approval, ApprovalStage, Decision, RequestTask, StageState
from atiende.core.models import User
from atiende.errors import NotFound
from atiende.tickets.models import PendingReason, Status, Ticket
from atiende.tickets.policies import visible_tickets


def _mine(user: User) -> QuerySet[Approval]:
    if not user.is_authenticated:
        return Approval.objects.none()
    return Approval.objects.filter(approver_id=user.pk).select_related(
        "stage", "stage__request", "stage__request__requester",
        "stage__request__department", "stage__request__catalog_answers__item",
    )


def pending_for(user: User) -> QuerySet[Approval]:
    """The approvals waiting on `user` now, oldest request first (a fixed number of
    queries, however many)."""
    return _mine(user).filter(
        decision=Decision.PENDING, stage__state=StageState.PENDING,
        stage__request__status=Status.PENDING,
        stage__request__pending_reason=PendingReason.AWAITING_APPROVAL,
    ).order_by("stage__request__created_at", "pk")


def decided_by(user: User, limit: int = 20) -> QuerySet[Approval]:
    """The user's latest decisions."""
    return _mine(user).filter(decision__in=[Decision.APPROVED, Decision.REJECTED]).order_by(
        "-decided_at", "-pk")[:limit]


def approval_get(*, actor: User, approval_id: int) -> Approval:
    try:
        return _mine(actor).get(pk=approval_id)
    except (Approval.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def stages_of(*, request: Ticket) -> QuerySet[ApprovalStage]:
    """A request's approval stages with their approvers (for a caller that read the
    request through its scope, or its approver)."""
    return request.approval_stages.prefetch_related("approvals__approver").order_by("position")


def plan_of(*, request: Ticket) -> list[RequestTask]:
    """A request's fulfilment tasks in order, each with its team and task ticket (for a
    caller that read the request through its scope)."""
    return list(request.fulfilment_tasks.select_related("team", "task").order_by(
        "stage", "position"))


def tasks_of(*, actor: User, request: Ticket) -> list[RequestTask]:
    """A request's fulfilment plan, with the task tickets the actor may see (the
    others shown without their link)."""
    rows = plan_of(request=request)
    task_ids = [row.task_id for row in rows if row.task_id]
    visible = set(Ticket.objects.filter(visible_tickets(actor), pk__in=task_ids)
                  .values_list("pk", flat=True)) if task_ids else set()
    for row in rows:
        row.visible_task = row.task if row.task_id in visible else None
    return rows
