"""The outbox consumer of satisfaction: a survey when a ticket is resolved, an alert
when an answer is low. Idempotent, as every consumer must be."""

from __future__ import annotations

from atiende.satisfaction import services
from atiende.tickets import outbox
from atiende.tickets.models import Event, EventKind, Status


@outbox.consumer("satisfaction")
def on_event(event: Event) -> None:
    if event.kind == EventKind.STATUS and event.new_value == Status.RESOLVED:
        services.survey_send(event=event)
    elif (event.kind == EventKind.SATISFACTION_RATED
          and isinstance(event.new_value, dict) and event.new_value.get("low")):
        services.low_score_alert(event=event)
