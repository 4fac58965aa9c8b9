"""The approver's pages: what waits on me ("Approvals"), one approval with the
request's summary, and the e-mailed signed link (no sign-in needed: the link is the
approver's proof; GET only shows, POST decides)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atiende.catalog import approval_services, approvals_selectors
from atiende.core.web import handles_errors
from atiende.errors import Conflict, ValidationFailed


@login_required
@require_GET
def approval_list(request):
    return render(request, "catalog/approvals/list.html", {
        "pending": approvals_selectors.pending_for(request.user),
        "decided": approvals_selectors.decided_by(request.user)})


def _decision(request) -> tuple[bool | None, str]:
    choice = request.POST.get("decision")
    return {"approve": True, "reject": False}.get(choice), request.POST.get("comment", "")


def _page(request, approval, *, token: str = "", error: str = "", comment: str = "",
          status: int = 200):
    stage = approval.stage
    return render(request, "catalog/approvals/detail.html", {
        "approval": approval, "request_ticket": stage.request,
        "stages": approvals_selectors.stages_of(request=stage.request), "token": token,
        "error": error, "comment": comment,
        "can_decide": approval.decision == "pending" and stage.state == "pending",
    }, status=status)


@login_required
@handles_errors
def approval_detail(request, approval_id: int):
    approval = approvals_selectors.approval_get(actor=request.user, approval_id=approval_id)
    if request.method != "POST":
        return _page(request, approval)
    approve, comment = _decision(request)
    if approve is None:
        return _page(request, approval, error=_("Choose approve or reject."), status=422)
    try:
        approval_services.approval_decide(actor=request.user, approval_id=approval.pk,
                                          approve=approve, comment=comment)
    except ValidationFailed:
        return _page(request, approval, comment=comment, status=422,
                     error=_("Say why you reject the request."))
    except Conflict as error:
        return _page(request, approval, error=error.message, status=409)
    message = _("You approved %(number)s.") if approve else _("You rejected %(number)s.")
    messages.success(request, message % {"number": approval.stage.request.number})
    return redirect("approval_list")


@handles_errors
def approval_link(request, token: str):
    viewer = request.user if request.user.is_authenticated else None
    approval = approval_services.approval_from_link(token, viewer=viewer)
    if request.method != "POST":
        return _page(request, approval, token=token)
    approve, comment = _decision(request)
    if approve is None:
        return _page(request, approval, token=token, error=_("Choose approve or reject."),
                     status=422)
    try:
        approval = approval_services.approval_decide_by_link(
            token=token, approve=approve, comment=comment, viewer=viewer)
    except ValidationFailed:
        return _page(request, approval, token=token, comment=comment, status=422,
                     error=_("Say why you reject the request."))
    return render(request, "catalog/approvals/done.html", {"approval": approval})
