"""The catalog's API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema

from atiende.api.schemas import Input


class FormFieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    help: str
    default: Any = None
    choices: list[str]
    min: Any = None
    max: Any = None
    pattern: str
    show_if: dict[str, Any] | None = None


class FormOut(Schema):
    version: int
    fields: list[FormFieldOut]


class CatalogItemOut(Schema):
    id: int
    department_id: int
    department_name: str
    category: str | None
    name: str
    short_description: str
    delivery_amount: int | None
    delivery_unit: str
    service_id: int | None
    is_active: bool
    offered: bool  # whether the caller may ask for it


class CatalogItemDetailOut(CatalogItemOut):
    description: str  # sanitised HTML
    form: FormOut


class RequestIn(Input):
    """Answers by field key: text, number, `YYYY-MM-DD`, an option, a list of options,
    true/false, or a person's id. Files are attached through the web form."""

    answers: dict[str, Any] = {}


class RequestOut(Schema):
    number: str
    title: str
    item_id: int
    form_version: int


# --- approvals ----------------------------------------------------------------------------


class ApprovalStepOut(Schema):
    position: int
    label: str  # who decides the step
    rule: str  # any | all | majority
    state: str  # waiting | pending | approved | rejected


class ApprovalOut(Schema):
    """One row of the caller's approvals, read from an `Approval` of
    `approvals_selectors.pending_for` (its request and step already joined)."""

    id: int
    request_number: str
    item_name: str | None
    requester_name: str
    department_name: str
    step: ApprovalStepOut
    state: str  # this approver's decision: pending | approved | rejected | not_needed
    requested_at: datetime | None

    @staticmethod
    def resolve_request_number(approval) -> str:
        return approval.stage.request.number

    @staticmethod
    def resolve_item_name(approval) -> str | None:
        answers = getattr(approval.stage.request, "catalog_answers", None)
        return answers.item.name if answers is not None else None

    @staticmethod
    def resolve_requester_name(approval) -> str:
        return approval.stage.request.requester.display_name

    @staticmethod
    def resolve_department_name(approval) -> str:
        return approval.stage.request.department.name

    @staticmethod
    def resolve_step(approval) -> dict:
        stage = approval.stage
        return {"position": stage.position, "label": stage.label, "rule": stage.rule,
                "state": stage.state}

    @staticmethod
    def resolve_state(approval) -> str:
        return approval.decision


class AnswerOut(Schema):
    key: str
    label: str
    value: str  # as the form shows it (a file by its name only)


class ApprovalRequestOut(Schema):
    number: str
    title: str
    status: str
    created_at: datetime
    item_id: int | None
    item_name: str | None
    requester_id: int
    requester_name: str
    department_name: str
    answers: list[AnswerOut]


class ApprovalDetailOut(Schema):
    id: int
    state: str
    comment: str
    decided_at: datetime | None
    requested_at: datetime | None
    can_decide: bool
    step: ApprovalStepOut
    request: ApprovalRequestOut


class DecisionIn(Input):
    """Reject needs a comment saying why (the requester reads it)."""

    decision: Literal["approve", "reject"]
    comment: str = ""
