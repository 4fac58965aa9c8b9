"""`/api/v1/approvals`: what waits on the caller's decision, one approval with its
request's summary, and deciding it. The same selectors and services as the approver's
web pages; anyone else's approval is a 404.

No `from __future__ import annotations` here: Ninja's `@paginate` wrapper resolves a
view's string annotations in `ninja.pagination`'s globals.
"""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from atiende.api.pagination import Pagination
from atiende.api.schemas import MAX_ID
from atiende.catalog import approval_services, approvals_selectors, selectors
from atiende.catalog.models import Approval, Decision, StageState
from atiende.catalog.schemas import ApprovalDetailOut, ApprovalOut, DecisionIn
from atiende.errors import NotFound
from atiende.tickets.models import Channel

router = Router(tags=["approvals"])


def _approval(actor, approval_id: int) -> Approval:
    if not 0 < approval_id <= MAX_ID:
        raise NotFound()
    return approvals_selectors.approval_get(actor=actor, approval_id=approval_id)


def _detail(approval: Approval) -> dict:
    request = approval.stage.request
    stored = selectors.answers_of(ticket=request)
    # As the approver's page shows them: no file links (the request's files are not theirs).
    answers = [{"key": row["key"], "label": row["label"], "value": row["value"]}
               for row in (selectors.answer_rows(stored) if stored else [])]
    return {
        "id": approval.pk, "state": approval.decision, "comment": approval.comment,
        "decided_at": approval.decided_at, "requested_at": approval.requested_at,
        "can_decide": (approval.decision == Decision.PENDING
                       and approval.stage.state == StageState.PENDING
                       and approvals_selectors.pending_for(approval.approver)
                       .filter(pk=approval.pk).exists()),
        "step": ApprovalOut.resolve_step(approval),
        "request": {
            "number": request.number, "title": request.title, "status": request.status,
            "created_at": request.created_at,
            "item_id": stored.item_id if stored else None,
            "item_name": stored.item.name if stored else None,
            "requester_id": request.requester_id,
            "requester_name": request.requester.display_name,
            "department_name": request.department.name, "answers": answers,
        },
    }


@router.get("/approvals", response=list[ApprovalOut],
            summary="Approvals waiting on the caller's decision")
@paginate(Pagination, ordering=("id",))
def approval_list(request: HttpRequest):
    """Oldest first; only approvals the caller can decide now (their step is asking,
    the request still waits for it)."""
    return approvals_selectors.pending_for(request.auth)


@router.get("/approvals/{approval_id}", response=ApprovalDetailOut,
            summary="One of the caller's approvals, with its request's summary")
def approval_detail(request: HttpRequest, approval_id: int):
    return _detail(_approval(request.auth, approval_id))


@router.post("/approvals/{approval_id}/decision", response=ApprovalDetailOut,
             summary="Approve or reject one of the caller's approvals")
def approval_decision(request: HttpRequest, approval_id: int, payload: DecisionIn):
    """`reject` needs a `comment` (422 without one); an approval already decided, or
    that the request no longer waits for, is a 409; anyone else's a 404."""
    approval = _approval(request.auth, approval_id)
    approval_services.approval_decide(
        actor=request.auth, approval_id=approval.pk, approve=payload.decision == "approve",
        comment=payload.comment, channel=Channel.API)
    return _detail(approvals_selectors.approval_get(actor=request.auth, approval_id=approval.pk))
