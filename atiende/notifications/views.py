"""The in-app notification list, the header bell's count, and one's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.core.scoping import scope_of
from atiende.core.web import handles_errors
from atiende.notifications import preferences, selectors, services
from atiende.notifications.models import NotificationKind

# Kinds only people who work tickets receive; requesters are not offered them.
STAFF_KINDS = frozenset({NotificationKind.ASSIGNED, NotificationKind.MENTIONED,
                         NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACHED,
                         NotificationKind.SLA_ESCALATED,
                         NotificationKind.LOW_SATISFACTION})


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.inbox(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread": selectors.unread_count(actor=request.user)})


@login_required
@require_GET
def notification_unread(request):
    """The bell's badge (loaded by htmx after the page, so pages pay nothing for it)."""
    response = render(request, "notifications/_bell_count.html",
                      {"unread": selectors.unread_count(actor=request.user)})
    response["Cache-Control"] = "private, max-age=30"
    return response


@login_required
@require_POST
@handles_errors
def notification_open(request, notification_id: int):
    """Mark the notification read (a POST: a link prefetched or followed by a crawler
    changes nothing) and go to its ticket, if the person may still see it."""
    notification = services.notification_mark_read(actor=request.user,
                                                   notification_id=notification_id)
    number = selectors.visible_ticket_number(actor=request.user, notification=notification)
    if number is None:
        messages.info(request, _("You can no longer see the ticket of that notification."))
        return redirect("notification_list")
    return redirect("ticket_detail", number=number)


@login_required
@require_POST
@handles_errors
def notification_read(request, notification_id: int):
    services.notification_mark_read(actor=request.user, notification_id=notification_id)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    staff = scope_of(request.user).is_staff_anywhere
    kinds = [(value, label) for value, label in NotificationKind.choices
             if staff or value not in STAFF_KINDS]
    if request.method == "POST":
        services.preferences_set(actor=request.user, choices={
            kind: (f"email:{kind}" in request.POST, f"in_app:{kind}" in request.POST)
            for kind, _label in kinds})
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect(reverse("notification_preferences"))
    current = {kind: preferences.channels_for([request.user.pk], kind)[request.user.pk]
               for kind, _label in kinds}
    rows = [{"kind": kind, "label": label, "email": current[kind][0], "in_app": current[kind][1]}
            for kind, label in kinds]
    return render(request, "notifications/preferences.html", {"rows": rows})
