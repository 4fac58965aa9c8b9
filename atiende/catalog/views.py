"""The requester's catalog: browse and search the items offered, fill in one's form."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atiende.catalog import policies, selectors, services, web_forms
from atiende.core.web import handles_errors
from atiende.errors import ValidationFailed

SEARCH_MAX = 100


@login_required
@handles_errors
def catalog_index(request):
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    items = selectors.catalog_for(actor=request.user, search=search)
    departments = [
        (department, [(category, list(in_category)) for category, in_category in groupby(
            in_department, key=lambda item: item.category)])
        for department, in_department in groupby(items, key=lambda item: item.department)
    ]
    return render(request, "catalog/index.html", {"departments": departments,
                                                  "search": search, "count": len(items)})


def _item_page(request, item, *, answers=None, errors=None, status=200):
    version = item.current_version
    people = selectors.pickable_people(actor=request.user, organization=request.user.organization
                                       )[:selectors.PEOPLE_MAX] if any(
        field["type"] == "user" for field in version.fields) else ()
    return render(request, "catalog/item.html", {
        "item": item, "version": version, "errors": errors or {},
        # Why the request cannot be sent at all (the approvals or the fulfilment plan).
        "plan_error": (errors or {}).get("approval") or (errors or {}).get("fulfilment", ""),
        "rows": web_forms.rows(version.fields, answers=answers, errors=errors,
                               people=list(people)),
        "can_request": policies.can_request(request.user, item),
    }, status=status)


@login_required
@handles_errors
def catalog_item(request, item_id: int):
    item = selectors.item_get(actor=request.user, item_id=item_id)
    if request.method != "POST":
        return _item_page(request, item)
    fields = item.current_version.fields
    answers, uploads = web_forms.answers_from_post(fields, request.POST, request.FILES)
    try:
        ticket = services.request_submit(actor=request.user, item=item, answers=answers,
                                         files=uploads)
    except ValidationFailed as error:
        return _item_page(request, item, answers=answers, errors=error.fields, status=422)
    messages.success(request, _("We have your request: %(number)s.") % {"number": ticket.number})
    return redirect("ticket_detail", number=ticket.number)
