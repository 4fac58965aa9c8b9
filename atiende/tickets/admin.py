"""Ticket data in the provider's data admin (`/data-admin/`)."""

from __future__ import annotations

from django.contrib import admin

from atiende.core.admin import ProviderOnly
from atiende.tickets.models import EventDeliveryFailure


@admin.register(EventDeliveryFailure)
class EventDeliveryFailureAdmin(ProviderOnly, admin.ModelAdmin):
    """Consumers that failed on an event: set the next attempt to retry one now, or
    delete a failure that is understood (the event itself stays in the log)."""

    list_display = ["failed_at", "consumer", "event", "attempts", "next_attempt_at"]
    list_filter = ["consumer"]
    readonly_fields = ["event", "consumer", "attempts", "last_error", "failed_at"]

    def has_add_permission(self, request) -> bool:
        return False
